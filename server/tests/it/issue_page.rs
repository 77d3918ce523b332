//! The issue page's server functions on a real server and SQLite file:
//! inline field edits with merge and conflict, comments (stored as typed,
//! rendered without any script), mentions and watchers, links and child
//! issues, and the page's HTML.

use crate::common::*;
use kanri_domain::*;

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn issue(app: &TestApp, n: u32) -> Issue {
    app.state("ABC").await.issues[&IssueNumber(n)].clone()
}

async fn set(
    app: &TestApp,
    actor: &str,
    version: u64,
    field: &str,
    value: &str,
) -> (u16, serde_json::Value) {
    let version = version.to_string();
    let pairs = form(&[
        ("issue", "ABC-1"),
        ("version", &version),
        ("field", field),
        ("value", value),
    ]);
    app.call_fn(actor, "update_field", &pairs).await
}

#[tokio::test]
async fn an_edit_sent_again_under_its_id_applies_once_and_gets_the_first_answer() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "Parser").await;
    let base = issue(&app, 1).await.version;
    let id = new_id();
    let id_text = id.to_string();
    let pairs = form(&[
        ("issue", "ABC-1"),
        ("version", &base.to_string()),
        ("field", "priority"),
        ("value", "High"),
        ("command", &id_text),
    ]);
    // The browser lost the first answer (or was offline) and sends it again.
    let first = app.call_fn("alice", "update_field", &pairs).await;
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(first.1["outcome"], "accepted", "{}", first.1);
    let again = app.call_fn("alice", "update_field", &pairs).await;
    assert_eq!(again, first, "the first answer, again");
    let after = issue(&app, 1).await;
    assert_eq!((after.priority, after.version), (Priority::High, base + 1));
    // The envelope the browser queues for the same edit is the same command.
    let project = app.state("ABC").await.project.unwrap();
    let command = app::api::field_command(&project, IssueNumber(1), "priority", "High").unwrap();
    let envelope = CommandEnvelope {
        id,
        project: key("ABC"),
        base_version: base,
        command,
    };
    let replayed = app.kanri.execute(&user("alice"), envelope).await.unwrap();
    assert!(matches!(replayed, Outcome::Accepted { .. }), "{replayed:?}");
    assert_eq!(issue(&app, 1).await.version, base + 1, "still applied once");
}

#[tokio::test]
async fn every_field_edits_inline_and_bad_values_name_the_field() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "Parser").await;
    let edits = [
        ("title", "Parser, faster"),
        ("description", "Line one\n\n**two**"),
        ("type", "bug"),
        ("priority", "High"),
        ("assignee", "bob"),
        ("labels", "backend, perf"),
        ("points", "2.5"),
        ("original_estimate", "1d 2h"),
        ("remaining_estimate", "3h"),
        ("status", "3"),
    ];
    for (field, value) in edits {
        let version = issue(&app, 1).await.version;
        let (status, body) = set(&app, "alice", version, field, value).await;
        assert_eq!(status, 200, "{field}: {body}");
        assert_eq!(body["outcome"], "accepted", "{field}: {body}");
    }
    let i = issue(&app, 1).await;
    assert_eq!(i.title.as_str(), "Parser, faster");
    assert_eq!(i.description.as_str(), "Line one\n\n**two**");
    assert_eq!((i.issue_type, i.priority), (IssueType::Bug, Priority::High));
    assert_eq!(i.assignee, Some(user("bob")));
    let labels: Vec<&str> = i.labels.iter().map(Label::as_str).collect();
    assert_eq!(labels, ["backend", "perf"]);
    assert_eq!(i.points.map(Points::tenths), Some(25));
    assert_eq!(
        (i.original_estimate, i.remaining_estimate),
        (Some(Minutes(600)), Some(Minutes(180)))
    );
    assert_eq!(i.status, StatusId(3));

    // Clearing an optional field.
    let (status, _) = set(&app, "alice", i.version, "assignee", " ").await;
    assert_eq!(status, 200);
    assert_eq!(issue(&app, 1).await.assignee, None);

    let head = app.kanri.store().head(None).await.unwrap();
    let version = issue(&app, 1).await.version;
    for (field, value) in [
        ("points", "lots"),
        ("type", "saga"),
        ("status", "9"),
        ("original_estimate", "3 weeks"),
        ("parent", "XYZ-1"),
        ("title", " "),
        ("rank", "1"),
    ] {
        let (status, body) = set(&app, "alice", version, field, value).await;
        assert_eq!(status, 422, "{field}={value}: {body}");
        let named = invalid_fields(&body);
        let expected = if field == "rank" { "field" } else { field };
        assert_eq!(named, [expected], "{body}");
    }
    let (status, body) = set(&app, "alice", version, "parent", "ABC-1").await;
    assert_eq!(
        status, 409,
        "a story's parent must be an epic, not itself: {body}"
    );
    assert_eq!(
        app.kanri.store().head(None).await.unwrap(),
        head,
        "nothing stored"
    );
}

