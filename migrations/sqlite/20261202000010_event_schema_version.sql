-- Each event's shape version (kanri_domain::SCHEMA_VERSION when written).
-- Rows written before are schema 1; the domain's upcaster reads them into
-- the current shape. Adding a column fires no UPDATE trigger: the log stays
-- append-only.
ALTER TABLE events ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1;
