//! Time tracking: the `worklogs` table, one row per existing worklog, and the
//! timesheet query over it (minutes per issue, author and day in a range).

use futures::future::BoxFuture;
use kanri_domain::*;
use sqlx::sqlite::SqliteConnection;

use super::Subscriber;
use crate::db::Db;
use crate::store::StoreError;

pub struct TimeTracking;

impl Subscriber for TimeTracking {
    fn name(&self) -> &'static str {
        "time_tracking"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["worklogs"]
    }

    fn handle<'a>(
        &'a self,
        conn: &'a mut SqliteConnection,
        batch: &'a [Recorded],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            for r in batch {
                let project = r.project.as_str();
                match &r.event {
                    Event::WorkLogged {
                        issue,
                        worklog,
                        author,
                        entry,
                    } => {
                        sqlx::query(
                            "INSERT INTO worklogs (project, issue, worklog, author, day, started_ms, minutes) \
                             VALUES (?, ?, ?, ?, ?, ?, ?)",
                        )
                        .bind(project)
                        .bind(issue.0)
                        .bind(worklog.0)
                        .bind(author.as_str())
                        .bind(entry.started.date().to_string())
                        .bind(entry.started.unix_ms())
                        .bind(entry.spent.0)
                        .execute(&mut *conn)
                        .await?;
                    }
                    Event::WorklogUpdated {
                        issue,
                        worklog,
                        entry,
                    } => {
                        sqlx::query(
                            "UPDATE worklogs SET day = ?, started_ms = ?, minutes = ? \
                             WHERE project = ? AND issue = ? AND worklog = ?",
                        )
                        .bind(entry.started.date().to_string())
                        .bind(entry.started.unix_ms())
                        .bind(entry.spent.0)
                        .bind(project)
                        .bind(issue.0)
                        .bind(worklog.0)
                        .execute(&mut *conn)
                        .await?;
                    }
                    Event::WorklogDeleted { issue, worklog } => {
                        sqlx::query(
                            "DELETE FROM worklogs WHERE project = ? AND issue = ? AND worklog = ?",
                        )
                        .bind(project)
                        .bind(issue.0)
                        .bind(worklog.0)
                        .execute(&mut *conn)
                        .await?;
                    }
                    _ => {}
                }
            }
            Ok(())
        })
    }
}

/// Everything logged in `project` on the days `from..=to`.
pub async fn logged_between(
    db: &Db,
    project: &ProjectKey,
    from: Date,
    to: Date,
) -> Result<Vec<LoggedTime>, StoreError> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT issue, author, day, SUM(minutes) FROM worklogs \
         WHERE project = ? AND day BETWEEN ? AND ? \
         GROUP BY issue, author, day ORDER BY day, author, issue",
    )
    .bind(project.as_str())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&db.sqlite().read)
    .await?;
    // The rows were written from parsed events, so they parse back.
    Ok(rows
        .into_iter()
        .filter_map(|(issue, author, day, minutes)| {
            Some(LoggedTime {
                issue: IssueNumber(u32::try_from(issue).ok()?),
                author: UserName::parse(&author).ok()?,
                day: Date::parse(&day).ok()?,
                minutes: Minutes(u32::try_from(minutes).ok()?),
            })
        })
        .collect())
}
