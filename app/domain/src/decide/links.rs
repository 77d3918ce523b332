//! Rules for links between issues.

use crate::event::Event;
use crate::ids::{IssueKey, IssueNumber};
use crate::link::{IssueLink, LinkKind, MAX_LINKS};
use crate::model::{Issue, ProjectState};
use crate::refusal::DomainError;

pub(super) fn link(
    state: &ProjectState,
    issue: &Issue,
    kind: LinkKind,
    target: IssueNumber,
) -> Result<Vec<Event>, DomainError> {
    let n = issue.key.number;
    if target == n {
        return Err(DomainError::SelfLink);
    }
    if !state.issues.contains_key(&target) {
        return Err(DomainError::IssueNotFound(IssueKey::new(
            issue.key.project.clone(),
            target,
        )));
    }
    let existing = state.links_of(n);
    if existing.iter().any(|v| v.kind == kind && v.other == target) {
        return Ok(vec![]);
    }
    if existing.len() >= MAX_LINKS || state.links_of(target).len() >= MAX_LINKS {
        return Err(DomainError::TooManyLinks(MAX_LINKS));
    }
    Ok(vec![Event::IssueLinked {
        issue: n,
        link: IssueLink { kind, target },
    }])
}

pub(super) fn unlink(issue: &Issue, link: IssueLink) -> Result<Vec<Event>, DomainError> {
    if !issue.links.contains(&link) {
        return Err(DomainError::LinkNotFound);
    }
    Ok(vec![Event::IssueUnlinked {
        issue: issue.key.number,
        link,
    }])
}
