//! Server functions of the project settings: its name, its workflow (columns
//! and WIP limits) and its working calendar. Each carries the version of the
//! project it was made against, so a concurrent change to the same setting
//! comes back as a conflict.

use leptos::prelude::*;

use super::ApiError;
#[cfg(feature = "ssr")]
use super::functions::{project_key, reply, run_command};
use crate::domain::Outcome;
#[cfg(feature = "ssr")]
use crate::domain::*;

#[server(prefix = "/api/fn", endpoint = "rename_project")]
pub async fn rename_project(
    project: String,
    version: u64,
    name: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let name = ApiError::field("name", ProjectName::parse(&name))?;
            run_command(key, version, Command::RenameProject { name }).await
        }
        .await,
    )
}

/// Hours per working day and days per week: what `1d` and `1w` mean.
#[server(prefix = "/api/fn", endpoint = "configure_calendar")]
pub async fn configure_calendar(
    project: String,
    version: u64,
    hours_per_day: String,
    days_per_week: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let number = |field: &'static str, raw: &str| {
                raw.trim().parse::<u8>().map_err(|_| {
                    ApiError::invalid(field, format!("\"{}\" is not a whole number", raw.trim()))
                })
            };
            let hours = number("hours_per_day", &hours_per_day)?;
            let days = number("days_per_week", &days_per_week)?;
            let calendar = WorkCalendar::new(hours, days)
                .map_err(|e| ApiError::invalid("hours_per_day", e.to_string()))?;
            run_command(key, version, Command::ConfigureTimeTracking { calendar }).await
        }
        .await,
    )
}

/// A column's name and WIP limit (empty: no limit).
#[server(prefix = "/api/fn", endpoint = "update_column")]
pub async fn update_column(
    project: String,
    version: u64,
    status: u32,
    name: String,
    wip_limit: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let name = ApiError::field("name", StatusName::parse(&name))?;
            let limit = match wip_limit.trim() {
                "" => None,
                raw => match raw.parse::<u32>() {
                    Ok(l @ 1..=999) => Some(l),
                    _ => {
                        return Err(ApiError::invalid(
                            "wip_limit",
                            format!("\"{raw}\" is not a WIP limit: a whole number from 1 to 999"),
                        ));
                    }
                },
            };
            let status = StatusId(status);
            // Two commands, one stream: the second is based on the first.
            let renamed =
                run_command(key.clone(), version, Command::RenameStatus { status, name }).await?;
            if matches!(renamed, Outcome::Conflict { .. }) {
                return Ok(renamed);
            }
            let version = version + renamed.recorded().len() as u64;
            run_command(key, version, Command::SetWipLimit { status, limit }).await
        }
        .await,
    )
}

/// A new column at the right of the board.
#[server(prefix = "/api/fn", endpoint = "add_column")]
pub async fn add_column(
    project: String,
    version: u64,
    name: String,
    category: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let name = ApiError::field("name", StatusName::parse(&name))?;
            let category = match category.as_str() {
                "to_do" => StatusCategory::ToDo,
                "in_progress" => StatusCategory::InProgress,
                "done" => StatusCategory::Done,
                other => {
                    return Err(ApiError::invalid(
                        "category",
                        format!("\"{other}\" is not a category (to_do, in_progress, done)"),
                    ));
                }
            };
            run_command(key, version, Command::AddStatus { name, category }).await
        }
        .await,
    )
}
