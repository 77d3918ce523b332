//! The webhooks panel of a project's settings (admins only): register a URL
//! with an event filter, see each webhook's latest deliveries (state,
//! attempts, the receiver's answer), and delete it. The signing secret is
//! shown once, when the webhook is created.

use leptos::prelude::*;

use crate::api::{CreateWebhook, DeleteWebhook, DeliveryView, WebhookView};

/// The panel's forms and its refresh button; each answer reloads the list.
#[derive(Clone, Copy)]
pub struct WebhookForms {
    pub create: ServerAction<CreateWebhook>,
    pub delete: ServerAction<DeleteWebhook>,
    pub refresh: RwSignal<usize>,
}

impl WebhookForms {
    pub fn new() -> Self {
        Self {
            create: ServerAction::new(),
            delete: ServerAction::new(),
            refresh: RwSignal::new(0),
        }
    }

    /// Changes whenever the list may have changed.
    pub fn answered(self) -> usize {
        self.create.version().get() + self.delete.version().get() + self.refresh.get()
    }
}

fn delivery_row(d: DeliveryView) -> impl IntoView {
    let answer = match (&d.last_status, &d.last_error) {
        (_, Some(error)) => error.clone(),
        (Some(status), None) => format!("answered {status}"),
        (None, None) => "not sent yet".to_string(),
    };
    // The sentence leads with its class (`refused (private address): …`);
    // the class itself is there for styling and tests.
    view! {
        <li class="delivery" data-testid="delivery" data-state=d.state.clone() data-failure=d.last_failure.clone()>
            <code>{format!("#{}", d.seq)}</code>
            {format!(" {} · {} · {} attempt(s) · {answer}", d.event_type, d.state, d.attempts)}
        </li>
    }
}

#[component]
pub fn WebhookPanel(
    project: String,
    hooks: Vec<(WebhookView, Vec<DeliveryView>)>,
    forms: WebhookForms,
) -> impl IntoView {
    let rows = hooks
        .into_iter()
        .map(|(hook, deliveries)| {
            let project = project.clone();
            let events = if hook.events.is_empty() {
                "every event".to_string()
            } else {
                hook.events.join(", ")
            };
            let log = if deliveries.is_empty() {
                view! { <p class="muted">"No deliveries yet."</p> }.into_any()
            } else {
                view! { <ul class="deliveries">{deliveries.into_iter().map(delivery_row).collect_view()}</ul> }
                    .into_any()
            };
            view! {
                <li class="share-link" data-testid="webhook" data-id=hook.id>
                    <strong>{hook.url.clone()}</strong>
                    <span class="muted">{format!(" · {events} · added by @{}", hook.created_by)}</span>
                    <ActionForm action=forms.delete attr:class="inline-create">
                        <input type="hidden" name="project" value=project />
                        <input type="hidden" name="id" value=hook.id />
                        <button type="submit" class="danger" aria-label=format!("Delete {}", hook.url)>"Delete"</button>
                    </ActionForm>
                    {log}
                </li>
            }
        })
        .collect_view();
    let created = move || match forms.create.value().get() {
        Some(Ok(new)) => Some(view! {
            <p class="share-created" data-testid="webhook-created">
                "Copy the signing secret now; it is not shown again: "
                <input readonly value=new.secret data-testid="webhook-secret" aria-label="The signing secret" size="34" />
            </p>
        }),
        _ => None,
    };
    let error = move || {
        let create = forms.create.value().get().and_then(Result::err);
        let delete = forms.delete.value().get().and_then(Result::err);
        create.or(delete).map(|e| e.to_string())
    };
    view! {
        <section class="panel" aria-labelledby="webhooks-heading" data-testid="webhooks">
            <h2 id="webhooks-heading">"Webhooks"</h2>
            <p class="muted">
                "Each event of this project is POSTed as JSON to the URL, with its sequence number, signed in "
                <code>"Kanri-Signature"</code>
                " (HMAC-SHA256 of " <code>"t.body"</code>
                " with the secret), and retried with growing waits when the receiver fails."
            </p>
            <ul class="share-links">{rows}</ul>
            <button type="button" on:click=move |_| forms.refresh.update(|n| *n += 1)>"Refresh deliveries"</button>
            <ActionForm action=forms.create attr:class="inline-create" attr:data-testid="webhook-create">
                <input type="hidden" name="project" value=project />
                <input name="url" type="url" aria-label="Webhook URL" placeholder="https://example.com/kanri" size="40" />
                <input name="events" aria-label="Event types" placeholder="Event types, e.g. issue_created (empty: all)" size="40" />
                <button type="submit">"Add webhook"</button>
            </ActionForm>
            {created}
            <p class="error" role="alert" data-testid="webhook-error">{error}</p>
        </section>
    }
}
