//! What the REST API accepts: request bodies in public shapes, parsed into
//! the domain's types with every invalid field reported at once.

use app::api::{ApiError, FormErrors};
use kanri_domain::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeSet;
use utoipa::ToSchema;

use super::problem::Problem;
use super::resources::{issue_type_schema, link_kind_schema, priority_schema};
use super::rules;

/// `null` (clear the value) told apart from an absent field (leave it).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A status by id (`3`) or by name (`"In Progress"`, any case).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum StatusRef {
    Id(u32),
    Name(String),
}

impl StatusRef {
    pub fn resolve(&self, project: &Project) -> Result<StatusId, ApiError> {
        let found = project.statuses.iter().find(|s| match self {
            Self::Id(id) => s.id.0 == *id,
            Self::Name(name) => s.name.as_str().eq_ignore_ascii_case(name.trim()),
        });
        found.map(|s| s.id).ok_or_else(|| {
            let names: Vec<&str> = project.statuses.iter().map(|s| s.name.as_str()).collect();
            ApiError::invalid(
                "status",
                format!("no such status; this project has: {}", names.join(", ")),
            )
        })
    }
}

/// A new issue. Only `title` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Export the board as CSV", "issue_type": "story", "priority": "high",
    "labels": ["export"], "points": 3, "assignee": "alice"}))]
pub struct NewIssueBody {
    #[schema(schema_with = rules::title)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = rules::long_text, required = false)]
    pub description: String,
    /// Default `task`.
    #[schema(schema_with = issue_type_schema, required = false)]
    pub issue_type: Option<String>,
    /// Default `medium`.
    #[schema(schema_with = priority_schema, required = false)]
    pub priority: Option<String>,
    /// Default: the workflow's first status.
    #[schema(schema_with = rules::status_ref_or_null, required = false)]
    pub status: Option<StatusRef>,
    /// A member of the project.
    #[schema(schema_with = rules::user_or_null, required = false)]
    pub assignee: Option<String>,
    #[serde(default)]
    #[schema(schema_with = rules::label_list, required = false)]
    pub labels: Vec<String>,
    #[schema(schema_with = rules::points_or_null, required = false)]
    pub points: Option<f64>,
    /// The parent epic or issue, `ABC-7`, of this project.
    #[schema(schema_with = rules::issue_ref_or_null, required = false)]
    pub parent: Option<String>,
    /// A sprint of this project.
    #[schema(schema_with = rules::number_or_null, required = false)]
    pub sprint: Option<u32>,
    #[schema(schema_with = rules::minutes_or_null, required = false)]
    pub original_estimate_minutes: Option<u32>,
}

/// A partial edit of at least one field: absent fields stay as they are;
/// `null` clears the fields that may be empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"priority": "highest", "assignee": null, "points": 5}))]
pub struct IssuePatchBody {
    #[schema(schema_with = rules::title, required = false)]
    pub title: Option<String>,
    #[schema(schema_with = rules::long_text, required = false)]
    pub description: Option<String>,
    #[schema(schema_with = issue_type_schema, required = false)]
    pub issue_type: Option<String>,
    #[schema(schema_with = priority_schema, required = false)]
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = rules::user_or_null, required = false)]
    pub assignee: Option<Option<String>>,
    #[schema(schema_with = rules::label_list, required = false)]
    pub labels: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = rules::points_or_null, required = false)]
    pub points: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = rules::issue_ref_or_null, required = false)]
    pub parent: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = rules::number_or_null, required = false)]
    pub sprint: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = rules::minutes_or_null, required = false)]
    pub original_estimate_minutes: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = rules::minutes_or_null, required = false)]
    pub remaining_estimate_minutes: Option<Option<u32>>,
}

/// Change the issue's status, keeping its rank.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "In Progress"}))]
pub struct TransitionBody {
    #[schema(schema_with = rules::status_ref)]
    pub status: StatusRef,
}

