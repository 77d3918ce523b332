//! Two servers on one database, both running the delivery worker (as
//! several nodes will): each attempt at a delivery is claimed by one of
//! them, so a receiver gets every delivery once per recorded attempt.

use super::{get, send, token};
use crate::common::*;
use serde_json::json;
use server::config::Config;
use server::webhooks::Backoff;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::webhooks::receiver;

/// Issues created per project.
const ISSUES: usize = 8;

fn node_config(file: std::path::PathBuf) -> Config {
    Config {
        webhook_backoff: Backoff {
            first_ms: 50,
            max_ms: 100,
            attempts: 5,
        },
        webhook_allow_private: true,
        // The projections are not what this test is about.
        run_subscribers: false,
        ..Config::new("127.0.0.1:0".parse().unwrap(), file)
    }
}

#[tokio::test]
async fn two_workers_on_one_database_send_each_attempt_once() {
    let dir = tempfile_dir::TempDir::new();
    let file = dir.0.join("kanri.db");
    let a = spawn_with(node_config(file.clone())).await;
    let b = spawn_with(node_config(file)).await;
    a.create_project("ABC", "Alpha").await;
    b.create_project("XYZ", "Xylophone").await;
    let t = token(&a, "alice").await;
    // Four refusals first: some deliveries are retried, by either worker.
    let (url, got) = receiver(4).await;
    let body = json!({ "url": url, "events": ["issue_created"] });
    let mut hooks = Vec::new();
    for (node, project) in [(&a, "ABC"), (&b, "XYZ")] {
        let path = format!("/api/v1/projects/{project}/webhooks");
        let created = send(node, "POST", &path, Some(&t), &[], Some(body.clone())).await;
        assert_eq!(created.status, 201, "{}", created.body);
        hooks.push((project, created.body["webhook"]["id"].as_i64().unwrap()));
    }
    // Appends on both nodes wake both workers, for both webhooks.
    for n in 0..ISSUES {
        for (node, project) in [(&a, "ABC"), (&b, "XYZ")] {
            let path = format!("/api/v1/projects/{project}/issues");
            let title = format!("Issue {n}");
            let res = send(
                node,
                "POST",
                &path,
                Some(&t),
                &[],
                Some(json!({ "title": title })),
            )
            .await;
            assert_eq!(res.status, 201, "{}", res.body);
        }
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    let attempts = loop {
        let mut attempts: HashMap<String, u64> = HashMap::new();
        let mut delivered = 0;
        for (project, id) in &hooks {
            let path = format!("/api/v1/projects/{project}/webhooks/{id}/deliveries");
            let log = get(&a, &path, &t).await;
            assert_eq!(log.status, 200, "{}", log.body);
            for d in log.body.as_array().unwrap() {
                assert_ne!(d["state"], "failed", "{d}");
                delivered += usize::from(d["state"] == "delivered");
                attempts.insert(d["id"].to_string(), d["attempts"].as_u64().unwrap());
            }
        }
        if delivered == 2 * ISSUES {
            break attempts;
        }
        assert!(
            Instant::now() < deadline,
            "{delivered} of {} delivered",
            2 * ISSUES
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let mut received: HashMap<String, u64> = HashMap::new();
    for (_, headers, _) in got.lock().unwrap().iter() {
        let id = headers["kanri-delivery"].to_str().unwrap().to_owned();
        *received.entry(id).or_default() += 1;
    }
    assert_eq!(
        received, attempts,
        "requests per delivery = its recorded attempts"
    );
    assert_eq!(attempts.values().sum::<u64>(), 2 * ISSUES as u64 + 4);
}
