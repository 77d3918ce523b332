//! Board scope, comments, mentions, watchers and issue links.

use super::tests::{key, new_issue, project_with_issues, run, user};
use super::*;

fn body(text: &str) -> CommentBody {
    CommentBody::parse(text).unwrap()
}

fn at(minute: i64) -> UtcTime {
    UtcTime::from_unix_ms(1_790_000_000_000 + minute * 60_000)
}

fn comment(issue: u32, author: &str, text: &str) -> Command {
    Command::AddComment {
        issue: IssueNumber(issue),
        author: user(author),
        posted: at(0),
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
    let events = run(&mut state, comment(1, "carol", "@bob @zed have a look")).unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    let issue = state.issue(IssueNumber(1)).unwrap();
    assert_eq!(names(&issue.watchers), ["bob", "carol"]);
    assert_eq!(issue.comments.len(), 1);

    // A second comment by a watcher adds no watcher events.
    let events = run(&mut state, comment(1, "carol", "again, @bob")).unwrap();
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
    run(&mut state, comment(1, "bob", "first")).unwrap();
    let edit = |editor: &str, text: &str| Command::EditComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
        editor: user(editor),
        edited: at(5),
        body: body(text),
    };
    // Who may is `authorize`'s: the author or an admin, no other member.
    assert_eq!(
        authorize(&state, &user("carol"), &edit("carol", "hijacked")),
        Err(DomainError::NotTheAuthor(user("bob")))
    );
    assert_eq!(
        authorize(&state, &user("alice"), &edit("alice", "moderated")),
        Ok(())
    );
    assert_eq!(run(&mut state, edit("bob", "first")).unwrap(), vec![]);
    run(&mut state, edit("bob", "first, edited")).unwrap();
    let c = &state.issue(IssueNumber(1)).unwrap().comments[&CommentNumber(1)];
    assert_eq!((c.body.as_str(), c.edited), ("first, edited", Some(at(5))));

    let delete = |editor: &str| Command::DeleteComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
        editor: user(editor),
    };
    assert!(authorize(&state, &user("carol"), &delete("carol")).is_err());
    assert_eq!(authorize(&state, &user("alice"), &delete("alice")), Ok(()));
    run(&mut state, delete("alice")).unwrap();
    assert!(matches!(
        decide(&state, &delete("alice")),
        Err(DomainError::CommentNotFound(_, 1))
    ));
    let events = run(&mut state, comment(1, "alice", "second")).unwrap();
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
        user: user("dan"),
        watch: on,
    };
    assert_eq!(run(&mut state, watch(true)).unwrap().len(), 1);
    assert_eq!(run(&mut state, watch(true)).unwrap(), vec![]);
    assert!(watch(true).fields().is_empty());
    assert_eq!(run(&mut state, watch(false)).unwrap().len(), 1);
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
        decide(&state, &link(1, LinkKind::RelatesTo, 1)),
        Err(DomainError::SelfLink)
    );
    assert!(matches!(
        decide(&state, &link(1, LinkKind::RelatesTo, 9)),
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
    go(comment(1, "alice", "hello"));
    go(Command::EditComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
        editor: user("alice"),
        edited: at(1),
        body: body("hello **there**"),
    });
    go(Command::DeleteComment {
        issue: IssueNumber(1),
        comment: CommentNumber(1),
        editor: user("alice"),
    });
    go(Command::WatchIssue {
        issue: IssueNumber(1),
        user: user("alice"),
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
