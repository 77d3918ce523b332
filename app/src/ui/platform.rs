//! The browser, behind small functions: the clock, timers, random ids, the
//! network's state, the live socket's address and local storage. Each has a
//! server-side stand-in, so the screens that call them render on the server
//! unchanged (where nothing runs that would need the real thing).

use std::time::Duration;

use crate::domain::{CommandId, ProjectKey};

/// Milliseconds since the Unix epoch, by the browser's clock (0 on the server).
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    0
}

/// Waits `d` (at once on the server, where no task waits).
pub async fn sleep(d: Duration) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::sleep(d).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = d;
}

/// A fresh command id from the browser's cryptographic random source.
pub fn random_command_id() -> CommandId {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = leptos::web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    CommandId::from_random_bytes(bytes)
}

/// A number in `[0, 1)` for jitter (0 on the server).
pub fn random_unit() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Math::random();
    #[cfg(not(feature = "hydrate"))]
    0.0
}

/// Whether the browser says it has a network (always on the server).
pub fn navigator_online() -> bool {
    #[cfg(feature = "hydrate")]
    return leptos::prelude::window().navigator().on_line();
    #[cfg(not(feature = "hydrate"))]
    true
}

/// The page's origin (`https://host:port`), to turn a path into an address
/// to copy (empty on the server).
pub fn origin() -> String {
    #[cfg(feature = "hydrate")]
    return leptos::prelude::window()
        .location()
        .origin()
        .unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// The project's live socket on this page's host, resuming after `after`.
pub fn socket_url(project: &ProjectKey, after: u64) -> String {
    #[cfg(feature = "hydrate")]
    let (secure, host) = {
        let location = leptos::prelude::window().location();
        (
            location.protocol().ok().as_deref() == Some("https:"),
            location.host().unwrap_or_default(),
        )
    };
    #[cfg(not(feature = "hydrate"))]
    let (secure, host) = (false, String::new());
    let scheme = if secure { "wss" } else { "ws" };
    format!("{scheme}://{host}/api/live/{project}?after={after}")
}

/// The browser's local storage, if it lets this page use it.
pub fn storage() -> Option<leptos::web_sys::Storage> {
    #[cfg(feature = "hydrate")]
    return leptos::prelude::window().local_storage().ok().flatten();
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Waits `delay`, or less if the network comes back meanwhile.
pub async fn online_or_after(delay: Duration) {
    #[cfg(feature = "hydrate")]
    {
        use futures::{FutureExt, StreamExt, select};
        let (tx, mut rx) = futures::channel::mpsc::unbounded::<()>();
        let handle = leptos::prelude::window_event_listener(leptos::ev::online, move |_| {
            let _ = tx.unbounded_send(());
        });
        select! {
            _ = sleep(delay).fuse() => {}
            _ = rx.next() => {}
        }
        handle.remove();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = delay;
}

/// The theme named on the page's `<html data-theme>` (none on the server:
/// there the request's cookie says it, see `common::theme`).
pub fn page_theme() -> Option<String> {
    #[cfg(feature = "hydrate")]
    return leptos::prelude::document()
        .document_element()
        .and_then(|root| root.get_attribute("data-theme"));
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Names `theme` on `<html data-theme>`, or removes the name (`None`), so
/// the style sheet follows the device again.
pub fn set_page_theme(theme: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = match theme {
            Some(theme) => root.set_attribute("data-theme", theme),
            None => root.remove_attribute("data-theme"),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
}

/// Whether the device asks for dark colours (`prefers-color-scheme`).
pub fn device_prefers_dark() -> bool {
    #[cfg(feature = "hydrate")]
    return leptos::prelude::window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches());
    #[cfg(not(feature = "hydrate"))]
    false
}
