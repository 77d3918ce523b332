//! Account limits that hold under load and cannot be turned against users:
//! the sign-up share per address, the sign-in failure claim taken before
//! hashing, lockouts per account *and* address, trusted proxies, a safe
//! `next`, and the bounded hashing pool (on the real binary, by its RSS).

use futures::future::join_all;
use serde_json::{Value, json};
use server::accounts::{PER_ACCOUNT_AND_ADDRESS, SIGN_UPS_PER_HOUR, TrustedProxies};
use server::config::Config;
use std::time::{Duration, Instant};

use crate::common::process::ServerProcess;
use crate::common::*;

/// No redirects followed, and a wait long enough for argon2 in a debug
/// build under a parallel test run.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A server under test, and one HTTP client for it.
#[derive(Clone)]
pub(crate) struct Site {
    http: reqwest::Client,
    address: String,
}

impl Site {
    pub(crate) fn new(address: &str) -> Self {
        Self {
            http: client(),
            address: address.to_owned(),
        }
    }

    /// A JSON post, forwarded for the client at `from` if given.
    pub(crate) async fn post(
        &self,
        path: &str,
        from: Option<&str>,
        body: Value,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}{path}", self.address))
            .json(&body);
        if let Some(ip) = from {
            req = req.header("X-Forwarded-For", ip);
        }
        req.send().await.expect("the server answers")
    }
}

/// A server started with `change` applied to the test defaults; the
/// directory holds its database.
async fn spawn_config(change: impl FnOnce(Config) -> Config) -> (TestApp, tempfile_dir::TempDir) {
    let dir = tempfile_dir::TempDir::new();
    let config = Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"));
    (spawn_with(change(config)).await, dir)
}

/// A server that takes the client address from `X-Forwarded-For` when the
/// request comes from 127.0.0.1 (as from a reverse proxy there).
async fn behind_a_local_proxy() -> (TestApp, tempfile_dir::TempDir) {
    spawn_config(|config| Config {
        trusted_proxies: TrustedProxies::parse("127.0.0.1/32").unwrap(),
        ..config
    })
    .await
}

pub(crate) fn account(name: &str) -> Value {
    json!({
        "name": name,
        "email": format!("{name}@example.test"),
        "display_name": name,
        "password": PASSWORD,
    })
}

pub(crate) fn sign_in_as(login: &str, password: &str) -> Value {
    json!({ "login": login, "password": password })
}

pub(crate) fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds")
}

#[tokio::test]
async fn an_address_gets_its_share_of_sign_ups_per_hour_then_429_with_retry_after() {
    assert_eq!(SIGN_UPS_PER_HOUR, 20, "the documented default");
    let (app, _dir) = spawn_config(|config| Config {
        sign_ups_per_hour: 2,
        ..config
    })
    .await;
    let site = Site::new(&app.address);
    for name in ["ada", "bob"] {
        let res = site.post("/auth/sign-up", None, account(name)).await;
        assert_eq!(res.status(), 200, "signing up {name}");
    }
    let res = site.post("/auth/sign-up", None, account("carol")).await;
    assert_eq!(res.status(), 429);
    let wait = retry_after(&res);
    assert!((3_500..=3_600).contains(&wait), "an hour's wait: {wait}");
    let body: Value = res.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("too many sign-ups"), "{body}");

    // Without trusted proxies, a forwarded address is the client's own claim.
    let spoofed = site
        .post("/auth/sign-up", Some("198.51.100.7"), account("dan"))
        .await;
    assert_eq!(
        spoofed.status(),
        429,
        "X-Forwarded-For gives no fresh share"
    );
    let carol = site
        .post("/auth/sign-in", None, sign_in_as("carol", PASSWORD))
        .await;
    assert_eq!(carol.status(), 401, "the refused sign-up created nothing");
}

