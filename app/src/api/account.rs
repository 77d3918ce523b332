//! The signed-in user's own account: changing the password.

use leptos::prelude::*;

use super::ApiError;
#[cfg(feature = "ssr")]
use super::functions::{reply, session_user};

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
            let (backend, user, session) = session_user("change the password").await?;
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
            backend
                .change_password(user, current_password, new, session)
                .await
        }
        .await,
    )
}
