-- Accounts: who may sign in. Not in the event log on purpose: a password
-- hash must be replaceable and an address erasable, while what a user does
-- is recorded in the log under their `name`, which never changes.
CREATE TABLE users (
    name          TEXT    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    -- An argon2id PHC string (algorithm, parameters, salt and hash).
    password_hash TEXT    NOT NULL,
    created_ms    INTEGER NOT NULL
) WITHOUT ROWID;
