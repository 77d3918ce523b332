//! `./kanri bench store` (`cargo bench --bench store`): figures for the
//! event store on a real database: SQLite files, or with
//! `DATABASE_URL=postgres://…/postgres` databases this bench creates on that
//! server (and drops afterwards).
//!
//! - version-checked moves committed per second, one writer and 8 contending
//!   writers, with p50/p99 commit latency;
//! - the time to replay 1,000,000 events into fresh projections.
//!
//! Every run uses fresh databases.

use futures::StreamExt;
use kanri_domain::*;
use server::db::{Conn, DatabaseUrl, Db, Sql};
use server::hub::Hub;
use server::service::{Kanri, now_ms};
use server::store::{Store, rebuild_inline};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SINGLE_MOVES: usize = 20_000;
const WRITERS: usize = 8;
const MOVES_PER_WRITER: usize = 2_500;
const CARDS_PER_WRITER: u32 = 25;
const REPLAY_EVENTS: usize = 1_000_000;
const REPLAY_ISSUES: u32 = 1_000;

/// Where the bench's databases go.
enum Target {
    /// SQLite files in this directory.
    Sqlite(PathBuf),
    /// Databases created through this PostgreSQL URL (of an existing database).
    Postgres(String),
}

impl Target {
    /// A fresh database called `name`.
    async fn database(&self, name: &str) -> DatabaseUrl {
        match self {
            Self::Sqlite(dir) => DatabaseUrl::Sqlite(dir.join(format!("{name}.db"))),
            Self::Postgres(admin) => {
                let db = format!(
                    "kanri_bench_{}_{}",
                    name.replace('-', "_"),
                    std::process::id()
                );
                let pool = sqlx::PgPool::connect(admin)
                    .await
                    .expect("PostgreSQL answers");
                sqlx::query(&format!("DROP DATABASE IF EXISTS {db}"))
                    .execute(&pool)
                    .await
                    .expect("drop");
                sqlx::query(&format!("CREATE DATABASE {db}"))
                    .execute(&pool)
                    .await
                    .expect("a database is created");
                pool.close().await;
                let base = admin.rsplit_once('/').expect("a URL with a database").0;
                DatabaseUrl::Postgres(format!("{base}/{db}"))
            }
        }
    }

