//! `/api/v1` projects and their event feed.

use app::api::Caller;
use axum::extract::{Path, RawQuery, State};
use kanri_domain::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::idempotency::Reply;
use super::issues::{page_size, project_key};
use super::problem::Problem;
use super::request::{Authed, query};
use super::resources::{EventResource, ProjectResource};
use crate::routes::AppState;

/// A project as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSummaryResource {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub issues: u32,
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    responses(
        (status = 200, description = "The projects you are a member of, by key", body = Vec<ProjectSummaryResource>),
    ))]
#[tracing::instrument(skip(state))]
pub async fn list(State(state): State<AppState>, Authed(user): Authed) -> Result<Reply, Problem> {
    let mut projects = state.use_cases().projects(&Caller::User(user)).await?;
    projects.sort_by(|a, b| a.key.cmp(&b.key));
    let items: Vec<ProjectSummaryResource> = projects
        .into_iter()
        .map(|p| ProjectSummaryResource {
            key: p.key.to_string(),
            name: p.name.to_string(),
            kind: p.kind.label().to_lowercase(),
            issues: p.issues,
        })
        .collect();
    Ok(Reply::ok(None, &items))
}

#[utoipa::path(get, path = "/api/v1/projects/{key}", tag = "projects",
    params(("key" = String, Path, description = "Project key")),
    responses(
        (status = 200, description = "The project and its workflow", body = ProjectResource,
            headers(("ETag" = String, description = "The project stream's version"))),
    ))]
#[tracing::instrument(skip(state))]
pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let who = Caller::User(user);
    let project = state
        .use_cases()
        .read_as(&who, &key, Role::Viewer, |s, seq| {
            let p = s.project.as_ref().expect("read only sees projects");
            ProjectResource::new(p, who.role_in(p).unwrap_or(Role::Viewer), seq)
        })
        .await?;
    Ok(Reply::ok(Some(project.version), &project))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsAfter {
    /// The last sequence number you have; 0 (the default) for the start.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    after: Option<u64>,
    /// 1–200, default 100.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// A stretch of the project's log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub events: Vec<EventResource>,
    /// Pass as `after` next time: the last sequence here (or the `after` you sent).
    pub last_seq: u64,
    /// Whether more events follow right away.
    pub more: bool,
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/events", tag = "projects",
    params(("key" = String, Path, description = "Project key"), EventsAfter),
    responses(
        (status = 200, description = "The project's events after `after`, in sequence order", body = EventPage),
    ))]
#[tracing::instrument(skip(state, raw))]
pub async fn events(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let params: EventsAfter = query(raw)?;
    let limit = page_size(params.limit, 100)?;
    let after = log_position(params.after.unwrap_or(0))
        .map_err(|e| Problem::invalid("after", e.to_string()))?;
    // One more than asked, to know whether more follow.
    let mut log = state
        .use_cases()
        .events_after(&Caller::User(user), &key, after, limit + 1)
        .await?;
    let more = log.len() > limit;
    log.truncate(limit);
    let page = EventPage {
        last_seq: log.last().map_or(after, |r| r.seq),
        events: log.iter().map(EventResource::from).collect(),
        more,
    };
    Ok(Reply::ok(None, &page))
}

/// A member of a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResource {
    pub user: String,
    /// `viewer`, `member` or `admin`.
    pub role: String,
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/members", tag = "projects",
    params(("key" = String, Path, description = "Project key")),
    responses(
        (status = 200, description = "The members and their roles, by name", body = Vec<MemberResource>),
    ))]
#[tracing::instrument(skip(state))]
pub async fn members(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let members = state
        .use_cases()
        .read_as(&Caller::User(user), &key, Role::Viewer, |s, _| {
            let p = s.project.as_ref().expect("read only sees projects");
            p.members
                .iter()
                .map(|(user, role)| MemberResource {
                    user: user.to_string(),
                    role: role.label().to_lowercase(),
                })
                .collect::<Vec<_>>()
        })
        .await?;
    Ok(Reply::ok(None, &members))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportRange {
    /// The burndown's sprint (default: the active one, else the last started).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295_u32)]
    sprint: Option<u32>,
    /// The cumulative flow's first day, `YYYY-MM-DD` (default: 13 days before `to`).
    #[param(format = Date, pattern = r"^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$", example = "2026-11-01")]
    from: Option<String>,
    /// Its last day (default: today), on or after `from`.
    #[param(format = Date, pattern = r"^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$", example = "2026-11-21")]
    to: Option<String>,
}

/// The project's reports, computed from its event log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportsResource {
    /// Points and remaining time per day of the sprint, with the ideal line
    /// and scope changes; absent when no sprint has started.
    #[schema(value_type = Option<Object>)]
    pub burndown: Option<serde_json::Value>,
    /// Committed and completed points (in tenths) of the last closed sprints.
    #[schema(value_type = Vec<Object>)]
    pub velocity: serde_json::Value,
    /// Per day, the issues in each status (`counts`, in the order of `statuses`).
    #[schema(value_type = Vec<Object>)]
    pub cumulative_flow: serde_json::Value,
    /// The workflow, left to right.
    pub statuses: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/reports", tag = "projects",
    params(("key" = String, Path, description = "Project key"), ReportRange),
    responses(
        (status = 200, description = "Burndown, velocity and cumulative flow", body = ReportsResource),
    ))]
#[tracing::instrument(skip(state, raw))]
pub async fn reports(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let range: ReportRange = query(raw)?;
    let today = Date::from_unix_ms(crate::service::now_ms());
    let mut f = super::input::Fields::new(&key);
    let to = range
        .to
        .as_deref()
        .map(|d| f.check("to", Date::parse(d.trim())));
    let from = range
        .from
        .as_deref()
        .map(|d| f.check("from", Date::parse(d.trim())));
    let (from, to) = f.finish(|| {
        let to = to.flatten().unwrap_or(today);
        (from.flatten().unwrap_or(to.days_before(13)), to)
    })?;
    let page = state
        .use_cases()
        .reports(
            &Caller::User(user),
            &key,
            range.sprint.map(SprintNumber),
            (from, to),
            today,
        )
        .await?;
    let reports = ReportsResource {
        burndown: page
            .burndown
            .map(|b| serde_json::to_value(b).unwrap_or_default()),
        velocity: serde_json::to_value(page.velocity).unwrap_or_default(),
        cumulative_flow: serde_json::to_value(page.flow).unwrap_or_default(),
        statuses: page
            .project
            .statuses
            .iter()
            .map(|s| s.name.to_string())
            .collect(),
    };
    Ok(Reply::ok(None, &reports))
}
