-- Read-only share links. Credentials, like accounts, so not in the event
-- log: only the SHA-256 of a link's token is kept (the token is shown once,
-- to the admin who creates it), and who created or revoked a link stays
-- here for the audit.
CREATE TABLE share_links (
    id           INTEGER PRIMARY KEY,
    project      TEXT    NOT NULL,
    token_sha256 BLOB    NOT NULL UNIQUE,
    label        TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    expires_ms   INTEGER,
    revoked_by   TEXT,
    revoked_ms   INTEGER,
    last_used_ms INTEGER
);
CREATE INDEX share_links_by_project ON share_links (project, id);