/// Put the issue in a board column, right after `after` (absent or `null`: at the top).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "Done", "after": "ABC-7"}))]
pub struct MoveBody {
    #[schema(schema_with = rules::status_ref)]
    pub status: StatusRef,
    /// An issue of this project.
    #[schema(schema_with = rules::issue_ref_or_null, required = false)]
    pub after: Option<String>,
}

/// Re-rank in the backlog: right after `after` (absent or `null`: at the top).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"after": "ABC-7"}))]
pub struct RankBody {
    /// An issue of this project.
    #[schema(schema_with = rules::issue_ref_or_null, required = false)]
    pub after: Option<String>,
}

/// "This issue {kind} {issue}".
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "blocks", "issue": "ABC-7"}))]
pub struct LinkBody {
    #[schema(schema_with = link_kind_schema)]
    pub kind: String,
    /// Another issue of this project.
    #[schema(schema_with = rules::issue_ref)]
    pub issue: String,
}

/// A domain enum from the name serde gives it (`in_progress`).
fn named<T: DeserializeOwned>(raw: &str, what: &str, all: &[&str]) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(raw.trim().to_owned()))
        .map_err(|_| format!("{what} must be one of: {}", all.join(", ")))
}

fn names<T: serde::Serialize>(items: &[T]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok()?.as_str().map(str::to_owned))
        .collect()
}

/// Parses the fields of one body, collecting every error.
pub struct Fields<'a> {
    errors: FormErrors,
    project: &'a ProjectKey,
}

impl<'a> Fields<'a> {
    pub fn new(project: &'a ProjectKey) -> Self {
        Self {
            errors: FormErrors::default(),
            project,
        }
    }

    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        self.errors.check(field, r)
    }

    pub fn issue_type(&mut self, raw: &str) -> Option<IssueType> {
        let all = names(&IssueType::ALL);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        self.check("issue_type", named(raw, "issue_type", &all))
    }

    pub fn priority(&mut self, raw: &str) -> Option<Priority> {
        let all = names(&Priority::ALL);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        self.check("priority", named(raw, "priority", &all))
    }

    pub fn link_kind(&mut self, raw: &str) -> Option<LinkKind> {
        let all = names(&LinkKind::ALL);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        self.check("kind", named(raw, "kind", &all))
    }

    pub fn user(&mut self, field: &str, raw: &str) -> Option<UserName> {
        self.check(field, UserName::parse(raw.trim()))
    }

    /// Up to [`MAX_LABELS`] as sent (the document's `maxItems`), duplicates included.
    pub fn labels(&mut self, raw: &[String]) -> Option<BTreeSet<Label>> {
        if raw.len() > MAX_LABELS {
            let too_many = format!("at most {MAX_LABELS} labels");
            return self.check("labels", Err::<BTreeSet<Label>, _>(too_many));
        }
        let parsed: Result<BTreeSet<Label>, _> = raw.iter().map(|l| Label::parse(l)).collect();
        self.check("labels", parsed)
    }

    /// Points with one decimal place. A JSON number such as `0.3` is read to
    /// the nearest tenth when it is one (binary fractions are never exact),
    /// as the document's `multipleOf: 0.1` means.
    pub fn points(&mut self, raw: f64) -> Option<Points> {
        let tenths = raw * 10.0;
        let parsed = if raw.is_finite() && (tenths - tenths.round()).abs() < 1e-6 {
            let tenths = tenths.round();
            if (0.0..=f64::from(u32::MAX)).contains(&tenths) {
                Points::from_tenths(tenths as u32)
            } else {
                Err(ParseError::Points(raw.to_string()))
            }
        } else {
            Err(ParseError::Points(raw.to_string()))
        };
        self.check("points", parsed)
    }

    /// A duration of work given in minutes (0 to 10,000 hours).
    pub fn minutes(&mut self, field: &str, raw: u32) -> Option<Minutes> {
        self.check(field, Minutes::of_work(raw))
    }

    /// The same, where `null` clears the value: `Some(None)`.
    fn optional_minutes(&mut self, field: &str, raw: Option<u32>) -> Option<Option<Minutes>> {
        match raw {
            Some(m) => self.minutes(field, m).map(Some),
            None => Some(None),
        }
    }

    /// An issue of this project, by key (`ABC-7`).
    pub fn issue(&mut self, field: &str, raw: &str) -> Option<IssueNumber> {
        let parsed = IssueKey::parse(raw.trim()).map_err(|e| e.to_string());
        let parsed = parsed.and_then(|k| {
            if &k.project == self.project {
                Ok(k.number)
            } else {
                Err(format!("{k} is not an issue of {}", self.project))
            }
        });
        self.check(field, parsed)
    }

    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Problem> {
        self.errors.finish().map_err(Problem::from)?;
        Ok(value())
    }
}

