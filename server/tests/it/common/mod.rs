//! Spawning the real application on 127.0.0.1:0 with a fresh database: an
//! SQLite file, or with `KANRI_TEST_DATABASE=postgres` a database of the
//! test cluster (`KANRI_TEST_POSTGRES`), so the same tests run on both
//! engines (`./kanri test` runs them twice).

pub mod process;

use kanri_domain::*;
use server::config::Config;
use server::service::Kanri;
use server::startup::Application;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    pub address: String,
    pub kanri: Arc<Kanri>,
    pub db_path: PathBuf,
    pub client: reqwest::Client,
    /// Session cookies by user name, signed up on first use.
    sessions: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
    _dir: Option<tempfile_dir::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

pub mod tempfile_dir {
    /// A directory removed on drop (the tests' own, to avoid a dependency).
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> Self {
            let dir = std::env::temp_dir().join(format!("kanri-test-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Self(dir)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile_dir::TempDir::new();
    let db_path = dir.0.join("kanri.db");
    let mut app = spawn_app_on(db_path, true).await;
    app._dir = Some(dir);
    app
}

/// Starts the app on an existing (or new) database file.
pub async fn spawn_app_on(db_path: PathBuf, run_subscribers: bool) -> TestApp {
    let config = Config {
        run_subscribers,
        ..Config::new("127.0.0.1:0".parse().unwrap(), db_path)
    };
    spawn_with(config).await
}

/// A fresh database of the test cluster (whatever the run's engine).
pub async fn fresh_postgres() -> server::db::DatabaseUrl {
    recreated(&format!("kanri_{}", uuid::Uuid::new_v4().simple())).await
}

/// Database `name` of the test cluster, dropped if it was there and created
/// empty; its URL.
async fn recreated(name: &str) -> server::db::DatabaseUrl {
    let admin = std::env::var("KANRI_TEST_POSTGRES")
        .expect("KANRI_TEST_POSTGRES names the test cluster (./kanri test starts one)");
    let pool = sqlx::PgPool::connect(&admin)
        .await
        .expect("the test cluster answers");
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(&sql).execute(&pool).await.expect(&sql);
    }
    pool.close().await;
    let base = admin.rsplit_once('/').expect("a URL with a database").0;
    server::db::DatabaseUrl::Postgres(format!("{base}/{name}"))
}

/// Whether this run is on PostgreSQL (`KANRI_TEST_DATABASE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("KANRI_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// The database standing for `file` in this run: the file itself on
/// SQLite; on PostgreSQL a database of the test cluster, the same one each
/// time a test names the same file (to restart the app on it).
pub async fn database_for(file: &std::path::Path) -> server::db::DatabaseUrl {
    static MADE: std::sync::Mutex<Vec<(PathBuf, server::db::DatabaseUrl)>> =
        std::sync::Mutex::new(Vec::new());
    if !on_postgres() {
        return server::db::DatabaseUrl::Sqlite(file.to_owned());
    }
    let made = MADE
        .lock()
        .expect("not poisoned")
        .iter()
        .find(|(f, _)| f == file)
        .map(|(_, u)| u.clone());
    if let Some(url) = made {
        return url;
    }
    let url = fresh_postgres().await;
    MADE.lock()
        .expect("not poisoned")
        .push((file.to_owned(), url.clone()));
    url
}

/// Starts the app with `config` (its address should be port 0), on the
/// database standing for its file in this run ([`database_for`]).
pub async fn spawn_with(mut config: Config) -> TestApp {
    // The file the test named: on PostgreSQL, where its scratch files go.
    let db_path = match &config.database {
        server::db::DatabaseUrl::Sqlite(file) => file.clone(),
        server::db::DatabaseUrl::Postgres(_) => PathBuf::new(),
    };
    if let server::db::DatabaseUrl::Sqlite(file) = &config.database {
        config.database = database_for(&file.clone()).await;
    }
    spawn_exactly(config, db_path).await
}

/// Starts the app on this SQLite file whatever the run's engine (a stored
/// fixture is an SQLite file).
pub async fn spawn_on_sqlite_file(file: PathBuf, run_subscribers: bool) -> TestApp {
    let config = Config {
        run_subscribers,
        ..Config::new("127.0.0.1:0".parse().unwrap(), file.clone())
    };
    spawn_exactly(config, file).await
}

/// Whether `needle` is stored anywhere in the app's database: its files on
/// SQLite, every row of every table (as text) on PostgreSQL.
pub async fn stored_anywhere(app: &TestApp, needle: &str) -> bool {
    use server::db::{Db, Sql};
    match app.kanri.store().db() {
        Db::Sqlite(_) => ["", "-wal"].iter().any(|suffix| {
            let bytes =
                std::fs::read(format!("{}{suffix}", app.db_path.display())).unwrap_or_default();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        }),
        db @ Db::Postgres(_) => {
            let tables = db
                .fetch_all(&Sql::new(
                    "SELECT table_schema || '.' || table_name FROM information_schema.tables \
                     WHERE table_schema IN ('public', 'tower_sessions') AND table_type = 'BASE TABLE'",
                ))
                .await
                .unwrap();
            for table in tables {
                let table = table.text(0).unwrap();
                let sql = Sql::new(format!(
                    "SELECT COUNT(*) FROM {table} t WHERE strpos(t::text, "
                ))
                .bind(needle)
                .then(") > 0");
                if db.fetch_all(&sql).await.unwrap()[0].int(0).unwrap() > 0 {
                    return true;
                }
            }
            false
        }
    }
}

/// Starts the app on exactly the database `config` names, whatever the run's engine.
pub async fn spawn_exactly(config: Config, db_path: PathBuf) -> TestApp {
    // Logs only on request (TEST_LOG=1), so test output stays readable.
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init();
    }
    let app = Application::build(config).await.expect("the app starts");
    let address = format!("http://{}", app.addr());
    let kanri = app.kanri();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        kanri,
        db_path,
        // A bounded wait, so a request that never gets an answer fails the
        // test with a message instead of hanging the suite.
        client: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .expect("an HTTP client"),
        sessions: Default::default(),
        _dir: None,
        stop: Some(stop),
        task: Some(task),
    }
}

