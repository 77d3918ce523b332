//! The share-links panel of a project's settings (admins only): create a
//! read-only link, with an optional last day, and revoke it. A link's
//! address is shown once, when it is created; the server keeps only a hash.

use leptos::prelude::*;

use crate::api::{CreateShareLink, RevokeShareLink, ShareLinkView};
use crate::ui::common::{SecretForms, SecretKind, SecretPanel, SecretRow, lifetime, remove_form};
use crate::ui::platform::origin;

/// Create a link, revoke one.
pub type ShareForms = SecretForms<CreateShareLink, RevokeShareLink>;

/// The share links' panel.
const LINKS: SecretKind = SecretKind {
    panel: "share-links",
    title: "Share links",
    prefix: "share",
    secret_id: "share-url",
    shown_once: "Copy this address now; it is not shown again: ",
    secret_label: "The new link's address",
    secret_size: 60,
};

#[component]
pub fn SharePanel(project: String, links: Vec<ShareLinkView>, forms: ShareForms) -> impl IntoView {
    let rows = links
        .into_iter()
        .map(|link| {
            let details = view! {
                <span class="muted">
                    {format!(
                        " · created {} by @{} · {}",
                        link.created,
                        link.created_by,
                        lifetime(link.expires.as_ref(), link.last_used.as_ref())
                    )}
                </span>
            };
            let label = format!("Revoke {}", link.label);
            let remove = remove_form(forms.remove, link.id, Some(project.clone()), label, "Revoke");
            view! { <SecretRow testid="share-link" id=link.id name=link.label details=details.into_any() remove=remove.into_any() /> }
                .into_any()
        })
        .collect();
    let form = view! {
        <ActionForm action=forms.create attr:class="inline-create" attr:data-testid="share-create">
            <input type="hidden" name="project" value=project />
            <input name="label" aria-label="Link label" placeholder="Label, e.g. For the client" maxlength="80" />
            <label>"Last day " <input type="date" name="expires" aria-label="Last day" /></label>
            <button type="submit">"Create link"</button>
        </ActionForm>
    };
    let secret = forms.secret(|new| format!("{}{}", origin(), new.path));
    let error = forms.error();
    view! {
        <SecretPanel kind=LINKS rows form=form.into_any() secret error>
            "Anyone with a link sees the live board and its issues, read-only and without an account. \
             Revoking a link closes it at once."
        </SecretPanel>
    }
}
