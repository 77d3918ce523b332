//! The issue page's time tracking panel: estimate, remaining and logged
//! time, the worklogs (each editable and deletable), and a form to log work.

use leptos::prelude::*;

use crate::api::{ApiError, DeleteWorklog, LogWork, UpdateWorklog};
use crate::domain::*;
use crate::ui::common::Avatar;

/// A sentence for an answer that did not change anything.
fn refused(result: Option<Result<Outcome, ApiError>>, what: &str) -> Option<String> {
    match result? {
        Ok(Outcome::Conflict { changes, .. }) => Some(format!(
            "Not {what}: {} changed the remaining estimate meanwhile. Check it and try again.",
            changes
                .last()
                .map_or_else(|| "someone".to_string(), |r| r.actor.to_string())
        )),
        Ok(_) => None,
        Err(ApiError::Invalid(_)) => None,
        Err(e) => Some(e.to_string()),
    }
}

#[component]
pub fn TimeTracking(
    issue: Issue,
    calendar: WorkCalendar,
    log: ServerAction<LogWork>,
    edit: ServerAction<UpdateWorklog>,
    delete: ServerAction<DeleteWorklog>,
) -> impl IntoView {
    let fmt = move |m: Minutes| calendar.format(m);
    let spent = issue.time_spent();
    let remaining = issue.remaining_estimate.unwrap_or_default();
    // Jira's bar: logged against logged + remaining.
    let whole = spent.0.saturating_add(remaining.0).max(1);
    let logged_pct = f64::from(spent.0) * 100.0 / f64::from(whole);
    let key = issue.key.to_string();
    let version = issue.version.to_string();
    let worklogs: Vec<Worklog> = issue.worklogs.values().rev().cloned().collect();
    let count = worklogs.len();
    let (form_key, form_version) = (key.clone(), version.clone());
    let error = move || log.value().get().and_then(Result::err);
    let field_error = move |f: &'static str| move || error().and_then(|e| e.for_field(f));
    let notice = move || {
        refused(log.value().get(), "logged")
            .or_else(|| refused(edit.value().get(), "changed"))
            .or_else(|| refused(delete.value().get(), "deleted"))
    };
    view! {
        <section class="panel time-tracking" aria-labelledby="time-heading" data-testid="time-tracking">
            <h2 id="time-heading">"Time tracking"</h2>
            <div class="time-bar" role="img" aria-label=format!("{} logged, {} remaining", fmt(spent), fmt(remaining))>
                <span class="time-bar-logged" style=format!("width: {logged_pct:.1}%")></span>
            </div>
            <dl class="time-figures">
                <div><dt>"Estimated"</dt><dd data-testid="time-original">{issue.original_estimate.map_or_else(|| "None".into(), fmt)}</dd></div>
                <div><dt>"Logged"</dt><dd data-testid="time-spent">{fmt(spent)}</dd></div>
                <div><dt>"Remaining"</dt><dd data-testid="time-remaining">{issue.remaining_estimate.map_or_else(|| "None".into(), fmt)}</dd></div>
            </dl>
            <ActionForm action=log attr:class="log-work" attr:novalidate=true attr:data-testid="log-work">
                <input type="hidden" name="issue" value=form_key />
                <input type="hidden" name="version" value=form_version />
                <div class="log-work-row">
                    <TextField label="Time spent" id="log" field="spent" placeholder="e.g. 2h 30m" error=field_error("spent") />
                    <TextField label="Started (UTC)" id="log" field="started" placeholder="now, or 2026-11-21 09:30" error=field_error("started") />
                </div>
                <div class="log-work-row">
                    <RemainingChoice id="log" manual=true />
                    <TextField label="Amount (for set / reduce by)" id="log" field="remaining_by" placeholder="e.g. 1d" error=field_error("remaining_by") />
                </div>
                <TextField label="What did you work on?" id="log" field="comment" placeholder="optional" error=field_error("comment") />
                <p class="error" role="alert" data-testid="time-error">{notice}</p>
                <button type="submit" class="primary" disabled=move || log.pending().get()>"Log work"</button>
            </ActionForm>
            <h3>{format!("Worklogs ({count})")}</h3>
            <ol class="worklogs" data-testid="worklogs">
                {worklogs
                    .into_iter()
                    .map(|w| view! { <WorklogItem w issue=key.clone() version=version.clone() calendar edit delete /> })
                    .collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// One worklog, with its delete button and an inline edit form.
#[component]
fn WorklogItem(
    w: Worklog,
    issue: String,
    version: String,
    calendar: WorkCalendar,
    edit: ServerAction<UpdateWorklog>,
    delete: ServerAction<DeleteWorklog>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let n = w.number.0.to_string();
    let spent = calendar.format(w.entry.spent);
    let id = format!("worklog-{n}");
    let error = move || {
        edit.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let (edit_issue, edit_version, edit_n) = (issue.clone(), version.clone(), n.clone());
    let (started, comment) = (
        w.entry.started.to_string(),
        w.entry.comment.as_str().to_owned(),
    );
    let form = move || {
        editing.get().then(|| {
            let (id, issue, version, n) = (
                id.clone(),
                edit_issue.clone(),
                edit_version.clone(),
                edit_n.clone(),
            );
            let (started, comment) = (started.clone(), comment.clone());
            view! {
                <ActionForm action=edit attr:class="worklog-edit" attr:novalidate=true>
                    <input type="hidden" name="issue" value=issue />
                    <input type="hidden" name="version" value=version />
                    <input type="hidden" name="worklog" value=n />
                    <div class="log-work-row">
                        <TextField label="Time spent" id=id.clone() field="spent" value=calendar.format(w.entry.spent) />
                        <TextField label="Started (UTC)" id=id.clone() field="started" value=started />
                    </div>
                    <div class="log-work-row">
                        <RemainingChoice id=id.clone() manual=false />
                        <TextField label="Amount (for set)" id=id.clone() field="remaining_by" />
                    </div>
                    <TextField label="Comment" id=id.clone() field="comment" value=comment />
                    <p class="error" role="alert">{error}</p>
                    <button type="submit" class="primary">"Save"</button>
                    <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                </ActionForm>
            }
        })
    };
    view! {
        <li class="worklog" data-testid="worklog" data-author=w.author.to_string()>
            <Avatar user=w.author.clone() />
            <div class="worklog-body">
                <p>
                    <strong>{w.author.to_string()}</strong>
                    " logged "
                    <strong data-testid="worklog-spent">{spent.clone()}</strong>
                </p>
                <time class="muted">{w.entry.started.to_string()}</time>
                {(!w.entry.comment.as_str().is_empty()).then(|| view! { <p class="worklog-comment">{w.entry.comment.as_str().to_owned()}</p> })}
                {form}
            </div>
            <button type="button" class="link-button" on:click=move |_| editing.update(|e| *e = !*e)
                aria-label=format!("Edit the worklog of {spent}")>"Edit"</button>
            <ActionForm action=delete attr:class="worklog-delete">
                <input type="hidden" name="issue" value=issue />
                <input type="hidden" name="version" value=version />
                <input type="hidden" name="worklog" value=n />
                <button type="submit" class="link-button" aria-label=format!("Delete the worklog of {}", calendar.format(w.entry.spent))>"Delete"</button>
            </ActionForm>
        </li>
    }
}

/// How the remaining estimate follows: `manual` (reduce by hand) is for new
/// work only, as in Jira.
#[component]
fn RemainingChoice(#[prop(into)] id: String, manual: bool) -> impl IntoView {
    let id = format!("{id}-remaining");
    view! {
        <div class="field">
            <label for=id.clone()>"Remaining estimate"</label>
            <select id=id name="work[remaining]">
                <option value="auto">"Adjust by the time spent"</option>
                <option value="leave">"Leave as it is"</option>
                <option value="set">"Set to"</option>
                {manual.then(|| view! { <option value="manual">"Reduce by"</option> })}
            </select>
        </div>
    }
}

/// A labelled text input of a worklog form (`work[field]`), with its error.
#[component]
fn TextField(
    label: &'static str,
    #[prop(into)] id: String,
    field: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("{id}-{field}");
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input id=id name=format!("work[{field}]") type="text" autocomplete="off" placeholder=placeholder value=value
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" } />
            <small class="field-error" data-testid=format!("{field}-error")>{move || error.get()}</small>
        </div>
    }
}
