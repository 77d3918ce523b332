//! 8 concurrent clients make 1,000 commands each on the same 20 cards of a
//! real SQLite file, each from its own (often stale) view of the versions.

use crate::common::*;
use kanri_domain::*;
use server::replay;
use std::collections::{BTreeMap, HashMap, HashSet};

const CLIENTS: u64 = 8;
const COMMANDS_PER_CLIENT: usize = 1_000;
const CARDS: u32 = 20;

/// A small deterministic generator, so a failure replays the same way.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

type Sent = (CommandEnvelope, Outcome);

async fn client(kanri: std::sync::Arc<server::service::Kanri>, n: u64) -> Vec<Sent> {
    let actor = user(&format!("client{n}"));
    let mut rng = Lcg(n + 1);
    let mut known: HashMap<IssueNumber, u64> = (1..=CARDS).map(|c| (IssueNumber(c), 1)).collect();
    let mut sent = Vec::with_capacity(COMMANDS_PER_CLIENT);
    for i in 0..COMMANDS_PER_CLIENT {
        let card = IssueNumber(1 + rng.next(CARDS as u64) as u32);
        let command = if rng.next(5) == 0 {
            rename(card, &format!("client {n} edit {i}"))
        } else {
            let after = match rng.next(CARDS as u64 + 1) {
                0 => None,
                a => Some(IssueNumber(a as u32)),
            };
            Command::MoveIssue {
                issue: card,
                to: StatusId(1 + rng.next(4) as u32),
                after,
            }
        };
        let envelope = CommandEnvelope {
            id: new_id(),
            project: key("ABC"),
            base_version: known[&card],
            command,
        };
        let outcome = kanri
            .execute(&actor, envelope.clone())
            .await
            .expect("no error under contention but real conflicts");
        // Learn the card's version from the answer, as a client would.
        match &outcome {
            Outcome::Accepted { events } | Outcome::Merged { events, .. } => {
                for e in events {
                    if let StreamRef::Issue(c) = e.stream {
                        known.insert(c, e.version);
                    }
                }
            }
            Outcome::Conflict {
                current: Some(Snapshot::Issue(issue)),
                ..
            } => {
                known.insert(card, issue.version);
            }
            Outcome::Conflict { .. } => panic!("a conflict on an existing card carries it"),
        }
        // Every 100th command is sent again, as after a lost response.
        if i % 100 == 99 {
            let again = kanri
                .execute(&actor, envelope.clone())
                .await
                .expect("a repeat is answered");
            assert_eq!(
                again, outcome,
                "a repeated command id gets the first answer"
            );
        }
        sent.push((envelope, outcome));
    }
    sent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_clients_moving_the_same_twenty_cards_lose_and_double_nothing() {
    let app = spawn_app().await;
    app.create_project("ABC", "Alpha").await;
    for n in 0..CLIENTS {
        app.add_member("ABC", &format!("client{n}"), Role::Member)
            .await;
    }
    for c in 0..CARDS {
        app.create_issue("ABC", &format!("Card {c}")).await;
    }
    let store = app.kanri.store();
    let setup_head = store.head(None).await.unwrap();

    let tasks: Vec<_> = (0..CLIENTS)
        .map(|n| tokio::spawn(client(app.kanri.clone(), n)))
        .collect();
    let mut sent: Vec<Sent> = Vec::new();
    for t in tasks {
        sent.extend(t.await.expect("client task"));
    }
    assert_eq!(sent.len(), CLIENTS as usize * COMMANDS_PER_CLIENT);

    let log = store
        .events_after(None, setup_head, u32::MAX)
        .await
        .unwrap();
    let by_seq: BTreeMap<u64, &Recorded> = log.iter().map(|r| (r.seq, r)).collect();

    // No lost and no duplicated events: the answers' events are exactly the log.
    let answered: Vec<&Recorded> = sent.iter().flat_map(|(_, o)| o.recorded()).collect();
    assert_eq!(
        answered.len(),
        log.len(),
        "every event in the log belongs to exactly one answer"
    );
    for rec in &answered {
        assert_eq!(
            by_seq.get(&rec.seq),
            Some(rec),
            "the answered event is in the log as answered"
        );
    }

    // Every command exactly once: its id marks exactly its events.
    let mut ids_in_log: HashMap<CommandId, usize> = HashMap::new();
    for r in &log {
        *ids_in_log.entry(r.command_id).or_default() += 1;
    }
    let (mut accepted, mut merged, mut conflicts) = (0, 0, 0);
    for (envelope, outcome) in &sent {
        assert_eq!(
            ids_in_log.get(&envelope.id).copied().unwrap_or(0),
            outcome.recorded().len()
        );
        match outcome {
            Outcome::Accepted { .. } => accepted += 1,
            Outcome::Merged { .. } => merged += 1,
            Outcome::Conflict { recorded, .. } => {
                // Every rejected command is recorded, as its author's attempt.
                conflicts += 1;
                let Event::ConflictRecorded { ref attempted, .. } = recorded.event else {
                    panic!("not a conflict: {recorded:?}")
                };
                let fields: Vec<Field> = attempted.iter().map(|a| a.field).collect();
                assert_eq!(
                    fields
                        .into_iter()
                        .collect::<std::collections::BTreeSet<_>>(),
                    envelope.command.fields()
                );
            }
        }
    }
    assert!(
        accepted > 0 && merged > 0 && conflicts > 0,
        "accepted {accepted}, merged {merged}, conflicts {conflicts}"
    );
    assert_eq!(
        ids_in_log.len(),
        sent.iter()
            .filter(|(_, o)| !o.recorded().is_empty())
            .count()
    );

    // Every stream's versions are contiguous from 1.
    let everything = store.events_after(None, 0, u32::MAX).await.unwrap();
    let mut versions: HashMap<StreamRef, Vec<u64>> = HashMap::new();
    for r in &everything {
        versions.entry(r.stream).or_default().push(r.version);
    }
    for (stream, v) in &versions {
        let expected: Vec<u64> = (1..=v.len() as u64).collect();
        assert_eq!(v, &expected, "versions of {stream:?}");
    }
    let seqs: HashSet<u64> = everything.iter().map(|r| r.seq).collect();
    assert_eq!(seqs.len(), everything.len());

    // The final projection equals the replay of the log.
    let report = replay::verify(store, app.db_path.with_extension("replay.db"))
        .await
        .unwrap();
    assert_eq!(report.first_difference, None);
    println!(
        "accepted {accepted}, merged {merged}, conflicts {conflicts}, events {}",
        log.len()
    );
}
