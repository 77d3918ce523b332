//! Running one command for a REST change: once per idempotency key, based
//! on If-Match (or on the current version for `*` and for creations), and
//! answering with the resource as the write left it, the merge it made, or
//! the conflict.

use app::api::{ApiError, Caller};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use kanri_domain::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::idempotency::Reply;
use super::problem::{Conflict, Problem, kind};
use super::request::Write;
use super::resources::*;
use crate::routes::AppState;

/// The issue or sprint a change answers with.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Current {
    Issue(Box<IssueResource>),
    Sprint(SprintResource),
}

impl Current {
    pub fn version(&self) -> u64 {
        match self {
            Self::Issue(i) => i.version,
            Self::Sprint(s) => s.version,
        }
    }

    fn changed(self, merged_over: Vec<ChangeResource>) -> Reply {
        let version = Some(self.version());
        match self {
            Self::Issue(issue) => Reply::ok(
                version,
                &IssueChanged {
                    issue: *issue,
                    merged_over,
                },
            ),
            Self::Sprint(sprint) => Reply::ok(
                version,
                &SprintChanged {
                    sprint,
                    merged_over,
                },
            ),
        }
    }
}

/// What a change answers with.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// 200 with this stream's resource (and any merge), or 412.
    Stream(StreamRef),
    /// 201 with what the command created (its first event says what).
    Created,
}

/// What to run: the command, its project, and the version it is based on
/// (`None`: the current one).
pub struct Change {
    pub project: ProjectKey,
    pub base: Option<u64>,
    pub command: Command,
}

/// The resource `stream` is in `state`.
fn current(
    state: &ProjectState,
    project: &ProjectKey,
    stream: StreamRef,
) -> Result<Current, Problem> {
    let found = match stream {
        StreamRef::Issue(n) => state
            .issue(n)
            .map(|i| Current::Issue(Box::new(IssueResource::new(state, i)))),
        StreamRef::Sprint(n) => state
            .sprints
            .get(&n)
            .map(|sp| Current::Sprint(SprintResource::new(state, sp))),
        StreamRef::Project => None,
    };
    found.ok_or_else(|| Problem::not_found(stream.id(project)))
}

/// The 201 answer for what `event` created, with its stream's version.
fn created(state: &ProjectState, project: &ProjectKey, event: &Recorded) -> Result<Reply, Problem> {
    let gone = || Problem::not_found(event.stream.id(project));
    match &event.event {
        Event::CommentAdded { issue, comment, .. } => {
            let i = state.issue(*issue).ok_or_else(gone)?;
            let c = CommentResource::from(i.comments.get(comment).ok_or_else(gone)?);
            Ok(Reply::json(StatusCode::CREATED, Some(i.version), &c))
        }
        Event::WorkLogged { issue, worklog, .. } => {
            let i = state.issue(*issue).ok_or_else(gone)?;
            let w = WorklogResource::from(i.worklogs.get(worklog).ok_or_else(gone)?);
            Ok(Reply::json(StatusCode::CREATED, Some(i.version), &w))
        }
        _ => match current(state, project, event.stream)? {
            Current::Issue(i) => Ok(Reply::json(StatusCode::CREATED, Some(i.version), &i)),
            Current::Sprint(s) => Ok(Reply::json(StatusCode::CREATED, Some(s.version), &s)),
        },
    }
}

/// The answer to `outcome`, shaped from `state`: the state the command
/// left, under the lock it ran under. So an acknowledged write answers
/// with exactly what it wrote (its ETag is the version of its own last
/// event), never with a later writer's change.
fn answer_from(
    state: &ProjectState,
    project: &ProjectKey,
    answer: Answer,
    outcome: &Outcome,
) -> Result<Reply, Problem> {
    let stream = match answer {
        Answer::Created => {
            let recorded = outcome.recorded();
            let first = recorded.first().ok_or(ApiError::Unavailable)?;
            return created(state, project, first);
        }
        Answer::Stream(stream) => stream,
    };
    let now = current(state, project, stream)?;
    match outcome {
        Outcome::Accepted { .. } => Ok(now.changed(Vec::new())),
        Outcome::Merged { over, .. } => {
            Ok(now.changed(over.iter().map(ChangeResource::from).collect()))
        }
        Outcome::Conflict {
            fields, changes, ..
        } => Err(Problem {
            conflict: Some(Box::new(Conflict {
                conflicting_fields: fields.iter().map(|f| field_name(*f)).collect(),
                changes: changes.iter().map(ChangeResource::from).collect(),
                current: now,
            })),
            ..Problem::new(
                kind::VERSION_CONFLICT,
                "others changed these fields since your version: nothing was changed; \
                 review the current resource and send again with its ETag to overwrite",
            )
        }),
    }
}

/// Runs `change` once per idempotency key and answers as `answer` says.
pub async fn run(
    state: &AppState,
    w: &Write,
    body: &[u8],
    change: Change,
    answer: Answer,
) -> Response {
    let user = &w.user;
    // A kept answer shows the resource: only to who may still read its project.
    let project = change.project.clone();
    let may_see = async {
        state
            .use_cases()
            .allowed(&Caller::User(user.clone()), &project, Role::Viewer)
            .await
            .map(drop)
            .map_err(Problem::from)
    };
    state
        .answers
        .once(w, body, may_see, |id| async move {
            let envelope = CommandEnvelope {
                id,
                project: change.project.clone(),
                base_version: change.base.unwrap_or(0),
                command: change.command,
            };
            let at_head = change.base.is_none();
            let project = &change.project;
            let written = state
                .use_cases()
                .write(user, envelope, at_head, |now, outcome| {
                    answer_from(now, project, answer, outcome)
                })
                .await?;
            written.produced
        })
        .await
}

/// What a handler parsed, then run; or the problem with it.
pub async fn or_problem<T, Fut>(parsed: Result<T, Problem>, then: impl FnOnce(T) -> Fut) -> Response
where
    Fut: Future<Output = Response>,
{
    match parsed {
        Ok(v) => then(v).await,
        Err(p) => p.into_response(),
    }
}
