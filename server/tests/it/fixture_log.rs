//! Writes `server/tests/fixtures/v1-log.db`: a log written by the code of
//! 49dd6eb (event schema 1) that holds every event type, with the
//! projections that code built from it. Run once, by hand:
//! `cargo test -p kanri-server --test it write_v1_fixture -- --ignored`.

use crate::common::*;
use kanri_domain::*;

fn t(s: &str) -> Title {
    Title::parse(s).unwrap()
}

#[tokio::test]
#[ignore = "writes the committed fixture; run by hand only"]
async fn write_v1_fixture() {
    let app = spawn_app().await;
    app.create_project("FIX", "Fixture").await; // project_created, member_added
    let head = |c| app.execute_at_head("alice", "FIX", c);
    head(Command::RenameProject {
        name: ProjectName::parse("Fixture log").unwrap(),
    })
    .await;
    head(Command::AddStatus {
        name: StatusName::parse("Review").unwrap(),
        category: StatusCategory::InProgress,
    })
    .await;
    let state = app.state("FIX").await;
    let review = state.project.as_ref().unwrap().statuses.last().unwrap().id;
    head(Command::RenameStatus {
        status: review,
        name: StatusName::parse("Code review").unwrap(),
    })
    .await;
    head(Command::SetWipLimit {
        status: review,
        limit: Some(3),
    })
    .await;
    head(Command::ChangeRole {
        user: user("carol"),
        role: Role::Admin,
    })
    .await;
    head(Command::RemoveMember { user: user("dave") }).await;
    head(Command::ConfigureTimeTracking {
        calendar: WorkCalendar::new(6, 4).unwrap(),
    })
    .await;
    head(Command::SaveFilter {
        name: FilterName::parse("mine").unwrap(),
        query: "assignee = bob".into(),
    })
    .await;
    head(Command::SaveFilter {
        name: FilterName::parse("gone").unwrap(),
        query: "type = bug".into(),
    })
    .await;
    head(Command::DeleteFilter {
        name: FilterName::parse("gone").unwrap(),
    })
    .await;

    let epic = {
        let mut new = NewIssue::new(t("Checkout epic"), IssueType::Epic, user("x"));
        new.description = LongText::parse("All of checkout").unwrap();
        app.execute("bob", "FIX", 0, Command::CreateIssue(new))
            .await
            .unwrap();
        IssueNumber(1)
    };
    let a = app.create_issue("FIX", "Pay by card").await;
    let b = app.create_issue("FIX", "Receipt mail").await;
    let patch = IssuePatch {
        title: Some(t("Pay by card or wallet")),
        description: Some(LongText::parse("Cards and wallets").unwrap()),
        issue_type: Some(IssueType::Story),
        priority: Some(Priority::High),
        assignee: Some(Some(user("bob"))),
        labels: Some([Label::parse("payments").unwrap()].into()),
        points: Some(Some(Points::parse("2.5").unwrap())),
        parent: Some(Some(epic)),
        original_estimate: Some(Some(Minutes(480))),
        remaining_estimate: Some(Some(Minutes(300))),
        ..Default::default()
    };
    app.execute_at_head("bob", "FIX", Command::UpdateIssue { issue: a, patch })
        .await;
    app.execute_at_head("bob", "FIX", move_to(b, review.0)).await;
    app.execute_at_head("alice", "FIX", Command::RankIssue { issue: a, after: Some(b) })
        .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::LogWork {
            issue: a,
            author: user("x"),
            entry: WorkEntry {
                started: UtcTime::from_unix_ms(1_764_000_000_000),
                spent: Minutes(90),
                comment: LongText::parse("first pass").unwrap(),
            },
            remaining: RemainingAdjustment::Auto,
        },
    )
    .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::LogWork {
            issue: a,
            author: user("x"),
            entry: WorkEntry {
                started: UtcTime::from_unix_ms(1_764_100_000_000),
                spent: Minutes(45),
                comment: LongText::default(),
            },
            remaining: RemainingAdjustment::Leave,
        },
    )
    .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::UpdateWorklog {
            issue: a,
            worklog: WorklogNumber(1),
            entry: WorkEntry {
                started: UtcTime::from_unix_ms(1_764_000_000_000),
                spent: Minutes(120),
                comment: LongText::parse("first pass, longer").unwrap(),
            },
            remaining: RemainingAdjustment::Auto,
        },
    )
    .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::DeleteWorklog {
            issue: a,
            worklog: WorklogNumber(2),
            remaining: RemainingAdjustment::Leave,
        },
    )
    .await;
    let posted = UtcTime::from_unix_ms(0);
    app.execute_at_head(
        "carol",
        "FIX",
        Command::AddComment {
            issue: a,
            author: user("guest"),
            posted,
            body: CommentBody::parse("Looks good, @bob").unwrap(),
        },
    )
    .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::AddComment {
            issue: a,
            author: user("guest"),
            posted,
            body: CommentBody::parse("Typo here").unwrap(),
        },
    )
    .await;
    app.execute_at_head(
        "carol",
        "FIX",
        Command::EditComment {
            issue: a,
            comment: CommentNumber(1),
            editor: user("guest"),
            edited: posted,
            body: CommentBody::parse("Looks good to me, @bob").unwrap(),
        },
    )
    .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::DeleteComment {
            issue: a,
            comment: CommentNumber(2),
            editor: user("guest"),
        },
    )
    .await;
    for watch in [true, false, true] {
        app.execute_at_head(
            "dan",
            "FIX",
            Command::WatchIssue {
                issue: b,
                user: user("guest"),
                watch,
            },
        )
        .await;
    }
    app.execute_at_head(
        "bob",
        "FIX",
        Command::LinkIssue {
            issue: a,
            kind: LinkKind::Blocks,
            target: b,
        },
    )
    .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::LinkIssue {
            issue: b,
            kind: LinkKind::RelatesTo,
            target: epic,
        },
    )
    .await;
    app.execute_at_head(
        "bob",
        "FIX",
        Command::UnlinkIssue {
            issue: b,
            link: IssueLink {
                kind: LinkKind::RelatesTo,
                target: epic,
            },
        },
    )
    .await;

    // Sprints: created, issues moved in, started (committed), completed (outcome).
    app.execute("alice", "FIX", 0, Command::CreateSprint {
        name: None,
        goal: LongText::parse("Ship checkout").unwrap(),
        start: None,
        end: None,
    })
    .await
    .unwrap();
    let s1 = SprintNumber(1);
    for issue in [a, b] {
        app.execute_at_head(
            "alice",
            "FIX",
            Command::UpdateIssue {
                issue,
                patch: IssuePatch {
                    sprint: Some(Some(s1)),
                    ..Default::default()
                },
            },
        )
        .await;
    }
    app.execute_at_head(
        "alice",
        "FIX",
        Command::StartSprint {
            sprint: s1,
            start: Date::parse("2026-11-23").unwrap(),
            end: Date::parse("2026-12-04").unwrap(),
        },
    )
    .await;
    app.execute_at_head("bob", "FIX", move_to(b, 4)).await;
    app.execute_at_head(
        "alice",
        "FIX",
        Command::CompleteSprint {
            sprint: s1,
            open_issues_to: None,
        },
    )
    .await;

    // Two conflicts, each on a version its author had not seen: a board
    // move and a title edit.
    let seen = app.state("FIX").await.issues[&a].version;
    app.execute("alice", "FIX", seen, move_to(a, 3)).await.unwrap();
    let moved = app.execute("bob", "FIX", seen, move_to(a, review.0)).await.unwrap();
    assert!(matches!(moved, Outcome::Conflict { .. }), "{moved:?}");
    let seen = app.state("FIX").await.issues[&b].version;
    app.execute("alice", "FIX", seen, rename(b, "Receipt by mail"))
        .await
        .unwrap();
    let renamed = app
        .execute("carol", "FIX", seen, rename(b, "Receipt e-mail"))
        .await
        .unwrap();
    assert!(matches!(renamed, Outcome::Conflict { .. }), "{renamed:?}");

    wait_for_subscribers(&app).await;
    let types: std::collections::BTreeSet<String> =
        sqlx::query_scalar("SELECT DISTINCT event_type FROM events")
            .fetch_all(&app.kanri.store().db().read)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let missing: Vec<&str> = EVENT_TYPES
        .iter()
        .copied()
        .filter(|t| !types.contains(*t))
        .collect();
    assert!(missing.is_empty(), "event types missing: {missing:?}");

    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1-log.db");
    let _ = std::fs::remove_file(&out);
    sqlx::query(&format!("VACUUM INTO '{}'", out.display()))
        .execute(&app.kanri.store().db().read)
        .await
        .unwrap();
    app.stop().await;
}