    async fn clean_up(&self) {
        match self {
            Self::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Self::Postgres(admin) => {
                let pool = sqlx::PgPool::connect(admin)
                    .await
                    .expect("PostgreSQL answers");
                let names: Vec<String> = sqlx::query_scalar(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'kanri_bench_%'",
                )
                .fetch_all(&pool)
                .await
                .unwrap_or_default();
                let own = format!("_{}", std::process::id());
                for name in names.iter().filter(|n| n.ends_with(&own)) {
                    let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                }
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let target = match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            println!(
                "Kanri event store benchmark (PostgreSQL at {}; {} cores)",
                server::db::redacted(&url),
                cores()
            );
            Target::Postgres(url)
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("kanri-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            println!(
                "Kanri event store benchmark (SQLite, WAL, synchronous=NORMAL; {} cores)",
                cores()
            );
            Target::Sqlite(dir)
        }
    };
    single_writer(&target.database("single").await).await;
    contending_writers(&target.database("one-project").await, false).await;
    contending_writers(&target.database("eight-projects").await, true).await;
    replay(&target).await;
    target.clean_up().await;
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

async fn service(database: &DatabaseUrl) -> Arc<Kanri> {
    let store = Store::new(Db::open(database).await.expect("database opens"));
    let hub = Arc::new(Hub::new(0, server::config::HUB_CAPACITY));
    Arc::new(Kanri::new(store, hub))
}

fn id() -> CommandId {
    CommandId(uuid::Uuid::new_v4())
}

fn actor(n: usize) -> UserName {
    UserName::parse(&format!("writer{n}")).expect("valid name")
}

async fn project(kanri: &Kanri, key: &ProjectKey, issues: u32) {
    let create = Command::CreateProject {
        key: key.clone(),
        name: ProjectName::parse("Bench").unwrap(),
        kind: ProjectKind::Kanban,
    };
    run(kanri, 0, key, 0, create).await;
    for n in 1..WRITERS {
        let join = Command::AddMember {
            user: actor(n),
            role: Role::Member,
        };
        // The project stream is at version n + 1: created, its admin, n - 1 members.
        run(kanri, 0, key, n as u64 + 1, join).await;
    }
    for i in 0..issues {
        let new = NewIssue::new(Title::parse(&format!("Card {i}")).unwrap(), IssueType::Task);
        run(kanri, 0, key, 0, Command::CreateIssue(new)).await;
    }
}

async fn run(kanri: &Kanri, who: usize, key: &ProjectKey, base: u64, command: Command) -> Outcome {
    let envelope = CommandEnvelope {
        id: id(),
        project: key.clone(),
        base_version: base,
        command,
    };
    kanri
        .execute(&actor(who), envelope)
        .await
        .expect("command runs")
}

/// Moves `card` to the next column at the top, based on `version`; returns the new version.
async fn move_once(
    kanri: &Kanri,
    who: usize,
    key: &ProjectKey,
    card: IssueNumber,
    version: u64,
    step: usize,
) -> u64 {
    let to = StatusId(1 + (step % 4) as u32);
    match run(
        kanri,
        who,
        key,
        version,
        Command::MoveIssue {
            issue: card,
            to,
            after: None,
        },
    )
    .await
    {
        Outcome::Accepted { events } | Outcome::Merged { events, .. } => {
            events.last().map_or(version, |e| e.version)
        }
        Outcome::Conflict { .. } => panic!("a writer with its own cards never conflicts"),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One writer moving its own cards `first..first + cards` in turn, `moves`
/// times, each move based on the version it saw; returns each commit's latency.
async fn writer(
    kanri: Arc<Kanri>,
    who: usize,
    key: ProjectKey,
    first: u32,
    cards: u32,
    moves: usize,
) -> Vec<Duration> {
    let mut versions: HashMap<u32, u64> = (first..first + cards).map(|n| (n, 1)).collect();
    let mut latencies = Vec::with_capacity(moves);
    for step in 0..moves {
        let card = first + (step as u32 % cards);
        let t = Instant::now();
        let v = move_once(
            &kanri,
            who,
            &key,
            IssueNumber(card),
            versions[&card],
            step / cards as usize,
        )
        .await;
        latencies.push(t.elapsed());
        versions.insert(card, v);
    }
    latencies
}

fn report(label: &str, moves: usize, elapsed: Duration, mut latencies: Vec<Duration>) {
    latencies.sort();
    println!(
        "{label:<26} {:>7.0} moves/s  ({moves} moves in {elapsed:.2?}; commit latency p50 {:.0?}, p99 {:.0?})",
        moves as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );
}

async fn single_writer(database: &DatabaseUrl) {
    let kanri = service(database).await;
    let key = ProjectKey::parse("ONE").unwrap();
    project(&kanri, &key, 20).await;
    let started = Instant::now();
    let latencies = writer(kanri, 0, key, 1, 20, SINGLE_MOVES).await;
    report("single writer:", SINGLE_MOVES, started.elapsed(), latencies);
}

/// 8 writers at once, each moving its own cards: on one project (they
/// contend for its lock) or on a project each (they contend for the database).
async fn contending_writers(database: &DatabaseUrl, own_projects: bool) {
    let kanri = service(database).await;
    let keys: Vec<ProjectKey> = (0..WRITERS)
        .map(|w| {
            ProjectKey::parse(&format!(
                "W{}",
                (b'A' + if own_projects { w as u8 } else { 0 }) as char
            ))
            .unwrap()
        })
        .collect();
    if own_projects {
        for k in &keys {
            project(&kanri, k, CARDS_PER_WRITER).await;
        }
    } else {
        project(&kanri, &keys[0], CARDS_PER_WRITER * WRITERS as u32).await;
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let first = if own_projects {
                1
            } else {
                1 + w as u32 * CARDS_PER_WRITER
            };
            tokio::spawn(writer(
                kanri.clone(),
                w,
                keys[w].clone(),
                first,
                CARDS_PER_WRITER,
                MOVES_PER_WRITER,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("writer"));
    }
    let label = if own_projects {
        "8 writers, a project each:"
    } else {
        "8 writers, one project:"
    };
    report(
        label,
        WRITERS * MOVES_PER_WRITER,
        started.elapsed(),
        latencies,
    );
}

/// Writes a log of `REPLAY_EVENTS` events (a project with 1,000 issues, then
/// moves, renames and re-ranks decided by the domain) straight into a database.
async fn write_log(database: &DatabaseUrl) {
    let db = Db::open(database).await.expect("database opens");
    let key = ProjectKey::parse("RPL").unwrap();
    let mut state = ProjectState::default();
    let mut events = vec![];
    let push =
        |state: &mut ProjectState, command: Command, events: &mut Vec<(StreamRef, u64, Event)>| {
            let context = Context::new(actor(0), UtcTime::from_unix_ms(0));
            for e in decide(state, &context, &command).expect("valid command") {
                let stream = e.stream();
                apply_mut(state, &e);
                events.push((stream, state.version_of(&stream), e));
            }
        };
    push(
        &mut state,
        Command::CreateProject {
            key: key.clone(),
            name: ProjectName::parse("Replay").unwrap(),
            kind: ProjectKind::Scrum,
        },
        &mut events,
    );
    for i in 0..REPLAY_ISSUES {
        let mut new = match new_issue_command(i) {
            Command::CreateIssue(n) => n,
            _ => unreachable!(),
        };
        new.points = Points::from_tenths(10 * (i % 8)).ok();
        push(&mut state, Command::CreateIssue(new), &mut events);
    }
    let mut step = 0u64;
    while events.len() < REPLAY_EVENTS {
        step += 1;
        let issue = IssueNumber(1 + (step * 7919 % REPLAY_ISSUES as u64) as u32);
        let command = match step % 10 {
            0 => Command::UpdateIssue {
                issue,
                patch: IssuePatch {
                    title: Some(Title::parse(&format!("Renamed {step}")).unwrap()),
                    ..Default::default()
                },
            },
            1 => Command::RankIssue {
                issue,
                after: Some(IssueNumber(1 + (step * 31 % REPLAY_ISSUES as u64) as u32)),
            },
            _ => Command::MoveIssue {
                issue,
                to: StatusId(1 + (step % 4) as u32),
                after: None,
            },
        };
        push(&mut state, command, &mut events);
    }
    events.truncate(REPLAY_EVENTS);

    let at = now_ms();
    let mut tx = db.begin().await.unwrap();
    for (n, chunk) in events.chunks(1_000).enumerate() {
        let mut q = Sql::new(
            "INSERT INTO events (seq, project, stream, version, event_type, schema_version, payload, actor, at_ms, command_id) ",
        );
        q.push_values(chunk.iter().enumerate(), |b, (i, (stream, version, e))| {
            b.bind((n * 1_000 + i + 1) as i64)
                .bind("RPL")
                .bind(stream.id(&key))
                .bind(*version as i64)
                .bind(e.type_name())
                .bind(i64::from(SCHEMA_VERSION))
                .bind(serde_json::to_string(e).unwrap())
                .bind("writer0")
                .bind(at)
                .bind(uuid::Uuid::new_v4().to_string());
        });
        tx.conn().execute(&q).await.unwrap();
    }
    tx.commit().await.unwrap();
    db.close().await;
}

fn new_issue_command(i: u32) -> Command {
    Command::CreateIssue(NewIssue::new(
        Title::parse(&format!("Issue {i}")).unwrap(),
        IssueType::Story,
    ))
}

async fn replay(target: &Target) {
    let t = Instant::now();
    let log = target.database("log").await;
    write_log(&log).await;
    let written = t.elapsed();
    let source = Store::new(Db::open(&log).await.unwrap());
    let fresh = Db::open(&target.database("fresh").await).await.unwrap();

    let started = Instant::now();
    let count = match &fresh {
        Db::Sqlite(sqlite) => {
            let mut writer = sqlite.writer().await.unwrap();
            let mut tx = writer.begin().await.unwrap();
            let count = rebuild_inline(&mut Conn::Sqlite(&mut tx), source.all_events_prefetched())
                .await
                .expect("rebuild");
            tx.commit().await.unwrap();
            count
        }
        Db::Postgres(_) => {
            let mut tx = fresh.begin().await.unwrap();
            let count = rebuild_inline(&mut tx.conn(), source.all_events_prefetched())
                .await
                .expect("rebuild");
            tx.commit().await.unwrap();
            count
        }
    };
    let elapsed = started.elapsed();
    let history = fresh
        .fetch_all(&Sql::new("SELECT COUNT(*) FROM history"))
        .await
        .unwrap()[0]
        .int(0)
        .unwrap();

    // Reading and decoding alone, to show where the time goes.
    let t = Instant::now();
    let decoded = source
        .all_events()
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    let read_only = t.elapsed();
    println!(
        "replay:         {count} events into fresh projections in {elapsed:.2?} ({:.0} events/s; {history} history rows; \
         reading+decoding alone {read_only:.2?} for {decoded}; writing the log took {written:.2?})",
        count as f64 / elapsed.as_secs_f64()
    );
}
