//! What each role may do. Pure: the server runs `authorize` before every
//! command and read; the browser uses the same rules only to hide what the
//! user cannot do.

use crate::command::Command;
use crate::ids::UserName;
use crate::member::Role;
use crate::model::{Project, ProjectState};
use crate::refusal::DomainError;

impl Command {
    /// The least role that may run this command; `None` for creating a
    /// project, which any signed-in user may do (and becomes its admin).
    pub fn required_role(&self) -> Option<Role> {
        match self {
            Self::CreateProject { .. } => None,
            Self::RenameProject { .. }
            | Self::AddStatus { .. }
            | Self::RenameStatus { .. }
            | Self::SetWipLimit { .. }
            | Self::ConfigureTimeTracking { .. }
            | Self::AddMember { .. }
            | Self::ChangeRole { .. }
            | Self::RemoveMember { .. } => Some(Role::Admin),
            _ => Some(Role::Member),
        }
    }
}

/// Whether `user` may run `command` on the project in `state`. A user who
/// is not a member is told the project does not exist: its name is not
/// theirs to learn. A comment or worklog is changed or deleted only by its
/// author or a project admin.
pub fn authorize(
    state: &ProjectState,
    user: &UserName,
    command: &Command,
) -> Result<(), DomainError> {
    let Some(need) = command.required_role() else {
        return Ok(());
    };
    // A command on no project is refused by `decide` as such.
    let Some(project) = &state.project else {
        return Ok(());
    };
    require(project, user, need)?;
    if project.role_of(user) == Some(Role::Admin) {
        return Ok(());
    }
    match command {
        Command::EditComment { issue, comment, .. }
        | Command::DeleteComment { issue, comment, .. } => {
            let author = state
                .issue(*issue)
                .and_then(|i| i.comments.get(comment))
                .map(|c| &c.author);
            match author {
                Some(author) if author != user => Err(DomainError::NotTheAuthor(author.clone())),
                // A missing one is `decide`'s to report.
                _ => Ok(()),
            }
        }
        Command::UpdateWorklog { issue, worklog, .. }
        | Command::DeleteWorklog { issue, worklog, .. } => {
            let author = state
                .issue(*issue)
                .and_then(|i| i.worklogs.get(worklog))
                .map(|w| &w.author);
            match author {
                Some(author) if author != user => {
                    Err(DomainError::NotTheWorklogAuthor(author.clone()))
                }
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// Whether `user` holds at least `need` in `project`.
pub fn require(project: &Project, user: &UserName, need: Role) -> Result<(), DomainError> {
    match project.role_of(user) {
        None => Err(DomainError::ProjectNotFound(project.key.clone())),
        Some(role) if role < need => Err(DomainError::Forbidden { role, need }),
        Some(_) => Ok(()),
    }
}
