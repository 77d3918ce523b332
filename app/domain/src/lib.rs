//! Kanri's event core, shared by the server and the browser. It imports no
//! I/O: no clock, no database, no network, no UI framework.
//!
//! `decide(state, command)` judges a command and returns events; `apply(state,
//! event)` folds an event into state. The server runs both authoritatively
//! inside its append transaction; the browser runs the same functions to show
//! a user's action at once, before the server has answered.

mod account;
mod apply;
mod change;
mod command;
mod comment;
mod concurrency;
mod decide;
mod duration;
mod error;
mod event;
mod ids;
mod link;
mod log;
mod member;
mod model;
mod query;
mod rank;
mod reports;
mod timesheet;
mod worklog;

#[cfg(test)]
mod bounds_tests;
#[cfg(test)]
mod issue_tests;
#[cfg(test)]
mod member_tests;
#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod report_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod worklog_tests;

pub use account::{Email, MAX_NEXT, Password, Profile, safe_next};
pub use apply::{apply, apply_mut, replay};
pub use change::{Change, ChangeRecord, changes, describe, tenths};
pub use command::{Command, CommandEnvelope, Field, IssuePatch, NewIssue, OutOfRange};
pub use comment::{Comment, CommentBody, CommentNumber, MAX_COMMENTS, mention_spans, mentions};
pub use concurrency::{Rebase, rebase};
pub use decide::{MAX_ISSUES, MAX_LABELS, decide, default_workflow};
pub use duration::{MAX_MINUTES, WorkCalendar};
pub use error::{DomainError, ParseError};
pub use event::{EVENT_TYPES, Event};
pub use ids::*;
pub use link::{IssueLink, LinkKind, LinkView, MAX_LINKS};
pub use log::{Outcome, Recorded, Snapshot};
pub use member::{MAX_MEMBERS, Members, Role, authorize, require};
pub use model::*;
pub use query::{
    Expr, MAX_QUERY_CHARS, Op, QField, QValue, Query, QueryError, values as query_values,
};
pub use rank::Rank;
pub use reports::{
    Burndown, BurndownDay, FlowDay, ScopeChange, VelocityRow, burndown, cumulative_flow, velocity,
};
pub use timesheet::{
    GroupTime, LoggedTime, MAX_TIMESHEET_DAYS, RangeError, Timesheet, UserTime, days_between,
};
pub use worklog::{MAX_WORKLOGS, RemainingAdjustment, WorkEntry, Worklog};
