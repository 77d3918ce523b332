//! Keyboard first: the command palette (Ctrl/Cmd-K: go to an issue by key,
//! create, assign, move, switch project) and the shortcuts `c` (create),
//! `/` (search), `j`/`k` (next and previous card or row) and `?` (the list).

mod entries;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::api::{CreateBacklogIssue, UpdateField, list_projects, load_issue};
use crate::domain::*;
use crate::ui::common::Refresh;
use entries::{Action, Entry, Place, entries, issue_url};

/// Whether a key press belongs to a text field rather than to the shortcuts.
#[cfg(feature = "hydrate")]
fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
    else {
        return false;
    };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || el.get_attribute("contenteditable").is_some()
}

/// Focuses the next (`step` 1) or previous (-1) card of the board, or row
/// of a list: the shortcuts `j` and `k`.
#[cfg(feature = "hydrate")]
fn focus_step(step: i32) {
    use wasm_bindgen::JsCast;
    let doc = document();
    let Ok(list) = doc.query_selector_all(".card, .issue-row a.card-key, td a.card-key") else {
        return;
    };
    let items: Vec<leptos::web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect();
    if items.is_empty() {
        return;
    }
    let active = doc.active_element();
    let current = items.iter().position(|el| {
        active.as_ref().is_some_and(|a| {
            a == el.unchecked_ref::<leptos::web_sys::Element>() || el.contains(Some(a))
        })
    });
    let next = match current {
        Some(i) => (i as i32 + step).clamp(0, items.len() as i32 - 1) as usize,
        None if step > 0 => 0,
        None => items.len() - 1,
    };
    let _ = items[next].focus();
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Closed,
    All,
    Create,
    Help,
}

