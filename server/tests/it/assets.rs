//! `/pkg/…` from a site on disk: the file the client accepts, as the build
//! compressed it, and how long browsers may keep it. (The release build's
//! own hashed files are checked in a browser: end2end/tests/assets.spec.ts.)

use crate::common::{spawn_with, tempfile_dir::TempDir};
use server::config::Config;
use server::site::Site;

/// A site whose `pkg/` holds `kanri.js` and the build's brotli and gzip
/// files of it, told apart by their bytes; hashed when `hashes` is given.
fn site_on_disk(dir: &TempDir, hashes: Option<&str>) -> Site {
    let pkg = dir.0.join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let name = if hashes.is_some() {
        "kanri.H4sh.js"
    } else {
        "kanri.js"
    };
    for (suffix, body) in [("", "plain"), (".br", "brotli"), (".gz", "gzip")] {
        std::fs::write(pkg.join(format!("{name}{suffix}")), body).unwrap();
    }
    std::fs::write(dir.0.join("secret.txt"), "outside the site").unwrap();
    let hashes = hashes.map(|text| {
        let file = dir.0.join("hash.txt");
        std::fs::write(&file, text).unwrap();
        file
    });
    Site {
        root: dir.0.join("site"),
        hashes,
    }
}

async fn get(address: &str, path: &str, accept: &str) -> reqwest::Response {
    // reqwest is built without decompression: the bytes are what was sent.
    reqwest::Client::new()
        .get(format!("{address}{path}"))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn hashed_files_are_sent_as_compressed_at_build_time_and_kept_for_a_year() {
    let dir = TempDir::new();
    let site = site_on_disk(&dir, Some("js: H4sh\n"));
    let app = spawn_with(Config {
        site,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"))
    })
    .await;

    let page = app.get("/").await.text().await.unwrap();
    assert!(
        page.contains("/pkg/kanri.H4sh.js"),
        "the page names the hashed script"
    );

    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli"),
        ("gzip", Some("gzip"), "gzip"),
        ("identity", None, "plain"),
    ] {
        let res = get(&app.address, "/pkg/kanri.H4sh.js", accept).await;
        assert_eq!(res.status(), 200);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(header("content-encoding").as_deref(), encoding, "{accept}");
        assert_eq!(
            header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(header("vary").as_deref(), Some("accept-encoding"));
        assert!(header("content-type").unwrap().contains("javascript"));
        assert_eq!(res.text().await.unwrap(), body, "{accept}");
    }

    // Not built: a 404 that no browser keeps. Outside pkg/: never served.
    for path in [
        "/pkg/kanri.0ther.js",
        "/pkg/../../secret.txt",
        "/pkg/..%2f..%2fsecret.txt",
        "/pkg/%2e%2e/%2e%2e/secret.txt",
    ] {
        let res = get(&app.address, path, "br").await;
        assert!(res.headers().get("cache-control").is_none(), "{path}");
        assert!(
            !res.text().await.unwrap().contains("outside the site"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn plain_names_are_revalidated_on_every_use() {
    let dir = TempDir::new();
    let site = site_on_disk(&dir, None);
    let app = spawn_with(Config {
        site,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"))
    })
    .await;
    let res = get(&app.address, "/pkg/kanri.js", "br").await;
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(res.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn a_hash_file_naming_files_that_are_not_there_stops_the_start() {
    let dir = TempDir::new();
    let site = site_on_disk(&dir, Some("js: H4sh\nwasm: Gone\n"));
    let config = Config {
        site,
        ..Config::new("127.0.0.1:0".parse().unwrap(), dir.0.join("kanri.db"))
    };
    let refused = server::startup::Application::build(config)
        .await
        .err()
        .expect("the start is refused")
        .to_string();
    assert!(refused.contains("kanri.Gone.wasm"), "{refused}");
}
