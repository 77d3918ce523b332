//! Server functions: each parses its raw input into domain types, then hands
//! a command or query to the backend. They hold no logic of their own.

use leptos::prelude::*;

use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::FormErrors;
use super::{ApiError, IssueDetail, ProjectSnapshot, ProjectSummary};
#[cfg(feature = "ssr")]
use crate::domain::*;
use crate::domain::{CommandEnvelope, Outcome};

/// Sets the response status from the result, so errors go out as 4xx/503
/// rather than the server-function default of 500.
#[cfg(feature = "ssr")]
pub(super) fn reply<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let (Err(e), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>())
        && let Ok(status) = http::StatusCode::from_u16(e.status())
    {
        response.set_status(status);
    }
    result
}

/// The backend, who is asking and how they authenticated: a session's user
/// or a token's owner (with its `Credential`), or a share link's reader (none);
/// without either, "not signed in".
#[cfg(feature = "ssr")]
async fn request() -> Result<
    (
        std::sync::Arc<dyn super::Backend>,
        super::Caller,
        Option<super::Credential>,
    ),
    ApiError,
> {
    let backend = super::backend()?;
    let parts: http::request::Parts = leptos_axum::extract()
        .await
        .map_err(|e| ApiError::Transport(e.to_string()))?;
    let caller = parts
        .extensions
        .get::<super::Caller>()
        .cloned()
        .ok_or(ApiError::Unauthorized)?;
    Ok((backend, caller, parts.extensions.get().cloned()))
}

/// The backend and who is asking, to read: a session's user, a token's
/// owner or a share link's reader; without either, "not signed in".
#[cfg(feature = "ssr")]
pub(super) async fn caller() -> Result<(std::sync::Arc<dyn super::Backend>, super::Caller), ApiError>
{
    request()
        .await
        .map(|(backend, caller, _)| (backend, caller))
}

/// The backend and who is asking, to change something: as [`caller`], but a
/// read-only API token is refused (403).
#[cfg(feature = "ssr")]
pub(super) async fn writing_caller()
-> Result<(std::sync::Arc<dyn super::Backend>, super::Caller), ApiError> {
    let (backend, caller, credential) = request().await?;
    if let Some(credential) = credential {
        credential.require_write()?;
    }
    Ok((backend, caller))
}

/// The backend and the signed-in user (session or token), to read; a share
/// link's reader is no user.
#[cfg(feature = "ssr")]
pub(super) async fn signed_in_user() -> Result<
    (
        std::sync::Arc<dyn super::Backend>,
        UserName,
        super::Credential,
    ),
    ApiError,
> {
    match request().await? {
        (backend, super::Caller::User(user), Some(credential)) => Ok((backend, user, credential)),
        // Every signed-in request carries its credential; without one,
        // nothing says what it may do.
        (_, super::Caller::User(_), None) => Err(ApiError::Unauthorized),
        (_, super::Caller::Link(_), _) => Err(ApiError::Rejected(DomainError::Forbidden {
            role: Role::Viewer,
            need: Role::Member,
        })),
    }
}

/// The backend and the signed-in user acting in this request; a share
/// link's reader may not act, nor may a read-only API token.
#[cfg(feature = "ssr")]
pub(super) async fn acting_user() -> Result<(std::sync::Arc<dyn super::Backend>, UserName), ApiError>
{
    let (backend, user, credential) = signed_in_user().await?;
    credential.require_write()?;
    Ok((backend, user))
}

/// The backend and the user of a browser session: for what an API token may
/// never do (`what`, e.g. "create API tokens" or "change the password"), so
/// a leaked token cannot entrench itself. Gives the session's id too.
#[cfg(feature = "ssr")]
pub(super) async fn session_user(
    what: &str,
) -> Result<(std::sync::Arc<dyn super::Backend>, UserName, String), ApiError> {
    let (backend, user, credential) = signed_in_user().await?;
    let session = credential.require_session(what)?.to_owned();
    Ok((backend, user, session))
}

