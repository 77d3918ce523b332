//! Widgets that more than one screen shows. Nothing here imports a screen.

mod fields;
mod icons;
mod markdown;
mod page;
mod secrets;
mod theme;

pub use fields::FieldList;
pub use icons::{Avatar, PriorityIcon, TypeIcon};
pub use markdown::Markdown;
pub use page::{Breadcrumb, NotFound, Refresh, loaded, reload_after, share_token};
pub use secrets::{SecretForms, SecretKind, SecretPanel, SecretRow, lifetime, remove_form};
pub use theme::{ThemeChoice, ThemeToggle, rendered_theme_attribute};
