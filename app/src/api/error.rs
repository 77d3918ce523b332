//! The one error type of every server function: serializable, so the browser
//! gets the same structure the server produced, and never carries SQL or a
//! stack trace.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::{DomainError, ParseError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ApiError {
    /// Bad input in one form field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Well-formed, but the current state does not allow it.
    #[error("{0}")]
    Rejected(DomainError),
    #[error("{0} was not found")]
    NotFound(String),
    /// The server could not finish (e.g. the database did not answer).
    /// Nothing was stored; details are in the server log.
    #[error("the server could not complete this, and nothing was saved; please retry")]
    Unavailable,
    /// The request never got a proper answer (network, encoding).
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl ApiError {
    pub fn invalid(field: &str, error: ParseError) -> Self {
        Self::Invalid {
            field: field.into(),
            message: capitalize(&error.to_string()),
        }
    }

    /// The message for `field`, if this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid { field: f, message } if f == field => Some(message.clone()),
            _ => None,
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
