//! The signed-in user's own account: changing the password.

use leptos::prelude::*;

use super::ApiError;
#[cfg(feature = "ssr")]
use super::functions::{acting_user, reply};

/// How the caller of a request proved who they are. The server sets it
/// next to [`super::Caller`], so a use case can require a browser session
/// (an API token may not change its owner's password), and a socket knows
/// what to watch for its end.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, by its id.
    Session(String),
    /// A personal access token, as sent (`kanri_…`).
    Token(String),
}

/// Never shows a token or session id, so neither can leak into a log line.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Session(_) => f.write_str("Credential::Session(…)"),
            Self::Token(_) => f.write_str("Credential::Token(…)"),
        }
    }
}

/// Changes the signed-in user's password, given the current one. Every
/// other session of the user is signed out, and every board socket of the
/// user closes; this session stays signed in. Needs a browser session.
#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ApiError> {
    reply(
        async {
            let mut form = super::FormErrors::default();
            let new = form.check(
                "new_password",
                crate::domain::Password::parse(&new_password),
            );
            if new_password != confirm_password {
                form.check::<(), _>(
                    "confirm_password",
                    Err("the new password and its confirmation differ"),
                );
            }
            form.finish()?;
            let new = new.expect("checked");
            let (backend, user) = acting_user().await?;
            let session = browser_session().await?;
            backend
                .change_password(user, current_password, new, session)
                .await
        }
        .await,
    )
}

/// The id of the browser session making this request; an API token's
/// caller is refused.
#[cfg(feature = "ssr")]
async fn browser_session() -> Result<String, ApiError> {
    let parts: http::request::Parts = leptos_axum::extract()
        .await
        .map_err(|e| ApiError::Transport(e.to_string()))?;
    match parts.extensions.get::<Credential>() {
        Some(Credential::Session(id)) => Ok(id.clone()),
        Some(Credential::Token(_)) => Err(ApiError::Forbidden(
            "an API token cannot change a password; sign in with a browser".into(),
        )),
        None => Err(ApiError::Unauthorized),
    }
}
