//! Inline editing of every issue field. Each editor sends the version of the
//! issue it showed; when someone changed the same field meanwhile, it says
//! who and what, keeps what the user typed, and offers to save it anyway
//! (against the new version) or to keep theirs.

use leptos::prelude::*;

use super::Reload;
use super::offline::Queue;
use crate::api::{ApiError, IssueDetail, UpdateField};
use crate::domain::*;
use crate::ui::common::{Avatar, PriorityIcon};
use crate::ui::platform::{self, random_command_id};

/// How a field is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldInput {
    /// A one-line input; `list` names a `<datalist>` of suggestions.
    Text {
        value: String,
        list: Option<&'static str>,
    },
    TextArea {
        value: String,
    },
    /// A choice that saves as soon as it changes: `(value, label)` pairs.
    Select {
        value: String,
        options: Vec<(String, String)>,
    },
}

/// What a conflict answer says, in a sentence: "bob changed the priority
/// from Medium to High (2026-11-21 10:04 UTC)".
pub(super) fn conflict_text(changes: &[ChangeRecord]) -> String {
    let said: Vec<String> = changes
        .iter()
        .filter_map(|r| match &r.change {
            Change::Field { field, old, new } => Some(format!(
                "{} changed the {} from {} to {} ({})",
                r.actor,
                field.label(),
                old.as_deref().unwrap_or("none"),
                new.as_deref().unwrap_or("none"),
                utc_minute(r.at_ms)
            )),
            _ => None,
        })
        .collect();
    if said.is_empty() {
        "Someone changed this field while you were editing.".into()
    } else {
        format!("{}.", said.join("; "))
    }
}

