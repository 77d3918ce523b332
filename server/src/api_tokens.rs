//! Personal access tokens for the REST API: `Authorization: Bearer kanri_…`.
//! A token acts as its owner, with the owner's roles, limited by its scope
//! (`read` or `read-write`); it is shown once and only its SHA-256 is stored. Its owner lists and revokes it in account
//! settings.

use crate::db::{Db, Sql};
use app::api::{ApiTokenView, Credential, TokenScope};
use kanri_domain::{UserName, UtcTime};
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
    // Quoted: `user` alone is SQL's CURRENT_USER on PostgreSQL.
    owner: "\"user\"",
    live: "revoked_ms IS NULL",
    max: MAX_TOKENS_PER_USER,
    what: "API tokens",
    holder: "an account",
    field: "name",
};

pub struct ApiTokens {
    db: Db,
    /// The owner of every token revoked, for the sockets opened with one of
    /// theirs (each checks whether its own token still works).
    revoked: broadcast::Sender<UserName>,
}

impl ApiTokens {
    pub fn new(db: Db) -> Self {
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
            "\"user\", name, scope, token_sha256, created_ms, expires_ms",
            |v| {
                v.bind(user.as_str())
                    .bind(name)
                    .bind(scope.as_str())
                    .bind(hash)
                    .bind(now_ms)
                    .bind(expires_ms);
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
        let sql = Sql::query(
            "SELECT id, name, scope, created_ms, expires_ms, last_used_ms FROM api_tokens \
             WHERE \"user\" = ? AND revoked_ms IS NULL ORDER BY id DESC",
        )
        .arg(user.as_str());
        let rows = self.db.fetch_all(&sql).await?;
        rows.iter()
            .map(|row| {
                Ok(ApiTokenView {
                    id: row.int("id")?,
                    name: row.text("name")?,
                    scope: stored_scope(&row.text("scope")?),
                    created: UtcTime::from_unix_ms(row.int("created_ms")?),
                    expires: row.opt_int("expires_ms")?.map(UtcTime::from_unix_ms),
                    last_used: row.opt_int("last_used_ms")?.map(UtcTime::from_unix_ms),
                })
            })
            .collect()
    }

    /// Revokes the user's token `id` at once; `false` when the user has no
    /// such live token. The sockets opened with it hear of it at once.
    #[tracing::instrument(skip(self))]
    pub async fn revoke(&self, user: &UserName, id: i64, now_ms: i64) -> Result<bool, CapError> {
        let revoke = Sql::query(
            "UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND \"user\" = ? AND revoked_ms IS NULL",
        )
        .arg(now_ms)
        .arg(id)
        .arg(user.as_str());
        let done = self.db.execute(&revoke).await? == 1;
        if done {
            let _ = self.revoked.send(user.clone());
            let end = crate::nodes::AccessEnd::Token { user: user.clone() };
            crate::nodes::announce(&self.db, end).await;
        }
        Ok(done)
    }

    /// One of `user`'s tokens was revoked through another node: the sockets
    /// opened with their tokens here check theirs again.
    pub fn revoked_elsewhere(&self, user: UserName) {
        let _ = self.revoked.send(user);
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
        let find = Sql::query(
            "SELECT id, \"user\", scope, last_used_ms FROM api_tokens WHERE token_sha256 = ? \
             AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?)",
        )
        .arg(secret.sha256().as_slice())
        .arg(now_ms);
        let row = self.db.fetch_optional(&find).await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id = row.int("id")?;
        let stale = row
            .opt_int("last_used_ms")?
            .is_none_or(|last| now_ms - last >= LAST_USED_RESOLUTION_MS);
        if stale {
            let used = Sql::query("UPDATE api_tokens SET last_used_ms = ? WHERE id = ?")
                .arg(now_ms)
                .arg(id);
            self.db.execute(&used).await?;
        }
        let credential = Credential::Token {
            id,
            scope: stored_scope(&row.text("scope")?),
            bearer: token.to_owned(),
        };
        Ok(UserName::parse(&row.text("user")?)
            .ok()
            .map(|user| (user, credential)))
    }
}

/// A stored scope; the table's CHECK allows only the two names, and
/// anything else is taken as the narrower one.
fn stored_scope(raw: &str) -> TokenScope {
    TokenScope::parse(raw).unwrap_or(TokenScope::Read)
}
