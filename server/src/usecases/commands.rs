//! Changing a project: running a command as a user, and the commands that
//! need more than the command itself (inviting by e-mail or user name).
//! Accounts: a password change and a profile.

use app::api::{ApiError, Caller};
use kanri_domain::*;

use super::{UseCases, accounts_down};
use crate::accounts::AccountError;
use crate::service::{Base, Executed};

/// A command's outcome and, when it was accepted or merged, what the
/// caller's view made of the state its own last event produced.
pub type Written<T> = Executed<T>;

impl UseCases {
    /// Executes a command for `actor`: based on its envelope's version, or
    /// on the target's current one with `at_head`.
    #[tracing::instrument(skip_all, fields(project = %envelope.project, command_id = %envelope.id, %actor))]
    pub async fn execute(
        &self,
        actor: &UserName,
        envelope: CommandEnvelope,
        at_head: bool,
    ) -> Result<Outcome, ApiError> {
        Ok(self
            .write(actor, envelope, at_head, |_, _| ())
            .await?
            .outcome)
    }

    /// Executes a command like [`Self::execute`] and runs `view` on the
    /// state it produced, under the lock it ran under: the answer a REST
    /// write gives is exactly what the command wrote, not a later read
    /// that may hold other writers' changes.
    #[tracing::instrument(skip_all, fields(project = %envelope.project, command_id = %envelope.id, %actor))]
    pub async fn write<T: Send>(
        &self,
        actor: &UserName,
        envelope: CommandEnvelope,
        at_head: bool,
        view: impl Fn(&ProjectState, &Outcome) -> T + Send + Sync,
    ) -> Result<Written<T>, ApiError> {
        let base = if at_head { Base::Head } else { Base::Given };
        Ok(self
            .kanri
            .execute_viewing(actor, envelope, base, view)
            .await?)
    }

    /// Invites the account `login` names (e-mail address or user name)
    /// with `role`. The caller must administer the project, checked before
    /// the login is looked up: anyone else gets the same 404 whatever the
    /// login, so only an admin learns whether an account exists.
    #[tracing::instrument(skip(self, login))]
    pub async fn add_member(
        &self,
        who: Caller,
        key: ProjectKey,
        login: String,
        role: Role,
    ) -> Result<Outcome, ApiError> {
        let admin = self.administering(who, &key).await?;
        let account = self
            .accounts
            .find(&login)
            .await
            .map_err(accounts_down)?
            .ok_or_else(|| {
                ApiError::invalid(
                    "login",
                    format!(
                        "nobody has the e-mail address or user name \"{}\"",
                        login.trim()
                    ),
                )
            })?;
        let envelope = CommandEnvelope {
            id: CommandId(uuid::Uuid::new_v4()),
            project: key,
            base_version: 0,
            command: Command::AddMember {
                user: account.name,
                role,
            },
        };
        self.execute(&admin, envelope, true).await
    }

    /// Changes `user`'s password after checking `current`, and signs out
    /// every other session of theirs (all but `keep`).
    #[tracing::instrument(skip(self, current, new, keep))]
    pub async fn change_password(
        &self,
        user: UserName,
        current: String,
        new: Password,
        keep: String,
    ) -> Result<(), ApiError> {
        match self.accounts.change_password(&user, &current, new).await {
            Ok(()) => {}
            Err(AccountError::WrongCredentials) => {
                return Err(ApiError::invalid(
                    "current_password",
                    "the current password is wrong",
                ));
            }
            Err(e) => return Err(accounts_down(e)),
        }
        let ended = self
            .sessions
            .password_changed(&user, &keep)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot end the other sessions");
                ApiError::Unavailable
            })?;
        tracing::info!(%user, other_sessions_ended = ended, "password changed");
        Ok(())
    }

    /// Keeps `user`'s colour theme for every browser they sign in on.
    #[tracing::instrument(skip(self))]
    pub async fn set_theme(&self, user: UserName, theme: Theme) -> Result<(), ApiError> {
        self.accounts
            .set_theme(&user, theme)
            .await
            .map_err(accounts_down)
    }

    /// The profile of an account, `None` when there is no such account.
    pub async fn profile(&self, name: &UserName) -> Result<Option<Profile>, ApiError> {
        self.accounts.profile(name).await.map_err(accounts_down)
    }
}
