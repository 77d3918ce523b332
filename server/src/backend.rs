//! The server's side of `app::api::Backend`, the port the server functions
//! call: each method calls one use case (`crate::usecases`). The outcome of
//! a command goes back as the service gave it.

use app::api::{
    ApiError, ApiTokenView, Backend, Caller, DeliveryView, IssueDetail, NewApiToken, NewShareLink,
    NewWebhookView, PastIssue, PastProject, ProjectSnapshot, ProjectSummary, ReportsPage,
    SearchHits, ShareLinkView, TokenScope, WebhookView,
};
use futures::future::BoxFuture;
use kanri_domain::*;

use crate::service::now_ms;
use crate::usecases::UseCases;

/// The use cases, as the server functions' backend.
pub struct ServerBackend(pub UseCases);

type Answer<'a, T> = BoxFuture<'a, Result<T, ApiError>>;

impl Backend for ServerBackend {
    fn projects(&self, who: Caller) -> Answer<'_, Vec<ProjectSummary>> {
        Box::pin(async move { self.0.projects(&who).await })
    }

    fn project(&self, who: Caller, key: ProjectKey) -> Answer<'_, ProjectSnapshot> {
        Box::pin(async move { self.0.project(&who, &key).await })
    }

    fn issue(&self, who: Caller, key: IssueKey) -> Answer<'_, IssueDetail> {
        Box::pin(async move { self.0.issue(&who, &key).await })
    }

    fn timesheet(
        &self,
        who: Caller,
        key: ProjectKey,
        from: Date,
        to: Date,
    ) -> Answer<'_, (Project, Timesheet)> {
        Box::pin(async move { self.0.timesheet(&who, &key, from, to).await })
    }

    fn search(
        &self,
        who: Caller,
        key: ProjectKey,
        query: Query,
        me: UserName,
        limit: usize,
    ) -> Answer<'_, SearchHits> {
        Box::pin(async move { self.0.search(&who, &key, &query, &me, limit).await })
    }

    fn project_as_of(&self, who: Caller, key: ProjectKey, seq: u64) -> Answer<'_, PastProject> {
        Box::pin(async move { self.0.project_as_of(&who, &key, seq).await })
    }

    fn issue_as_of(&self, who: Caller, key: IssueKey, seq: u64) -> Answer<'_, PastIssue> {
        Box::pin(async move { self.0.issue_as_of(&who, &key, seq).await })
    }

    fn reports(
        &self,
        who: Caller,
        key: ProjectKey,
        sprint: Option<SprintNumber>,
        from: Date,
        to: Date,
    ) -> Answer<'_, ReportsPage> {
        Box::pin(async move {
            let today = Date::from_unix_ms(now_ms());
            self.0.reports(&who, &key, sprint, (from, to), today).await
        })
    }

    fn execute(&self, actor: UserName, envelope: CommandEnvelope) -> Answer<'_, Outcome> {
        Box::pin(async move { self.0.execute(&actor, envelope, false).await })
    }

    fn execute_at_head(&self, actor: UserName, envelope: CommandEnvelope) -> Answer<'_, Outcome> {
        Box::pin(async move { self.0.execute(&actor, envelope, true).await })
    }

    fn project_settings(&self, who: Caller, key: ProjectKey) -> Answer<'_, Project> {
        Box::pin(async move { self.0.project_settings(&who, &key).await })
    }

    fn new_command_id(&self) -> CommandId {
        CommandId(uuid::Uuid::new_v4())
    }

    fn share_links(&self, who: Caller, key: ProjectKey) -> Answer<'_, Option<Vec<ShareLinkView>>> {
        Box::pin(async move { self.0.share_links(&who, &key).await })
    }

    fn create_share_link(
        &self,
        who: Caller,
        key: ProjectKey,
        label: String,
        expires: Option<UtcTime>,
    ) -> Answer<'_, NewShareLink> {
        Box::pin(async move { self.0.create_share_link(who, &key, &label, expires).await })
    }

    fn revoke_share_link(&self, who: Caller, key: ProjectKey, id: i64) -> Answer<'_, ()> {
        Box::pin(async move { self.0.revoke_share_link(who, &key, id).await })
    }

    fn open_share_link(&self, token: String) -> Answer<'_, ProjectKey> {
        Box::pin(async move { self.0.open_share_link(&token).await })
    }

    fn webhooks(&self, who: Caller, key: ProjectKey) -> Answer<'_, Option<Vec<WebhookView>>> {
        Box::pin(async move { self.0.webhooks(&who, &key).await })
    }

    fn create_webhook(
        &self,
        who: Caller,
        key: ProjectKey,
        url: String,
        events: Vec<String>,
    ) -> Answer<'_, NewWebhookView> {
        Box::pin(async move { self.0.create_webhook(who, &key, &url, &events).await })
    }

    fn delete_webhook(&self, who: Caller, key: ProjectKey, id: i64) -> Answer<'_, ()> {
        Box::pin(async move { self.0.delete_webhook(who, &key, id).await })
    }

    fn webhook_deliveries(
        &self,
        who: Caller,
        key: ProjectKey,
        id: i64,
        limit: u32,
    ) -> Answer<'_, Vec<DeliveryView>> {
        Box::pin(async move { self.0.webhook_deliveries(&who, &key, id, limit).await })
    }

    fn api_tokens(&self, user: UserName) -> Answer<'_, Vec<ApiTokenView>> {
        Box::pin(async move { self.0.api_tokens(&user).await })
    }

    fn create_api_token(
        &self,
        user: UserName,
        name: String,
        scope: TokenScope,
        expires: Option<UtcTime>,
    ) -> Answer<'_, NewApiToken> {
        Box::pin(async move { self.0.create_api_token(&user, &name, scope, expires).await })
    }

    fn revoke_api_token(&self, user: UserName, id: i64) -> Answer<'_, ()> {
        Box::pin(async move { self.0.revoke_api_token(&user, id).await })
    }

    fn change_password(
        &self,
        user: UserName,
        current: String,
        new: Password,
        keep: String,
    ) -> Answer<'_, ()> {
        Box::pin(async move { self.0.change_password(user, current, new, keep).await })
    }

    fn set_theme(&self, user: UserName, theme: Theme) -> Answer<'_, ()> {
        Box::pin(async move { self.0.set_theme(user, theme).await })
    }

    fn profile(&self, name: UserName) -> Answer<'_, Option<Profile>> {
        Box::pin(async move { self.0.profile(&name).await })
    }

    fn add_member(
        &self,
        who: Caller,
        key: ProjectKey,
        login: String,
        role: Role,
    ) -> Answer<'_, Outcome> {
        Box::pin(async move { self.0.add_member(who, key, login, role).await })
    }
}
