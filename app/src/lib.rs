//! Kanri's shared crate: the event core (`domain`, re-exported from
//! `kanri-domain`), the API the UI calls
//! (`api`) and the Leptos UI (`ui`), compiled for the server (`ssr`) and for
//! the browser (`hydrate`).

// Leptos views are deeply nested types; the default limit is too low for
// the board and issue pages.
#![recursion_limit = "256"]

pub mod api;
/// The event core lives in its own crate, `kanri-domain`, so the compiler keeps
/// it free of Leptos, the browser and the database; `app::domain::…` paths stay.
pub use kanri_domain as domain;
pub mod ui;
