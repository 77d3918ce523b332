//! The delivery worker: follows the log for every live webhook (each from
//! its own position), queues the matching events, and sends what is due.

use crate::db::{Db, Sql};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tracing::Instrument;

use kanri_domain::ProjectKey;

use super::delivery::{Courier, Request};
use super::targets::Targets;

use crate::rest::EventResource;
use crate::service::now_ms;
use crate::store::Store;

/// The longest the worker sleeps without news from the hub: it also picks
/// up webhooks deleted meanwhile, and retries that come due.
const IDLE: Duration = Duration::from_secs(5);
/// Events queued per webhook per pass, and deliveries sent per pass.
const BATCH: u32 = 100;

/// When failed deliveries are retried: after `first_ms`, then twice as long
/// each time up to `max_ms`; given up after `attempts` attempts.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first_ms: i64,
    pub max_ms: i64,
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first_ms: 10_000,
            max_ms: 60 * 60 * 1000,
            attempts: 8,
        }
    }
}

impl Backoff {
    /// The wait before the attempt after `failed` failed ones.
    pub fn delay_ms(&self, failed: u32) -> i64 {
        let doubled = self
            .first_ms
            .saturating_mul(1_i64 << failed.saturating_sub(1).min(30));
        doubled.min(self.max_ms)
    }
}