impl TestApp {
    /// Stops the server gracefully and waits for it; keeps the database file.
    pub async fn stop(mut self) -> Option<tempfile_dir::TempDir> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server ran");
        }
        self._dir.take()
    }

    /// `GET {path}` on the app as alice (the admin of the projects tests
    /// create).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        let cookie = self.session("alice").await;
        self.client
            .get(format!("{}{path}", self.address))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("the app answers")
    }

    /// The `kanri_session=…` cookie of a signed-in session for `name`; the
    /// account (e-mail `{name}@example.test`, password [`PASSWORD`]) is
    /// signed up on first use (signed in if another node signed them up).
    pub async fn session(&self, name: &str) -> String {
        let mut sessions = self.sessions.lock().await;
        if let Some(cookie) = sessions.get(name) {
            return cookie.clone();
        }
        let res = self
            .client
            .post(format!("{}/auth/sign-up", self.address))
            .json(&serde_json::json!({
                "name": name,
                "email": format!("{name}@example.test"),
                "display_name": name,
                "password": PASSWORD,
            }))
            .send()
            .await
            .expect("the app answers");
        // Another node of the same database may have signed them up.
        let res = if res.status() == 409 {
            self.client
                .post(format!("{}/auth/sign-in", self.address))
                .json(&serde_json::json!({ "login": name, "password": PASSWORD }))
                .send()
                .await
                .expect("the app answers")
        } else {
            res
        };
        assert_eq!(res.status(), 200, "signing up or in {name}");
        let cookie = session_cookie(&res).0;
        sessions.insert(name.to_string(), cookie.clone());
        cookie
    }

    /// Calls a server function as a browser form does, acting as `actor`.
    pub async fn call_fn<F: serde::Serialize + ?Sized>(
        &self,
        actor: &str,
        function: &str,
        form: &F,
    ) -> (u16, serde_json::Value) {
        let cookie = self.session(actor).await;
        let res = self
            .client
            .post(format!("{}/api/fn/{function}", self.address))
            .header("Accept", "application/json")
            .header("Cookie", cookie)
            .form(form)
            .send()
            .await
            .expect("the app answers");
        (
            res.status().as_u16(),
            res.json().await.expect("a JSON answer"),
        )
    }

    pub async fn execute(
        &self,
        actor: &str,
        project: &str,
        base_version: u64,
        command: Command,
    ) -> Result<Outcome, server::service::ExecError> {
        let envelope = CommandEnvelope {
            id: new_id(),
            project: key(project),
            base_version,
            command,
        };
        self.kanri.execute(&user(actor), envelope).await
    }

    /// Creates a Scrum project as alice (its admin), with the rest of
    /// [`TEAM`] as members.
    pub async fn create_project(&self, k: &str, name: &str) {
        let command = Command::CreateProject {
            key: key(k),
            name: ProjectName::parse(name).unwrap(),
            kind: ProjectKind::Scrum,
        };
        self.execute("alice", k, 0, command)
            .await
            .expect("project created");
        for name in &TEAM[1..] {
            self.add_member(k, name, Role::Member).await;
        }
    }

    /// Gives member `name` of project `k` the `role`, as its admin alice.
    pub async fn set_role(&self, k: &str, name: &str, role: Role) {
        let command = Command::ChangeRole {
            user: user(name),
            role,
        };
        self.execute_at_head("alice", k, command).await;
    }

    /// Adds `name` to project `k` with `role`, as its admin alice.
    pub async fn add_member(&self, k: &str, name: &str, role: Role) {
        let command = Command::AddMember {
            user: user(name),
            role,
        };
        self.execute_at_head("alice", k, command).await;
    }

    /// Runs `command` as `actor` on its target's current version; it must pass.
    pub async fn execute_at_head(&self, actor: &str, project: &str, command: Command) -> Outcome {
        let envelope = CommandEnvelope {
            id: new_id(),
            project: key(project),
            base_version: 0,
            command,
        };
        let outcome = self
            .kanri
            .execute_at_head(&user(actor), envelope)
            .await
            .expect("the command runs");
        assert!(matches!(outcome, Outcome::Accepted { .. }), "{outcome:?}");
        outcome
    }

    pub async fn create_issue(&self, project: &str, title: &str) -> IssueNumber {
        match self
            .execute("alice", project, 0, new_issue(title))
            .await
            .expect("issue created")
        {
            Outcome::Accepted { events } => match events[0].event {
                Event::IssueCreated { issue, .. } => issue,
                ref other => panic!("unexpected {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        }
    }

    pub async fn state(&self, project: &str) -> ProjectState {
        self.kanri
            .project_state(&key(project))
            .await
            .unwrap()
            .expect("project exists")
            .0
    }
}

/// The users of a project made by [`TestApp::create_project`]; alice is its admin.
pub const TEAM: [&str; 5] = ["alice", "bob", "carol", "dan", "dave"];

/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery";

/// The `kanri_session=…` pair and the whole `Set-Cookie` line.
pub fn session_cookie(res: &reqwest::Response) -> (String, String) {
    let line = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kanri_session="))
        .unwrap_or_else(|| panic!("a session cookie in {:?}", res.headers()))
        .to_string();
    let pair = line.split(';').next().unwrap().to_string();
    (pair, line)
}

pub fn new_id() -> CommandId {
    CommandId(uuid::Uuid::new_v4())
}

pub fn key(s: &str) -> ProjectKey {
    ProjectKey::parse(s).unwrap()
}

pub fn user(s: &str) -> UserName {
    UserName::parse(s).unwrap()
}

pub fn new_issue(title: &str) -> Command {
    Command::CreateIssue(NewIssue::new(Title::parse(title).unwrap(), IssueType::Task))
}

pub fn rename(issue: IssueNumber, title: &str) -> Command {
    Command::UpdateIssue {
        issue,
        patch: IssuePatch {
            title: Some(Title::parse(title).unwrap()),
            ..Default::default()
        },
    }
}

pub fn move_to(issue: IssueNumber, status: u32) -> Command {
    Command::MoveIssue {
        issue,
        to: StatusId(status),
        after: None,
    }
}

pub async fn wait_for_subscribers(app: &TestApp) {
    for _ in 0..200 {
        let status = server::subscribers::status(app.kanri.store())
            .await
            .unwrap();
        if status.iter().all(|s| s.lag == 0) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("subscribers did not catch up");
}

/// The fields named by an `Invalid` error body, in order.
pub fn invalid_fields(body: &serde_json::Value) -> Vec<&str> {
    body["Invalid"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}