#[tokio::test]
async fn three_hundred_parallel_wrong_passwords_get_at_most_five_401s_then_a_lockout() {
    let app = spawn_app().await;
    app.session("ada").await;
    let site = Site::new(&app.address);
    let guesses =
        (0..300).map(|_| site.post("/auth/sign-in", None, sign_in_as("ada", "a wrong guess!")));
    let statuses: Vec<u16> = join_all(guesses)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let mut checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        (1..=PER_ACCOUNT_AND_ADDRESS).contains(&checked),
        "{checked} guesses were checked"
    );
    // The rest: throttled, or past the hashing pool (refused before a claim).
    let refused = statuses.iter().filter(|s| [429, 503].contains(*s)).count();
    assert_eq!(
        checked + refused,
        300,
        "only 401, 429 and 503: {statuses:?}"
    );
    // Guesses one at a time, until the address is locked out of ada: a
    // small pool may have refused the burst before its five were used.
    for _ in 0..=PER_ACCOUNT_AND_ADDRESS {
        let guess = sign_in_as("ada", "a wrong guess!");
        match site
            .post("/auth/sign-in", None, guess)
            .await
            .status()
            .as_u16()
        {
            401 => checked += 1,
            429 => break,
            other => panic!("a lone guess answered {other}"),
        }
    }
    assert_eq!(checked, PER_ACCOUNT_AND_ADDRESS, "checked in all");
    let right = site
        .post("/auth/sign-in", None, sign_in_as("ada", PASSWORD))
        .await;
    assert_eq!(right.status(), 429, "this address is locked out of ada");
    assert!(retry_after(&right) > 60);
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_owner_out_from_another() {
    let (app, _dir) = behind_a_local_proxy().await;
    let site = Site::new(&app.address);
    let (home, attacker) = (Some("198.51.100.20"), Some("203.0.113.66"));
    let res = site.post("/auth/sign-up", home, account("alice")).await;
    assert_eq!(res.status(), 200);
    for n in 0..20 {
        let guess = sign_in_as("alice", "guess number x");
        let res = site.post("/auth/sign-in", attacker, guess).await;
        let expected = if n < PER_ACCOUNT_AND_ADDRESS {
            401
        } else {
            429
        };
        assert_eq!(res.status(), expected, "guess {n}");
    }
    let right = sign_in_as("alice", PASSWORD);
    let res = site.post("/auth/sign-in", attacker, right.clone()).await;
    assert_eq!(res.status(), 429, "the guessing address stays locked");

    let res = site.post("/auth/sign-in", home, right).await;
    assert_eq!(res.status(), 200, "alice signs in from home");
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "alice");
}

/// A sign-in as ada with these headers; its status.
async fn sign_in_with(site: &Site, headers: &[(&str, &str)], password: &str) -> u16 {
    let mut req = site
        .http
        .post(format!("{}/auth/sign-in", site.address))
        .json(&sign_in_as("ada", password));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let xff = |ip| [("X-Forwarded-For", ip)];
    let wrong = "wrong guess!!";

    // No trusted proxies: the header is ignored, a spoofed hop buys nothing.
    let plain = spawn_app().await;
    plain.session("ada").await;
    let site = Site::new(&plain.address);
    for _ in 0..PER_ACCOUNT_AND_ADDRESS {
        assert_eq!(sign_in_with(&site, &xff("198.51.100.1"), wrong).await, 401);
    }
    assert_eq!(sign_in_with(&site, &xff("198.51.100.2"), wrong).await, 429);
    assert_eq!(
        sign_in_with(&site, &xff("198.51.100.3"), PASSWORD).await,
        429
    );

    // 127.0.0.1 trusted: the right-most untrusted hop is the client.
    let (proxied, _dir) = behind_a_local_proxy().await;
    proxied.session("ada").await;
    let site = Site::new(&proxied.address);
    for _ in 0..PER_ACCOUNT_AND_ADDRESS {
        assert_eq!(sign_in_with(&site, &xff("198.51.100.1"), wrong).await, 401);
    }
    assert_eq!(
        sign_in_with(&site, &xff("198.51.100.1"), PASSWORD).await,
        429
    );
    // What the client wrote before the proxy's hop does not count.
    let chain = xff("192.0.2.55, 198.51.100.1");
    assert_eq!(sign_in_with(&site, &chain, PASSWORD).await, 429);
    let forwarded = [("Forwarded", "for=198.51.100.1;proto=https")];
    assert_eq!(sign_in_with(&site, &forwarded, PASSWORD).await, 429);
    assert_eq!(
        sign_in_with(&site, &xff("198.51.100.2"), PASSWORD).await,
        200
    );
    let forwarded = [("Forwarded", "for=\"[2001:db8::7]:4711\"")];
    assert_eq!(sign_in_with(&site, &forwarded, PASSWORD).await, 200);
}

