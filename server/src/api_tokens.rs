//! Personal access tokens for the REST API: `Authorization: Bearer kanri_…`.
//! A token acts as its owner, with the owner's roles, limited by its scope
//! (`read` or `read-write`); it is shown once and only its SHA-256 is stored. Its owner lists and revokes it in account
//! settings.

use app::api::{ApiTokenView, Credential, TokenScope};
use kanri_domain::{UserName, UtcTime};
use sqlx::{Row, SqlitePool};
use tokio::sync::broadcast;

use crate::capped::{self, Cap, CapError};
use crate::secret::Secret;

/// Marks the text as a Kanri token, so secret scanners (and people) can tell.
pub const TOKEN_PREFIX: &str = "kanri_";
/// Tokens one account may have at once.
pub const MAX_TOKENS_PER_USER: i64 = 50;
/// How often a token's "last used" is written at most: a sync client would
/// otherwise write on every request.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// Live (not revoked) tokens per account.
pub const TOKENS: Cap = Cap {
    table: "api_tokens",
    owner: "user",
    live: "revoked_ms IS NULL",
    max: MAX_TOKENS_PER_USER,
    what: "API tokens",
    holder: "an account",
    field: "name",
};

pub struct ApiTokens {
    db: SqlitePool,
    /// The owner of every token revoked, for the sockets opened with one of
    /// theirs (each checks whether its own token still works).
    revoked: broadcast::Sender<UserName>,
}

impl ApiTokens {
    pub fn new(db: SqlitePool) -> Self {
        Self {
            db,
            revoked: broadcast::channel(64).0,
        }
    }

    /// Revocations (by owner) from now on.
    pub fn revocations(&self) -> broadcast::Receiver<UserName> {
        self.revoked.subscribe()
    }

    /// A new token for `user`; the text (`kanri_…`) is returned only here.
    #[tracing::instrument(skip(self, name))]
    pub async fn create(
        &self,
        user: &UserName,
        name: &str,
        scope: TokenScope,
        expires_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(ApiTokenView, String), CapError> {
        let secret = Secret::generate();
        let hash = secret.sha256().to_vec();
        let id = capped::insert(
            &self.db,
            &TOKENS,
            user.as_str(),
            "user, name, scope, token_sha256, created_ms, expires_ms",
            |v| {
                v.push_bind(user.to_string())
                    .push_bind(name.to_owned())
                    .push_bind(scope.as_str())
                    .push_bind(hash)
                    .push_bind(now_ms)
                    .push_bind(expires_ms);
            },
        )
        .await?;
        let view = ApiTokenView {
            id,
            name: name.to_owned(),
            scope,
            created: UtcTime::from_unix_ms(now_ms),
            expires: expires_ms.map(UtcTime::from_unix_ms),
            last_used: None,
        };
        Ok((view, format!("{TOKEN_PREFIX}{secret}")))
    }

    /// The user's tokens that are not revoked, newest first.
    pub async fn list(&self, user: &UserName) -> Result<Vec<ApiTokenView>, CapError> {
        let rows = sqlx::query(
            "SELECT id, name, scope, created_ms, expires_ms, last_used_ms FROM api_tokens \
             WHERE user = ? AND revoked_ms IS NULL ORDER BY id DESC",
        )
        .bind(user.as_str())
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .iter()
            .map(|row| ApiTokenView {
                id: row.get("id"),
                name: row.get("name"),
                scope: stored_scope(row.get("scope")),
                created: UtcTime::from_unix_ms(row.get("created_ms")),
                expires: row
                    .get::<Option<i64>, _>("expires_ms")
                    .map(UtcTime::from_unix_ms),
                last_used: row
                    .get::<Option<i64>, _>("last_used_ms")
                    .map(UtcTime::from_unix_ms),
            })
            .collect())
    }

    /// Revokes the user's token `id` at once; `false` when the user has no
    /// such live token. The sockets opened with it hear of it at once.
    #[tracing::instrument(skip(self))]
    pub async fn revoke(&self, user: &UserName, id: i64, now_ms: i64) -> Result<bool, CapError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND user = ? AND revoked_ms IS NULL",
        )
        .bind(now_ms)
        .bind(id)
        .bind(user.as_str())
        .execute(&self.db)
        .await?
        .rows_affected()
            == 1;
        if done {
            let _ = self.revoked.send(user.clone());
        }
        Ok(done)
    }

    /// The owner of a live token (not revoked, not expired) and the token as
    /// a credential (its id and scope), noting its use; `None` for anything
    /// else.
    pub async fn authenticate(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<(UserName, Credential)>, CapError> {
        let Some(secret) = token.strip_prefix(TOKEN_PREFIX).and_then(Secret::parse) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT id, user, scope, last_used_ms FROM api_tokens WHERE token_sha256 = ? \
             AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?)",
        )
        .bind(secret.sha256().as_slice())
        .bind(now_ms)
        .fetch_optional(&self.db)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stale = row
            .get::<Option<i64>, _>("last_used_ms")
            .is_none_or(|last| now_ms - last >= LAST_USED_RESOLUTION_MS);
        if stale {
            sqlx::query("UPDATE api_tokens SET last_used_ms = ? WHERE id = ?")
                .bind(now_ms)
                .bind(row.get::<i64, _>("id"))
                .execute(&self.db)
                .await?;
        }
        let credential = Credential::Token {
            id: row.get("id"),
            scope: stored_scope(row.get("scope")),
            bearer: token.to_owned(),
        };
        Ok(UserName::parse(row.get::<&str, _>("user"))
            .ok()
            .map(|user| (user, credential)))
    }
}

/// A stored scope; the table's CHECK allows only the two names, and
/// anything else is taken as the narrower one.
fn stored_scope(raw: &str) -> TokenScope {
    TokenScope::parse(raw).unwrap_or(TokenScope::Read)
}
