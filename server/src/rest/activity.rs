//! `/api/v1` comments and worklogs of an issue. Adding one needs no
//! If-Match (it changes nothing anyone else wrote); editing or deleting one
//! names the issue's ETag, and edits of different comments or worklogs merge.

use app::api::Caller;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use bytes::Bytes;
use kanri_domain::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::idempotency::Reply;
use super::input::Fields;
use super::issues::issue_key;
use super::problem::Problem;
use super::request::{Authed, IdempotencyKey, IfMatch, Write, json, query};
use super::resources::{CommentResource, IssueChanged, WorklogResource};
use super::rules;
use super::write::{Answer, Change, or_problem, run};
use crate::routes::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "Looks good; @bob can you review?"}))]
pub struct CommentBody {
    /// Markdown; `@name` mentions a project member.
    #[schema(schema_with = rules::comment)]
    pub body: String,
}

/// What the work does to the remaining estimate: `auto` (reduce by the time
/// spent), `leave`, `set` to `by` minutes, or `manual` (reduce by `by`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemainingBody {
    pub mode: String,
    pub by: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"spent_minutes": 90, "comment": "pairing", "remaining": {"mode": "auto"}}))]
pub struct WorklogBody {
    /// When the work started (Unix ms, 1970-01-01 to 9999-12-31 23:59 UTC); default now.
    #[schema(schema_with = rules::started_ms_or_null, required = false)]
    pub started_ms: Option<i64>,
    /// 1 to 600000 (10,000 hours).
    #[schema(schema_with = rules::spent_minutes)]
    pub spent_minutes: u32,
    #[serde(default)]
    #[schema(schema_with = rules::long_text, required = false)]
    pub comment: String,
    /// What the work does to the remaining estimate: `auto` (reduce by the
    /// time spent, the default), `leave`, `set` to `by` minutes, or `manual`
    /// (reduce by `by`).
    #[schema(schema_with = rules::remaining, required = false)]
    pub remaining: Option<RemainingBody>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteWorklog {
    /// `auto` (give the time back, the default), `leave`, `set` or `manual` (increase by `by`).
    #[param(inline, schema_with = remaining_mode)]
    remaining: Option<String>,
    /// Minutes, with `set` and `manual` only (0 to 600000).
    #[param(minimum = 0, maximum = 600_000)]
    by: Option<u32>,
}

fn remaining_mode() -> utoipa::openapi::schema::Schema {
    rules::rule(json!({"type": "string", "enum": ["auto", "leave", "set", "manual"]}))
}

fn remaining(f: &mut Fields, mode: &str, by: Option<u32>) -> Option<RemainingAdjustment> {
    let by = match by {
        Some(m) => Some(f.minutes("by", m)?),
        None => None,
    };
    let parsed = match (mode, by) {
        ("auto", None) => Ok(RemainingAdjustment::Auto),
        ("leave", None) => Ok(RemainingAdjustment::Leave),
        ("set", Some(m)) => Ok(RemainingAdjustment::Set(m)),
        ("manual", Some(m)) => Ok(RemainingAdjustment::Manual(m)),
        ("set" | "manual", None) => Err(format!("`{mode}` needs `by` (minutes)")),
        ("auto" | "leave", Some(_)) => Err(format!("`{mode}` takes no `by`")),
        _ => Err("mode must be one of: auto, leave, set, manual".to_owned()),
    };
    f.check("remaining", parsed)
}

impl WorklogBody {
    fn parse(self, project: &ProjectKey) -> Result<(WorkEntry, RemainingAdjustment), Problem> {
        let mut f = Fields::new(project);
        let started = f.check(
            "started_ms",
            UtcTime::new(self.started_ms.unwrap_or_else(crate::service::now_ms)),
        );
        let spent = f.check(
            "spent_minutes",
            match Minutes::of_work(self.spent_minutes) {
                Ok(Minutes(0)) => Err("log at least one minute".to_owned()),
                parsed => parsed.map_err(|e| e.to_string()),
            },
        );
        let comment = f.check("comment", LongText::parse(&self.comment));
        let adjust = match &self.remaining {
            Some(r) => remaining(&mut f, &r.mode, r.by),
            None => Some(RemainingAdjustment::Auto),
        };
        f.finish(|| {
            (
                WorkEntry {
                    started: started.expect("checked"),
                    spent: spent.expect("checked"),
                    comment: comment.expect("checked"),
                },
                adjust.expect("checked"),
            )
        })
    }
}

async fn read_issue<T>(
    state: &AppState,
    user: UserName,
    key: &IssueKey,
    read: impl FnOnce(&Issue) -> T,
) -> Result<T, Problem> {
    state
        .use_cases()
        .read_as(&Caller::User(user), &key.project, Role::Viewer, |s, _| {
            s.issue(key.number).map(read)
        })
        .await?
        .ok_or_else(|| Problem::not_found(format!("issue {key}")))
}

#[utoipa::path(get, path = "/api/v1/issues/{key}/comments", tag = "activity",
    params(("key" = String, Path, description = "Issue key")),
    responses(
        (status = 200, description = "The issue's comments, oldest first", body = Vec<CommentResource>),
    ))]
