//! The event log on PostgreSQL (a real server: the throwaway cluster that
//! `./kanri test` starts, named by KANRI_TEST_POSTGRES): appends to several
//! projects commit side by side, and a follower of the log never skips an
//! event that commits after a later one.

use kanri_domain::*;
use server::db::{Db, Sql};
use server::hub::Hub;
use server::service::Kanri;
use server::store::Store;
use std::collections::BTreeSet;
use std::sync::Arc;

async fn open_kanri() -> (Arc<Kanri>, Store) {
    let db = Db::open(&crate::common::fresh_postgres().await)
        .await
        .expect("PostgreSQL opens and migrates");
    let store = Store::new(db);
    let hub = Arc::new(Hub::new(0, server::config::HUB_CAPACITY));
    (Arc::new(Kanri::new(store.clone(), hub)), store)
}

fn admin() -> UserName {
    UserName::parse("alice").unwrap()
}

async fn run(kanri: &Kanri, key: &ProjectKey, command: Command) -> Outcome {
    let envelope = CommandEnvelope {
        id: CommandId(uuid::Uuid::new_v4()),
        project: key.clone(),
        base_version: 0,
        command,
    };
    kanri
        .execute(&admin(), envelope)
        .await
        .expect("command runs")
}

async fn create_project(kanri: &Kanri, key: &str) -> ProjectKey {
    let key = ProjectKey::parse(key).unwrap();
    let create = Command::CreateProject {
        key: key.clone(),
        name: ProjectName::parse("On Postgres").unwrap(),
        kind: ProjectKind::Kanban,
    };
    run(kanri, &key, create).await;
    key
}

fn new_issue(title: &str) -> Command {
    Command::CreateIssue(NewIssue::new(Title::parse(title).unwrap(), IssueType::Task))
}

/// What a follower reads from the start.
async fn seqs(store: &Store) -> Vec<u64> {
    let events = store.events_after(None, 0, 10_000).await.unwrap();
    events.iter().map(|r| r.seq).collect()
}

/// Every committed event, read past the follower's rule.
async fn committed(store: &Store) -> Vec<u64> {
    let rows = store
        .db()
        .fetch_all(&Sql::new("SELECT seq FROM events ORDER BY seq"))
        .await
        .unwrap();
    rows.iter().map(|r| r.int("seq").unwrap() as u64).collect()
}

