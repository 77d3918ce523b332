//! `/api/v1` issues: list, search, create, read, edit, transition, move,
//! rank and link. Each handler parses, runs one command through the service
//! (which applies the role table) and shapes the answer.

use app::api::Caller;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use kanri_domain::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::idempotency::{Reply, etag};
use super::input::*;
use super::problem::Problem;
use super::request::{Authed, IdempotencyKey, IfMatch, Write, json, query};
use super::resources::{IssueChanged, IssueResource, Page};
use super::write::{Answer, Change, or_problem, run};
use crate::routes::AppState;
use crate::usecases::{IssueFilter, PageAfter, UseCases};

/// Most items one page may hold.
pub const MAX_PAGE: usize = 200;
const DEFAULT_PAGE: usize = 50;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListIssues {
    /// Only issues in this status (id or name).
    status: Option<String>,
    /// Only issues assigned to this user; `none` for unassigned ones.
    assignee: Option<String>,
    /// Only issues in this sprint.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295_u32)]
    sprint: Option<u32>,
    /// Only issues matching this query (e.g. `type = bug AND points >= 3`).
    /// Lists are in rank order whatever the query's ORDER BY; see `/search`.
    #[param(example = "type = bug AND points >= 3")]
    q: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// The `next` of the previous page (only a cursor this API gave out).
    #[param(min_length = 1, pattern = "^[A-Za-z0-9_-]+$")]
    cursor: Option<String>,
}

/// A page's size: `limit`, or `default` when absent; 1 to [`MAX_PAGE`].
pub(super) fn page_size(limit: Option<usize>, default: usize) -> Result<usize, Problem> {
    match limit.unwrap_or(default) {
        n @ 1..=MAX_PAGE => Ok(n),
        _ => Err(Problem::invalid(
            "limit",
            format!("a page holds 1 to {MAX_PAGE} items"),
        )),
    }
}

pub(super) fn project_key(raw: &str) -> Result<ProjectKey, Problem> {
    ProjectKey::parse(raw).map_err(|_| Problem::not_found(format!("project {raw}")))
}

pub(super) fn issue_key(raw: &str) -> Result<IssueKey, Problem> {
    IssueKey::parse(raw).map_err(|_| Problem::not_found(format!("issue {raw}")))
}

/// Where a page ends: the last issue's rank and number.
fn cursor_of(after: &PageAfter) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{}\n{}", after.rank, after.number))
}

fn parse_cursor(raw: &str) -> Result<PageAfter, Problem> {
    use base64::Engine as _;
    let bad = || Problem::invalid("cursor", "not a cursor this API gave out");
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let (rank, number) = text.split_once('\n').ok_or_else(bad)?;
    Ok(PageAfter {
        rank: rank.to_owned(),
        number: IssueNumber(number.parse().map_err(|_| bad())?),
    })
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/issues", tag = "issues",
    params(("key" = String, Path, description = "Project key"), ListIssues),
    responses(
        (status = 200, description = "A page of issues in rank order", body = Page<IssueResource>),
    ))]
#[tracing::instrument(skip(state, raw))]
pub async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let params: ListIssues = query(raw)?;
    let limit = page_size(params.limit, DEFAULT_PAGE)?;
    let after = params.cursor.as_deref().map(parse_cursor).transpose()?;
    let query = params
        .q
        .as_deref()
        .map(|q| Query::parse(q).map_err(|e| Problem::invalid("q", e.to_string())))
        .transpose()?;
    let use_cases = state.use_cases();
    let who = Caller::User(user.clone());
    let status = match params.status.as_deref() {
        Some(raw) => {
            let project = use_cases.project_settings(&who, &key).await?;
            Some(
                match raw.parse::<u32>() {
                    Ok(id) => StatusRef::Id(id),
                    Err(_) => StatusRef::Name(raw.to_owned()),
                }
                .resolve(&project)?,
            )
        }
        None => None,
    };
    let filter = IssueFilter {
        query,
        status,
        assignee: params.assignee.map(|a| (a != "none").then_some(a)),
        sprint: params.sprint.map(SprintNumber),
    };
    let page = use_cases
        .list_issues(&who, &key, &filter, &user, after, limit)
        .await?;
    let next = page.next.as_ref().map(cursor_of);
    let items = resources(&use_cases, &who, &key, &page.issues).await?;
    Ok(Reply::ok(None, &Page { next, items }))
}

