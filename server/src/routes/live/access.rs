//! What a board socket's access rests on, watched while it is open: the
//! session, API token or share link it was opened with (their ends come as
//! broadcasts), and the caller's membership (its changes come as the
//! project's own events, checked before each batch is relayed).

use app::api::live::close;
use kanri_domain::{Event, Recorded, Role, UserName};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::api_tokens::ApiTokens;
use crate::sessions::{SessionEnd, Sessions};

/// A close code and its reason.
pub type Ending = (u16, &'static str);

/// A socket opened through a share link ends when the link does.
pub struct LinkWatch {
    pub id: i64,
    pub revocations: broadcast::Receiver<i64>,
    pub expires_ms: Option<i64>,
}

impl LinkWatch {
    /// Completes when the link is revoked or expires.
    async fn ended(&mut self) {
        let expiry = async {
            match self.expires_ms {
                Some(at) => {
                    let left = (at - crate::service::now_ms()).max(0) as u64;
                    tokio::time::sleep(Duration::from_millis(left)).await;
                }
                None => std::future::pending().await,
            }
        };
        let revoked = async {
            loop {
                match self.revocations.recv().await {
                    Ok(id) if id == self.id => return,
                    Ok(_) => {}
                    // Missed some: end, and let the reader reconnect (a
                    // live link opens again at once).
                    Err(RecvError::Lagged(_)) => return,
                    Err(RecvError::Closed) => std::future::pending().await,
                }
            }
        };
        tokio::select! {
            () = expiry => {}
            () = revoked => {}
        }
    }
}

/// How the socket's caller got in.
pub enum Grant {
    /// A browser session (its id): ends on its sign-out or a password change.
    Session(String),
    /// An API token (as sent): ends on its revocation or a password change.
    Token(String),
    /// A share link.
    Link(LinkWatch),
}

/// Watches a socket's grant; subscribe (create this) before the grant is
/// last checked, so an end in between is heard.
pub struct AccessWatch {
    user: UserName,
    grant: Grant,
    sessions: Arc<Sessions>,
    session_ends: broadcast::Receiver<SessionEnd>,
    tokens: Arc<ApiTokens>,
    token_revocations: broadcast::Receiver<UserName>,
    /// The grant must be checked again (an end may concern it). Kept here,
    /// not in a local, as `ended` is cancelled whenever the socket does
    /// something else, and the check must not be lost with it.
    recheck: bool,
}

impl AccessWatch {
    pub fn new(
        user: UserName,
        grant: Grant,
        sessions: Arc<Sessions>,
        tokens: Arc<ApiTokens>,
    ) -> Self {
        Self {
            user,
            grant,
            session_ends: sessions.ends(),
            sessions,
            token_revocations: tokens.revocations(),
            tokens,
            recheck: false,
        }
    }

    /// Whether the grant still holds now (checked once, after subscribing).
    pub async fn holds(&self) -> bool {
        match &self.grant {
            Grant::Session(id) => live_session(&self.sessions, id).await,
            Grant::Token(bearer) => live_token(&self.tokens, bearer).await,
            Grant::Link(_) => true,
        }
    }

    /// Completes, with the close code and reason, when the grant ends.
    pub async fn ended(&mut self) -> Ending {
        let Self {
            user,
            grant,
            sessions,
            session_ends,
            tokens,
            token_revocations,
            recheck,
        } = self;
        match grant {
            Grant::Link(link) => {
                link.ended().await;
                (
                    close::LINK_ENDED,
                    "the share link was revoked or has expired",
                )
            }
            Grant::Session(id) => loop {
                if *recheck {
                    if !live_session(sessions, id).await {
                        return (close::SIGNED_OUT, "the session was signed out");
                    }
                    *recheck = false;
                }
                match session_ends.recv().await {
                    Ok(SessionEnd::SignedOut(ended)) if ended == *id => {
                        return (close::SIGNED_OUT, "the session was signed out");
                    }
                    Ok(SessionEnd::PasswordChanged(whose)) if whose == *user => {
                        return (close::PASSWORD_CHANGED, "the password was changed");
                    }
                    Ok(_) => {}
                    // Missed some: look at the session itself.
                    Err(RecvError::Lagged(_)) => *recheck = true,
                    Err(RecvError::Closed) => std::future::pending().await,
                }
            },
            Grant::Token(bearer) => loop {
                if *recheck {
                    if !live_token(tokens, bearer).await {
                        return (close::TOKEN_REVOKED, "the API token was revoked");
                    }
                    *recheck = false;
                }
                tokio::select! {
                    end = session_ends.recv() => match end {
                        Ok(SessionEnd::PasswordChanged(whose)) if whose == *user => {
                            return (close::PASSWORD_CHANGED, "the password was changed");
                        }
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => std::future::pending().await,
                    },
                    // One of the user's tokens was revoked (or some were
                    // missed): is it this one?
                    revoked = token_revocations.recv() => match revoked {
                        Ok(whose) if whose != *user => {}
                        Ok(_) | Err(RecvError::Lagged(_)) => *recheck = true,
                        Err(RecvError::Closed) => std::future::pending().await,
                    },
                }
            },
        }
    }
}

/// Whether session `id` is signed in; when that cannot be told (the
/// database is down), yes: a socket is not cut off for our own fault.
async fn live_session(sessions: &Sessions, id: &str) -> bool {
    sessions.is_live(id).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot check a socket's session");
        true
    })
}

/// Whether the token still works (see [`live_session`] for a failed check).
async fn live_token(tokens: &ApiTokens, bearer: &str) -> bool {
    tokens
        .authenticate(bearer, crate::service::now_ms())
        .await
        .map(|owner| owner.is_some())
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot check a socket's API token");
            true
        })
}

/// The caller's standing in the project, followed through the project's
/// events after the one its access was checked on.
pub struct Standing {
    /// `None` for a share link's reader, who has no membership.
    user: Option<UserName>,
    role: Role,
    /// The last sequence folded into the state the access was checked on.
    checked_at: u64,
    /// A read-only API token's socket: it reads, and shows no drags.
    read_only: bool,
}

impl Standing {
    pub fn new(user: Option<UserName>, role: Role, checked_at: u64) -> Self {
        Self {
            user,
            role,
            checked_at,
            read_only: false,
        }
    }

    /// The same standing for a read-only credential.
    pub fn read_only(self, read_only: bool) -> Self {
        Self { read_only, ..self }
    }

    /// Whether the caller may show what it drags: members and admins.
    pub fn may_drag(&self) -> bool {
        !self.read_only && self.user.is_some() && self.role >= Role::Member
    }

    /// The events of `batch` the caller may still receive, following its
    /// role changes; `Err` with them when the caller was removed in the
    /// batch (nothing from the removal on is kept).
    pub fn admit(&mut self, mut batch: Vec<Recorded>) -> Result<Vec<Recorded>, Vec<Recorded>> {
        let Some(me) = &self.user else {
            return Ok(batch);
        };
        let mut removal = None;
        for (i, recorded) in batch.iter().enumerate() {
            if recorded.seq <= self.checked_at {
                continue;
            }
            match &recorded.event {
                Event::MemberRemoved { user } if user == me => {
                    removal = Some(i);
                    break;
                }
                Event::RoleChanged { user, role } | Event::MemberAdded { user, role }
                    if user == me =>
                {
                    self.role = *role;
                }
                _ => {}
            }
        }
        match removal {
            Some(i) => {
                batch.truncate(i);
                Err(batch)
            }
            None => Ok(batch),
        }
    }
}
