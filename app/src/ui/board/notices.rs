//! Non-blocking notices at the corner of the board: conflicts (with "Move it
//! anyway" and "Keep theirs") and errors. Nothing a user did disappears
//! without one of these saying so.

use leptos::prelude::*;

use super::{BoardCtx, interact};
use crate::domain::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The user's command met someone else's change to the same fields.
    Conflict {
        id: u64,
        retry: Command,
        headline: String,
        detail: String,
    },
    Error {
        id: u64,
        message: String,
    },
}

impl Notice {
    fn id(&self) -> u64 {
        match self {
            Self::Conflict { id, .. } | Self::Error { id, .. } => *id,
        }
    }
}

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

pub fn error(ctx: BoardCtx, message: String) {
    ctx.notices.update(|n| {
        n.push(Notice::Error {
            id: next_id(),
            message,
        })
    });
}

/// Explains a conflict in words: "alice moved ABC-12 to Done 3 s ago."
pub fn conflict(ctx: BoardCtx, command: &Command, changes: &[ChangeRecord], now_ms: i64) {
    let shown = ctx.displayed.get_untracked();
    let key = |n: IssueNumber| IssueKey::new(ctx.key.get_value(), n).to_string();
    let subject = match command.target() {
        Some(StreamRef::Issue(n)) => key(n),
        _ => "this".into(),
    };
    // The latest change to the fields the command touched tells the story.
    let wanted = command.fields();
    let relevant = changes
        .iter()
        .rev()
        .find(|c| {
            matches!(
                &c.change,
                Change::Field {
                    field: Field::Status,
                    ..
                }
            ) && wanted.contains(&Field::Status)
        })
        .or_else(|| {
            changes.iter().rev().find(
                |c| matches!(&c.change, Change::Field { field, .. } if wanted.contains(field)),
            )
        });
    let headline = match relevant {
        Some(ChangeRecord {
            actor,
            at_ms,
            change:
                Change::Field {
                    field: Field::Status,
                    new,
                    ..
                },
            ..
        }) => format!(
            "{actor} moved {subject} to {} {}.",
            new.as_deref().unwrap_or("another column"),
            ago(now_ms - at_ms)
        ),
        Some(ChangeRecord {
            actor,
            at_ms,
            change: Change::Field {
                field: Field::Rank, ..
            },
            ..
        }) => {
            format!("{actor} re-ordered {subject} {}.", ago(now_ms - at_ms))
        }
        Some(ChangeRecord {
            actor,
            at_ms,
            change: Change::Field { field, .. },
            ..
        }) => {
            format!(
                "{actor} changed the {} of {subject} {}.",
                field.label(),
                ago(now_ms - at_ms)
            )
        }
        _ => format!("Someone changed {subject} meanwhile."),
    };
    let detail = format!(
        "Your change was not applied: {}.",
        describe_attempt(&shown, command)
    );
    ctx.notices.update(|n| {
        n.push(Notice::Conflict {
            id: next_id(),
            retry: command.clone(),
            headline,
            detail,
        })
    });
}

fn describe_attempt(state: &ProjectState, command: &Command) -> String {
    match command {
        Command::MoveIssue { to, .. } => {
            format!(
                "move to {}",
                state
                    .project
                    .as_ref()
                    .map_or_else(|| "that column".into(), |p| p.status_name(*to))
            )
        }
        other => describe(state, other),
    }
}

/// "just now", "12 s ago", "3 min ago", "2 h ago".
pub fn ago(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..5 => "just now".into(),
        5..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        _ => format!("{} h ago", s / 3600),
    }
}

/// Every error, and the oldest conflict: conflicts are settled one by one
/// (a replay after being offline can bring several at once).
fn shown(notices: &[Notice]) -> Vec<Notice> {
    let first_conflict = notices
        .iter()
        .find(|n| matches!(n, Notice::Conflict { .. }))
        .map(Notice::id);
    notices
        .iter()
        .filter(|n| matches!(n, Notice::Error { .. }) || Some(n.id()) == first_conflict)
        .cloned()
        .collect()
}

#[component]
pub fn Notices() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let dismiss = move |id: u64| ctx.notices.update(|n| n.retain(|x| x.id() != id));
    let conflicts = move || {
        ctx.notices.with(|n| {
            n.iter()
                .filter(|x| matches!(x, Notice::Conflict { .. }))
                .count()
        })
    };
    view! {
        <div class="notices" aria-live="assertive">
            <For each=move || shown(&ctx.notices.get()) key=Notice::id let:notice>
                {match notice {
                    Notice::Conflict { id, retry, headline, detail } => {
                        view! {
                            <div class="notice conflict" role="alert" data-testid="conflict-prompt">
                                <strong>{headline}</strong>
                                <p>{detail}</p>
                                {move || (conflicts() > 1).then(|| view! {
                                    <p class="muted" data-testid="conflicts-waiting">
                                        {format!("{} more after this one.", conflicts() - 1)}
                                    </p>
                                })}
                                <div class="actions">
                                    <button
                                        class="primary"
                                        data-testid="move-anyway"
                                        on:click=move |_| {
                                            dismiss(id);
                                            interact::dispatch(ctx, retry.clone());
                                        }
                                    >
                                        "Move it anyway"
                                    </button>
                                    <button data-testid="keep-theirs" on:click=move |_| dismiss(id)>
                                        "Keep theirs"
                                    </button>
                                </div>
                            </div>
                        }
                            .into_any()
                    }
                    Notice::Error { id, message } => {
                        view! {
                            <div class="notice error-notice" role="alert" data-testid="error-notice">
                                <p>{message}</p>
                                <div class="actions">
                                    <button on:click=move |_| dismiss(id)>"Dismiss"</button>
                                </div>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </For>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::Notice;

    #[test]
    fn conflicts_come_one_at_a_time_errors_all_at_once() {
        let conflict = |id| Notice::Conflict {
            id,
            retry: crate::domain::Command::DeleteFilter {
                name: crate::domain::FilterName::parse("x").unwrap(),
            },
            headline: String::new(),
            detail: String::new(),
        };
        let error = |id| Notice::Error {
            id,
            message: String::new(),
        };
        let all = [conflict(1), error(2), conflict(3), error(4)];
        let ids: Vec<u64> = super::shown(&all).iter().map(Notice::id).collect();
        assert_eq!(ids, [1, 2, 4]);
        let ids: Vec<u64> = super::shown(&all[1..]).iter().map(Notice::id).collect();
        assert_eq!(ids, [2, 3, 4]);
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(super::ago(-10), "just now");
        assert_eq!(super::ago(3_000), "just now");
        assert_eq!(super::ago(12_500), "12 s ago");
        assert_eq!(super::ago(180_000), "3 min ago");
        assert_eq!(super::ago(7_300_000), "2 h ago");
    }
}