#[tracing::instrument(skip(state))]
pub async fn comments(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
) -> Result<Reply, Problem> {
    let key = issue_key(&key)?;
    let list = read_issue(&state, user, &key, |i| {
        i.comments
            .values()
            .map(CommentResource::from)
            .collect::<Vec<_>>()
    })
    .await?;
    Ok(Reply::ok(None, &list))
}

#[utoipa::path(get, path = "/api/v1/issues/{key}/worklogs", tag = "activity",
    params(("key" = String, Path, description = "Issue key")),
    responses(
        (status = 200, description = "The issue's worklogs, oldest first", body = Vec<WorklogResource>),
    ))]
#[tracing::instrument(skip(state))]
pub async fn worklogs(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
) -> Result<Reply, Problem> {
    let key = issue_key(&key)?;
    let list = read_issue(&state, user, &key, |i| {
        i.worklogs
            .values()
            .map(WorklogResource::from)
            .collect::<Vec<_>>()
    })
    .await?;
    Ok(Reply::ok(None, &list))
}

/// Runs a command on the issue `key`: at the current version for additions,
/// else based on If-Match.
async fn on_issue(
    state: AppState,
    w: Write,
    key: String,
    body: Bytes,
    adds: bool,
    make: impl FnOnce(&Bytes, &ProjectKey, IssueNumber) -> Result<Command, Problem>,
) -> Response {
    let parsed = (|| {
        let key = issue_key(&key)?;
        let base = if adds {
            None
        } else {
            w.precondition.required()?
        };
        // If-Match must be there (428); then the body is read before the
        // version is checked (in `run`), so a body that can never be valid
        // is refused (422) whatever version it names.
        let command = make(&body, &key.project, key.number)?;
        Ok((key, base, command))
    })();
    or_problem(parsed, |(key, base, command)| async move {
        let answer = if adds {
            Answer::Created
        } else {
            Answer::Stream(StreamRef::Issue(key.number))
        };
        let change = Change {
            project: key.project,
            base,
            command,
        };
        run(&state, &w, &body, change, answer).await
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/issues/{key}/comments", tag = "activity",
    params(("key" = String, Path, description = "Issue key"),
        IdempotencyKey),
    request_body = CommentBody,
    responses(
        (status = 201, description = "Posted; the ETag is the issue's new version", body = CommentResource, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn add_comment(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    on_issue(state, w, key, body, true, |body, project, issue| {
        let input: CommentBody = json(body)?;
        let mut f = Fields::new(project);
        let text = f.check("body", kanri_domain::CommentBody::parse(&input.body));
        f.finish(|| Command::AddComment {
            issue,
            body: text.expect("checked"),
        })
    })
    .await
}

#[utoipa::path(patch, path = "/api/v1/issues/{key}/comments/{number}", tag = "activity",
    params(("key" = String, Path, description = "Issue key"), ("number" = u32, Path, description = "Comment number"),
        IfMatch,
        IdempotencyKey),
    request_body = CommentBody,
    responses(
        (status = 200, description = "Edited (only its author may)", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn edit_comment(
    State(state): State<AppState>,
    Path((key, number)): Path<(String, u32)>,
    w: Write,
    body: Bytes,
) -> Response {
    on_issue(state, w, key, body, false, |body, project, issue| {
        let input: CommentBody = json(body)?;
        let mut f = Fields::new(project);
        let text = f.check("body", kanri_domain::CommentBody::parse(&input.body));
        f.finish(|| Command::EditComment {
            issue,
            comment: CommentNumber(number),
            body: text.expect("checked"),
        })
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/issues/{key}/comments/{number}", tag = "activity",
    params(("key" = String, Path, description = "Issue key"), ("number" = u32, Path, description = "Comment number"),
        IfMatch,
        IdempotencyKey),
    responses(
        (status = 200, description = "Deleted (by its author or an admin)", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn delete_comment(
    State(state): State<AppState>,
    Path((key, number)): Path<(String, u32)>,
    w: Write,
    body: Bytes,
) -> Response {
    on_issue(state, w, key, body, false, |_, _, issue| {
        Ok(Command::DeleteComment {
            issue,
            comment: CommentNumber(number),
        })
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/issues/{key}/worklogs", tag = "activity",
    params(("key" = String, Path, description = "Issue key"),
        IdempotencyKey),
    request_body = WorklogBody,
    responses(
        (status = 201, description = "Logged; the ETag is the issue's new version", body = WorklogResource, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn log_work(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    on_issue(state, w, key, body, true, |body, project, issue| {
        let (entry, remaining) = json::<WorklogBody>(body)?.parse(project)?;
        Ok(Command::LogWork {
            issue,
            entry,
            remaining,
        })
    })
    .await
}

#[utoipa::path(patch, path = "/api/v1/issues/{key}/worklogs/{number}", tag = "activity",
    params(("key" = String, Path, description = "Issue key"), ("number" = u32, Path, description = "Worklog number"),
        IfMatch,
        IdempotencyKey),
    request_body = WorklogBody,
    responses(
        (status = 200, description = "Edited; the totals follow", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn edit_worklog(
    State(state): State<AppState>,
    Path((key, number)): Path<(String, u32)>,
    w: Write,
    body: Bytes,
) -> Response {
    on_issue(state, w, key, body, false, |body, project, issue| {
        let (entry, remaining) = json::<WorklogBody>(body)?.parse(project)?;
        Ok(Command::UpdateWorklog {
            issue,
            worklog: WorklogNumber(number),
            entry,
            remaining,
        })
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/issues/{key}/worklogs/{number}", tag = "activity",
    params(("key" = String, Path, description = "Issue key"), ("number" = u32, Path, description = "Worklog number"),
        DeleteWorklog,
        IfMatch,
        IdempotencyKey),
    responses(
        (status = 200, description = "Deleted; the totals follow", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, raw), fields(user = %w.user))]
pub async fn delete_worklog(
    State(state): State<AppState>,
    Path((key, number)): Path<(String, u32)>,
    RawQuery(raw): RawQuery,
    w: Write,
) -> Response {
    let raw_for_hash = Bytes::from(raw.clone().unwrap_or_default());
    on_issue(state, w, key, raw_for_hash, false, |_, project, issue| {
        let params: DeleteWorklog = query(raw)?;
        let mut f = Fields::new(project);
        let adjust = remaining(
            &mut f,
            params.remaining.as_deref().unwrap_or("auto"),
            params.by,
        );
        f.finish(|| Command::DeleteWorklog {
            issue,
            worklog: WorklogNumber(number),
            remaining: adjust.expect("checked"),
        })
    })
    .await
}
