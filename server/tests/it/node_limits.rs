//! Sign-in and sign-up limits are one count for all nodes: guesses spread
//! over nodes (or racing on them) are checked no more often than on one
//! node, and a node started later knows the lockout.

use futures::future::join_all;
use server::accounts::{PER_ACCOUNT_AND_ADDRESS, TrustedProxies};
use server::config::Config;
use server::db::DatabaseUrl;
use std::path::PathBuf;

use crate::account_limits::{Site, account, retry_after, sign_in_as};
use crate::common::*;
use crate::nodes::{node, until_listening};

const CLIENT: Option<&str> = Some("198.51.100.9");

/// Nodes with ids `ids` on one fresh database, `sign_ups_per_hour` each,
/// behind a proxy on 127.0.0.1 (the tests' own sign-ups come from there;
/// the clients below are forwarded from [`CLIENT`]).
async fn nodes_allowing(ids: &[&str], sign_ups_per_hour: usize) -> (DatabaseUrl, Vec<TestApp>) {
    let url = fresh_postgres().await;
    let mut nodes = Vec::new();
    for id in ids {
        let app = spawn_exactly(behind_proxy(&url, id, sign_ups_per_hour), PathBuf::new()).await;
        until_listening(&app).await;
        nodes.push(app);
    }
    (url, nodes)
}

fn behind_proxy(url: &DatabaseUrl, id: &str, sign_ups_per_hour: usize) -> Config {
    Config {
        sign_ups_per_hour,
        trusted_proxies: TrustedProxies::parse("127.0.0.1/32").unwrap(),
        ..node(url, id)
    }
}

#[tokio::test]
async fn parallel_guesses_over_two_nodes_are_checked_at_most_five_times() {
    let (url, nodes) = nodes_allowing(&["a", "b"], 20).await;
    let sites: Vec<Site> = nodes.iter().map(|n| Site::new(&n.address)).collect();
    let res = sites[0].post("/auth/sign-up", CLIENT, account("ada")).await;
    assert_eq!(res.status(), 200);
    let guesses = (0..60).map(|n| {
        let site = sites[n % 2].clone();
        async move {
            let guess = sign_in_as("ada", "a wrong guess!");
            site.post("/auth/sign-in", CLIENT, guess)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        (1..=PER_ACCOUNT_AND_ADDRESS).contains(&checked),
        "{checked} guesses were checked over two nodes"
    );
    // The rest: throttled, or past a node's hashing pool.
    let refused = statuses.iter().filter(|s| [429, 503].contains(*s)).count();
    assert_eq!(checked + refused, 60, "only 401, 429 and 503: {statuses:?}");

    // A node started after the guesses knows the lockout too.
    let late = spawn_exactly(behind_proxy(&url, "c", 20), PathBuf::new()).await;
    let right = Site::new(&late.address)
        .post("/auth/sign-in", CLIENT, sign_in_as("ada", PASSWORD))
        .await;
    assert_eq!(right.status(), 429, "locked out on the new node");
    assert!(retry_after(&right) > 60);
}

#[tokio::test]
async fn sign_ups_from_one_address_share_one_hourly_allowance_over_nodes() {
    let (_, nodes) = nodes_allowing(&["a", "b"], 2).await;
    let [a, b] = [Site::new(&nodes[0].address), Site::new(&nodes[1].address)];
    for (site, name) in [(&a, "ada"), (&b, "bob")] {
        let res = site.post("/auth/sign-up", CLIENT, account(name)).await;
        assert_eq!(res.status(), 200, "{name}: {}", res.text().await.unwrap());
    }
    for (site, name) in [(&a, "carol"), (&b, "dan")] {
        let res = site.post("/auth/sign-up", CLIENT, account(name)).await;
        assert_eq!(res.status(), 429, "{name}: the address had its two");
        assert!(retry_after(&res) > 3_000);
    }
    let carol = b
        .post("/auth/sign-in", CLIENT, sign_in_as("carol", PASSWORD))
        .await;
    assert_eq!(carol.status(), 401, "the refused sign-up created nothing");
}
