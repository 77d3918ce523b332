//! Issue links (blocks / is blocked by / relates to / duplicates). A link is
//! stored once, on the issue it was made from; the other issue shows it in
//! the inverse sense.

use serde::{Deserialize, Serialize};

use super::ids::*;

/// Links per issue, both directions counted.
pub const MAX_LINKS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Blocks,
    IsBlockedBy,
    RelatesTo,
    Duplicates,
    IsDuplicatedBy,
}

impl LinkKind {
    pub const ALL: [LinkKind; 5] = [
        Self::Blocks,
        Self::IsBlockedBy,
        Self::RelatesTo,
        Self::Duplicates,
        Self::IsDuplicatedBy,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Blocks => "blocks",
            Self::IsBlockedBy => "is blocked by",
            Self::RelatesTo => "relates to",
            Self::Duplicates => "duplicates",
            Self::IsDuplicatedBy => "is duplicated by",
        }
    }

    /// The same link seen from the other issue.
    pub fn inverse(self) -> Self {
        match self {
            Self::Blocks => Self::IsBlockedBy,
            Self::IsBlockedBy => Self::Blocks,
            Self::RelatesTo => Self::RelatesTo,
            Self::Duplicates => Self::IsDuplicatedBy,
            Self::IsDuplicatedBy => Self::Duplicates,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Blocks => "blocks",
            Self::IsBlockedBy => "is_blocked_by",
            Self::RelatesTo => "relates_to",
            Self::Duplicates => "duplicates",
            Self::IsDuplicatedBy => "is_duplicated_by",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

/// A link as stored on the issue it was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IssueLink {
    pub kind: LinkKind,
    pub target: IssueNumber,
}

/// A link as one issue sees it: `kind` reads "this issue {kind} `other`";
/// `stored_on` is the issue whose stream holds it (to remove it there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LinkView {
    pub kind: LinkKind,
    pub other: IssueNumber,
    pub stored_on: IssueNumber,
}

impl LinkView {
    /// The stored link this view shows.
    pub fn stored(&self, viewer: IssueNumber) -> (IssueNumber, IssueLink) {
        if self.stored_on == viewer {
            (
                viewer,
                IssueLink {
                    kind: self.kind,
                    target: self.other,
                },
            )
        } else {
            (
                self.other,
                IssueLink {
                    kind: self.kind.inverse(),
                    target: viewer,
                },
            )
        }
    }
}
