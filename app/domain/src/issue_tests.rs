//! Board scope, comments, mentions, watchers and issue links.

use super::quantity::{Minutes, Points};
use super::tests::{alice, as_user_at, key, new_issue, project_with_issues, run, run_as, user};
use super::time::{Date, UtcTime};
use super::*;

fn body(text: &str) -> CommentBody {
    CommentBody::parse(text).unwrap()
}

fn at(minute: i64) -> UtcTime {
    UtcTime::from_unix_ms(1_790_000_000_000 + minute * 60_000)
}

/// `name` at minute `minute` of the tests' clock.
fn by(name: &str, minute: i64) -> Context {
    as_user_at(name, at(minute).unix_ms())
}

fn comment(issue: u32, text: &str) -> Command {
    Command::AddComment {
        issue: IssueNumber(issue),
        body: body(text),
    }
}

fn names(users: &std::collections::BTreeSet<UserName>) -> Vec<&str> {
    users.iter().map(UserName::as_str).collect()
}

#[test]
fn a_scrum_board_shows_the_active_sprint_and_a_kanban_board_everything() {
    let mut state = project_with_issues(3);
    let todo = StatusId(1);
    assert!(state.board_column(todo).is_empty(), "no active sprint yet");
    run(
        &mut state,
        Command::CreateSprint {
            name: Some(SprintName::parse("S1").unwrap()),
            goal: LongText::default(),
            start: None,
            end: None,
        },
    )
    .unwrap();
    let patch = IssuePatch {
        sprint: Some(Some(SprintNumber(1))),
        ..IssuePatch::default()
    };
    run(
        &mut state,
        Command::UpdateIssue {
            issue: IssueNumber(2),
            patch,
        },
    )
    .unwrap();
    assert!(state.board_column(todo).is_empty(), "the sprint is planned");
    let date = |d| Date::parse(d).unwrap();
    run(
        &mut state,
        Command::StartSprint {
            sprint: SprintNumber(1),
            start: date("2026-11-23"),
            end: date("2026-12-04"),
        },
    )
    .unwrap();
    let shown: Vec<u32> = state
        .board_column(todo)
        .iter()
        .map(|i| i.key.number.0)
        .collect();
    assert_eq!(shown, [2]);

    if let Some(p) = state.project.as_mut() {
        p.kind = ProjectKind::Kanban;
    }
    assert_eq!(state.board_column(todo).len(), 3);
}

#[test]
fn comment_bodies_keep_lines_and_refuse_empty_huge_or_control_text() {
    assert_eq!(body("  a\r\nb\tc  ").as_str(), "a\nb\tc");
    assert_eq!(
        CommentBody::parse(" \n "),
        Err(ParseError::Empty("comment".into()))
    );
    assert!(matches!(
        CommentBody::parse(&"x".repeat(10_001)),
        Err(ParseError::TooLong { max: 10_000, .. })
    ));
    assert!(CommentBody::parse("bell\u{7}").is_err());
}

#[test]
fn mentions_start_a_word_and_drop_a_trailing_full_stop() {
    let text = "@alice and @bob.smith, ask @carol. mail me@example.com or @Dave @ x";
    let found: Vec<String> = mention_spans(text)
        .into_iter()
        .map(|(range, u)| format!("{}={u}", &text[range]))
        .collect();
    assert_eq!(
        found,
        ["@alice=alice", "@bob.smith=bob.smith", "@carol=carol"]
    );
}

