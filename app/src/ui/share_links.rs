//! The share-links panel of a project's settings (admins only): create a
//! read-only link, with an optional last day, and revoke it. A link's
//! address is shown once, when it is created; the server keeps only a hash.

use leptos::prelude::*;

use crate::api::{CreateShareLink, RevokeShareLink, ShareLinkView};

/// The panel's forms; each completed one reloads the list.
#[derive(Clone, Copy)]
pub struct ShareForms {
    pub create: ServerAction<CreateShareLink>,
    pub revoke: ServerAction<RevokeShareLink>,
}

impl ShareForms {
    pub fn new() -> Self {
        Self {
            create: ServerAction::new(),
            revoke: ServerAction::new(),
        }
    }

    /// Changes whenever a form has been answered.
    pub fn answered(self) -> usize {
        self.create.version().get() + self.revoke.version().get()
    }
}

/// The page's origin, to turn `/s/{token}` into an address to copy.
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        window().location().origin().unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

#[component]
pub fn SharePanel(project: String, links: Vec<ShareLinkView>, forms: ShareForms) -> impl IntoView {
    let rows = links
        .into_iter()
        .map(|link| {
            let project = project.clone();
            let revoke = format!("Revoke {}", link.label);
            let expires = link
                .expires
                .map_or_else(|| "never expires".to_string(), |t| format!("works until {t}"));
            let used = link
                .last_used
                .map_or_else(|| "never used".to_string(), |t| format!("last used {t}"));
            view! {
                <li class="share-link" data-testid="share-link" data-id=link.id>
                    <strong>{link.label.clone()}</strong>
                    <span class="muted">
                        {format!(" · created {} by @{} · {expires} · {used}", link.created, link.created_by)}
                    </span>
                    <ActionForm action=forms.revoke attr:class="inline-create">
                        <input type="hidden" name="project" value=project />
                        <input type="hidden" name="id" value=link.id />
                        <button type="submit" class="danger" aria-label=revoke>"Revoke"</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let created = move || match forms.create.value().get() {
        Some(Ok(new)) => {
            let url = format!("{}{}", origin(), new.path);
            Some(view! {
                <p class="share-created" data-testid="share-created">
                    "Copy this address now; it is not shown again: "
                    <input readonly value=url data-testid="share-url" aria-label="The new link's address" size="60" />
                </p>
            })
        }
        _ => None,
    };
    let error = move || {
        let create = forms.create.value().get().and_then(Result::err);
        let revoke = forms.revoke.value().get().and_then(Result::err);
        create.or(revoke).map(|e| e.to_string())
    };
    view! {
        <section class="panel" aria-labelledby="share-heading" data-testid="share-links">
            <h2 id="share-heading">"Share links"</h2>
            <p class="muted">
                "Anyone with a link sees the live board and its issues, read-only and without an account. \
                 Revoking a link closes it at once."
            </p>
            <ul class="share-links">{rows}</ul>
            <ActionForm action=forms.create attr:class="inline-create" attr:data-testid="share-create">
                <input type="hidden" name="project" value=project />
                <input name="label" aria-label="Link label" placeholder="Label, e.g. For the client" maxlength="80" />
                <label>"Last day " <input type="date" name="expires" aria-label="Last day" /></label>
                <button type="submit">"Create link"</button>
            </ActionForm>
            {created}
            <p class="error" role="alert" data-testid="share-error">{error}</p>
        </section>
    }
}