/// The resources of `issues`, with their status and links from the
/// project's current state.
async fn resources(
    use_cases: &UseCases,
    who: &Caller,
    key: &ProjectKey,
    issues: &[Issue],
) -> Result<Vec<IssueResource>, Problem> {
    let shaped = use_cases
        .read_as(who, key, Role::Viewer, |s, _| {
            issues.iter().map(|i| IssueResource::new(s, i)).collect()
        })
        .await?;
    Ok(shaped)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchIssues {
    /// The query, e.g. `status IN ("To Do", "In Progress") ORDER BY points DESC`.
    #[param(example = "status IN (\"To Do\", \"In Progress\") ORDER BY points DESC")]
    q: String,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// Issues matching a query, in its order.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub issues: Vec<IssueResource>,
    /// How many matched in all.
    pub total: usize,
}

#[utoipa::path(get, path = "/api/v1/projects/{key}/search", tag = "issues",
    params(("key" = String, Path, description = "Project key"), SearchIssues),
    responses(
        (status = 200, description = "The first `limit` matches in the query's order", body = SearchResult),
    ))]
#[tracing::instrument(skip(state, raw))]
pub async fn search(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Reply, Problem> {
    let key = project_key(&key)?;
    let params: SearchIssues = query(raw)?;
    let limit = page_size(params.limit, DEFAULT_PAGE)?;
    let q = Query::parse(&params.q).map_err(|e| Problem::invalid("q", e.to_string()))?;
    let use_cases = state.use_cases();
    let who = Caller::User(user.clone());
    let hits = use_cases.search(&who, &key, &q, &user, limit).await?;
    let result = SearchResult {
        total: hits.total,
        issues: resources(&use_cases, &who, &key, &hits.issues).await?,
    };
    Ok(Reply::ok(None, &result))
}

#[utoipa::path(get, path = "/api/v1/issues/{key}", tag = "issues",
    params(("key" = String, Path, description = "Issue key, `ABC-12`")),
    responses(
        (status = 200, description = "The issue; its ETag is its version", body = IssueResource,
            headers(("ETag" = String, description = "The version, e.g. \"7\""))),
        (status = 304, description = "Unchanged since the If-None-Match ETag"),
    ))]
#[tracing::instrument(skip(state, headers))]
pub async fn get(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let key = issue_key(&key)?;
    let issue = read_issue(&state, &user, &key).await?;
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag(issue.version))
        });
    if unchanged {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = etag(issue.version).parse() {
            res.headers_mut().insert(header::ETAG, v);
        }
        return Ok(res);
    }
    Ok(Reply::ok(Some(issue.version), &issue).into_response())
}

async fn read_issue(
    state: &AppState,
    user: &UserName,
    key: &IssueKey,
) -> Result<IssueResource, Problem> {
    state
        .use_cases()
        .read_as(
            &Caller::User(user.clone()),
            &key.project,
            Role::Viewer,
            |s, _| s.issue(key.number).map(|i| IssueResource::new(s, i)),
        )
        .await?
        .ok_or_else(|| Problem::not_found(format!("issue {key}")))
}

