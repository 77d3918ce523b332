-- Webhooks: a project's admins register a URL and the event types it wants.
-- The secret signs each delivery (HMAC-SHA256), so it is kept as given out.
-- `after_seq` is the last event of the log the webhook has looked at.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    project    TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    events     TEXT    NOT NULL, -- JSON array of event types; empty: all
    secret     TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    after_seq  INTEGER NOT NULL,
    deleted_by TEXT,
    deleted_ms INTEGER
);
CREATE INDEX webhooks_by_project ON webhooks (project, id);

-- One row per event sent to a webhook, with its latest attempt.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook         INTEGER NOT NULL REFERENCES webhooks (id),
    seq             INTEGER NOT NULL,
    event_type      TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL, -- pending, delivered, failed, cancelled
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    last_attempt_ms INTEGER,
    created_ms      INTEGER NOT NULL,
    UNIQUE (webhook, seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook, id);
