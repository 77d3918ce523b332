//! The board's WebSocket: follow the project's events from the last applied
//! sequence number, reconnect with back-off, resume from the log after a gap,
//! and carry presence ("dragging ABC-7") out.

#[cfg(feature = "hydrate")]
pub use browser::{connect, send, socket_url};

/// Server-side rendering has no socket.
#[cfg(not(feature = "hydrate"))]
pub fn connect(_ctx: super::BoardCtx) {}
#[cfg(not(feature = "hydrate"))]
pub fn send(_message: crate::api::live::ClientMessage) {}

#[cfg(feature = "hydrate")]
mod browser {
    use futures::channel::mpsc::{UnboundedSender, unbounded};
    use futures::{FutureExt, SinkExt, StreamExt, select};
    use gloo_net::websocket::futures::WebSocket;
    use gloo_net::websocket::{Message, WebSocketError};
    use leptos::prelude::*;
    use std::cell::RefCell;
    use std::time::Duration;

    use super::super::interact::sleep;
    use super::super::{BoardCtx, Connection};
    use crate::api::live::{ClientMessage, ServerMessage, close};

    thread_local! {
        /// Messages for the server on the current socket, if one is open.
        static OUTBOX: RefCell<Option<UnboundedSender<ClientMessage>>> = const { RefCell::new(None) };
        /// Wakes the connection loop (the browser came back online).
        static WAKE: RefCell<Option<UnboundedSender<()>>> = const { RefCell::new(None) };
    }

    pub fn send(message: ClientMessage) {
        OUTBOX.with(|o| {
            if let Some(tx) = o.borrow().as_ref() {
                let _ = tx.unbounded_send(message);
            }
        });
    }

    /// The project's live socket on this page's host, resuming after `after`.
    pub fn socket_url(project: &crate::domain::ProjectKey, after: u64) -> String {
        let location = window().location();
        let scheme = if location.protocol().ok().as_deref() == Some("https:") {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().unwrap_or_default();
        format!("{scheme}://{host}/api/live/{project}?after={after}")
    }

    fn online() -> bool {
        window().navigator().on_line()
    }

    pub fn connect(ctx: BoardCtx) {
        let (wake_tx, mut wake) = unbounded::<()>();
        WAKE.with(|w| *w.borrow_mut() = Some(wake_tx));
        let wake_up = || WAKE.with(|w| w.borrow().as_ref().map(|tx| tx.unbounded_send(())));
        let on = window_event_listener(leptos::ev::online, move |_| {
            let _ = wake_up();
        });
        // Going offline ends the socket at once (browsers may keep a dead one).
        let off = window_event_listener(leptos::ev::offline, move |_| {
            OUTBOX.with(|o| o.borrow_mut().take());
            let _ = wake_up();
        });
        on_cleanup(move || {
            on.remove();
            off.remove();
        });

        leptos::task::spawn_local(async move {
            let mut backoff = Duration::from_millis(500);
            loop {
                if !online() {
                    ctx.connection.set(Connection::Offline);
                    ctx.viewers.set(Vec::new());
                    let _ = wake.next().await;
                    continue;
                }
                let lost_cleanly = follow(ctx, &mut wake).await;
                ctx.viewers.set(Vec::new());
                if ctx.connection.get_untracked() == Connection::LinkEnded {
                    return;
                }
                if lost_cleanly {
                    // A gap or a wake-up: resume from the log at once.
                    backoff = Duration::from_millis(500);
                    continue;
                }
                ctx.connection.set(if online() {
                    Connection::Reconnecting
                } else {
                    Connection::Offline
                });
                // Jitter, so a restarted server is not hit by every board at once.
                let jitter = Duration::from_millis((js_sys::Math::random() * 250.0) as u64);
                select! {
                    _ = sleep(backoff + jitter).fuse() => {}
                    _ = wake.next() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        });
    }

    /// Follows the board over one socket. Returns `true` when the client
    /// itself ended it to resume at once (a gap, going offline).
    async fn follow(
        ctx: BoardCtx,
        wake: &mut futures::channel::mpsc::UnboundedReceiver<()>,
    ) -> bool {
        let after = ctx.model.with_untracked(|m| m.last_seq);
        let mut url = socket_url(&ctx.key.get_value(), after);
        if let Some(token) = ctx.share.get_value() {
            url.push_str(&format!("&share={token}"));
        }
        let Ok(socket) = WebSocket::open(&url) else {
            return false;
        };
        let (mut write, read) = socket.split();
        let mut read = read.fuse();
        let (out_tx, mut out) = unbounded::<ClientMessage>();
        OUTBOX.with(|o| *o.borrow_mut() = Some(out_tx));
        let result = loop {
            select! {
                message = read.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        if ctx.connection.get_untracked() != Connection::Live {
                            ctx.connection.set(Connection::Live);
                        }
                        match serde_json::from_str::<ServerMessage>(&text) {
                            Ok(ServerMessage::Events { prev, events }) => {
                                let gap = ctx.model.try_update(|m| m.apply_server(prev, &events).is_err()).unwrap_or(false);
                                if gap {
                                    break true;
                                }
                            }
                            Ok(ServerMessage::Presence { viewers, total }) => {
                                ctx.viewers.set(viewers);
                                ctx.viewer_count.set(total);
                            }
                            Err(_) => {}
                        }
                    }
                    Some(Ok(Message::Bytes(_))) => {}
                    Some(Err(WebSocketError::ConnectionClose(e))) if e.code == close::LINK_ENDED => {
                        ctx.connection.set(Connection::LinkEnded);
                        break false;
                    }
                    Some(Err(_)) | None => break false,
                },
                message = out.next() => match message {
                    Some(m) => {
                        if let Ok(text) = serde_json::to_string(&m) {
                            let _ = write.send(Message::Text(text)).await;
                        }
                    }
                    // The outbox was taken: the browser went offline.
                    None => break true,
                },
                _ = wake.next() => {
                    if !online() {
                        break true;
                    }
                }
            }
        };
        OUTBOX.with(|o| o.borrow_mut().take());
        let _ = write.close().await;
        result
    }
}
