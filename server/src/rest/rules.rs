//! The rules the REST layer enforces, stated as JSON Schema for the API
//! document: each function describes one kind of field exactly as the
//! parser that reads it (in `input`, or the domain's newtypes) accepts it,
//! so a client generated from the document sends only what is accepted.
//!
//! The text rules mirror the domain's parsers: they trim Unicode whitespace
//! (Rust's `char::is_whitespace`) first and refuse control characters inside.

use kanri_domain::*;
use serde_json::{Value, json};
use utoipa::openapi::schema::Schema;

/// Unicode whitespace as `str::trim` removes it, as a character-class body.
const WS: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Control characters (`char::is_control`), as a character-class body.
const CTRL: &str = r"\x00-\x1f\x7f-\x9f";

/// A schema from its JSON form (the rules read best as the document shows them).
pub fn rule(value: Value) -> Schema {
    // `Schema` is untagged: say which kind, or a `oneOf` reads as an object.
    let array = value["type"] == "array" || value["type"][0] == "array";
    let parsed = if value.get("oneOf").is_some() {
        serde_json::from_value(value).map(Schema::OneOf)
    } else if array {
        serde_json::from_value(value).map(Schema::Array)
    } else {
        serde_json::from_value(value).map(Schema::Object)
    };
    parsed.expect("a rule is a valid schema")
}

/// `base`, or also `null` where an absent field is allowed to be `null`.
fn maybe_null(mut schema: Value, nullable: bool) -> Schema {
    if nullable {
        let kind = schema["type"].clone();
        schema["type"] = json!([kind, "null"]);
    }
    rule(schema)
}

/// Not blank, without control characters, at most `max` characters once
/// trimmed. The bound is in the pattern, not in `maxLength`: the server
/// counts after trimming, so surrounding whitespace does not count.
pub fn line_pattern(max: usize) -> String {
    let inner = max.saturating_sub(2);
    format!("^[{WS}]*[^{CTRL}{WS}]([^{CTRL}]{{0,{inner}}}[^{CTRL}{WS}])?[{WS}]*$")
}

fn line(max: usize, nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "string", "minLength": 1, "pattern": line_pattern(max),
            "description": format!("1–{max} characters once trimmed, no control characters")}),
        nullable,
    )
}

/// An issue's title.
pub fn title() -> Schema {
    line(Title::MAX_CHARS, false)
}

/// A sprint's name.
pub fn sprint_name_or_null() -> Schema {
    line(SprintName::MAX_CHARS, true)
}

/// Free text: a description, a goal, a worklog's comment.
pub fn long_text() -> Schema {
    rule(json!({"type": "string", "maxLength": LongText::MAX_CHARS}))
}

/// A comment: Markdown, not blank, at most 10,000 characters once trimmed;
/// tabs and line breaks are its only control characters.
pub fn comment() -> Schema {
    let inner = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";
    let max = kanri_domain::CommentBody::MAX_CHARS - 2;
    rule(json!({
        "type": "string", "minLength": 1,
        "pattern": format!("^[{WS}]*[^{CTRL}{WS}]([^{inner}]{{0,{max}}}[^{CTRL}{WS}])?[{WS}]*$"),
    }))
}

/// A user's handle (`a-z 0-9 _ . -`, 1–32).
fn user(nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "string", "minLength": 1,
            "pattern": format!("^[{WS}]*[a-z0-9_.-]{{1,32}}[{WS}]*$")}),
        nullable,
    )
}

pub fn user_or_null() -> Schema {
    user(true)
}

/// An issue key, `ABC-12`.
pub fn issue_key_pattern() -> String {
    format!("^[{WS}]*[A-Z]{{2,10}}-0*[1-9][0-9]{{0,8}}[{WS}]*$")
}

fn issue_key(nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "string", "minLength": 4, "pattern": issue_key_pattern(),
            "examples": ["ABC-12"]}),
        nullable,
    )
}

pub fn issue_ref() -> Schema {
    issue_key(false)
}

pub fn issue_ref_or_null() -> Schema {
    issue_key(true)
}

/// Labels: up to 20, each 1–40 characters without whitespace.
fn labels(nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "array", "maxItems": MAX_LABELS, "items": {
            "type": "string", "minLength": 1,
            "pattern": format!("^[{WS}]*[^{WS}]{{1,40}}[{WS}]*$")}}),
        nullable,
    )
}

pub fn label_list() -> Schema {
    labels(false)
}

/// Story points: 0 to 1000 with at most one decimal place.
fn points(nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "number", "minimum": 0, "maximum": 1000, "multipleOf": 0.1}),
        nullable,
    )
}

pub fn points_or_null() -> Schema {
    points(true)
}

/// Minutes of work: 0 to 10,000 hours.
fn minutes(min: u32, nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "integer", "minimum": min, "maximum": Minutes::MAX_WORK}),
        nullable,
    )
}

pub fn minutes_or_null() -> Schema {
    minutes(0, true)
}

/// Time spent on a worklog: at least a minute.
pub fn spent_minutes() -> Schema {
    minutes(1, false)
}

/// When work started, Unix milliseconds within years 1970–9999.
pub fn started_ms_or_null() -> Schema {
    maybe_null(
        json!({"type": "integer", "minimum": UtcTime::MIN_MS, "maximum": UtcTime::MAX_MS}),
        true,
    )
}

/// A number of something (a sprint, a status id): a positive 32-bit integer.
fn number(nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}),
        nullable,
    )
}

pub fn number_or_null() -> Schema {
    number(true)
}

/// A day, `YYYY-MM-DD`, from 1970 on.
pub fn date_pattern() -> &'static str {
    r"^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"
}

fn date(nullable: bool) -> Schema {
    maybe_null(
        json!({"type": "string", "format": "date", "pattern": date_pattern(),
            "examples": ["2026-11-21"]}),
        nullable,
    )
}

pub fn day() -> Schema {
    date(false)
}

pub fn day_or_null() -> Schema {
    date(true)
}

/// A status by id or by name (any case).
fn status(nullable: bool) -> Schema {
    let mut kinds = vec![
        json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}),
        json!({"type": "string", "minLength": 1,
            "pattern": line_pattern(StatusName::MAX_CHARS)}),
    ];
    if nullable {
        kinds.push(json!({"type": "null"}));
    }
    rule(json!({"oneOf": kinds, "examples": ["In Progress", 2]}))
}

pub fn status_ref() -> Schema {
    status(false)
}

pub fn status_ref_or_null() -> Schema {
    status(true)
}

/// What logged work does to the remaining estimate: `by` goes with `set`
/// and `manual` only.
pub fn remaining() -> Schema {
    rule(json!({"oneOf": [
        {"type": "object", "additionalProperties": false, "required": ["mode"],
         "properties": {"mode": {"type": "string", "enum": ["auto", "leave"]}, "by": {"type": "null"}}},
        {"type": "object", "additionalProperties": false, "required": ["mode", "by"],
         "properties": {"mode": {"type": "string", "enum": ["set", "manual"]},
            "by": {"type": "integer", "minimum": 0, "maximum": Minutes::MAX_WORK}}},
        {"type": "null"},
    ]}))
}
