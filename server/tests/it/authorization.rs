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
struct Versions {
    project: u64,
    issue: u64,
    /// The last global sequence number: a moment when everything existed.
    head: u64,
    /// A share link of the project: its token and id.
    token: String,
    link: i64,
    /// An API token of the outsider (the first caller allowed to manage
    /// their own tokens): its id.
    api_token: i64,
    /// A webhook of the project (made for `delete_webhook` only): its id.
    webhook: i64,
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
const OUTSIDER: &str = "olga";
const VIEWER: &str = "carol";
const MEMBER: &str = "bob";
const ADMIN: &str = "alice";

/// A project where every endpoint has something to act on: two issues, a
/// comment and a worklog by the member, a link, a sprint, a saved filter.
/// For `complete_sprint`, the sprint is started.
async fn prepare(app: &TestApp, p: &str, endpoint: &str) -> Versions {
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
    let (status, body) = app
        .call_fn(
            OUTSIDER,
            "create_api_token",
            &[("name", p), ("expires", "")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let api_token = body["token"]["id"].as_i64().unwrap();
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

/// Who may open a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// Anyone: signing in and up.
    Public,
    /// Any account; strangers are sent to sign in.
    SignedIn,
    /// The project's readers; strangers sign in first, outsiders get 404.
    Reader,
    /// Anyone holding a live share link of the project.
    Link,
}

/// Every page route as the router lists it, who may open it, and where to
/// try it in the prepared project `PG` (`{token}`: its share link's).
const PAGES: &[(&str, Page, &str)] = &[
    ("/", Page::SignedIn, "/"),
    ("/login", Page::Public, "/login"),
    ("/signup", Page::Public, "/signup"),
    ("/account", Page::SignedIn, "/account"),
    ("/p/:key/board", Page::Reader, "/p/PG/board"),
    ("/p/:key/issues/:issue", Page::Reader, "/p/PG/issues/PG-1"),
    ("/p/:key/timesheet", Page::Reader, "/p/PG/timesheet"),
    ("/p/:key/backlog", Page::Reader, "/p/PG/backlog"),
    ("/p/:key/reports", Page::Reader, "/p/PG/reports"),
    ("/p/:key/search", Page::Reader, "/p/PG/search"),
    ("/p/:key/settings", Page::Reader, "/p/PG/settings"),
    ("/s/:token", Page::Link, "/s/{token}"),
    (
        "/s/:token/issues/:issue",
        Page::Link,
        "/s/{token}/issues/PG-1",
    ),
];

#[tokio::test]
async fn every_page_route_has_a_row_in_the_page_table() {
    let routes: BTreeSet<String> = server::routes::page_routes()
        .iter()
        .map(|r| {
            // Written `{key}` for axum; the table uses `:key`.
            r.path().replace('{', ":").replace('}', "")
        })
        .collect();
    let listed: BTreeSet<String> = PAGES.iter().map(|(r, ..)| r.to_string()).collect();
    assert_eq!(routes, listed, "the page table must list every page route");
}

#[tokio::test]
async fn every_page_opens_for_exactly_who_may_see_it() {
    let app = spawn_app().await;
    for who in [ADMIN, VIEWER, OUTSIDER] {
        app.session(who).await;
    }
    let versions = prepare(&app, "PG", "").await;
    assert!(versions.issue > 0);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    let get = |page: String, who: Option<&'static str>| {
        let (client, app) = (&client, &app);
        async move {
            let mut request = client.get(format!("{}{page}", app.address));
            if let Some(who) = who {
                request = request.header("Cookie", app.session(who).await);
            }
            let res = request.send().await.unwrap();
            let location = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned());
            let status = res.status().as_u16();
            (status, location, res.text().await.unwrap())
        }
    };
    let mut tried = Vec::new();
    for (_, access, at) in PAGES {
        let mut pages = vec![at.replace("{token}", &versions.token)];
        if *at == "/p/PG/board" {
            pages.push("/p/PG/board?at=3".into()); // time travel
        }
        for page in pages {
            let stranger = get(page.clone(), None).await;
            match access {
                Page::Public | Page::Link => {
                    assert_eq!(stranger.0, 200, "{page} without a session")
                }
                Page::SignedIn | Page::Reader => {
                    assert_eq!(stranger.0, 303, "{page} without a session");
                    let next = serde_urlencoded::to_string([("next", &page)]).unwrap();
                    assert_eq!(
                        stranger.1.as_deref(),
                        Some(format!("/login?{next}").as_str())
                    );
                }
            }
            if *access == Page::Reader {
                for (who, status) in [(OUTSIDER, 404), (VIEWER, 200)] {
                    let (got, _, html) = get(page.clone(), Some(who)).await;
                    assert_eq!(got, status, "{page} as {who}");
                    assert_eq!(html.contains("Guarded"), status == 200, "{page} as {who}");
                }
            }
            if *access == Page::Link {
                assert!(stranger.2.contains("Guarded"), "{page}");
            }
            if *access == Page::SignedIn {
                assert_eq!(get(page.clone(), Some(VIEWER)).await.0, 200, "{page}");
            }
            tried.push(page);
        }
    }
    assert_eq!(tried.len(), PAGES.len() + 1);
    // A share link's pages with a wrong token or issue are 404.
    let shared = format!("/s/{}", versions.token);
    for page in [
        format!("{shared}/issues/PG-99"),
        "/s/AAAAAAAAAAAAAAAAAAAAAA".to_string(),
        "/s/AAAAAAAAAAAAAAAAAAAAAA/issues/PG-1".to_string(),
    ] {
        let (status, _, html) = get(page.clone(), None).await;
        assert_eq!(status, 404, "{page}");
        assert!(!html.contains("Guarded"), "{page}");
    }
}

/// Opens project `p`'s board socket as `who` (or through a share link's
/// token): the HTTP status of the upgrade (101 when it opens).
pub async fn socket_status(app: &TestApp, p: &str, who: Option<&str>, token: Option<&str>) -> u16 {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut url = format!(
        "{}/api/live/{p}?after=0",
        app.address.replace("http://", "ws://")
    );
    if let Some(token) = token {
        url.push_str(&format!("&share={token}"));
    }
    let mut request = url.into_client_request().unwrap();
    if let Some(who) = who {
        request
            .headers_mut()
            .insert("Cookie", app.session(who).await.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, res)) => res.status().as_u16(),
        Err(Error::Http(res)) => res.status().as_u16(),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn board_sockets_open_for_readers_and_live_links_only() {
    let app = spawn_app().await;
    let versions = prepare(&app, "WS", "").await;
    prepare(&app, "WT", "").await;
    let rows: [(Option<&str>, Option<&str>, u16); 8] = [
        (None, None, 401),
        (Some(OUTSIDER), None, 404),
        (Some(VIEWER), None, 101),
        (Some(MEMBER), None, 101),
        (Some(ADMIN), None, 101),
        (None, Some(&versions.token), 101),
        (None, Some("AAAAAAAAAAAAAAAAAAAAAA"), 404),
        (None, Some("not-a-token"), 404),
    ];
    for (who, token, want) in rows {
        let got = socket_status(&app, "WS", who, token).await;
        assert_eq!(got, want, "{who:?} with {token:?}");
    }
    // A link opens its own project's socket only, and no outsider's.
    assert_eq!(
        socket_status(&app, "WT", None, Some(&versions.token)).await,
        404
    );
    assert_eq!(
        socket_status(&app, "WT", Some(OUTSIDER), Some(&versions.token)).await,
        404
    );
}
