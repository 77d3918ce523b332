//! The board: `/p/{KEY}/board`. Server-rendered and complete without
//! JavaScript; once hydrated, cards move by drag and drop or keyboard,
//! optimistically, and every viewer follows along over a WebSocket.

mod card;
mod drag;
mod filters;
mod follow;
mod interact;
mod keyboard;
pub mod model;
#[cfg(test)]
mod model_tests;
mod notices;
mod phone;
mod shared;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::live::Viewer;
use crate::api::{ProjectSnapshot, load_project};
use crate::domain::*;
use crate::ui::common::{Avatar, NotFound, TypeIcon};
use crate::ui::live::Connection;
pub use shared::SharedBoardPage;

use card::Card;
use filters::FilterBar;
pub use filters::Filters;
use model::BoardModel;
use notices::{Notice, Notices};

/// A card being dragged.
#[derive(Debug, Clone, PartialEq)]
pub struct Drag {
    pub issue: IssueNumber,
    pub pointer: i32,
    /// Past the movement threshold: a drag, not a click.
    pub started: bool,
    pub start: (f64, f64),
    pub at: (f64, f64),
    /// Where the pointer holds the card, relative to its top-left corner.
    pub grab: (f64, f64),
    pub size: (f64, f64),
    /// The column under the pointer, and the card the drop would go before
    /// (`None`: at the end of the column).
    pub over: Option<(StatusId, Option<IssueNumber>)>,
    /// A finger (which must rest before it drags, so that swipes scroll).
    pub touch: bool,
    pub pressed_ms: f64,
    /// The card's version when it was picked up: the drop is based on what
    /// the user saw then, so a move someone made during the drag is a
    /// conflict to confirm, not silently overridden.
    pub base_version: u64,
}

impl Drag {
    pub fn over_card(&self) -> Option<IssueNumber> {
        self.over
            .and_then(|(_, before)| before)
            .filter(|_| self.started)
    }
}

/// Everything the board's components share. Cheap to copy.
#[derive(Clone, Copy)]
pub struct BoardCtx {
    pub key: StoredValue<ProjectKey>,
    pub me: UserNameValue,
    pub model: RwSignal<BoardModel>,
    pub displayed: Memo<ProjectState>,
    pub connection: RwSignal<Connection>,
    pub viewers: RwSignal<Vec<Viewer>>,
    /// All viewers, when there are more than `viewers` names.
    pub viewer_count: RwSignal<usize>,
    pub notices: RwSignal<Vec<Notice>>,
    pub drag: RwSignal<Option<Drag>>,
    /// Text for screen readers (an ARIA live region).
    pub announce: RwSignal<String>,
    /// The card whose "Move to…" sheet is open (a tap on a phone).
    pub sheet: RwSignal<Option<IssueNumber>>,
    /// The card a finger just tapped: the click that follows opens its sheet.
    pub tapped: StoredValue<Option<IssueNumber>>,
    /// Whether a task is sending the pending commands.
    pub sending: RwSignal<bool>,
    pub filters: Memo<Filters>,
    /// Members and admins move and create cards; viewers only watch.
    pub can_edit: bool,
    /// The token of the share link this board is read through, if it is.
    pub share: StoredValue<Option<String>>,
}

/// The signed-in user's name, comparable in `Copy` closures.
#[derive(Clone, Copy)]
pub struct UserNameValue(StoredValue<UserName>);

impl PartialEq<UserNameValue> for UserName {
    fn eq(&self, other: &UserNameValue) -> bool {
        other.0.with_value(|me| me == self)
    }
}

impl std::fmt::Display for UserNameValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.with_value(|me| me.fmt(f))
    }
}

impl BoardCtx {
    fn new(
        snapshot: ProjectSnapshot,
        me: UserName,
        filters: Memo<Filters>,
        share: Option<String>,
    ) -> Self {
        let key = snapshot
            .state
            .project
            .as_ref()
            .map(|p| p.key.clone())
            .expect("a loaded project");
        let can_edit = snapshot.role.can_edit() && share.is_none();
        let model = RwSignal::new(BoardModel::new(snapshot.state, snapshot.last_seq));
        Self {
            key: StoredValue::new(key),
            me: UserNameValue(StoredValue::new(me)),
            model,
            displayed: Memo::new(move |_| model.with(BoardModel::displayed)),
            connection: RwSignal::new(Connection::Connecting),
            viewers: RwSignal::new(Vec::new()),
            viewer_count: RwSignal::new(0),
            notices: RwSignal::new(Vec::new()),
            drag: RwSignal::new(None),
            announce: RwSignal::new(String::new()),
            sheet: RwSignal::new(None),
            tapped: StoredValue::new(None),
            sending: RwSignal::new(false),
            filters,
            can_edit,
            share: StoredValue::new(share),
        }
    }

    /// Where an issue's page is: the project's, or the share link's.
    pub fn issue_href(&self, key: &str) -> String {
        match self.share.get_value() {
            Some(token) => format!("/s/{token}/issues/{key}"),
            None => format!("/p/{}/issues/{key}", self.key.get_value()),
        }
    }

