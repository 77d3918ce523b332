//! A project's webhooks, for its admins in settings: register (URL and
//! event filter), delete, and read each one's delivery log.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::functions::{caller, project_key, reply, row_id, writing_caller};
use super::{ApiError, DeliveryView, NewWebhookView, WebhookView};

/// Deliveries the settings show per webhook.
pub const DELIVERIES_SHOWN: u32 = 10;

/// The project's webhooks with their latest deliveries, for its admins;
/// `None` for its other readers.
#[server(prefix = "/api/fn", endpoint = "webhooks")]
pub async fn webhooks(
    project: String,
) -> Result<Option<Vec<(WebhookView, Vec<DeliveryView>)>>, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let (backend, who) = caller().await?;
            let Some(hooks) = backend.webhooks(who.clone(), key.clone()).await? else {
                return Ok(None);
            };
            let mut shown = Vec::with_capacity(hooks.len());
            for hook in hooks {
                let log = backend
                    .webhook_deliveries(who.clone(), key.clone(), hook.id, DELIVERIES_SHOWN)
                    .await?;
                shown.push((hook, log));
            }
            Ok(Some(shown))
        }
        .await,
    )
}

/// `events`: event types separated by commas or spaces; empty for all.
#[server(prefix = "/api/fn", endpoint = "create_webhook")]
pub async fn create_webhook(
    project: String,
    url: String,
    events: String,
) -> Result<NewWebhookView, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let events = events
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect();
            let (backend, who) = writing_caller().await?;
            backend.create_webhook(who, key, url, events).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "delete_webhook")]
pub async fn delete_webhook(project: String, id: String) -> Result<(), ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let id = row_id("webhook", &id)?;
            let (backend, who) = writing_caller().await?;
            backend.delete_webhook(who, key, id).await
        }
        .await,
    )
}