/// A project key from a URL or form; a malformed one names no project.
#[cfg(feature = "ssr")]
pub(super) fn project_key(raw: &str) -> Result<ProjectKey, ApiError> {
    ProjectKey::parse(raw).map_err(|_| ApiError::NotFound(format!("project {raw}")))
}

/// An issue key from a URL or form; a malformed one names no issue.
#[cfg(feature = "ssr")]
pub(super) fn issue_key(raw: &str) -> Result<IssueKey, ApiError> {
    IssueKey::parse(raw).map_err(|_| ApiError::NotFound(format!("issue {raw}")))
}

/// The id of a stored row (a token, share link or webhook) from a form;
/// a malformed one names no `what`.
#[cfg(feature = "ssr")]
pub(super) fn row_id(what: &str, raw: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::NotFound(format!("{what} {raw}")))
}

#[cfg(feature = "ssr")]
pub(super) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A name from a form: trimmed, `default` when empty, at most `max` characters.
#[cfg(feature = "ssr")]
pub(super) fn short_label(
    field: &str,
    raw: &str,
    default: &str,
    max: usize,
) -> Result<String, ApiError> {
    let label = match raw.trim() {
        "" => default,
        label => label,
    };
    if label.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("a {field} has at most {max} characters"),
        ));
    }
    Ok(label.to_owned())
}

/// An expiry from a form's optional last day (`YYYY-MM-DD`, UTC): empty for
/// never; otherwise the end of that day, which may not have passed.
#[cfg(feature = "ssr")]
pub(super) fn last_day(raw: &str) -> Result<Option<crate::domain::UtcTime>, ApiError> {
    match raw.trim() {
        "" => Ok(None),
        raw => {
            let last_day = ApiError::field("expires", Date::parse(raw))?;
            if last_day < today() {
                return Err(ApiError::invalid("expires", "the last day is in the past"));
            }
            Ok(Some(crate::domain::UtcTime::from_unix_ms(
                (last_day.days_since_epoch() + 1) * 86_400_000,
            )))
        }
    }
}

/// Today's UTC date on the server's clock.
#[cfg(feature = "ssr")]
pub(super) fn today() -> Date {
    Date::from_unix_ms(now_ms())
}

/// A date range from optional form fields: `to` defaults to today and `from`
/// to `days` days ending at `to`; both parse errors are reported at once.
#[cfg(feature = "ssr")]
pub(super) fn date_range(
    from: Option<String>,
    to: Option<String>,
    days: i64,
) -> Result<(Date, Date), ApiError> {
    let parse = |raw: Option<String>| {
        raw.filter(|r| !r.trim().is_empty())
            .map(|r| Date::parse(r.trim()))
    };
    let mut form = FormErrors::default();
    let to = parse(to).map_or(Some(today()), |r| form.check("to", r));
    let from = match parse(from) {
        Some(r) => form.check("from", r),
        None => to.map(|t| t.days_before(days - 1)),
    };
    form.finish()?;
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => unreachable!("FormErrors::finish reports any missing date"),
    }
}

/// Runs one command as the acting user, with a fresh command id, based on
/// the version its author saw.
#[cfg(feature = "ssr")]
pub(super) async fn run_command(
    project: ProjectKey,
    base_version: u64,
    command: Command,
) -> Result<Outcome, ApiError> {
    let (backend, actor) = acting_user().await?;
    let envelope = new_envelope(&*backend, project, base_version, command);
    backend.execute(actor, envelope).await
}

/// A command with a fresh id.
#[cfg(feature = "ssr")]
fn new_envelope(
    backend: &dyn super::Backend,
    project: ProjectKey,
    base_version: u64,
    command: Command,
) -> CommandEnvelope {
    CommandEnvelope {
        id: backend.new_command_id(),
        project,
        base_version,
        command,
    }
}

