//! Rules for comments and watchers.

use std::collections::BTreeSet;

use crate::comment::{Comment, CommentBody, CommentNumber, MAX_COMMENTS, mentions};
use crate::event::Event;
use crate::ids::UserName;
use crate::model::{Issue, ProjectState};
use crate::refusal::DomainError;
use crate::time::UtcTime;

fn comment(issue: &Issue, n: CommentNumber) -> Result<&Comment, DomainError> {
    issue
        .comments
        .get(&n)
        .ok_or_else(|| DomainError::CommentNotFound(issue.key.clone(), n.0))
}

/// Events that make `users` watch the issue (those not watching yet).
fn start_watching<'a>(issue: &Issue, users: impl IntoIterator<Item = &'a UserName>) -> Vec<Event> {
    let mut fresh: BTreeSet<&UserName> = BTreeSet::new();
    for u in users {
        if !issue.watchers.contains(u) {
            fresh.insert(u);
        }
    }
    fresh
        .into_iter()
        .map(|user| Event::WatcherAdded {
            issue: issue.key.number,
            user: user.clone(),
        })
        .collect()
}

/// A new comment. Its author and the members it mentions start watching.
pub(super) fn add_comment(
    state: &ProjectState,
    issue: &Issue,
    author: &UserName,
    posted: UtcTime,
    body: &CommentBody,
) -> Result<Vec<Event>, DomainError> {
    if issue.comments.len() >= MAX_COMMENTS {
        return Err(DomainError::TooManyComments(MAX_COMMENTS));
    }
    let members = state.people();
    let mentioned: Vec<UserName> = mentions(body.as_str())
        .into_iter()
        .filter(|u| members.contains(u))
        .collect();
    let added = Event::CommentAdded {
        issue: issue.key.number,
        comment: CommentNumber(issue.last_comment + 1),
        author: author.clone(),
        posted,
        body: body.clone(),
    };
    Ok(std::iter::once(added)
        .chain(start_watching(
            issue,
            std::iter::once(author).chain(&mentioned),
        ))
        .collect())
}

pub(super) fn edit_comment(
    state: &ProjectState,
    issue: &Issue,
    n: CommentNumber,
    edited: UtcTime,
    body: &CommentBody,
) -> Result<Vec<Event>, DomainError> {
    let old = comment(issue, n)?;
    if old.body == *body {
        return Ok(vec![]);
    }
    // Only members mentioned for the first time start watching.
    let before = mentions(old.body.as_str());
    let members = state.people();
    let newly: Vec<UserName> = mentions(body.as_str())
        .into_iter()
        .filter(|u| members.contains(u) && !before.contains(u))
        .collect();
    let changed = Event::CommentEdited {
        issue: issue.key.number,
        comment: n,
        edited,
        body: body.clone(),
    };
    Ok(std::iter::once(changed)
        .chain(start_watching(issue, &newly))
        .collect())
}

pub(super) fn delete_comment(issue: &Issue, n: CommentNumber) -> Result<Vec<Event>, DomainError> {
    comment(issue, n)?;
    Ok(vec![Event::CommentDeleted {
        issue: issue.key.number,
        comment: n,
    }])
}

pub(super) fn watch(issue: &Issue, user: &UserName, on: bool) -> Vec<Event> {
    let issue_number = issue.key.number;
    match (on, issue.watchers.contains(user)) {
        (true, false) => vec![Event::WatcherAdded {
            issue: issue_number,
            user: user.clone(),
        }],
        (false, true) => vec![Event::WatcherRemoved {
            issue: issue_number,
            user: user.clone(),
        }],
        _ => vec![],
    }
}
