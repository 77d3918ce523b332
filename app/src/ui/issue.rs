//! The issue page: `/p/{KEY}/issues/{KEY-N}`, with its fields and its
//! history from the log (who changed what, when, old → new), conflicts
//! included.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{ApiError, DeleteWorklog, IssueDetail, LogWork, UpdateWorklog, load_issue};
use crate::domain::*;
use crate::ui::board::{Avatar, PriorityIcon, TypeIcon};
use crate::ui::layout::{NotFound, reload_after};
use crate::ui::time::TimeTracking;

#[component]
pub fn IssuePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("issue").unwrap_or_default());
    let log = ServerAction::<LogWork>::new();
    let edit = ServerAction::<UpdateWorklog>::new();
    let delete = ServerAction::<DeleteWorklog>::new();
    let changed = reload_after(vec![log.value(), edit.value(), delete.value()]);
    let detail = Resource::new(move || (key(), changed.get()), |(key, _)| load_issue(key));
    view! {
        // A transition keeps the page on screen while it reloads.
        <Transition fallback=|| view! { <p class="muted">"Loading the issue…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <IssueView detail log edit delete /> }.into_any(),
                    Err(ApiError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{format!("The issue could not be loaded: {e}")}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn IssueView(
    detail: IssueDetail,
    log: ServerAction<LogWork>,
    edit: ServerAction<UpdateWorklog>,
    delete: ServerAction<DeleteWorklog>,
) -> impl IntoView {
    let IssueDetail {
        project,
        issue,
        history,
    } = detail;
    let key = issue.key.to_string();
    let status = project.status_name(issue.status);
    let board = format!("/p/{}/board", project.key);
    let entries = history.len();
    view! {
        <Title text=format!("{key} {}", issue.title) />
        <article class="issue-page" data-testid="issue" data-key=key.clone()>
            <nav class="breadcrumb" aria-label="Breadcrumb">
                <a href=board>{format!("{} board", project.name)}</a>
                " · "
                <a href=format!("/p/{}/timesheet", project.key)>"Timesheet"</a>
                " / "
                <span>{key.clone()}</span>
            </nav>
            <header class="issue-header">
                <TypeIcon t=issue.issue_type />
                <span class="card-key">{key.clone()}</span>
                <h1>{issue.title.to_string()}</h1>
            </header>
            <div class="issue-layout">
                <div class="issue-main">
                    <section class="panel">
                        <h2>"Description"</h2>
                        {if issue.description.as_str().is_empty() {
                            view! { <p class="muted">"No description."</p> }.into_any()
                        } else {
                            view! { <p class="description">{issue.description.as_str().to_owned()}</p> }.into_any()
                        }}
                    </section>
                    <TimeTracking issue=issue.clone() calendar=project.calendar log edit delete />
                    <section class="panel" aria-labelledby="history-heading">
                        <h2 id="history-heading">{format!("History ({entries})")}</h2>
                        <ol class="history" data-testid="history">
                            {history.into_iter().rev().map(|record| view! { <HistoryEntry record /> }).collect_view()}
                        </ol>
                    </section>
                </div>
                <IssueFields issue=issue.clone() status />
            </div>
        </article>
    }
    .into_any()
}

/// The issue's fields, in a side panel.
#[component]
fn IssueFields(issue: Issue, status: String) -> impl IntoView {
    let field = |label: &'static str, value: AnyView| {
        view! {
            <div class="issue-field">
                <dt>{label}</dt>
                <dd>{value}</dd>
            </div>
        }
        .into_any()
    };
    let none = || view! { <span class="muted">"None"</span> }.into_any();
    let person = |u: UserName| {
        view! { <span class="with-icon"><Avatar user=u.clone() />{u.to_string()}</span> }.into_any()
    };
    let labels = if issue.labels.is_empty() {
        none()
    } else {
        issue
            .labels
            .iter()
            .map(|l| view! { <span class="label">{l.to_string()}</span> })
            .collect_view()
            .into_any()
    };
    let priority = view! {
        <span class="with-icon">
            <PriorityIcon p=issue.priority />
            {issue.priority.label()}
        </span>
    }
    .into_any();
    let fields = vec![
        field(
            "Status",
            view! { <span class="status-pill" data-testid="issue-status">{status}</span> }
                .into_any(),
        ),
        field("Type", issue.issue_type.label().into_any()),
        field("Priority", priority),
        field("Assignee", issue.assignee.clone().map_or_else(none, person)),
        field("Reporter", person(issue.reporter.clone())),
        field(
            "Story points",
            issue.points.map_or_else(none, |p| p.to_string().into_any()),
        ),
        field("Labels", labels),
    ];
    view! {
        <aside class="panel issue-fields">
            <dl>{fields}</dl>
        </aside>
    }
    .into_any()
}

#[component]
fn HistoryEntry(record: ChangeRecord) -> impl IntoView {
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
