//! Webhooks: a project's admins register a URL and the event types it
//! wants; every matching event of the log is POSTed to it with its sequence
//! number, signed with HMAC-SHA256, retried with exponential backoff, and
//! kept in a delivery log. Deleting a webhook stops its deliveries at once.

mod delivery;
mod failure;
mod resolve;
mod targets;
mod worker;

pub use targets::{Blocked, Targets};
pub use worker::{Backoff, run};

use crate::db::{Db, Sql};
use app::api::{DeliveryView, NewWebhookView, WebhookView};
use kanri_domain::{ProjectKey, UserName};

use crate::capped::{self, Cap, CapError};
use crate::secret::Secret;

/// Webhooks one project may have at once.
pub const MAX_WEBHOOKS_PER_PROJECT: i64 = 20;
/// The longest URL accepted.
pub const MAX_URL: usize = 2000;

/// Live (not deleted) webhooks per project.
pub const WEBHOOKS: Cap = Cap {
    table: "webhooks",
    owner: "project",
    live: "deleted_ms IS NULL",
    max: MAX_WEBHOOKS_PER_PROJECT,
    what: "webhooks",
    holder: "a project",
    field: "url",
};

/// A webhook URL: `http` or `https` with a host, at most [`MAX_URL`] long,
/// whose host, when it is a literal address, `targets` allows. A host name
/// is checked at each delivery instead, on the addresses it has then.
pub fn parse_url(raw: &str, targets: Targets) -> Result<String, String> {
    if raw.len() > MAX_URL {
        return Err(format!("a URL has at most {MAX_URL} characters"));
    }
    let parsed = reqwest::Url::parse(raw.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err("the URL must be http:// or https:// with a host".into());
    }
    if let Some(why) = resolve::literal_refused(&parsed, targets) {
        let host = parsed.host_str().unwrap_or_default();
        return Err(format!(
            "{host} is {why}: webhooks may only reach public addresses"
        ));
    }
    Ok(parsed.to_string())
}

/// Event types for a filter: each one of the log's (none: all).
pub fn parse_events(raw: &[String]) -> Result<Vec<String>, String> {
    let mut events = Vec::new();
    for e in raw.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !kanri_domain::EVENT_TYPES.contains(&e) {
            return Err(format!("{e:?} is no event type"));
        }
        if !events.iter().any(|x| x == e) {
            events.push(e.to_owned());
        }
    }
    Ok(events)
}

pub struct Webhooks {
    db: Db,
    targets: Targets,
}

impl Webhooks {
    pub fn new(db: Db, targets: Targets) -> Self {
        Self { db, targets }
    }

    /// A URL for a new webhook of this server (see [`parse_url`]).
    pub fn parse_url(&self, raw: &str) -> Result<String, String> {
        parse_url(raw, self.targets)
    }

    /// A new webhook for the events after `head` (the log's current end).
    #[tracing::instrument(skip(self, events))]
    pub async fn create(
        &self,
        project: &ProjectKey,
        url: &str,
        events: &[String],
        by: &UserName,
        head: u64,
        now_ms: i64,
    ) -> Result<NewWebhookView, CapError> {
        let secret = format!("whsec_{}", Secret::generate());
        let filter = serde_json::to_string(events).unwrap_or_else(|_| "[]".into());
        let id = capped::insert(
            &self.db,
            &WEBHOOKS,
            project.as_str(),
            "project, url, events, secret, created_by, created_ms, after_seq",
            |v| {
                v.bind(project.as_str())
                    .bind(url)
                    .bind(filter)
                    .bind(secret.as_str())
                    .bind(by.as_str())
                    .bind(now_ms)
                    .bind(head as i64);
            },
        )
        .await?;
        let webhook = WebhookView {
            id,
            url: url.to_owned(),
            events: events.to_vec(),
            created_by: by.to_string(),
            created_ms: now_ms,
        };
        Ok(NewWebhookView { webhook, secret })
    }

