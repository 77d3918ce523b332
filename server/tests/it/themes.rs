//! The colour theme against the real server, on both engines: kept with
//! the account, carried to a browser by its sign-in, rendered into the
//! page's `<html>`, and nothing but the three names accepted.

use crate::common::*;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `kanri-theme` `Set-Cookie` line of a response, if it has one.
fn theme_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kanri-theme="))
        .map(str::to_owned)
}

async fn set_theme(app: &TestApp, cookie: &str, theme: &str) -> reqwest::Response {
    client()
        .post(format!("{}/api/fn/set_theme", app.address))
        .header("Accept", "application/json")
        .header("Cookie", cookie)
        .form(&[("theme", theme)])
        .send()
        .await
        .unwrap()
}

async fn sign_in(app: &TestApp, name: &str, cookie: &str) -> reqwest::Response {
    let res = client()
        .post(format!("{}/auth/sign-in", app.address))
        .header("Cookie", cookie)
        .json(&serde_json::json!({ "login": name, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> String {
    let res = client()
        .get(format!("{}{path}", app.address))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_theme_is_kept_with_the_account_and_rendered_into_each_page() {
    let app = spawn_app().await;
    let session = app.session("ada").await;

    let res = set_theme(&app, &session, "dark").await;
    assert_eq!(res.status(), 200);
    let line = theme_cookie(&res).expect("the browser keeps the choice");
    assert!(line.starts_with("kanri-theme=dark;"), "{line}");
    assert!(
        line.contains("Path=/") && line.contains("SameSite=Lax"),
        "{line}"
    );

    // Another browser: its sign-in brings the account's theme along, and
    // the server renders pages in it.
    let res = sign_in(&app, "ada", "").await;
    let line = theme_cookie(&res).expect("the sign-in sets the theme");
    assert!(line.starts_with("kanri-theme=dark;"), "{line}");
    let (other, _) = session_cookie(&res);
    let html = page(&app, "/", &format!("{other}; kanri-theme=dark")).await;
    assert!(
        html.contains(r#"<html lang="en" data-theme="dark""#),
        "{html:.300}"
    );
    let html = page(&app, "/", &other).await;
    assert!(
        html.contains(r#"<html lang="en">"#),
        "without the cookie, the device decides"
    );

    // Back to the device's choice: the next sign-in removes the cookie.
    assert_eq!(set_theme(&app, &session, "system").await.status(), 200);
    let line = theme_cookie(&sign_in(&app, "ada", "kanri-theme=dark").await).unwrap();
    assert!(line.contains("Max-Age=0"), "{line}");
}

#[tokio::test]
async fn anything_but_the_three_themes_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let session = app.session("ada").await;
    assert_eq!(set_theme(&app, &session, "light").await.status(), 200);
    for bad in [
        "",
        "Dark",
        "purple",
        "dark; Path=/admin",
        "dark\r\nSet-Cookie: x=1",
        &"d".repeat(10_000),
    ] {
        let res = set_theme(&app, &session, bad).await;
        assert_eq!(res.status(), 422, "{bad:.40}");
        assert!(theme_cookie(&res).is_none(), "{bad:.40}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(invalid_fields(&body), ["theme"], "{body}");
    }
    let line = theme_cookie(&sign_in(&app, "ada", "").await).unwrap();
    assert!(
        line.starts_with("kanri-theme=light;"),
        "the stored theme is intact: {line}"
    );

    // A forged cookie renders as no choice at all.
    let html = page(&app, "/login", "kanri-theme=%22%3E%3Cscript%3E").await;
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(!html.contains("<script>alert"));
}

#[tokio::test]
async fn a_visitor_chooses_for_the_browser_and_a_new_account_keeps_that_choice() {
    let app = spawn_app().await;
    // Not signed in: the browser gets the cookie, no account is touched.
    let res = set_theme(&app, "", "dark").await;
    assert_eq!(res.status(), 200);
    assert!(theme_cookie(&res).unwrap().starts_with("kanri-theme=dark;"));
    let html = page(&app, "/login", "kanri-theme=dark").await;
    assert!(html.contains(r#"<html lang="en" data-theme="dark""#));

    let res = client()
        .post(format!("{}/auth/sign-up", app.address))
        .header("Cookie", "kanri-theme=dark")
        .json(&serde_json::json!({
            "name": "grace", "email": "grace@example.test",
            "display_name": "Grace", "password": PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let line = theme_cookie(&sign_in(&app, "grace", "").await).unwrap();
    assert!(line.starts_with("kanri-theme=dark;"), "{line}");
}
