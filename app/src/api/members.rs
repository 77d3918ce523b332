//! Server functions for a project's members: invite (by e-mail address or
//! user name), change a role, remove. The service checks that the caller is
//! the project's admin and that the last admin stays.

use leptos::prelude::*;

use super::ApiError;
#[cfg(feature = "ssr")]
use super::functions::{acting_user, project_key, reply, run_at_head};
use crate::domain::Outcome;
#[cfg(feature = "ssr")]
use crate::domain::*;

#[cfg(feature = "ssr")]
fn role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw.trim()).ok_or_else(|| {
        ApiError::invalid(
            "role",
            format!("\"{raw}\" is not a role: choose admin, member or viewer"),
        )
    })
}

#[cfg(feature = "ssr")]
fn member(raw: &str) -> Result<UserName, ApiError> {
    ApiError::field("user", UserName::parse(raw.trim()))
}

/// Invites the account with this e-mail address or user name. Only an admin
/// of the project learns whether the login names an account; anyone else
/// gets 404 for the project, whatever the login.
#[server(prefix = "/api/fn", endpoint = "add_member")]
pub async fn add_member(project: String, login: String, role: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let role = self::role(&role)?;
            let (backend, admin) = acting_user().await?;
            backend
                .add_member(super::Caller::User(admin), key, login, role)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "change_role")]
pub async fn change_role(project: String, user: String, role: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let command = Command::ChangeRole {
                user: member(&user)?,
                role: self::role(&role)?,
            };
            run_at_head(key, command).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "remove_member")]
pub async fn remove_member(project: String, user: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let command = Command::RemoveMember {
                user: member(&user)?,
            };
            run_at_head(key, command).await
        }
        .await,
    )
}
