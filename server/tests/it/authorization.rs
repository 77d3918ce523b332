//! Who may call what, as a table: every server function and every project
//! page, called by someone without a session, someone outside the project,
//! a viewer, a member and an admin. A server function missing from the
//! table fails the test, so a new one cannot slip in unchecked.

use std::collections::BTreeSet;

use kanri_domain::Role;
use serde_json::json;

use crate::common::*;

/// The least a caller needs for an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    /// Anyone, signed in or not.
    Anyone,
    /// Any signed-in account (not tied to one project).
    Account,
    Project(Role),
    /// A project's admins; anyone else is told it does not exist (404), so
    /// what the call asks about (e.g. whether a login names an account) is
    /// not theirs to learn.
    AdminElseHidden,
}

use Need::{Account, AdminElseHidden, Anyone, Project};

/// How the arguments travel: browser form or JSON.
enum Body {
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
}

/// The versions the arguments refer to, read from the prepared project.
pub(crate) struct Versions {
    pub(crate) project: u64,
    pub(crate) issue: u64,
    /// The last global sequence number: a moment when everything existed.
    pub(crate) head: u64,
    /// A share link of the project: its token and id.
    pub(crate) token: String,
    pub(crate) link: i64,
    /// An API token of the outsider (the first caller allowed to manage
    /// their own tokens): its id.
    pub(crate) api_token: i64,
    /// A webhook of the project (made for `delete_webhook` only): its id.
    pub(crate) webhook: i64,
}

