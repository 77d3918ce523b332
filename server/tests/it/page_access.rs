//! Who may open what: every page route for a stranger, an outsider and a
//! reader, and the board socket for readers and live share links only.

use std::collections::BTreeSet;

use crate::authorization::{ADMIN, MEMBER, OUTSIDER, VIEWER, prepare};
use crate::common::*;

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
