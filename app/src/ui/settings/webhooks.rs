//! The webhooks panel of a project's settings (admins only): register a URL
//! with an event filter, see each webhook's latest deliveries (state,
//! attempts, the receiver's answer), and delete it. The signing secret is
//! shown once, when the webhook is created.

use leptos::prelude::*;

use crate::api::{CreateWebhook, DeleteWebhook, DeliveryView, WebhookView};
use crate::ui::common::{SecretForms, SecretKind, SecretPanel, SecretRow, remove_form};

/// The panel's forms (add a webhook, delete one) and its refresh button;
/// each answer reloads the list.
#[derive(Clone, Copy)]
pub struct WebhookForms {
    pub hooks: SecretForms<CreateWebhook, DeleteWebhook>,
    pub refresh: RwSignal<usize>,
}

impl WebhookForms {
    pub fn new() -> Self {
        Self {
            hooks: SecretForms::new(),
            refresh: RwSignal::new(0),
        }
    }

    /// Changes whenever the list may have changed.
    pub fn answered(self) -> usize {
        self.hooks.answered() + self.refresh.get()
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

/// The webhooks' panel.
const HOOKS: SecretKind = SecretKind {
    panel: "webhooks",
    title: "Webhooks",
    prefix: "webhook",
    secret_id: "webhook-secret",
    shown_once: "Copy the signing secret now; it is not shown again: ",
    secret_label: "The signing secret",
    secret_size: 34,
};

#[component]
pub fn WebhookPanel(
    project: String,
    hooks: Vec<(WebhookView, Vec<DeliveryView>)>,
    forms: WebhookForms,
) -> impl IntoView {
    let rows = hooks
        .into_iter()
        .map(|(hook, deliveries)| {
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
            let details = view! { <span class="muted">{format!(" · {events} · added by @{}", hook.created_by)}</span> };
            let label = format!("Delete {}", hook.url);
            let remove = remove_form(forms.hooks.remove, hook.id, Some(project.clone()), label, "Delete");
            view! {
                <SecretRow testid="webhook" id=hook.id name=hook.url details=details.into_any() remove=remove.into_any() below=log />
            }
            .into_any()
        })
        .collect();
    let refresh = view! {
        <button type="button" on:click=move |_| forms.refresh.update(|n| *n += 1)>"Refresh deliveries"</button>
    };
    let form = view! {
        <ActionForm action=forms.hooks.create attr:class="inline-create" attr:data-testid="webhook-create">
            <input type="hidden" name="project" value=project />
            <input name="url" type="url" aria-label="Webhook URL" placeholder="https://example.com/kanri" size="40" />
            <input name="events" aria-label="Event types" placeholder="Event types, e.g. issue_created (empty: all)" size="40" />
            <button type="submit">"Add webhook"</button>
        </ActionForm>
    };
    let secret = forms.hooks.secret(|new| new.secret);
    let error = forms.hooks.error();
    view! {
        <SecretPanel kind=HOOKS rows form=form.into_any() secret error tools=refresh.into_any()>
            "Each event of this project is POSTed as JSON to the URL, with its sequence number, signed in "
            <code>"Kanri-Signature"</code>
            " (HMAC-SHA256 of " <code>"t.body"</code>
            " with the secret), and retried with growing waits when the receiver fails."
        </SecretPanel>
    }
}
