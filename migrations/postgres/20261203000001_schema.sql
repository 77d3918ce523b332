-- Kanri's schema on PostgreSQL: the same tables as on SQLite (see
-- migrations/sqlite), in one migration, since this engine starts here.
--
-- The event log is append-only, and its readers must never skip an event
-- although appends to different projects commit concurrently. Each event
-- row records the transaction that wrote it (`tx`); appends take their
-- sequence numbers and their transaction id together under a short global
-- lock, so `seq` order is `tx` order. A reader reads only rows whose `tx` is
-- older than every transaction still running (`pg_snapshot_xmin`): every
-- event with a smaller `seq` then belongs to a finished transaction, so it
-- is either visible or was rolled back and never will be. (server/src/store
-- explains the append.)

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ASCII letters lower-cased, nothing else: SQLite's NOCASE, which the
-- search and its evaluator use for labels and exact text.
CREATE FUNCTION ascii_lower(t TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');

CREATE SEQUENCE events_seq AS BIGINT;

CREATE TABLE events (
    seq            BIGINT  PRIMARY KEY,
    project        TEXT    NOT NULL,
    stream         TEXT    NOT NULL,
    version        BIGINT  NOT NULL,
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    at_ms          BIGINT  NOT NULL,
    command_id     TEXT    NOT NULL,
    tx             xid8    NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (stream, version)
);
CREATE INDEX events_by_project ON events (project, seq);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER events_are_never_updated BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

CREATE TABLE commands (
    command_id TEXT   PRIMARY KEY,
    project    TEXT   NOT NULL,
    actor      TEXT   NOT NULL,
    outcome    TEXT   NOT NULL,
    at_ms      BIGINT NOT NULL
);

CREATE TABLE projects (
    key     TEXT   PRIMARY KEY,
    name    TEXT   NOT NULL COLLATE "C",
    kind    TEXT   NOT NULL,
    version BIGINT NOT NULL,
    doc     TEXT   NOT NULL
);

CREATE TABLE issues (
    project     TEXT    NOT NULL,
    number      BIGINT  NOT NULL,
    status      BIGINT  NOT NULL,
    rank        TEXT    NOT NULL COLLATE "C",
    issue_type  TEXT    NOT NULL,
    -- Sorted as bytes, as on SQLite and in the query evaluator.
    assignee    TEXT COLLATE "C",
    sprint      BIGINT,
    parent      BIGINT,
    title       TEXT    NOT NULL COLLATE "C",
    version     BIGINT  NOT NULL,
    doc         TEXT    NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 2,
    points      BIGINT,
    reporter    TEXT    NOT NULL DEFAULT '' COLLATE "C",
    -- Title and description, lower-cased: what `text ~` matches.
    search_text TEXT    NOT NULL DEFAULT '',
    labels      TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (project, number)
);
CREATE INDEX issues_by_column ON issues (project, status, rank);
CREATE INDEX issues_by_rank ON issues (project, rank, number);
CREATE INDEX issues_by_assignee ON issues (project, assignee);
CREATE INDEX issues_by_sprint ON issues (project, sprint);
CREATE INDEX issues_by_parent ON issues (project, parent);
-- `text ~ "..."`: a trigram index narrows, the exact test decides.
CREATE INDEX issues_by_text ON issues USING gin (search_text gin_trgm_ops);

CREATE TABLE issue_labels (
    project TEXT   NOT NULL,
    number  BIGINT NOT NULL,
    label   TEXT   NOT NULL,
    PRIMARY KEY (project, number, label)
);
-- Labels match ignoring ASCII case, as SQLite's NOCASE compares.
CREATE INDEX issue_labels_by_label ON issue_labels (project, ascii_lower(label));

CREATE FUNCTION issue_labels_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM issue_labels WHERE project = OLD.project AND number = OLD.number;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO issue_labels (project, number, label)
        SELECT NEW.project, NEW.number, value FROM jsonb_array_elements_text(NEW.labels::jsonb);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER issue_labels_on_insert AFTER INSERT OR DELETE ON issues
    FOR EACH ROW EXECUTE FUNCTION issue_labels_follow();
CREATE TRIGGER issue_labels_on_update AFTER UPDATE OF labels ON issues
    FOR EACH ROW WHEN (OLD.labels IS DISTINCT FROM NEW.labels)
    EXECUTE FUNCTION issue_labels_follow();

CREATE TABLE sprints (
    project TEXT   NOT NULL,
    number  BIGINT NOT NULL,
    name    TEXT   NOT NULL,
    state   TEXT   NOT NULL,
    version BIGINT NOT NULL,
    doc     TEXT   NOT NULL,
    PRIMARY KEY (project, number)
);

CREATE TABLE history (
    stream  TEXT    NOT NULL,
    version BIGINT  NOT NULL,
    idx     INTEGER NOT NULL,
    seq     BIGINT  NOT NULL,
    project TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    at_ms   BIGINT  NOT NULL,
    change  TEXT    NOT NULL,
    PRIMARY KEY (stream, version, idx)
);

CREATE TABLE subscriber_checkpoints (
    name       TEXT   PRIMARY KEY,
    seq        BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE TABLE project_activity (
    project TEXT   NOT NULL,
    day     TEXT   NOT NULL,
    events  BIGINT NOT NULL,
    PRIMARY KEY (project, day)
);

CREATE TABLE worklogs (
    project    TEXT   NOT NULL,
    issue      BIGINT NOT NULL,
    worklog    BIGINT NOT NULL,
    author     TEXT   NOT NULL,
    -- The UTC day the work started, YYYY-MM-DD: the timesheet's column.
    day        TEXT   NOT NULL,
    started_ms BIGINT NOT NULL,
    minutes    BIGINT NOT NULL,
    PRIMARY KEY (project, issue, worklog)
);
CREATE INDEX worklogs_by_day ON worklogs (project, day, author);

-- Projections to rebuild from the log at the next start, and why.
CREATE TABLE projection_rebuilds (
    reason       TEXT   PRIMARY KEY,
    requested_ms BIGINT NOT NULL
);

CREATE TABLE users (
    name          TEXT   PRIMARY KEY,
    email         TEXT   NOT NULL UNIQUE,
    display_name  TEXT   NOT NULL,
    -- An argon2id PHC string (algorithm, parameters, salt and hash).
    password_hash TEXT   NOT NULL,
    created_ms    BIGINT NOT NULL
);

CREATE TABLE share_links (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    project      TEXT   NOT NULL,
    token_sha256 BYTEA  NOT NULL UNIQUE,
    label        TEXT   NOT NULL,
    created_by   TEXT   NOT NULL,
    created_ms   BIGINT NOT NULL,
    expires_ms   BIGINT,
    revoked_by   TEXT,
    revoked_ms   BIGINT,
    last_used_ms BIGINT
);
CREATE INDEX share_links_by_project ON share_links (project, id);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    "user"       TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    token_sha256 BYTEA  NOT NULL UNIQUE,
    created_ms   BIGINT NOT NULL,
    expires_ms   BIGINT,
    last_used_ms BIGINT,
    revoked_ms   BIGINT,
    scope        TEXT   NOT NULL DEFAULT 'read-write' CHECK (scope IN ('read', 'read-write'))
);
CREATE INDEX api_tokens_by_user ON api_tokens ("user", id);

CREATE TABLE idempotent_answers (
    "user"         TEXT   NOT NULL,
    key            TEXT   NOT NULL,
    request_sha256 BYTEA  NOT NULL,
    status         INTEGER NOT NULL,
    etag           TEXT,
    body           BYTEA  NOT NULL,
    created_ms     BIGINT NOT NULL,
    PRIMARY KEY ("user", key)
);
CREATE INDEX idempotent_answers_by_age ON idempotent_answers (created_ms);

CREATE TABLE webhooks (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    project    TEXT   NOT NULL,
    url        TEXT   NOT NULL,
    events     TEXT   NOT NULL, -- JSON array of event types; empty: all
    secret     TEXT   NOT NULL,
    created_by TEXT   NOT NULL,
    created_ms BIGINT NOT NULL,
    after_seq  BIGINT NOT NULL,
    deleted_by TEXT,
    deleted_ms BIGINT
);
CREATE INDEX webhooks_by_project ON webhooks (project, id);

CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    webhook         BIGINT  NOT NULL REFERENCES webhooks (id),
    seq             BIGINT  NOT NULL,
    event_type      TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL, -- pending, delivered, failed, cancelled
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT  NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    last_attempt_ms BIGINT,
    created_ms      BIGINT  NOT NULL,
    last_failure    TEXT,
    UNIQUE (webhook, seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook, id);

-- Writes an append's events as its transaction's first write, numbered
-- under the sequence lock: whoever holds the lock takes the next
-- transaction id and the next sequence numbers, so both orders agree (see
-- the comment at the top). The lock is held for these inserts only, not
-- until commit, so appends to different projects commit side by side.
CREATE FUNCTION kanri_append_events(
    p_project TEXT, p_streams TEXT[], p_versions BIGINT[], p_types TEXT[],
    p_schema INTEGER, p_payloads TEXT[], p_actor TEXT, p_at_ms BIGINT, p_command TEXT
) RETURNS TABLE (seq BIGINT) LANGUAGE plpgsql AS $$
DECLARE
    sequence_lock CONSTANT BIGINT := 4242000001;
    i INTEGER;
BEGIN
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION 'the events of an append must be its transaction''s first write';
    END IF;
    PERFORM pg_advisory_lock(sequence_lock);
    BEGIN
        PERFORM pg_current_xact_id();
        FOR i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
            INSERT INTO events (seq, project, stream, version, event_type, schema_version,
                                payload, actor, at_ms, command_id)
            VALUES (nextval('events_seq'), p_project, p_streams[i], p_versions[i], p_types[i],
                    p_schema, p_payloads[i], p_actor, p_at_ms, p_command)
            RETURNING events.seq INTO seq;
            RETURN NEXT;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        PERFORM pg_advisory_unlock(sequence_lock);
        RAISE;
    END;
    PERFORM pg_advisory_unlock(sequence_lock);
END $$;
