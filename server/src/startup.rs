//! Building and running the application: used by `main` and by the tests,
//! which start it on port 0 with a fresh database.

use crate::sessions::SessionRows;
use leptos::prelude::LeptosOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_sessions::{ExpiredDeletion, SessionManagerLayer};

/// How often expired sessions are deleted.
const SESSION_SWEEP: tokio::time::Duration = tokio::time::Duration::from_secs(60 * 60);

use crate::accounts::Accounts;
use crate::config::{Config, ConfigError};
use crate::db::{Db, DbError};
use crate::demo::DemoAccount;
use crate::hub::Hub;
use crate::nodes::{Listener, Node};
use crate::routes::{AppState, router};
use crate::service::Kanri;
use crate::site::{Site, SiteError};
use crate::store::{Store, StoreError};
use crate::subscribers;

/// The name cargo-leptos gives the WASM, JS and CSS.
const OUTPUT_NAME: &str = match option_env!("LEPTOS_OUTPUT_NAME") {
    Some(name) => name,
    None => "kanri",
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Site(#[from] SiteError),
    #[error("cannot read the event log: {0}")]
    Store(#[from] StoreError),
    #[error("cannot give the projects created before roles an admin: {0}")]
    Adopt(#[from] crate::service::ExecError),
    #[error(transparent)]
    Demo(#[from] crate::demo::DemoError),
    #[error("cannot prepare the session store: {0}")]
    Sessions(#[from] sqlx::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    stop: watch::Sender<bool>,
    sessions: SessionManagerLayer<SessionRows>,
    /// Deletes expired sessions now and then.
    session_sweeper: JoinHandle<()>,
    /// Tells long-lived connections (board sockets) to close.
    closing: watch::Sender<bool>,
    subscribers: Vec<JoinHandle<()>>,
    /// The accounts of a demo workspace created at this start, if any.
    demo: Vec<DemoAccount>,
    /// See [`Config::panic_route`].
    panic_route: bool,
}

/// The site (WASM, JS, CSS) that cargo-leptos built, hashed or not.
fn leptos_options(addr: SocketAddr, site: &Site) -> LeptosOptions {
    let builder = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site.root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(site.hashed());
    match &site.hashes {
        // Leptos joins this to the binary's directory: an absolute path stays.
        Some(file) => builder
            .hash_file(file.to_string_lossy().as_ref().into())
            .build(),
        None => builder.build(),
    }
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartError> {
        config.site.check(OUTPUT_NAME)?;
        let db = Db::open(&config.database).await?;
        let session_store = SessionRows::open(&db).await?;
        let accounts = Arc::new(Accounts::new(
            db.clone(),
            config.sign_ups_per_hour,
            config.trusted_proxies.clone(),
        ));
        let shares = Arc::new(crate::sharing::ShareLinks::new(db.clone()));
        let tokens = Arc::new(crate::api_tokens::ApiTokens::new(db.clone()));
        let sessions = Arc::new(crate::sessions::Sessions::new(
            db.clone(),
            session_store.clone(),
        ));
        let answers = Arc::new(crate::rest::Answers::new(db.clone()));
        let webhook_db = db.clone();
        let webhook_targets = crate::webhooks::Targets::allow_private(config.webhook_allow_private);
        let webhooks = Arc::new(crate::webhooks::Webhooks::new(db.clone(), webhook_targets));
        let store = Store::new(db);
        store.rebuild_if_requested().await?;
        let hub = Arc::new(Hub::new(store.head(None).await?, config.hub_capacity));
        let kanri = Arc::new(Kanri::new(store.clone(), hub.clone()));
        let adopted = kanri.adopt_projects_without_members().await?;
        if adopted > 0 {
            tracing::info!(
                adopted,
                "projects from before roles now have their creator as admin"
            );
        }
        let demo = if config.demo {
            crate::demo::seed_if_empty(&kanri, &accounts).await?
        } else {
            Vec::new()
        };
        let (stop, stopped) = watch::channel(false);
        let background = Background {
            store: store.clone(),
            webhook_db,
            hub: hub.clone(),
            run_subscribers: config.run_subscribers,
            webhook_backoff: config.webhook_backoff,
            webhook_targets,
        };
        if !config.run_subscribers {
            tracing::warn!("subscriber projections are paused (KANRI_SUBSCRIBERS=off)");
        }
        // On PostgreSQL the nodes hear each other, and one at a time does
        // the background work; on SQLite this process is the only node.
        let (node, subscribers) = match store.db() {
            Db::Postgres(pg) => {
                let node = Arc::new(Node::new(config.node_id.clone(), Listener::Connecting));
                let access = crate::nodes::Access {
                    shares: shares.clone(),
                    tokens: tokens.clone(),
                    sessions: sessions.clone(),
                };
                let listening = tokio::spawn(crate::nodes::listen(
                    pg.pool.clone(),
                    kanri.clone(),
                    access,
                    node.clone(),
                    stopped.clone(),
                ));
                let leading = tokio::spawn(crate::nodes::lead(
                    pg.pool.clone(),
                    node.clone(),
                    stopped.clone(),
                    move |stop| background.clone().run(stop),
                ));
                (node, vec![listening, leading])
            }
            Db::Sqlite(_) => {
                let node = Arc::new(Node::new(config.node_id.clone(), Listener::Alone));
                (node, vec![tokio::spawn(background.run(stopped.clone()))])
            }
        };
        let health = crate::routes::health::Health::first(&kanri).await;
        let mut subscribers = subscribers;
        subscribers.push(tokio::spawn(
            health.clone().keep_probing(kanri.clone(), stopped.clone()),
        ));
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|source| StartError::Listen {
                    addr: config.addr,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen {
            addr: config.addr,
            source,
        })?;
        let (closing, shutdown) = watch::channel(false);
        let state = AppState {
            leptos_options: leptos_options(addr, &config.site),
            kanri,
            accounts,
            shares,
            tokens,
            sessions,
            answers,
            webhooks,
            node,
            health,
            shutdown,
        };
        tracing::info!(%addr, database = %config.database, "Kanri is ready");
        let session_store_for_layer = session_store.clone();
        let session_sweeper = tokio::spawn(async move {
            let _ = session_store
                .continuously_delete_expired(SESSION_SWEEP)
                .await;
        });
        Ok(Self {
            listener,
            addr,
            state,
            stop,
            sessions: crate::routes::sessions(session_store_for_layer, config.secure_cookies),
            session_sweeper,
            closing,
            subscribers,
            demo,
            panic_route: config.panic_route,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The demo accounts created at this start (shown once, then forgotten).
    pub fn demo_accounts(&self) -> &[DemoAccount] {
        &self.demo
    }

    pub fn kanri(&self) -> Arc<Kanri> {
        self.state.kanri.clone()
    }

    /// Serves until `shutdown` completes, then lets requests in flight
    /// finish, stops the subscribers and closes the database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let kanri = self.state.kanri.clone();
        let closing = self.closing;
        let signal = async move {
            shutdown.await;
            let _ = closing.send(true);
        };
        let app = router(self.state, self.sessions, self.panic_route);
        let result = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .await;
        let _ = self.stop.send(true);
        self.session_sweeper.abort();
        for task in self.subscribers {
            let _ = task.await;
        }
        kanri.store().db().close().await;
        tracing::info!("Kanri stopped");
        result
    }
}

/// The work done beside the requests: the subscriber projections and the
/// webhook deliveries.
#[derive(Clone)]
struct Background {
    store: Store,
    webhook_db: Db,
    hub: Arc<Hub>,
    run_subscribers: bool,
    webhook_backoff: crate::webhooks::Backoff,
    webhook_targets: crate::webhooks::Targets,
}

impl Background {
    /// Runs it all until `stop` turns true.
    async fn run(self, stop: watch::Receiver<bool>) {
        let mut tasks = Vec::new();
        if self.run_subscribers {
            for sub in subscribers::all() {
                tasks.push(tokio::spawn(subscribers::run(
                    self.store.clone(),
                    sub,
                    self.hub.head(),
                    stop.clone(),
                )));
            }
        }
        tasks.push(tokio::spawn(crate::webhooks::run(
            self.webhook_db,
            self.store,
            self.webhook_backoff,
            self.webhook_targets,
            self.hub.head(),
            stop,
        )));
        for task in tasks {
            let _ = task.await;
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}
