//! Project members and their roles (what each role may do is `authorize`'s).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::ids::UserName;

/// Ordered by power: every role may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Reads and writes issues, sprints, worklogs, comments and filters.
    Member,
    /// Also the project's settings, its members and its share links.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Member, Role::Admin];

    pub fn label(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == s)
    }

    /// Whether this role may change the project's issues, sprints, work and
    /// comments: the one rule behind every "can edit" (the server's issue
    /// page, the board, the backlog). A share link reads as a viewer.
    pub fn can_edit(self) -> bool {
        self >= Role::Member
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Members by user name.
pub type Members = BTreeMap<UserName, Role>;

/// Members per project.
pub const MAX_MEMBERS: usize = 1_000;
