//! The capped secret resources: a project's share links and webhooks (its
//! admins manage them) and a user's API tokens. Each is shown once when
//! created, kept as a hash or behind its admins, and capped per owner by
//! one helper (`crate::capped`) that counts and inserts atomically.

use app::api::{
    ApiError, ApiTokenView, Caller, DeliveryView, NewApiToken, NewShareLink, NewWebhookView,
    ShareLinkView, TokenScope, WebhookView,
};
use kanri_domain::*;

use super::{UseCases, unavailable};
use crate::service::now_ms;
use crate::webhooks::parse_events;

/// A removal's answer: not found, naming `what`, when it found no live row.
fn found(removed: bool, what: impl FnOnce() -> String) -> Result<(), ApiError> {
    if removed {
        Ok(())
    } else {
        Err(ApiError::NotFound(what()))
    }
}

impl UseCases {
    /// The project's share links: for its admins; `None` for other readers.
    #[tracing::instrument(skip(self))]
    pub async fn share_links(
        &self,
        who: &Caller,
        key: &ProjectKey,
    ) -> Result<Option<Vec<ShareLinkView>>, ApiError> {
        if self.readable(who, key).await? < Role::Admin {
            return Ok(None);
        }
        Ok(Some(self.shares.list(key).await?))
    }

    /// A new share link (its admins only), valid until `expires` if given.
    #[tracing::instrument(skip(self, label))]
    pub async fn create_share_link(
        &self,
        who: Caller,
        key: &ProjectKey,
        label: &str,
        expires: Option<UtcTime>,
    ) -> Result<NewShareLink, ApiError> {
        let admin = self.acting_admin(who, key).await?;
        let (link, token) = self
            .shares
            .create(key, &admin, label, expires.map(UtcTime::unix_ms), now_ms())
            .await?;
        tracing::info!(project = %key, link = link.id, %admin, "share link created");
        Ok(NewShareLink {
            link,
            path: format!("/s/{token}"),
        })
    }

    /// Revokes a link at once, closing the sockets opened through it.
    #[tracing::instrument(skip(self))]
    pub async fn revoke_share_link(
        &self,
        who: Caller,
        key: &ProjectKey,
        id: i64,
    ) -> Result<(), ApiError> {
        let admin = self.acting_admin(who, key).await?;
        let revoked = self.shares.revoke(key, id, &admin, now_ms()).await?;
        found(revoked, || format!("share link {id}"))?;
        tracing::info!(project = %key, link = id, %admin, "share link revoked");
        Ok(())
    }

    /// The project a share link's token opens: not found when there is no
    /// such link, or it was revoked or has expired.
    #[tracing::instrument(skip_all)]
    pub async fn open_share_link(&self, token: &str) -> Result<ProjectKey, ApiError> {
        match self.shares.open(token, now_ms()).await? {
            Some(link) => Ok(link.project),
            None => Err(ApiError::NotFound("share link".into())),
        }
    }

    /// The project's webhooks: for its admins; `None` for other readers.
    #[tracing::instrument(skip(self))]
    pub async fn webhooks(
        &self,
        who: &Caller,
        key: &ProjectKey,
    ) -> Result<Option<Vec<WebhookView>>, ApiError> {
        if self.readable(who, key).await? < Role::Admin {
            return Ok(None);
        }
        Ok(Some(self.webhooks.list(key).await?))
    }

    /// Registers a webhook (admins only) for `events` (empty: all), which
    /// receives the events appended from now on.
    #[tracing::instrument(skip(self, url, events))]
    pub async fn create_webhook(
        &self,
        who: Caller,
        key: &ProjectKey,
        url: &str,
        events: &[String],
    ) -> Result<NewWebhookView, ApiError> {
        let url = ApiError::field("url", self.webhooks.parse_url(url))?;
        let events = ApiError::field("events", parse_events(events))?;
        let admin = self.acting_admin(who, key).await?;
        let head = self.kanri.store().head(None).await.map_err(unavailable)?;
        let new = self
            .webhooks
            .create(key, &url, &events, &admin, head, now_ms())
            .await?;
        tracing::info!(project = %key, webhook = new.webhook.id, %admin, "webhook registered");
        Ok(new)
    }

    /// Deletes a webhook at once; its pending deliveries are cancelled.
    #[tracing::instrument(skip(self))]
    pub async fn delete_webhook(
        &self,
        who: Caller,
        key: &ProjectKey,
        id: i64,
    ) -> Result<(), ApiError> {
        let admin = self.acting_admin(who, key).await?;
        let deleted = self.webhooks.delete(key, id, &admin, now_ms()).await?;
        found(deleted, || format!("webhook {id}"))?;
        tracing::info!(project = %key, webhook = id, %admin, "webhook deleted");
        Ok(())
    }

    /// The newest `limit` deliveries of a webhook (admins only).
    #[tracing::instrument(skip(self))]
    pub async fn webhook_deliveries(
        &self,
        who: &Caller,
        key: &ProjectKey,
        id: i64,
        limit: u32,
    ) -> Result<Vec<DeliveryView>, ApiError> {
        self.allowed(who, key, Role::Admin).await?;
        self.webhooks
            .deliveries(key, id, limit)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("webhook {id}")))
    }

    /// The user's API tokens that are not revoked, newest first.
    #[tracing::instrument(skip(self))]
    pub async fn api_tokens(&self, user: &UserName) -> Result<Vec<ApiTokenView>, ApiError> {
        Ok(self.tokens.list(user).await?)
    }

    /// A new token acting as `user`, valid until `expires` if given; its
    /// secret is in this answer only.
    #[tracing::instrument(skip(self, name))]
    pub async fn create_api_token(
        &self,
        user: &UserName,
        name: &str,
        scope: TokenScope,
        expires: Option<UtcTime>,
    ) -> Result<NewApiToken, ApiError> {
        let (token, secret) = self
            .tokens
            .create(user, name, scope, expires.map(UtcTime::unix_ms), now_ms())
            .await?;
        tracing::info!(token = token.id, %user, %scope, "API token created");
        Ok(NewApiToken { token, secret })
    }

    /// Revokes one of the user's tokens at once.
    #[tracing::instrument(skip(self))]
    pub async fn revoke_api_token(&self, user: &UserName, id: i64) -> Result<(), ApiError> {
        let revoked = self.tokens.revoke(user, id, now_ms()).await?;
        found(revoked, || format!("API token {id}"))?;
        tracing::info!(token = id, %user, "API token revoked");
        Ok(())
    }
}
