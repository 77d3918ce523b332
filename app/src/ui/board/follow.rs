//! The board's side of the live client (`ui::live`): events go through the
//! model, which finds gaps and confirms the board's own commands; presence
//! fills the viewers; the connection's state shows in the header.

use leptos::prelude::*;

use super::BoardCtx;
use crate::api::live::Viewer;
use crate::domain::Recorded;
use crate::ui::live::{Connection, Follower};

impl Follower for BoardCtx {
    fn last_seq(&self) -> u64 {
        self.model
            .try_with_untracked(|m| m.last_seq)
            .unwrap_or_default()
    }

    fn events(&self, prev: u64, events: Vec<Recorded>) -> bool {
        self.model
            .try_update(|m| m.apply_server(prev, &events).is_ok())
            .unwrap_or(true)
    }

    fn presence(&self, viewers: Vec<Viewer>, total: usize) {
        self.viewers.set(viewers);
        self.viewer_count.set(total);
    }

    fn connection(&self, state: Connection) {
        self.connection.set(state);
        // Who is here is only known while connected.
        if state != Connection::Live {
            self.viewers.set(Vec::new());
        }
    }
}
