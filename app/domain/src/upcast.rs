//! Upcasting: an event stored in an older schema is read into the current
//! shape, so the rest of the code knows only one. Pure; the store calls it
//! with each row's `schema_version` and `event_type`.
//!
//! Schema 1 → 2: `ConflictRecorded` stored the refused command whole; it
//! now keeps what the command attempted, field by field. The found values
//! were not recorded then, so they come out unknown (see
//! [`attempted`](crate::conflict::attempted)).

use serde::{Deserialize, Deserializer};

use crate::command::Command;
use crate::conflict::attempted;
use crate::event::Event;
use crate::field::Field;
use crate::model::{ProjectState, StreamRef};

/// Reads one stored event of schema `schema` and type `event_type` (the
/// log's `event_type` column) from `payload`, in the current shape.
pub fn upcast<'de, D: Deserializer<'de>>(
    schema: u32,
    event_type: &str,
    payload: D,
) -> Result<Event, D::Error> {
    if schema < 2 && event_type == "conflict_recorded" {
        let V1::ConflictRecorded(v1) = V1::deserialize(payload)?;
        return Ok(Event::ConflictRecorded {
            stream: v1.stream,
            base_version: v1.base_version,
            fields: v1.fields,
            attempted: attempted(&ProjectState::default(), &v1.command),
        });
    }
    Event::deserialize(payload)
}

/// The schema-1 shapes that differ from today's.
#[derive(Deserialize)]
#[serde(tag = "type", content = "data")]
enum V1 {
    #[serde(rename = "conflict_recorded")]
    ConflictRecorded(ConflictV1),
}

#[derive(Deserialize)]
struct ConflictV1 {
    stream: StreamRef,
    base_version: u64,
    fields: Vec<Field>,
    /// Its fields of then that a command no longer has (`author`, …) are
    /// ignored like any unknown field.
    command: Command,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::AttemptedChange;
    use crate::ids::{IssueNumber, Title};

    fn read(schema: u32, event_type: &str, json: &str) -> Event {
        upcast(
            schema,
            event_type,
            &mut serde_json::Deserializer::from_str(json),
        )
        .unwrap()
    }

    #[test]
    fn a_schema_1_conflict_keeps_what_its_command_attempted() {
        // As the code of 49dd6eb wrote it (server/tests/fixtures/v1-log.db).
        let v1 = r#"{"type":"conflict_recorded","data":{"stream":{"kind":"issue","number":2},"base_version":27,"fields":["status","rank"],"command":{"type":"move_issue","issue":2,"to":5,"after":null}}}"#;
        let Event::ConflictRecorded {
            stream,
            base_version,
            fields,
            attempted,
        } = read(1, "conflict_recorded", v1)
        else {
            panic!("not a conflict")
        };
        assert_eq!(stream, StreamRef::Issue(IssueNumber(2)));
        assert_eq!(base_version, 27);
        assert_eq!(fields, [Field::Status, Field::Rank]);
        assert_eq!(
            attempted,
            [
                AttemptedChange {
                    field: Field::Status,
                    wanted: Some("5".into()),
                    found: None
                },
                AttemptedChange {
                    field: Field::Rank,
                    wanted: None,
                    found: None
                },
            ]
        );
    }

    #[test]
    fn a_schema_1_command_with_fields_since_removed_still_upcasts() {
        let v1 = r#"{"type":"conflict_recorded","data":{"stream":{"kind":"issue","number":3},"base_version":9,"fields":[{"comment":1}],"command":{"type":"edit_comment","issue":3,"comment":1,"editor":"bob","edited":0,"body":"Fixed"}}}"#;
        let Event::ConflictRecorded { attempted, .. } = read(1, "conflict_recorded", v1) else {
            panic!("not a conflict")
        };
        // An edit of a comment that existed, its text then not recorded.
        assert_eq!(attempted[0].wanted.as_deref(), Some("Fixed"));
        assert_eq!(attempted[0].found.as_deref(), Some(""));
    }

    #[test]
    fn other_schema_1_events_and_current_ones_read_as_they_are() {
        let renamed =
            r#"{"type":"issue_title_changed","data":{"issue":3,"title":"Receipt by mail"}}"#;
        assert_eq!(
            read(1, "issue_title_changed", renamed),
            Event::IssueTitleChanged {
                issue: IssueNumber(3),
                title: Title::parse("Receipt by mail").unwrap()
            }
        );
        let v2 = r#"{"type":"conflict_recorded","data":{"stream":{"kind":"issue","number":3},"base_version":9,"fields":["title"],"attempted":[{"field":"title","wanted":"Receipt e-mail","found":"Receipt mail"}]}}"#;
        let Event::ConflictRecorded { attempted, .. } = read(2, "conflict_recorded", v2) else {
            panic!("not a conflict")
        };
        assert_eq!(attempted[0].found.as_deref(), Some("Receipt mail"));
    }

    #[test]
    fn a_schema_1_conflict_read_as_current_is_refused_rather_than_guessed() {
        // Only the upcaster may read a schema-1 conflict: read as schema 2
        // it has no `attempted` (defaulted to empty), so the store must
        // always pass the row's schema.
        let v1 = r#"{"type":"conflict_recorded","data":{"stream":{"kind":"project"},"base_version":1,"fields":["name"],"command":{"type":"rename_project","name":"X"}}}"#;
        let Event::ConflictRecorded { attempted, .. } = read(2, "conflict_recorded", v1) else {
            panic!("not a conflict")
        };
        assert!(attempted.is_empty());
        let Event::ConflictRecorded { attempted, .. } = read(1, "conflict_recorded", v1) else {
            panic!("not a conflict")
        };
        assert_eq!(attempted[0].wanted.as_deref(), Some("X"));
    }
}
