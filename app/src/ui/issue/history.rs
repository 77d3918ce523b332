//! The history tab: who changed what, when, old → new, read from the log,
//! conflicts included.

use leptos::prelude::*;

use crate::domain::*;
use crate::ui::common::Avatar;

#[component]
pub fn HistoryEntry(record: ChangeRecord) -> impl IntoView {
    let when = utc_minute(record.at_ms);
    let actor = record.actor.clone();
    let (kind, text) = match &record.change {
        Change::Created { summary } => ("created", format!("created {summary}")),
        Change::Field {
            field: Field::Rank, ..
        } => ("rank", "changed the rank".to_string()),
        Change::Field {
            field: Field::Worklog(_),
            old,
            new,
        } => (
            "worklog",
            match (old, new) {
                (None, Some(new)) => format!("logged {new}"),
                (Some(old), None) => format!("deleted the worklog of {old}"),
                (old, new) => format!(
                    "changed a worklog from {} to {}",
                    old.as_deref().unwrap_or("none"),
                    new.as_deref().unwrap_or("none")
                ),
            },
        ),
        // Comments, watchers and links are added and removed, not changed.
        Change::Field {
            field: field @ (Field::Comment(_) | Field::Watchers | Field::Links),
            old,
            new,
        } => {
            let what = match field {
                Field::Comment(_) => ("commented: ", "deleted a comment: ", "edited a comment: "),
                Field::Watchers => ("added a watcher: ", "removed a watcher: ", ""),
                _ => ("linked: this issue ", "removed the link: this issue ", ""),
            };
            let text = match (old, new) {
                (None, Some(new)) => format!("{}{new}", what.0),
                (Some(old), None) => format!("{}{old}", what.1),
                (_, new) => format!("{}{}", what.2, new.as_deref().unwrap_or_default()),
            };
            ("field", text)
        }
        Change::Field { field, old, new } => (
            "field",
            format!(
                "changed the {} from {} to {}",
                field.label(),
                old.as_deref().unwrap_or("none"),
                new.as_deref().unwrap_or("none")
            ),
        ),
        Change::Conflict { fields, attempted } => {
            let fields: Vec<&str> = fields.iter().map(|f| f.label()).collect();
            (
                "conflict",
                format!(
                    "tried to {attempted}, but the {} had changed meanwhile: not applied",
                    fields.join(" and ")
                ),
            )
        }
    };
    view! {
        <li class=format!("history-entry change-{kind}") data-testid=format!("history-{kind}") data-actor=actor.to_string()>
            <Avatar user=actor.clone() />
            <div>
                <p>
                    <strong>{actor.to_string()}</strong>
                    " "
                    {text}
                </p>
                <time class="muted">{when}</time>
            </div>
        </li>
    }
}
