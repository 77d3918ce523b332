//! Search `/p/{KEY}/search?q=`: the query language over the project's issues,
//! an error that points at its column, and the project's saved filters.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{DeleteFilter, SaveFilter, SearchPage, search};
use crate::ui::common::{Avatar, Breadcrumb, TypeIcon, loaded, reload_after};

/// Percent-encodes a query for a link (everything but unreserved characters).
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn SearchRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let save = ServerAction::<SaveFilter>::new();
    let delete = ServerAction::<DeleteFilter>::new();
    let changed = reload_after(vec![save.value(), delete.value()]);
    let args = move || {
        (
            params.with(|p| p.get("key").unwrap_or_default()),
            query.with(|q| q.get("q")),
            changed.get(),
        )
    };
    let page = Resource::new(args, |(key, q, _)| search(key, q));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
            {move || Suspend::new(async move {
                loaded(page.await, |page| view! { <SearchView page save delete /> }.into_any())
            })}
        </Transition>
    }
}

#[component]
fn SearchView(
    page: SearchPage,
    save: ServerAction<SaveFilter>,
    delete: ServerAction<DeleteFilter>,
) -> impl IntoView {
    let SearchPage {
        project,
        query,
        error,
        issues,
        total,
    } = page;
    let key = project.key.to_string();
    let base = format!("/p/{key}/search");
    let pointer = error.map(|e| {
        let caret = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
        view! {
            <div class="query-error" role="alert" data-testid="query-error" data-column=e.column.to_string()>
                <pre><code>{query.clone()}"\n"{caret}</code></pre>
                <p>{e.to_string()}</p>
            </div>
        }
    });
    let count = match (total, issues.len()) {
        (1, _) => "1 issue".to_string(),
        (t, shown) if shown < t => format!("{t} issues, showing the first {shown}"),
        (t, _) => format!("{t} issues"),
    };
    let rows = issues
        .into_iter()
        .map(|i| {
            let status = project.status_name(i.status);
            let k = i.key.to_string();
            view! {
                <tr data-testid="result" data-key=k.clone()>
                    <td><TypeIcon t=i.issue_type /></td>
                    <td><a class="card-key" href=format!("/p/{}/issues/{k}", i.key.project)>{k.clone()}</a></td>
                    <td class="result-title">{i.title.to_string()}</td>
                    <td><span class="status-pill">{status}</span></td>
                    <td>{i.assignee.map(|u| view! { <span class="with-icon"><Avatar user=u.clone() />{u.to_string()}</span> })}</td>
                    <td class="num">{i.points.map(|p| p.to_string())}</td>
                </tr>
            }
        })
        .collect_view();
    let filters = project
        .filters
        .iter()
        .map(|(name, q)| {
            let (name, href) = (name.to_string(), format!("{base}?q={}", url_encode(q)));
            let project = key.clone();
            view! {
                <li data-testid="saved-filter">
                    <a href=href title=q.clone()>{name.clone()}</a>
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="project" value=project />
                        <input type="hidden" name="name" value=name.clone() />
                        <button type="submit" class="link-button" aria-label=format!("Delete the filter {name}")>"Delete"</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let save_error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let (save_key, save_query) = (key.clone(), query.clone());
    view! {
        <Title text=format!("Search {}", project.name) />
        <div class="search-page" data-testid="search">
            <Breadcrumb project=project.clone() page="Search" />
            <form method="get" action=base.clone() class="search-form" role="search">
                <input name="q" value=query.clone() aria-label="Query" spellcheck="false" autocomplete="off"
                    placeholder="status = \"In Progress\" AND assignee = currentUser() ORDER BY rank" />
                <button type="submit" class="primary">"Search"</button>
            </form>
            {pointer}
            <div class="search-layout">
                <section class="panel">
                    <h2 data-testid="result-count">{count}</h2>
                    <table class="results"><tbody>{rows}</tbody></table>
                </section>
                <aside class="panel saved-filters">
                    <h2>"Saved filters"</h2>
                    <ul>{filters}</ul>
                    <ActionForm action=save attr:class="save-filter">
                        <input type="hidden" name="project" value=save_key />
                        <input type="hidden" name="query" value=save_query />
                        <input name="name" placeholder="Name this search" aria-label="Filter name" maxlength="80" />
                        <button type="submit">"Save"</button>
                    </ActionForm>
                    <p class="error" role="alert">{save_error}</p>
                </aside>
            </div>
        </div>
    }
    .into_any()
}
