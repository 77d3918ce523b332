//! Quick filters. They live in the URL query (`?assignee=alice&type=bug&
//! label=ui&q=login`), so a filtered board is a link anyone can open, and the
//! filter bar is a plain GET form that works without JavaScript.

use leptos::prelude::*;
use leptos_router::components::Form;
use std::collections::BTreeSet;

use crate::domain::{Issue, IssueType, ProjectState};

/// The value of the assignee filter that selects unassigned issues.
pub const UNASSIGNED: &str = "none";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub assignee: Option<String>,
    pub issue_type: Option<IssueType>,
    pub label: Option<String>,
    pub text: Option<String>,
}

impl Filters {
    /// Reads the filters from URL query parameters; unknown values are ignored.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let value = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            assignee: value("assignee"),
            issue_type: value("type")
                .and_then(|t| IssueType::ALL.into_iter().find(|it| type_slug(*it) == t)),
            label: value("label"),
            text: value("q").map(|t| t.to_lowercase()),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn matches(&self, issue: &Issue, key: &str) -> bool {
        let assignee_ok = match self.assignee.as_deref() {
            None => true,
            Some(UNASSIGNED) => issue.assignee.is_none(),
            Some(a) => issue.assignee.as_ref().is_some_and(|x| x.as_str() == a),
        };
        let type_ok = self.issue_type.is_none_or(|t| issue.issue_type == t);
        let label_ok = self
            .label
            .as_ref()
            .is_none_or(|l| issue.labels.iter().any(|x| x.as_str() == l));
        let text_ok = self.text.as_ref().is_none_or(|t| {
            issue.title.as_str().to_lowercase().contains(t) || key.to_lowercase().contains(t)
        });
        assignee_ok && type_ok && label_ok && text_ok
    }
}

/// The URL spelling of an issue type.
pub fn type_slug(t: IssueType) -> &'static str {
    match t {
        IssueType::Story => "story",
        IssueType::Task => "task",
        IssueType::Bug => "bug",
        IssueType::Epic => "epic",
        IssueType::SubTask => "sub-task",
    }
}

/// The filter bar: choices come from the issues on the board.
#[component]
pub fn FilterBar(filters: Filters, #[prop(into)] state: Signal<ProjectState>) -> impl IntoView {
    let assignees = Memo::new(move |_| {
        state.with(|s| {
            s.issues
                .values()
                .filter_map(|i| i.assignee.as_ref().map(|a| a.to_string()))
                .collect::<BTreeSet<_>>()
        })
    });
    let labels = Memo::new(move |_| {
        state.with(|s| {
            s.issues
                .values()
                .flat_map(|i| i.labels.iter().map(|l| l.to_string()))
                .collect::<BTreeSet<_>>()
        })
    });
    let active = !filters.is_empty();
    let Filters {
        assignee,
        issue_type,
        label,
        text,
    } = filters;
    let option = move |value: String, shown: String, selected: bool| {
        view! { <option value=value selected=selected>{shown}</option> }
    };
    // Submit on every change once the page is live (a button covers no-JS).
    let submit_on_change = |ev: leptos::ev::Event| {
        if let Some(form) = event_target::<leptos::web_sys::HtmlElement>(&ev)
            .closest("form")
            .ok()
            .flatten()
        {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(form) = form.dyn_into::<leptos::web_sys::HtmlFormElement>() {
                let _ = form.request_submit();
            }
        }
    };
    view! {
        <Form method="GET" action="" attr:class="filters" attr:role="search" attr:aria-label="Quick filters">
            <input
                type="search"
                name="q"
                placeholder="Filter cards…"
                aria-label="Text"
                value=text.clone().unwrap_or_default()
            />
            <select name="assignee" aria-label="Assignee" on:change=submit_on_change>
                {option(String::new(), "Anyone".into(), assignee.is_none())}
                {option(UNASSIGNED.into(), "Unassigned".into(), assignee.as_deref() == Some(UNASSIGNED))}
                {move || {
                    let chosen = assignee.clone();
                    assignees
                        .get()
                        .into_iter()
                        .map(|a| option(a.clone(), a.clone(), chosen.as_deref() == Some(a.as_str())))
                        .collect_view()
                }}
            </select>
            <select name="type" aria-label="Type" on:change=submit_on_change>
                {option(String::new(), "All types".into(), issue_type.is_none())}
                {IssueType::ALL
                    .into_iter()
                    .map(|t| option(type_slug(t).into(), t.label().into(), issue_type == Some(t)))
                    .collect_view()}
            </select>
            <select name="label" aria-label="Label" on:change=submit_on_change>
                {option(String::new(), "All labels".into(), label.is_none())}
                {move || {
                    let chosen = label.clone();
                    labels
                        .get()
                        .into_iter()
                        .map(|l| option(l.clone(), l.clone(), chosen.as_deref() == Some(l.as_str())))
                        .collect_view()
                }}
            </select>
            <button type="submit">"Filter"</button>
            {active.then(|| view! { <a class="clear-filters" href="?">"Clear"</a> })}
        </Form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn issue(assignee: Option<&str>, t: IssueType, labels: &[&str], title: &str) -> Issue {
        Issue {
            key: IssueKey::parse("ABC-7").unwrap(),
            title: Title::parse(title).unwrap(),
            description: LongText::default(),
            issue_type: t,
            priority: Priority::Medium,
            status: StatusId(1),
            rank: Rank::initial(),
            reporter: UserName::parse("bob").unwrap(),
            assignee: assignee.map(|a| UserName::parse(a).unwrap()),
            labels: labels.iter().map(|l| Label::parse(l).unwrap()).collect(),
            points: None,
            parent: None,
            sprint: None,
            original_estimate: None,
            remaining_estimate: None,
            worklogs: Default::default(),
            last_worklog: 0,
            comments: Default::default(),
            last_comment: 0,
            watchers: Default::default(),
            links: Default::default(),
            version: 1,
        }
    }

    fn filters(query: &[(&str, &str)]) -> Filters {
        Filters::from_query(|k| {
            query
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn each_filter_narrows_and_unknown_values_are_ignored() {
        let bug = issue(Some("alice"), IssueType::Bug, &["ui"], "Login fails");
        let task = issue(None, IssueType::Task, &[], "Write docs");
        let all = filters(&[("type", "no-such-type"), ("q", "  ")]);
        assert!(all.is_empty());
        assert!(all.matches(&bug, "ABC-7") && all.matches(&task, "ABC-8"));

        let f = filters(&[
            ("assignee", "alice"),
            ("type", "bug"),
            ("label", "ui"),
            ("q", "LOGIN"),
        ]);
        assert!(f.matches(&bug, "ABC-7"));
        assert!(!f.matches(&task, "ABC-8"));
        assert!(filters(&[("assignee", UNASSIGNED)]).matches(&task, "ABC-8"));
        assert!(!filters(&[("assignee", UNASSIGNED)]).matches(&bug, "ABC-7"));
        assert!(
            filters(&[("q", "abc-8")]).matches(&task, "ABC-8"),
            "text matches the key too"
        );
        assert!(!filters(&[("label", "backend")]).matches(&bug, "ABC-7"));
    }
}
