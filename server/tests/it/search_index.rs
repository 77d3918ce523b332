//! The SQL search over the indexed projection returns exactly what the
//! in-memory evaluator returns — the same issues in the same order — for
//! generated projects and generated queries; and it uses the indexes.

use kanri_domain::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use server::db::{Db, Engine};
use server::store::{AppendMeta, AppendTo, SearchSql, Store};

use crate::common::tempfile_dir::TempDir;

const KEY: &str = "SRCH";

fn me() -> UserName {
    UserName::parse("alice").unwrap()
}

/// Writes `commands` through the real store (events, inline projections),
/// skipping the ones the domain rejects, and returns the state.
async fn project_from(store: &Store, commands: &[Command]) -> ProjectState {
    let key = ProjectKey::parse(KEY).unwrap();
    let mut state = ProjectState::default();
    let mut head = 0;
    for (n, command) in commands.iter().enumerate() {
        let actor = match command {
            Command::CreateIssue(new) => reporter(new.issue_type),
            _ => me(),
        };
        let at_ms = 1_700_000_000_000 + n as i64;
        let context = Context::new(actor.clone(), UtcTime::from_unix_ms(at_ms));
        let Ok(events) = decide(&state, &context, command) else {
            continue;
        };
        let meta = AppendMeta {
            project: &key,
            actor: &actor,
            command_id: CommandId::from_random_bytes((n as u128 + 1).to_be_bytes()),
            at_ms,
            known_head: head,
        };
        let outcome = store
            .append(
                AppendTo::Own(None),
                &mut state,
                &meta,
                events,
                |_, events| Outcome::Accepted { events },
            )
            .await
            .expect("append");
        head = head.max(outcome.last_seq());
    }
    state
}

const WORDS: &[&str] = &[
    "Login",
    "login page",
    "LOG",
    "Straße",
    "ÉCOLE",
    "école",
    "Fix \"quotes\"",
    "résumé",
    "API",
    "x",
    "100% done",
    "a_b",
    "Ünïcode",
];
const LABELS: &[&str] = &["ui", "UI", "backend", "ünï", "x-y"];
const PEOPLE: &[&str] = &["alice", "bob", "carol"];

/// Who creates (and so reports) an issue of type `t`: varied, and
/// deterministic from the command.
fn reporter(t: IssueType) -> UserName {
    let index = IssueType::ALL.iter().position(|x| *x == t).unwrap_or(0);
    UserName::parse(PEOPLE[index % 3]).unwrap()
}

fn arb_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..3).prop_map(|w| w.join(" "))
}

fn arb_new_issue() -> impl Strategy<Value = Command> {
    (
        (
            arb_text(),
            arb_text(),
            0..IssueType::ALL.len(),
            0..Priority::ALL.len(),
        ),
        (
            prop::option::of(prop::sample::select(PEOPLE)),
            prop::sample::subsequence(LABELS, 0..3),
            prop::option::of(prop::sample::select(&[0u32, 5, 10, 30, 50, 130][..])),
            prop::option::of(1u32..12),
            prop::option::of(1u32..4),
            prop::option::of(1u32..5),
        ),
    )
        .prop_map(
            |((title, description, t, p), (assignee, labels, points, parent, sprint, status))| {
                Command::CreateIssue(NewIssue {
                    title: Title::parse(if title.is_empty() { "untitled" } else { &title })
                        .unwrap(),
                    description: LongText::parse(&description).unwrap(),
                    issue_type: IssueType::ALL[t],
                    priority: Priority::ALL[p],
                    status: status.map(StatusId),
                    assignee: assignee.map(|a| UserName::parse(a).unwrap()),
                    labels: labels.iter().map(|l| Label::parse(l).unwrap()).collect(),
                    points: points.map(|p| Points::from_tenths(p).unwrap()),
                    parent: parent.map(IssueNumber),
                    sprint: sprint.map(SprintNumber),
                    original_estimate: None,
                })
            },
        )
}

