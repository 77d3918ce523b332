//! Time travel on screen: `?at={seq}` on the board or an issue shows it as
//! it was after that event of the log, read-only, with a slider to move
//! through time and a way back to now.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::api::{IssueDetail, PastIssue, PastProject, issue_as_of, project_as_of};
use crate::domain::*;
use crate::ui::common::{Avatar, FieldList, Markdown, PriorityIcon, TypeIcon, loaded};

/// A range over `stops` (sequence numbers, ascending) that opens `base?at=`
/// the chosen one, with links one stop earlier and later (which also work
/// without JavaScript).
#[component]
fn TimeSlider(base: String, stops: Vec<u64>, at: u64, when: i64) -> impl IntoView {
    let navigate = use_navigate();
    let index = stops.iter().rposition(|s| *s <= at).unwrap_or(0);
    let last = stops.len().saturating_sub(1);
    let link = |i: usize| stops.get(i).map(|seq| format!("{base}?at={seq}"));
    let earlier = index.checked_sub(1).and_then(link);
    let later = link(index + 1);
    let seqs = StoredValue::new(stops.clone());
    let go = {
        let base = base.clone();
        move |i: usize| {
            if let Some(seq) = seqs.with_value(|s| s.get(i).copied()) {
                navigate(&format!("{base}?at={seq}"), Default::default());
            }
        }
    };
    let label = if when == 0 {
        "Before the first change".to_string()
    } else {
        format!("As of {}", utc_minute(when))
    };
    view! {
        <div class="time-travel" data-testid="time-travel">
            <label for="time-slider" data-testid="time-label">{label}</label>
            {earlier.map(|href| view! { <a href=href class="header-link">"← Earlier"</a> })}
            <input id="time-slider" type="range" min="0" max=last value=index
                aria-valuetext=format!("change {} of {}", index + 1, last + 1)
                on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                        go(i);
                    }
                } />
            {later.map(|href| view! { <a href=href class="header-link">"Later →"</a> })}
            <a href=base class="header-link" data-testid="back-to-now">"Back to now"</a>
        </div>
    }
}

/// The board as it was: columns and cards, nothing to drag.
#[component]
pub fn PastBoard(key: String, at: u64) -> impl IntoView {
    let past = Resource::new(
        move || (key.clone(), at),
        |(key, at)| project_as_of(key, at),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Replaying the log…"</p> }>
            {move || Suspend::new(async move {
                loaded(past.await, |past| view! { <PastBoardView past /> }.into_any())
            })}
        </Suspense>
    }
}

#[component]
fn PastBoardView(past: PastProject) -> impl IntoView {
    let PastProject {
        state,
        seq,
        at_ms,
        first,
        head,
    } = past;
    let Some(project) = state.project.clone() else {
        return view! { <p class="empty">"The project did not exist yet at that moment."</p> }
            .into_any();
    };
    let base = format!("/p/{}/board", project.key);
    // Every hundredth part of the project's life, and its ends.
    let step = ((head - first) / 100).max(1);
    let mut stops: Vec<u64> = (first..=head).step_by(step as usize).collect();
    stops.extend([seq, head]);
    stops.sort_unstable();
    stops.dedup();
    let columns = project
        .statuses
        .iter()
        .map(|s| {
            let cards: Vec<Issue> = state.board_column(s.id).into_iter().cloned().collect();
            let count = cards.len();
            view! {
                <section class="column" data-status=s.id.0 aria-label=s.name.to_string()>
                    <header class="column-header">
                        <h2>{s.name.to_string()}</h2>
                        <span class="count">{count}</span>
                    </header>
                    <ul class="cards">
                        {cards.into_iter().map(|i| view! { <PastCard i /> }).collect_view()}
                    </ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{} board, in the past", project.name) />
        <div class="board-page past" data-testid="past-board" data-seq=seq>
            <header class="board-header">
                <div class="board-title">
                    <span class="project-key">{project.key.to_string()}</span>
                    <h1>{project.name.to_string()}</h1>
                </div>
            </header>
            <TimeSlider base stops at=seq when=at_ms />
            <div class="board">{columns}</div>
        </div>
    }
    .into_any()
}

#[component]
fn PastCard(i: Issue) -> impl IntoView {
    let href = format!("/p/{}/issues/{}", i.key.project, i.key);
    view! {
        <li class="card" data-key=i.key.to_string()>
            <div class="card-title">{i.title.to_string()}</div>
            <div class="card-meta">
                <TypeIcon t=i.issue_type />
                <a class="card-key" href=href>{i.key.to_string()}</a>
                <PriorityIcon p=i.priority />
                <span class="spacer"></span>
                {i.points.map(|p| view! { <span class="points">{p.to_string()}</span> })}
                {i.assignee.map(|a| view! { <Avatar user=a /> })}
            </div>
        </li>
    }
}

/// An issue as it was, read-only.
#[component]
pub fn PastIssueView(key: String, at: u64) -> impl IntoView {
    let past = Resource::new(move || (key.clone(), at), |(key, at)| issue_as_of(key, at));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Replaying the log…"</p> }>
            {move || Suspend::new(async move {
                loaded(past.await, |past| view! { <PastIssueFields past /> }.into_any())
            })}
        </Suspense>
    }
}

#[component]
fn PastIssueFields(past: PastIssue) -> impl IntoView {
    let PastIssue {
        detail,
        seq,
        at_ms,
        stops,
    } = past;
    let IssueDetail {
        project,
        issue,
        history,
        people,
        ..
    } = detail;
    let key = issue.key.to_string();
    let base = format!("/p/{}/issues/{key}", project.key);
    let last_change = history.last().map(|r| r.actor.to_string());
    view! {
        <Title text=format!("{key} in the past") />
        <article class="issue-page past" data-testid="past-issue" data-seq=seq>
            <nav class="breadcrumb" aria-label="Breadcrumb">
                <a href=format!("/p/{}/board", project.key)>{format!("{} board", project.name)}</a>
                " / "
                <a href=base.clone()>{key.clone()}</a>
                " / history"
            </nav>
            <header class="issue-header">
                <TypeIcon t=issue.issue_type />
                <span class="card-key">{key.clone()}</span>
                <h1 data-testid="past-title">{issue.title.to_string()}</h1>
            </header>
            <TimeSlider base stops at=seq when=at_ms />
            <p class="muted">
                {format!("{} changes up to here", history.len())}
                {last_change.map(|who| format!("; the last by {who}"))}
            </p>
            <div class="issue-layout">
                <section class="panel">
                    <h2>"Description"</h2>
                    <Markdown source=issue.description.as_str().to_owned() members=people.into_iter().collect() project=project.key.clone() />
                </section>
                <section class="panel issue-fields">
                    <FieldList project=project.clone() issue=issue.clone() />
                </section>
            </div>
        </article>
    }
}
