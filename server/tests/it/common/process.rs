//! The real `kanri-server` binary as a child process on 127.0.0.1, with a
//! fresh SQLite file: for tests whose failure mode is the process itself
//! (a crash, an abort, its memory), which an in-process server would hide
//! or take the whole test binary down with.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::tempfile_dir::TempDir;

pub struct ServerProcess {
    pub address: String,
    child: Child,
    /// The server's standard error (its logs), collected as it comes.
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    _dir: TempDir,
}

impl ServerProcess {
    /// Starts the server with an empty database, demo off, and `env` on top.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let dir = TempDir::new();
        let mut command = Command::new(env!("CARGO_BIN_EXE_kanri-server"));
        command
            .env("KANRI_ADDR", "127.0.0.1:0")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.0.join("kanri.db").display()),
            )
            .env("KANRI_NO_DEMO", "1")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let err_pipe = child.stderr.take().expect("stderr is piped");
        let collected = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                let mut all = collected.lock().unwrap_or_else(|e| e.into_inner());
                all.push_str(&line);
                all.push('\n');
            }
        });
        // main prints the address it listens on once it is ready.
        let (tx, rx) = std::sync::mpsc::channel();
        let out_pipe = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(out_pipe).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Kanri is running at ") {
                    let address = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(address.to_owned());
                }
            }
        });
        let address = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the server did not say where it listens within 60 s; its log:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        Self {
            address,
            child,
            stderr,
            _dir: dir,
        }
    }

    /// Ends the process at once (SIGKILL), as a crash or an OOM kill would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `None` while the process runs; its exit status once it has ended.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().expect("the child can be polled")
    }

    /// Panics with the server's log if the process has ended.
    pub fn assert_alive(&mut self, after: &str) {
        if let Some(status) = self.exited() {
            panic!(
                "the server process ended ({status}) after {after}; its log:\n{}",
                self.log()
            );
        }
    }

    /// Resident memory of the process, in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the process's status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Polls `GET /healthz` until it answers 200, or panics after `within`.
    pub async fn wait_healthy(&mut self, client: &reqwest::Client, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            self.assert_alive("waiting for /healthz");
            let ok = client
                .get(format!("{}/healthz", self.address))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ok {
                return;
            }
            assert!(Instant::now() < deadline, "/healthz did not answer 200");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
