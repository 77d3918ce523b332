//! What the palette offers for a query, where the user is: a pure function
//! of the query, the place (from the path) and the projects, tested natively.

use crate::api::{IssueDetail, ProjectSummary};
use crate::domain::*;

/// Where the user is, from the path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub project: Option<ProjectKey>,
    pub issue: Option<IssueKey>,
}

impl Place {
    pub fn from_path(path: &str) -> Self {
        let mut parts = path.trim_matches('/').split('/');
        let project = match (parts.next(), parts.next()) {
            (Some("p"), Some(key)) => ProjectKey::parse(key).ok(),
            _ => None,
        };
        let issue = match (parts.next(), parts.next()) {
            (Some("issues"), Some(key)) => IssueKey::parse(key).ok(),
            _ => None,
        };
        Self { project, issue }
    }
}

/// What a palette entry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    GoTo(String),
    Create {
        project: ProjectKey,
        title: String,
    },
    Set {
        issue: IssueKey,
        version: u64,
        field: &'static str,
        value: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    pub action: Action,
}

/// Entries shown at most.
const MAX_ENTRIES: usize = 12;

fn entry(label: String, action: Action) -> Entry {
    Entry { label, action }
}

pub fn issue_url(key: &IssueKey) -> String {
    format!("/p/{}/issues/{key}", key.project)
}

/// The palette's entries for `query` at `place`. An issue key (or, inside a
/// project, a bare number) goes to that issue; on an issue page it can be
/// moved or assigned; every project can be switched to; and, last, the text
/// can become a new issue. Entries but the first and last must contain
/// every word of the query.
pub fn entries(
    query: &str,
    place: &Place,
    me: Option<&UserName>,
    projects: &[ProjectSummary],
    issue: Option<&IssueDetail>,
    create_only: bool,
) -> Vec<Entry> {
    let q = query.trim();
    let create = match (&place.project, q.is_empty()) {
        (Some(project), false) => Some(entry(
            format!("Create issue “{q}” in {project}"),
            Action::Create {
                project: project.clone(),
                title: q.to_owned(),
            },
        )),
        _ => None,
    };
    if create_only {
        return create.into_iter().collect();
    }
    let mut direct = Vec::new();
    let by_key = IssueKey::parse(&q.to_uppercase()).ok().or_else(|| {
        let n = q.trim_start_matches('#').parse::<u32>().ok()?;
        Some(IssueKey::new(place.project.clone()?, IssueNumber(n)))
    });
    if let Some(key) = by_key {
        direct.push(entry(format!("Go to {key}"), Action::GoTo(issue_url(&key))));
    }
    let mut others = Vec::new();
    if let Some(d) = issue {
        let key = &d.issue.key;
        let set = |field: &'static str, value: String| Action::Set {
            issue: key.clone(),
            version: d.issue.version,
            field,
            value,
        };
        for s in d.project.statuses.iter().filter(|s| s.id != d.issue.status) {
            others.push(entry(
                format!("Move {key} to {}", s.name),
                set("status", s.id.0.to_string()),
            ));
        }
        if let Some(me) = me.filter(|me| d.issue.assignee.as_ref() != Some(*me)) {
            others.push(entry(
                format!("Assign {key} to me ({me})"),
                set("assignee", me.to_string()),
            ));
        }
        for p in d
            .people
            .iter()
            .filter(|p| d.issue.assignee.as_ref() != Some(*p))
        {
            others.push(entry(
                format!("Assign {key} to {p}"),
                set("assignee", p.to_string()),
            ));
        }
        if d.issue.assignee.is_some() {
            others.push(entry(
                format!("Unassign {key}"),
                set("assignee", String::new()),
            ));
        }
    }
    if let Some(project) = &place.project {
        for (page, path) in [
            ("board", "board"),
            ("backlog", "backlog"),
            ("search", "search"),
            ("reports", "reports"),
            ("timesheet", "timesheet"),
            ("settings", "settings"),
        ] {
            others.push(entry(
                format!("Go to the {project} {page}"),
                Action::GoTo(format!("/p/{project}/{path}")),
            ));
        }
    }
    for p in projects {
        others.push(entry(
            format!("Switch to project {} · {}", p.key, p.name),
            Action::GoTo(format!("/p/{}/board", p.key)),
        ));
    }
    let words: Vec<String> = q
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    others.retain(|e| {
        let label = e.label.to_lowercase();
        words.iter().all(|w| label.contains(w.as_str()))
    });
    direct.extend(others);
    direct.truncate(MAX_ENTRIES - 1);
    direct.extend(create);
    direct
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(path: &str) -> Place {
        Place::from_path(path)
    }

    fn labels(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.label.as_str()).collect()
    }

    #[test]
    fn the_place_comes_from_the_path() {
        assert_eq!(place("/"), Place::default());
        let p = place("/p/ABC/issues/ABC-7");
        assert_eq!(p.project.unwrap().as_str(), "ABC");
        assert_eq!(p.issue.unwrap().to_string(), "ABC-7");
        assert_eq!(place("/p/abc/board").project, None);
    }

    #[test]
    fn keys_and_numbers_go_to_issues_and_text_creates() {
        let board = place("/p/ABC/board");
        let e = entries("abc-12", &board, None, &[], None, false);
        assert_eq!(e[0].action, Action::GoTo("/p/ABC/issues/ABC-12".into()));
        let e = entries("7", &board, None, &[], None, false);
        assert_eq!(labels(&e)[0], "Go to ABC-7");
        assert_eq!(labels(&e)[1], "Create issue “7” in ABC");
        let e = entries("fix login", &board, None, &[], None, true);
        assert_eq!(labels(&e), ["Create issue “fix login” in ABC"]);
        assert!(entries("", &place("/"), None, &[], None, true).is_empty());
    }

    #[test]
    fn other_entries_match_every_word() {
        let board = place("/p/ABC/board");
        let e = entries("go back", &board, None, &[], None, false);
        assert_eq!(
            labels(&e),
            ["Go to the ABC backlog", "Create issue “go back” in ABC"]
        );
    }
}
