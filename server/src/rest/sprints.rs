//! `/api/v1` sprints: list, read, create, start and complete. Issues join or
//! leave a sprint through their own `sprint` field (`PATCH /issues/{key}`).

use app::api::Caller;
use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use kanri_domain::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::idempotency::Reply;
use super::input::Fields;
use super::issues::project_key;
use super::problem::Problem;
use super::request::{Authed, IdempotencyKey, IfMatch, Write, json};
use super::resources::SprintResource;
use super::rules;
use super::write::{Answer, Change, or_problem, run};
use crate::routes::AppState;

/// A new sprint; every field is optional (the name defaults to `KEY Sprint N`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sprint 4", "goal": "CSV export", "start": "2026-11-23", "end": "2026-12-04"}))]
pub struct NewSprintBody {
    #[schema(schema_with = rules::sprint_name_or_null, required = false)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = rules::long_text, required = false)]
    pub goal: String,
    /// The planned first day, `YYYY-MM-DD`.
    #[schema(schema_with = rules::day_or_null, required = false)]
    pub start: Option<String>,
    /// The planned last day.
    #[schema(schema_with = rules::day_or_null, required = false)]
    pub end: Option<String>,
}

/// Start the sprint: its first and last day, `YYYY-MM-DD`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start": "2026-11-23", "end": "2026-12-04"}))]
pub struct StartSprintBody {
    #[schema(schema_with = rules::day)]
    pub start: String,
    /// On or after `start`.
    #[schema(schema_with = rules::day)]
    pub end: String,
}

/// Complete the sprint; its unfinished issues go to sprint `open_issues_to`
/// (a planned one), or with `null` back to the backlog.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"open_issues_to": null}))]
pub struct CompleteSprintBody {
    #[schema(schema_with = rules::number_or_null, required = false)]
    pub open_issues_to: Option<u32>,
}

fn date(f: &mut Fields, field: &str, raw: &str) -> Option<Date> {
    f.check(field, Date::parse(raw.trim()))
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/sprints", tag = "sprints",
    params(("key" = String, Path, description = "Project key")),
    responses(
        (status = 200, description = "Every sprint, by number", body = Vec<SprintResource>),
    ))]
#[tracing::instrument(skip(state))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let sprints = state
        .use_cases()
        .read_as(&Caller::User(user), &key, Role::Viewer, |s, _| {
            s.sprints
                .values()
                .map(|sp| SprintResource::new(s, sp))
                .collect::<Vec<_>>()
        })
        .await?;
    Ok(Reply::ok(None, &sprints))
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/sprints/{number}", tag = "sprints",
    params(("key" = String, Path, description = "Project key"), ("number" = u32, Path, description = "Sprint number")),
    responses(
        (status = 200, description = "The sprint; its ETag is its version", body = SprintResource, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state))]
pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((key, number)): Path<(String, u32)>,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let sprint = state
        .use_cases()
        .read_as(&Caller::User(user), &key, Role::Viewer, |s, _| {
            s.sprints
                .get(&SprintNumber(number))
                .map(|sp| SprintResource::new(s, sp))
        })
        .await?
        .ok_or_else(|| Problem::not_found(format!("sprint {number} of {key}")))?;
    Ok(Reply::ok(Some(sprint.version), &sprint))
}

#[utoipa::path(post, path = "/api/v1/projects/{key}/sprints", tag = "sprints",
    params(("key" = String, Path, description = "Project key"),
        IdempotencyKey),
    request_body = NewSprintBody,
    responses(
        (status = 201, description = "Created", body = SprintResource, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn create(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    let parsed = (|| {
        let key = project_key(&key)?;
        let input: NewSprintBody = json(&body)?;
        let mut f = Fields::new(&key);
        let name = input
            .name
            .as_deref()
            .map(|n| f.check("name", SprintName::parse(n)));
        let goal = f.check("goal", LongText::parse(&input.goal));
        let start = input.start.as_deref().map(|d| date(&mut f, "start", d));
        let end = input.end.as_deref().map(|d| date(&mut f, "end", d));
        let command = f.finish(|| Command::CreateSprint {
            name: name.flatten(),
            goal: goal.expect("checked"),
            start: start.flatten(),
            end: end.flatten(),
        })?;
        Ok((key, command))
    })();
    or_problem(parsed, |(project, command)| async move {
        let change = Change {
            project,
            base: None,
            command,
        };
        run(&state, &w, &body, change, Answer::Created).await
    })
    .await
}

/// A change to an existing sprint: If-Match names the sprint's version.
async fn change_sprint(
    state: AppState,
    w: Write,
    key: String,
    number: u32,
    body: Bytes,
    make: impl FnOnce(&Bytes, &ProjectKey, SprintNumber) -> Result<Command, Problem>,
) -> Response {
    let parsed = (|| {
        let key = project_key(&key)?;
        let base = w.precondition.required()?;
        // If-Match must be there (428); then the body is read before the
        // version is checked (in `run`), so a body that can never be valid
        // is refused (422) whatever version it names.
        let command = make(&body, &key, SprintNumber(number))?;
        Ok((key, base, command))
    })();
    or_problem(parsed, |(project, base, command)| async move {
        let change = Change {
            project,
            base,
            command,
        };
        let stream = StreamRef::Sprint(SprintNumber(number));
        run(&state, &w, &body, change, Answer::Stream(stream)).await
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/projects/{key}/sprints/{number}/start", tag = "sprints",
    params(("key" = String, Path, description = "Project key"), ("number" = u32, Path, description = "Sprint number"),
        IfMatch,
        IdempotencyKey),
    request_body = StartSprintBody,
    responses(
        (status = 200, description = "Started", body = super::resources::SprintChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn start(
    State(state): State<AppState>,
    Path((key, number)): Path<(String, u32)>,
    w: Write,
    body: Bytes,
) -> Response {
    change_sprint(state, w, key, number, body, |body, key, sprint| {
        let input: StartSprintBody = json(body)?;
        let mut f = Fields::new(key);
        let start = date(&mut f, "start", &input.start);
        let end = date(&mut f, "end", &input.end);
        f.finish(|| Command::StartSprint {
            sprint,
            start: start.expect("checked"),
            end: end.expect("checked"),
        })
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/projects/{key}/sprints/{number}/complete", tag = "sprints",
    params(("key" = String, Path, description = "Project key"), ("number" = u32, Path, description = "Sprint number"),
        IfMatch,
        IdempotencyKey),
    request_body = CompleteSprintBody,
    responses(
        (status = 200, description = "Completed", body = super::resources::SprintChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn complete(
    State(state): State<AppState>,
    Path((key, number)): Path<(String, u32)>,
    w: Write,
    body: Bytes,
) -> Response {
    change_sprint(state, w, key, number, body, |body, _, sprint| {
        let input: CompleteSprintBody = json(body)?;
        Ok(Command::CompleteSprint {
            sprint,
            open_issues_to: input.open_issues_to.map(SprintNumber),
        })
    })
    .await
}
