-- The search index: what the query language filters and sorts on, as
-- columns of the `issues` projection with indexes, a label table, and a
-- trigram full-text index for `text ~ "..."`. Postgres would use pg_trgm
-- where SQLite uses FTS5.
ALTER TABLE issues ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
ALTER TABLE issues ADD COLUMN points INTEGER;
ALTER TABLE issues ADD COLUMN reporter TEXT NOT NULL DEFAULT '';
-- Title and description, lower-cased (Unicode): what `text ~` matches.
ALTER TABLE issues ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
-- The labels as a JSON array; the triggers below keep `issue_labels` in step.
ALTER TABLE issues ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';

CREATE INDEX issues_by_rank ON issues (project, rank, number);
CREATE INDEX issues_by_assignee ON issues (project, assignee);
CREATE INDEX issues_by_sprint ON issues (project, sprint);
CREATE INDEX issues_by_parent ON issues (project, parent);

CREATE TABLE issue_labels (
    project TEXT    NOT NULL,
    number  INTEGER NOT NULL,
    label   TEXT    NOT NULL,
    PRIMARY KEY (project, number, label)
) WITHOUT ROWID;
-- Labels match ignoring ASCII case, as NOCASE compares.
CREATE INDEX issue_labels_by_label ON issue_labels (project, label COLLATE NOCASE);
CREATE TRIGGER issue_labels_on_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issue_labels (project, number, label)
    SELECT new.project, new.number, value FROM json_each(new.labels);
END;
CREATE TRIGGER issue_labels_on_update AFTER UPDATE OF labels ON issues
WHEN old.labels IS NOT new.labels BEGIN
    DELETE FROM issue_labels WHERE project = old.project AND number = old.number;
    INSERT INTO issue_labels (project, number, label)
    SELECT new.project, new.number, value FROM json_each(new.labels);
END;
CREATE TRIGGER issue_labels_on_delete AFTER DELETE ON issues BEGIN
    DELETE FROM issue_labels WHERE project = old.project AND number = old.number;
END;

-- External content: the text lives in `issues.search_text` once; the
-- triggers keep the index in step with every upsert.
CREATE VIRTUAL TABLE issue_text USING fts5 (
    search_text,
    content = 'issues',
    content_rowid = 'rowid',
    tokenize = 'trigram case_sensitive 1'
);
CREATE TRIGGER issue_text_on_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issue_text (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER issue_text_on_update AFTER UPDATE OF search_text ON issues
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO issue_text (issue_text, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO issue_text (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER issue_text_on_delete AFTER DELETE ON issues BEGIN
    INSERT INTO issue_text (issue_text, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;

-- Projections to rebuild from the log at the next start, and why. Rows
-- written before this migration lack the new columns, so a database that
-- has events asks for one rebuild.
CREATE TABLE projection_rebuilds (
    reason       TEXT    PRIMARY KEY,
    requested_ms INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO projection_rebuilds (reason, requested_ms)
SELECT 'the search index was added', 0 WHERE EXISTS (SELECT 1 FROM events);
