//! What an issue's field "is" as text and as a number, for the query
//! language. The in-memory evaluator and the SQL search index both match
//! through these functions, so the two cannot disagree on what `=` means.

use super::{QField, QValue};
use crate::ids::{IssueKey, IssueNumber, ProjectKey, SprintNumber, UserName};
use crate::model::{Issue, IssueType, Priority, ProjectState};

/// The text a clause's value stands for.
pub fn value_text(v: &QValue, me: &UserName) -> String {
    match v {
        QValue::Text(t) => t.clone(),
        QValue::Number(n) => format!("{n}"),
        QValue::CurrentUser => me.to_string(),
    }
}

/// Whether one of a field's texts equals the wanted text: ASCII case is
/// ignored, and a type matches with or without its hyphen (`subtask`).
pub fn text_equals(f: QField, have: &str, want: &str) -> bool {
    have.eq_ignore_ascii_case(want)
        || (f == QField::Type
            && have
                .replace('-', "")
                .eq_ignore_ascii_case(&want.replace('-', "")))
}

/// The names a type answers to: its label and its identifier.
pub fn type_texts(t: IssueType) -> [String; 2] {
    [t.label().to_string(), format!("{t:?}")]
}

/// A sprint's texts: its number, and its name when the sprint is known.
pub fn sprint_texts(state: &ProjectState, n: SprintNumber) -> Vec<String> {
    let mut texts = vec![n.0.to_string()];
    texts.extend(state.sprints.get(&n).map(|s| s.name.to_string()));
    texts
}

pub fn key_text(project: &ProjectKey, n: IssueNumber) -> String {
    IssueKey::new(project.clone(), n).to_string()
}

/// The issue numbers whose key (`ABC-12`) equals `want`.
pub fn key_number(project: &ProjectKey, want: &str) -> Option<IssueNumber> {
    let (_, digits) = want.split_once('-')?;
    let n = IssueNumber(digits.parse().ok()?);
    text_equals(QField::Key, &key_text(project, n), want).then_some(n)
}

/// What `text ~` searches: title and description, lower-cased.
pub fn search_text(i: &Issue) -> String {
    format!("{}\n{}", i.title, i.description.as_str()).to_lowercase()
}

/// The number a `>`/`<` clause compares with: points as given, a priority
/// by its label (higher priority is greater). `None` never matches.
pub fn numeric_operand(f: QField, v: &QValue, me: &UserName) -> Option<f64> {
    match f {
        QField::Points => match v {
            QValue::Number(n) => Some(*n),
            QValue::Text(t) => t.parse().ok(),
            QValue::CurrentUser => None,
        },
        _ => {
            let want = value_text(v, me);
            Priority::ALL
                .iter()
                .find(|p| p.label().eq_ignore_ascii_case(&want))
                .map(|p| priority_number(*p))
        }
    }
}

/// A priority on the `>`/`<` scale: Highest is the greatest.
pub fn priority_number(p: Priority) -> f64 {
    -f64::from(p as i32)
}

/// An issue's side of a `>`/`<` clause.
pub fn numeric_value(f: QField, i: &Issue) -> Option<f64> {
    match f {
        QField::Points => i.points.map(|p| f64::from(p.tenths()) / 10.0),
        _ => Some(priority_number(i.priority)),
    }
}

/// `have op want` for the ordering operators.
pub fn numeric_holds(op: super::Op, have: f64, want: f64) -> bool {
    use super::Op;
    match op {
        Op::Gt => have > want,
        Op::Ge => have >= want,
        Op::Lt => have < want,
        _ => have <= want,
    }
}
