//! The one error type of every server function: serializable, so the browser
//! gets the same structure the server produced, and never carries SQL or a
//! stack trace.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::{DomainError, ParseError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ApiError {
    /// Bad input, one message per offending field.
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// Well-formed, but the current state does not allow it.
    #[error("{0}")]
    Rejected(DomainError),
    /// Not allowed for how the caller authenticated (e.g. a read-only
    /// API token writing); the message says what would be.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} was not found")]
    NotFound(String),
    /// No session: sign in first.
    #[error("you are not signed in; sign in and try again")]
    Unauthorized,
    /// The server could not finish (e.g. the database did not answer).
    /// Nothing was stored; details are in the server log.
    #[error("the server could not complete this, and nothing was saved; please retry")]
    Unavailable,
    /// The request never got a proper answer (network, encoding).
    #[error("could not reach the server: {0}")]
    Transport(String),
}

/// What is wrong with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// A parsed field, or its error as an invalid-input answer naming it.
    pub fn field<T, E: std::fmt::Display>(name: &str, parsed: Result<T, E>) -> Result<T, Self> {
        parsed.map_err(|e| Self::invalid(name, e.to_string()))
    }

    /// Combines two parsed fields, reporting every one that is wrong (not
    /// just the first), so a form shows all its errors at once.
    pub fn collect<A, B>(
        a: (&str, Result<A, ParseError>),
        b: (&str, Result<B, ParseError>),
    ) -> Result<(A, B), Self> {
        let mut form = FormErrors::default();
        let x = form.check(a.0, a.1);
        let y = form.check(b.0, b.1);
        form.finish()?;
        Ok((x.expect("checked"), y.expect("checked")))
    }

    /// The HTTP status that carries this error: never a 5xx for bad input.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) | Self::Rejected(DomainError::AssigneeNotMember(_)) => 422,
            Self::Unauthorized => 401,
            Self::Rejected(DomainError::Forbidden { .. }) | Self::Forbidden(_) => 403,
            Self::Rejected(e) if e.is_missing_subject() => 404,
            Self::Rejected(_) => 409,
            Self::NotFound(_) => 404,
            Self::Unavailable => 503,
            Self::Transport(_) => 400,
        }
    }

    /// Whether what was asked for does not exist (for this caller): the
    /// page shows "not found" rather than an error.
    pub fn is_not_found(&self) -> bool {
        self.status() == 404
    }

    /// The message for `field`, if this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Rejected(e @ DomainError::AssigneeNotMember(_)) if field == "assignee" => {
                Some(e.to_string())
            }
            Self::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }
}

/// Collects the parse errors of a form's fields, to report them all at once.
#[derive(Debug, Default)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    /// The parsed value, or `None` with the error noted against `field`.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        parsed
            .map_err(|e| {
                self.0.push(FieldError {
                    field: field.into(),
                    message: capitalize(&e.to_string()),
                })
            })
            .ok()
    }

    /// `Err(Invalid)` with every noted error, if there is one.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self.0))
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self::Rejected(e)
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
