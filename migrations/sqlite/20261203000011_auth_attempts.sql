-- Sign-in and sign-up attempts, kept in the database so every node of a
-- deployment counts them together (and a restart does not forget a
-- lockout). `key` names what an attempt counts against: an account and
-- address, an address, an account, or sign-ups from an address. Rows older
-- than the longest window are pruned.
CREATE TABLE auth_attempts (
    id    INTEGER PRIMARY KEY,
    key   TEXT    NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX auth_attempts_by_key ON auth_attempts (key, at_ms);
CREATE INDEX auth_attempts_by_age ON auth_attempts (at_ms);