impl NewIssueBody {
    pub fn into_new_issue(self, project: &Project) -> Result<NewIssue, Problem> {
        let mut f = Fields::new(&project.key);
        let title = f.check("title", Title::parse(&self.title));
        let description = f.check("description", LongText::parse(&self.description));
        let issue_type = match &self.issue_type {
            Some(t) => f.issue_type(t),
            None => Some(IssueType::Task),
        };
        let priority = match &self.priority {
            Some(p) => f.priority(p),
            None => Some(Priority::Medium),
        };
        let status = self
            .status
            .as_ref()
            .map(|s| f.check("status", s.resolve(project).map_err(|e| e.to_string())));
        let assignee = self.assignee.as_deref().map(|a| f.user("assignee", a));
        let labels = f.labels(&self.labels);
        let points = self.points.map(|p| f.points(p));
        let parent = self.parent.as_deref().map(|p| f.issue("parent", p));
        let estimate = self
            .original_estimate_minutes
            .map(|m| f.minutes("original_estimate_minutes", m));
        f.finish(|| NewIssue {
            title: title.expect("checked"),
            description: description.expect("checked"),
            issue_type: issue_type.expect("checked"),
            priority: priority.expect("checked"),
            status: status.flatten(),
            assignee: assignee.flatten(),
            labels: labels.expect("checked"),
            points: points.flatten(),
            parent: parent.flatten(),
            sprint: self.sprint.map(SprintNumber),
            original_estimate: estimate.flatten(),
        })
    }
}

impl IssuePatchBody {
    pub fn into_patch(self, project: &ProjectKey) -> Result<IssuePatch, Problem> {
        let mut f = Fields::new(project);
        let mut patch = IssuePatch::default();
        if let Some(t) = &self.title {
            patch.title = f.check("title", Title::parse(t));
        }
        if let Some(d) = &self.description {
            patch.description = f.check("description", LongText::parse(d));
        }
        if let Some(t) = &self.issue_type {
            patch.issue_type = f.issue_type(t);
        }
        if let Some(p) = &self.priority {
            patch.priority = f.priority(p);
        }
        if let Some(a) = &self.assignee {
            patch.assignee = match a {
                Some(a) => f.user("assignee", a).map(Some),
                None => Some(None),
            };
        }
        if let Some(l) = &self.labels {
            patch.labels = f.labels(l);
        }
        if let Some(p) = self.points {
            patch.points = match p {
                Some(p) => f.points(p).map(Some),
                None => Some(None),
            };
        }
        if let Some(p) = &self.parent {
            patch.parent = match p {
                Some(p) => f.issue("parent", p).map(Some),
                None => Some(None),
            };
        }
        patch.sprint = self.sprint.map(|s| s.map(SprintNumber));
        if let Some(m) = self.original_estimate_minutes {
            patch.original_estimate = f.optional_minutes("original_estimate_minutes", m);
        }
        if let Some(m) = self.remaining_estimate_minutes {
            patch.remaining_estimate = f.optional_minutes("remaining_estimate_minutes", m);
        }
        let empty = patch == IssuePatch::default();
        f.finish(|| ())?;
        if empty {
            return Err(Problem::invalid("body", "the patch changes no field"));
        }
        Ok(patch)
    }
}
