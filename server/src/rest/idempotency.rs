//! `Idempotency-Key`: a mutation sent again with the same key gets the first
//! answer and writes nothing, which makes retries and offline replays safe.
//!
//! Two layers: the command id is derived from (user, key), so the service's
//! command-id check makes the write exactly-once even when two copies race;
//! and the first answer is kept, so a repeat gets exactly the same reply.
//!
//! A kept answer is given again only if the caller may still see what it
//! shows (checked before replaying), and never holds a secret shown once
//! (a route keeps a redacted body instead, see [`Reply::keeping`]).

use crate::db::{Db, Sql};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use kanri_domain::{CommandId, UserName};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::problem::{PROBLEM_JSON, Problem, kind};
use super::request::Write;
use crate::service::now_ms;

/// How long first answers are kept. The derived command id keeps the write
/// exactly-once for ever; after this a repeat's reply is rebuilt instead.
const KEEP_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// An answer as sent and as kept: status, ETag (a version) and JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub etag: Option<u64>,
    pub body: Bytes,
    /// What to keep for a repeat instead of `body`, when the body shows a
    /// secret once.
    kept_body: Option<Bytes>,
}

impl Reply {
    pub fn json(status: StatusCode, etag: Option<u64>, body: &impl Serialize) -> Self {
        Self {
            status,
            etag,
            body: serde_json::to_vec(body).unwrap_or_default().into(),
            kept_body: None,
        }
    }

    /// This answer, kept for repeats as `redacted` (the same answer without
    /// what must be shown only once).
    pub fn keeping(self, redacted: &impl Serialize) -> Self {
        Self {
            kept_body: Some(serde_json::to_vec(redacted).unwrap_or_default().into()),
            ..self
        }
    }

    pub fn ok(etag: Option<u64>, body: &impl Serialize) -> Self {
        Self::json(StatusCode::OK, etag, body)
    }
}

impl From<Problem> for Reply {
    fn from(p: Problem) -> Self {
        let etag = p.conflict.as_ref().map(|c| c.current.version());
        Self::json(p.status(), etag, &p)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let kind = if self.status.is_client_error() || self.status.is_server_error() {
            PROBLEM_JSON
        } else {
            "application/json"
        };
        let mut res = (self.status, self.body).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        if let Some(v) = self.etag.and_then(|v| HeaderValue::from_str(&etag(v)).ok()) {
            headers.insert(header::ETAG, v);
        }
        res
    }
}

/// A version as an ETag: `"7"`.
pub fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

pub struct Answers {
    db: Db,
}

impl Answers {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Runs `write` once per (user, Idempotency-Key): a repeat of the same
    /// request gets the kept answer (marked `Idempotent-Replayed: true`) if
    /// `may_see` still allows it (its problem otherwise), a different request
    /// under a used key gets 422. `write` is given the command id to use.
    /// Without a key it simply runs.
    pub async fn once<F, Fut>(
        &self,
        w: &Write,
        body: &[u8],
        may_see: impl Future<Output = Result<(), Problem>>,
        write: F,
    ) -> Response
    where
        F: FnOnce(CommandId) -> Fut,
        Fut: Future<Output = Result<Reply, Problem>>,
    {
        let Some(key) = &w.idempotency_key else {
            let id = CommandId(uuid::Uuid::new_v4());
            return write(id).await.unwrap_or_else(Reply::from).into_response();
        };
        let fingerprint = fingerprint(&w.request_line, body);
        match self.kept(&w.user, key).await {
            Ok(Some((same, reply))) if same == fingerprint => {
                // Access may have been lost since (removed from the project).
                if let Err(p) = may_see.await {
                    return p.into_response();
                }
                let mut res = reply.into_response();
                res.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
                return res;
            }
            Ok(Some(_)) => {
                return Problem::new(
                    kind::IDEMPOTENCY_KEY_REUSED,
                    "send a new Idempotency-Key for a new request; a key stands for one request",
                )
                .into_response();
            }
            Ok(None) => {}
            Err(e) => return unavailable(e),
        }
        let reply = write(command_id(&w.user, key))
            .await
            .unwrap_or_else(Reply::from);
        // A failure the client should retry is not the answer to keep.
        if !reply.status.is_server_error()
            && let Err(e) = self.keep(&w.user, key, &fingerprint, &reply).await
        {
            tracing::error!(error = %e, "could not keep an idempotent answer");
        }
        reply.into_response()
    }