/// Later edits and moves, so rows are rewritten (and re-indexed) too.
fn arb_edit() -> impl Strategy<Value = Command> {
    prop_oneof![
        (1u32..12, arb_text()).prop_map(|(n, text)| Command::UpdateIssue {
            issue: IssueNumber(n),
            patch: IssuePatch {
                description: Some(LongText::parse(&text).unwrap()),
                ..Default::default()
            },
        }),
        (
            1u32..12,
            prop::option::of(prop::sample::select(PEOPLE)),
            prop::sample::subsequence(LABELS, 0..3),
            prop::option::of(prop::sample::select(&[0u32, 30, 50][..])),
        )
            .prop_map(|(n, assignee, labels, points)| Command::UpdateIssue {
                issue: IssueNumber(n),
                patch: IssuePatch {
                    assignee: Some(assignee.map(|a| UserName::parse(a).unwrap())),
                    labels: Some(labels.iter().map(|l| Label::parse(l).unwrap()).collect()),
                    points: Some(points.map(|p| Points::from_tenths(p).unwrap())),
                    ..Default::default()
                },
            }),
        (1u32..12, 1u32..5, prop::option::of(1u32..12)).prop_map(|(n, to, after)| {
            Command::MoveIssue {
                issue: IssueNumber(n),
                to: StatusId(to),
                after: after.map(IssueNumber),
            }
        }),
    ]
}

fn arb_project() -> impl Strategy<Value = Vec<Command>> {
    (
        prop::collection::vec(arb_new_issue(), 1..14),
        prop::collection::vec(arb_edit(), 0..8),
    )
        .prop_map(|(issues, edits)| {
            let sprint = |name: &str| Command::CreateSprint {
                name: Some(SprintName::parse(name).unwrap()),
                goal: LongText::default(),
                start: None,
                end: None,
            };
            let mut commands = vec![
                Command::CreateProject {
                    key: ProjectKey::parse(KEY).unwrap(),
                    name: ProjectName::parse("Search").unwrap(),
                    kind: ProjectKind::Scrum,
                },
                sprint("Sprint One"),
                // A sprint named like another's number.
                sprint("1"),
            ];
            commands.extend(issues);
            commands.extend(edits);
            commands
        })
}

const VALUES: &[&str] = &[
    "To Do",
    "to do",
    "In Progress",
    "DONE",
    "alice",
    "ALICE",
    "bob",
    "nobody",
    "Story",
    "subtask",
    "Sub-task",
    "SUBTASK",
    "bug",
    "Epic",
    "High",
    "highest",
    "low",
    "Medium",
    "3",
    "3.0",
    "0.5",
    "13",
    "abc",
    "ui",
    "UI",
    "Backend",
    "ünï",
    "ÜNÏ",
    "1",
    "2",
    "Sprint One",
    "SRCH-3",
    "srch-3",
    "SRCH-03",
    "OTHER-3",
    "SRCH",
    "srch",
    "log",
    "LOGIN",
    "é",
    "École",
    "in",
    "",
    "\"q",
    "%",
    "_",
    "straße",
    "STRASSE",
    "login page",
];

fn arb_value() -> impl Strategy<Value = QValue> {
    prop_oneof![
        6 => prop::sample::select(VALUES).prop_map(|v| QValue::Text(v.to_string())),
        1 => prop::sample::select(&[0.0, 0.5, 3.0, 5.0, 13.0, -1.0, 2.25][..]).prop_map(QValue::Number),
        1 => Just(QValue::CurrentUser),
    ]
}

const FIELDS: &[QField] = &[
    QField::Project,
    QField::Key,
    QField::Status,
    QField::Assignee,
    QField::Reporter,
    QField::Type,
    QField::Priority,
    QField::Points,
    QField::Label,
    QField::Sprint,
    QField::Epic,
    QField::Text,
];

/// Clauses the parser accepts: `>`/`<` on points and priority, `~` on text.
fn arb_clause() -> impl Strategy<Value = Expr> {
    let field = prop::sample::select(FIELDS);
    prop_oneof![
        (field.clone(), any::<bool>(), arb_value()).prop_map(|(f, eq, v)| Expr::Compare(
            f,
            if eq { Op::Eq } else { Op::Ne },
            v
        )),
        (
            field.clone(),
            prop::collection::vec(arb_value(), 1..4),
            any::<bool>()
        )
            .prop_map(|(f, vs, inside)| Expr::In(f, vs, inside)),
        (field, any::<bool>()).prop_map(|(f, empty)| Expr::Empty(f, empty)),
        (any::<bool>(), arb_value()).prop_map(|(yes, v)| {
            Expr::Compare(
                QField::Text,
                if yes { Op::Contains } else { Op::NotContains },
                v,
            )
        }),
        (
            prop::sample::select(&[QField::Points, QField::Priority][..]),
            prop::sample::select(&[Op::Gt, Op::Ge, Op::Lt, Op::Le][..]),
            arb_value()
        )
            .prop_map(|(f, op, v)| Expr::Compare(f, op, v)),
    ]
}

