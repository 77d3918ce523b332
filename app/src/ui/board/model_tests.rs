//! The board model's rules, natively: optimistic moves, the server's answers,
//! rebases and what survives a reload.

use super::model::*;
use crate::domain::*;

/// bob, signed in to the board, at time 0.
fn bob() -> Context {
    Context::new(UserName::parse("bob").unwrap(), UtcTime::from_unix_ms(0))
}

fn id(n: u8) -> CommandId {
    CommandId::from_random_bytes([n; 16])
}

fn rec(seq: u64, stream: StreamRef, version: u64, event: Event) -> Recorded {
    Recorded {
        seq,
        project: ProjectKey::parse("ABC").unwrap(),
        stream,
        version,
        actor: UserName::parse("bob").unwrap(),
        at_ms: 0,
        command_id: id(99),
        event,
    }
}

/// A project with two issues, as the server would send it: seqs 1..=4 (the project, its admin, two issues).
fn server_log() -> Vec<Recorded> {
    let mut state = ProjectState::default();
    let create = Command::CreateProject {
        key: ProjectKey::parse("ABC").unwrap(),
        name: ProjectName::parse("Alpha").unwrap(),
        kind: ProjectKind::Kanban,
    };
    let new =
        |t: &str| Command::CreateIssue(NewIssue::new(Title::parse(t).unwrap(), IssueType::Task));
    let mut log = Vec::new();
    for c in [create, new("one"), new("two")] {
        for e in decide(&state, &bob(), &c).unwrap() {
            apply_mut(&mut state, &e);
            let stream = e.stream();
            log.push(rec(
                log.len() as u64 + 1,
                stream,
                state.version_of(&stream),
                e,
            ));
        }
    }
    log
}

fn model() -> BoardModel {
    let log = server_log();
    let mut m = BoardModel::new(ProjectState::default(), 0);
    m.apply_server(0, &log).unwrap();
    m
}

fn status_of(state: &ProjectState, n: u32) -> StatusId {
    state.issues[&IssueNumber(n)].status
}

fn move_cmd(n: u32, to: u32) -> Command {
    Command::MoveIssue {
        issue: IssueNumber(n),
        to: StatusId(to),
        after: None,
    }
}

