//! Server functions: each parses its raw input into domain types, then hands
//! a command or query to the backend. They hold no logic of their own.

use leptos::prelude::*;

use super::{ApiError, ProjectSnapshot, ProjectSummary};
#[cfg(feature = "ssr")]
use crate::domain::*;

#[server(prefix = "/api/fn", endpoint = "projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, ApiError> {
    super::backend()?.projects().await
}

/// Creates a project from the home page's form (raw text fields).
#[server(prefix = "/api/fn", endpoint = "create_project")]
pub async fn create_project(name: String, key: String) -> Result<ProjectSummary, ApiError> {
    let name = ProjectName::parse(&name).map_err(|e| ApiError::invalid("name", e));
    let key = ProjectKey::parse(key.trim()).map_err(|e| ApiError::invalid("key", e));
    let (name, key) = (name?, key?);
    let backend = super::backend()?;
    let headers: http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|e| ApiError::Transport(e.to_string()))?;
    let envelope = CommandEnvelope {
        id: backend.new_command_id(),
        project: key.clone(),
        base_version: 0,
        command: Command::CreateProject {
            key: key.clone(),
            name: name.clone(),
            kind: ProjectKind::Scrum,
        },
    };
    match backend.execute(backend.actor(&headers), envelope).await {
        Ok(_) => Ok(ProjectSummary {
            key,
            name,
            kind: ProjectKind::Scrum,
            issues: 0,
        }),
        Err(ApiError::Rejected(DomainError::ProjectExists(k))) => Err(ApiError::Invalid {
            field: "key".into(),
            message: format!("A project with key {k} already exists"),
        }),
        Err(e) => Err(e),
    }
}

/// A project's whole state, for its board.
#[server(prefix = "/api/fn", endpoint = "project")]
pub async fn load_project(key: String) -> Result<ProjectSnapshot, ApiError> {
    let key = ProjectKey::parse(&key).map_err(|_| ApiError::NotFound(format!("project {key}")))?;
    super::backend()?.project(key).await
}
