//! `GET /api/live/{KEY}?after={seq}`: a board's WebSocket. It sends every
//! event after `after` from the log, then the live ones, with no gaps and no
//! duplicates, and keeps presence (who views, who drags what).

mod access;

use app::api::live::{ClientMessage, MAX_CLIENT_MESSAGE, ServerMessage, close};
use app::api::{Caller, Credential};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::SinkExt;
use futures::stream::{SplitSink, StreamExt};
use kanri_domain::{ProjectKey, Recorded, Role, UserName, log_position};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

use self::access::{AccessWatch, Grant, LinkWatch, Standing};
use super::AppState;
use crate::hub::{Hub, HubMessage, Presence};
use crate::store::Store;

/// Bytes read from a socket at a time (clients send little).
const READ_BUFFER: usize = 4 * 1024;
/// Events per message when catching up from the log.
const CATCH_UP_BATCH: u32 = 500;
/// A client that does not take a message within this time is cut off
/// (it would otherwise hold its task and buffers forever).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
pub struct Resume {
    #[serde(default)]
    after: u64,
    /// A share link's token, for a reader without an account.
    share: Option<String>,
}

#[tracing::instrument(skip_all, fields(project = %key))]
pub async fn board_socket(
    ws: WebSocketUpgrade,
    Path(key): Path<String>,
    Query(resume): Query<Resume>,
    caller: Option<axum::Extension<Caller>>,
    credential: Option<axum::Extension<Credential>>,
    State(state): State<AppState>,
) -> Response {
    let Ok(project) = ProjectKey::parse(&key) else {
        return (StatusCode::NOT_FOUND, "no such project").into_response();
    };
    if let Err(e) = log_position(resume.after) {
        return (StatusCode::BAD_REQUEST, format!("after: {e}")).into_response();
    }
    // Subscribed before the link is checked, so a revocation in between is heard.
    let revocations = state.shares.revocations();
    // A read-only API token shows no drags, like a share link's reader.
    let mut read_only = false;
    let (caller, grant) = match (resume.share.as_deref(), caller, credential) {
        (Some(token), _, _) => match state.shares.open(token, crate::service::now_ms()).await {
            Ok(Some(open)) if open.project == project => (
                Caller::Link(project.clone()),
                Grant::Link(LinkWatch {
                    id: open.id,
                    revocations,
                    expires_ms: open.expires_ms,
                }),
            ),
            Ok(_) => return (StatusCode::NOT_FOUND, "no such share link").into_response(),
            Err(e) => {
                tracing::error!(error = %e, "cannot check a share link");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        },
        (None, Some(axum::Extension(caller)), Some(axum::Extension(credential))) => {
            read_only = !credential.may_write();
            let grant = match credential {
                Credential::Session(id) => Grant::Session(id),
                Credential::Token { bearer, .. } => Grant::Token(bearer),
            };
            (caller, grant)
        }
        (None, _, _) => return (StatusCode::UNAUTHORIZED, "not signed in").into_response(),
    };
    // Presence shows a share link's reader as a guest, who drags nothing.
    let (user, member) = match &caller {
        Caller::User(name) => (name.clone(), Some(name.clone())),
        Caller::Link(_) => (UserName::parse("guest").expect("a valid user name"), None),
    };
    let mut watch = AccessWatch::new(
        user.clone(),
        grant,
        state.sessions.clone(),
        state.tokens.clone(),
    );
    // The grant was checked before the watch listened: once more, so a
    // sign-out or revocation in between is not missed.
    if !watch.holds().await {
        return (StatusCode::UNAUTHORIZED, "not signed in").into_response();
    }
    let access = state
        .kanri
        .read(&project, |s, seq| {
            let project = s.project.as_ref()?;
            caller.check(project, Role::Viewer).ok()?;
            Some((caller.role_in(project).unwrap_or(Role::Viewer), seq))
        })
        .await;
    let standing = match access {
        Ok(Some(Some((role, checked_at)))) => {
            Standing::new(member, role, checked_at).read_only(read_only)
        }
        Ok(_) => return (StatusCode::NOT_FOUND, "no such project").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot open a board socket");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    // Small buffers: a board may hold thousands of mostly idle sockets.
    ws.max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            let hub = state.kanri.hub().clone();
            let connection = hub.join(&project, user);
            let session = Session {
                store: state.kanri.store().clone(),
                project: project.clone(),
                sent: resume.after,
                standing,
                dragging: false,
            };
            session
                .run(socket, &hub, connection, state.shutdown.clone(), &mut watch)
                .await;
            hub.leave(&project, connection);
        })
}

type Sink = SplitSink<WebSocket, Message>;

