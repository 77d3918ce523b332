//! Reading project keys that name no project leaves nothing in memory: the
//! service's cache holds the projects in use, not every key ever asked for.

use futures::StreamExt;

use kanri_domain::*;

use crate::common::*;

/// A valid-format project key that no test creates (`Q` + 9 letters).
fn random_key(rng: &mut u64) -> ProjectKey {
    let letters: String = std::iter::once('Q')
        .chain((0..9).map(|_| {
            // xorshift64: seeded and repeatable, no dependency.
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            char::from(b'A' + (*rng % 26) as u8)
        }))
        .collect();
    ProjectKey::parse(&letters).expect("a valid key")
}

/// Service reads of random keys: far more than a cache that kept them
/// could hide (each would leave an entry).
const READS: usize = 20_000;

#[tokio::test]
async fn reading_unknown_keys_does_not_grow_the_cache() {
    let app = spawn_app().await;
    app.create_project("ABC", "Apollo").await;
    app.create_issue("ABC", "First").await;
    let real = app.kanri.cached_projects();
    assert_eq!(real, 1, "the one real project is cached");

    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    let keys: Vec<ProjectKey> = (0..READS).map(|_| random_key(&mut rng)).collect();
    let kanri = app.kanri.clone();
    let found = futures::stream::iter(keys)
        .map(|k| {
            let kanri = kanri.clone();
            async move { kanri.read(&k, |_, _| ()).await.expect("a read") }
        })
        .buffer_unordered(16)
        .filter(|r| std::future::ready(r.is_some()))
        .count()
        .await;
    assert_eq!(found, 0, "no random key names a project");
    assert_eq!(
        app.kanri.cached_projects(),
        real,
        "after {READS} service reads"
    );

    // Through HTTP too, as the signed-in admin.
    let cookie = app.session("alice").await;
    let mut rng = 0xD1B5_4A32_D192_ED03_u64;
    for _ in 0..2_000 {
        let k = random_key(&mut rng);
        let res = app
            .client
            .get(format!("{}/api/v1/projects/{k}", app.address))
            .header("Cookie", &cookie)
            .send()
            .await
            .expect("the app answers");
        assert!(res.status().is_client_error(), "{k}: {}", res.status());
    }
    assert_eq!(app.kanri.cached_projects(), real, "after 2,000 HTTP reads");

    // The real project is still there, and still cached.
    assert_eq!(app.state("ABC").await.issues.len(), 1);
    assert_eq!(app.kanri.cached_projects(), real);
}

/// A read of a key that names no project yet, racing the command that
/// creates it: the project is created exactly once and stays cached.
#[tokio::test]
async fn a_create_racing_reads_of_the_same_key_is_serialized() {
    let app = spawn_app().await;
    for round in 0..20 {
        let k = format!("RACE{}", char::from(b'A' + round));
        let create = |admin: &'static str| {
            let app = &app;
            let k = k.clone();
            async move {
                let command = Command::CreateProject {
                    key: key(&k),
                    name: ProjectName::parse("Race").unwrap(),
                    kind: ProjectKind::Scrum,
                };
                app.execute(admin, &k, 0, command).await
            }
        };
        let reads = futures::future::join_all((0..8).map(|_| {
            let kanri = app.kanri.clone();
            let k = key(&k);
            async move { kanri.read(&k, |_, _| ()).await.expect("a read") }
        }));
        let (a, b, _) = tokio::join!(create("alice"), create("bob"), reads);
        let created = [&a, &b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(created, 1, "round {round}: {a:?} / {b:?}");
        let state = app.state(&k).await;
        assert_eq!(state.project.expect("created").members.len(), 1);
    }
    assert_eq!(app.kanri.cached_projects(), 20);
}