fn form(pairs: &[(&str, &str)]) -> Body {
    Body::Form(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn work(issue: &str, version: &str, extra: &[(&str, &str)]) -> Body {
    let mut pairs = vec![("issue", issue), ("version", version)];
    pairs.extend_from_slice(extra);
    pairs.extend_from_slice(&[
        ("work[spent]", "1h"),
        ("work[started]", ""),
        ("work[comment]", ""),
        ("work[remaining]", "auto"),
        ("work[remaining_by]", ""),
    ]);
    form(&pairs)
}

/// Valid arguments for `endpoint` on project `p` (prepared by [`prepare`]):
/// a caller who is allowed gets a 2xx.
fn arguments(endpoint: &str, p: &str, v: &Versions) -> Body {
    let issue = format!("{p}-1");
    let (pv, iv) = (v.project.to_string(), v.issue.to_string());
    let (issue, pv, iv) = (issue.as_str(), pv.as_str(), iv.as_str());
    match endpoint {
        "projects" | "me" | "who_am_i" => form(&[]),
        "create_project" => form(&[("name", "Another"), ("key", &format!("{p}X"))]),
        "project" | "reports" | "timesheet" | "search" => form(&[("key", p)]),
        "issue" => form(&[("key", issue)]),
        "project_as_of" => form(&[("key", p), ("at", "1")]),
        "issue_as_of" => form(&[("key", issue), ("at", &v.head.to_string())]),
        "execute" => Body::Json(json!({ "envelope": {
            "id": uuid::Uuid::new_v4(),
            "project": p,
            "base_version": v.issue,
            "command": { "type": "update_issue", "issue": 1, "patch": { "points": 3 } },
        }})),
        "update_field" => form(&[
            ("issue", issue),
            ("version", iv),
            ("field", "title"),
            ("value", "Renamed"),
        ]),
        "add_comment" => form(&[("issue", issue), ("version", iv), ("body", "Hi")]),
        "edit_comment" => form(&[
            ("issue", issue),
            ("version", iv),
            ("comment", "1"),
            ("body", "Edited"),
        ]),
        "delete_comment" => form(&[("issue", issue), ("version", iv), ("comment", "1")]),
        "watch_issue" => form(&[("issue", issue), ("watch", "true")]),
        "link_issue" => form(&[
            ("issue", issue),
            ("kind", "relates_to"),
            ("target", &format!("{p}-2")),
        ]),
        "unlink_issue" => form(&[
            ("issue", issue),
            ("stored_on", "1"),
            ("kind", "blocks"),
            ("target", "2"),
        ]),
        "create_child" => form(&[("parent", issue), ("epic", "false"), ("title", "Sub")]),
        "save_filter" => form(&[
            ("project", p),
            ("name", "Open"),
            ("query", "assignee = bob"),
        ]),
        "delete_filter" => form(&[("project", p), ("name", "Mine")]),
        "add_member" => form(&[("project", p), ("login", "erin"), ("role", "viewer")]),
        "change_role" => form(&[("project", p), ("user", "dan"), ("role", "viewer")]),
        "remove_member" => form(&[("project", p), ("user", "dan")]),
        "create_sprint" => form(&[("project", p)]),
        "start_sprint" => form(&[
            ("project", p),
            ("sprint", "1"),
            ("version", "0"),
            ("start", "2026-11-23"),
            ("end", "2026-12-04"),
        ]),
        "complete_sprint" => form(&[
            ("project", p),
            ("sprint", "1"),
            ("version", "0"),
            ("open_to", ""),
        ]),
        "move_issues" => form(&[("project", p), ("issues[0]", "2"), ("sprint", "1")]),
        "share_links" => form(&[("project", p)]),
        "create_share_link" => form(&[("project", p), ("label", "Client"), ("expires", "")]),
        "revoke_share_link" => form(&[("project", p), ("id", &v.link.to_string())]),
        "shared_board" => form(&[("token", &v.token)]),
        "api_tokens" => form(&[]),
        "set_theme" => form(&[("theme", "dark")]),
        "change_password" => form(&[
            ("current_password", PASSWORD),
            ("new_password", "a brand new passphrase"),
            ("confirm_password", "a brand new passphrase"),
        ]),
        "webhooks" => form(&[("project", p)]),
        "create_webhook" => form(&[
            ("project", p),
            ("url", "http://localhost:9/hook"),
            ("events", "issue_created"),
        ]),
        "delete_webhook" => form(&[("project", p), ("id", &v.webhook.to_string())]),
        "create_api_token" => form(&[("name", "CI"), ("expires", "")]),
        "revoke_api_token" => form(&[("id", &v.api_token.to_string())]),
        "shared_issue" => form(&[("token", &v.token), ("issue", issue)]),
        "rank_issue" => form(&[("project", p), ("issue", "2"), ("after", "1")]),
        "create_backlog_issue" => form(&[("project", p), ("title", "New")]),
        "rename_project" => form(&[("project", p), ("version", pv), ("name", "Renamed")]),
        "configure_calendar" => form(&[
            ("project", p),
            ("version", pv),
            ("hours_per_day", "7"),
            ("days_per_week", "5"),
        ]),
        "update_column" => form(&[
            ("project", p),
            ("version", pv),
            ("status", "1"),
            ("name", "Ideas"),
            ("wip_limit", "3"),
        ]),
        "add_column" => form(&[
            ("project", p),
            ("version", pv),
            ("name", "Review"),
            ("category", "in_progress"),
        ]),
        "log_work" => work(issue, iv, &[]),
        "update_worklog" => work(issue, iv, &[("worklog", "1")]),
        "delete_worklog" => form(&[("issue", issue), ("version", iv), ("worklog", "1")]),
        other => panic!("no arguments for the server function {other}: add it to the table"),
    }
}

/// Every server function with what it needs.
const TABLE: &[(&str, Need)] = &[
    ("projects", Account),
    ("create_project", Account),
    ("me", Account),
    ("who_am_i", Anyone),
    // A visitor's choice is kept by the browser; a user's by the account too.
    ("set_theme", Anyone),
    ("project", Project(Role::Viewer)),
    ("issue", Project(Role::Viewer)),
    ("reports", Project(Role::Viewer)),
    ("timesheet", Project(Role::Viewer)),
    ("search", Project(Role::Viewer)),
    ("project_as_of", Project(Role::Viewer)),
    ("issue_as_of", Project(Role::Viewer)),
    ("execute", Project(Role::Member)),
    ("update_field", Project(Role::Member)),
    ("add_comment", Project(Role::Member)),
    ("edit_comment", Project(Role::Member)),
    ("delete_comment", Project(Role::Member)),
    ("watch_issue", Project(Role::Member)),
    ("link_issue", Project(Role::Member)),
    ("unlink_issue", Project(Role::Member)),
    ("create_child", Project(Role::Member)),
    ("save_filter", Project(Role::Member)),
    ("delete_filter", Project(Role::Member)),
    ("create_sprint", Project(Role::Member)),
    ("start_sprint", Project(Role::Member)),
    ("complete_sprint", Project(Role::Member)),
    ("move_issues", Project(Role::Member)),
    ("rank_issue", Project(Role::Member)),
    ("create_backlog_issue", Project(Role::Member)),
    ("log_work", Project(Role::Member)),
    ("update_worklog", Project(Role::Member)),
    ("delete_worklog", Project(Role::Member)),
    ("add_member", AdminElseHidden),
    ("change_role", Project(Role::Admin)),
    ("remove_member", Project(Role::Admin)),
    ("rename_project", Project(Role::Admin)),
    ("configure_calendar", Project(Role::Admin)),
    ("update_column", Project(Role::Admin)),
    ("add_column", Project(Role::Admin)),
    // Readers get `null` (tested with share links); admins the list.
    ("share_links", Project(Role::Viewer)),
    ("create_share_link", Project(Role::Admin)),
    ("revoke_share_link", Project(Role::Admin)),
    // Readers get `null`; admins the list.
    ("webhooks", Project(Role::Viewer)),
    ("create_webhook", Project(Role::Admin)),
    ("delete_webhook", Project(Role::Admin)),
    // Everyone's own tokens.
    ("api_tokens", Account),
    ("create_api_token", Account),
    ("revoke_api_token", Account),
    // One's own password, from a browser session.
    ("change_password", Account),
    // Anyone holding a live link's token (the arguments carry one).
    ("shared_board", Anyone),
    ("shared_issue", Anyone),
];

/// The callers: who they are in every prepared project.
pub(crate) const OUTSIDER: &str = "olga";
pub(crate) const VIEWER: &str = "carol";
pub(crate) const MEMBER: &str = "bob";
pub(crate) const ADMIN: &str = "alice";

/// A project where every endpoint has something to act on: two issues, a
/// comment and a worklog by the member, a link, a sprint, a saved filter.
/// For `complete_sprint`, the sprint is started.
pub(crate) async fn prepare(app: &TestApp, p: &str, endpoint: &str) -> Versions {
    app.create_project(p, "Guarded").await;
    app.set_role(p, VIEWER, Role::Viewer).await;
    for title in ["First", "Second"] {
        let (status, body) = app
            .call_fn(
                ADMIN,
                "create_backlog_issue",
                &[("project", p), ("title", title)],
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let issue = format!("{p}-1");
    let setup: [(&str, Body); 4] = [
        (
            "add_comment",
            form(&[("issue", &issue), ("version", "0"), ("body", "Mine")]),
        ),
        ("log_work", work(&issue, "0", &[])),
        (
            "link_issue",
            form(&[
                ("issue", &issue),
                ("kind", "blocks"),
                ("target", &format!("{p}-2")),
            ]),
        ),
        (
            "save_filter",
            form(&[
                ("project", p),
                ("name", "Mine"),
                ("query", "assignee = bob"),
            ]),
        ),
    ];
    for (endpoint, body) in setup {
        let (status, answer) = call(app, Some(MEMBER), endpoint, body).await;
        assert_eq!(status, 200, "setting up {endpoint}: {answer}");
    }
    let (status, answer) = app
        .call_fn(MEMBER, "create_sprint", &[("project", p)])
        .await;
    assert_eq!(status, 200, "{answer}");
    if endpoint == "complete_sprint" {
        let start = arguments(
            "start_sprint",
            p,
            &Versions {
                project: 0,
                issue: 0,
                head: 0,
                token: String::new(),
                link: 0,
                api_token: 0,
                webhook: 0,
            },
        );
        let (status, answer) = call(app, Some(MEMBER), "start_sprint", start).await;
        assert_eq!(status, 200, "{answer}");
    }
    let (token, link) = share(app, p).await;
    // Only the revocation needs a token of its own (an account holds at
    // most 50, fewer than there are server functions).
    let api_token = if endpoint == "revoke_api_token" {
        let (status, body) = app
            .call_fn(
                OUTSIDER,
                "create_api_token",
                &[("name", p), ("expires", "")],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["token"]["id"].as_i64().unwrap()
    } else {
        0
    };
    let webhook = if endpoint == "delete_webhook" {
        let (status, body) = app
            .call_fn(
                ADMIN,
                "create_webhook",
                &[
                    ("project", p),
                    ("url", "http://localhost:9/hook"),
                    ("events", ""),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["webhook"]["id"].as_i64().unwrap()
    } else {
        0
    };
    let (state, head) = app
        .kanri
        .project_state(&key(p))
        .await
        .unwrap()
        .expect("created");
    Versions {
        project: state.project.expect("created").version,
        issue: state.issues[&kanri_domain::IssueNumber(1)].version,
        head,
        token,
        link,
        api_token,
        webhook,
    }
}

/// A new share link of project `p`, made by its admin: (token, id).
pub async fn share(app: &TestApp, p: &str) -> (String, i64) {
    let (status, body) = app
        .call_fn(
            ADMIN,
            "create_share_link",
            &[("project", p), ("label", "Shared"), ("expires", "")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["path"].as_str().unwrap().trim_start_matches("/s/");
    (token.to_owned(), body["link"]["id"].as_i64().unwrap())
}

async fn call(app: &TestApp, who: Option<&str>, endpoint: &str, body: Body) -> (u16, String) {
    let mut request = app
        .client
        .post(format!("{}/api/fn/{endpoint}", app.address))
        .header("Accept", "application/json");
    if let Some(who) = who {
        request = request.header("Cookie", app.session(who).await);
    }
    request = match body {
        Body::Form(pairs) => request.form(&pairs),
        Body::Json(value) => request.json(&value),
    };
    let res = request.send().await.expect("the app answers");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// What `who` (with `role` in the project, if any) must get from an
/// endpoint that needs `need`: `Ok` for a 2xx, or the refusal's status.
fn expected(who: Option<&str>, role: Option<Role>, need: Need) -> Result<(), u16> {
    match (who, need, role) {
        (_, Anyone, _) => Ok(()),
        (None, _, _) => Err(401),
        (Some(_), Account, _) => Ok(()),
        (Some(_), AdminElseHidden, Some(Role::Admin)) => Ok(()),
        (Some(_), AdminElseHidden, _) => Err(404),
        (Some(_), Project(_), None) => Err(404),
        (Some(_), Project(need), Some(role)) if role < need => Err(403),
        _ => Ok(()),
    }
}

#[tokio::test]
async fn every_server_function_and_page_lets_in_exactly_the_roles_it_should() {
    let app = spawn_app().await;
    // Signed up first: argon2 is slow in debug builds.
    for who in [ADMIN, MEMBER, VIEWER, OUTSIDER, "dan", "erin"] {
        app.session(who).await;
    }

    // The table covers every registered server function, and only those.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/fn/").to_string())
        .collect();
    let listed: BTreeSet<String> = TABLE.iter().map(|(e, _)| e.to_string()).collect();
    assert_eq!(
        registered, listed,
        "the table must list every server function"
    );

    let callers: [(Option<&str>, Option<Role>); 5] = [
        (None, None),
        (Some(OUTSIDER), None),
        (Some(VIEWER), Some(Role::Viewer)),
        (Some(MEMBER), Some(Role::Member)),
        (Some(ADMIN), Some(Role::Admin)),
    ];
    let mut failures = Vec::new();
    for (n, (endpoint, need)) in TABLE.iter().enumerate() {
        // A fresh project per endpoint: an allowed call changes it.
        let p = format!("AZ{}", char::from(b'A' + n as u8 % 26)) + &"Q".repeat(n / 26);
        let versions = prepare(&app, &p, endpoint).await;
        // Refused callers first: they must change nothing, so the one
        // allowed call after them still finds what it acts on.
        let mut order = callers.to_vec();
        order.sort_by_key(|(who, role)| expected(*who, *role, *need).is_ok());
        let mut allowed_once = false;
        for (who, role) in order {
            let want = expected(who, role, *need);
            if want.is_ok() && allowed_once {
                continue; // the lowest allowed role has shown it passes
            }
            let (status, body) =
                call(&app, who, endpoint, arguments(endpoint, &p, &versions)).await;
            let ok = match want {
                Ok(()) => {
                    allowed_once = true;
                    (200..300).contains(&status)
                }
                Err(refused) => status == refused,
            };
            if !ok {
                failures.push(format!(
                    "{endpoint} as {}: want {want:?}, got {status}: {body}",
                    who.unwrap_or("nobody")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
