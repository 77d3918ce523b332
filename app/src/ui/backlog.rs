//! The backlog `/p/{KEY}/backlog`: the open sprints (active first) and the
//! backlog, each in rank order. Plan a sprint by selecting issues and moving
//! them in bulk, start it with dates, complete it and choose where the
//! unfinished issues go. Closed sprints show what was committed and done.
//! Rows re-rank by drag and drop (into another sprint too) or Alt+Up/Down.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeSet;

use crate::api::{
    ApiError, CompleteSprint, CreateBacklogIssue, CreateSprint, MoveIssues, ProjectSnapshot,
    StartSprint, load_project,
};
use crate::domain::*;
use crate::ui::common::{Breadcrumb, NotFound, TypeIcon, loaded, reload_after};

/// The page's actions; any that succeeds reloads the state.
#[derive(Clone, Copy)]
struct Actions {
    create_sprint: ServerAction<CreateSprint>,
    start: ServerAction<StartSprint>,
    complete: ServerAction<CompleteSprint>,
    move_issues: ServerAction<MoveIssues>,
    create_issue: ServerAction<CreateBacklogIssue>,
    selected: RwSignal<BTreeSet<u32>>,
    /// The row being dragged, and where it came from.
    dragging: RwSignal<Option<(u32, Section)>>,
    /// Where it would drop: a section, before a row (`None`: at the end).
    over: RwSignal<Option<(Section, Option<u32>)>>,
    /// Bumped to reload after a re-rank.
    changed: RwSignal<u32>,
    rank_error: RwSignal<Option<String>>,
}

/// A list of the page: a sprint's issues, or the backlog (`None`).
type Section = Option<u32>;

/// The issue a row dropped before `before` (at the end for `None`) in
/// `order` should follow, the moving one left out.
fn after_for(order: &[u32], moving: u32, before: Option<u32>) -> Option<u32> {
    let rest: Vec<u32> = order.iter().copied().filter(|n| *n != moving).collect();
    match before.and_then(|b| rest.iter().position(|n| *n == b)) {
        Some(i) => i.checked_sub(1).map(|i| rest[i]),
        None => rest.last().copied(),
    }
}

impl Actions {
    /// The first error any action returned, as a sentence.
    fn error(&self) -> Option<String> {
        let e = |r: Option<Result<Outcome, ApiError>>| match r {
            Some(Ok(Outcome::Conflict { .. })) => {
                Some("Someone changed this meanwhile; the page now shows their change.".into())
            }
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        e(self.create_sprint.value().get())
            .or_else(|| e(self.start.value().get()))
            .or_else(|| e(self.complete.value().get()))
            .or_else(|| e(self.create_issue.value().get()))
            .or_else(|| self.rank_error.get())
            .or_else(|| {
                self.move_issues
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| e.to_string())
            })
    }
}

#[component]
pub fn BacklogPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("key").unwrap_or_default());
    let actions = Actions {
        create_sprint: ServerAction::new(),
        start: ServerAction::new(),
        complete: ServerAction::new(),
        move_issues: ServerAction::new(),
        create_issue: ServerAction::new(),
        selected: RwSignal::new(BTreeSet::new()),
        dragging: RwSignal::new(None),
        over: RwSignal::new(None),
        changed: RwSignal::new(0),
        rank_error: RwSignal::new(None),
    };
    let changed = reload_after(vec![
        actions.create_sprint.value(),
        actions.start.value(),
        actions.complete.value(),
        actions.create_issue.value(),
    ]);
    Effect::new(move |_| {
        if matches!(actions.move_issues.value().get(), Some(Ok(_))) {
            actions.selected.set(BTreeSet::new());
            changed.update(|n| *n += 1);
        }
    });
    let snapshot = Resource::new(
        move || (key(), changed.get(), actions.changed.get()),
        |(key, _, _)| load_project(key),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the backlog…"</p> }>
            {move || Suspend::new(async move {
                loaded(snapshot.await, |snapshot| view! { <Backlog snapshot actions /> }.into_any())
            })}
        </Transition>
    }
}

/// Whether the caller may change the backlog (a member or admin).
#[derive(Clone, Copy)]
struct Editable(bool);

