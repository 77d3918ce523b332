//! The query language: what each clause matches, sorting, and errors that
//! point at the right column.

use super::quantity::Points;
use super::tests::{alice, project_with_issues, run, user};
use super::*;

/// ABC-1 "Login page" (story, 3 points, alice, label auth, under epic ABC-4),
/// ABC-2 "Logout bug" (bug, 5 points, bob, High, In Progress),
/// ABC-3 "Payment form" (task, unassigned, Done, "handles login retries"),
/// ABC-4 "Accounts" (epic).
fn fixture() -> ProjectState {
    let mut state = project_with_issues(0);
    // Only members may be assigned.
    let bob = Command::AddMember {
        user: user("bob"),
        role: Role::Member,
    };
    run(&mut state, bob).unwrap();
    let mut create = |title: &str, t: IssueType, f: &dyn Fn(&mut NewIssue)| {
        let mut new = NewIssue::new(Title::parse(title).unwrap(), t);
        f(&mut new);
        run(&mut state, Command::CreateIssue(new)).unwrap();
    };
    create("Login page", IssueType::Story, &|n| {
        n.points = Some(Points::parse("3").unwrap());
        n.assignee = Some(user("alice"));
        n.labels = [Label::parse("auth").unwrap()].into();
    });
    create("Logout bug", IssueType::Bug, &|n| {
        n.points = Some(Points::parse("5").unwrap());
        n.assignee = Some(user("bob"));
        n.priority = Priority::High;
        n.status = Some(StatusId(2));
    });
    create("Payment form", IssueType::Task, &|n| {
        n.description = LongText::parse("handles login retries").unwrap();
        n.status = Some(StatusId(4));
    });
    create("Accounts", IssueType::Epic, &|_| {});
    let patch = IssuePatch {
        parent: Some(Some(IssueNumber(4))),
        ..Default::default()
    };
    run(
        &mut state,
        Command::UpdateIssue {
            issue: IssueNumber(1),
            patch,
        },
    )
    .unwrap();
    state
}

fn hits(state: &ProjectState, q: &str) -> Vec<u32> {
    let query = Query::parse(q).unwrap_or_else(|e| panic!("{q:?}: {e}"));
    query
        .run(state, &user("alice"))
        .iter()
        .map(|i| i.key.number.0)
        .collect()
}

fn column(q: &str) -> (usize, String) {
    let e = Query::parse(q).expect_err(q);
    (e.column, e.message)
}

#[test]
fn clauses_match_what_they_say() {
    let s = fixture();
    let jql = r#"project = ABC AND status IN ("To Do", "In Progress") AND assignee = currentUser() AND points >= 3 AND text ~ "login" ORDER BY rank"#;
    assert_eq!(hits(&s, jql), [1]);
    assert_eq!(hits(&s, "text ~ login"), [1, 3], "title or description");
    assert_eq!(hits(&s, "text !~ login"), [2, 4]);
    assert_eq!(hits(&s, "assignee IS EMPTY"), [3, 4]);
    assert_eq!(hits(&s, "assignee is not empty"), [1, 2]);
    assert_eq!(hits(&s, "NOT (type = bug OR type = epic)"), [1, 3]);
    assert_eq!(hits(&s, "priority > Medium"), [2]);
    assert_eq!(hits(&s, "priority <= medium"), [1, 3, 4]);
    assert_eq!(hits(&s, "label = auth"), [1]);
    assert_eq!(hits(&s, "label != auth"), [2, 3, 4]);
    assert_eq!(hits(&s, "epic = ABC-4"), [1]);
    assert_eq!(hits(&s, "key IN (ABC-2, abc-3)"), [2, 3]);
    assert_eq!(hits(&s, "status NOT IN (Done)"), [1, 2, 4]);
    assert_eq!(hits(&s, "points > 3.5"), [2]);
    assert_eq!(hits(&s, "type = sub-task"), Vec::<u32>::new());
    assert_eq!(hits(&s, "status = 'in progress' or assignee = bob"), [2]);
    assert_eq!(hits(&s, ""), [1, 2, 3, 4]);
}

#[test]
fn order_by_sorts_with_rank_as_the_tie_break() {
    let s = fixture();
    assert_eq!(
        hits(&s, "points < 4 OR points IS EMPTY ORDER BY key DESC"),
        [4, 3, 1]
    );
    assert_eq!(hits(&s, "ORDER BY points DESC"), [2, 1, 3, 4]);
    assert_eq!(hits(&s, "order by status, key desc"), [4, 1, 2, 3]);
    assert_eq!(
        hits(&s, "ORDER BY priority DESC"),
        [2, 1, 3, 4],
        "highest first"
    );
    assert_eq!(
        hits(&s, "ORDER BY priority"),
        [1, 3, 4, 2],
        "as in Jira: lowest first"
    );
}

#[test]
fn errors_point_at_the_column_where_it_went_wrong() {
    assert_eq!(column("status = ").0, 10);
    let (col, msg) = column("statu = x");
    assert_eq!(col, 1);
    assert!(msg.contains("unknown field \"statu\""), "{msg}");
    assert_eq!(column(r#"status IN ("a", "b""#).0, 20);
    assert_eq!(column(r#"points > "x" AND"#).0, 17);
    assert_eq!(
        column(r#"text ~ "open"#),
        (8, "this quote is never closed".into())
    );
    assert_eq!(column("assignee = bob ORDER rank").0, 22);
    assert_eq!(column("assignee > bob").0, 10);
    assert_eq!(column("status = Done extra").0, 15);
    assert_eq!(column("(status = Done").0, 15);
    assert_eq!(column("status ~ x").0, 8);
    assert_eq!(column("rank = 1").0, 1);
    assert_eq!(column("assignee = currentUser(").0, 24);
    assert_eq!(column("status = Done ; drop").0, 15);
    assert_eq!(
        column(&"a".repeat(MAX_QUERY_CHARS + 1)).0,
        MAX_QUERY_CHARS + 1
    );
    let e = Query::parse("status = ").unwrap_err().to_string();
    assert!(e.starts_with("column 10: expected a value"), "{e}");
}

#[test]
fn saved_filters_must_parse_and_can_be_replaced_and_deleted() {
    let mut s = fixture();
    let name = FilterName::parse("My open work").unwrap();
    let save = |q: &str| Command::SaveFilter {
        name: name.clone(),
        query: q.into(),
    };
    run(&mut s, save("assignee = currentUser()")).unwrap();
    run(&mut s, save("assignee = currentUser() AND status != Done")).unwrap();
    let filters = &s.project.as_ref().unwrap().filters;
    assert_eq!(
        filters[&name],
        "assignee = currentUser() AND status != Done"
    );
    assert_eq!(
        decide(
            &s,
            &alice(),
            &save("assignee = currentUser() AND status != Done")
        ),
        Ok(vec![])
    );
    assert!(matches!(
        decide(&s, &alice(), &save("status = ")),
        Err(DomainError::BadQuery(QueryError { column: 10, .. }))
    ));
    run(&mut s, Command::DeleteFilter { name: name.clone() }).unwrap();
    assert!(s.project.as_ref().unwrap().filters.is_empty());
    assert!(matches!(
        decide(&s, &alice(), &Command::DeleteFilter { name }),
        Err(DomainError::FilterNotFound(_))
    ));
}
