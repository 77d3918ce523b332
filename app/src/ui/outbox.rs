//! Changes waiting for the server, kept in the browser so that going offline,
//! or reloading while offline, loses none of them.
//!
//! Each entry is a whole command envelope: its id makes a replay exactly-once
//! (the server answers a repeated id from its record of the first), and its
//! base version lets the server merge it or report a conflict, as for any
//! other edit. The entries live in localStorage under one key per signed-in
//! user, oldest first.

use leptos::prelude::*;
use std::collections::HashSet;
use std::time::Duration;

use crate::domain::{CommandEnvelope, CommandId, ProjectKey, UserName};
use crate::ui::platform::{navigator_online, now_ms, online_or_after, storage};

/// What the top bar says about syncing; provided once, by the app.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    /// Bumped on every write to the stored queue.
    revision: RwSignal<u64>,
    online: RwSignal<bool>,
    /// False until hydration is over, so the first render matches the server's.
    started: RwSignal<bool>,
}

impl SyncStatus {
    /// Provides the sync state and, in the browser, follows the network.
    pub fn provide() {
        let sync = Self {
            revision: RwSignal::new(0),
            online: RwSignal::new(true),
            started: RwSignal::new(false),
        };
        provide_context(sync);
        Effect::new(move |_| {
            REVISION.with(|r| r.set(Some(sync.revision)));
            sync.online.set(navigator_online());
            sync.started.set(true);
            let on = window_event_listener(leptos::ev::online, move |_| sync.online.set(true));
            let off = window_event_listener(leptos::ev::offline, move |_| sync.online.set(false));
            // A page on its way out sends nothing: its answers would be lost
            // (the next page replays the queue), and while it unloads the
            // browser's idea of "online" is not to be trusted.
            let hide =
                window_event_listener(leptos::ev::pagehide, |_| LEAVING.with(|l| l.set(true)));
            let show =
                window_event_listener(leptos::ev::pageshow, |_| LEAVING.with(|l| l.set(false)));
            on_cleanup(move || {
                on.remove();
                off.remove();
                hide.remove();
                show.remove();
            });
        });
    }

    fn changed() {
        if let Some(revision) = REVISION.with(std::cell::Cell::get) {
            revision.update(|r| *r += 1);
        }
    }
}

thread_local! {
    /// The browser's one [`SyncStatus::revision`]: the queue is written from
    /// tasks too, which have no reactive owner to find a context through.
    static REVISION: std::cell::Cell<Option<RwSignal<u64>>> = const { std::cell::Cell::new(None) };
    /// The page is being left (between `pagehide` and a `pageshow`).
    static LEAVING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// "Offline — 3 changes pending" while anything waits or the network is gone.
#[component]
pub fn SyncBadge(user: UserName) -> impl IntoView {
    let sync = expect_context::<SyncStatus>();
    let waiting = Memo::new(move |_| {
        sync.revision.track();
        if sync.started.get() {
            load(&user).len()
        } else {
            0
        }
    });
    move || {
        let n = waiting.get();
        let changes = format!("{n} change{}", if n == 1 { "" } else { "s" });
        let (text, state) = match (sync.online.get(), n) {
            (true, 0) => return None,
            (false, 0) => ("Offline".to_string(), "offline"),
            (false, _) => (format!("Offline — {changes} pending"), "offline"),
            (true, _) => (format!("Syncing {changes}…"), "syncing"),
        };
        Some(view! {
            <span class="sync-badge" data-state=state data-testid="sync-badge" role="status">{text}</span>
        })
    }
}

/// Every waiting change of `user`, oldest first.
pub fn load(user: &UserName) -> Vec<CommandEnvelope> {
    let Some(text) = storage().and_then(|s| s.get_item(&storage_key(user)).ok().flatten()) else {
        return Vec::new();
    };
    match read_queue(&text) {
        Ok(entries) => entries,
        Err(e) => {
            // Written by another version of the app, or damaged: set it
            // aside rather than overwrite it.
            leptos::logging::warn!("unreadable offline queue set aside: {e}");
            if let Some(s) = storage() {
                let aside = format!("{}.unreadable.{}", storage_key(user), now_ms());
                let _ = s.set_item(&aside, &text);
                let _ = s.remove_item(&storage_key(user));
            }
            Vec::new()
        }
    }
}

/// The stored queue's text as commands. A command queued by an older
/// version of the app still reads: fields it carried that commands no longer
/// have (the `author`, `posted`, `editor`, … the server used to overwrite)
/// are ignored, so it replays, now run as the signed-in user.
fn read_queue(text: &str) -> Result<Vec<CommandEnvelope>, serde_json::Error> {
    serde_json::from_str(text)
}

/// The waiting changes of one project, oldest first.
pub fn for_project(user: &UserName, project: &ProjectKey) -> Vec<CommandEnvelope> {
    load(user)
        .into_iter()
        .filter(|e| &e.project == project)
        .collect()
}

/// Adds a change at the end of the queue.
pub fn push(user: &UserName, envelope: CommandEnvelope) {
    let mut entries = load(user);
    if !entries.iter().any(|e| e.id == envelope.id) {
        entries.push(envelope);
        save(user, &entries);
    }
}

/// Drops a change the server has answered.
pub fn remove(user: &UserName, id: CommandId) {
    let mut entries = load(user);
    let before = entries.len();
    entries.retain(|e| e.id != id);
    if entries.len() != before {
        save(user, &entries);
    }
}

/// Makes the stored changes of `project` what a page still waits for; see
/// [`merged`].
pub fn keep_waiting(
    user: &UserName,
    project: &ProjectKey,
    waiting: &[CommandEnvelope],
    known: &HashSet<CommandId>,
) {
    let stored = load(user);
    let next = merged(&stored, project, waiting, known);
    if next != stored {
        save(user, &next);
    }
}

/// The queue after a page that queued (or took over) the changes `known`
/// says that of them, `waiting` still wait. Changes of other projects, and
/// changes another tab queued meanwhile, stay where they are.
pub fn merged(
    stored: &[CommandEnvelope],
    project: &ProjectKey,
    waiting: &[CommandEnvelope],
    known: &HashSet<CommandId>,
) -> Vec<CommandEnvelope> {
    let mut next: Vec<CommandEnvelope> = stored
        .iter()
        .filter(|e| &e.project != project || !known.contains(&e.id))
        .cloned()
        .collect();
    next.extend(waiting.iter().cloned());
    next
}

/// Waits while the browser says it is offline (sending would only fail),
/// and for good once the page is being left.
pub async fn until_online() {
    while LEAVING.with(std::cell::Cell::get) || !navigator_online() {
        online_or_after(Duration::from_secs(30)).await;
    }
}

/// Registers the service worker that keeps the pages seen last (and the
/// app's code), so a reload while offline still shows them: see
/// `server/src/routes/offline.js`.
pub fn keep_pages_for_offline() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsValue, closure::Closure};
        let container = window().navigator().service_worker();
        // Not registering (say, a browser that refuses workers here) only
        // costs the offline reload; nothing else depends on it.
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
        let _ = container.register("/offline.js").catch(&ignore);
        ignore.forget();
    }
}