#[test]
fn a_comment_makes_its_author_and_mentioned_members_watch() {
    let mut state = project_with_issues(2);
    // bob, a member, takes part by being assigned; zed never took part.
    let bob = Command::AddMember {
        user: user("bob"),
        role: Role::Member,
    };
    run(&mut state, bob).unwrap();
    let assign = IssuePatch {
        assignee: Some(Some(user("bob"))),
        ..IssuePatch::default()
    };
    run(
        &mut state,
        Command::UpdateIssue {
            issue: IssueNumber(2),
            patch: assign,
        },
    )
    .unwrap();
    let events = run_as(
        &mut state,
        &by("carol", 0),
        comment(1, "@bob @zed have a look"),
    )
    .unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    let issue = state.issue(IssueNumber(1)).unwrap();
    assert_eq!(names(&issue.watchers), ["bob", "carol"]);
    assert_eq!(issue.comments.len(), 1);

    // A second comment by a watcher adds no watcher events.
    let events = run_as(&mut state, &by("carol", 0), comment(1, "again, @bob")).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(state.issue(IssueNumber(1)).unwrap().last_comment, 2);
}

#[test]
fn only_the_author_or_an_admin_edits_or_deletes_a_comment_and_numbers_are_not_reused() {
    let mut state = project_with_issues(1);
    for (name, role) in [("bob", Role::Member), ("carol", Role::Member)] {
        let add = Command::AddMember {
            user: user(name),
            role,
        };
        run(&mut state, add).unwrap();
    }
    run_as(&mut state, &by("bob", 0), comment(1, "first")).unwrap();
    let edit = |text: &str| Command::EditComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
        body: body(text),
    };
    // Who may is `authorize`'s: the author or an admin, no other member.
    assert_eq!(
        authorize(&state, &user("carol"), &edit("hijacked")),
        Err(DomainError::NotTheAuthor(user("bob")))
    );
    assert_eq!(
        authorize(&state, &user("alice"), &edit("moderated")),
        Ok(())
    );
    assert_eq!(
        run_as(&mut state, &by("bob", 5), edit("first")).unwrap(),
        vec![]
    );
    run_as(&mut state, &by("bob", 5), edit("first, edited")).unwrap();
    let c = &state.issue(IssueNumber(1)).unwrap().comments[&CommentNumber(1)];
    assert_eq!((c.body.as_str(), c.edited), ("first, edited", Some(at(5))));

    let delete = || Command::DeleteComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
    };
    assert!(authorize(&state, &user("carol"), &delete()).is_err());
    assert_eq!(authorize(&state, &user("alice"), &delete()), Ok(()));
    run(&mut state, delete()).unwrap();
    assert!(matches!(
        decide(&state, &alice(), &delete()),
        Err(DomainError::CommentNotFound(_, 1))
    ));
    let events = run_as(&mut state, &by("alice", 0), comment(1, "second")).unwrap();
    assert!(matches!(
        events[0],
        Event::CommentAdded {
            comment: CommentNumber(2),
            ..
        }
    ));
}

#[test]
fn watching_is_idempotent_and_merges_with_any_concurrent_change() {
    let mut state = project_with_issues(1);
    let watch = |on| Command::WatchIssue {
        issue: IssueNumber(1),
        watch: on,
    };
    let dan = by("dan", 0);
    assert_eq!(run_as(&mut state, &dan, watch(true)).unwrap().len(), 1);
    assert_eq!(run_as(&mut state, &dan, watch(true)).unwrap(), vec![]);
    assert!(watch(true).fields().is_empty());
    assert_eq!(run_as(&mut state, &dan, watch(false)).unwrap().len(), 1);
    assert!(state.issue(IssueNumber(1)).unwrap().watchers.is_empty());
}

