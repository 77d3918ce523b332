//! Cross-site request forgery, body limits and security headers, against
//! the real server.

use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::*;

/// Renames project ABC as alice, with extra request headers.
async fn rename_as_alice(app: &TestApp, name: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let version = app.state("ABC").await.project.unwrap().version.to_string();
    let mut req = app
        .client
        .post(format!("{}/api/fn/rename_project", app.address))
        .header("Accept", "application/json")
        .header("Cookie", app.session("alice").await)
        .form(&[("project", "ABC"), ("version", &version), ("name", name)]);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.expect("the app answers");
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn project_name(app: &TestApp) -> String {
    app.state("ABC")
        .await
        .project
        .unwrap()
        .name
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn a_page_of_another_origin_cannot_change_anything() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let evil = [
        vec![("Origin", "https://evil.test")],
        vec![("Origin", "null")],
        // Same host name, another port: another origin.
        vec![("Origin", "http://127.0.0.1:1")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
    ];
    for headers in &evil {
        let (status, body) = rename_as_alice(&app, "Forged", headers).await;
        assert_eq!(status, 403, "{headers:?}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .starts_with("cross-site request refused"),
            "{body}"
        );
        assert_eq!(project_name(&app).await, "Apollo", "{headers:?}");
    }
    // A page of this origin, and a client that is no browser, pass.
    let own = format!("http://{host}");
    let (status, body) = rename_as_alice(
        &app,
        "Artemis",
        &[("Origin", &own), ("Sec-Fetch-Site", "same-origin")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(project_name(&app).await, "Artemis");
    let (status, body) = rename_as_alice(&app, "Gemini", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(project_name(&app).await, "Gemini");

    // Login forgery: signing the victim in to the attacker's account.
    let res = app
        .client
        .post(format!("{}/auth/sign-in", app.address))
        .header("Origin", "https://evil.test")
        .form(&[("login", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn a_board_socket_opens_only_for_pages_of_this_origin() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    let url = format!("{}/api/live/ABC", app.address.replace("http://", "ws://"));
    let cookie = app.session("alice").await;
    let request = |origin: &str| {
        let mut request = url.clone().into_client_request().unwrap();
        let headers = request.headers_mut();
        headers.insert("Cookie", cookie.parse().unwrap());
        headers.insert("Origin", origin.parse().unwrap());
        request
    };
    let Err(err) = tokio_tungstenite::connect_async(request("https://evil.test")).await else {
        panic!("a socket opened for another origin")
    };
    assert!(err.to_string().contains("403"), "{err}");
    let (_socket, res) = tokio_tungstenite::connect_async(request(&app.address))
        .await
        .expect("the socket opens for this origin");
    assert_eq!(res.status(), 101);
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_json_errors_and_store_nothing() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    let head = app.kanri.store().head(None).await.unwrap();
    let huge = "x".repeat(300 * 1024);
    let res = app
        .client
        .post(format!("{}/api/fn/create_backlog_issue", app.address))
        .header("Cookie", app.session("alice").await)
        .form(&[("project", "ABC"), ("title", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: serde_json::Value = res.json().await.expect("a JSON error");
    assert!(body["error"].is_string(), "{body}");
    assert_eq!(app.kanri.store().head(None).await.unwrap(), head);

    let res = app
        .client
        .post(format!("{}/auth/sign-up", app.address))
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.expect("a JSON error");
    assert!(body["error"].as_str().unwrap().contains("JSON"), "{body}");

    // An API address that names nothing: JSON too, not the HTML page.
    for res in [
        app.client
            .post(format!("{}/api/fn/no_such_function", app.address))
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/api/v0/nothing", app.address))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(res.status(), 404);
        let body: serde_json::Value = res.json().await.expect("a JSON error");
        assert_eq!(body["error"], "there is no such API endpoint");
    }
}

#[tokio::test]
async fn pages_carry_a_nonce_policy_and_every_answer_the_hardening_headers() {
    let app = spawn_app().await;
    let nonce_of = |res: &reqwest::Response| {
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
        let start = csp.find("'nonce-").expect("a nonce") + "'nonce-".len();
        csp[start..].split('\'').next().unwrap().to_owned()
    };
    let first = app.get("/").await;
    let nonce = nonce_of(&first);
    assert!(nonce.len() >= 22, "128 bits: {nonce}");
    let html = first.text().await.unwrap();
    // Every script on the page is one the policy lets run.
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts);
    assert_ne!(nonce_of(&app.get("/").await), nonce, "a nonce per answer");

    for path in ["/login", "/healthz", "/auth/me", "/no/such/page"] {
        let res = app.get(path).await;
        let headers = res.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}

#[tokio::test]
async fn the_offline_worker_is_served_fresh_with_a_policy_of_its_own() {
    let app = spawn_app().await;
    let res = app.get("/offline.js").await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    // It may fetch from this origin, and nothing else.
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; connect-src 'self'"
    );
    let script = res.text().await.unwrap();
    assert!(script.contains("addEventListener(\"fetch\""), "{script}");
    assert!(
        script.contains("/auth/sign-out"),
        "signing out forgets kept pages"
    );
}
