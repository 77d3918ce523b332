//! The port between the server functions (in this crate) and the server's
//! store and service (in the server crate, which this crate cannot name).
//! The server provides an `Arc<dyn Backend>` as Leptos context.

use futures::future::BoxFuture;
use std::sync::Arc;

use super::{
    ApiError, ApiTokenView, Caller, DeliveryView, IssueDetail, NewApiToken, NewShareLink,
    NewWebhookView, ProjectSnapshot, ProjectSummary, ShareLinkView, WebhookView,
};
use crate::domain::{
    CommandEnvelope, CommandId, Date, IssueKey, Outcome, ProjectKey, Timesheet, UserName,
};

/// Every read takes the `Caller` and checks its access on the server;
/// every write is a command, which the service authorizes for its actor.
pub trait Backend: Send + Sync + 'static {
    fn projects(&self, who: Caller) -> BoxFuture<'_, Result<Vec<ProjectSummary>, ApiError>>;
    fn project(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<ProjectSnapshot, ApiError>>;
    fn issue(&self, who: Caller, key: IssueKey) -> BoxFuture<'_, Result<IssueDetail, ApiError>>;
    /// Time logged in the project on the days `from..=to`.
    fn timesheet(
        &self,
        who: Caller,
        key: ProjectKey,
        from: Date,
        to: Date,
    ) -> BoxFuture<'_, Result<(crate::domain::Project, Timesheet), ApiError>>;
    /// The project and up to `limit` issues matching `query` (in its order),
    /// with how many matched in all.
    fn search(
        &self,
        who: Caller,
        key: ProjectKey,
        query: crate::domain::Query,
        me: UserName,
        limit: usize,
    ) -> BoxFuture<'_, Result<super::SearchHits, ApiError>>;
    /// Time travel: the project after global sequence `seq`.
    fn project_as_of(
        &self,
        who: Caller,
        key: ProjectKey,
        seq: u64,
    ) -> BoxFuture<'_, Result<super::PastProject, ApiError>>;
    /// Time travel for one issue: its page after global sequence `seq`,
    /// with its history up to then and the sequences of all its changes.
    fn issue_as_of(
        &self,
        who: Caller,
        key: IssueKey,
        seq: u64,
    ) -> BoxFuture<'_, Result<super::PastIssue, ApiError>>;
    /// The project's reports: the burndown of `sprint` (default: the
    /// active sprint, else the last started one), velocity, and the
    /// cumulative flow of the days `from..=to`.
    fn reports(
        &self,
        who: Caller,
        key: ProjectKey,
        sprint: Option<crate::domain::SprintNumber>,
        from: Date,
        to: Date,
    ) -> BoxFuture<'_, Result<super::ReportsPage, ApiError>>;
    fn execute(
        &self,
        actor: UserName,
        envelope: CommandEnvelope,
    ) -> BoxFuture<'_, Result<Outcome, ApiError>>;
    /// Executes based on the target's current version (the envelope's is
    /// ignored), read under the same lock: for "whatever it is now" commands.
    fn execute_at_head(
        &self,
        actor: UserName,
        envelope: CommandEnvelope,
    ) -> BoxFuture<'_, Result<Outcome, ApiError>>;
    /// The project stream alone (name, workflow, calendar, filters).
    fn project_settings(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<crate::domain::Project, ApiError>>;
    /// A fresh random command id, for commands the server starts itself.
    fn new_command_id(&self) -> CommandId;
    /// Invites the account `login` names (e-mail address or user name) with
    /// `role`. The caller must administer the project, checked before the
    /// login is looked up: anyone else gets the same 404 whatever the login,
    /// so only an admin learns whether an account exists.
    fn add_member(
        &self,
        who: Caller,
        key: ProjectKey,
        login: String,
        role: crate::domain::Role,
    ) -> BoxFuture<'_, Result<Outcome, ApiError>>;
    /// The project's share links: for its admins; `None` for other readers.
    fn share_links(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<Option<Vec<ShareLinkView>>, ApiError>>;
    /// A new share link (its admins only), valid until `expires` if given.
    fn create_share_link(
        &self,
        who: Caller,
        key: ProjectKey,
        label: String,
        expires: Option<crate::domain::UtcTime>,
    ) -> BoxFuture<'_, Result<NewShareLink, ApiError>>;
    /// Revokes a link at once, closing the sockets opened through it.
    fn revoke_share_link(
        &self,
        who: Caller,
        key: ProjectKey,
        id: i64,
    ) -> BoxFuture<'_, Result<(), ApiError>>;
    /// The project a share link's token opens: not found when there is no
    /// such link, or it was revoked or has expired.
    fn open_share_link(&self, token: String) -> BoxFuture<'_, Result<ProjectKey, ApiError>>;
    /// The project's webhooks: for its admins; `None` for other readers.
    fn webhooks(
        &self,
        who: Caller,
        key: ProjectKey,
    ) -> BoxFuture<'_, Result<Option<Vec<WebhookView>>, ApiError>>;
    /// Registers a webhook (admins only) for `events` (empty: all).
    fn create_webhook(
        &self,
        who: Caller,
        key: ProjectKey,
        url: String,
        events: Vec<String>,
    ) -> BoxFuture<'_, Result<NewWebhookView, ApiError>>;
    /// Deletes a webhook at once; its pending deliveries are cancelled.
    fn delete_webhook(
        &self,
        who: Caller,
        key: ProjectKey,
        id: i64,
    ) -> BoxFuture<'_, Result<(), ApiError>>;
    /// The newest `limit` deliveries of a webhook (admins only).
    fn webhook_deliveries(
        &self,
        who: Caller,
        key: ProjectKey,
        id: i64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<DeliveryView>, ApiError>>;
    /// The user's personal access tokens that are not revoked, newest first.
    fn api_tokens(&self, user: UserName) -> BoxFuture<'_, Result<Vec<ApiTokenView>, ApiError>>;
    /// A new token acting as `user`, valid until `expires` if given.
    fn create_api_token(
        &self,
        user: UserName,
        name: String,
        scope: super::TokenScope,
        expires: Option<crate::domain::UtcTime>,
    ) -> BoxFuture<'_, Result<NewApiToken, ApiError>>;
    /// Revokes one of the user's tokens at once.
    fn revoke_api_token(&self, user: UserName, id: i64) -> BoxFuture<'_, Result<(), ApiError>>;
    /// Changes `user`'s password after checking `current`; signs out every
    /// other session of the user (all but `keep`, this request's session id)
    /// and closes every board socket of theirs.
    fn change_password(
        &self,
        user: UserName,
        current: String,
        new: crate::domain::Password,
        keep: String,
    ) -> BoxFuture<'_, Result<(), ApiError>>;
    /// Keeps `user`'s colour theme (the browser keeps it in a cookie too).
    fn set_theme(
        &self,
        user: UserName,
        theme: crate::domain::Theme,
    ) -> BoxFuture<'_, Result<(), ApiError>>;
    /// The profile of an account, `None` when there is no such account.
    fn profile(
        &self,
        name: UserName,
    ) -> BoxFuture<'_, Result<Option<crate::domain::Profile>, ApiError>>;
}

/// The backend provided by the server for this request.
pub fn backend() -> Result<Arc<dyn Backend>, ApiError> {
    leptos::prelude::use_context::<Arc<dyn Backend>>().ok_or(ApiError::Unavailable)
}
