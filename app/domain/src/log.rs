//! The log's envelope around an event, and what executing a command yields.

use serde::{Deserialize, Serialize};

use super::change::ChangeRecord;
use super::event::Event;
use super::field::Field;
use super::ids::{CommandId, ProjectKey, UserName};
use super::model::{Issue, Project, Sprint, StreamRef};

/// An event as stored: its global sequence number, its stream and version in
/// that stream, who caused it, when, and by which command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub seq: u64,
    pub project: ProjectKey,
    pub stream: StreamRef,
    pub version: u64,
    pub actor: UserName,
    pub at_ms: i64,
    pub command_id: CommandId,
    pub event: Event,
}

/// The current state of one stream, sent back with a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "state", rename_all = "snake_case")]
pub enum Snapshot {
    Project(Project),
    Issue(Box<Issue>),
    Sprint(Sprint),
}

/// The answer to a command. A repeated command id gets the first answer again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Based on the current version; `events` are now in the log.
    Accepted { events: Vec<Recorded> },
    /// Based on an older version, but others changed only other fields:
    /// applied on top of their changes, which `over` lists.
    Merged {
        events: Vec<Recorded>,
        over: Vec<ChangeRecord>,
    },
    /// Others changed `fields` since the base version. Nothing changed except
    /// the audit record of this attempt; `changes` says who changed what,
    /// when, old → new, and `current` is the state to re-confirm against.
    Conflict {
        fields: Vec<Field>,
        recorded: Box<Recorded>,
        changes: Vec<ChangeRecord>,
        current: Option<Snapshot>,
    },
}

impl Outcome {
    /// Every event this outcome appended to the log.
    pub fn recorded(&self) -> Vec<&Recorded> {
        match self {
            Self::Accepted { events } | Self::Merged { events, .. } => events.iter().collect(),
            Self::Conflict { recorded, .. } => vec![&**recorded],
        }
    }

    /// The global sequence of the last event written (0 if none).
    pub fn last_seq(&self) -> u64 {
        self.recorded().iter().map(|r| r.seq).max().unwrap_or(0)
    }
}
