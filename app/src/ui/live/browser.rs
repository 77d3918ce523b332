//! The client's loop in the browser: one socket at a time, and the wait
//! between them.

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{FutureExt, SinkExt, StreamExt, select};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::reconnect::{Backoff, final_state};
use super::{Connection, Follower, Subscription};
use crate::api::live::{ClientMessage, ServerMessage};
use crate::ui::platform::{navigator_online, random_unit, sleep};

thread_local! {
    /// Messages for the server on the current socket, if one is open,
    /// tagged with its socket's number.
    static OUTBOX: RefCell<Option<(u64, UnboundedSender<ClientMessage>)>> = const { RefCell::new(None) };
    /// Numbers the sockets, so an ended one clears only its own outbox.
    static SOCKETS: Cell<u64> = const { Cell::new(0) };
}

/// Sends `message` on the open socket; dropped when there is none (presence
/// is only worth sending live).
pub fn send(message: ClientMessage) {
    OUTBOX.with(|o| {
        if let Some((_, tx)) = o.borrow().as_ref() {
            let _ = tx.unbounded_send(message);
        }
    });
}

/// A follower and the state last told to it.
struct Link<F> {
    follower: F,
    state: Cell<Connection>,
}

impl<F: Follower> Link<F> {
    fn set(&self, state: Connection) {
        if self.state.replace(state) != state {
            self.follower.connection(state);
        }
    }
}

/// How one socket ended.
enum End {
    /// Lost (or never opened): try again after a back-off.
    Lost,
    /// Ended by the client itself (a gap, going offline, a wake-up):
    /// resume at once.
    Resume,
    /// The server said the reader's access ended: stop for good.
    Final,
}

/// Follows `to` until the calling page's owner is cleaned up.
pub fn follow(to: Subscription, follower: impl Follower) {
    let (wake_tx, mut wake) = unbounded::<()>();
    // False once the page is gone (the reader navigated away): the loop
    // must stop and close its socket, and never touch the page again.
    let alive = Arc::new(AtomicBool::new(true));
    let wake_up = move || {
        let _ = wake_tx.unbounded_send(());
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
        let link = Link {
            follower,
            state: Cell::new(Connection::Connecting),
        };
        let mut backoff = Backoff::default();
        let gone = || !alive.load(Ordering::Relaxed);
        loop {
            if gone() {
                return;
            }
            if !navigator_online() {
                link.set(Connection::Offline);
                let _ = wake.next().await;
                continue;
            }
            let end = one_socket(&to, &link, &mut wake, &alive).await;
            if gone() {
                return;
            }
            match end {
                End::Final => return,
                End::Resume => {
                    backoff.reset();
                    continue;
                }
                End::Lost => {}
            }
            // A socket that worked is not a failure in a row.
            if link.state.get() == Connection::Live {
                backoff.reset();
            }
            link.set(if navigator_online() {
                Connection::Reconnecting
            } else {
                Connection::Offline
            });
            select! {
                _ = sleep(backoff.next(random_unit())).fuse() => {}
                _ = wake.next() => {}
            }
        }
    });
}

/// Follows over one socket until it ends.
async fn one_socket<F: Follower>(
    to: &Subscription,
    link: &Link<F>,
    wake: &mut UnboundedReceiver<()>,
    alive: &AtomicBool,
) -> End {
    let Ok(socket) = WebSocket::open(&to.url(link.follower.last_seq())) else {
        return End::Lost;
    };
    let (mut write, read) = socket.split();
    let mut read = read.fuse();
    let (out_tx, mut out) = unbounded::<ClientMessage>();
    let number = SOCKETS.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    OUTBOX.with(|o| *o.borrow_mut() = Some((number, out_tx)));
    let end = loop {
        select! {
            message = read.next() => match message {
                _ if !alive.load(Ordering::Relaxed) => break End::Resume,
                Some(Ok(Message::Text(text))) => {
                    link.set(Connection::Live);
                    match serde_json::from_str::<ServerMessage>(&text) {
                        Ok(ServerMessage::Events { prev, events }) => {
                            // A batch that does not follow on: resume from the log.
                            let gap = prev > link.follower.last_seq()
                                || !link.follower.events(prev, events);
                            if gap {
                                break End::Resume;
                            }
                        }
                        Ok(ServerMessage::Presence { viewers, total }) => {
                            link.follower.presence(viewers, total);
                        }
                        Err(_) => {}
                    }
                }
                Some(Ok(Message::Bytes(_))) => {}
                Some(Err(WebSocketError::ConnectionClose(e))) => match final_state(e.code) {
                    Some(state) => {
                        link.set(state);
                        break End::Final;
                    }
                    None => break End::Lost,
                },
                Some(Err(_)) | None => break End::Lost,
            },
            message = out.next() => match message {
                Some(m) => {
                    if let Ok(text) = serde_json::to_string(&m) {
                        let _ = write.send(Message::Text(text)).await;
                    }
                }
                // The outbox was taken: the browser went offline.
                None => break End::Resume,
            },
            _ = wake.next() => {
                if !navigator_online() || !alive.load(Ordering::Relaxed) {
                    break End::Resume;
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
    end
}
