//! The server's side of `app::api::Backend`: translates between the server
//! functions and the service, and turns internal errors into ones a user
//! may see (the details go to the log, never to the client).

use app::api::{
    ApiError, ApiTokenView, Backend, Caller, DeliveryView, IssueDetail, NewApiToken, NewShareLink,
    NewWebhookView, PastProject, ProjectSnapshot, ProjectSummary, SearchHits, ShareLinkView,
    TokenScope, WebhookView,
};
use futures::future::BoxFuture;
use kanri_domain::*;
use std::sync::Arc;

use crate::accounts::Accounts;
use crate::api_tokens::{ApiTokens, TokenError};
use crate::service::{ExecError, Kanri, now_ms};
use crate::sharing::{ShareError, ShareLinks};
use crate::store::{SearchSql, StoreError, Until};
use crate::subscribers::time;
use crate::webhooks::{WebhookError, Webhooks, parse_events};

pub struct ServerBackend {
    pub kanri: Arc<Kanri>,
    pub accounts: Arc<Accounts>,
    pub shares: Arc<ShareLinks>,
    pub tokens: Arc<ApiTokens>,
    pub sessions: Arc<crate::sessions::Sessions>,
    pub webhooks: Arc<Webhooks>,
}

fn unavailable(e: StoreError) -> ApiError {
    tracing::error!(error = %e, "store error");
    ApiError::Unavailable
}

fn accounts_down(e: crate::accounts::AccountError) -> ApiError {
    tracing::error!(error = %e, "account error");
    ApiError::Unavailable
}

impl From<ShareError> for ApiError {
    fn from(e: ShareError) -> Self {
        match e {
            ShareError::TooMany => ApiError::invalid("label", e.to_string()),
            ShareError::Sql(_) => {
                tracing::error!(error = %e, "share link error");
                ApiError::Unavailable
            }
        }
    }
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::TooMany => ApiError::invalid("url", e.to_string()),
            WebhookError::Sql(_) => {
                tracing::error!(error = %e, "webhook store error");
                ApiError::Unavailable
            }
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::TooMany => ApiError::invalid("name", e.to_string()),
            TokenError::Sql(_) => {
                tracing::error!(error = %e, "API token error");
                ApiError::Unavailable
            }
        }
    }
}

impl From<ExecError> for ApiError {
    fn from(e: ExecError) -> Self {
        match e {
            ExecError::Domain(d) => ApiError::Rejected(d),
            ExecError::KeyMismatch { .. } | ExecError::CommandIdTaken(_) => {
                ApiError::invalid("command", e.to_string())
            }
            ExecError::OutOfRange(e) => ApiError::invalid(e.field, e.error.to_string()),
            ExecError::Store(s) => unavailable(s),
        }
    }
}

impl ServerBackend {
    /// The caller's role in the project, if they may read it at all: a 404
    /// for a project they cannot see, as for one that does not exist.
    async fn readable(&self, who: &Caller, key: &ProjectKey) -> Result<Role, ApiError> {
        self.allowed(who, key, Role::Viewer).await
    }

    /// Runs `read` on the project's current state (and its last sequence)
    /// if the caller's role there is at least `need`.
    pub async fn read_as<T>(
        &self,
        who: &Caller,
        key: &ProjectKey,
        need: Role,
        read: impl FnOnce(&ProjectState, u64) -> T,
    ) -> Result<T, ApiError> {
        self.kanri
            .read(key, |state, seq| {
                let project = state.project.as_ref().expect("read only sees projects");
                who.check(project, need).map(|()| read(state, seq))
            })
            .await
            .map_err(unavailable)?
            .unwrap_or_else(|| Err(DomainError::ProjectNotFound(key.clone())))
            .map_err(ApiError::Rejected)
    }

    /// Executes a command for `actor`: based on its envelope's version, or
    /// on the target's current one with `at_head`.
    pub async fn run(
        &self,
        actor: &UserName,
        envelope: CommandEnvelope,
        at_head: bool,
    ) -> Result<Outcome, ApiError> {
        Ok(if at_head {
            self.kanri.execute_at_head(actor, envelope).await?
        } else {
            self.kanri.execute(actor, envelope).await?
        })
    }