    /// The visible cards of a column, in rank order.
    pub fn visible_column(&self, status: StatusId) -> Vec<IssueNumber> {
        let filters = self.filters.get();
        self.displayed.with(|s| {
            s.board_column(status)
                .into_iter()
                .filter(|i| filters.matches(i, &i.key.to_string()))
                .map(|i| i.key.number)
                .collect()
        })
    }
}

/// The snapshot as the board keeps it (`model::board_state`), trimmed where
/// it is loaded so that the server renders and serialises the lighter one.
fn for_board(snapshot: ProjectSnapshot) -> ProjectSnapshot {
    ProjectSnapshot {
        state: model::board_state(snapshot.state),
        ..snapshot
    }
}

/// The live board (`?at=` is the past's: see `ui::past`).
#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || params.with(|p| p.get("key").unwrap_or_default());
    let snapshot = Resource::new(
        key,
        |key| async move { load_project(key).await.map(for_board) },
    );
    let me = Resource::new(|| (), |_| crate::api::current_user());
    let filters = Memo::new(move |_| query.with(|q| Filters::from_query(|k| q.get(k))));
    view! {
        <Suspense fallback=|| view! { <p class="muted board-loading">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match (snapshot.await, me.await) {
                    (Ok(snapshot), Ok(me)) => view! { <Board snapshot me filters share=None /> }.into_any(),
                    (Err(e), _) if e.is_not_found() => view! { <NotFound /> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => {
                        view! { <p class="error" role="alert">{format!("The board could not be loaded: {e}")}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The live board; through a share link (`share`: its token), read-only
/// and without the project's other pages.
#[component]
pub(crate) fn Board(
    snapshot: ProjectSnapshot,
    me: UserName,
    filters: Memo<Filters>,
    share: Option<String>,
) -> AnyView {
    let project = snapshot.state.project.clone().expect("a loaded project");
    let shared = share.is_some();
    let ctx = BoardCtx::new(snapshot, me, filters, share);
    provide_context(ctx);
    interact::start(ctx);
    let statuses = Memo::new(move |_| {
        ctx.displayed.with(|s| {
            s.project
                .as_ref()
                .map(|p| p.statuses.clone())
                .unwrap_or_default()
        })
    });
    let name = Memo::new(move |_| {
        ctx.displayed.with(|s| {
            s.project
                .as_ref()
                .map(|p| p.name.to_string())
                .unwrap_or_default()
        })
    });
    // The column a phone's screen shows (columns snap one per width).
    let column_in_view = RwSignal::new(0);
    view! {
        <Title text=move || format!("{} board", name.get()) />
        <div class="board-page" data-testid="board" data-project=project.key.to_string()>
            <header class="board-header">
                <div class="board-title">
                    <span class="project-key">{project.key.to_string()}</span>
                    <h1>{move || name.get()}</h1>
                </div>
                <div class="board-status">
                    {(!shared).then(|| view! {
                        <a class="header-link" href=format!("/p/{}/search", project.key)>"Search"</a>
                        <a class="header-link" href=format!("/p/{}/backlog", project.key)>"Backlog"</a>
                        <a class="header-link" href=format!("/p/{}/timesheet", project.key)>"Timesheet"</a>
                        <a class="header-link" href=format!("/p/{}/reports", project.key)>"Reports"</a>
                        <a class="header-link" href=format!("/p/{}/settings", project.key)>"Settings"</a>
                        <a class="header-link" data-testid="time-travel-link"
                            href=move || format!("/p/{}/board?at={}", ctx.key.get_value(), ctx.model.with(|m| m.last_seq))>"Time travel"</a>
                    })}
                    <Viewers />
                    <ConnectionBadge />
                </div>
            </header>
            <SprintBanner />
            {(!ctx.can_edit).then(|| view! {
                <p class="read-only-note" data-testid="read-only">
                    {if shared {
                        "A read-only shared board: it follows every change live."
                    } else {
                        "You are a viewer here: the board follows every change, but only members move cards."
                    }}
                </p>
            })}
            <FilterBar filters=filters.get_untracked() state=ctx.displayed />
            <p id="board-help" class="sr-only">
                "Drag a card to move it. With a card focused, Alt+Left and Alt+Right move it to the previous \
                 or next column, Alt+Up and Alt+Down move it within its column, and Enter opens it."
            </p>
            <phone::ColumnSwitcher statuses in_view=column_in_view />
            <div
                class="board"
                data-testid="columns"
                on:scroll=move |ev| {
                    let board: leptos::web_sys::HtmlElement = event_target(&ev);
                    column_in_view.set(phone::column_in_view(&board));
                }
            >
                <For each=move || statuses.get() key=|s| (s.id, s.name.to_string(), s.wip_limit) let:status>
                    <Column status />
                </For>
            </div>
            <DragGhost />
            <Notices />
            <phone::MoveSheet />
            <div class="sr-only" aria-live="polite" data-testid="announcer">{move || ctx.announce.get()}</div>
        </div>
    }
    .into_any()
}

#[component]
fn Column(status: Status) -> AnyView {
    let ctx = expect_context::<BoardCtx>();
    let id = status.id;
    let cards = Memo::new(move |_| ctx.visible_column(id));
    let total = Memo::new(move |_| ctx.displayed.with(|s| s.board_column(id).len()));
    let limit = status.wip_limit;
    let over_limit = move || limit.is_some_and(|l| total.get() > l as usize);
    let count = move || match limit {
        Some(l) => format!("{} / {l}", total.get()),
        None => total.get().to_string(),
    };
    let first = ctx
        .displayed
        .with_untracked(|s| s.project.as_ref().and_then(|p| p.initial_status()))
        == Some(id);
    view! {
        <section
            class="column"
            class:over-limit=over_limit
            data-status=id.0
            data-testid=format!("column-{}", status.name)
            aria-label=status.name.to_string()
        >
            <header class="column-header">
                <h2>{status.name.to_string()}</h2>
                <span
                    class="count"
                    title=move || if over_limit() { "Over the WIP limit" } else { "Cards in this column" }
                >
                    {count}
                </span>
            </header>
            <ul
                class="cards"
                class:drop-at-end=move || ctx.drag.with(|d| d.as_ref().is_some_and(|d| d.started && d.over == Some((id, None))))
            >
                <For each=move || cards.get() key=|n| *n let:n>
                    <Card n />
                </For>
            </ul>
            {(first && ctx.can_edit).then(|| view! { <interact::QuickCreate status=id /> })}
        </section>
    }
    .into_any()
}

/// What a Scrum board shows: the active sprint, or how to start one.
#[component]
fn SprintBanner() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let backlog = format!("/p/{}/backlog", ctx.key.get_value());
    let shared = ctx.share.with_value(Option::is_some);
    let sprint = Memo::new(move |_| {
        ctx.displayed.with(|s| {
            let scrum = s
                .project
                .as_ref()
                .is_some_and(|p| p.kind == ProjectKind::Scrum);
            scrum.then(|| s.active_sprint().cloned())
        })
    });
    move || {
        match sprint.get() {
        None => ().into_any(),
        Some(None) => view! {
            <p class="sprint-banner empty" data-testid="no-active-sprint">
                "No active sprint, so the board is empty. "
                {(!shared).then(|| view! { <a href=backlog.clone()>"Plan and start a sprint in the backlog"</a> "." })}
            </p>
        }
        .into_any(),
        Some(Some(sprint)) => {
            let dates = match (sprint.start, sprint.end) {
                (Some(start), Some(end)) => format!("{start} – {end}"),
                _ => String::new(),
            };
            view! {
                <p class="sprint-banner" data-testid="active-sprint">
                    <strong>{sprint.name.to_string()}</strong>
                    <span class="muted">{dates}</span>
                    <span class="sprint-goal">{sprint.goal.as_str().to_owned()}</span>
                    {(!shared).then(|| view! { <a href=backlog.clone()>"Complete or plan in the backlog"</a> })}
                </p>
            }
            .into_any()
        }
    }
    }
}

/// The dragged card, following the pointer.
#[component]
fn DragGhost() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    move || {
        let drag = ctx.drag.get().filter(|d| d.started)?;
        let issue = ctx.displayed.with(|s| s.issues.get(&drag.issue).cloned())?;
        let style = format!(
            "left:{}px;top:{}px;width:{}px",
            drag.at.0 - drag.grab.0,
            drag.at.1 - drag.grab.1,
            drag.size.0
        );
        Some(view! {
            <div class="drag-ghost" style=style aria-hidden="true">
                <div class="card-title">{issue.title.to_string()}</div>
                <div class="card-meta">
                    <TypeIcon t=issue.issue_type />
                    <span class="card-key">{issue.key.to_string()}</span>
                </div>
            </div>
        })
    }
}

#[component]
fn Viewers() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let names = Memo::new(move |_| {
        ctx.viewers.with(|vs| {
            let mut users: Vec<UserName> = vs.iter().map(|v| v.user.clone()).collect();
            users.sort();
            users.dedup();
            users
        })
    });
    view! {
        <div class="viewers" data-testid="viewers" aria-label="Viewing this board">
            <For each=move || names.get() key=|u| u.clone() let:user>
                <Avatar user />
            </For>
            {move || {
                let more = ctx.viewer_count.get().saturating_sub(ctx.viewers.with(Vec::len));
                (more > 0).then(|| view! { <span class="more-viewers">{format!("+{more}")}</span> })
            }}
        </div>
    }
}

#[component]
fn ConnectionBadge() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let text = move || match ctx.connection.get() {
        Connection::Connecting => "Connecting…",
        Connection::Live => "Live",
        Connection::Reconnecting => "Reconnecting…",
        Connection::Offline => "Offline",
        Connection::LinkEnded => "Link revoked",
        Connection::AccessEnded(code) => {
            crate::api::live::close::ended(code).unwrap_or("Disconnected")
        }
    };
    let state = move || match ctx.connection.get() {
        Connection::AccessEnded(_) => "accessended".to_string(),
        other => format!("{other:?}").to_lowercase(),
    };
    view! {
        <span class="connection" data-state=state data-testid="connection" role="status">
            <span class="dot" aria-hidden="true"></span>
            {text}
        </span>
    }
}
