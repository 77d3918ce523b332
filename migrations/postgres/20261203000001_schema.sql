-- Kanri's schema on PostgreSQL: the same tables as on SQLite (see
-- migrations/sqlite), in one migration, since this engine starts here.
--
-- The event log is append-only, and its followers must never skip an
-- event although appends to different projects commit concurrently (a
-- plain sequence hands out numbers in one order and commits in another).
-- So an append, under a short global lock, takes its numbers and marks
-- itself in flight with a transaction lock named after its first number
-- (kanri_append_events); a follower reads only up to kanri_settled_seq():
-- below the first number of every append still in flight, and no further
-- than the sequence had gone before it looked. Every event at or below
-- that bound has committed (and is read) or rolled back (and never will
-- be). Only this database's appends hold a follower back.

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

-- Writes an append's events, numbered under the sequence lock, and marks
-- the append in flight until it ends with a transaction lock keyed by its
-- first number (class 4243 + seq / 2^31, object seq mod 2^31). The lock is
-- held for the inserts only, not until commit, so appends to different
-- projects commit side by side.
CREATE FUNCTION kanri_append_events(
    p_project TEXT, p_streams TEXT[], p_versions BIGINT[], p_types TEXT[],
    p_schema INTEGER, p_payloads TEXT[], p_actor TEXT, p_at_ms BIGINT, p_command TEXT
) RETURNS TABLE (seq BIGINT) LANGUAGE plpgsql AS $$
DECLARE
    sequence_lock CONSTANT BIGINT := 4242000001;
    n BIGINT;
    i INTEGER;
BEGIN
    PERFORM pg_advisory_lock(sequence_lock);
    BEGIN
        FOR i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
            n := nextval('events_seq');
            IF i = 1 THEN
                PERFORM pg_advisory_xact_lock(4243 + (n >> 31)::INTEGER, (n & 2147483647)::INTEGER);
            END IF;
            INSERT INTO events (seq, project, stream, version, event_type, schema_version,
                                payload, actor, at_ms, command_id)
            VALUES (n, p_project, p_streams[i], p_versions[i], p_types[i],
                    p_schema, p_payloads[i], p_actor, p_at_ms, p_command);
            seq := n;
            RETURN NEXT;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        PERFORM pg_advisory_unlock(sequence_lock);
        RAISE;
    END;
    PERFORM pg_advisory_unlock(sequence_lock);
END $$;

-- The highest sequence number a follower may read up to now (see the top).
-- The sequence is read before the locks: an append that took numbers
-- after that is beyond the bound; one that took them before holds its lock
-- until it ends. Call it as a statement of its own, before the read, so
-- the read's snapshot is taken after it.
CREATE FUNCTION kanri_settled_seq() RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    head BIGINT;
    first_open BIGINT;
BEGIN
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO head FROM events_seq;
    SELECT min(((l.classid::BIGINT - 4243) << 31) | l.objid::BIGINT) INTO first_open
    FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
      AND l.classid BETWEEN 4243 AND 4243 + 1023
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
    RETURN least(head, coalesce(first_open - 1, head));
END $$;
