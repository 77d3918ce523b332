//! Hydrates the server-rendered page: from here on the UI runs in the browser.
// Leptos view types nest deeply; hydration code needs room to lay them out.
#![recursion_limit = "256"]

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::ui::App);
}
