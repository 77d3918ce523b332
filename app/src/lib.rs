//! Kanri's shared crate: the event core (`domain`), the API the UI calls
//! (`api`) and the Leptos UI (`ui`), compiled for the server (`ssr`) and for
//! the browser (`hydrate`).

// Leptos views are deeply nested types; the default limit is too low for
// the board and issue pages.
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod ui;
