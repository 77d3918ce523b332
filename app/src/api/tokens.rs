//! Personal access tokens for the REST API, managed by their owner in
//! account settings.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::functions::{acting_user, last_day, reply, row_id, short_label};
use super::{ApiError, ApiTokenView, NewApiToken};

/// The longest name a token may have.
pub const MAX_TOKEN_NAME: usize = 80;

/// The signed-in user's tokens, newest first.
#[server(prefix = "/api/fn", endpoint = "api_tokens")]
pub async fn api_tokens() -> Result<Vec<ApiTokenView>, ApiError> {
    reply(
        async {
            let (backend, user) = acting_user().await?;
            backend.api_tokens(user).await
        }
        .await,
    )
}

/// `expires`: empty for never, or the last day (`YYYY-MM-DD`, UTC) the token works.
#[server(prefix = "/api/fn", endpoint = "create_api_token")]
pub async fn create_api_token(name: String, expires: String) -> Result<NewApiToken, ApiError> {
    reply(
        async {
            let name = short_label("name", &name, "API token", MAX_TOKEN_NAME)?;
            let expires = last_day(&expires)?;
            let (backend, user) = acting_user().await?;
            backend.create_api_token(user, name, expires).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), ApiError> {
    reply(
        async {
            let id = row_id("API token", &id)?;
            let (backend, user) = acting_user().await?;
            backend.revoke_api_token(user, id).await
        }
        .await,
    )
}
