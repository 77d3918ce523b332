//! Search with the query language, and the project's saved filters. A query
//! that does not parse is part of the answer (with its column), not an
//! error, so the page can point at it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
#[cfg(feature = "ssr")]
use super::Caller;
#[cfg(feature = "ssr")]
use super::FormErrors;
#[cfg(feature = "ssr")]
use super::functions::{project_key, reply, run_at_head, signed_in_user};
#[cfg(feature = "ssr")]
use crate::domain::*;
use crate::domain::{Issue, Outcome, Project, QueryError};

/// Issues a search returns at most; `total` says how many matched.
pub const MAX_RESULTS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub project: Project,
    pub query: String,
    pub error: Option<QueryError>,
    pub issues: Vec<Issue>,
    pub total: usize,
}

#[server(prefix = "/api/fn", endpoint = "search")]
pub async fn search(key: String, q: Option<String>) -> Result<SearchPage, ApiError> {
    reply(
        async {
            let key = project_key(&key)?;
            let query = q.unwrap_or_default();
            let (backend, me, _) = signed_in_user().await?;
            let (project, issues, total, error) = match Query::parse(&query) {
                Ok(parsed) => {
                    let who = Caller::User(me.clone());
                    let hits = backend.search(who, key, parsed, me, MAX_RESULTS).await?;
                    (hits.project, hits.issues, hits.total, None)
                }
                Err(e) => (
                    backend
                        .project(Caller::User(me), key)
                        .await?
                        .state
                        .project
                        .ok_or(ApiError::Unavailable)?,
                    vec![],
                    0,
                    Some(e),
                ),
            };
            Ok(SearchPage {
                project,
                query,
                error,
                issues,
                total,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "save_filter")]
pub async fn save_filter(
    project: String,
    name: String,
    query: String,
) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let mut form = FormErrors::default();
            let name = form.check("name", FilterName::parse(&name));
            let parsed = form.check("query", Query::parse(&query));
            form.finish()?;
            let (Some(name), Some(_)) = (name, parsed) else {
                unreachable!("FormErrors::finish reports any missing field");
            };
            run_at_head(key, Command::SaveFilter { name, query }).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "delete_filter")]
pub async fn delete_filter(project: String, name: String) -> Result<Outcome, ApiError> {
    reply(
        async {
            let key = project_key(&project)?;
            let name = ApiError::field("name", FilterName::parse(&name))?;
            run_at_head(key, Command::DeleteFilter { name }).await
        }
        .await,
    )
}
