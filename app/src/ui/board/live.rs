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
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::super::interact::sleep;
    use super::super::{BoardCtx, Connection};
    use crate::api::live::{ClientMessage, ServerMessage, close};

    thread_local! {
        /// Messages for the server on the current socket, if one is open,
        /// tagged with its socket's number.
        static OUTBOX: RefCell<Option<(u64, UnboundedSender<ClientMessage>)>> = const { RefCell::new(None) };
        /// Numbers the sockets, so an ended one clears only its own outbox.
        static SOCKETS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    pub fn send(message: ClientMessage) {
        OUTBOX.with(|o| {
            if let Some((_, tx)) = o.borrow().as_ref() {
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
        // False once the board is gone (the reader navigated away): the loop
        // must stop and close its socket, and never touch the board again.
        let alive = Arc::new(AtomicBool::new(true));
        let wake_up = {
            let tx = wake_tx.clone();
            move || {
                let _ = tx.unbounded_send(());
            }
        };
        let on = window_event_listener(leptos::ev::online, {
            let wake_up = wake_up.clone();
            move |_| wake_up()
        });
        // Going offline ends the socket at once (browsers may keep a dead one).
        let off = window_event_listener(leptos::ev::offline, {
            let wake_up = wake_up.clone();
            move |_| {
                OUTBOX.with(|o| o.borrow_mut().take());
                wake_up();
            }
        });
        on_cleanup({
            let alive = alive.clone();
            move || {
                alive.store(false, Ordering::Relaxed);
                wake_up();
                on.remove();
                off.remove();
            }
        });

        leptos::task::spawn_local(async move {
            let mut backoff = Duration::from_millis(500);
            let gone = || !alive.load(Ordering::Relaxed);
            loop {
                if gone() {
                    return;
                }
                if !online() {
                    ctx.connection.set(Connection::Offline);
                    ctx.viewers.set(Vec::new());
                    let _ = wake.next().await;
                    continue;
                }
                let lost_cleanly = follow(ctx, &mut wake, &alive).await;
                if gone() {
                    return;
                }
                ctx.viewers.set(Vec::new());
                // Access ended: reconnecting would only be refused.
                if matches!(
                    ctx.connection.get_untracked(),
                    Connection::LinkEnded | Connection::AccessEnded(_)
                ) {
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
        alive: &AtomicBool,
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
        let number = SOCKETS.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        OUTBOX.with(|o| *o.borrow_mut() = Some((number, out_tx)));
        let result = loop {
            select! {
                message = read.next() => match message {
                    _ if !alive.load(Ordering::Relaxed) => break true,
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
                    Some(Err(WebSocketError::ConnectionClose(e))) if close::ended(e.code).is_some() => {
                        ctx.connection.set(Connection::AccessEnded(e.code));
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
                    if !online() || !alive.load(Ordering::Relaxed) {
                        break true;
                    }
                }
            }
        };
        OUTBOX.with(|o| {
            let mut o = o.borrow_mut();
            if o.as_ref().is_some_and(|(n, _)| *n == number) {
                *o = None;
            }
        });
        let _ = write.close().await;
        result
    }
}