/// Runs until `stop` turns true: a pass whenever the log grows (`head`),
/// when a retry comes due, and at least every [`IDLE`].
#[tracing::instrument(name = "webhook_worker", skip_all)]
pub async fn run(
    db: Db,
    store: Store,
    backoff: Backoff,
    targets: Targets,
    mut head: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    let courier = match Courier::new(targets) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client: webhooks are off");
            return;
        }
    };
    let senders = Senders::default();
    loop {
        if let Err(e) = enqueue(&db, &store).await {
            tracing::warn!(error = %e, "webhooks: could not queue events");
        }
        if let Err(e) = start_due(&db, &courier, backoff, &senders).await {
            tracing::warn!(error = %e, "webhooks: could not send deliveries");
        }
        let pause = next_due_in(&db).await.unwrap_or(IDLE).min(IDLE);
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            changed = head.changed() => if changed.is_err() { return },
            // A sender is done: what came due for its webhook meanwhile can go.
            _ = senders.done.notified() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// The webhooks whose deliveries are being sent, one task per webhook.
#[derive(Default, Clone)]
struct Senders {
    busy: Arc<Mutex<HashSet<i64>>>,
    done: Arc<Notify>,
}

/// How long until the next delivery that is not due yet comes due. (Those
/// due now are being sent, or go when their webhook's sender is done.)
async fn next_due_in(db: &Db) -> Option<Duration> {
    let now = now_ms();
    let sql = Sql::query(
        "SELECT MIN(next_attempt_ms) FROM webhook_deliveries \
         WHERE state = 'pending' AND next_attempt_ms > ?",
    )
    .arg(now);
    let next = db.fetch_all(&sql).await.ok()?.first()?.opt_int(0).ok()?;
    Some(Duration::from_millis(
        next?.saturating_sub(now).max(0) as u64
    ))
}

/// Queues, for every live webhook, the matching events after its position.
async fn enqueue(db: &Db, store: &Store) -> Result<(), Box<dyn std::error::Error>> {
    let hooks = db
        .fetch_all(&Sql::new(
            "SELECT id, project, events, after_seq FROM webhooks WHERE deleted_ms IS NULL",
        ))
        .await?;
    for hook in hooks {
        let id = hook.int("id")?;
        let Ok(project) = ProjectKey::parse(&hook.text("project")?) else {
            continue;
        };
        let wanted: Vec<String> = serde_json::from_str(&hook.text("events")?).unwrap_or_default();
        let after = hook.int("after_seq")? as u64;
        let events = store.events_after(Some(&project), after, BATCH).await?;
        let Some(last) = events.last().map(|r| r.seq) else {
            continue;
        };
        let now = now_ms();
        let mut batch = Sql::default();
        for recorded in &events {
            let event = EventResource::from(recorded);
            if !wanted.is_empty() && !wanted.contains(&event.kind) {
                continue;
            }
            let body = json!({ "webhook": id, "project": project.as_str(), "event": event });
            batch
                .push(
                    "INSERT INTO webhook_deliveries \
                     (webhook, seq, event_type, body, state, next_attempt_ms, created_ms) VALUES (",
                )
                .push_bind(id)
                .push(", ")
                .push_bind(recorded.seq as i64)
                .push(", ")
                .push_bind(event.kind.as_str())
                .push(", ")
                .push_bind(body.to_string())
                .push(", 'pending', ")
                .push_bind(now)
                .push(", ")
                .push_bind(now)
                .push(") ON CONFLICT DO NOTHING")
                .end();
        }
        batch
            .push("UPDATE webhooks SET after_seq = ")
            .push_bind(last as i64)
            .push(" WHERE id = ")
            .push_bind(id)
            .push(" AND after_seq < ")
            .push_bind(last as i64);
        // Several statements: `execute` runs them in one transaction.
        db.execute(&batch).await?;
    }
    Ok(())
}

/// `t=…,v1=…`: HMAC-SHA256 with the webhook's secret over `{t}.{body}`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// Starts sending the deliveries that are due: one task per webhook, which
/// sends that webhook's deliveries one after the other, so a slow receiver
/// holds back only its own. A webhook whose task still runs is left to it.
async fn start_due(
    db: &Db,
    courier: &Courier,
    backoff: Backoff,
    senders: &Senders,
) -> Result<(), sqlx::Error> {
    // A webhook deleted while its events were being queued sends nothing.
    db.execute(&Sql::new(
        "UPDATE webhook_deliveries SET state = 'cancelled' WHERE state = 'pending' \
         AND webhook IN (SELECT id FROM webhooks WHERE deleted_ms IS NOT NULL)",
    ))
    .await?;
    let due = Sql::query(
        "SELECT d.id, d.webhook, d.body, d.event_type, d.attempts, w.url, w.secret \
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook \
         WHERE d.state = 'pending' AND d.next_attempt_ms <= ? AND w.deleted_ms IS NULL \
         ORDER BY d.id LIMIT ?",
    )
    .arg(now_ms())
    .arg(BATCH);
    let mut by_webhook: BTreeMap<i64, Vec<Due>> = BTreeMap::new();
    for row in db.fetch_all(&due).await? {
        by_webhook
            .entry(row.int("webhook")?)
            .or_default()
            .push(Due {
                id: row.int("id")?,
                body: row.text("body")?,
                url: row.text("url")?,
                secret: row.text("secret")?,
                event_type: row.text("event_type")?,
                attempts: row.int("attempts")? as u32 + 1,
            });
    }
    for (webhook, queue) in by_webhook {
        if !senders.busy.lock().expect("not poisoned").insert(webhook) {
            continue;
        }
        let (db, courier, senders) = (db.clone(), courier.clone(), senders.clone());
        let span = tracing::info_span!("webhook_sender", webhook);
        tokio::spawn(
            async move {
            // Each delivery is retried on its own schedule: one the receiver
            // keeps refusing does not hold back the events after it.
            for due in queue {
                if let Err(e) = attempt(&db, &courier, backoff, due).await {
                    tracing::warn!(error = %e, webhook, "webhooks: could not record an attempt");
                    break;
                }
            }
            senders.busy.lock().expect("not poisoned").remove(&webhook);
            senders.done.notify_one();
        }
            .instrument(span),
        );
    }
    Ok(())
}

/// One delivery that is due.
struct Due {
    id: i64,
    body: String,
    url: String,
    secret: String,
    event_type: String,
    /// This attempt's number, from 1.
    attempts: u32,
}

/// How long a claimed delivery is left to its sender before it counts as
/// due again: longer than any send can take, so a delivery is sent twice
/// only when the sender died mid-send.
const CLAIM_MS: i64 = 2 * super::delivery::TIMEOUT.as_millis() as i64;

/// Claims a due delivery for this attempt, so that it is sent once even
/// when the list it came from is stale (a sender that finished after the
/// list was read) or another worker read it too. False: someone else has it.
async fn claim(db: &Db, due: &Due, now: i64) -> Result<bool, sqlx::Error> {
    let sql = Sql::query(
        "UPDATE webhook_deliveries SET next_attempt_ms = ? \
         WHERE id = ? AND state = 'pending' AND attempts = ? AND next_attempt_ms <= ?",
    )
    .arg(now + CLAIM_MS)
    .arg(due.id)
    .arg(i64::from(due.attempts - 1))
    .arg(now);
    Ok(db.execute(&sql).await? == 1)
}

/// Sends one delivery and records the attempt.
#[tracing::instrument(skip_all, fields(delivery = due.id, attempt = due.attempts))]
async fn attempt(
    db: &Db,
    courier: &Courier,
    backoff: Backoff,
    due: Due,
) -> Result<(), sqlx::Error> {
    let sent_at = now_ms();
    if !claim(db, &due, sent_at).await? {
        tracing::debug!("delivery already taken");
        return Ok(());
    }
    tracing::debug!("sending a webhook delivery");
    let signature = signature(&due.secret, sent_at / 1000, &due.body);
    let (status, failure) = courier
        .send(Request {
            url: &due.url,
            headers: [
                ("kanri-event", due.event_type),
                ("kanri-delivery", due.id.to_string()),
                ("kanri-signature", signature),
            ],
            body: due.body,
        })
        .await;
    let attempts = due.attempts;
    let (state, next) = match &failure {
        None => ("delivered", sent_at),
        Some(_) if attempts >= backoff.attempts => ("failed", sent_at),
        // The wait counts from the failure, not from when the attempt began.
        Some(_) => ("pending", now_ms() + backoff.delay_ms(attempts)),
    };
    tracing::debug!(
        state,
        ?status,
        failure = failure.map(|f| f.class()),
        "webhook attempt"
    );
    let record = Sql::query(
        "UPDATE webhook_deliveries SET state = ?, attempts = ?, last_status = ?, last_error = ?, \
         last_failure = ?, last_attempt_ms = ?, next_attempt_ms = ? \
         WHERE id = ? AND state = 'pending' AND attempts = ?",
    )
    .arg(state)
    .arg(i64::from(attempts))
    .arg(status.map(|s| i64::from(s.as_u16())))
    .arg(failure.map(|f| f.describe()))
    .arg(failure.map(|f| f.class()))
    .arg(sent_at)
    .arg(next)
    .arg(due.id)
    .arg(i64::from(attempts - 1));
    db.execute(&record).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_cap() {
        let b = Backoff {
            first_ms: 1000,
            max_ms: 5000,
            attempts: 8,
        };
        let waits: Vec<i64> = (1..=5).map(|n| b.delay_ms(n)).collect();
        assert_eq!(waits, [1000, 2000, 4000, 5000, 5000]);
        assert_eq!(Backoff::default().delay_ms(40), 60 * 60 * 1000);
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = signature("Jefe", 0, "what do ya want for nothing?");
        // Over "0.what do ya want for nothing?", so not the RFC's digest:
        assert!(sig.starts_with("t=0,v1="));
        assert_eq!(sig.len(), "t=0,v1=".len() + 64);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
