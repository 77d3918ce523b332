//! What a REST request carries besides its body: who sends it, the version it
//! is based on (`If-Match`) and its `Idempotency-Key`; and the body, read as
//! JSON with a problem-details answer when it is not.

use app::api::{Caller, Credential};
use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{HeaderMap, header};
use kanri_domain::UserName;
use serde::de::DeserializeOwned;

use super::problem::{Problem, kind};

/// The signed-in user (session or API token); 401 otherwise.
pub struct Authed(pub UserName);

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::User(user)) => Ok(Self(user.clone())),
            _ => Err(Problem::unauthorized(
                "send `Authorization: Bearer <token>` with a personal access token",
            )),
        }
    }
}

/// `If-Match` as the API document names it; [`Precondition`] reads it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // only the document reads the field
pub struct IfMatch {
    /// The ETag the change is based on (for a comment or worklog, its issue's), or *
    #[param(rename = "If-Match", pattern = r#"^(\*|"[0-9]{1,19}")$"#)]
    if_match: String,
}

/// `Idempotency-Key` as the API document names it; [`Write`] reads it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // only the document reads the field
pub struct IdempotencyKey {
    /// Repeats get the first answer
    #[param(rename = "Idempotency-Key", pattern = "^[!-~]{1,255}$")]
    idempotency_key: Option<String>,
}

/// What `If-Match` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`.
    Missing,
    /// `If-Match: *`: whatever the version is now.
    Any,
    /// `If-Match: "7"`: the version the change is based on.
    Version(u64),
}

impl Precondition {
    fn parse(headers: &HeaderMap) -> Result<Self, Problem> {
        let mut values = headers.get_all(header::IF_MATCH).iter();
        let Some(value) = values.next() else {
            return Ok(Self::Missing);
        };
        let bad = || {
            Problem::malformed("If-Match must be one ETag as sent by the server (e.g. \"7\") or *")
        };
        if values.next().is_some() {
            return Err(bad());
        }
        let text = value.to_str().map_err(|_| bad())?.trim();
        if text == "*" {
            return Ok(Self::Any);
        }
        text.strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<u64>().ok())
            .map(Self::Version)
            .ok_or_else(bad)
    }

    /// The base version, or 428 when the client gave none. `None`: `*`.
    pub fn required(self) -> Result<Option<u64>, Problem> {
        match self {
            Self::Missing => Err(Problem::new(
                kind::PRECONDITION_REQUIRED,
                "send If-Match with the ETag of the version you saw (or * to change whatever is there now)",
            )),
            Self::Any => Ok(None),
            Self::Version(v) => Ok(Some(v)),
        }
    }

    fn text(self) -> String {
        match self {
            Self::Missing => String::new(),
            Self::Any => "*".into(),
            Self::Version(v) => v.to_string(),
        }
    }
}

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A mutation's context (a read-only token gets 403): who, based on what, under which idempotency key,
/// and what identifies the request for a replay (method, path, If-Match).
pub struct Write {
    pub user: UserName,
    pub precondition: Precondition,
    pub idempotency_key: Option<String>,
    pub request_line: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Write {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Authed(user) = Authed::from_request_parts(parts, state).await?;
        // Every REST change takes this extractor: the one place a read-only
        // token is refused. A signed-in caller always has a credential.
        parts
            .extensions
            .get::<Credential>()
            .ok_or_else(|| Problem::unauthorized("sign in or send an API token"))?
            .require_write()?;
        let precondition = Precondition::parse(&parts.headers)?;
        let idempotency_key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(v) => {
                let key = v.to_str().ok().map(str::trim).filter(|k| {
                    !k.is_empty()
                        && k.len() <= MAX_IDEMPOTENCY_KEY
                        && k.bytes().all(|b| b.is_ascii_graphic())
                });
                Some(key.map(str::to_owned).ok_or_else(|| {
                    Problem::malformed(format!(
                        "Idempotency-Key must be 1–{MAX_IDEMPOTENCY_KEY} visible ASCII characters (a UUID is ideal)"
                    ))
                })?)
            }
        };
        let request_line = format!(
            "{} {} {}",
            parts.method,
            parts.uri.path_and_query().map_or("", |p| p.as_str()),
            precondition.text()
        );
        Ok(Self {
            user,
            precondition,
            idempotency_key,
            request_line,
        })
    }
}

/// A JSON body, or a problem naming what is wrong with it: a value of the
/// wrong type or range (`-1` or `1e12` minutes) names its field.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let problem = |field: &str, e: serde_json::Error| {
        let detail = format!("the body is not the JSON this route takes: {e}");
        match e.classify() {
            serde_json::error::Category::Data if field != "." => Problem::invalid(field, detail),
            serde_json::error::Category::Data => Problem::new(kind::INVALID_FIELD, detail),
            _ => Problem::malformed(detail),
        }
    };
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| problem(".", e))?;
    whole_numbers_as_integers(&mut value);
    serde_path_to_error::deserialize(value)
        .map_err(|e| problem(&e.path().to_string(), e.into_inner()))
}

/// JSON Schema's `integer` is any number without a fraction, `3.0` too;
/// serde reads `3.0` only as a float. So a whole float becomes an integer
/// before the body is read (and `3.5` stays a float, refused where an
/// integer is due).
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Only where the integer is exact: within ±2^53.
            if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// Query parameters, or a problem naming what is wrong with them.
pub fn query<T: DeserializeOwned>(raw: Option<String>) -> Result<T, Problem> {
    serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| Problem::invalid("query", format!("the query parameters are wrong: {e}")))
}