#[component]
fn Backlog(snapshot: ProjectSnapshot, actions: Actions) -> impl IntoView {
    let editable = snapshot.role.can_edit();
    provide_context(Editable(editable));
    let state = snapshot.state;
    let Some(project) = state.project.clone() else {
        return view! { <NotFound /> }.into_any();
    };
    let key = project.key.to_string();
    let mut open: Vec<&Sprint> = state
        .sprints
        .values()
        .filter(|s| s.state != SprintState::Closed)
        .collect();
    open.sort_by_key(|s| (s.state != SprintState::Active, s.number));
    let planned: Vec<(u32, String)> = state
        .sprints
        .values()
        .filter(|s| s.state == SprintState::Planned)
        .map(|s| (s.number.0, s.name.to_string()))
        .collect();
    let has_active = state.active_sprint().is_some();
    let done = done_set(&state);
    let sprints = open
        .into_iter()
        .map(|s| {
            let (project, done) = (key.clone(), done.clone());
            let issues: Vec<Issue> = state.sprint_issues(s.number).into_iter().cloned().collect();
            let targets: Vec<(u32, String)> =
                planned.iter().filter(|(n, _)| *n != s.number.0).cloned().collect();
            view! { <SprintSection project sprint=s.clone() issues done can_start=!has_active targets actions /> }
        })
        .collect_view();
    let backlog: Vec<Issue> = state
        .ranked()
        .into_iter()
        .filter(|i| i.sprint.is_none() && !state.is_done(i))
        .cloned()
        .collect();
    let closed: Vec<Sprint> = state
        .sprints
        .values()
        .filter(|s| s.state == SprintState::Closed)
        .rev()
        .cloned()
        .collect();
    let backlog_count = backlog.len();
    let (create_sprint_key, bulk_key, create_issue_key) = (key.clone(), key.clone(), key.clone());
    view! {
        <Title text=format!("{} backlog", project.name) />
        // A viewer's backlog hides every control that changes something
        // (see `.read-only` in the style sheet); the server refuses them anyway.
        <div class="backlog-page" class:read-only=!editable data-testid="backlog" data-project=key.clone()>
            <Breadcrumb project=project.clone() page="Backlog" />
            {(!editable).then(|| view! {
                <p class="read-only-note" data-testid="read-only">"You are a viewer here: only members plan sprints and rank the backlog."</p>
            })}
            <header class="backlog-header">
                <h1>"Backlog"</h1>
                <ActionForm action=actions.create_sprint>
                    <input type="hidden" name="project" value=create_sprint_key />
                    <button type="submit">"Create sprint"</button>
                </ActionForm>
            </header>
            <p class="error" role="alert" data-testid="backlog-error">{move || actions.error()}</p>
            <BulkBar project=bulk_key planned=planned.clone() actions />
            {sprints}
            <section class="panel sprint-section" data-testid="backlog-section" aria-labelledby="backlog-heading">
                <header class="sprint-head">
                    <h2 id="backlog-heading">"Backlog"</h2>
                    <span class="muted">{format!("{backlog_count} issues")}</span>
                </header>
                <IssueRows project=key.clone() section=None issues=backlog done=BTreeSet::new() actions />
                <ActionForm action=actions.create_issue attr:class="inline-create">
                    <input type="hidden" name="project" value=create_issue_key />
                    <input name="title" placeholder="What needs to be done?" aria-label="New issue title" maxlength="275" />
                    <button type="submit">"Create"</button>
                </ActionForm>
            </section>
            {(!closed.is_empty()).then(|| view! { <ClosedSprints closed /> })}
        </div>
    }
    .into_any()
}

fn done_set(state: &ProjectState) -> BTreeSet<u32> {
    state
        .issues
        .values()
        .filter(|i| state.is_done(i))
        .map(|i| i.key.number.0)
        .collect()
}

fn points_of(issues: &[Issue]) -> String {
    tenths(Points::total_tenths(
        issues.iter().map(Issue::points_tenths),
    ))
}

