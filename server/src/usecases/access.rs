//! Member and role rules for reads: who may see a project, with which
//! role, and who acts as its admin. Commands are authorized by the service
//! (`kanri_domain::authorize`); the role rules themselves live in
//! `kanri_domain::member`.

use app::api::{ApiError, Caller};
use kanri_domain::*;

use super::{UseCases, unavailable};

impl UseCases {
    /// The caller's role in the project, if they may read it at all: a 404
    /// for a project they cannot see, as for one that does not exist.
    pub async fn readable(&self, who: &Caller, key: &ProjectKey) -> Result<Role, ApiError> {
        self.allowed(who, key, Role::Viewer).await
    }

    /// The caller's role in the project, if it is at least `need`.
    pub async fn allowed(
        &self,
        who: &Caller,
        key: &ProjectKey,
        need: Role,
    ) -> Result<Role, ApiError> {
        self.read_as(who, key, need, |state, _| {
            let project = state.project.as_ref().expect("read only sees projects");
            who.role_in(project).unwrap_or(Role::Viewer)
        })
        .await
    }

    /// Runs `read` on the project's current state (and its last sequence)
    /// if the caller's role there is at least `need`.
    pub async fn read_as<T>(
        &self,
        who: &Caller,
        key: &ProjectKey,
        need: Role,
        read: impl FnOnce(&ProjectState, u64) -> T,
    ) -> Result<T, ApiError> {
        self.kanri
            .read(key, |state, seq| {
                let project = state.project.as_ref().expect("read only sees projects");
                who.check(project, need).map(|()| read(state, seq))
            })
            .await
            .map_err(unavailable)?
            .unwrap_or_else(|| Err(DomainError::ProjectNotFound(key.clone())))
            .map_err(ApiError::Rejected)
    }

    /// The caller, an admin of the project, acting (a share link cannot).
    pub(super) async fn acting_admin(
        &self,
        who: Caller,
        key: &ProjectKey,
    ) -> Result<UserName, ApiError> {
        self.allowed(&who, key, Role::Admin).await?;
        match who {
            Caller::User(admin) => Ok(admin),
            Caller::Link(_) => Err(ApiError::Unauthorized),
        }
    }

    /// The caller, an admin of the project; anyone else (a member, a
    /// viewer, an outsider, a share link) is told the project does not
    /// exist, so what they asked about is not theirs to learn.
    pub(super) async fn administering(
        &self,
        who: Caller,
        key: &ProjectKey,
    ) -> Result<UserName, ApiError> {
        let not_found = || ApiError::Rejected(DomainError::ProjectNotFound(key.clone()));
        match (self.readable(&who, key).await, who) {
            (Ok(Role::Admin), Caller::User(admin)) => Ok(admin),
            (Ok(_), _) => Err(not_found()),
            (Err(e), _) if e.is_not_found() => Err(not_found()),
            (Err(e), _) => Err(e),
        }
    }
}