/// Runs one command as the acting user on whatever its target is now.
#[cfg(feature = "ssr")]
pub(super) async fn run_at_head(
    project: ProjectKey,
    command: Command,
) -> Result<Outcome, ApiError> {
    let (backend, actor) = acting_user().await?;
    let envelope = new_envelope(&*backend, project, 0, command);
    backend.execute_at_head(actor, envelope).await
}

#[server(prefix = "/api/fn", endpoint = "projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, ApiError> {
    reply(
        async {
            let (backend, who) = caller().await?;
            backend.projects(who).await
        }
        .await,
    )
}

/// Creates a project from the home page's form (raw text fields). `kind` is
/// `scrum` (the default: the board shows the active sprint) or `kanban`.
#[server(prefix = "/api/fn", endpoint = "create_project")]
pub async fn create_project(
    name: String,
    key: String,
    kind: Option<String>,
) -> Result<ProjectSummary, ApiError> {
    reply(create_project_inner(name, key, kind).await)
}

#[cfg(feature = "ssr")]
async fn create_project_inner(
    name: String,
    key: String,
    kind: Option<String>,
) -> Result<ProjectSummary, ApiError> {
    let kind = match kind.as_deref().map(str::trim) {
        None | Some("") | Some("scrum") => ProjectKind::Scrum,
        Some("kanban") => ProjectKind::Kanban,
        Some(other) => {
            return Err(ApiError::invalid(
                "kind",
                format!("\"{other}\" is not a board type: choose scrum or kanban"),
            ));
        }
    };
    let (name, key) = ApiError::collect(
        ("name", ProjectName::parse(&name)),
        ("key", ProjectKey::parse(key.trim())),
    )?;
    let command = Command::CreateProject {
        key: key.clone(),
        name: name.clone(),
        kind,
    };
    match run_command(key.clone(), 0, command).await {
        Ok(_) => Ok(ProjectSummary {
            key,
            name,
            kind,
            issues: 0,
        }),
        // The same words whether or not the caller may see that project.
        Err(ApiError::Rejected(DomainError::ProjectExists(k))) => Err(ApiError::invalid(
            "key",
            format!("The key {k} is not available; choose another"),
        )),
        Err(e) => Err(e),
    }
}

/// A project's whole state, for its board.
#[server(prefix = "/api/fn", endpoint = "project")]
pub async fn load_project(key: String) -> Result<ProjectSnapshot, ApiError> {
    reply(
        async {
            let key = project_key(&key)?;
            let (backend, who) = caller().await?;
            backend.project(who, key).await
        }
        .await,
    )
}

/// One issue with its history.
#[server(prefix = "/api/fn", endpoint = "issue")]
pub async fn load_issue(key: String) -> Result<IssueDetail, ApiError> {
    reply(
        async {
            let key = issue_key(&key)?;
            let (backend, who) = caller().await?;
            backend.issue(who, key).await
        }
        .await,
    )
}

/// Runs a command for the signed-in user: the board's moves, edits and
/// creations. A conflict is an answer, not an error.
#[server(prefix = "/api/fn", endpoint = "execute", input = Json)]
pub async fn execute_command(envelope: CommandEnvelope) -> Result<Outcome, ApiError> {
    reply(
        async {
            let (backend, actor) = acting_user().await?;
            backend.execute(actor, envelope).await
        }
        .await,
    )
}

/// The signed-in user acting in this request.
#[server(prefix = "/api/fn", endpoint = "me")]
pub async fn current_user() -> Result<crate::domain::UserName, ApiError> {
    reply(async { signed_in_user().await.map(|(_, user, _)| user) }.await)
}

/// The signed-in account's profile; `None` without a session.
#[server(prefix = "/api/fn", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<crate::domain::Profile>, ApiError> {
    reply(
        async {
            match caller().await {
                Ok((backend, super::Caller::User(name))) => backend.profile(name).await,
                Ok((_, super::Caller::Link(_))) | Err(ApiError::Unauthorized) => Ok(None),
                Err(e) => Err(e),
            }
        }
        .await,
    )
}