    /// The project's live webhooks, oldest first.
    pub async fn list(&self, project: &ProjectKey) -> Result<Vec<WebhookView>, CapError> {
        let sql = Sql::query(
            "SELECT id, url, events, created_by, created_ms FROM webhooks \
             WHERE project = ? AND deleted_ms IS NULL ORDER BY id",
        )
        .arg(project.as_str());
        let rows = self.db.fetch_all(&sql).await?;
        rows.iter()
            .map(|row| {
                Ok(WebhookView {
                    id: row.int("id")?,
                    url: row.text("url")?,
                    events: serde_json::from_str(&row.text("events")?).unwrap_or_default(),
                    created_by: row.text("created_by")?,
                    created_ms: row.int("created_ms")?,
                })
            })
            .collect()
    }

    /// Deletes webhook `id` of `project`; its pending deliveries are
    /// cancelled. `false` when there is no such live webhook.
    #[tracing::instrument(skip(self))]
    pub async fn delete(
        &self,
        project: &ProjectKey,
        id: i64,
        by: &UserName,
        now_ms: i64,
    ) -> Result<bool, CapError> {
        let mut tx = self.db.begin().await?;
        let delete = Sql::query(
            "UPDATE webhooks SET deleted_by = ?, deleted_ms = ? \
             WHERE id = ? AND project = ? AND deleted_ms IS NULL",
        )
        .arg(by.as_str())
        .arg(now_ms)
        .arg(id)
        .arg(project.as_str());
        let done = tx.conn().execute(&delete).await? == 1;
        let cancel = Sql::query(
            "UPDATE webhook_deliveries SET state = 'cancelled' WHERE webhook = ? AND state = 'pending'",
        )
        .arg(id);
        tx.conn().execute(&cancel).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The newest `limit` deliveries of the project's webhook `id` (deleted
    /// ones included, for the audit); `None` when it has no such webhook.
    pub async fn deliveries(
        &self,
        project: &ProjectKey,
        id: i64,
        limit: u32,
    ) -> Result<Option<Vec<DeliveryView>>, CapError> {
        let owned = Sql::query("SELECT id FROM webhooks WHERE id = ? AND project = ?")
            .arg(id)
            .arg(project.as_str());
        if self.db.fetch_optional(&owned).await?.is_none() {
            return Ok(None);
        }
        let sql = Sql::query(
            "SELECT id, seq, event_type, state, attempts, last_status, last_error, last_failure, \
             last_attempt_ms, next_attempt_ms FROM webhook_deliveries WHERE webhook = ? ORDER BY id DESC LIMIT ?",
        )
        .arg(id)
        .arg(limit);
        let rows = self.db.fetch_all(&sql).await?;
        rows.iter()
            .map(|row| {
                let state = row.text("state")?;
                Ok(DeliveryView {
                    id: row.int("id")?,
                    seq: row.int("seq")? as u64,
                    event_type: row.text("event_type")?,
                    attempts: row.int("attempts")? as u32,
                    last_status: row.opt_int("last_status")?.map(|s| s as u16),
                    last_error: row.opt_text("last_error")?,
                    last_failure: row.opt_text("last_failure")?,
                    last_attempt_ms: row.opt_int("last_attempt_ms")?,
                    next_attempt_ms: if state == "pending" {
                        Some(row.int("next_attempt_ms")?)
                    } else {
                        None
                    },
                    state,
                })
            })
            .collect::<Result<Vec<_>, CapError>>()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_addresses_are_checked_at_creation_and_names_are_not() {
        let public = Targets::PublicOnly;
        for ok in [
            "http://93.184.216.34/hook",
            "https://[2606:4700::1111]/",
            "https://hooks.example.com/kanri",
            "http://localhost:9/hook",
        ] {
            assert!(parse_url(ok, public).is_ok(), "{ok}");
        }
        for refused in [
            "http://127.0.0.1:9/hook",
            "http://[::ffff:10.0.0.1]/",
            "http://169.254.169.254/",
            "http://2130706433/",
            "http://0/",
        ] {
            let error = parse_url(refused, public).unwrap_err();
            assert!(error.contains("public addresses"), "{refused}: {error}");
        }
        assert_eq!(
            parse_url("http://127.0.0.1:9/hook", public).unwrap_err(),
            "127.0.0.1 is a loopback address: webhooks may only reach public addresses"
        );
        assert!(parse_url("http://127.0.0.1:9/hook", Targets::Any).is_ok());
        assert!(parse_url("ftp://127.0.0.1/", Targets::Any).is_err());
    }
}
