//! Project settings through their server functions: rename, columns and WIP
//! limits, the working calendar; bad input and stale versions.

use crate::common::*;
use kanri_domain::*;

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn project(app: &TestApp) -> Project {
    app.state("ABC").await.project.unwrap()
}

#[tokio::test]
async fn settings_change_the_project_and_refuse_bad_or_stale_input() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    app.set_role("ABC", "bob", Role::Admin).await;
    app.set_role("ABC", "carol", Role::Admin).await;
    let v = |p: &Project| p.version.to_string();

    let p = project(&app).await;
    let calendar = |hours: &str, days: &str, version: &str| {
        form(&[
            ("project", "ABC"),
            ("version", version),
            ("hours_per_day", hours),
            ("days_per_week", days),
        ])
    };
    let (status, body) = app
        .call_fn("alice", "configure_calendar", &calendar("6", "4", &v(&p)))
        .await;
    assert_eq!(status, 200, "{body}");
    let p = project(&app).await;
    assert_eq!(
        (p.calendar.hours_per_day(), p.calendar.days_per_week()),
        (6, 4)
    );
    for (hours, days, field) in [
        ("x", "5", "hours_per_day"),
        ("8", "", "days_per_week"),
        ("0", "5", "hours_per_day"),
    ] {
        let (status, body) = app
            .call_fn(
                "alice",
                "configure_calendar",
                &calendar(hours, days, &v(&p)),
            )
            .await;
        assert_eq!(status, 422, "{hours}/{days}: {body}");
        assert_eq!(invalid_fields(&body), [field], "{body}");
    }

    let column = |name: &str, limit: &str, version: &str| {
        form(&[
            ("project", "ABC"),
            ("version", version),
            ("status", "3"),
            ("name", name),
            ("wip_limit", limit),
        ])
    };
    let (status, body) = app
        .call_fn("alice", "update_column", &column("Review", "2", &v(&p)))
        .await;
    assert_eq!(status, 200, "{body}");
    let p = project(&app).await;
    let review = p.status(StatusId(3)).unwrap();
    assert_eq!(
        (review.name.as_str(), review.wip_limit),
        ("Review", Some(2))
    );
    let (status, body) = app
        .call_fn("alice", "update_column", &column("Review", "1000", &v(&p)))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), ["wip_limit"]);

    let add = |name: &str, category: &str, version: u64| {
        form(&[
            ("project", "ABC"),
            ("version", &version.to_string()),
            ("name", name),
            ("category", category),
        ])
    };
    let (status, body) = app
        .call_fn("alice", "add_column", &add("QA", "in_progress", p.version))
        .await;
    assert_eq!(status, 200, "{body}");
    let now = project(&app).await.version;
    let (status, body) = app
        .call_fn("alice", "add_column", &add("QA", "in_progress", now))
        .await;
    assert_eq!(status, 409, "a second QA column: {body}");
    let (status, _) = app
        .call_fn("alice", "add_column", &add("Later", "someday", now))
        .await;
    assert_eq!(status, 422);
    assert_eq!(project(&app).await.statuses.len(), 5);

    // Two people rename the project from the same version: the second is
    // told who renamed it, and nothing of theirs is applied.
    let p = project(&app).await;
    let rename = |name: &str| {
        form(&[
            ("project", "ABC"),
            ("version", &p.version.to_string()),
            ("name", name),
        ])
    };
    let (_, body) = app
        .call_fn("bob", "rename_project", &rename("Apollo"))
        .await;
    assert_eq!(body["outcome"], "accepted", "{body}");
    let (_, body) = app
        .call_fn("carol", "rename_project", &rename("Artemis"))
        .await;
    assert_eq!(body["outcome"], "conflict", "{body}");
    assert_eq!(body["changes"][0]["actor"], "bob");
    assert_eq!(project(&app).await.name.as_str(), "Apollo");
    // Settings are an admin's: a member is refused, and nothing changes.
    let p = project(&app).await;
    let (status, body) = app.call_fn("dan", "rename_project", &rename("Dan's")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(project(&app).await, p);
}
