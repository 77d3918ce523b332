//! Evaluation of a parsed query against the issues of a project.

use std::cmp::Ordering;

use super::values::{
    key_text, numeric_holds, numeric_operand, numeric_value, search_text, sprint_texts,
    text_equals, type_texts, value_text,
};
use super::{Expr, Op, QField};
use crate::ids::UserName;
use crate::model::{Issue, ProjectState};

pub(super) fn compare(f: QField, a: &Issue, b: &Issue, state: &ProjectState) -> Ordering {
    let status_index = |i: &Issue| {
        state
            .project
            .as_ref()
            .and_then(|p| p.statuses.iter().position(|s| s.id == i.status))
    };
    match f {
        QField::Rank => a.rank.cmp(&b.rank),
        QField::Key | QField::Project => a.key.number.cmp(&b.key.number),
        // Ascending goes from the lowest priority up, as in Jira.
        QField::Priority => b.priority.cmp(&a.priority),
        QField::Points => a.points.cmp(&b.points),
        QField::Status => status_index(a).cmp(&status_index(b)),
        QField::Assignee => a.assignee.cmp(&b.assignee),
        QField::Reporter => a.reporter.cmp(&b.reporter),
        QField::Type => a.issue_type.cmp(&b.issue_type),
        QField::Sprint => a.sprint.cmp(&b.sprint),
        QField::Epic => a.parent.cmp(&b.parent),
        QField::Label | QField::Text => a.title.as_str().cmp(b.title.as_str()),
    }
}

/// The issue's values of a field, as text, for `=` and `IN`.
fn texts(f: QField, i: &Issue, state: &ProjectState) -> Vec<String> {
    let one = |s: String| vec![s];
    match f {
        QField::Project => one(i.key.project.to_string()),
        QField::Key => one(i.key.to_string()),
        QField::Status => one(state
            .project
            .as_ref()
            .map(|p| p.status_name(i.status))
            .unwrap_or_default()),
        QField::Assignee => i.assignee.iter().map(|u| u.to_string()).collect(),
        QField::Reporter => one(i.reporter.to_string()),
        QField::Type => type_texts(i.issue_type).to_vec(),
        QField::Priority => one(i.priority.label().to_string()),
        QField::Points => i.points.iter().map(|p| p.to_string()).collect(),
        QField::Label => i.labels.iter().map(|l| l.to_string()).collect(),
        QField::Sprint => i.sprint.map(|n| sprint_texts(state, n)).unwrap_or_default(),
        QField::Epic => i
            .parent
            .map(|p| vec![key_text(&i.key.project, p)])
            .unwrap_or_default(),
        QField::Text => one(format!("{}\n{}", i.title, i.description.as_str())),
        QField::Rank => vec![],
    }
}

pub(super) fn eval(e: &Expr, i: &Issue, state: &ProjectState, me: &UserName) -> bool {
    let equals = |f: QField, v| {
        let want = value_text(v, me);
        texts(f, i, state).iter().any(|t| text_equals(f, t, &want))
    };
    match e {
        Expr::And(a, b) => eval(a, i, state, me) && eval(b, i, state, me),
        Expr::Or(a, b) => eval(a, i, state, me) || eval(b, i, state, me),
        Expr::Not(a) => !eval(a, i, state, me),
        Expr::Empty(f, empty) => texts(*f, i, state).is_empty() == *empty,
        Expr::In(f, values, inside) => values.iter().any(|v| equals(*f, v)) == *inside,
        Expr::Compare(f, op, v) => match op {
            Op::Eq => equals(*f, v),
            Op::Ne => !equals(*f, v),
            Op::Contains | Op::NotContains => {
                let needle = value_text(v, me).to_lowercase();
                let found = if *f == QField::Text {
                    search_text(i).contains(&needle)
                } else {
                    texts(*f, i, state)
                        .iter()
                        .any(|t| t.to_lowercase().contains(&needle))
                };
                found == (*op == Op::Contains)
            }
            Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                match (numeric_value(*f, i), numeric_operand(*f, v, me)) {
                    (Some(h), Some(w)) => numeric_holds(*op, h, w),
                    _ => false,
                }
            }
        },
    }
}
