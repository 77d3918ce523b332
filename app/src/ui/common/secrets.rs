//! One panel for the resources that carry a secret: API tokens, share links
//! and webhooks. A list (each row with its remove form), a form to create
//! one, the new secret shown once (the server keeps only a hash, or the
//! signing key, and never shows it again), and the last error.
//!
//! The forms themselves stay with their screens: each is a server action
//! of its own type, and works without JavaScript.

use leptos::prelude::*;
use leptos::server_fn::client::Client;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::{Http, ServerFn};
use leptos::web_sys::FormData;
use serde::de::DeserializeOwned;

use crate::api::ApiError;
use crate::domain::UtcTime;

/// A server function a panel's form calls: answered with an [`ApiError`]
/// when it fails, and posted as a form (so it works without JavaScript).
pub trait FormFn:
    ServerFn<Error = ApiError> + DeserializeOwned + Clone + Send + Sync + 'static
{
}

impl<S> FormFn for S where
    S: ServerFn<Error = ApiError> + DeserializeOwned + Clone + Send + Sync + 'static
{
}

/// A panel's two forms, to create and to remove; each answer reloads the
/// list.
pub struct SecretForms<C: FormFn, R: FormFn> {
    pub create: ServerAction<C>,
    pub remove: ServerAction<R>,
}

impl<C: FormFn, R: FormFn> Clone for SecretForms<C, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: FormFn, R: FormFn> Copy for SecretForms<C, R> {}

impl<C, R> SecretForms<C, R>
where
    C: FormFn,
    R: FormFn,
    C::Output: Clone + Send + Sync + 'static,
    R::Output: Clone + Send + Sync + 'static,
{
    pub fn new() -> Self {
        Self {
            create: ServerAction::new(),
            remove: ServerAction::new(),
        }
    }

    /// Changes whenever a form has been answered.
    pub fn answered(self) -> usize {
        self.create.version().get() + self.remove.version().get()
    }

    /// What went wrong with the last answer of either form.
    pub fn error(self) -> Signal<Option<String>> {
        Signal::derive(move || {
            let create = self.create.value().get().and_then(Result::err);
            let remove = self.remove.value().get().and_then(Result::err);
            create.or(remove).map(|e| e.to_string())
        })
    }

    /// The secret of the resource just created, by `secret`, to show once.
    pub fn secret(
        self,
        secret: impl Fn(C::Output) -> String + Send + Sync + 'static,
    ) -> Signal<Option<String>> {
        Signal::derive(move || self.create.value().get().and_then(Result::ok).map(&secret))
    }
}

/// How a kind of secret resource is named on its panel and to tests.
#[derive(Debug, Clone, Copy)]
pub struct SecretKind {
    /// The panel's `data-testid`, and its heading's id: `api-tokens`.
    pub panel: &'static str,
    pub title: &'static str,
    /// Begins the test ids of what the panel shows: `token` makes
    /// `token-created` and `token-error`.
    pub prefix: &'static str,
    /// The `data-testid` of the field that shows the secret once.
    pub secret_id: &'static str,
    /// The sentence before the secret: "Copy this token now; …".
    pub shown_once: &'static str,
    /// The secret field's accessible name.
    pub secret_label: &'static str,
    /// The field's width, in characters.
    pub secret_size: u32,
}

/// A resource's panel: `intro` (children) says what one is for; `rows` are
/// its [`SecretRow`]s; `form` creates one; `secret` is the one just
/// created; `tools` sit between the list and the form.
#[component]
pub fn SecretPanel(
    kind: SecretKind,
    rows: Vec<AnyView>,
    form: AnyView,
    #[prop(into)] secret: Signal<Option<String>>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] tools: Option<AnyView>,
    children: Children,
) -> impl IntoView {
    let heading = format!("{}-heading", kind.panel);
    let shown_once = move || {
        secret.get().map(|secret| {
            view! {
                <p class="share-created" data-testid=format!("{}-created", kind.prefix)>
                    {kind.shown_once}
                    <input readonly value=secret data-testid=kind.secret_id aria-label=kind.secret_label size=kind.secret_size />
                </p>
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby=heading data-testid=kind.panel>
            <h2 id=format!("{}-heading", kind.panel)>{kind.title}</h2>
            <p class="muted">{children()}</p>
            <ul class="share-links">{rows}</ul>
            {tools}
            {form}
            {shown_once}
            <p class="error" role="alert" data-testid=format!("{}-error", kind.prefix)>{move || error.get()}</p>
        </section>
    }
}

/// One resource in a [`SecretPanel`]: its name, `details` after it, the
/// form that removes it, and `below` under the row.
#[component]
pub fn SecretRow(
    testid: &'static str,
    id: i64,
    name: String,
    details: AnyView,
    remove: AnyView,
    #[prop(optional)] below: Option<AnyView>,
) -> impl IntoView {
    view! {
        <li class="share-link" data-testid=testid data-id=id>
            <strong>{name}</strong>
            {details}
            {remove}
            {below}
        </li>
    }
}

/// The form that removes the resource `id` (of `project`, for a project's),
/// its button `text` named `label` for assistive technology. (A function,
/// not a component: the component macro loses the server function's bounds.)
pub fn remove_form<R, P>(
    action: ServerAction<R>,
    id: i64,
    project: Option<String>,
    label: String,
    text: &'static str,
) -> impl IntoView
where
    R: FormFn + ServerFn<Protocol = Http<PostUrl, P>>,
    R::Client: Client<ApiError>,
    <<R::Client as Client<ApiError>>::Request as ClientReq<ApiError>>::FormData: From<FormData>,
    R::Output: Send + Sync + 'static,
    P: 'static,
{
    view! {
        <ActionForm action attr:class="inline-create">
            {project.map(|p| view! { <input type="hidden" name="project" value=p /> })}
            <input type="hidden" name="id" value=id />
            <button type="submit" class="danger" aria-label=label>{text}</button>
        </ActionForm>
    }
}

/// " · works until … · last used …" (or "never expires", "never used").
pub fn lifetime(expires: Option<&UtcTime>, last_used: Option<&UtcTime>) -> String {
    let expires = expires.map_or_else(
        || "never expires".to_string(),
        |t| format!("works until {t}"),
    );
    let used = last_used.map_or_else(|| "never used".to_string(), |t| format!("last used {t}"));
    format!("{expires} · {used}")
}
