-- Kanri's schema. The event log is the source of truth; every other table is
-- a projection derived from it and can be rebuilt by replay.
-- Keep the SQL portable to Postgres: only the AUTOINCREMENT key (BIGINT
-- there) and WITHOUT ROWID (a plain table there) differ.

-- The immutable log: global sequence, per-stream version, actor, time, command.
-- The single writer assigns `seq`; UNIQUE (stream, version) is the last guard
-- against two writers deciding on the same version.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    project    TEXT    NOT NULL,
    stream     TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    event_type TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    command_id TEXT    NOT NULL,
    UNIQUE (stream, version)
);
CREATE INDEX events_by_project ON events (project, seq);

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- The answer given to each command id, so that a repeat (an offline replay,
-- a retry after a timeout) gets the same answer and writes nothing.
CREATE TABLE commands (
    command_id TEXT    PRIMARY KEY,
    project    TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL
) WITHOUT ROWID;

-- Inline projections: written in the append transaction.
CREATE TABLE projects (
    key         TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    doc         TEXT    NOT NULL
);

CREATE TABLE issues (
    project    TEXT    NOT NULL,
    number     INTEGER NOT NULL,
    status     INTEGER NOT NULL,
    rank       TEXT    NOT NULL,
    issue_type TEXT    NOT NULL,
    assignee   TEXT,
    sprint     INTEGER,
    parent     INTEGER,
    title      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (project, number)
);
CREATE INDEX issues_by_column ON issues (project, status, rank);

CREATE TABLE sprints (
    project TEXT    NOT NULL,
    number  INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    state   TEXT    NOT NULL,
    version INTEGER NOT NULL,
    doc     TEXT    NOT NULL,
    PRIMARY KEY (project, number)
);

-- Who changed what, when, old -> new: one row per change an event made,
-- clustered by stream because it is read one stream at a time.
CREATE TABLE history (
    stream  TEXT    NOT NULL,
    version INTEGER NOT NULL,
    idx     INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    project TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    at_ms   INTEGER NOT NULL,
    change  TEXT    NOT NULL,
    PRIMARY KEY (stream, version, idx)
) WITHOUT ROWID;

-- Subscriber projections: fed from the log after commit, each from its own
-- checkpoint, so they catch up after a restart and rebuild on their own.
CREATE TABLE subscriber_checkpoints (
    name       TEXT    PRIMARY KEY,
    seq        INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE project_activity (
    project TEXT    NOT NULL,
    day     TEXT    NOT NULL,
    events  INTEGER NOT NULL,
    PRIMARY KEY (project, day)
) WITHOUT ROWID;