    /// Up to `limit` of the project's events after global sequence `after`.
    pub async fn events_after(
        &self,
        key: &ProjectKey,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Recorded>, ApiError> {
        self.kanri
            .store()
            .events_after(Some(key), after, u32::try_from(limit).unwrap_or(u32::MAX))
            .await
            .map_err(unavailable)
    }

    /// The caller, an admin of the project, acting (a share link cannot).
    async fn acting_admin(&self, who: Caller, key: &ProjectKey) -> Result<UserName, ApiError> {
        self.allowed(&who, key, Role::Admin).await?;
        match who {
            Caller::User(admin) => Ok(admin),
            Caller::Link(_) => Err(ApiError::Unauthorized),
        }
    }

    /// The caller, an admin of the project; anyone else (a member, a
    /// viewer, an outsider, a share link) is told the project does not
    /// exist, so what they asked about is not theirs to learn.
    async fn administering(&self, who: Caller, key: &ProjectKey) -> Result<UserName, ApiError> {
        let not_found = || ApiError::Rejected(DomainError::ProjectNotFound(key.clone()));
        match (self.readable(&who, key).await, who) {
            (Ok(Role::Admin), Caller::User(admin)) => Ok(admin),
            (Ok(_), _) => Err(not_found()),
            (Err(e), _) if e.is_not_found() => Err(not_found()),
            (Err(e), _) => Err(e),
        }
    }

    /// The caller's role in the project, if it is at least `need`.
    pub async fn allowed(
        &self,
        who: &Caller,
        key: &ProjectKey,
        need: Role,
    ) -> Result<Role, ApiError> {
        self.kanri
            .read(key, |state, _| {
                state.project.as_ref().map(|p| {
                    who.check(p, need)
                        .map(|()| who.role_in(p).unwrap_or(Role::Viewer))
                })
            })
            .await
            .map_err(unavailable)?
            .flatten()
            .unwrap_or_else(|| Err(DomainError::ProjectNotFound(key.clone())))
            .map_err(ApiError::Rejected)
    }
}

impl Backend for ServerBackend {
    fn projects(&self, who: Caller) -> BoxFuture<'_, Result<Vec<ProjectSummary>, ApiError>> {
        Box::pin(async move {
            let rows = self.kanri.store().projects().await.map_err(unavailable)?;
            Ok(rows
                .into_iter()
                .filter(|(p, _)| who.role_in(p).is_some())
                .map(|(p, issues)| ProjectSummary {
                    key: p.key,
                    name: p.name,
                    kind: p.kind,
                    issues,
                })
                .collect())
        })
    }

    fn project(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<ProjectSnapshot, ApiError>> {
        Box::pin(async move {
            let role = self.readable(&who, &key).await?;
            match self.kanri.project_state(&key).await.map_err(unavailable)? {
                Some((state, last_seq)) => Ok(ProjectSnapshot {
                    state,
                    last_seq,
                    role,
                }),
                None => Err(ApiError::NotFound(format!("project {key}"))),
            }
        })
    }

    fn issue(&self, who: Caller, key: IssueKey) -> BoxFuture<'_, Result<IssueDetail, ApiError>> {
        Box::pin(async move {
            let role = self.readable(&who, &key.project).await?;
            let can_edit = role >= Role::Member && matches!(who, Caller::User(_));
            let not_found = || ApiError::NotFound(format!("issue {key}"));
            // Copy out the one issue and its neighbours, not the whole project.
            let found = self
                .kanri
                .read(&key.project, |state, seq| {
                    IssueDetail::from_state(state, key.number).map(|d| IssueDetail {
                        seq,
                        can_edit,
                        ..d
                    })
                })
                .await
                .map_err(unavailable)?;
            let mut detail = found.flatten().ok_or_else(not_found)?;
            detail.history = self
                .kanri
                .store()
                .history(&key.project, StreamRef::Issue(key.number), 0)
                .await
                .map_err(unavailable)?;
            Ok(detail)
        })
    }

