//! Structured logs via `tracing`; `RUST_LOG` filters (default: info).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Ignore the error from a second init (tests start several apps).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Logs on stderr; stdout carries only what the server says it is
        // (the address it listens on), for scripts that read it.
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in files and pipes.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
