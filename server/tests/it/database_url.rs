//! A `DATABASE_URL` that cannot work stops the real binary at once with a
//! sentence that names the variable and the problem, never the password.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the server with `url`; its exit status and standard error.
fn start_with(url: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kanri-server"))
        .env("KANRI_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", url)
        .env("KANRI_NO_DEMO", "1")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("a child to wait for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server kept running with DATABASE_URL={url}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.success(), stderr)
}

#[test]
fn an_unreachable_or_malformed_postgres_url_stops_the_server_with_a_sentence() {
    // Port 1 on loopback: nothing listens there.
    for (url, says) in [
        (
            "postgres://kanri:s3cret@127.0.0.1:1/kanri",
            "cannot connect to PostgreSQL",
        ),
        (
            "postgres://kanri:s3cret@127.0.0.1:notaport/kanri",
            "is not a PostgreSQL URL",
        ),
        ("mysql://kanri:s3cret@127.0.0.1/kanri", "use sqlite://"),
    ] {
        let (ok, stderr) = start_with(url);
        assert!(!ok, "{url} must not start");
        assert!(stderr.contains("DATABASE_URL"), "{url}: {stderr}");
        assert!(stderr.contains(says), "{url}: {stderr}");
        assert!(
            !stderr.contains("s3cret"),
            "{url} shows its password: {stderr}"
        );
    }
}
