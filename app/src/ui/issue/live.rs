//! The issue page follows the project's events over the same WebSocket as
//! the board. A change by someone else is announced, not applied under the
//! user's hands: reloading could throw away what they are typing, so they
//! choose when to see it.

use leptos::prelude::*;

use crate::domain::{IssueKey, UserName};

/// Starts following; `notices` gets a line per change by someone else.
#[cfg(feature = "hydrate")]
pub fn follow(issue: IssueKey, me: UserName, after: u64, notices: RwSignal<Vec<String>>) {
    use futures::{FutureExt, StreamExt, select};
    use gloo_net::websocket::{Message, futures::WebSocket};
    use std::time::Duration;

    use crate::api::live::ServerMessage;
    use crate::domain::{Event, StreamRef};
    use crate::ui::board::{sleep, socket_url};

    let (stop_tx, stop) = futures::channel::oneshot::channel::<()>();
    // `on_cleanup` wants a Sync closure; the sender is taken once.
    let stop_tx = std::sync::Mutex::new(Some(stop_tx));
    on_cleanup(move || {
        if let Some(tx) = stop_tx.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(());
        }
    });
    leptos::task::spawn_local(async move {
        let mut stop = stop.fuse();
        let mut after = after;
        let mut backoff = Duration::from_secs(1);
        let stream = StreamRef::Issue(issue.number);
        loop {
            let url = socket_url(&issue.project, after);
            if let Ok(socket) = WebSocket::open(&url) {
                let (_write, read) = socket.split();
                let mut read = read.fuse();
                loop {
                    select! {
                        message = read.next() => match message {
                            Some(Ok(Message::Text(text))) => {
                                backoff = Duration::from_secs(1);
                                if let Ok(ServerMessage::Events { events, .. }) = serde_json::from_str(&text) {
                                    for r in events {
                                        after = after.max(r.seq);
                                        if r.stream != stream || r.actor == me || matches!(r.event, Event::ConflictRecorded { .. }) {
                                            continue;
                                        }
                                        let fields: Vec<&str> = r.event.fields().into_iter().map(|f| f.label()).collect();
                                        let what = if fields.is_empty() { "this issue".to_string() } else { format!("the {}", fields.join(" and ")) };
                                        notices.update(|n| n.push(format!("{} changed {what}", r.actor)));
                                    }
                                }
                            }
                            Some(Ok(Message::Bytes(_))) => {}
                            Some(Err(_)) | None => break,
                        },
                        _ = stop => return,
                    }
                }
            }
            select! {
                _ = sleep(backoff).fuse() => {}
                _ = stop => return,
            }
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn follow(_issue: IssueKey, _me: UserName, _after: u64, _notices: RwSignal<Vec<String>>) {}

/// "bob changed the priority · Show the changes".
#[component]
pub fn LiveNotice(notices: RwSignal<Vec<String>>, reload: super::Reload) -> impl IntoView {
    move || {
        let lines = notices.get();
        let last = lines.last()?.clone();
        let more = lines.len() - 1;
        let text = if more == 0 {
            format!("{last}.")
        } else {
            format!(
                "{last}, and {more} more change{}.",
                if more == 1 { "" } else { "s" }
            )
        };
        Some(view! {
            <div class="live-notice" role="status" data-testid="issue-changed">
                <span>{text}</span>
                <button type="button" class="primary" on:click=move |_| {
                    notices.set(Vec::new());
                    reload.now();
                }>"Show the changes"</button>
            </div>
        })
    }
}