#[tokio::test]
async fn a_stale_edit_merges_other_fields_and_conflicts_on_the_same_one() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "Parser").await;
    let seen = issue(&app, 1).await.version;
    let (status, _) = set(&app, "bob", seen, "priority", "Highest").await;
    assert_eq!(status, 200);

    // alice saw the old version: another field merges…
    let (_, body) = set(&app, "alice", seen, "points", "5").await;
    assert_eq!(body["outcome"], "merged", "{body}");
    // …the same field is a conflict that names bob and the values.
    let (status, body) = set(&app, "alice", seen, "priority", "Low").await;
    assert_eq!(status, 200, "a conflict is an answer: {body}");
    assert_eq!(body["outcome"], "conflict", "{body}");
    let change = &body["changes"][0];
    assert_eq!(change["actor"], "bob");
    assert_eq!(change["change"]["old"], "Medium");
    assert_eq!(change["change"]["new"], "Highest");
    assert_eq!(issue(&app, 1).await.priority, Priority::Highest);

    // Re-confirmed against the current version, hers goes through.
    let current = body["current"]["state"]["version"].as_u64().unwrap();
    let (_, body) = set(&app, "alice", current, "priority", "Low").await;
    assert_eq!(body["outcome"], "accepted", "{body}");
    assert_eq!(issue(&app, 1).await.priority, Priority::Low);
    let history = app.get("/p/ABC/issues/ABC-1").await.text().await.unwrap();
    assert!(
        history.contains("had changed meanwhile"),
        "the conflict is in the history"
    );
}