/// Polls until a follower reads `want` (an append still in flight holds a
/// follower back a moment).
async fn follower_reads(store: &Store, want: &[u64]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got = seqs(store).await;
        if got == want {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the follower reads {want:?}, not {got:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_follower_waits_for_an_append_that_took_an_earlier_number() {
    let (kanri, store) = open_kanri().await;
    let slow = create_project(&kanri, "SLOW").await;
    let fast = create_project(&kanri, "FAST").await;
    let settled = committed(&store).await;
    follower_reads(&store, &settled).await;

    // An append to SLOW takes its number and stays open ...
    let Db::Postgres(pg) = store.db() else {
        unreachable!()
    };
    let mut open = pg.pool.begin().await.unwrap();
    let held: i64 = sqlx::query_scalar(
        "SELECT seq FROM kanri_append_events('SLOW', ARRAY['SLOW/project'], ARRAY[99::bigint], \
         ARRAY['x'], 2, ARRAY['{}'], 'alice', 0, 'c1')",
    )
    .fetch_one(&mut *open)
    .await
    .unwrap();
    // ... while one to FAST takes a later number and commits.
    let later = run(&kanri, &fast, new_issue("Later")).await;
    let later_seq = later.recorded().last().unwrap().seq;
    assert!(later_seq > held as u64);
    assert_eq!(
        seqs(&store).await,
        settled,
        "the later event waits while an earlier number is still open"
    );

    sqlx::query("ROLLBACK").execute(&mut *open).await.unwrap();
    drop(open);
    let mut expected = settled.clone();
    expected.push(later_seq);
    assert_eq!(
        committed(&store).await,
        expected,
        "a rolled-back number is a gap"
    );
    follower_reads(&store, &expected).await;
    let _ = slow;
}

#[tokio::test]
async fn an_append_in_flight_in_another_database_holds_no_follower_back() {
    let (kanri, store) = open_kanri().await;
    let (_, elsewhere) = open_kanri().await;
    create_project(&kanri, "HERE").await;
    let Db::Postgres(other) = elsewhere.db() else {
        unreachable!()
    };
    let mut open = other.pool.begin().await.unwrap();
    sqlx::query(
        "SELECT seq FROM kanri_append_events('THERE', ARRAY['THERE/project'], ARRAY[1::bigint], \
         ARRAY['x'], 2, ARRAY['{}'], 'alice', 0, 'c2')",
    )
    .fetch_one(&mut *open)
    .await
    .unwrap();
    let here = ProjectKey::parse("HERE").unwrap();
    run(&kanri, &here, new_issue("Seen at once")).await;
    let all = committed(&store).await;
    assert_eq!(
        seqs(&store).await,
        all,
        "another database's open append does not hold this log back"
    );
    sqlx::query("ROLLBACK").execute(&mut *open).await.unwrap();
}

#[tokio::test]
async fn concurrent_appends_to_several_projects_reach_a_follower_once_and_in_order() {
    let (kanri, store) = open_kanri().await;
    let mut keys = Vec::new();
    for key in ["ALPHA", "BRAVO", "CHARLY", "DELTA"] {
        keys.push(create_project(&kanri, key).await);
    }
    let writers: Vec<_> = keys
        .iter()
        .cloned()
        .map(|key| {
            let kanri = kanri.clone();
            tokio::spawn(async move {
                for i in 0..40 {
                    run(&kanri, &key, new_issue(&format!("Card {i}"))).await;
                }
            })
        })
        .collect();
    // The follower reads in pages while the writers run, as a socket resume would.
    let mut seen = Vec::new();
    let mut after = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let page = store.events_after(None, after, 7).await.unwrap();
        for r in &page {
            seen.push(r.seq);
            after = r.seq;
        }
        if writers.iter().all(|w| w.is_finished()) && seen.len() >= 4 * 2 + 4 * 40 {
            break;
        }
        if page.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        assert!(std::time::Instant::now() < deadline, "the writers finish");
    }
    for w in writers {
        w.await.unwrap();
    }
    let in_log = committed(&store).await;
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order, once");
    assert_eq!(seen, in_log, "the follower saw every event of the log");
    let unique: BTreeSet<_> = in_log.iter().collect();
    assert_eq!(unique.len(), in_log.len());
    assert!(
        in_log.len() >= 4 * 40 + 4,
        "every card and project is in the log"
    );
    for key in &keys {
        let state = store.load_project(key).await.unwrap().0.unwrap();
        assert_eq!(state.issues.len(), 40, "{key}: every card is projected");
    }
}

#[tokio::test]
async fn the_log_refuses_update_delete_and_truncate() {
    let (kanri, store) = open_kanri().await;
    create_project(&kanri, "KEEP").await;
    for statement in [
        "UPDATE events SET actor = 'mallory'",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let err = store
            .db()
            .execute(&Sql::new(statement))
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    assert_eq!(committed(&store).await, vec![1, 2], "nothing was lost");
}

/// A move of `card` to column 2, 3 or 4 by `step` (never where it is), based on `version`.
fn move_card(key: &ProjectKey, card: IssueNumber, version: u64, step: u32) -> CommandEnvelope {
    CommandEnvelope {
        id: CommandId(uuid::Uuid::new_v4()),
        project: key.clone(),
        base_version: version,
        command: Command::MoveIssue {
            issue: card,
            to: StatusId(2 + step % 3),
            after: None,
        },
    }
}

/// 16 writers at once on one project, each moving its own card, every
/// fourth command sent twice at the same moment (a retry racing its first
/// run): the commands share transactions (group commit), yet each is
/// answered with exactly its own events, once, at the versions it saw, and
/// the board sockets receive the log once and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commands_to_one_project_commit_together_each_answered_with_its_own_events() {
    const WRITERS: u32 = 16;
    const MOVES: u32 = 12;
    let (kanri, store) = open_kanri().await;
    let key = create_project(&kanri, "GROUP").await;
    for n in 0..WRITERS {
        run(&kanri, &key, new_issue(&format!("Card {n}"))).await;
    }
    let setup_head = store.head(None).await.unwrap();
    let mut board = kanri.hub().subscribe(&key);

    let writers: Vec<_> = (1..=WRITERS)
        .map(|n| {
            let (kanri, key) = (kanri.clone(), key.clone());
            tokio::spawn(async move {
                let card = IssueNumber(n);
                let mut answers = Vec::new();
                for step in 0..MOVES {
                    // Created at version 1, each move one more.
                    let version = 1 + u64::from(step);
                    let envelope = move_card(&key, card, version, step);
                    let actor = admin();
                    let outcome = if step % 4 == 3 {
                        let (first, again) = tokio::join!(
                            kanri.execute(&actor, envelope.clone()),
                            kanri.execute(&actor, envelope.clone())
                        );
                        let first = first.expect("the command runs");
                        assert_eq!(again.expect("its repeat is answered"), first);
                        first
                    } else {
                        kanri.execute(&actor, envelope.clone()).await.expect("runs")
                    };
                    let Outcome::Accepted { events } = &outcome else {
                        panic!("a writer alone on its card is never refused: {outcome:?}");
                    };
                    assert_eq!(events.len(), 1);
                    assert_eq!(events[0].version, version + 1, "its card's next version");
                    assert_eq!(events[0].command_id, envelope.id);
                    answers.push(events[0].clone());
                }
                answers
            })
        })
        .collect();
    let mut answered = Vec::new();
    for w in writers {
        answered.extend(w.await.expect("the writer finishes"));
    }
    answered.sort_by_key(|r| r.seq);

    let log = store
        .events_after(None, setup_head, u32::MAX)
        .await
        .unwrap();
    assert_eq!(answered, log, "the answers are exactly the log, each once");
    assert_eq!(log.len(), (WRITERS * MOVES) as usize);

    // The board's socket feed: the same events, once, in order, no gaps.
    let mut fed: Vec<Recorded> = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while fed.len() < log.len() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match tokio::time::timeout(left, board.recv()).await {
            Ok(Ok(server::hub::HubMessage::Events { prev, events })) => {
                assert_eq!(prev, fed.last().map_or(setup_head, |r| r.seq), "no gap");
                fed.extend(events.iter().cloned());
            }
            Ok(Ok(_)) => {}
            other => panic!("the feed ended before the log did: {other:?}"),
        }
    }
    assert_eq!(fed, log);

    // Several commands did share a transaction: the rows one transaction
    // inserted share its id (xmin; the commands' answers, as the events are
    // written in a subtransaction of their own).
    let shared =
        Sql::new("SELECT count(*) AS n FROM (SELECT xmin::text FROM commands WHERE project = ")
            .bind(key.as_str())
            .then(" GROUP BY 1 HAVING count(*) > 1) t");
    let rows = store.db().fetch_all(&shared).await.unwrap();
    let shared = rows[0].int("n").unwrap();
    assert!(shared > 0, "no two commands were committed together");

    let state = store.load_project(&key).await.unwrap().0.unwrap();
    for n in 1..=WRITERS {
        assert_eq!(state.issues[&IssueNumber(n)].version, 1 + MOVES as u64);
    }
}