#[test]
fn links_show_from_both_sides_once_and_unlink_where_stored() {
    let mut state = project_with_issues(3);
    let link = |issue, kind, target| Command::LinkIssue {
        issue: IssueNumber(issue),
        kind,
        target: IssueNumber(target),
    };
    run(&mut state, link(1, LinkKind::Blocks, 2)).unwrap();
    // The same relation made from the other side is already there.
    assert_eq!(
        run(&mut state, link(2, LinkKind::IsBlockedBy, 1)).unwrap(),
        vec![]
    );
    run(&mut state, link(3, LinkKind::Duplicates, 2)).unwrap();
    let seen = |state: &ProjectState, n| -> Vec<(LinkKind, u32)> {
        state
            .links_of(IssueNumber(n))
            .iter()
            .map(|v| (v.kind, v.other.0))
            .collect()
    };
    assert_eq!(
        seen(&state, 2),
        [(LinkKind::IsBlockedBy, 1), (LinkKind::IsDuplicatedBy, 3)]
    );
    assert_eq!(seen(&state, 1), [(LinkKind::Blocks, 2)]);

    assert_eq!(
        decide(&state, &alice(), &link(1, LinkKind::RelatesTo, 1)),
        Err(DomainError::SelfLink)
    );
    assert!(matches!(
        decide(&state, &alice(), &link(1, LinkKind::RelatesTo, 9)),
        Err(DomainError::IssueNotFound(_))
    ));

    // Issue 2 removes "is blocked by 1", which is stored on issue 1.
    let view = state.links_of(IssueNumber(2))[0];
    let (stored_on, stored) = view.stored(IssueNumber(2));
    assert_eq!(stored_on, IssueNumber(1));
    run(
        &mut state,
        Command::UnlinkIssue {
            issue: stored_on,
            link: stored,
        },
    )
    .unwrap();
    assert_eq!(seen(&state, 2), [(LinkKind::IsDuplicatedBy, 3)]);
    assert!(seen(&state, 1).is_empty());
}

#[test]
fn children_and_people_come_from_the_issues() {
    let mut state = project_with_issues(1);
    let mut epic = new_issue("Epic");
    if let Command::CreateIssue(n) = &mut epic {
        n.issue_type = IssueType::Epic;
    }
    run(&mut state, epic).unwrap(); // ABC-2
    for title in ["child a", "child b"] {
        let mut child = new_issue(title);
        if let Command::CreateIssue(n) = &mut child {
            n.parent = Some(IssueNumber(2));
        }
        run(&mut state, child).unwrap();
    }
    let children: Vec<String> = state
        .children(IssueNumber(2))
        .iter()
        .map(|i| i.key.to_string())
        .collect();
    assert_eq!(children, ["ABC-3", "ABC-4"]);
    assert_eq!(names(&state.people()), ["alice"]);
    assert_eq!(state.project.as_ref().unwrap().key, key("ABC"));
}

#[test]
fn the_new_events_round_trip_under_their_stable_names() {
    let mut state = project_with_issues(2);
    let mut events = vec![];
    let mut go = |c| events.extend(run(&mut state, c).unwrap());
    go(comment(1, "hello"));
    go(Command::EditComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
        body: body("hello **there**"),
    });
    go(Command::DeleteComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
    });
    go(Command::WatchIssue {
        issue: IssueNumber(1),
        watch: false,
    });
    let link = IssueLink {
        kind: LinkKind::RelatesTo,
        target: IssueNumber(2),
    };
    go(Command::LinkIssue {
        issue: IssueNumber(1),
        kind: link.kind,
        target: link.target,
    });
    go(Command::UnlinkIssue {
        issue: IssueNumber(1),
        link,
    });
    let names: Vec<&str> = events.iter().map(Event::type_name).collect();
    assert_eq!(
        names,
        [
            "comment_added",
            "watcher_added",
            "comment_edited",
            "comment_deleted",
            "watcher_removed",
            "issue_linked",
            "issue_unlinked"
        ]
    );
    for e in &events {
        let json = serde_json::to_value(e).unwrap();
        assert_eq!(json["type"], e.type_name(), "{json}");
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), *e);
    }
}