fn storage_key(user: &UserName) -> String {
    format!("kanri.outbox.{user}")
}

fn save(user: &UserName, entries: &[CommandEnvelope]) {
    if let Some(s) = storage() {
        let _ = if entries.is_empty() {
            s.remove_item(&storage_key(user))
        } else {
            match serde_json::to_string(entries) {
                Ok(text) => s.set_item(&storage_key(user), &text),
                Err(_) => Ok(()),
            }
        };
    }
    SyncStatus::changed();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn entry(project: &str, n: u8) -> CommandEnvelope {
        CommandEnvelope {
            id: CommandId::from_random_bytes([n; 16]),
            project: ProjectKey::parse(project).unwrap(),
            base_version: n.into(),
            command: Command::RankIssue {
                issue: IssueNumber(n.into()),
                after: None,
            },
        }
    }

    fn ids(entries: &[CommandEnvelope]) -> Vec<u64> {
        entries.iter().map(|e| e.base_version).collect()
    }

    #[test]
    fn a_page_replaces_what_it_knows_and_keeps_the_rest() {
        let abc = ProjectKey::parse("ABC").unwrap();
        let stored = [
            entry("ABC", 1),
            entry("XYZ", 2),
            entry("ABC", 3),
            entry("ABC", 4),
        ];
        // The page took over 1 and 3; 1 was answered; 4 came from another tab.
        let known = [1, 3].map(|n| entry("ABC", n).id).into();
        let next = merged(&stored, &abc, &[entry("ABC", 3), entry("ABC", 5)], &known);
        assert_eq!(ids(&next), [2, 4, 3, 5]);
    }

    #[test]
    fn nothing_left_waiting_empties_the_project_only() {
        let abc = ProjectKey::parse("ABC").unwrap();
        let stored = [entry("ABC", 1), entry("XYZ", 2)];
        let known = [entry("ABC", 1).id].into();
        assert_eq!(ids(&merged(&stored, &abc, &[], &known)), [2]);
    }

    #[test]
    fn a_command_queued_by_an_older_app_still_replays() {
        // As the app stored it before the author and time left the
        // commands: they ride along and are ignored.
        let old = r#"[{"id":"0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b","project":"ABC","base_version":3,
            "command":{"type":"add_comment","issue":2,"author":"guest","posted":0,"body":"On my way"}}]"#;
        let queue = read_queue(old).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].base_version, 3);
        assert_eq!(
            queue[0].command,
            Command::AddComment {
                issue: IssueNumber(2),
                body: CommentBody::parse("On my way").unwrap(),
            }
        );
        // What cannot be read at all is refused, and `load` sets it aside.
        assert!(read_queue(r#"[{"command":{"type":"no_such_command"}}]"#).is_err());
    }
}