/// Why a session ends.
enum End {
    /// The client went away, or a send failed or timed out.
    Gone,
    /// We close with a code and a reason.
    Close(u16, &'static str),
}

struct Session {
    store: Store,
    project: ProjectKey,
    /// The last global sequence number sent to this client.
    sent: u64,
    /// The caller's role, followed through the events relayed.
    standing: Standing,
    /// Whether this connection's presence shows a drag.
    dragging: bool,
}

impl Session {
    async fn run(
        mut self,
        socket: WebSocket,
        hub: &Hub,
        connection: u64,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
        access: &mut AccessWatch,
    ) {
        let (mut sink, mut incoming) = socket.split();
        // Subscribe before reading the log, so nothing falls between the two.
        let mut live = hub.subscribe(&self.project);
        let presence = hub.presence(&self.project);
        let end: Result<std::convert::Infallible, End> = async {
            send(&mut sink, &presence_message(&presence)).await?;
            self.catch_up(&mut sink).await?;
            loop {
                tokio::select! {
                    message = live.recv() => match message {
                        Ok(HubMessage::Events { prev, events }) => {
                            self.relay(&mut sink, prev, &events).await?;
                            self.stop_drag_if_demoted(hub, connection);
                        }
                        Ok(HubMessage::Presence(presence)) => {
                            send(&mut sink, &presence_message(&presence)).await?
                        }
                        // Too slow to keep up: take what was missed from the log instead.
                        Err(RecvError::Lagged(missed)) => {
                            tracing::debug!(missed, "a slow client resyncs from the log");
                            self.catch_up(&mut sink).await?;
                            self.stop_drag_if_demoted(hub, connection);
                        }
                        Err(RecvError::Closed) => return Err(End::Gone),
                    },
                    frame = incoming.next() => match frame {
                        None | Some(Ok(Message::Close(_))) => return Err(End::Gone),
                        Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientMessage>(&text) {
                            // A reader or viewer shows no drags.
                            Ok(ClientMessage::Dragging { .. }) if !self.standing.may_drag() => {}
                            Ok(ClientMessage::Dragging { issue }) => {
                                self.dragging = issue.is_some();
                                hub.set_dragging(&self.project, connection, issue);
                            }
                            Err(_) => return Err(End::Close(close::INVALID, "malformed message")),
                        },
                        Some(Ok(Message::Binary(_))) => return Err(End::Close(close::UNSUPPORTED, "binary messages are not accepted")),
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                        Some(Err(e)) => {
                            let too_big = e.to_string().contains("too long") || e.to_string().contains("too big");
                            return Err(if too_big { End::Close(close::TOO_BIG, "message too big") } else { End::Gone });
                        }
                    },
                    _ = shutdown.changed() => return Err(End::Close(close::GOING_AWAY, "the server is shutting down")),
                    (code, reason) = access.ended() => return Err(End::Close(code, reason)),
                }
            }
        }
        .await;
        if let Err(End::Close(code, reason)) = end {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ =
                tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
        }
    }

    /// Sends every event of the project after `self.sent` from the log.
    async fn catch_up(&mut self, sink: &mut Sink) -> Result<(), End> {
        loop {
            let events = self
                .store
                .events_after(Some(&self.project), self.sent, CATCH_UP_BATCH)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot read the log for a board socket");
                    End::Close(close::GOING_AWAY, "the server cannot read the log")
                })?;
            let full = events.len() == CATCH_UP_BATCH as usize;
            if !self.forward(sink, events).await? || !full {
                return Ok(());
            }
        }
    }

    /// Forwards a live batch, skipping what the catch-up already sent and
    /// filling from the log if something was missed in between.
    async fn relay(&mut self, sink: &mut Sink, prev: u64, events: &[Recorded]) -> Result<(), End> {
        if prev > self.sent {
            return self.catch_up(sink).await;
        }
        let fresh: Vec<Recorded> = events
            .iter()
            .filter(|e| e.seq > self.sent)
            .cloned()
            .collect();
        self.forward(sink, fresh).await.map(|_| ())
    }

    /// Sends what the caller may still see of `events` (in order, after
    /// `self.sent`); `false` when there was nothing. Ends the session, with
    /// nothing from the removal on sent, when they remove the caller.
    async fn forward(&mut self, sink: &mut Sink, events: Vec<Recorded>) -> Result<bool, End> {
        let (events, removed) = match self.standing.admit(events) {
            Ok(events) => (events, false),
            Err(before) => (before, true),
        };
        let sent_any = match events.last().map(|e| e.seq) {
            Some(last) => {
                let prev = std::mem::replace(&mut self.sent, last);
                send(sink, &ServerMessage::Events { prev, events }).await?;
                true
            }
            None => false,
        };
        if removed {
            return Err(End::Close(
                close::MEMBER_REMOVED,
                "you were removed from this project",
            ));
        }
        Ok(sent_any)
    }

    /// A member made a viewer lets go of what it was dragging.
    fn stop_drag_if_demoted(&mut self, hub: &Hub, connection: u64) {
        if self.dragging && !self.standing.may_drag() {
            self.dragging = false;
            hub.set_dragging(&self.project, connection, None);
        }
    }
}

async fn send(sink: &mut Sink, message: &ServerMessage) -> Result<(), End> {
    let text = serde_json::to_string(message).map_err(|_| End::Gone)?;
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(text.into()))).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(End::Gone),
    }
}

fn presence_message(presence: &Presence) -> ServerMessage {
    ServerMessage::Presence {
        viewers: presence.shown.clone(),
        total: presence.total,
    }
}