#[test]
fn a_move_shows_at_once_and_leaves_the_queue_when_its_event_arrives() {
    let mut m = model();
    m.enqueue(id(1), bob(), move_cmd(1, 3)).unwrap();
    assert_eq!(status_of(&m.displayed(), 1), StatusId(3));
    assert_eq!(status_of(&m.confirmed, 1), StatusId(1));
    assert_eq!(m.next_to_send().unwrap().base_version, 1);

    // The server accepts it as seq 5; the socket has not delivered it yet.
    let mut after = m.displayed();
    let events = decide(&m.confirmed, &bob(), &move_cmd(1, 3)).unwrap();
    apply_mut(&mut after, &events[0]);
    let accepted = Outcome::Accepted {
        events: vec![rec(
            5,
            StreamRef::Issue(IssueNumber(1)),
            2,
            events[0].clone(),
        )],
    };
    m.answered(id(1), &accepted);
    assert_eq!(m.pending.len(), 1, "kept until the socket confirms it");
    assert!(m.next_to_send().is_none());
    assert_eq!(status_of(&m.displayed(), 1), StatusId(3));

    m.apply_server(
        4,
        &accepted.recorded().into_iter().cloned().collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(m.pending.is_empty());
    assert_eq!(
        status_of(&m.displayed(), 1),
        StatusId(3),
        "applied once, not twice"
    );
    assert_eq!(m.last_seq, 5);
}

#[test]
fn own_events_arriving_before_the_answer_end_the_speculation() {
    let mut m = model();
    let create = Command::CreateIssue(NewIssue::new(
        Title::parse("three").unwrap(),
        IssueType::Task,
    ));
    // Shown at once with its real reporter: the signed-in user.
    let carol = Context::new(UserName::parse("carol").unwrap(), UtcTime::from_unix_ms(9));
    m.enqueue(id(7), carol, create.clone()).unwrap();
    assert_eq!(m.displayed().issues.len(), 3);
    assert_eq!(
        m.displayed().issues[&IssueNumber(3)].reporter.as_str(),
        "carol"
    );
    let event = decide(&m.confirmed, &bob(), &create).unwrap().remove(0);
    let mut r = rec(5, StreamRef::Issue(IssueNumber(3)), 1, event);
    r.command_id = id(7);
    m.apply_server(4, &[r]).unwrap();
    assert!(m.pending.is_empty());
    assert_eq!(m.displayed().issues.len(), 3, "the new issue shows once");
    // The HTTP answer that follows changes nothing.
    let before = m.clone();
    m.answered(id(7), &Outcome::Accepted { events: vec![] });
    assert_eq!(m, before);
}

#[test]
fn replayed_events_are_skipped_and_a_gap_is_reported() {
    let log = server_log();
    let mut m = model();
    let before = m.clone();
    m.apply_server(0, &log).unwrap();
    assert_eq!(m, before, "events already applied are skipped");
    let later = rec(9, StreamRef::Issue(IssueNumber(1)), 2, move_cmd_event());
    assert_eq!(
        m.apply_server(7, &[later]),
        Err(Gap {
            have: 4,
            got_prev: 7
        })
    );
    assert_eq!(m, before, "nothing applied across a gap");
}

fn move_cmd_event() -> Event {
    Event::IssueMoved {
        issue: IssueNumber(1),
        from: StatusId(1),
        to: StatusId(2),
        rank: Rank::initial(),
    }
}

#[test]
fn a_conflict_drops_the_speculation_and_shows_the_servers_state() {
    let mut m = model();
    m.enqueue(id(1), bob(), move_cmd(1, 3)).unwrap();
    // Meanwhile someone else moved it to Done (seq 5).
    let theirs = decide(&m.confirmed, &bob(), &move_cmd(1, 4))
        .unwrap()
        .remove(0);
    m.apply_server(4, &[rec(5, StreamRef::Issue(IssueNumber(1)), 2, theirs)])
        .unwrap();
    // Our move, based on version 1, conflicts; the audit event is seq 6.
    let audit = Event::ConflictRecorded {
        stream: StreamRef::Issue(IssueNumber(1)),
        base_version: 1,
        fields: vec![Field::Status, Field::Rank],
        attempted: vec![],
    };
    let conflict = Outcome::Conflict {
        fields: vec![Field::Status],
        recorded: Box::new(rec(6, StreamRef::Issue(IssueNumber(1)), 3, audit)),
        changes: vec![],
        current: None,
    };
    m.answered(id(1), &conflict);
    assert!(m.pending.is_empty());
    assert_eq!(
        status_of(&m.displayed(), 1),
        StatusId(4),
        "the card settles where the server says"
    );
}

#[test]
fn later_commands_on_the_same_card_are_rebased_when_an_earlier_one_is_refused() {
    let mut m = model();
    m.enqueue(id(1), bob(), move_cmd(1, 2)).unwrap();
    m.enqueue(id(2), bob(), move_cmd(1, 3)).unwrap();
    assert_eq!(
        m.pending[1].envelope.base_version, 2,
        "made against the first move's result"
    );
    // The first came back as a conflict: one audit event, not the predicted move.
    let audit = Event::ConflictRecorded {
        stream: StreamRef::Issue(IssueNumber(1)),
        base_version: 1,
        fields: vec![Field::Status],
        attempted: vec![],
    };
    let mut conflict_rec = rec(6, StreamRef::Issue(IssueNumber(1)), 3, audit);
    conflict_rec.version = 3;
    let conflict = Outcome::Conflict {
        fields: vec![Field::Status],
        recorded: Box::new(conflict_rec),
        changes: vec![],
        current: None,
    };
    m.answered(id(1), &conflict);
    // The second move was made on top of the refused first one: it now
    // claims only what the server had, so it conflicts in turn if the
    // other change touched the same fields.
    assert_eq!(m.next_to_send().unwrap().base_version, 1);
    m.enqueue(id(3), bob(), move_cmd(2, 2)).unwrap();
    m.enqueue(id(4), bob(), move_cmd(2, 3)).unwrap();
    // A no-op answer (no events where one was predicted) shifts it down too.
    m.answered(id(3), &Outcome::Accepted { events: vec![] });
    let fourth = m.pending.iter().find(|p| p.envelope.id == id(4)).unwrap();
    assert_eq!(fourth.envelope.base_version, 1);
}

#[test]
fn a_command_that_cannot_be_done_is_refused_before_it_is_sent() {
    let mut m = model();
    let err = m.enqueue(id(1), bob(), move_cmd(42, 2)).unwrap_err();
    assert!(matches!(err, DomainError::IssueNotFound(_)));
    assert!(m.pending.is_empty());
}

#[test]
fn commands_kept_over_a_reload_show_again_keep_their_bases_and_go_out_in_order() {
    let mut before = model();
    before.enqueue(id(1), bob(), move_cmd(1, 3)).unwrap();
    before.enqueue(id(2), bob(), move_cmd(1, 2)).unwrap();
    let kept = before.unanswered();
    // The reloaded page starts from the server's state, then takes them back.
    let mut after = model();
    after.restore(&bob(), kept.clone());
    after.restore(&bob(), kept.clone());
    assert_eq!(after.unanswered(), kept, "once each, bases untouched");
    assert_eq!(status_of(&after.displayed(), 1), StatusId(2));
    assert_eq!(after.next_to_send().unwrap().id, id(1));
    // One answered: the other still waits (and is kept).
    after.answered(id(1), &Outcome::Accepted { events: vec![] });
    let waiting: Vec<CommandId> = after.unanswered().iter().map(|e| e.id).collect();
    assert_eq!(waiting, [id(2)]);
}

#[test]
fn a_drop_is_based_on_the_version_the_card_had_when_it_was_picked_up() {
    let mut m = model();
    let picked_up = m.displayed().version_of(&StreamRef::Issue(IssueNumber(1)));
    // Someone else moves the card while it is being dragged.
    let alice = Context::new(UserName::parse("alice").unwrap(), UtcTime::from_unix_ms(0));
    let moved = decide(&m.confirmed, &alice, &move_cmd(1, 2)).unwrap();
    let log: Vec<Recorded> = moved
        .into_iter()
        .map(|e| rec(5, e.stream(), picked_up + 1, e))
        .collect();
    m.apply_server(4, &log).unwrap();

    m.enqueue_based(id(1), bob(), move_cmd(1, 3), Some(picked_up))
        .unwrap();
    assert_eq!(
        m.next_to_send().unwrap().base_version,
        picked_up,
        "the server sees the move made meanwhile and answers with a conflict"
    );
    m.refused(id(1));
    m.enqueue(id(2), bob(), move_cmd(1, 3)).unwrap();
    assert_eq!(
        m.next_to_send().unwrap().base_version,
        picked_up + 1,
        "a command decided now is based on what is shown now"
    );
}

#[test]
fn the_board_state_drops_what_no_card_shows_and_decides_as_the_full_state_does() {
    let mut full = model().confirmed;
    let busy = [
        Command::UpdateIssue {
            issue: IssueNumber(1),
            patch: IssuePatch {
                description: Some(LongText::parse("A long description").unwrap()),
                ..IssuePatch::default()
            },
        },
        Command::AddComment {
            issue: IssueNumber(1),
            body: CommentBody::parse("A comment").unwrap(),
        },
        Command::WatchIssue {
            issue: IssueNumber(1),
            watch: true,
        },
    ];
    for c in &busy {
        for e in decide(&full, &bob(), c).unwrap() {
            apply_mut(&mut full, &e);
        }
    }
    let board = board_state(full.clone());
    let (kept, all) = (
        &board.issues[&IssueNumber(1)],
        &full.issues[&IssueNumber(1)],
    );
    assert!(kept.description.as_str().is_empty() && kept.comments.is_empty());
    assert!(kept.watchers.is_empty() && !all.watchers.is_empty());
    assert_eq!(
        (
            kept.title.clone(),
            kept.rank.clone(),
            kept.version,
            kept.last_comment
        ),
        (
            all.title.clone(),
            all.rank.clone(),
            all.version,
            all.last_comment
        )
    );

    for c in [move_cmd(1, 3), move_cmd(2, 1)] {
        assert_eq!(decide(&board, &bob(), &c), decide(&full, &bob(), &c));
    }
    // A live edit of a comment the board never had applies without effect.
    let mut after = board.clone();
    for e in decide(
        &full,
        &bob(),
        &Command::EditComment {
            issue: IssueNumber(1),
            comment: CommentNumber(1),
            body: CommentBody::parse("Edited").unwrap(),
        },
    )
    .unwrap()
    {
        apply_mut(&mut after, &e);
    }
    assert!(after.issues[&IssueNumber(1)].comments.is_empty());
    assert_eq!(after.issues[&IssueNumber(1)].version, kept.version + 1);
}

#[test]
fn others_moves_are_said_by_who_made_them_and_ones_own_are_not() {
    let mut m = model();
    let alice = UserName::parse("alice").unwrap();
    let by = |seq: u64, actor: &UserName, n: u32, to: u32| {
        let event = decide(&m.confirmed, &bob(), &move_cmd(n, to))
            .unwrap()
            .remove(0);
        Recorded {
            actor: actor.clone(),
            ..rec(seq, StreamRef::Issue(IssueNumber(n)), 2, event)
        }
    };
    let alices = by(5, &alice, 1, 3);
    let bobs = by(6, &UserName::parse("bob").unwrap(), 2, 2);
    let alices_second = by(7, &alice, 2, 3);
    m.apply_server(4, &[alices.clone(), bobs.clone()]).unwrap();
    let state = m.displayed();
    let done = state.project.as_ref().unwrap().status_name(StatusId(3));
    let me = UserName::parse("bob").unwrap();

    assert_eq!(
        others_moves_said(&state, &me, std::slice::from_ref(&alices)),
        Some(format!("alice moved ABC-1 to {done}."))
    );
    assert_eq!(
        others_moves_said(&state, &me, std::slice::from_ref(&bobs)),
        None
    );
    assert_eq!(
        others_moves_said(&state, &me, &[alices, bobs, alices_second]),
        Some(format!("alice moved ABC-1 to {done}. 1 more card moved."))
    );
}
