//! The board through a read-only share link, without an account:
//! `/s/{token}`. It follows every change live; nothing on it can change
//! anything (the server refuses it anyway).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{Board, Filters, for_board};
use crate::api::load_shared_board;
use crate::domain::UserName;
use crate::ui::common::{loaded, share_token};

#[component]
pub fn SharedBoardPage() -> impl IntoView {
    let token = share_token();
    let query = use_query_map();
    let snapshot = Resource::new(token, |token| async move {
        load_shared_board(token).await.map(for_board)
    });
    let filters = Memo::new(move |_| query.with(|q| Filters::from_query(|k| q.get(k))));
    let guest = UserName::parse("guest").expect("a valid user name");
    view! {
        <Suspense fallback=|| view! { <p class="muted board-loading">"Loading the board…"</p> }>
            {move || {
                let guest = guest.clone();
                Suspend::new(async move {
                    loaded(snapshot.await, |snapshot| {
                        view! { <Board snapshot me=guest filters share=Some(token()) /> }.into_any()
                    })
                })
            }}
        </Suspense>
    }
}
