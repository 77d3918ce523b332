//! The colour theme in the page: the top bar's light/dark switch and the
//! account page's choice share one signal. The server renders
//! `<html data-theme>` from the browser's cookie, so a page never flashes
//! in the wrong colours; a choice applies at once and is then kept (the
//! cookie, and the account of a signed-in user).

use leptos::prelude::*;

use crate::domain::Theme;
use crate::ui::platform;

/// The theme this page is in.
#[derive(Clone, Copy)]
pub struct ThemeChoice(RwSignal<Theme>);

impl ThemeChoice {
    pub fn provide() {
        provide_context(Self(RwSignal::new(rendered())));
    }

    pub fn expect() -> Self {
        expect_context()
    }

    pub fn get(self) -> Theme {
        self.0.get()
    }

    pub fn get_untracked(self) -> Theme {
        self.0.get_untracked()
    }

    /// Applies `theme` to the page now, then keeps it.
    pub fn choose(self, theme: Theme) {
        self.0.set(theme);
        platform::set_page_theme((theme != Theme::System).then_some(theme.as_str()));
        leptos::task::spawn_local(async move {
            // Offline, the page keeps the colours until it is reloaded;
            // nothing else depends on the answer.
            let _ = crate::api::set_theme(theme.as_str().to_owned()).await;
        });
    }
}

/// The theme the page was rendered in: on the server the request's cookie,
/// in the browser what the server wrote on `<html>` from that cookie, so
/// both sides of hydration agree.
fn rendered() -> Theme {
    #[cfg(feature = "ssr")]
    return use_context::<http::request::Parts>()
        .map(|parts| crate::api::theme_of(&parts.headers))
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    platform::page_theme()
        .and_then(|t| Theme::parse(&t).ok())
        .unwrap_or_default()
}

/// `data-theme` for `<html>`, by the request's cookie (none for `system`).
pub fn rendered_theme_attribute() -> Option<&'static str> {
    Some(rendered())
        .filter(|t| *t != Theme::System)
        .map(Theme::as_str)
}

/// The top bar's switch: dark when the page is light, light when it is dark.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let choice = ThemeChoice::expect();
    // The device's preference is known in the browser only; until then a
    // page that follows it is drawn as the style sheet decides.
    let device_dark = RwSignal::new(false);
    Effect::new(move |_| device_dark.set(platform::device_prefers_dark()));
    let dark = move || match choice.get() {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => device_dark.get(),
    };
    view! {
        <button
            type="button"
            class="theme-toggle"
            aria-label="Dark theme"
            title="Dark theme"
            aria-pressed=move || dark().to_string()
            data-testid="theme-toggle"
            on:click=move |_| choice.choose(if dark() { Theme::Light } else { Theme::Dark })
        ></button>
    }
}