#[utoipa::path(post, path = "/api/v1/projects/{key}/issues", tag = "issues",
    params(("key" = String, Path, description = "Project key"),
        IdempotencyKey),
    request_body = NewIssueBody,
    responses(
        (status = 201, description = "Created", body = IssueResource,
            headers(("ETag" = String, description = "The new issue's version"))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn create(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    let created = async {
        let key = project_key(&key)?;
        let input: NewIssueBody = json(&body)?;
        let project = state
            .use_cases()
            .read_as(&Caller::User(w.user.clone()), &key, Role::Viewer, |s, _| {
                s.project.clone()
            })
            .await?
            .ok_or_else(|| Problem::not_found(format!("project {key}")))?;
        let new = input.into_new_issue(&project)?;
        Ok::<_, Problem>((key, new))
    }
    .await;
    or_problem(created, |(project, new)| async move {
        let change = Change {
            project,
            base: None,
            command: Command::CreateIssue(new),
        };
        run(&state, &w, &body, change, Answer::Created).await
    })
    .await
}

/// Runs the command `make` builds for an existing issue, based on If-Match,
/// and answers with the issue as the command left it (or the conflict).
async fn change(
    state: AppState,
    w: Write,
    key: String,
    body: Bytes,
    make: impl FnOnce(&Bytes, &Project, IssueNumber) -> Result<Command, Problem>,
) -> Response {
    let prepared = async {
        let key = issue_key(&key)?;
        let base = w.precondition.required()?;
        let project = state
            .use_cases()
            .read_as(
                &Caller::User(w.user.clone()),
                &key.project,
                Role::Viewer,
                |s, _| s.project.clone(),
            )
            .await?
            .ok_or_else(|| Problem::not_found(format!("project {}", key.project)))?;
        // If-Match must be there (428); then the body is read before the
        // version is checked (in `run`), so a body that can never be valid
        // is refused (422) whatever version it names.
        let command = make(&body, &project, key.number)?;
        Ok((key, base, command))
    }
    .await;
    or_problem(prepared, |(key, base, command)| async move {
        let change = Change {
            project: key.project,
            base,
            command,
        };
        let answer = Answer::Stream(StreamRef::Issue(key.number));
        run(&state, &w, &body, change, answer).await
    })
    .await
}

/// The issue after `after` (a key), if given.
fn after_issue(f: &mut Fields, after: Option<&str>) -> Option<Option<IssueNumber>> {
    match after {
        Some(a) => f.issue("after", a).map(Some),
        None => Some(None),
    }
}

const CHANGE_RESPONSES: &str = "200: changed (merged_over lists others' changes yours was applied over); \
412 version-conflict: others changed the same fields, with the current issue and their changes; \
428: If-Match missing";

#[utoipa::path(patch, path = "/api/v1/issues/{key}", tag = "issues",
    description = CHANGE_RESPONSES,
    params(("key" = String, Path, description = "Issue key"),
        IfMatch,
        IdempotencyKey),
    request_body = IssuePatchBody,
    responses(
        (status = 200, description = "Changed", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn patch(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    change(state, w, key, body, |body, project, issue| {
        let patch = json::<IssuePatchBody>(body)?.into_patch(&project.key)?;
        Ok(Command::UpdateIssue { issue, patch })
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/issues/{key}/transition", tag = "issues",
    description = CHANGE_RESPONSES,
    params(("key" = String, Path, description = "Issue key"),
        IfMatch,
        IdempotencyKey),
    request_body = TransitionBody,
    responses(
        (status = 200, description = "Changed", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn transition(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    change(state, w, key, body, |body, project, issue| {
        let to = json::<TransitionBody>(body)?.status.resolve(project)?;
        Ok(Command::TransitionIssue { issue, to })
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/issues/{key}/move", tag = "issues",
    description = CHANGE_RESPONSES,
    params(("key" = String, Path, description = "Issue key"),
        IfMatch,
        IdempotencyKey),
    request_body = MoveBody,
    responses(
        (status = 200, description = "Moved", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn move_issue(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    change(state, w, key, body, |body, project, issue| {
        let input: MoveBody = json(body)?;
        let mut f = Fields::new(&project.key);
        let to = f.check(
            "status",
            input.status.resolve(project).map_err(|e| e.to_string()),
        );
        let after = after_issue(&mut f, input.after.as_deref());
        f.finish(|| Command::MoveIssue {
            issue,
            to: to.expect("checked"),
            after: after.flatten(),
        })
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/issues/{key}/rank", tag = "issues",
    description = CHANGE_RESPONSES,
    params(("key" = String, Path, description = "Issue key"),
        IfMatch,
        IdempotencyKey),
    request_body = RankBody,
    responses(
        (status = 200, description = "Re-ranked", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn rank(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    change(state, w, key, body, |body, project, issue| {
        let input: RankBody = json(body)?;
        let mut f = Fields::new(&project.key);
        let after = after_issue(&mut f, input.after.as_deref());
        f.finish(|| Command::RankIssue {
            issue,
            after: after.flatten(),
        })
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/issues/{key}/links", tag = "issues",
    description = CHANGE_RESPONSES,
    params(("key" = String, Path, description = "Issue key"),
        IfMatch,
        IdempotencyKey),
    request_body = LinkBody,
    responses(
        (status = 200, description = "Linked", body = IssueChanged, headers(("ETag" = String))),
    ))]
#[tracing::instrument(skip(state, w, body), fields(user = %w.user))]
pub async fn link(
    State(state): State<AppState>,
    Path(key): Path<String>,
    w: Write,
    body: Bytes,
) -> Response {
    change(state, w, key, body, |body, project, issue| {
        let input: LinkBody = json(body)?;
        let mut f = Fields::new(&project.key);
        let kind = f.link_kind(&input.kind);
        let target = f.issue("issue", &input.issue);
        f.finish(|| Command::LinkIssue {
            issue,
            kind: kind.expect("checked"),
            target: target.expect("checked"),
        })
    })
    .await
}
