//! `/account`: the signed-in user's own settings: the password (changing it
//! signs out every other session), and the personal access tokens of the
//! REST API: create one (shown once) with its scope (read only, preselected,
//! or read and write), see when each was last used, revoke it at once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{
    ApiTokenView, ChangePassword, CreateApiToken, RevokeApiToken, TokenScope, api_tokens,
};
use crate::ui::layout::loaded;

#[component]
pub fn AccountPage() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || create.version().get() + revoke.version().get(),
        |_| api_tokens(),
    );
    view! {
        <Title text="Account settings" />
        <main class="page account-page">
            <h1>"Account settings"</h1>
            <PasswordPanel />
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    loaded(tokens.await, |tokens| view! { <TokenPanel tokens create revoke /> }.into_any())
                })}
            </Transition>
        </main>
    }
}

#[component]
fn TokenPanel(
    tokens: Vec<ApiTokenView>,
    create: ServerAction<CreateApiToken>,
    revoke: ServerAction<RevokeApiToken>,
) -> impl IntoView {
    let rows = tokens
        .into_iter()
        .map(|token| {
            let expires = token
                .expires
                .map_or_else(|| "never expires".to_string(), |t| format!("works until {t}"));
            let used = token
                .last_used
                .map_or_else(|| "never used".to_string(), |t| format!("last used {t}"));
            let scope = match token.scope {
                TokenScope::Read => "read only",
                TokenScope::ReadWrite => "read and write",
            };
            view! {
                <li class="share-link" data-testid="api-token" data-id=token.id>
                    <strong>{token.name.clone()}</strong>
                    <span class="muted" data-testid="token-scope" data-scope=token.scope.as_str()>{format!(" · {scope}")}</span>
                    <span class="muted">{format!(" · created {} · {expires} · {used}", token.created)}</span>
                    <ActionForm action=revoke attr:class="inline-create">
                        <input type="hidden" name="id" value=token.id />
                        <button type="submit" class="danger" aria-label=format!("Revoke {}", token.name)>"Revoke"</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let created = move || match create.value().get() {
        Some(Ok(new)) => Some(view! {
            <p class="share-created" data-testid="token-created">
                "Copy this token now; it is not shown again: "
                <input readonly value=new.secret data-testid="token-secret" aria-label="The new token" size="34" />
            </p>
        }),
        _ => None,
    };
    let error = move || {
        let failed = create.value().get().and_then(Result::err);
        failed
            .or_else(|| revoke.value().get().and_then(Result::err))
            .map(|e| e.to_string())
    };
    view! {
        <section class="panel" aria-labelledby="tokens-heading" data-testid="api-tokens">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p class="muted">
                "A token lets a script or app use the "
                <a href="/api/v1/docs">"REST API"</a>
                " as you, with your roles: send it as " <code>"Authorization: Bearer …"</code>
                ". A read-only token cannot change anything. Tokens cannot create or revoke tokens; "
                "revoking a token stops it at once."
            </p>
            <ul class="share-links">{rows}</ul>
            <ActionForm action=create attr:class="inline-create" attr:data-testid="token-create">
                <input name="name" aria-label="Token name" placeholder="Name, e.g. CI sync" maxlength="80" />
                <label>"Last day " <input type="date" name="expires" aria-label="Last day" /></label>
                // Least privilege first: writing is a deliberate choice.
                <select name="scope" aria-label="Token scope">
                    <option value="read" selected>"Read only"</option>
                    <option value="read-write">"Read and write"</option>
                </select>
                <button type="submit">"Create token"</button>
            </ActionForm>
            {created}
            <p class="error" role="alert" data-testid="token-error">{error}</p>
        </section>
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
