//! `kanri-server`: serve the app (default), `replay --verify`, `export`
//! (JSON lines on stdout) or `import FILE`.

use server::config::{Config, DatabaseUrl, database_url};
use server::db::Db;
use server::startup::{Application, shutdown_signal};
use server::store::Store;
use server::{replay, telemetry};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["serve"] => serve().await,
        ["replay", "--verify"] => replay_verify().await,
        ["export"] => export().await,
        ["import", file] => import(file).await,
        _ => {
            eprintln!("usage: kanri-server [serve | replay --verify | export | import FILE]");
            ExitCode::from(2)
        }
    }
}

async fn serve() -> ExitCode {
    let app = match Config::from_env() {
        Ok(config) => Application::build(config).await,
        Err(e) => Err(e.into()),
    };
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("kanri: {e}");
            return ExitCode::FAILURE;
        }
    };
    let demo = app.demo_accounts();
    if !demo.is_empty() {
        println!(
            "\nA demo workspace was created (project DEMO). Its accounts, shown only this once:"
        );
        for account in demo {
            println!(
                "  {:<6} {:<7} password: {}",
                account.name.as_str(),
                account.role.label(),
                account.password
            );
        }
        println!(
            "These are demo accounts only: delete the database (data/) to start empty, or run with KANRI_NO_DEMO=1.\n"
        );
    }
    println!(
        "Kanri is running at http://{}  (Ctrl-C stops it)",
        app.addr()
    );
    match app.run_until(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kanri: the server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn replay_verify() -> ExitCode {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/kanri.db".into());
    let result = async {
        let database = database_url(&url)?;
        if let DatabaseUrl::Sqlite(path) = &database
            && !path.exists()
        {
            return Err(format!("there is no database at {}", path.display()).into());
        }
        let live = Store::new(Db::open(&database).await?);
        let scratch = std::env::temp_dir().join(format!("kanri-replay-{}.db", std::process::id()));
        let report = replay::verify(&live, scratch.clone()).await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
        }
        Ok::<_, Box<dyn std::error::Error>>(report?)
    }
    .await;
    match result {
        Ok(report) => {
            println!(
                "replayed {} events in {:.2?}",
                report.events, report.rebuild_time
            );
            for (table, rows) in &report.tables {
                println!("  {table}: {rows} rows match");
            }
            match report.first_difference {
                None => {
                    println!("every projection equals the replay of the log");
                    ExitCode::SUCCESS
                }
                Some(difference) => {
                    println!("MISMATCH: {difference}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("kanri replay: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The store `DATABASE_URL` names (the default SQLite file if unset).
async fn open_store() -> Result<Store, Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/kanri.db".into());
    Ok(Store::new(Db::open(&database_url(&url)?).await?))
}

async fn export() -> ExitCode {
    let result = async {
        let store = open_store().await?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let moved = server::transfer::export(store.db(), &mut out).await?;
        store.db().close().await;
        Ok::<_, Box<dyn std::error::Error>>(moved)
    }
    .await;
    match result {
        Ok(moved) => {
            for (table, rows) in moved.rows {
                eprintln!("  {table}: {rows} rows");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kanri: export failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn import(file: &str) -> ExitCode {
    let result = async {
        let input = std::fs::File::open(file).map_err(|e| format!("cannot open {file}: {e}"))?;
        let store = open_store().await?;
        let moved = server::transfer::import(&store, std::io::BufReader::new(input)).await?;
        store.db().close().await;
        Ok::<_, Box<dyn std::error::Error>>(moved)
    }
    .await;
    match result {
        Ok(moved) => {
            for (table, rows) in moved.rows {
                println!("  {table}: {rows} rows");
            }
            println!("imported; every projection was rebuilt from the log");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kanri: import failed: {e}");
            ExitCode::FAILURE
        }
    }
}
