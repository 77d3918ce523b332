//! Kanri's shared crate: the event core (`domain`), the API the UI calls
//! (`api`) and the Leptos UI (`ui`), compiled for the server (`ssr`) and for
//! the browser (`hydrate`).

pub mod api;
pub mod domain;
pub mod ui;
