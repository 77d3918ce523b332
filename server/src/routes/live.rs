//! `GET /api/live/{KEY}?after={seq}`: a board's WebSocket. It sends every
//! event after `after` from the log, then the live ones, with no gaps and no
//! duplicates, and keeps presence (who views, who drags what).

use app::api::Caller;
use app::api::live::{ClientMessage, MAX_CLIENT_MESSAGE, ServerMessage, close};
use app::domain::{ProjectKey, Recorded, Role, UserName};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::SinkExt;
use futures::stream::{SplitSink, StreamExt};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;
use crate::hub::{HubMessage, Presence};
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

/// A socket opened through a share link ends when the link does.
struct LinkWatch {
    id: i64,
    revocations: tokio::sync::broadcast::Receiver<i64>,
    expires_ms: Option<i64>,
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

/// Runs until `link` ends; forever without one.
async fn link_ended(link: &mut Option<LinkWatch>) {
    match link {
        Some(link) => link.ended().await,
        None => std::future::pending().await,
    }
}

#[tracing::instrument(skip_all, fields(project = %key))]
pub async fn board_socket(
    ws: WebSocketUpgrade,
    Path(key): Path<String>,
    Query(resume): Query<Resume>,
    caller: Option<axum::Extension<Caller>>,
    credential: Option<axum::Extension<app::api::Credential>>,
    State(state): State<AppState>,
) -> Response {
    let Ok(project) = ProjectKey::parse(&key) else {
        return (StatusCode::NOT_FOUND, "no such project").into_response();
    };
    // Subscribed before the link is checked, so a revocation in between is heard.
    let revocations = state.shares.revocations();
    let (caller, mut link) = match (resume.share.as_deref(), caller) {
        (Some(token), _) => match state.shares.open(token, crate::service::now_ms()).await {
            Ok(Some(open)) if open.project == project => (
                Caller::Link(project.clone()),
                Some(LinkWatch {
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
        (None, Some(axum::Extension(caller))) => (caller, None),
        (None, None) => return (StatusCode::UNAUTHORIZED, "not signed in").into_response(),
    };
    let access = state
        .kanri
        .read(&project, |s, _| {
            s.project.as_ref().map(|p| caller.check(p, Role::Viewer))
        })
        .await;
    match access {
        Ok(Some(Some(Ok(())))) => {}
        Ok(_) => return (StatusCode::NOT_FOUND, "no such project").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot open a board socket");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    // Presence shows a share link's reader as a guest, who drags nothing.
    let (user, reader) = match caller {
        Caller::User(name) => (name, credential.is_some_and(|c| !c.may_write())),
        Caller::Link(_) => (UserName::parse("guest").expect("a valid user name"), true),
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
                reader,
            };
            session
                .run(socket, &hub, connection, state.shutdown.clone(), &mut link)
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
    /// A share link's reader: only reads.
    reader: bool,
}

impl Session {
    async fn run(
        mut self,
        socket: WebSocket,
        hub: &crate::hub::Hub,
        connection: u64,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
        link: &mut Option<LinkWatch>,
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
                        Ok(HubMessage::Events { prev, events }) => self.relay(&mut sink, prev, &events).await?,
                        Ok(HubMessage::Presence(presence)) => {
                            send(&mut sink, &presence_message(&presence)).await?
                        }
                        // Too slow to keep up: take what was missed from the log instead.
                        Err(RecvError::Lagged(missed)) => {
                            tracing::debug!(missed, "a slow client resyncs from the log");
                            self.catch_up(&mut sink).await?;
                        }
                        Err(RecvError::Closed) => return Err(End::Gone),
                    },
                    frame = incoming.next() => match frame {
                        None | Some(Ok(Message::Close(_))) => return Err(End::Gone),
                        Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientMessage>(&text) {
                            Ok(ClientMessage::Dragging { .. }) if self.reader => {}
                            Ok(ClientMessage::Dragging { issue }) => hub.set_dragging(&self.project, connection, issue),
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
                    () = link_ended(link) => return Err(End::Close(close::LINK_ENDED, "the share link was revoked or has expired")),
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
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(());
            };
            let full = events.len() == CATCH_UP_BATCH as usize;
            send(
                sink,
                &ServerMessage::Events {
                    prev: self.sent,
                    events,
                },
            )
            .await?;
            self.sent = last;
            if !full {
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
        let Some(last) = fresh.last().map(|e| e.seq) else {
            return Ok(());
        };
        send(
            sink,
            &ServerMessage::Events {
                prev: self.sent,
                events: fresh,
            },
        )
        .await?;
        self.sent = last;
        Ok(())
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
