//! Errors as RFC 9457 problem details: `application/problem+json` with a
//! stable `type` a client can switch on, never a stack trace or SQL.

use app::api::{ApiError, FieldError};
use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use kanri_domain::DomainError;
use serde::Serialize;
use utoipa::ToSchema;

use super::resources::ChangeResource;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// What went wrong, in the problem-details format of RFC 9457.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable: `/api/v1/docs#problem-{slug}`; switch on this, not on `title`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: &'static str,
    pub status: u16,
    /// What happened this time, for people.
    pub detail: String,
    /// Invalid fields, one message each (`invalid-field`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldProblem>)]
    pub errors: Vec<FieldError>,
    /// `version-conflict` only: what changed meanwhile, and the current resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Box<Conflict>>,
}

/// What a `version-conflict` problem adds.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conflict {
    /// The fields others changed meanwhile.
    pub conflicting_fields: Vec<String>,
    /// Who changed what since the version given, old → new.
    pub changes: Vec<ChangeResource>,
    /// The resource as it is now (its ETag is in the header).
    pub current: super::write::Current,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The kinds of problem: (slug, status, title).
pub mod kind {
    pub type Kind = (&'static str, u16, &'static str);
    pub const MALFORMED: Kind = ("malformed-request", 400, "The request could not be read");
    pub const INVALID_FIELD: Kind = ("invalid-field", 422, "A field is invalid");
    pub const UNAUTHORIZED: Kind = ("unauthorized", 401, "Authentication is required");
    pub const FORBIDDEN: Kind = ("forbidden", 403, "Your role does not allow this");
    pub const NOT_FOUND: Kind = ("not-found", 404, "Not found");
    pub const REJECTED: Kind = ("rejected", 409, "The current state does not allow this");
    pub const PRECONDITION_REQUIRED: Kind = (
        "precondition-required",
        428,
        "If-Match is required: send the ETag you based this change on",
    );
    pub const VERSION_CONFLICT: Kind = (
        "version-conflict",
        412,
        "Someone else changed the same fields since your version",
    );
    pub const VERSION_AHEAD: Kind = (
        "version-ahead",
        412,
        "If-Match names a version that does not exist yet",
    );
    pub const IDEMPOTENCY_KEY_REUSED: Kind = (
        "idempotency-key-reused",
        422,
        "This Idempotency-Key was used for a different request",
    );
    pub const METHOD_NOT_ALLOWED: Kind = (
        "method-not-allowed",
        405,
        "This endpoint does not take that method",
    );
    pub const UNSUPPORTED_MEDIA_TYPE: Kind = (
        "unsupported-media-type",
        415,
        "Send the body as application/json",
    );
    pub const TOO_LARGE: Kind = ("payload-too-large", 413, "The request body is too large");
    pub const UNAVAILABLE: Kind = (
        "unavailable",
        503,
        "The server could not complete this; nothing was saved, retry",
    );
    /// Every kind, for the docs page.
    pub const ALL: [Kind; 14] = [
        MALFORMED,
        INVALID_FIELD,
        UNAUTHORIZED,
        FORBIDDEN,
        NOT_FOUND,
        REJECTED,
        PRECONDITION_REQUIRED,
        VERSION_CONFLICT,
        VERSION_AHEAD,
        IDEMPOTENCY_KEY_REUSED,
        METHOD_NOT_ALLOWED,
        UNSUPPORTED_MEDIA_TYPE,
        TOO_LARGE,
        UNAVAILABLE,
    ];
}

impl Problem {
    pub fn new((slug, status, title): kind::Kind, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/api/v1/docs#problem-{slug}"),
            title,
            status,
            detail: detail.into(),
            errors: Vec::new(),
            conflict: None,
        }
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(kind::UNAUTHORIZED, detail)
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(kind::MALFORMED, detail)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::invalid(field, message).into()
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        ApiError::NotFound(what.to_string()).into()
    }

    /// A problem for a status the framework answered with (a rejection).
    pub fn for_status(status: StatusCode, detail: impl Into<String>) -> Self {
        let kind = match status.as_u16() {
            401 => kind::UNAUTHORIZED,
            403 => kind::FORBIDDEN,
            404 => kind::NOT_FOUND,
            405 => kind::METHOD_NOT_ALLOWED,
            413 => kind::TOO_LARGE,
            415 => kind::UNSUPPORTED_MEDIA_TYPE,
            422 => kind::INVALID_FIELD,
            _ => kind::MALFORMED,
        };
        Self {
            status: status.as_u16(),
            ..Self::new(kind, detail)
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        let detail = e.to_string();
        match e {
            ApiError::Invalid(errors) => Self {
                errors,
                ..Self::new(kind::INVALID_FIELD, detail)
            },
            ApiError::Rejected(DomainError::AssigneeNotMember(_)) => Self {
                errors: vec![FieldError {
                    field: "assignee".into(),
                    message: detail.clone(),
                }],
                ..Self::new(kind::INVALID_FIELD, format!("assignee: {detail}"))
            },
            ApiError::Unauthorized => Self::new(kind::UNAUTHORIZED, detail),
            ApiError::Rejected(DomainError::Forbidden { .. }) | ApiError::Forbidden(_) => {
                Self::new(kind::FORBIDDEN, detail)
            }
            ApiError::Rejected(DomainError::VersionAhead { .. }) => {
                Self::new(kind::VERSION_AHEAD, detail)
            }
            ApiError::Rejected(ref d) if d.is_missing_subject() => {
                Self::new(kind::NOT_FOUND, detail)
            }
            ApiError::Rejected(_) => Self::new(kind::REJECTED, detail),
            ApiError::NotFound(_) => Self::new(kind::NOT_FOUND, detail),
            ApiError::Unavailable => Self::new(kind::UNAVAILABLE, detail),
            ApiError::Transport(_) => Self::new(kind::MALFORMED, detail),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let unauthorized = status == StatusCode::UNAUTHORIZED;
        let mut res = (status, Json(self)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if unauthorized {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kanri\""),
            );
        }
        res
    }
}