#[test]
fn an_edit_is_described_by_the_values_it_sets_and_repeating_a_value_is_no_change() {
    let mut state = project_with_issues(1);
    run(
        &mut state,
        Command::CreateSprint {
            name: Some(SprintName::parse("Login week").unwrap()),
            goal: LongText::default(),
            start: None,
            end: None,
        },
    )
    .unwrap();
    let issue = IssueNumber(1);
    let patch = IssuePatch {
        title: Some(Title::parse("Sign-in fails").unwrap()),
        priority: Some(Priority::High),
        assignee: Some(None),
        points: Some(Some(Points::from_tenths(25).unwrap())),
        original_estimate: Some(Some(Minutes(90))),
        description: Some(LongText::parse("Steps to reproduce…").unwrap()),
        sprint: Some(Some(SprintNumber(1))),
        ..IssuePatch::default()
    };
    let edit = Command::UpdateIssue { issue, patch };
    assert_eq!(
        describe(&state, &edit),
        "rename to “Sign-in fails”, edit the description, set the priority to High, \
         clear the assignee, set the story points to 2.5, set the sprint to Login week, \
         set the original estimate to 1h 30m"
    );

    let events = run(&mut state, edit.clone()).unwrap();
    // The assignee was already empty: that part is no change.
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(run(&mut state, edit).unwrap().is_empty(), "all repeated");
}

#[test]
fn commands_from_old_clients_with_the_fields_the_server_used_to_stamp_still_read() {
    // What clients (and the browser's offline queue) sent before the actor
    // and time moved to the `Context`: the extra fields are ignored.
    let old = [
        r#"{"type":"create_project","key":"ABC","name":"Alpha","kind":"scrum","admin":"guest"}"#,
        r#"{"type":"create_issue","title":"T","issue_type":"task","priority":"medium","reporter":"guest"}"#,
        r#"{"type":"add_comment","issue":1,"author":"guest","posted":0,"body":"hi"}"#,
        r#"{"type":"edit_comment","issue":1,"comment":1,"editor":"guest","edited":0,"body":"hi!"}"#,
        r#"{"type":"delete_comment","issue":1,"comment":1,"editor":"guest"}"#,
        r#"{"type":"watch_issue","issue":1,"user":"guest","watch":true}"#,
    ];
    let read: Vec<Command> = old
        .iter()
        .map(|json| serde_json::from_str(json).unwrap())
        .collect();
    assert_eq!(
        read[2],
        Command::AddComment {
            issue: IssueNumber(1),
            body: body("hi")
        }
    );
    assert_eq!(
        read[5],
        Command::WatchIssue {
            issue: IssueNumber(1),
            watch: true
        }
    );
    // And the author is the context's, whatever the command said.
    let mut state = project_with_issues(1);
    let events = run_as(&mut state, &by("bob", 3), read[2].clone()).unwrap();
    assert!(matches!(
        &events[0],
        Event::CommentAdded { author, posted, .. } if *author == user("bob") && *posted == at(3)
    ));
}

#[test]
fn a_conflict_is_described_from_what_it_attempted_as_before() {
    let state = project_with_issues(2);
    let moved = Command::MoveIssue {
        issue: IssueNumber(1),
        to: StatusId(4),
        after: None,
    };
    assert_eq!(describe(&state, &moved), "move to Done");
    let attempted = attempted(&state, &moved);
    assert_eq!(attempted[0].field, Field::Status);
    assert_eq!(
        (
            attempted[0].wanted.as_deref(),
            attempted[0].found.as_deref()
        ),
        (Some("4"), Some("1"))
    );
    let patch = IssuePatch {
        title: Some(Title::parse("New").unwrap()),
        priority: Some(Priority::High),
        assignee: Some(None),
        ..IssuePatch::default()
    };
    let edit = Command::UpdateIssue {
        issue: IssueNumber(2),
        patch,
    };
    assert_eq!(
        describe(&state, &edit),
        "rename to “New”, set the priority to High, clear the assignee"
    );
    let remove = Command::RemoveMember { user: user("bob") };
    assert_eq!(describe(&ProjectState::default(), &remove), "remove bob");
    let role = Command::ChangeRole {
        user: user("bob"),
        role: Role::Admin,
    };
    assert_eq!(describe(&ProjectState::default(), &role), "make bob admin");
}
