//! What the benches that drive the real release server share: starting it
//! as a child process on a free loopback port with a fresh database,
//! signing up the bench's user, running commands, percentiles.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub addr: String,
    /// The signed-in session of the bench's user, who creates the boards.
    pub cookie: String,
    _dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The database the servers use: a fresh one on the PostgreSQL server of
/// `DATABASE_URL`, or an SQLite file.
pub async fn fresh_database(bench: &str) -> String {
    let database = match std::env::var("DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let name = format!("kanri_{bench}_{}", std::process::id());
            let pool = sqlx::PgPool::connect(&admin)
                .await
                .expect("PostgreSQL answers");
            for sql in [
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ] {
                sqlx::query(&sql)
                    .execute(&pool)
                    .await
                    .expect("a fresh database");
            }
            pool.close().await;
            format!(
                "{}/{name}",
                admin.rsplit_once('/').expect("a URL with a database").0
            )
        }
        _ => {
            // In node a's directory, removed with it.
            let dir = std::env::temp_dir().join(format!("kanri-{bench}-{}-a", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/bench.db", dir.display())
        }
    };
    println!("server database: {}", server::db::redacted(&database));
    database
}

/// Node `id` of the release server on `database`; `cookie` is a session
/// of the bench's user (signed up here if empty: sessions are shared).
pub async fn start_node(bench: &str, database: &str, id: &str, cookie: &str) -> Server {
    let bin =
        std::env::var("KANRI_SERVER_BIN").unwrap_or_else(|_| "target/release/kanri-server".into());
    let dir = std::env::temp_dir().join(format!("kanri-{bench}-{}-{id}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(&bin)
        .env("KANRI_ADDR", &addr)
        .env("DATABASE_URL", database)
        .env("KANRI_NODE_ID", id)
        .env("RUST_LOG", "warn")
        .env("KANRI_NO_DEMO", "1")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin}: {e} (build it with cargo leptos build --release)")
        });
    let mut server = Server {
        child,
        addr,
        cookie: cookie.to_owned(),
        _dir: dir,
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client
            .get(format!("http://{}/healthz", server.addr))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            if server.cookie.is_empty() {
                server.cookie = sign_up(&client, &server.addr).await;
            }
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not come up");
}

/// Signs up the bench's user; its session cookie (`kanri_session=…`).
pub async fn sign_up(client: &reqwest::Client, addr: &str) -> String {
    let res = client
        .post(format!("http://{addr}/auth/sign-up"))
        .json(&serde_json::json!({
            "name": "bench", "email": "bench@example.test",
            "display_name": "Bench", "password": "correct horse battery staple",
        }))
        .send()
        .await
        .expect("the server answers");
    assert!(res.status().is_success(), "sign-up: {}", res.status());
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("kanri_session="))
        .expect("a session cookie");
    cookie.split(';').next().unwrap_or_default().to_owned()
}

/// Runs `command` as the bench's user; anything but an accepted command
/// stops the bench (a figure over refused writes would mean nothing).
pub async fn execute(
    client: &reqwest::Client,
    server: &Server,
    project: &str,
    base: u64,
    command: serde_json::Value,
) -> serde_json::Value {
    let envelope = serde_json::json!({ "envelope": {
        "id": uuid::Uuid::new_v4(), "project": project, "base_version": base, "command": command
    }});
    let res = client
        .post(format!("http://{}/api/fn/execute", server.addr))
        .header("Accept", "application/json")
        .header("Cookie", &server.cookie)
        .json(&envelope)
        .send()
        .await
        .expect("the server answers");
    let status = res.status();
    let outcome: serde_json::Value = res.json().await.expect("an outcome");
    assert!(
        status.is_success() && outcome["events"].is_array(),
        "{command}: {status} {outcome}"
    );
    outcome
}

/// The value at fraction `p` of `sorted` (NaN when empty).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
