//! The merge/conflict rule. A command carries the version of its target
//! stream that its author saw. If others have written to that stream since,
//! the command still applies (is *merged*) when none of their events touched
//! a field the command sets; otherwise it is a *conflict* the author resolves.

use std::collections::BTreeSet;

use super::command::Command;
use super::event::Event;
use super::field::Field;
use super::refusal::DomainError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebase {
    /// Based on the current version: apply as is.
    UpToDate,
    /// Based on an older version, but on disjoint fields: apply to the current state.
    Merge,
    /// Someone changed these fields since the base version.
    Conflict(BTreeSet<Field>),
}

/// `intervening` are the target stream's events after `base_version`, up to
/// `current_version`.
pub fn rebase(
    command: &Command,
    base_version: u64,
    current_version: u64,
    intervening: &[Event],
) -> Result<Rebase, DomainError> {
    // With no target stream (yet) there is nothing to rebase on; `decide`
    // then says what is missing.
    if command.target().is_none() || current_version == 0 || base_version == current_version {
        return Ok(Rebase::UpToDate);
    }
    if base_version > current_version {
        return Err(DomainError::VersionAhead {
            current: current_version,
            claimed: base_version,
        });
    }
    let wanted = command.fields();
    let clashing: BTreeSet<Field> = intervening
        .iter()
        .flat_map(Event::fields)
        .filter(|f| wanted.contains(f))
        .collect();
    Ok(if clashing.is_empty() {
        Rebase::Merge
    } else {
        Rebase::Conflict(clashing)
    })
}
