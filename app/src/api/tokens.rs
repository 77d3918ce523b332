//! Personal access tokens for the REST API, managed by their owner in
//! account settings.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::TokenScope;
#[cfg(feature = "ssr")]
use super::functions::{last_day, reply, row_id, session_user, short_label, signed_in_user};
use super::{ApiError, ApiTokenView, NewApiToken};

/// The longest name a token may have.
pub const MAX_TOKEN_NAME: usize = 80;

/// The signed-in user's tokens, newest first.
#[server(prefix = "/api/fn", endpoint = "api_tokens")]
pub async fn api_tokens() -> Result<Vec<ApiTokenView>, ApiError> {
    reply(
        async {
            let (backend, user, _) = signed_in_user().await?;
            backend.api_tokens(user).await
        }
        .await,
    )
}

/// `expires`: empty for never, or the last day (`YYYY-MM-DD`, UTC) the token
/// works. `scope`: `read` or `read-write` (the default when empty or absent).
/// Only a browser session may create tokens.
#[server(prefix = "/api/fn", endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    expires: String,
    #[server(default)] scope: Option<String>,
) -> Result<NewApiToken, ApiError> {
    reply(
        async {
            let name = short_label("name", &name, "API token", MAX_TOKEN_NAME)?;
            let expires = last_day(&expires)?;
            let scope = match scope.as_deref().map(str::trim) {
                None | Some("") => TokenScope::DEFAULT,
                Some(raw) => ApiError::field("scope", TokenScope::parse(raw))?,
            };
            let (backend, user, _) = session_user("create API tokens").await?;
            backend.create_api_token(user, name, scope, expires).await
        }
        .await,
    )
}

/// Only a browser session may revoke tokens (a token owner who lost one
/// signs in to revoke it).
#[server(prefix = "/api/fn", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), ApiError> {
    reply(
        async {
            let id = row_id("API token", &id)?;
            let (backend, user, _) = session_user("revoke API tokens").await?;
            backend.revoke_api_token(user, id).await
        }
        .await,
    )
}
