//! Project members and their roles, and what each role may do. Pure: the
//! server runs `authorize` before every command and read; the browser uses
//! the same rules only to hide what the user cannot do.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::command::Command;
use super::error::DomainError;
use super::event::Event;
use super::ids::UserName;
use super::model::{Project, ProjectState};

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

impl Project {
    pub fn role_of(&self, user: &UserName) -> Option<Role> {
        self.members.get(user).copied()
    }

    fn admins(&self) -> usize {
        self.members.values().filter(|r| **r == Role::Admin).count()
    }
}

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

pub(super) fn add_member(
    project: &Project,
    user: &UserName,
    role: Role,
) -> Result<Vec<Event>, DomainError> {
    if project.members.contains_key(user) {
        return Err(DomainError::AlreadyMember(user.clone()));
    }
    if project.members.len() >= MAX_MEMBERS {
        return Err(DomainError::TooManyMembers(MAX_MEMBERS));
    }
    Ok(vec![Event::MemberAdded {
        user: user.clone(),
        role,
    }])
}

pub(super) fn change_role(
    project: &Project,
    user: &UserName,
    role: Role,
) -> Result<Vec<Event>, DomainError> {
    let current = project
        .role_of(user)
        .ok_or_else(|| DomainError::NotAMember(user.clone()))?;
    if current == role {
        return Ok(vec![]);
    }
    if current == Role::Admin && project.admins() == 1 {
        return Err(DomainError::LastAdmin(user.clone()));
    }
    Ok(vec![Event::RoleChanged {
        user: user.clone(),
        role,
    }])
}

pub(super) fn remove_member(project: &Project, user: &UserName) -> Result<Vec<Event>, DomainError> {
    let current = project
        .role_of(user)
        .ok_or_else(|| DomainError::NotAMember(user.clone()))?;
    if current == Role::Admin && project.admins() == 1 {
        return Err(DomainError::LastAdmin(user.clone()));
    }
    Ok(vec![Event::MemberRemoved { user: user.clone() }])
}

/// Members per project.
pub const MAX_MEMBERS: usize = 1_000;