#[tokio::test]
async fn comments_render_markdown_without_script_and_mentions_make_watchers() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "Parser").await;
    // bob takes part (assignee), so he can be mentioned.
    let version = issue(&app, 1).await.version;
    set(&app, "alice", version, "assignee", "bob").await;

    let nasty = "Hi @bob, see ABC-1 <script>alert('x')</script> \
                 [click](javascript:alert(1)) <img src=x onerror=alert(2)> **done**";
    let version = issue(&app, 1).await.version.to_string();
    let pairs = form(&[("issue", "ABC-1"), ("version", &version), ("body", nasty)]);
    let (status, body) = app.call_fn("carol", "add_comment", &pairs).await;
    assert_eq!(
        (status, &body["outcome"]),
        (200, &"accepted".into()),
        "{body}"
    );
    let i = issue(&app, 1).await;
    let c = &i.comments[&CommentNumber(1)];
    assert_eq!(
        (c.author.as_str(), c.body.as_str()),
        ("carol", nasty),
        "stored as typed"
    );
    let watchers: Vec<&str> = i.watchers.iter().map(UserName::as_str).collect();
    assert_eq!(watchers, ["bob", "carol"]);

    let html = app.get("/p/ABC/issues/ABC-1").await.text().await.unwrap();
    let comment = &html[html.find("data-testid=\"comments\"").unwrap()..];
    assert!(comment.contains("&lt;script&gt;"), "script shown as text");
    assert!(!comment.contains("<script>alert"), "never as an element");
    assert!(!comment.contains("<img"), "no image element");
    assert!(
        !comment.contains("href=\"javascript"),
        "no script link: {comment}"
    );
    // (Leptos puts `<!>` hydration markers between text nodes.)
    assert!(comment.contains("<strong>done"), "{comment}");
    assert!(comment.contains("<span data-user=\"bob\" class=\"mention\">@bob</span>"));
    assert!(comment.contains("href=\"/p/ABC/issues/ABC-1\""));

    // Only the author edits or deletes.
    let edit = |by: &'static str, text: &'static str| {
        let app = &app;
        async move {
            let version = issue(app, 1).await.version.to_string();
            let pairs = form(&[
                ("issue", "ABC-1"),
                ("version", &version),
                ("comment", "1"),
                ("body", text),
            ]);
            app.call_fn(by, "edit_comment", &pairs).await
        }
    };
    let (status, body) = edit("bob", "mine now").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["Rejected"]["NotTheAuthor"], "carol", "{body}");
    let (status, body) = edit("carol", "").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["body"]);
    let (status, _) = edit("carol", "Edited").await;
    assert_eq!(status, 200);
    let c = &issue(&app, 1).await.comments[&CommentNumber(1)];
    assert_eq!(c.body.as_str(), "Edited");
    assert!(c.edited.is_some());

    let version = issue(&app, 1).await.version.to_string();
    let pairs = form(&[("issue", "ABC-1"), ("version", &version), ("comment", "1")]);
    let (status, _) = app.call_fn("carol", "delete_comment", &pairs).await;
    assert_eq!(status, 200);
    let (status, body) = app.call_fn("carol", "delete_comment", &pairs).await;
    assert_eq!(
        (status, &body["outcome"]),
        (200, &"conflict".into()),
        "a stale second delete meets the first: {body}"
    );
    let version = issue(&app, 1).await.version.to_string();
    let pairs = form(&[("issue", "ABC-1"), ("version", &version), ("comment", "1")]);
    let (status, _) = app.call_fn("carol", "delete_comment", &pairs).await;
    assert_eq!(status, 404, "already gone");

    let watch = |on: &str| form(&[("issue", "ABC-1"), ("watch", on)]);
    let (status, _) = app.call_fn("dan", "watch_issue", &watch("true")).await;
    assert_eq!(status, 200);
    let (status, _) = app.call_fn("bob", "watch_issue", &watch("false")).await;
    assert_eq!(status, 200);
    let watchers: Vec<String> = issue(&app, 1)
        .await
        .watchers
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(watchers, ["carol", "dan"]);
}