#[component]
fn SprintSection(
    project: String,
    sprint: Sprint,
    issues: Vec<Issue>,
    done: BTreeSet<u32>,
    can_start: bool,
    targets: Vec<(u32, String)>,
    actions: Actions,
) -> impl IntoView {
    let n = sprint.number.0;
    let rows_project = project.clone();
    let active = sprint.state == SprintState::Active;
    let summary = format!("{} issues · {} points", issues.len(), points_of(&issues));
    let dates = match (sprint.start, sprint.end) {
        (Some(s), Some(e)) => format!("{s} – {e}"),
        _ => String::new(),
    };
    let control = if active {
        view! {
            <ActionForm action=actions.complete attr:class="sprint-control" attr:data-testid="complete-sprint">
                <input type="hidden" name="project" value=project.clone() />
                <input type="hidden" name="sprint" value=n.to_string() />
                <input type="hidden" name="version" value=sprint.version.to_string() />
                <label>"Open issues go to "
                    <select name="open_to">
                        <option value="">"the backlog"</option>
                        {targets.into_iter().map(|(n, name)| view! { <option value=n.to_string()>{name}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary">"Complete sprint"</button>
            </ActionForm>
        }
        .into_any()
    } else if can_start {
        view! {
            <ActionForm action=actions.start attr:class="sprint-control" attr:data-testid="start-sprint">
                <input type="hidden" name="project" value=project.clone() />
                <input type="hidden" name="sprint" value=n.to_string() />
                <input type="hidden" name="version" value=sprint.version.to_string() />
                <label>"Start " <input type="date" name="start" required /></label>
                <label>"End " <input type="date" name="end" required /></label>
                <button type="submit" class="primary">"Start sprint"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <span class="muted">"Another sprint is active"</span> }.into_any()
    };
    view! {
        <section class="panel sprint-section" data-testid="sprint" data-sprint=n.to_string() data-state=sprint.state.label()>
            <header class="sprint-head">
                <h2>{sprint.name.to_string()}</h2>
                <span class="status-pill">{sprint.state.label()}</span>
                <span class="muted">{dates}</span>
                <span class="muted" data-testid="sprint-summary">{summary}</span>
                {control}
            </header>
            <IssueRows project=rows_project section=Some(n) issues done actions />
        </section>
    }
    .into_any()
}

/// Puts issue `n` into `section` (if it comes from another) right after
/// `after`, then reloads the page.
fn place(
    project: String,
    n: u32,
    from: Section,
    section: Section,
    after: Option<u32>,
    actions: Actions,
) {
    leptos::task::spawn_local(async move {
        let moved = if from == section {
            Ok(0)
        } else {
            crate::api::move_issues(project.clone(), vec![n], section).await
        };
        let ranked = match moved {
            Ok(_) => crate::api::rank_issue(project, n, after).await.map(|_| ()),
            Err(e) => Err(e),
        };
        actions.rank_error.set(ranked.err().map(|e| e.to_string()));
        actions.changed.update(|c| *c += 1);
    });
}

#[component]
fn IssueRows(
    project: String,
    section: Section,
    issues: Vec<Issue>,
    done: BTreeSet<u32>,
    actions: Actions,
) -> impl IntoView {
    let order: Vec<u32> = issues.iter().map(|i| i.key.number.0).collect();
    let drop_here = {
        let (project, order) = (project.clone(), order.clone());
        move |before: Option<u32>| {
            if let Some((n, from)) = actions.dragging.get_untracked() {
                actions.dragging.set(None);
                actions.over.set(None);
                let after = if from == section {
                    after_for(&order, n, before)
                } else {
                    after_for(&order, 0, before)
                };
                place(project.clone(), n, from, section, after, actions);
            }
        }
    };
    let over_end = move || actions.over.get() == Some((section, None));
    if issues.is_empty() {
        let drop_here = drop_here.clone();
        return view! {
            <p class="muted empty-sprint" class:drop-target=over_end
                on:dragover=move |ev| { ev.prevent_default(); actions.over.set(Some((section, None))); }
                on:drop=move |ev| { ev.prevent_default(); drop_here(None); }>
                "No issues. Drag some here, or select them and move them here."
            </p>
        }
        .into_any();
    }
    let selected = actions.selected;
    let editable = use_context::<Editable>().is_none_or(|e| e.0);
    let rows = issues
        .into_iter()
        .enumerate()
        .map(|(index, i)| {
            let n = i.key.number.0;
            let key = i.key.to_string();
            let href = format!("/p/{}/issues/{key}", i.key.project);
            let toggle = move |_| selected.update(|s| if !s.remove(&n) { s.insert(n); });
            let drop_row = drop_here.clone();
            // Alt+Up/Down: one place up or down within the list.
            let (project, order) = (project.clone(), order.clone());
            let on_key = move |ev: leptos::ev::KeyboardEvent| {
                if !editable {
                    return;
                }
                let to = match ev.key().as_str() {
                    "ArrowUp" if ev.alt_key() && index > 0 => index - 1,
                    "ArrowDown" if ev.alt_key() && index + 1 < order.len() => index + 1,
                    _ => return,
                };
                ev.prevent_default();
                let before = order.get(if to > index { to + 1 } else { to }).copied();
                place(project.clone(), n, section, section, after_for(&order, n, before), actions);
            };
            view! {
                <li class="issue-row" class:done=done.contains(&n) data-testid="issue-row" data-key=key.clone()
                    draggable=if editable { "true" } else { "false" }
                    class:dragging=move || actions.dragging.get().is_some_and(|(d, _)| d == n)
                    class:drop-before=move || actions.over.get() == Some((section, Some(n)))
                    on:dragstart=move |ev| {
                        if let Some(dt) = ev.data_transfer() {
                            let _ = dt.set_data("text/plain", &n.to_string());
                        }
                        actions.dragging.set(Some((n, section)));
                    }
                    on:dragend=move |_| { actions.dragging.set(None); actions.over.set(None); }
                    on:dragover=move |ev| { ev.prevent_default(); actions.over.set(Some((section, Some(n)))); }
                    on:drop=move |ev| { ev.prevent_default(); drop_row(Some(n)); }
                    on:keydown=on_key>
                            <input type="checkbox" aria-label=format!("Select {key}")
                                prop:checked=move || selected.with(|s| s.contains(&n)) on:change=toggle />
                            <TypeIcon t=i.issue_type />
                            <a class="card-key" href=href>{key.clone()}</a>
                            <span class="issue-row-title">{i.title.to_string()}</span>
                            <span class="points" title="Story points">{i.points.map(|p| p.to_string())}</span>
                        </li>
                    }
        })
        .collect_view();
    view! {
        <ul class="issue-rows" aria-label="Drag to re-rank, or Alt+Up and Alt+Down on a row">
            {rows}
            <li class="drop-end" class:drop-target=over_end aria-hidden="true"
                on:dragover=move |ev| { ev.prevent_default(); actions.over.set(Some((section, None))); }
                on:drop=move |ev| { ev.prevent_default(); drop_here(None); }></li>
        </ul>
    }
    .into_any()
}

/// Moves the selected issues into a sprint or back to the backlog.
#[component]
fn BulkBar(project: String, planned: Vec<(u32, String)>, actions: Actions) -> impl IntoView {
    let selected = actions.selected;
    let target = RwSignal::new(String::new());
    let count = Memo::new(move |_| selected.with(BTreeSet::len));
    let go = move |_| {
        actions.move_issues.dispatch(MoveIssues {
            project: project.clone(),
            issues: selected.get_untracked().into_iter().collect(),
            sprint: target.get_untracked().parse().ok(),
        });
    };
    view! {
        <div class="bulk-bar" class:visible=move || { count.get() > 0 } data-testid="bulk-bar">
            <span>{move || format!("{} selected", count.get())}</span>
            <label>"Move to "
                <select aria-label="Move the selected issues to" on:change=move |ev| target.set(event_target_value(&ev))>
                    <option value="">"Backlog"</option>
                    {planned.into_iter().map(|(n, name)| view! { <option value=n.to_string()>{name}</option> }).collect_view()}
                </select>
            </label>
            <button type="button" class="primary" on:click=go disabled=move || count.get() == 0>"Move"</button>
        </div>
    }
}

#[component]
fn ClosedSprints(closed: Vec<Sprint>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="closed-heading">
            <h2 id="closed-heading">"Completed sprints"</h2>
            <table class="totals" data-testid="closed-sprints">
                <thead><tr><th>"Sprint"</th><th>"Committed"</th><th>"Completed"</th></tr></thead>
                <tbody>
                    {closed.into_iter().map(|s| view! {
                        <tr data-sprint=s.number.0.to_string()>
                            <th scope="row">{s.name.to_string()}</th>
                            <td data-testid="committed">{s.committed_tenths.map(tenths)}</td>
                            <td data-testid="completed">{s.completed_tenths.map(tenths)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
