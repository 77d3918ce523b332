//! Time tracking: the `worklogs` table, one row per existing worklog, and the
//! timesheet query over it (minutes per issue, author and day in a range).

use kanri_domain::*;

use super::Subscriber;
use crate::db::{Db, Sql};
use crate::store::StoreError;

pub struct TimeTracking;

impl Subscriber for TimeTracking {
    fn name(&self) -> &'static str {
        "time_tracking"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["worklogs"]
    }

    fn handle(&self, batch: &[Recorded], sql: &mut Sql) {
        for r in batch {
            let project = r.project.as_str();
            match &r.event {
                Event::WorkLogged {
                    issue,
                    worklog,
                    author,
                    entry,
                } => {
                    sql.push(
                        "INSERT INTO worklogs (project, issue, worklog, author, day, started_ms, minutes) ",
                    )
                    .push_values([()], |row, ()| {
                        row.bind(project)
                            .bind(issue.0)
                            .bind(worklog.0)
                            .bind(author.as_str())
                            .bind(entry.started.date().to_string())
                            .bind(entry.started.unix_ms())
                            .bind(entry.spent.0);
                    })
                    .end();
                }
                Event::WorklogUpdated {
                    issue,
                    worklog,
                    entry,
                } => {
                    sql.push("UPDATE worklogs SET day = ")
                        .push_bind(entry.started.date().to_string())
                        .push(", started_ms = ")
                        .push_bind(entry.started.unix_ms())
                        .push(", minutes = ")
                        .push_bind(entry.spent.0);
                    same_worklog(sql, project, issue, worklog);
                }
                Event::WorklogDeleted { issue, worklog } => {
                    sql.push("DELETE FROM worklogs");
                    same_worklog(sql, project, issue, worklog);
                }
                _ => {}
            }
        }
    }
}

/// ` WHERE` it is that worklog, and the statement's end.
fn same_worklog(sql: &mut Sql, project: &str, issue: &IssueNumber, worklog: &WorklogNumber) {
    sql.push(" WHERE project = ")
        .push_bind(project)
        .push(" AND issue = ")
        .push_bind(issue.0)
        .push(" AND worklog = ")
        .push_bind(worklog.0)
        .end();
}

/// Everything logged in `project` on the days `from..=to`.
pub async fn logged_between(
    db: &Db,
    project: &ProjectKey,
    from: Date,
    to: Date,
) -> Result<Vec<LoggedTime>, StoreError> {
    let sql = Sql::query(
        "SELECT issue, author, day, CAST(SUM(minutes) AS BIGINT) AS minutes FROM worklogs \
         WHERE project = ? AND day BETWEEN ? AND ? \
         GROUP BY issue, author, day ORDER BY day, author, issue",
    )
    .arg(project.as_str())
    .arg(from.to_string())
    .arg(to.to_string());
    let rows = db
        .fetch_all(&sql)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.int("issue")?,
                r.text("author")?,
                r.text("day")?,
                r.int("minutes")?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
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
