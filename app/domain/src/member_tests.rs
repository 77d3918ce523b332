//! Members and roles: who may run what, and the last admin.

use super::tests::{alice, key, new_issue, project_with_issues, run, user};
use super::*;

fn with_members() -> ProjectState {
    let mut state = project_with_issues(1);
    for (name, role) in [("vera", Role::Viewer), ("max", Role::Member)] {
        run(
            &mut state,
            Command::AddMember {
                user: user(name),
                role,
            },
        )
        .unwrap();
    }
    state
}

#[test]
fn the_creator_is_the_first_admin() {
    let state = project_with_issues(0);
    let project = state.project.as_ref().unwrap();
    assert_eq!(project.role_of(&user("alice")), Some(Role::Admin));
    assert_eq!(project.members.len(), 1);
}

#[test]
fn each_role_may_do_exactly_its_share() {
    let state = with_members();
    let rename = Command::RenameProject {
        name: ProjectName::parse("New").unwrap(),
    };
    let invite = Command::AddMember {
        user: user("zoe"),
        role: Role::Viewer,
    };
    let cases: [(&Command, [bool; 4]); 3] = [
        // (command, [outsider, viewer, member, admin] may run it)
        (&new_issue("x"), [false, false, true, true]),
        (&rename, [false, false, false, true]),
        (&invite, [false, false, false, true]),
    ];
    for (command, allowed) in cases {
        for (who, ok) in ["nobody", "vera", "max", "alice"].into_iter().zip(allowed) {
            let got = authorize(&state, &user(who), command);
            assert_eq!(got.is_ok(), ok, "{who} running {command:?}: {got:?}");
            if who == "nobody" {
                assert_eq!(
                    got,
                    Err(DomainError::ProjectNotFound(key("ABC"))),
                    "no leak"
                );
            } else if !ok {
                assert!(matches!(got, Err(DomainError::Forbidden { .. })), "{got:?}");
            }
        }
    }
    let create = Command::CreateProject {
        key: key("NEW"),
        name: ProjectName::parse("New").unwrap(),
        kind: ProjectKind::Kanban,
    };
    assert_eq!(
        authorize(&ProjectState::default(), &user("nobody"), &create),
        Ok(())
    );
}

#[test]
fn the_last_admin_stays_until_there_is_another() {
    let mut state = with_members();
    let demote = |name: &str| Command::ChangeRole {
        user: user(name),
        role: Role::Member,
    };
    let remove = |name: &str| Command::RemoveMember { user: user(name) };
    assert_eq!(
        run(&mut state, demote("alice")),
        Err(DomainError::LastAdmin(user("alice")))
    );
    assert_eq!(
        run(&mut state, remove("alice")),
        Err(DomainError::LastAdmin(user("alice")))
    );
    let promote = Command::ChangeRole {
        user: user("max"),
        role: Role::Admin,
    };
    run(&mut state, promote).unwrap();
    run(&mut state, demote("alice")).unwrap();
    run(&mut state, remove("vera")).unwrap();
    let project = state.project.as_ref().unwrap();
    assert_eq!(project.role_of(&user("alice")), Some(Role::Member));
    assert_eq!(project.role_of(&user("max")), Some(Role::Admin));
    assert_eq!(project.role_of(&user("vera")), None);
}

#[test]
fn invitations_and_changes_name_real_members() {
    let mut state = with_members();
    let again = Command::AddMember {
        user: user("max"),
        role: Role::Admin,
    };
    assert_eq!(
        run(&mut state, again),
        Err(DomainError::AlreadyMember(user("max")))
    );
    let ghost = Command::RemoveMember {
        user: user("ghost"),
    };
    let refused = run(&mut state, ghost).unwrap_err();
    assert_eq!(refused, DomainError::NotAMember(user("ghost")));
    assert!(refused.is_missing_subject());
    let same = Command::ChangeRole {
        user: user("max"),
        role: Role::Member,
    };
    assert_eq!(run(&mut state, same), Ok(vec![]), "no event for no change");
}

#[test]
fn an_issue_is_assigned_only_to_a_member_and_keeps_one_who_leaves() {
    let mut state = with_members();
    let assign = |who: &str| Command::UpdateIssue {
        issue: IssueNumber(1),
        patch: IssuePatch {
            assignee: Some(Some(user(who))),
            ..Default::default()
        },
    };
    let mut outsider = NewIssue::new(Title::parse("x").unwrap(), IssueType::Task);
    outsider.assignee = Some(user("zed"));
    assert_eq!(
        decide(&state, &alice(), &Command::CreateIssue(outsider)),
        Err(DomainError::AssigneeNotMember(user("zed")))
    );
    assert_eq!(
        decide(&state, &alice(), &assign("zed")),
        Err(DomainError::AssigneeNotMember(user("zed")))
    );
    // A viewer is a member too.
    run(&mut state, assign("vera")).unwrap();
    run(&mut state, assign("max")).unwrap();
    run(&mut state, Command::RemoveMember { user: user("max") }).unwrap();
    // max keeps the issue; setting him again is no new assignment.
    assert_eq!(state.issues[&IssueNumber(1)].assignee, Some(user("max")));
    assert_eq!(decide(&state, &alice(), &assign("max")), Ok(vec![]));
    assert_eq!(
        decide(&state, &alice(), &assign("zed")),
        Err(DomainError::AssigneeNotMember(user("zed")))
    );
}

#[test]
fn members_and_admins_can_edit_and_viewers_cannot() {
    assert!(!Role::Viewer.can_edit());
    assert!(Role::Member.can_edit());
    assert!(Role::Admin.can_edit());
    // The rule agrees with the role table: a viewer is refused a change.
    let state = with_members();
    let change = Command::RankIssue {
        issue: IssueNumber(1),
        after: None,
    };
    for (name, role) in [("vera", Role::Viewer), ("max", Role::Member)] {
        assert_eq!(
            authorize(&state, &user(name), &change).is_ok(),
            role.can_edit(),
            "{name}"
        );
    }
}