#[tokio::test]
async fn next_after_sign_in_is_a_path_on_this_site_or_home() {
    let (app, _dir) = behind_a_local_proxy().await;
    app.session("ada").await;
    let http = client();
    let long = format!("/{}", "a".repeat(10 * 1024));
    let cases = [
        ("/p/KEY/board?x=1", "/p/KEY/board?x=1"),
        ("/p/ABC/issues/ABC-7", "/p/ABC/issues/ABC-7"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/%09/evil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/\t/evil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\u{1}\r\nSet-Cookie: x=1", "/"),
        ("/caf\u{e9}", "/"),
        (long.as_str(), "/"),
    ];
    for (n, (next, expected)) in cases.into_iter().enumerate() {
        // A fresh forwarded address each, so no limit is in the way.
        let res = http
            .post(format!("{}/auth/sign-in", app.address))
            .header("X-Forwarded-For", format!("192.0.2.{n}"))
            .form(&[("login", "ada"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .expect("the server answers");
        assert_eq!(res.status(), 303, "next={next:?}");
        assert_eq!(res.headers()["location"], expected, "next={next:?}");
    }

    // The sign-in page does not carry a hostile next either.
    let page = http
        .get(format!("{}/login?next=%2F%2Fevil.example", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("evil.example"), "{page}");
}

/// Sign-ups then sign-ins, 500 at once each, from as many forwarded
/// addresses: the hashing pool answers 503 past its queue instead of
/// running 500 argon2 hashes (19 MiB each) at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_parallel_sign_ups_and_sign_ins_keep_the_server_small() {
    const BURST: usize = 500;
    const MAX_RSS_KIB: u64 = 300 * 1024;
    let mut server = ServerProcess::start(&[("KANRI_TRUSTED_PROXIES", "127.0.0.1/32")]);
    let site = Site::new(&server.address);
    server
        .wait_healthy(&site.http, Duration::from_secs(30))
        .await;
    let forwarded = |n: usize| format!("10.{}.{}.{}", n / 65_536 % 256, n / 256 % 256, n % 256);

    let sign_ups: Vec<_> = (0..BURST)
        .map(|n| {
            let (site, ip) = (site.clone(), forwarded(n));
            tokio::spawn(async move {
                let new = account(&format!("u{n}"));
                let res = site.post("/auth/sign-up", Some(&ip), new).await;
                (n, res.status().as_u16())
            })
        })
        .collect();
    let (answers, peak) = watch_rss(&mut server, sign_ups).await;
    assert!(
        peak < MAX_RSS_KIB,
        "RSS peaked at {peak} KiB during sign-ups"
    );
    assert!(
        answers.iter().all(|(_, s)| [200, 429, 503].contains(s)),
        "{answers:?}"
    );
    let created: Vec<usize> = answers
        .iter()
        .filter(|(_, s)| *s == 200)
        .map(|(n, _)| *n)
        .collect();
    assert!(!created.is_empty(), "some sign-ups went through");
    assert!(
        answers.iter().any(|(_, s)| *s == 503),
        "the pool refused some"
    );
    server
        .wait_healthy(&site.http, Duration::from_secs(10))
        .await;

    let sign_ins: Vec<_> = (0..BURST)
        .map(|n| {
            let (site, ip) = (site.clone(), forwarded(BURST + n));
            let login = format!("u{}", created[n % created.len()]);
            tokio::spawn(async move {
                let res = site
                    .post("/auth/sign-in", Some(&ip), sign_in_as(&login, PASSWORD))
                    .await;
                (n, res.status().as_u16())
            })
        })
        .collect();
    let (answers, peak) = watch_rss(&mut server, sign_ins).await;
    assert!(
        peak < MAX_RSS_KIB,
        "RSS peaked at {peak} KiB during sign-ins"
    );
    assert!(
        answers.iter().all(|(_, s)| [200, 429, 503].contains(s)),
        "{answers:?}"
    );
    assert!(
        answers.iter().any(|(_, s)| *s == 200),
        "some sign-ins went through"
    );
    server
        .wait_healthy(&site.http, Duration::from_secs(10))
        .await;
    server.assert_alive("the bursts");
}

/// Waits for every request, sampling the server's RSS meanwhile; the
/// answers and the highest RSS seen.
async fn watch_rss(
    server: &mut ServerProcess,
    requests: Vec<tokio::task::JoinHandle<(usize, u16)>>,
) -> (Vec<(usize, u16)>, u64) {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut peak = server.rss_kib();
    while !requests.iter().all(|r| r.is_finished()) {
        server.assert_alive("a burst of requests");
        peak = peak.max(server.rss_kib());
        assert!(
            Instant::now() < deadline,
            "the burst was not answered within 90 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let answers = join_all(requests)
        .await
        .into_iter()
        .map(|r| r.expect("no request panicked (each got an answer)"))
        .collect();
    (answers, peak.max(server.rss_kib()))
}