#[tokio::test]
async fn links_children_and_epic_progress() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.create_issue("ABC", "Story one").await; // ABC-1
    app.create_issue("ABC", "Epic").await; // ABC-2
    let version = issue(&app, 2).await.version.to_string();
    let pairs = form(&[
        ("issue", "ABC-2"),
        ("version", &version),
        ("field", "type"),
        ("value", "Epic"),
    ]);
    assert_eq!(app.call_fn("alice", "update_field", &pairs).await.0, 200);

    // Two stories in the epic, one sub-task under the first one.
    for (parent, epic, title) in [
        ("ABC-2", "true", "Child A"),
        ("ABC-2", "true", "Child B"),
        ("ABC-3", "false", "Sub-task"),
    ] {
        let pairs = form(&[("parent", parent), ("epic", epic), ("title", title)]);
        let (status, body) = app.call_fn("alice", "create_child", &pairs).await;
        assert_eq!(status, 200, "{body}");
    }
    let state = app.state("ABC").await;
    let kinds: Vec<(IssueType, Option<u32>)> = (3..=5)
        .map(|n| {
            let i = &state.issues[&IssueNumber(n)];
            (i.issue_type, i.parent.map(|p| p.0))
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (IssueType::Story, Some(2)),
            (IssueType::Story, Some(2)),
            (IssueType::SubTask, Some(3))
        ]
    );
    let pairs = form(&[("parent", "ABC-5"), ("epic", "false"), ("title", "deeper")]);
    let (status, body) = app.call_fn("alice", "create_child", &pairs).await;
    assert_eq!(status, 409, "no sub-task of a sub-task: {body}");

    // Finish child A (3 points): the epic is half done, 3 of 8 points.
    for (n, points) in [(3, "3"), (4, "5")] {
        let version = issue(&app, n).await.version.to_string();
        let key = format!("ABC-{n}");
        let pairs = form(&[
            ("issue", &key),
            ("version", &version),
            ("field", "points"),
            ("value", points),
        ]);
        assert_eq!(app.call_fn("alice", "update_field", &pairs).await.0, 200);
    }
    app.execute("alice", "ABC", 0, move_to(IssueNumber(3), 4))
        .await
        .unwrap();
    let html = app.get("/p/ABC/issues/ABC-2").await.text().await.unwrap();
    assert!(
        html.contains("1 of 2 done · 3 of 8 points"),
        "epic progress"
    );

    // Links: ABC-1 blocks ABC-3, seen from both sides; then removed from ABC-3.
    let link =
        |kind: &str, target: &str| form(&[("issue", "ABC-1"), ("kind", kind), ("target", target)]);
    let (status, body) = app
        .call_fn("alice", "link_issue", &link("blocks", "ABC-3"))
        .await;
    assert_eq!(status, 200, "{body}");
    for (kind, target, expected) in [
        ("blocks", "ABC-1", 409),
        ("blocks", "ABC-99", 404),
        ("blocks", "XYZ-3", 422),
        ("owns", "ABC-3", 422),
    ] {
        let (status, body) = app
            .call_fn("alice", "link_issue", &link(kind, target))
            .await;
        assert_eq!(status, expected, "{kind} {target}: {body}");
    }
    let html = app.get("/p/ABC/issues/ABC-3").await.text().await.unwrap();
    assert!(html.contains("is blocked by"), "the inverse side");
    let pairs = form(&[
        ("issue", "ABC-3"),
        ("stored_on", "1"),
        ("kind", "blocks"),
        ("target", "3"),
    ]);
    let (status, _) = app.call_fn("bob", "unlink_issue", &pairs).await;
    assert_eq!(status, 200);
    assert!(app.state("ABC").await.links_of(IssueNumber(3)).is_empty());
    let (status, _) = app.call_fn("bob", "unlink_issue", &pairs).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn time_travel_shows_the_board_and_an_issue_as_they_were() {
    let app = spawn_app().await;
    let kanban = Command::CreateProject {
        key: key("ABC"),
        name: ProjectName::parse("Alpha").unwrap(),
        kind: ProjectKind::Kanban,
    };
    app.execute("alice", "ABC", 0, kanban).await.unwrap();
    app.add_member("ABC", "bob", Role::Member).await;
    app.create_issue("ABC", "Parser").await;
    let created = app.kanri.store().head(None).await.unwrap();
    app.execute("alice", "ABC", 1, rename(IssueNumber(1), "Parser v2"))
        .await
        .unwrap();
    let renamed = app.kanri.store().head(None).await.unwrap();
    app.execute("bob", "ABC", 2, move_to(IssueNumber(1), 4))
        .await
        .unwrap();
    app.create_issue("ABC", "Later").await;

    let at = |seq: u64| form(&[("key", "ABC"), ("at", &seq.to_string())]);
    let (status, body) = app.call_fn("alice", "project_as_of", &at(renamed)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["seq"], renamed);
    let issues = body["state"]["issues"].as_object().unwrap();
    assert_eq!(issues.len(), 1, "the later issue did not exist yet");
    assert_eq!(issues["1"]["status"], 1, "not moved yet");
    assert_eq!(issues["1"]["title"], "Parser v2");

    let issue_at = |seq: u64| form(&[("key", "ABC-1"), ("at", &seq.to_string())]);
    let (status, body) = app
        .call_fn("alice", "issue_as_of", &issue_at(created))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["detail"]["issue"]["title"], "Parser");
    assert_eq!(body["detail"]["history"].as_array().unwrap().len(), 1);
    assert_eq!(body["stops"].as_array().unwrap().len(), 3);
    let (status, _) = app.call_fn("alice", "issue_as_of", &issue_at(1)).await;
    assert_eq!(status, 404, "the issue did not exist yet");
    let html = app
        .get(&format!("/p/ABC/board?at={renamed}"))
        .await
        .text()
        .await
        .unwrap();
    let todo =
        &html[html.find("data-status=\"1\"").unwrap()..html.find("data-status=\"2\"").unwrap()];
    assert!(todo.contains("Parser v2"), "the card is still in To Do");
}
