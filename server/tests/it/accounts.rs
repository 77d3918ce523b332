//! Accounts against the real server: sign-up, sign-in, sessions, the rate
//! limit and the generic error, over HTTP on 127.0.0.1.

use serde_json::{Value, json};

use crate::common::*;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", app.address))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn sign_up(app: &TestApp, name: &str, email: &str) -> reqwest::Response {
    let body = json!({ "name": name, "email": email, "display_name": "Ada Lovelace", "password": "correct horse battery" });
    post_json(app, "/auth/sign-up", body).await
}

async fn me(app: &TestApp, cookie: &str) -> (u16, Value) {
    let res = client()
        .get(format!("{}/auth/me", app.address))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn sign_up_starts_a_session_that_acts_for_the_user_until_sign_out() {
    let app = spawn_app().await;
    let res = sign_up(&app, "ada", "Ada@Example.com").await;
    assert_eq!(res.status(), 200);
    let (cookie, line) = session_cookie(&res);
    assert!(line.contains("HttpOnly"), "{line}");
    assert!(line.contains("SameSite=Lax"), "{line}");
    assert!(!line.contains("Secure"), "plain HTTP here: {line}");
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["name"], "ada");
    assert_eq!(profile["display_name"], "Ada Lovelace");
    assert!(
        profile.get("email").is_none(),
        "profiles never carry addresses"
    );

    let (status, body) = me(&app, &cookie).await;
    assert_eq!((status, &body["name"]), (200, &json!("ada")));

    // The session's user is the actor of what the request does, and the
    // creator of a project is its admin.
    let res = client()
        .post(format!("{}/api/fn/create_project", app.address))
        .header("Accept", "application/json")
        .header("Cookie", &cookie)
        .form(&[("key", "ADA"), ("name", "Engine")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let log = app
        .kanri
        .store()
        .events_after(Some(&key("ADA")), 0, 10)
        .await
        .unwrap();
    assert_eq!(log[0].actor.as_str(), "ada");
    assert_eq!(
        log[1].event,
        kanri_domain::Event::MemberAdded {
            user: user("ada"),
            role: kanri_domain::Role::Admin
        }
    );

    let res = client()
        .post(format!("{}/auth/sign-out", app.address))
        .header("Cookie", &cookie)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(me(&app, &cookie).await.0, 401, "the old cookie is dead");

    let stored = app
        .kanri
        .store()
        .db()
        .fetch_all(&server::db::Sql::new(
            "SELECT password_hash FROM users WHERE name = 'ada'",
        ))
        .await
        .unwrap()[0]
        .text(0)
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains("horse"));
}

#[tokio::test]
async fn sign_up_names_each_bad_field_and_refuses_taken_names_and_addresses() {
    let app = spawn_app().await;
    let bad = json!({ "name": "Ada!", "email": "ada", "display_name": "", "password": "short" });
    let res = post_json(&app, "/auth/sign-up", bad).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "name", "{body}");

    let short = json!({ "name": "ada", "email": "ada@example.com", "display_name": "Ada", "password": "short" });
    let body: Value = post_json(&app, "/auth/sign-up", short)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["field"], "password");
    assert_eq!(body["error"], "a password is 10–1000 characters (got 5)");

    assert_eq!(sign_up(&app, "ada", "ada@example.com").await.status(), 200);
    let res = sign_up(&app, "ada", "other@example.com").await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "name");
    let res = sign_up(&app, "ada2", "ADA@example.com").await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "email");
}

#[tokio::test]
async fn sign_in_errors_are_generic_and_an_account_locks_after_repeated_failures() {
    let app = spawn_app().await;
    assert_eq!(sign_up(&app, "ada", "ada@example.com").await.status(), 200);
    let attempt = |login: &'static str, password: &'static str| {
        post_json(
            &app,
            "/auth/sign-in",
            json!({ "login": login, "password": password }),
        )
    };

    let unknown = attempt("nobody@example.com", "whatever it is").await;
    assert_eq!(unknown.status(), 401);
    let unknown: Value = unknown.json().await.unwrap();
    let wrong = attempt("ada@example.com", "wrong password!").await;
    assert_eq!(wrong.status(), 401);
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(unknown, wrong, "nothing tells which accounts exist");
    assert_eq!(wrong["error"], "wrong e-mail or password");

    // By user name too; success clears the account's failures.
    let ok = attempt("ADA", "correct horse battery").await;
    assert_eq!(ok.status(), 200);
    let (cookie, _) = session_cookie(&ok);
    assert_eq!(me(&app, &cookie).await.1["name"], "ada");

    for _ in 0..server::accounts::PER_ACCOUNT_AND_ADDRESS {
        assert_eq!(
            attempt("ada@example.com", "guessing again").await.status(),
            401
        );
    }
    let locked = attempt("ada@example.com", "correct horse battery").await;
    assert_eq!(locked.status(), 429, "locked even with the right password");
    let body: Value = locked.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("try again in 15 minute"),
        "{body}"
    );
}

#[tokio::test]
async fn form_posts_redirect_to_a_safe_next_page_or_back_with_the_error() {
    let app = spawn_app().await;
    assert_eq!(sign_up(&app, "ada", "ada@example.com").await.status(), 200);
    let form = |password: &'static str, next: &'static str| {
        client()
            .post(format!("{}/auth/sign-in", app.address))
            .form(&[
                ("login", "ada@example.com"),
                ("password", password),
                ("next", next),
            ])
            .send()
    };
    let res = form("wrong password!", "/p/ABC/board").await.unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap();
    assert!(
        to.starts_with("/login?error=wrong+e-mail+or+password"),
        "{to}"
    );
    assert!(to.contains("next=%2Fp%2FABC%2Fboard"), "{to}");

    let res = form("correct horse battery", "/p/ABC/board").await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/p/ABC/board");
    for evil in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
        let res = client()
            .post(format!("{}/auth/sign-in", app.address))
            .form(&[
                ("login", "ada"),
                ("password", "correct horse battery"),
                ("next", evil),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/", "{evil} is not followed");
    }
}

#[tokio::test]
async fn the_sign_in_page_renders_on_the_server_with_the_error_escaped() {
    let app = spawn_app().await;
    let res = app
        .get("/login?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&login=ada&next=%2Fp%2FABC%2Fboard")
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"action="/auth/sign-in""#), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<script>alert(1)"),
        "user text is never markup"
    );
    assert!(
        html.contains(r#"value="/p/ABC/board""#),
        "the next page is kept"
    );

    // The top bar's profile comes from the session.
    let res = sign_up(&app, "ada", "ada@example.com").await;
    let (cookie, _) = session_cookie(&res);
    let res = client()
        .post(format!("{}/api/fn/who_am_i", app.address))
        .header("Accept", "application/json")
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["display_name"], "Ada Lovelace");
    let anonymous = client()
        .post(format!("{}/api/fn/who_am_i", app.address))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.json::<Value>().await.unwrap(), Value::Null);
}
