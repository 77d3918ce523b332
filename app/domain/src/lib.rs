//! Kanri's event core, shared by the server and the browser. It imports no
//! I/O: no clock, no database, no network, no UI framework.
//!
//! `decide(state, &Context { actor, now }, command)` judges a command and
//! returns events; `apply(state, event)` folds an event into state. The
//! server runs both authoritatively inside its append transaction; the
//! browser runs the same functions to show a user's action at once, before
//! the server has answered.
//!
//! Layers, bottom to top; a module imports only from the layers below it:
//! 1. `error`: `ParseError`, naming nothing else.
//! 2. Newtypes that parse: `ids`, `quantity`, `time`, `duration`, `rank`,
//!    `account`.
//! 3. Value types of each feature: `comment`, `link`, `worklog`, `member`,
//!    `field`; then the state they make up, `model`, and `context`.
//! 4. What flows in and out: `command`, `event`, `query` (the search
//!    language over the state), `refusal` (`DomainError`, which names roles,
//!    sprint states and query errors).
//! 5. Features over them: `bounds`, `authorize`, `apply`, `change` (history),
//!    `concurrency`, `log`, `timesheet`, `reports`.
//! 6. On top: `decide` (with its rules per feature), `conflict` (what a
//!    refused command attempted) and `upcast` (old event shapes).

mod account;
mod apply;
mod authorize;
mod bounds;
mod change;
mod command;
mod comment;
mod concurrency;
mod conflict;
mod context;
mod decide;
mod duration;
mod error;
mod event;
mod field;
mod ids;
mod link;
mod log;
mod member;
mod model;
mod quantity;
mod query;
mod rank;
mod refusal;
mod reports;
mod theme;
mod time;
mod timesheet;
mod upcast;
mod worklog;

#[cfg(test)]
mod bounds_tests;
#[cfg(test)]
mod issue_tests;
#[cfg(test)]
mod layering_tests;
#[cfg(test)]
mod member_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod report_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod worklog_tests;

pub use account::{Email, MAX_NEXT, Password, Profile, avatar_colour, safe_next};
pub use apply::{apply, apply_mut, replay};
pub use authorize::{authorize, require};
pub use bounds::OutOfRange;
pub use change::{Change, ChangeRecord, changes, describe_attempt, tenths};
pub use command::{Command, CommandEnvelope, IssuePatch, NewIssue};
pub use comment::{Comment, CommentBody, CommentNumber, MAX_COMMENTS, mention_spans, mentions};
pub use concurrency::{Rebase, rebase};
pub use conflict::{attempted, describe};
pub use context::Context;
pub use decide::{MAX_ISSUES, MAX_LABELS, decide, default_workflow, patch_events};
pub use duration::{MAX_MINUTES, WorkCalendar};
pub use error::ParseError;
pub use event::{EVENT_TYPES, Event, SCHEMA_VERSION};
pub use field::{AttemptedChange, Field};
pub use ids::*;
pub use link::{IssueLink, LinkKind, LinkView, MAX_LINKS};
pub use log::{Outcome, Recorded, Snapshot};
pub use member::{MAX_MEMBERS, Members, Role};
pub use model::*;
pub use quantity::{Minutes, Points};
pub use query::{
    Expr, MAX_QUERY_CHARS, Op, QField, QValue, Query, QueryError, values as query_values,
};
pub use rank::{Rank, RankExhausted};
pub use refusal::DomainError;
pub use reports::{
    Burndown, BurndownDay, FlowDay, ScopeChange, VelocityRow, burndown, cumulative_flow, velocity,
};
pub use theme::Theme;
pub use time::{Date, UtcTime, utc_minute};
pub use timesheet::{
    GroupTime, LoggedTime, MAX_TIMESHEET_DAYS, RangeError, Timesheet, UserTime, days_between,
};
pub use upcast::upcast;
pub use worklog::{MAX_WORKLOGS, RemainingAdjustment, WorkEntry, Worklog};
