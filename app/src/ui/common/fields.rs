//! An issue's fields as read-only text.

use leptos::prelude::*;

use crate::domain::{Issue, Project};

/// An issue's fields as read-only text, for pages that only show it (the
/// past, a share link).
#[component]
pub fn FieldList(project: Project, issue: Issue) -> impl IntoView {
    let calendar = project.calendar;
    let none = || "None".to_string();
    let rows = [
        ("Status", project.status_name(issue.status)),
        ("Type", issue.issue_type.label().to_string()),
        ("Priority", issue.priority.label().to_string()),
        (
            "Assignee",
            issue
                .assignee
                .as_ref()
                .map_or_else(none, ToString::to_string),
        ),
        ("Reporter", issue.reporter.to_string()),
        (
            "Story points",
            issue.points.map_or_else(none, |p| p.to_string()),
        ),
        (
            "Labels",
            issue
                .labels
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Remaining estimate",
            issue
                .remaining_estimate
                .map_or_else(none, |m| calendar.format(m)),
        ),
        ("Logged", calendar.format(issue.time_spent())),
        ("Comments", issue.comments.len().to_string()),
    ];
    view! {
        <dl>
            {rows.into_iter().map(|(label, value)| view! {
                <div class="issue-field" data-field=label>
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}