    async fn kept(
        &self,
        user: &UserName,
        key: &str,
    ) -> Result<Option<([u8; 32], Reply)>, sqlx::Error> {
        let find = Sql::query(
            "SELECT request_sha256, status, etag, body FROM idempotent_answers \
             WHERE \"user\" = ? AND key = ?",
        )
        .arg(user.as_str())
        .arg(key);
        let Some(row) = self.db.fetch_optional(&find).await? else {
            return Ok(None);
        };
        let hash = row.bytes("request_sha256")?;
        let reply = Reply {
            status: StatusCode::from_u16(row.int("status")? as u16).unwrap_or(StatusCode::OK),
            etag: row.opt_text("etag")?.and_then(|e| e.parse().ok()),
            body: Bytes::from(row.bytes("body")?),
            kept_body: None,
        };
        Ok(Some((hash.try_into().unwrap_or([0; 32]), reply)))
    }

    async fn keep(
        &self,
        user: &UserName,
        key: &str,
        fingerprint: &[u8; 32],
        reply: &Reply,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        self.db
            .execute(
                &Sql::query("DELETE FROM idempotent_answers WHERE created_ms < ?")
                    .arg(now - KEEP_MS),
            )
            .await?;
        // A racing copy may have kept its (identical) answer first.
        let insert = Sql::query(
            "INSERT INTO idempotent_answers \
             (\"user\", key, request_sha256, status, etag, body, created_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .arg(user.as_str())
        .arg(key)
        .arg(fingerprint.as_slice())
        .arg(i64::from(reply.status.as_u16()))
        .arg(reply.etag.map(|v| v.to_string()))
        .arg(reply.kept_body.as_ref().unwrap_or(&reply.body).as_ref())
        .arg(now);
        self.db.execute(&insert).await?;
        Ok(())
    }
}

fn unavailable(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "idempotency store error");
    Problem::from(app::api::ApiError::Unavailable).into_response()
}

/// What makes two requests the same: method, path and query, If-Match, body.
fn fingerprint(request_line: &str, body: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(request_line.as_bytes());
    hash.update([0]);
    hash.update(body);
    hash.finalize().into()
}

/// The command id of (user, key): the same for every copy of the request.
pub fn command_id(user: &UserName, key: &str) -> CommandId {
    let mut hash = Sha256::new();
    hash.update(b"kanri idempotency\0");
    hash.update(user.as_str().as_bytes());
    hash.update([0]);
    hash.update(key.as_bytes());
    let digest: [u8; 32] = hash.finalize().into();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    CommandId::from_random_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_one_command_per_user() {
        let alice = UserName::parse("alice").unwrap();
        let bob = UserName::parse("bob").unwrap();
        assert_eq!(command_id(&alice, "k1"), command_id(&alice, "k1"));
        assert_ne!(command_id(&alice, "k1"), command_id(&alice, "k2"));
        assert_ne!(command_id(&alice, "k1"), command_id(&bob, "k1"));
    }

    #[test]
    fn the_fingerprint_covers_the_request_line_and_the_body() {
        let base = fingerprint("PATCH /api/v1/issues/ABC-1 3", b"{}");
        assert_eq!(base, fingerprint("PATCH /api/v1/issues/ABC-1 3", b"{}"));
        assert_ne!(base, fingerprint("PATCH /api/v1/issues/ABC-1 4", b"{}"));
        assert_ne!(base, fingerprint("PATCH /api/v1/issues/ABC-2 3", b"{}"));
        assert_ne!(
            base,
            fingerprint("PATCH /api/v1/issues/ABC-1 3", b"{\"a\":1}")
        );
    }
}