#[component]
pub fn CommandPalette() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let mode = RwSignal::new(Mode::Closed);
    let query = RwSignal::new(String::new());
    let selected = RwSignal::new(0usize);
    let error = RwSignal::new(None::<String>);
    let location = use_location();
    let place = Memo::new(move |_| Place::from_path(&location.pathname.get()));
    let open = move || matches!(mode.get(), Mode::All | Mode::Create);
    // Loaded when the palette opens, not with every page.
    let projects = LocalResource::new(move || {
        let wanted = mode.get() == Mode::All;
        async move {
            if wanted {
                list_projects().await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    let detail = LocalResource::new(move || {
        let issue = place.get().issue.filter(|_| mode.get() == Mode::All);
        async move {
            match issue {
                Some(key) => load_issue(key.to_string()).await.ok(),
                None => None,
            }
        }
    });
    // Lazily too: a signed-out page (sign-in, sign-up) must not ask.
    let me = LocalResource::new(move || {
        let wanted = open();
        async move {
            if wanted {
                crate::api::current_user().await.ok()
            } else {
                None
            }
        }
    });
    let list = Memo::new(move |_| {
        let projects = projects.get().unwrap_or_default();
        let detail = detail.get().flatten();
        let me = me.get().flatten();
        entries(
            &query.get(),
            &place.get(),
            me.as_ref(),
            &projects,
            detail.as_ref(),
            mode.get() == Mode::Create,
        )
    });
    let create = ServerAction::<CreateBacklogIssue>::new();
    let set = ServerAction::<UpdateField>::new();
    let navigate = use_navigate();
    let close = move || {
        mode.set(Mode::Closed);
        query.set(String::new());
        selected.set(0);
        error.set(None);
    };
    Effect::new({
        let navigate = navigate.clone();
        move |_| match create.value().get() {
            Some(Ok(outcome)) => {
                let created = outcome.recorded().iter().find_map(|r| match &r.event {
                    Event::IssueCreated { issue, .. } => Some(*issue),
                    _ => None,
                });
                if let (Some(n), Some(project)) = (created, place.get_untracked().project) {
                    close();
                    navigate(&issue_url(&IssueKey::new(project, n)), Default::default());
                }
            }
            Some(Err(e)) => error.set(Some(e.to_string())),
            None => {}
        }
    });
    Effect::new(move |_| match set.value().get() {
        Some(Ok(Outcome::Conflict { .. })) => error.set(Some(
            "Someone changed that field meanwhile; look again.".into(),
        )),
        Some(Ok(_)) => {
            close();
            refresh.0.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let run = move |e: Entry| match e.action {
        Action::GoTo(url) => {
            close();
            navigate(&url, Default::default());
        }
        Action::Create { project, title } => {
            create.dispatch(CreateBacklogIssue {
                project: project.to_string(),
                title,
            });
        }
        Action::Set {
            issue,
            version,
            field,
            value,
        } => {
            set.dispatch(UpdateField {
                issue: issue.to_string(),
                version,
                field: field.to_string(),
                value,
                command: None,
            });
        }
    };
    #[cfg(feature = "hydrate")]
    {
        let navigate = use_navigate();
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            let command = ev.ctrl_key() || ev.meta_key();
            if command && ev.key().eq_ignore_ascii_case("k") {
                ev.prevent_default();
                mode.set(if open() { Mode::Closed } else { Mode::All });
                return;
            }
            if command || ev.alt_key() || typing(&ev) || mode.get_untracked() != Mode::Closed {
                if ev.key() == "Escape" && mode.get_untracked() == Mode::Help {
                    mode.set(Mode::Closed);
                }
                return;
            }
            match ev.key().as_str() {
                "c" if place.get_untracked().project.is_some() => {
                    ev.prevent_default();
                    mode.set(Mode::Create);
                }
                "/" => {
                    if let Some(project) = place.get_untracked().project {
                        ev.prevent_default();
                        navigate(&format!("/p/{project}/search"), Default::default());
                    }
                }
                "j" => focus_step(1),
                "k" => focus_step(-1),
                "?" => mode.set(Mode::Help),
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    let run_clicked = run.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = list.with_untracked(Vec::len);
        match ev.key().as_str() {
            "Escape" => close(),
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                selected.update(|s| *s = (*s + 1) % count);
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                selected.update(|s| *s = (*s + count - 1) % count);
            }
            "Enter" => {
                ev.prevent_default();
                let chosen = list.with_untracked(|l| l.get(selected.get_untracked()).cloned());
                if let Some(e) = chosen {
                    run(e);
                }
            }
            _ => {}
        }
    };
    view! {
        <Show when=open>
            <div class="palette-backdrop" on:click=move |_| close()></div>
            <div class="palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="palette">
                <input
                    class="palette-input"
                    aria-label="Command"
                    placeholder=move || if mode.get() == Mode::Create { "Title of the new issue" } else { "Issue key, command or project…" }
                    autofocus
                    prop:value=move || query.get()
                    on:input=move |ev| {
                        query.set(event_target_value(&ev));
                        selected.set(0);
                    }
                    on:keydown=on_key.clone()
                />
                <ul class="palette-list" role="listbox">
                    {
                        let run_clicked = run_clicked.clone();
                        move || {
                            list.get()
                                .into_iter()
                                .enumerate()
                                .map(|(i, e)| {
                                    let run_clicked = run_clicked.clone();
                                    let label = e.label.clone();
                                    view! {
                                        <li role="option" class="palette-entry"
                                            aria-selected=move || (selected.get() == i).to_string()
                                            on:mousemove=move |_| selected.set(i)
                                            on:click=move |_| run_clicked(e.clone())>{label}</li>
                                    }
                                })
                                .collect_view()
                        }
                    }
                </ul>
                <p class="error" role="alert">{move || error.get()}</p>
            </div>
        </Show>
        <Show when=move || mode.get() == Mode::Help>
            <div class="palette-backdrop" on:click=move |_| mode.set(Mode::Closed)></div>
            <div class="palette shortcuts" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="shortcuts">
                <h2>"Keyboard shortcuts"</h2>
                <dl>
                    <dt><kbd>"Ctrl"</kbd>" / "<kbd>"⌘"</kbd>" "<kbd>"K"</kbd></dt><dd>"Command palette: go to an issue, create, assign, move, switch project"</dd>
                    <dt><kbd>"c"</kbd></dt><dd>"Create an issue in this project"</dd>
                    <dt><kbd>"/"</kbd></dt><dd>"Search this project"</dd>
                    <dt><kbd>"j"</kbd>" "<kbd>"k"</kbd></dt><dd>"Next and previous card or row"</dd>
                    <dt><kbd>"Enter"</kbd></dt><dd>"Open the focused card"</dd>
                    <dt><kbd>"Alt"</kbd>" + arrows"</dt><dd>"Move the focused card on the board"</dd>
                    <dt><kbd>"?"</kbd></dt><dd>"This list"</dd>
                </dl>
                <button type="button" on:click=move |_| mode.set(Mode::Closed)>"Close"</button>
            </div>
        </Show>
    }
}
