//! The built site: where cargo-leptos put the WASM, JS and CSS, and whether
//! their names carry content hashes.
//!
//! A release build (`hash-files` in the workspace's Leptos metadata) names
//! each file after its content, `pkg/kanri.<hash>.wasm`, and writes the
//! hashes to `hash.txt` beside the server binary, where Leptos' hydration
//! scripts and stylesheet link read them. A file whose name says its content
//! never changes, so browsers may keep it for good (see
//! [`crate::routes::assets`]). A development build (`cargo leptos watch`)
//! keeps plain names, which browsers must revalidate.

use std::path::PathBuf;

/// The file cargo-leptos writes the hashes to, beside the server binary.
const HASH_FILE: &str = "hash.txt";

#[derive(Debug, Clone)]
pub struct Site {
    /// `LEPTOS_SITE_ROOT`, default `target/site`: `pkg/` and the public files.
    pub root: PathBuf,
    /// The hash file (an absolute path), when the names are hashed.
    pub hashes: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot read the asset hashes in {0}: {1}")]
    Unreadable(PathBuf, std::io::Error),
    #[error("{file} names {asset}, which is not in {pkg}: build the site again (./kanri run)")]
    Missing {
        file: PathBuf,
        asset: String,
        pkg: PathBuf,
    },
}

impl Site {
    /// The site built next to this binary: hashed when `hash.txt` is there.
    pub fn from_env() -> Self {
        let root = std::env::var_os("LEPTOS_SITE_ROOT")
            .filter(|root| !root.is_empty())
            .map_or_else(|| PathBuf::from("target/site"), PathBuf::from);
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(HASH_FILE)))
            .filter(|file| file.is_file());
        Self { root, hashes }
    }

    /// Unhashed names under `root` (tests, and a server started without a
    /// built site: its pages render, the WASM is simply not found).
    pub fn plain(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            hashes: None,
        }
    }

    pub fn hashed(&self) -> bool {
        self.hashes.is_some()
    }

    pub fn pkg(&self) -> PathBuf {
        self.root.join("pkg")
    }

    /// With hashed names, every file the hash file names is in `pkg/`: a
    /// binary started beside another build's site would serve pages whose
    /// script and style sheet are missing, so it refuses to start instead.
    pub fn check(&self, output_name: &str) -> Result<(), SiteError> {
        let Some(file) = &self.hashes else {
            return Ok(());
        };
        let text = std::fs::read_to_string(file)
            .map_err(|error| SiteError::Unreadable(file.clone(), error))?;
        for asset in hashed_names(&text, output_name) {
            if !self.pkg().join(&asset).is_file() {
                return Err(SiteError::Missing {
                    file: file.clone(),
                    asset,
                    pkg: self.pkg(),
                });
            }
        }
        Ok(())
    }
}

/// The names `hash.txt` gives the script, WASM and style sheet: its lines
/// are `js: <hash>`, `wasm: <hash>`, `css: <hash>`.
fn hashed_names(text: &str, output_name: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim(), hash.trim()))
        .filter(|(kind, _)| matches!(*kind, "js" | "wasm" | "css"))
        .map(|(kind, hash)| format!("{output_name}.{hash}.{kind}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_file_names_the_three_files() {
        let text = "js: AbC\nwasm: dEf\ncss: x_-1\nmanifest: zzz\n";
        assert_eq!(
            hashed_names(text, "kanri"),
            ["kanri.AbC.js", "kanri.dEf.wasm", "kanri.x_-1.css"]
        );
    }

    #[test]
    fn a_hashed_site_without_its_files_is_refused_with_the_file_named() {
        let dir = std::env::temp_dir().join(format!("kanri-site-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        let hashes = dir.join("hash.txt");
        std::fs::write(&hashes, "js: one\nwasm: two\ncss: three\n").unwrap();
        for name in ["kanri.one.js", "kanri.two.wasm"] {
            std::fs::write(dir.join("pkg").join(name), "x").unwrap();
        }
        let site = Site {
            root: dir.clone(),
            hashes: Some(hashes),
        };
        let refused = site.check("kanri").unwrap_err().to_string();
        assert!(refused.contains("kanri.three.css"), "{refused}");
        std::fs::write(dir.join("pkg/kanri.three.css"), "x").unwrap();
        site.check("kanri").unwrap();
        assert!(Site::plain(&dir).check("kanri").is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
