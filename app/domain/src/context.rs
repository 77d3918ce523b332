//! Who runs a command, and when: metadata beside the command (as in
//! cqrs-es), never inside it. The server builds it from the signed-in actor
//! and its clock; the browser, for an optimistic `decide`, from the
//! signed-in user and the browser's clock. Events record both where they
//! matter (a comment's author and time, a worklog's author, a reporter).

use super::ids::UserName;
use super::time::UtcTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The user the command runs as.
    pub actor: UserName,
    /// When it runs.
    pub now: UtcTime,
}

impl Context {
    pub fn new(actor: UserName, now: UtcTime) -> Self {
        Self { actor, now }
    }
}
