//! Read-only share links: admins create, list and revoke them; anyone with
//! a link's address reads the board and its issues, and nothing else.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::functions::{
    caller, issue_key, last_day, project_key, reply, row_id, short_label, writing_caller,
};
use super::{ApiError, IssueDetail, NewShareLink, ProjectSnapshot, ShareLinkView};

/// The longest label a link may have.
pub const MAX_SHARE_LABEL: usize = 80;

/// The project's share links for its admins; `None` for its other members
/// (the settings page asks for everyone who may see it).
#[server(prefix = "/api/fn", endpoint = "share_links")]
pub async fn share_links(project: String) -> Result<Option<Vec<ShareLinkView>>, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let (backend, who) = caller().await?;
            backend.share_links(who, key).await
        }
        .await,
    )
}

/// `expires`: empty for never, or the last day (`YYYY-MM-DD`, UTC) the link works.
#[server(prefix = "/api/fn", endpoint = "create_share_link")]
pub async fn create_share_link(
    project: String,
    label: String,
    expires: String,
) -> Result<NewShareLink, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let label = short_label("label", &label, "Share link", MAX_SHARE_LABEL)?;
            let expires = last_day(&expires)?;
            let (backend, who) = writing_caller().await?;
            backend.create_share_link(who, key, label, expires).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "revoke_share_link")]
pub async fn revoke_share_link(project: String, id: String) -> Result<(), ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let id = row_id("share link", &id)?;
            let (backend, who) = writing_caller().await?;
            backend.revoke_share_link(who, key, id).await
        }
        .await,
    )
}

/// The board a link shows, as its reader may see it.
#[server(prefix = "/api/fn", endpoint = "shared_board")]
pub async fn load_shared_board(token: String) -> Result<ProjectSnapshot, ApiError> {
    reply(
        async {
            let backend = super::backend()?;
            let key = backend.open_share_link(token).await?;
            backend.project(super::Caller::Link(key.clone()), key).await
        }
        .await,
    )
}

/// An issue of the project a link shows.
#[server(prefix = "/api/fn", endpoint = "shared_issue")]
pub async fn load_shared_issue(token: String, issue: String) -> Result<IssueDetail, ApiError> {
    reply(
        async {
            let issue = issue_key(&issue)?;
            let backend = super::backend()?;
            let key = backend.open_share_link(token).await?;
            backend.issue(super::Caller::Link(key), issue).await
        }
        .await,
    )
}
