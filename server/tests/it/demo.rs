//! The first-run demo workspace.

use kanri_domain::{IssueType, Role, SprintState, StatusCategory};
use server::config::Config;
use server::startup::Application;

use crate::common::*;

#[tokio::test]
async fn an_empty_database_gets_a_demo_workspace_once_and_its_passwords_work() {
    let dir = tempfile_dir::TempDir::new();
    let db = dir.0.join("kanri.db");
    let config = Config {
        demo: true,
        ..Config::new("127.0.0.1:0".parse().unwrap(), database_for(&db).await)
    };
    let app = Application::build(config.clone())
        .await
        .expect("the app starts");
    let accounts = app.demo_accounts().to_vec();
    let names: Vec<_> = accounts
        .iter()
        .map(|a| (a.name.as_str().to_owned(), a.role))
        .collect();
    assert_eq!(
        names,
        [
            ("alice".into(), Role::Admin),
            ("bob".into(), Role::Member),
            ("carol".into(), Role::Viewer)
        ]
    );
    assert!(accounts.iter().all(|a| a.password.len() == 16));
    assert_ne!(accounts[0].password, accounts[1].password);
    let kanri = app.kanri();
    let (state, _) = kanri
        .project_state(&key("DEMO"))
        .await
        .unwrap()
        .expect("project DEMO");
    let project = state.project.as_ref().unwrap();
    for (name, role) in &names {
        assert_eq!(project.role_of(&user(name)), Some(*role), "{name}");
    }
    let issues: Vec<_> = state.issues.values().collect();
    assert!((25..=40).contains(&issues.len()), "{} issues", issues.len());
    assert!(issues.iter().any(|i| i.issue_type == IssueType::Epic));
    let sprint = state.active_sprint().expect("an active sprint");
    assert_eq!(sprint.state, SprintState::Active);
    let in_sprint = state.sprint_issues(sprint.number);
    assert!(in_sprint.len() >= 10);
    let category = |i: &kanri_domain::Issue| project.status(i.status).map(|s| s.category);
    assert!(
        in_sprint
            .iter()
            .any(|i| category(i) == Some(StatusCategory::Done))
    );
    assert!(
        in_sprint
            .iter()
            .any(|i| category(i) == Some(StatusCategory::InProgress))
    );
    assert!(issues.iter().any(|i| !i.worklogs.is_empty()));
    // Stops at once, closing the database.
    app.run_until(async {}).await.unwrap();

    // The printed password signs in; a second start on the same database
    // creates nothing and shows no passwords.
    let app = spawn_with(config.clone()).await;
    let res = app
        .client
        .post(format!("{}/auth/sign-in", app.address))
        .json(&serde_json::json!({ "login": "bob", "password": accounts[1].password }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let head = app.kanri.store().head(None).await.unwrap();
    app.stop().await;
    let again = Application::build(config)
        .await
        .expect("the app starts again");
    assert!(again.demo_accounts().is_empty());
    assert_eq!(again.kanri().store().head(None).await.unwrap(), head);
}

#[tokio::test]
async fn tests_and_kanri_no_demo_start_empty() {
    let app = spawn_app().await;
    assert!(app.kanri.store().projects().await.unwrap().is_empty());
    assert_eq!(app.kanri.store().head(None).await.unwrap(), 0);
}
