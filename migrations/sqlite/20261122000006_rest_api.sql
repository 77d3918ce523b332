-- Personal access tokens for the REST API. Credentials, like share links:
-- only the SHA-256 of a token is kept (it is shown once, to its owner).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    token_sha256 BLOB    NOT NULL UNIQUE,
    created_ms   INTEGER NOT NULL,
    expires_ms   INTEGER,
    last_used_ms INTEGER,
    revoked_ms   INTEGER
);
CREATE INDEX api_tokens_by_user ON api_tokens (user, id);

-- The first answer to each (user, Idempotency-Key): a repeat with the same
-- request gets it again and writes nothing. The command id derived from the
-- key makes the write itself exactly-once; this keeps the exact answer.
CREATE TABLE idempotent_answers (
    user           TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    request_sha256 BLOB    NOT NULL,
    status         INTEGER NOT NULL,
    etag           TEXT,
    body           BLOB    NOT NULL,
    created_ms     INTEGER NOT NULL,
    PRIMARY KEY (user, key)
);
CREATE INDEX idempotent_answers_by_age ON idempotent_answers (created_ms);
