//! The board's side of the live client (`ui::live`): events go through the
//! model, which finds gaps and confirms the board's own commands; presence
//! fills the viewers; the connection's state shows in the header.

use leptos::prelude::*;

use super::BoardCtx;
use super::model::others_moves_said;
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
        let applied = self.model.try_update(|m| {
            let before = m.last_seq;
            m.apply_server(prev, &events).is_ok().then_some(before)
        });
        match applied {
            Some(Some(before)) => {
                let fresh = events.iter().position(|e| e.seq > before);
                let fresh = fresh.map_or(&[][..], |i| &events[i..]);
                let me = self.me.0.get_value();
                if let Some(said) = self
                    .displayed
                    .with_untracked(|s| others_moves_said(s, &me, fresh))
                {
                    self.announce.set(said);
                }
                true
            }
            Some(None) => false,
            // The board is gone.
            None => true,
        }
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
