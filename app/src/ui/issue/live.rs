//! The issue page follows the project's events over the same WebSocket as
//! the board. A change by someone else is announced, not applied under the
//! user's hands: reloading could throw away what they are typing, so they
//! choose when to see it.

use leptos::prelude::*;
use std::cell::Cell;

use crate::domain::{Event, IssueKey, Recorded, StreamRef, UserName};
use crate::ui::live::{self, Follower, Subscription};

/// Starts following; `notices` gets a line per change by someone else.
pub fn follow(issue: IssueKey, me: UserName, after: u64, notices: RwSignal<Vec<String>>) {
    let to = Subscription {
        project: issue.project.clone(),
        share: None,
    };
    let follower = IssueFollower {
        stream: StreamRef::Issue(issue.number),
        me,
        last_seq: Cell::new(after),
        notices,
    };
    live::follow(to, follower);
}

/// The issue page's side of the live client: counts what it has seen, and
/// says what others changed on this issue.
struct IssueFollower {
    stream: StreamRef,
    me: UserName,
    last_seq: Cell<u64>,
    notices: RwSignal<Vec<String>>,
}

impl Follower for IssueFollower {
    fn last_seq(&self) -> u64 {
        self.last_seq.get()
    }

    fn events(&self, _prev: u64, events: Vec<Recorded>) -> bool {
        for r in events {
            if r.seq <= self.last_seq.get() {
                continue;
            }
            self.last_seq.set(r.seq);
            if r.stream != self.stream
                || r.actor == self.me
                || matches!(r.event, Event::ConflictRecorded { .. })
            {
                continue;
            }
            let fields: Vec<&str> = r.event.fields().into_iter().map(|f| f.label()).collect();
            let what = if fields.is_empty() {
                "this issue".to_string()
            } else {
                format!("the {}", fields.join(" and "))
            };
            self.notices
                .update(|n| n.push(format!("{} changed {what}", r.actor)));
        }
        true
    }
}

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
