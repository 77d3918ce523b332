//! Rules for project members and their roles.

use crate::event::Event;
use crate::ids::UserName;
use crate::member::{MAX_MEMBERS, Role};
use crate::model::Project;
use crate::refusal::DomainError;

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