    fn timesheet(
        &self,
        who: Caller,
        key: ProjectKey,
        from: Date,
        to: Date,
    ) -> BoxFuture<'_, Result<(Project, Timesheet), ApiError>> {
        Box::pin(async move {
            self.readable(&who, &key).await?;
            let rows = time::logged_between(self.kanri.store().db(), &key, from, to)
                .await
                .map_err(unavailable)?;
            let built = self
                .kanri
                .read(&key, |state, _| {
                    let project = state.project.clone()?;
                    Some(Timesheet::build(state, from, to, &rows).map(|sheet| (project, sheet)))
                })
                .await
                .map_err(unavailable)?
                .flatten()
                .ok_or_else(|| ApiError::NotFound(format!("project {key}")))?;
            built.map_err(|e| ApiError::invalid("to", e.to_string()))
        })
    }

    fn search(
        &self,
        who: Caller,
        key: ProjectKey,
        query: Query,
        me: UserName,
        limit: usize,
    ) -> BoxFuture<'_, Result<SearchHits, ApiError>> {
        Box::pin(async move {
            self.readable(&who, &key).await?;
            // The catalogue (statuses, sprints) comes from the cached state;
            // the issues from the indexed projection.
            let compiled = self
                .kanri
                .read(&key, |state, _| {
                    let project = state.project.clone()?;
                    Some(SearchSql::compile(state, &query, &me, limit).map(|sql| (project, sql)))
                })
                .await
                .map_err(unavailable)?
                .flatten()
                .ok_or_else(|| ApiError::NotFound(format!("project {key}")))?;
            let (project, sql) = compiled.map_err(|e| ApiError::invalid("q", e.to_string()))?;
            let (issues, total) = sql
                .run(&self.kanri.store().db().read)
                .await
                .map_err(unavailable)?;
            Ok(SearchHits {
                project,
                issues,
                total,
            })
        })
    }

    fn project_as_of(
        &self,
        who: Caller,
        key: ProjectKey,
        seq: u64,
    ) -> BoxFuture<'_, Result<PastProject, ApiError>> {
        Box::pin(async move {
            self.readable(&who, &key).await?;
            let store = self.kanri.store();
            let events = store
                .events_until(&key, Until::Seq(seq))
                .await
                .map_err(unavailable)?;
            let head = store.head(Some(&key)).await.map_err(unavailable)?;
            let first = store
                .events_after(Some(&key), 0, 1)
                .await
                .map_err(unavailable)?
                .first()
                .map_or(0, |r| r.seq);
            if head == 0 {
                return Err(ApiError::NotFound(format!("project {key}")));
            }
            let last = events.last();
            Ok(PastProject {
                seq: last.map_or(0, |r| r.seq),
                at_ms: last.map_or(0, |r| r.at_ms),
                state: replay(events.iter().map(|r| &r.event)),
                first,
                head,
            })
        })
    }

    fn log(&self, who: Caller, key: ProjectKey) -> BoxFuture<'_, Result<Vec<Recorded>, ApiError>> {
        Box::pin(async move {
            self.readable(&who, &key).await?;
            const PAGE: u32 = 10_000;
            let store = self.kanri.store();
            let mut log: Vec<Recorded> = Vec::new();
            loop {
                let after = log.last().map_or(0, |r| r.seq);
                let page = store
                    .events_after(Some(&key), after, PAGE)
                    .await
                    .map_err(unavailable)?;
                let full = page.len() == PAGE as usize;
                log.extend(page);
                if !full {
                    return Ok(log);
                }
            }
        })
    }

    fn execute(
        &self,
        actor: UserName,
        envelope: CommandEnvelope,
    ) -> BoxFuture<'_, Result<Outcome, ApiError>> {
        Box::pin(async move { Ok(self.kanri.execute(&actor, envelope).await?) })
    }

    fn execute_at_head(
        &self,
        actor: UserName,
        envelope: CommandEnvelope,
    ) -> BoxFuture<'_, Result<Outcome, ApiError>> {
        Box::pin(async move { Ok(self.kanri.execute_at_head(&actor, envelope).await?) })
    }

    fn project_settings(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<Project, ApiError>> {
        Box::pin(async move {
            self.readable(&who, &key).await?;
            self.kanri
                .read(&key, |state, _| state.project.clone())
                .await
                .map_err(unavailable)?
                .flatten()
                .ok_or_else(|| ApiError::NotFound(format!("project {key}")))
        })
    }

    fn new_command_id(&self) -> CommandId {
        CommandId(uuid::Uuid::new_v4())
    }

    fn share_links(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<Option<Vec<ShareLinkView>>, ApiError>> {
        Box::pin(async move {
            if self.readable(&who, &key).await? < Role::Admin {
                return Ok(None);
            }
            Ok(Some(self.shares.list(&key).await?))
        })
    }

    fn create_share_link(
        &self,
        who: Caller,
        key: ProjectKey,
        label: String,
        expires: Option<UtcTime>,
    ) -> BoxFuture<'_, Result<NewShareLink, ApiError>> {
        Box::pin(async move {
            let admin = self.acting_admin(who, &key).await?;
            let (link, token) = self
                .shares
                .create(
                    &key,
                    &admin,
                    &label,
                    expires.map(UtcTime::unix_ms),
                    now_ms(),
                )
                .await?;
            tracing::info!(project = %key, link = link.id, %admin, "share link created");
            Ok(NewShareLink {
                link,
                path: format!("/s/{token}"),
            })
        })
    }

    fn revoke_share_link(
        &self,
        who: Caller,
        key: ProjectKey,
        id: i64,
    ) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(async move {
            let admin = self.acting_admin(who, &key).await?;
            if self.shares.revoke(&key, id, &admin, now_ms()).await? {
                tracing::info!(project = %key, link = id, %admin, "share link revoked");
                Ok(())
            } else {
                Err(ApiError::NotFound(format!("share link {id}")))
            }
        })
    }

    fn open_share_link(&self, token: String) -> BoxFuture<'_, Result<ProjectKey, ApiError>> {
        Box::pin(async move {
            match self.shares.open(&token, now_ms()).await? {
                Some(link) => Ok(link.project),
                None => Err(ApiError::NotFound("share link".into())),
            }
        })
    }

    fn webhooks(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<Option<Vec<WebhookView>>, ApiError>> {
        Box::pin(async move {
            if self.readable(&who, &key).await? < Role::Admin {
                return Ok(None);
            }
            Ok(Some(self.webhooks.list(&key).await?))
        })
    }

    fn create_webhook(
        &self,
        who: Caller,
        key: ProjectKey,
        url: String,
        events: Vec<String>,
    ) -> BoxFuture<'_, Result<NewWebhookView, ApiError>> {
        Box::pin(async move {
            let url = ApiError::field("url", self.webhooks.parse_url(&url))?;
            let events = ApiError::field("events", parse_events(&events))?;
            let admin = self.acting_admin(who, &key).await?;
            let head = self.kanri.store().head(None).await.map_err(unavailable)?;
            let new = self
                .webhooks
                .create(&key, &url, &events, &admin, head, now_ms())
                .await?;
            tracing::info!(project = %key, webhook = new.webhook.id, %admin, "webhook registered");
            Ok(new)
        })
    }

    fn delete_webhook(
        &self,
        who: Caller,
        key: ProjectKey,
        id: i64,
    ) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(async move {
            let admin = self.acting_admin(who, &key).await?;
            if self.webhooks.delete(&key, id, &admin, now_ms()).await? {
                tracing::info!(project = %key, webhook = id, %admin, "webhook deleted");
                Ok(())
            } else {
                Err(ApiError::NotFound(format!("webhook {id}")))
            }
        })
    }

    fn webhook_deliveries(
        &self,
        who: Caller,
        key: ProjectKey,
        id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<DeliveryView>, ApiError>> {
        Box::pin(async move {
            self.allowed(&who, &key, Role::Admin).await?;
            self.webhooks
                .deliveries(&key, id, limit)
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("webhook {id}")))
        })
    }

    fn api_tokens(&self, user: UserName) -> BoxFuture<'_, Result<Vec<ApiTokenView>, ApiError>> {
        Box::pin(async move { Ok(self.tokens.list(&user).await?) })
    }

    fn create_api_token(
        &self,
        user: UserName,
        name: String,
        scope: TokenScope,
        expires: Option<UtcTime>,
    ) -> BoxFuture<'_, Result<NewApiToken, ApiError>> {
        Box::pin(async move {
            let (token, secret) = self
                .tokens
                .create(&user, &name, scope, expires.map(UtcTime::unix_ms), now_ms())
                .await?;
            tracing::info!(token = token.id, %user, %scope, "API token created");
            Ok(NewApiToken { token, secret })
        })
    }

    fn revoke_api_token(&self, user: UserName, id: i64) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(async move {
            if self.tokens.revoke(&user, id, now_ms()).await? {
                tracing::info!(token = id, %user, "API token revoked");
                Ok(())
            } else {
                Err(ApiError::NotFound(format!("API token {id}")))
            }
        })
    }

    fn change_password(
        &self,
        user: UserName,
        current: String,
        new: Password,
        keep: String,
    ) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(async move {
            match self.accounts.change_password(&user, &current, new).await {
                Ok(()) => {}
                Err(crate::accounts::AccountError::WrongCredentials) => {
                    return Err(ApiError::invalid(
                        "current_password",
                        "the current password is wrong",
                    ));
                }
                Err(e) => return Err(accounts_down(e)),
            }
            let ended = self
                .sessions
                .password_changed(&user, &keep)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot end the other sessions");
                    ApiError::Unavailable
                })?;
            tracing::info!(%user, other_sessions_ended = ended, "password changed");
            Ok(())
        })
    }

    fn profile(&self, name: UserName) -> BoxFuture<'_, Result<Option<Profile>, ApiError>> {
        Box::pin(async move { self.accounts.profile(&name).await.map_err(accounts_down) })
    }

    #[tracing::instrument(skip(self, login))]
    fn add_member(
        &self,
        who: Caller,
        key: ProjectKey,
        login: String,
        role: Role,
    ) -> BoxFuture<'_, Result<Outcome, ApiError>> {
        Box::pin(async move {
            let admin = self.administering(who, &key).await?;
            let account = self
                .accounts
                .find(&login)
                .await
                .map_err(accounts_down)?
                .ok_or_else(|| {
                    ApiError::invalid(
                        "login",
                        format!(
                            "nobody has the e-mail address or user name \"{}\"",
                            login.trim()
                        ),
                    )
                })?;
            let envelope = CommandEnvelope {
                id: self.new_command_id(),
                project: key,
                base_version: 0,
                command: Command::AddMember {
                    user: account.name,
                    role,
                },
            };
            Ok(self.kanri.execute_at_head(&admin, envelope).await?)
        })
    }
}
