//! Read-only share links: `/s/{token}`. A token is 128 random bits, given
//! once to the admin who creates the link; only its SHA-256 is stored. Plain
//! SHA-256 suffices (unlike for passwords): nobody can guess 128 random bits,
//! so there is nothing for a slow hash to slow down.

use crate::db::{Db, Sql};
use app::api::ShareLinkView;
use kanri_domain::{ProjectKey, UserName, UtcTime};
use tokio::sync::broadcast;

use crate::capped::{self, Cap, CapError};
use crate::secret::Secret;

/// How often a link's "last used" is written at most: a busy board would
/// otherwise write on every request.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;
/// Links a project may have at once.
pub const MAX_LINKS_PER_PROJECT: i64 = 100;

/// An open link: which one, for which project, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLink {
    pub id: i64,
    pub project: ProjectKey,
    pub expires_ms: Option<i64>,
}

/// Live (not revoked) links per project.
pub const LINKS: Cap = Cap {
    table: "share_links",
    owner: "project",
    live: "revoked_ms IS NULL",
    max: MAX_LINKS_PER_PROJECT,
    what: "share links",
    holder: "a project",
    field: "label",
};

pub struct ShareLinks {
    db: Db,
    /// The id of every link revoked, for the sockets opened through it.
    revoked: broadcast::Sender<i64>,
}

impl ShareLinks {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            revoked: broadcast::channel(64).0,
        }
    }

    /// Revocations from now on.
    pub fn revocations(&self) -> broadcast::Receiver<i64> {
        self.revoked.subscribe()
    }

    #[tracing::instrument(skip(self, label))]
    pub async fn create(
        &self,
        project: &ProjectKey,
        by: &UserName,
        label: &str,
        expires_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(ShareLinkView, Secret), CapError> {
        let token = Secret::generate();
        let hash = token.sha256().to_vec();
        let id = capped::insert(
            &self.db,
            &LINKS,
            project.as_str(),
            "project, token_sha256, label, created_by, created_ms, expires_ms",
            |v| {
                v.bind(project.as_str())
                    .bind(hash)
                    .bind(label)
                    .bind(by.as_str())
                    .bind(now_ms)
                    .bind(expires_ms);
            },
        )
        .await?;
        let view = ShareLinkView {
            id,
            label: label.to_owned(),
            created_by: by.clone(),
            created: UtcTime::from_unix_ms(now_ms),
            expires: expires_ms.map(UtcTime::from_unix_ms),
            last_used: None,
        };
        Ok((view, token))
    }

    /// The project's links that are not revoked, newest first (expired ones
    /// included, marked by their date, so an admin sees why one stopped).
    pub async fn list(&self, project: &ProjectKey) -> Result<Vec<ShareLinkView>, CapError> {
        let sql = Sql::query(
            "SELECT id, label, created_by, created_ms, expires_ms, last_used_ms FROM share_links \
             WHERE project = ? AND revoked_ms IS NULL ORDER BY id DESC",
        )
        .arg(project.as_str());
        let mut links = Vec::new();
        for row in self.db.fetch_all(&sql).await? {
            let Ok(created_by) = UserName::parse(&row.text("created_by")?) else {
                continue;
            };
            links.push(ShareLinkView {
                id: row.int("id")?,
                label: row.text("label")?,
                created_by,
                created: UtcTime::from_unix_ms(row.int("created_ms")?),
                expires: row.opt_int("expires_ms")?.map(UtcTime::from_unix_ms),
                last_used: row.opt_int("last_used_ms")?.map(UtcTime::from_unix_ms),
            });
        }
        Ok(links)
    }

    /// Revokes link `id` of `project`; `false` when there is no such live
    /// link. Its open sockets hear of it at once.
    #[tracing::instrument(skip(self))]
    pub async fn revoke(
        &self,
        project: &ProjectKey,
        id: i64,
        by: &UserName,
        now_ms: i64,
    ) -> Result<bool, CapError> {
        let revoke = Sql::query(
            "UPDATE share_links SET revoked_by = ?, revoked_ms = ? \
             WHERE id = ? AND project = ? AND revoked_ms IS NULL",
        )
        .arg(by.as_str())
        .arg(now_ms)
        .arg(id)
        .arg(project.as_str());
        let done = self.db.execute(&revoke).await? == 1;
        if done {
            let _ = self.revoked.send(id);
            crate::nodes::announce(&self.db, crate::nodes::AccessEnd::Link { id }).await;
        }
        Ok(done)
    }

    /// Link `id` was revoked through another node: its sockets here close.
    pub fn revoked_elsewhere(&self, id: i64) {
        let _ = self.revoked.send(id);
    }

    /// The live link a token opens, if any (not revoked, not expired), and
    /// notes its use.
    pub async fn open(&self, token: &str, now_ms: i64) -> Result<Option<OpenLink>, CapError> {
        let Some(token) = Secret::parse(token) else {
            return Ok(None);
        };
        let find = Sql::query(
            "SELECT id, project, expires_ms, last_used_ms FROM share_links \
             WHERE token_sha256 = ? AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?)",
        )
        .arg(token.sha256().as_slice())
        .arg(now_ms);
        let row = self.db.fetch_optional(&find).await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id = row.int("id")?;
        let stale = row
            .opt_int("last_used_ms")?
            .is_none_or(|last| now_ms - last >= LAST_USED_RESOLUTION_MS);
        if stale {
            let used = Sql::query("UPDATE share_links SET last_used_ms = ? WHERE id = ?")
                .arg(now_ms)
                .arg(id);
            self.db.execute(&used).await?;
        }
        let Ok(project) = ProjectKey::parse(&row.text("project")?) else {
            return Ok(None);
        };
        Ok(Some(OpenLink {
            id,
            project,
            expires_ms: row.opt_int("expires_ms")?,
        }))
    }
}
