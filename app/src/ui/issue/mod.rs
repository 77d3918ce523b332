//! The issue page: `/p/{KEY}/issues/{KEY-N}`. Every field edits inline;
//! comments, watchers, links, child issues, time tracking, and the history
//! from the log (who changed what, when, old → new), conflicts included.

mod fields;
mod history;
mod live;
mod offline;
mod related;
mod shared;
mod social;
mod time;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{ApiError, DeleteWorklog, IssueDetail, LogWork, UpdateWorklog, load_issue};
use crate::domain::*;
use crate::ui::common::{Markdown, NotFound, Refresh, TypeIcon};

use fields::{FieldEditor, FieldInput, IssueFields};
use history::HistoryEntry;
use related::{Children, Links};
pub use shared::SharedIssuePage;
use social::{Comments, Watchers};
use time::TimeTracking;

/// Bumped by any change made on the page, so the issue reloads.
#[derive(Clone, Copy)]
pub struct Reload(RwSignal<u32>);

impl Reload {
    pub fn now(self) {
        self.0.update(|n| *n += 1);
    }

    /// Reloads after every answer that changed something.
    pub fn after(self, value: MappedSignal<Option<Result<Outcome, ApiError>>>) {
        Effect::new(move |_| {
            if let Some(Ok(outcome)) = value.get()
                && !outcome.recorded().is_empty()
                && !matches!(outcome, Outcome::Conflict { .. })
            {
                self.now();
            }
        });
    }
}

/// The caller may only read the issue: fields show without editors.
#[derive(Clone, Copy)]
pub struct ReadOnly(pub bool);

/// The issue as it is now (`?at=` is the past's: see `ui::past`).
#[component]
pub fn IssuePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("issue").unwrap_or_default());
    let log = ServerAction::<LogWork>::new();
    let edit = ServerAction::<UpdateWorklog>::new();
    let delete = ServerAction::<DeleteWorklog>::new();
    // The palette's changes reload the page too.
    let reload = Reload(expect_context::<Refresh>().0);
    for value in [log.value(), edit.value(), delete.value()] {
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                reload.now();
            }
        });
    }
    provide_context(reload);
    provide_context(offline::QueueState::new());
    let me = Resource::new(|| (), |_| crate::api::current_user());
    let detail = Resource::new(move || (key(), reload.0.get()), |(key, _)| load_issue(key));
    view! {
        // A transition keeps the page on screen while it reloads.
        <Transition fallback=|| view! { <p class="muted">"Loading the issue…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, me.await) {
                    (Ok(detail), Ok(me)) => view! { <IssueView detail me log edit delete /> }.into_any(),
                    (Err(e), _) if e.is_not_found() => view! { <NotFound /> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <p class="error" role="alert">{format!("The issue could not be loaded: {e}")}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn IssueView(
    detail: IssueDetail,
    me: UserName,
    log: ServerAction<LogWork>,
    edit: ServerAction<UpdateWorklog>,
    delete: ServerAction<DeleteWorklog>,
) -> impl IntoView {
    let issue = detail.issue.clone();
    let project = detail.project.clone();
    let key = issue.key.to_string();
    let board = format!("/p/{}/board", project.key);
    let entries = detail.history.len();
    let members: std::collections::BTreeSet<UserName> = detail.people.iter().cloned().collect();
    let description = issue.description.as_str().to_owned();
    let history = detail.history.clone();
    let last_seq = history.last().map_or(0, |r| r.seq);
    let notices = RwSignal::new(Vec::new());
    live::follow(issue.key.clone(), me.clone(), detail.seq, notices);
    let reload = expect_context::<Reload>();
    let read_only = !detail.can_edit;
    provide_context(ReadOnly(read_only));
    let queue = (!read_only).then(|| {
        let queue = offline::Queue::new(me.clone(), project.clone(), expect_context());
        queue.start(reload);
        provide_context(queue.clone());
        queue
    });
    view! {
        <Title text=format!("{key} {}", issue.title) />
        // A viewer's page hides every control that changes something (see
        // `.read-only` in the style sheet); the server refuses them anyway.
        <article class="issue-page" class:read-only=read_only data-testid="issue" data-key=key.clone() data-version=issue.version>
            <nav class="breadcrumb" aria-label="Breadcrumb">
                <a href=board>{format!("{} board", project.name)}</a>
                " · "
                <a href=format!("/p/{}/backlog", project.key)>"Backlog"</a>
                " / "
                <span>{key.clone()}</span>
            </nav>
            <live::LiveNotice notices reload />
            {queue.map(|queue| view! { <offline::QueuedChanges queue sprints=detail.sprints.clone() /> })}
            {read_only.then(|| view! {
                <p class="read-only-note" data-testid="read-only">"You are a viewer here: you can read this issue and follow its changes, but only members change it."</p>
            })}
            <header class="issue-header">
                <TypeIcon t=issue.issue_type />
                <span class="card-key">{key.clone()}</span>
                <FieldEditor
                    issue=issue.clone()
                    field="title"
                    label="Title"
                    input=FieldInput::Text { value: issue.title.to_string(), list: None }
                    display=ViewFn::from({
                        let title = issue.title.to_string();
                        move || view! { <h1 data-testid="issue-title">{title.clone()}</h1> }
                    })
                />
            </header>
            <div class="issue-layout">
                <div class="issue-main">
                    <section class="panel" aria-labelledby="description-heading">
                        <h2 id="description-heading">"Description"</h2>
                        <FieldEditor
                            issue=issue.clone()
                            field="description"
                            label="Description"
                            input=FieldInput::TextArea { value: description.clone() }
                            display=ViewFn::from({
                                let (members, project) = (members.clone(), project.key.clone());
                                move || {
                                    if description.is_empty() {
                                        view! { <p class="muted">"No description."</p> }.into_any()
                                    } else {
                                        view! {
                                            <Markdown
                                                source=description.clone()
                                                members=members.clone()
                                                project=project.clone()
                                            />
                                        }
                                        .into_any()
                                    }
                                }
                            })
                        />
                    </section>
                    <Children detail=detail.clone() />
                    <Links detail=detail.clone() />
                    <TimeTracking issue=issue.clone() calendar=project.calendar log edit delete />
                    <Comments issue=issue.clone() me=me.clone() members=members.clone() />
                    <section class="panel" aria-labelledby="history-heading">
                        <h2 id="history-heading">{format!("History ({entries})")}</h2>
                        <a class="header-link" data-testid="time-travel-link"
                            href=format!("/p/{}/issues/{key}?at={last_seq}", project.key)>"Travel back in time"</a>
                        <ol class="history" data-testid="history">
                            {history.into_iter().rev().map(|record| view! { <HistoryEntry record /> }).collect_view()}
                        </ol>
                    </section>
                </div>
                <aside class="issue-side">
                    <IssueFields detail=detail.clone() />
                    <Watchers issue=issue.clone() me />
                </aside>
            </div>
        </article>
    }
    .into_any()
}
