-- Subscriber projection `time_tracking`: one row per worklog that still
-- exists, for timesheets and time totals. Rebuilt from the log like any other.
CREATE TABLE worklogs (
    project    TEXT    NOT NULL,
    issue      INTEGER NOT NULL,
    worklog    INTEGER NOT NULL,
    author     TEXT    NOT NULL,
    -- The UTC day the work started, YYYY-MM-DD: the timesheet's column.
    day        TEXT    NOT NULL,
    started_ms INTEGER NOT NULL,
    minutes    INTEGER NOT NULL,
    PRIMARY KEY (project, issue, worklog)
) WITHOUT ROWID;
CREATE INDEX worklogs_by_day ON worklogs (project, day, author);
