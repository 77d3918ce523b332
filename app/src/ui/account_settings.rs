//! `/account`: the signed-in user's own settings: the colour theme, the
//! password (changing it
//! signs out every other session), and the personal access tokens of the
//! REST API: create one (shown once) with its scope (read only, preselected,
//! or read and write), see when each was last used, revoke it at once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{
    ApiTokenView, ChangePassword, CreateApiToken, RevokeApiToken, TokenScope, api_tokens,
};
use crate::domain::Theme;
use crate::ui::common::{
    SecretForms, SecretKind, SecretPanel, SecretRow, ThemeChoice, lifetime, loaded, remove_form,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    let forms = TokenForms::new();
    let tokens = Resource::new(move || forms.answered(), |_| api_tokens());
    view! {
        <Title text="Account settings" />
        <main class="page account-page">
            <h1>"Account settings"</h1>
            <ThemePanel />
            <PasswordPanel />
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    loaded(tokens.await, |tokens| view! { <TokenPanel tokens forms /> }.into_any())
                })}
            </Transition>
        </main>
    }
}

/// The API tokens' panel.
const TOKENS: SecretKind = SecretKind {
    panel: "api-tokens",
    title: "API tokens",
    prefix: "token",
    secret_id: "token-secret",
    shown_once: "Copy this token now; it is not shown again: ",
    secret_label: "The new token",
    secret_size: 34,
};

/// Create a token, revoke one.
type TokenForms = SecretForms<CreateApiToken, RevokeApiToken>;

#[component]
fn TokenPanel(tokens: Vec<ApiTokenView>, forms: TokenForms) -> impl IntoView {
    let rows = tokens
        .into_iter()
        .map(|token| {
            let scope = match token.scope {
                TokenScope::Read => "read only",
                TokenScope::ReadWrite => "read and write",
            };
            let details = view! {
                <span class="muted" data-testid="token-scope" data-scope=token.scope.as_str()>{format!(" · {scope}")}</span>
                <span class="muted">
                    {format!(" · created {} · {}", token.created, lifetime(token.expires.as_ref(), token.last_used.as_ref()))}
                </span>
            };
            let label = format!("Revoke {}", token.name);
            let remove = remove_form(forms.remove, token.id, None, label, "Revoke");
            view! { <SecretRow testid="api-token" id=token.id name=token.name details=details.into_any() remove=remove.into_any() /> }
                .into_any()
        })
        .collect();
    let form = view! {
        <ActionForm action=forms.create attr:class="inline-create" attr:data-testid="token-create">
            <input name="name" aria-label="Token name" placeholder="Name, e.g. CI sync" maxlength="80" />
            <label>"Last day " <input type="date" name="expires" aria-label="Last day" /></label>
            // Least privilege first: writing is a deliberate choice.
            <select name="scope" aria-label="Token scope">
                <option value="read" selected>"Read only"</option>
                <option value="read-write">"Read and write"</option>
            </select>
            <button type="submit">"Create token"</button>
        </ActionForm>
    };
    let secret = forms.secret(|new| new.secret);
    let error = forms.error();
    view! {
        <SecretPanel kind=TOKENS rows form=form.into_any() secret error>
            "A token lets a script or app use the "
            <a href="/api/v1/docs">"REST API"</a>
            " as you, with your roles: send it as " <code>"Authorization: Bearer …"</code>
            ". A read-only token cannot change anything. Tokens cannot create or revoke tokens; "
            "revoking a token stops it at once."
        </SecretPanel>
    }
}

#[component]
fn PasswordPanel() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error_for = move |field: &'static str| {
        move || {
            change
                .value()
                .get()
                .and_then(Result::err)
                .and_then(|e| e.for_field(field))
        }
    };
    // Errors not about one field (e.g. the server is down).
    let general = move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, crate::api::ApiError::Invalid(_)))
            .map(|e| e.to_string())
    };
    let done = move || {
        matches!(change.value().get(), Some(Ok(()))).then(|| {
            view! {
                <p class="muted" role="status" data-testid="password-changed">
                    "Password changed. Your other sessions are signed out."
                </p>
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="password-heading" data-testid="password">
            <h2 id="password-heading">"Password"</h2>
            <ActionForm action=change attr:class="inline-create" attr:data-testid="password-change">
                <label>
                    "Current password "
                    <input type="password" name="current_password" autocomplete="current-password" required />
                </label>
                <p class="error" role="alert">{error_for("current_password")}</p>
                <label>
                    "New password (at least 10 characters) "
                    <input type="password" name="new_password" autocomplete="new-password" minlength="10" required />
                </label>
                <p class="error" role="alert">{error_for("new_password")}</p>
                <label>
                    "Repeat the new password "
                    <input type="password" name="confirm_password" autocomplete="new-password" required />
                </label>
                <p class="error" role="alert">{error_for("confirm_password")}</p>
                <button type="submit">"Change password"</button>
            </ActionForm>
            {done}
            <p class="error" role="alert" data-testid="password-error">{general}</p>
        </section>
    }
}

/// The theme for every browser the user signs in on.
#[component]
fn ThemePanel() -> impl IntoView {
    let choice = ThemeChoice::expect();
    let options = Theme::ALL
        .into_iter()
        .map(|theme| {
            view! {
                <label class="theme-option">
                    <input
                        type="radio"
                        name="theme"
                        value=theme.as_str()
                        checked=choice.get_untracked() == theme
                        prop:checked=move || choice.get() == theme
                        on:change=move |_| choice.choose(theme)
                    />
                    {theme.label()}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="theme-heading" data-testid="theme">
            <h2 id="theme-heading">"Appearance"</h2>
            <fieldset class="theme-options">
                <legend>"Theme, for every browser you sign in on"</legend>
                {options}
            </fieldset>
        </section>
    }
}
