//! The API the UI calls: server functions (`#[server]`), the types they carry
//! and, on the server only, the port (`Backend`) the server crate implements.

mod account;
mod credential;
mod error;
mod functions;
mod issue;
pub mod live;
mod members;
mod past;
mod reports;
mod search;
mod settings;
mod share;
mod sprints;
mod theme;
mod time;
mod tokens;
mod types;
mod webhooks;

#[cfg(feature = "ssr")]
mod backend;

pub use account::*;
#[cfg(feature = "ssr")]
pub use backend::{Backend, backend};
pub use credential::{Credential, TokenScope};
pub use error::{ApiError, FieldError, FormErrors};
pub use functions::*;
pub use issue::*;
pub use members::*;
pub use past::*;
pub use reports::*;
pub use search::*;
pub use settings::*;
pub use share::*;
pub use sprints::*;
pub use theme::*;
pub use time::*;
pub use tokens::*;
pub use types::*;
pub use webhooks::*;
