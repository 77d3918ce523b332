//! Each account's colour theme, a plain column of `users`: it changes what
//! only its owner sees, so it is no event of any project's log.

use kanri_domain::{Theme, UserName};

use super::{AccountError, Accounts};
use crate::db::Sql;

impl Accounts {
    /// `user`'s theme; `System` for an account that never chose one (or
    /// no longer exists).
    pub async fn theme(&self, user: &UserName) -> Result<Theme, AccountError> {
        let stored = self
            .db
            .fetch_optional(
                &Sql::query("SELECT theme FROM users WHERE name = ?").arg(user.as_str()),
            )
            .await?
            .map(|r| r.text(0))
            .transpose()?;
        // The column's CHECK admits only the three names.
        Ok(stored
            .and_then(|t| Theme::parse(&t).ok())
            .unwrap_or_default())
    }

    pub async fn set_theme(&self, user: &UserName, theme: Theme) -> Result<(), AccountError> {
        self.db
            .execute(
                &Sql::query("UPDATE users SET theme = ? WHERE name = ?")
                    .arg(theme.as_str())
                    .arg(user.as_str()),
            )
            .await?;
        Ok(())
    }
}