fn arb_query() -> impl Strategy<Value = Query> {
    let filter = arb_clause().prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Expr::Not(Box::new(a))),
        ]
    });
    let mut order_fields = FIELDS.to_vec();
    order_fields.push(QField::Rank);
    (
        prop::option::of(filter),
        prop::collection::vec((prop::sample::select(order_fields), any::<bool>()), 0..3),
    )
        .prop_map(|(filter, order)| Query { filter, order })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn keys<'a>(issues: impl IntoIterator<Item = &'a Issue>) -> Vec<String> {
    issues.into_iter().map(|i| i.key.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn sql_search_returns_what_the_evaluator_returns(
        commands in arb_project(),
        queries in prop::collection::vec(arb_query(), 30),
        limit in 1usize..6,
    ) {
        let dir = TempDir::new();
        runtime().block_on(async {
            // On the run's engine: PostgreSQL's SQL is held to the evaluator too.
            let database = crate::common::database_for(&dir.0.join("k.db")).await;
            let store = Store::new(Db::open(&database).await.unwrap());
            let state = project_from(&store, &commands).await;
            for query in &queries {
                let expected = query.run(&state, &me());
                let sql = SearchSql::compile(store.db().engine(), &state, query, &me(), 1_000).unwrap();
                let shown = sql.sql().to_string();
                let (found, total) = sql.run(store.db()).await.unwrap();
                prop_assert_eq!(keys(&found), keys(expected.iter().copied()), "{:?}\n{}", query, shown);
                prop_assert_eq!(total, expected.len());
                // A page is the head of the same order; the total counts them all.
                let (page, total) = SearchSql::compile(store.db().engine(), &state, query, &me(), limit)
                    .unwrap()
                    .run(store.db())
                    .await
                    .unwrap();
                prop_assert_eq!(keys(&page), keys(expected.iter().copied().take(limit)));
                prop_assert_eq!(total, expected.len());
                // The stored documents are the issues themselves.
                prop_assert!(found.iter().zip(&expected).all(|(a, b)| a == *b));
            }
            Ok(())
        })?;
    }
}

/// The plan SQLite chooses for a query's filter (`page`: for the page,
/// sorted), as its `EXPLAIN QUERY PLAN` lines.
async fn plan(store: &Store, state: &ProjectState, q: &str, page: bool) -> String {
    let query = Query::parse(q).unwrap();
    let compiled = SearchSql::compile(Engine::Sqlite, state, &query, &me(), 50).unwrap();
    let sql = if page {
        compiled.sql()
    } else {
        compiled.count_sql().expect("a search counts its matches")
    };
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    // The plan does not depend on the values, so bind neutral ones.
    let params = sql.matches('?').count();
    let mut stmt = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    for _ in 0..params {
        stmt = stmt.bind("x");
    }
    stmt.fetch_all(&store.db().sqlite().read)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, _, _, detail)| detail)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn searches_use_the_indexes() {
    let dir = TempDir::new();
    let store = Store::new(Db::open_file(&dir.0.join("k.db")).await.unwrap());
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let commands = arb_project().new_tree(&mut runner).unwrap().current();
    let state = project_from(&store, &commands).await;

    let by_assignee = plan(&store, &state, "assignee = bob", false).await;
    assert!(by_assignee.contains("issues_by_assignee"), "{by_assignee}");
    let by_text = plan(&store, &state, r#"text ~ "login""#, false).await;
    assert!(by_text.contains("VIRTUAL TABLE INDEX"), "{by_text}");
    let by_label = plan(&store, &state, "label = ui", false).await;
    assert!(by_label.contains("issue_labels"), "{by_label}");
    let ranked = plan(&store, &state, "sprint IS EMPTY ORDER BY rank", true).await;
    assert!(
        !ranked.contains("TEMP B-TREE"),
        "rank order comes from an index: {ranked}"
    );
}
