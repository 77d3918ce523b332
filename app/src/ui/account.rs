//! Sign-in and sign-up pages. Plain HTML forms posting to `/auth/…`, so
//! they work before (and without) hydration; the server redirects back
//! here with `?error=` and what to prefill when something is wrong.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::{Password, safe_next};

/// A query parameter, or empty.
fn param(name: &'static str) -> impl Fn() -> String {
    let query = use_query_map();
    move || query.read().get(name).unwrap_or_default()
}

#[component]
fn FormError() -> impl IntoView {
    let error = param("error");
    move || {
        let message = error();
        (!message.is_empty()).then(|| view! { <p class="error" role="alert">{message}</p> })
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let (login, next) = (param("login"), param("next"));
    // The server checks `next` again; this keeps a hostile one out of the page.
    let next = move || safe_next(&next()).to_owned();
    view! {
        <Title text="Sign in" />
        <section class="account-page">
            <h1>"Sign in to Kanri"</h1>
            <FormError />
            <form method="post" action="/auth/sign-in" class="account-form">
                <input type="hidden" name="next" value=next />
                <label for="login">"E-mail or user name"</label>
                <input id="login" name="login" required autocomplete="username" value=login />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" required autocomplete="current-password" />
                <button type="submit" class="primary">"Sign in"</button>
            </form>
            <p>"New here? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let (name, email, display) = (param("name"), param("email"), param("display_name"));
    view! {
        <Title text="Create an account" />
        <section class="account-page">
            <h1>"Create your Kanri account"</h1>
            <FormError />
            <form method="post" action="/auth/sign-up" class="account-form">
                <label for="display_name">"Your name"</label>
                <input id="display_name" name="display_name" required maxlength="60" autocomplete="name" value=display />
                <label for="name">"User name"</label>
                <input id="name" name="name" required maxlength="32" pattern="[a-z0-9_.\\-]+" autocomplete="username" value=name />
                <small>"a–z, 0–9, _ . - — how @mentions and the history name you"</small>
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" required autocomplete="email" value=email />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" required autocomplete="new-password"
                    minlength=Password::MIN_CHARS.to_string() maxlength=Password::MAX_CHARS.to_string() />
                <small>{format!("at least {} characters", Password::MIN_CHARS)}</small>
                <button type="submit" class="primary">"Create account"</button>
            </form>
            <p>"Have an account? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}