/// The value of the form's `value` control.
fn submitted_value(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let form = ev
            .target()?
            .dyn_into::<leptos::web_sys::HtmlFormElement>()
            .ok()?;
        let data = leptos::web_sys::FormData::new_with_form(&form).ok()?;
        data.get("value").as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// One field: its value, and an editor. Without JavaScript the form posts
/// to the server function and the page comes back updated.
#[component]
pub fn FieldEditor(
    issue: Issue,
    field: &'static str,
    label: &'static str,
    input: FieldInput,
    display: ViewFn,
) -> impl IntoView {
    let reload = expect_context::<Reload>();
    let read_only = use_context::<super::ReadOnly>().is_some_and(|r| r.0);
    let action = ServerAction::<UpdateField>::new();
    let key = issue.key.to_string();
    let editing = RwSignal::new(false);
    // What the user last sent: kept through a conflict, to send again.
    let sent = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(None::<(String, u64)>);
    let error = RwSignal::new(None::<String>);
    // The edit on its way: its command id, base version and value.
    let attempt = RwSignal::new(None::<(CommandId, u64, String)>);
    // What was queued to be sent once the network is back.
    let queued = RwSignal::new(None::<String>);
    let queue_edit = {
        let queue = use_context::<Queue>();
        let number = issue.key.number;
        let labels = match &input {
            FieldInput::Select { options, .. } => options.clone(),
            _ => Vec::new(),
        };
        move |id: CommandId, version: u64, value: String| {
            let Some(queue) = &queue else {
                error.set(Some("Not saved: the server cannot be reached.".into()));
                return;
            };
            match queue.push(id, number, version, field, &value) {
                Ok(()) => {
                    let label = labels
                        .iter()
                        .find(|(v, _)| *v == value)
                        .map_or(value, |(_, l)| l.clone());
                    queued.set(Some(label));
                    editing.set(false);
                }
                Err(ApiError::Invalid(errors)) => {
                    error.set(errors.first().map(|e| e.message.clone()))
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    };
    let on_no_answer = queue_edit.clone();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(Outcome::Conflict {
            changes, current, ..
        })) => {
            let version = match current {
                Some(Snapshot::Issue(i)) => i.version,
                _ => 0,
            };
            conflict.set(Some((conflict_text(&changes), version)));
        }
        Some(Ok(_)) => {
            editing.set(false);
            conflict.set(None);
            reload.now();
        }
        Some(Err(ApiError::Invalid(errors))) => {
            error.set(errors.first().map(|e| e.message.clone()));
        }
        // No answer: the edit may or may not have arrived. Queued under the
        // same id, it is sent again later and cannot apply twice.
        Some(Err(ApiError::Transport(_) | ApiError::Unavailable)) => {
            if let Some((id, version, value)) = attempt.get_untracked() {
                on_no_answer(id, version, value);
            }
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let send = {
        let key = key.clone();
        move |version: u64, value: String| {
            error.set(None);
            sent.set(Some(value.clone()));
            let id = random_command_id();
            if !platform::navigator_online() {
                queue_edit(id, version, value);
                return;
            }
            attempt.set(Some((id, version, value.clone())));
            action.dispatch(UpdateField {
                issue: key.clone(),
                version,
                field: field.to_string(),
                value,
                command: Some(id),
            });
        }
    };
    let version = issue.version;
    let on_submit = {
        let send = send.clone();
        move |ev: leptos::ev::SubmitEvent| {
            if let Some(value) = submitted_value(&ev) {
                ev.prevent_default();
                send(version, value);
            }
        }
    };
    let select = matches!(input, FieldInput::Select { .. });
    let control = {
        let id = format!("field-{field}");
        move || {
            let id = id.clone();
            match input.clone() {
                FieldInput::Text { value, list } => view! {
                    <input id=id name="value" value=value list=list aria-label=label autofocus
                        on:keydown=move |ev| if ev.key() == "Escape" { editing.set(false) } />
                }
                .into_any(),
                FieldInput::TextArea { value } => view! {
                    <textarea id=id name="value" rows="6" aria-label=label autofocus
                        on:keydown=move |ev| if ev.key() == "Escape" { editing.set(false) }>{value}</textarea>
                }
                .into_any(),
                FieldInput::Select { value, options } => view! {
                    <select id=id name="value" aria-label=label
                        on:change=move |ev| {
                            if let Some(form) = event_target::<leptos::web_sys::HtmlSelectElement>(&ev).form() {
                                let _ = form.request_submit();
                            }
                        }>
                        {options.into_iter().map(|(v, l)| {
                            let selected = v == value;
                            view! { <option value=v selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                }
                .into_any(),
            }
        }
    };
    let resolve = move || {
        conflict.get().map(|(text, current)| {
            let send = send.clone();
            view! {
                <div class="conflict" role="alert" data-testid=format!("conflict-{field}")>
                    <p>{text}</p>
                    <button type="button" class="primary"
                        on:click=move |_| {
                            conflict.set(None);
                            if let Some(value) = sent.get_untracked() {
                                send(current, value);
                            }
                        }>"Save mine anyway"</button>
                    <button type="button"
                        on:click=move |_| {
                            conflict.set(None);
                            editing.set(false);
                            reload.now();
                        }>"Keep theirs"</button>
                </div>
            }
        })
    };
    let form = {
        let key = key.clone();
        move || {
            view! {
                <form class="field-form" method="post" action="/api/fn/update_field" on:submit=on_submit.clone()>
                    <input type="hidden" name="issue" value=key.clone() />
                    <input type="hidden" name="version" value=version />
                    <input type="hidden" name="field" value=field />
                    {control.clone()}
                    {(!select).then(|| view! {
                        <button type="submit" class="primary">"Save"</button>
                        <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    })}
                    <small class="field-error" role="alert">{move || error.get()}</small>
                </form>
            }
        }
    };
    view! {
        <div class="inline-field" data-field=field data-testid=format!("field-{field}")>
            {move || {
                if read_only {
                    view! { <div class="field-value"><div class="field-shown">{display.run()}</div></div> }.into_any()
                } else if select || editing.get() {
                    form().into_any()
                } else {
                    view! {
                        <div class="field-value">
                            <div class="field-shown">{display.run()}</div>
                            <button type="button" class="edit-button" aria-label=format!("Edit {}", label.to_lowercase())
                                on:click=move |_| editing.set(true)>"✎"</button>
                        </div>
                    }
                    .into_any()
                }
            }}
            {resolve}
            {move || queued.get().map(|value| view! {
                <p class="muted queued-value" data-testid=format!("queued-{field}")>
                    {format!("Saved in this browser: {value}. It is sent as soon as the server can be reached.")}
                </p>
            })}
        </div>
    }
}

/// The side panel: status and every other field, each editable.
#[component]
pub fn IssueFields(detail: IssueDetail) -> impl IntoView {
    let IssueDetail {
        project,
        issue,
        epics,
        sprints,
        people,
        ..
    } = detail;
    let calendar = project.calendar;
    let none = || view! { <span class="muted">"None"</span> }.into_any();
    let text = |value: String| FieldInput::Text { value, list: None };
    let options = |pairs: Vec<(String, String)>, value: String| FieldInput::Select {
        value,
        options: pairs,
    };
    let statuses = project
        .statuses
        .iter()
        .map(|s| (s.id.0.to_string(), s.name.to_string()))
        .collect();
    let types = IssueType::ALL
        .iter()
        .map(|t| (t.label().to_string(), t.label().to_string()))
        .collect();
    let priorities = Priority::ALL
        .iter()
        .map(|p| (p.label().to_string(), p.label().to_string()))
        .collect();
    let sprint_choices = std::iter::once((String::new(), "Backlog (no sprint)".to_string()))
        .chain(sprints.iter().map(|s| {
            (
                s.number.0.to_string(),
                format!("{} ({})", s.name, s.state.label()),
            )
        }))
        .collect();
    let assignee = issue.assignee.clone();
    let labels: Vec<String> = issue.labels.iter().map(ToString::to_string).collect();
    let points = issue.points.map(|p| p.to_string());
    let parent = issue
        .parent
        .map(|n| IssueKey::new(project.key.clone(), n).to_string());
    let estimate = |m: Option<Minutes>| m.map(|m| calendar.format(m));
    let (original, remaining) = (
        estimate(issue.original_estimate),
        estimate(issue.remaining_estimate),
    );
    let shown = move |v: Option<String>| {
        ViewFn::from(move || v.clone().map_or_else(none, |v| v.into_any()))
    };
    let row = |label: &'static str, editor: AnyView| {
        view! {
            <div class="issue-field">
                <dt>{label}</dt>
                <dd>{editor}</dd>
            </div>
        }
        .into_any()
    };
    let editor = |field: &'static str, label: &'static str, input: FieldInput, display: ViewFn| {
        row(
            label,
            view! { <FieldEditor issue=issue.clone() field label input display /> }.into_any(),
        )
    };
    let assignee_view = ViewFn::from(move || {
        assignee.clone().map_or_else(none, |u| {
            view! { <span class="with-icon"><Avatar user=u.clone() />{u.to_string()}</span> }
                .into_any()
        })
    });
    let labels_view = {
        let labels = labels.clone();
        ViewFn::from(move || {
            if labels.is_empty() {
                none()
            } else {
                labels
                    .iter()
                    .map(|l| view! { <span class="label">{l.clone()}</span> })
                    .collect_view()
                    .into_any()
            }
        })
    };
    let priority = issue.priority;
    let fields = vec![
        editor(
            "status",
            "Status",
            options(statuses, issue.status.0.to_string()),
            ViewFn::default(),
        ),
        editor(
            "type",
            "Type",
            options(types, issue.issue_type.label().to_string()),
            ViewFn::default(),
        ),
        editor(
            "priority",
            "Priority",
            options(priorities, issue.priority.label().to_string()),
            ViewFn::from(move || view! { <PriorityIcon p=priority /> }),
        ),
        editor(
            "assignee",
            "Assignee",
            FieldInput::Text {
                value: issue
                    .assignee
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                list: Some("people"),
            },
            assignee_view,
        ),
        row(
            "Reporter",
            view! { <span class="with-icon"><Avatar user=issue.reporter.clone() />{issue.reporter.to_string()}</span> }
                .into_any(),
        ),
        editor(
            "points",
            "Story points",
            text(points.clone().unwrap_or_default()),
            shown(points),
        ),
        editor("labels", "Labels", text(labels.join(" ")), labels_view),
        editor(
            "parent",
            "Parent",
            FieldInput::Text {
                value: parent.clone().unwrap_or_default(),
                list: Some("epics"),
            },
            shown(parent),
        ),
        editor(
            "sprint",
            "Sprint",
            options(
                sprint_choices,
                issue.sprint.map(|s| s.0.to_string()).unwrap_or_default(),
            ),
            ViewFn::default(),
        ),
        editor(
            "original_estimate",
            "Original estimate",
            text(original.clone().unwrap_or_default()),
            shown(original),
        ),
        editor(
            "remaining_estimate",
            "Remaining estimate",
            text(remaining.clone().unwrap_or_default()),
            shown(remaining),
        ),
    ];
    view! {
        <section class="panel issue-fields" aria-label="Fields">
            <dl>{fields}</dl>
            <datalist id="people">
                {people.iter().map(|p| view! { <option value=p.to_string()></option> }).collect_view()}
            </datalist>
            <datalist id="epics">
                {epics.iter().map(|e| view! { <option value=e.key.to_string()>{e.title.to_string()}</option> }).collect_view()}
            </datalist>
        </section>
    }
}
