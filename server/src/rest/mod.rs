//! The REST API, `/api/v1`: JSON for mobile clients, scripts and offline
//! replays. Authenticated by a personal access token (`Authorization:
//! Bearer`) or the browser's session; the service applies the same role
//! table as the UI. Resources carry their version as an `ETag`; changes
//! need `If-Match` and may carry an `Idempotency-Key`. Errors are RFC 9457
//! problem details. The OpenAPI document is generated from this code.

mod activity;
mod contract;
mod docs;
mod idempotency;
mod input;
mod issues;
mod problem;
mod projects;
mod request;
mod resources;
mod rules;
mod sprints;
mod tokens;
mod webhooks;
mod write;

pub use idempotency::{Answers, Reply, etag};
pub use problem::{PROBLEM_JSON, Problem};
pub use resources::EventResource;

use axum::Router;
use axum::routing::{get, patch, post};
use contract::Contract;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use crate::routes::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kanri API",
        version = "1",
        description = "Projects, issues and the event log of Kanri. Send `Authorization: Bearer <token>` \
            (create tokens in your account settings; a `read` token is refused every change with 403). Every resource has an ETag (its version); changes \
            need `If-Match` with the ETag they are based on: a stale one is merged when others changed \
            other fields, and refused with 412 (the current resource and who changed what) when they \
            changed the same ones. `Idempotency-Key` makes a change safe to send again."
    ),
    paths(
        projects::list,
        projects::get,
        projects::events,
        projects::members,
        projects::reports,
        issues::list,
        issues::search,
        issues::create,
        issues::get,
        issues::patch,
        issues::transition,
        issues::move_issue,
        issues::rank,
        issues::link,
        activity::comments,
        activity::add_comment,
        activity::edit_comment,
        activity::delete_comment,
        activity::worklogs,
        activity::log_work,
        activity::edit_worklog,
        activity::delete_worklog,
        sprints::list,
        sprints::get,
        sprints::create,
        sprints::start,
        sprints::complete,
        webhooks::list,
        webhooks::create,
        webhooks::delete,
        webhooks::deliveries,
        tokens::list,
    ),
    // Every error answer is a Problem (see `contract`), named here so it is a component.
    components(schemas(Problem)),
    modifiers(&BearerAuth, &Contract),
    security(("bearer" = [])),
    tags(
        (name = "projects", description = "Projects, their workflow and their event log"),
        (name = "issues", description = "Issues: read, search, create and change"),
        (name = "activity", description = "Comments and worklogs of an issue"),
        (name = "webhooks", description = "Webhooks: signed deliveries of the log's events (admins only)"),
        (name = "sprints", description = "Sprints: create, start, complete (issues join through their `sprint` field)"),
        (name = "tokens", description = "Your API tokens and their scope (`read` or `read-write`); create and revoke them in account settings"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(docs::openapi))
        .route("/api/v1/docs", get(docs::page))
        .route("/api/v1/tokens", get(tokens::list))
        .route("/api/v1/projects", get(projects::list))
        .route("/api/v1/projects/{key}", get(projects::get))
        .route("/api/v1/projects/{key}/events", get(projects::events))
        .route(
            "/api/v1/projects/{key}/issues",
            get(issues::list).post(issues::create),
        )
        .route("/api/v1/projects/{key}/search", get(issues::search))
        .route(
            "/api/v1/issues/{key}",
            get(issues::get).patch(issues::patch),
        )
        .route("/api/v1/issues/{key}/transition", post(issues::transition))
        .route("/api/v1/issues/{key}/move", post(issues::move_issue))
        .route("/api/v1/issues/{key}/rank", post(issues::rank))
        .route("/api/v1/issues/{key}/links", post(issues::link))
        .route("/api/v1/projects/{key}/members", get(projects::members))
        .route("/api/v1/projects/{key}/reports", get(projects::reports))
        .route(
            "/api/v1/projects/{key}/sprints",
            get(sprints::list).post(sprints::create),
        )
        .route("/api/v1/projects/{key}/sprints/{number}", get(sprints::get))
        .route(
            "/api/v1/projects/{key}/sprints/{number}/start",
            post(sprints::start),
        )
        .route(
            "/api/v1/projects/{key}/sprints/{number}/complete",
            post(sprints::complete),
        )
        .route(
            "/api/v1/projects/{key}/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/api/v1/projects/{key}/webhooks/{id}",
            axum::routing::delete(webhooks::delete),
        )
        .route(
            "/api/v1/projects/{key}/webhooks/{id}/deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/api/v1/issues/{key}/comments",
            get(activity::comments).post(activity::add_comment),
        )
        .route(
            "/api/v1/issues/{key}/comments/{number}",
            patch(activity::edit_comment).delete(activity::delete_comment),
        )
        .route(
            "/api/v1/issues/{key}/worklogs",
            get(activity::worklogs).post(activity::log_work),
        )
        .route(
            "/api/v1/issues/{key}/worklogs/{number}",
            patch(activity::edit_worklog).delete(activity::delete_worklog),
        )
}
