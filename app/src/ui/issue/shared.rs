//! One issue through a read-only share link: `/s/{token}/issues/{KEY-N}`:
//! its fields, description, related issues and comments, and names only,
//! never an e-mail address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{IssueDetail, IssueSummary, load_shared_issue};
use crate::domain::*;
use crate::ui::common::{FieldList, Markdown, TypeIcon, loaded, share_token};

#[component]
pub fn SharedIssuePage() -> impl IntoView {
    let token = share_token();
    let params = use_params_map();
    let issue = move || params.with(|p| p.get("issue").unwrap_or_default());
    let detail = Resource::new(move || (token(), issue()), |(t, i)| load_shared_issue(t, i));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the issue…"</p> }>
            {move || Suspend::new(async move {
                loaded(detail.await, |detail| view! { <SharedIssue detail board=format!("/s/{}", token()) /> }.into_any())
            })}
        </Suspense>
    }
}

/// An issue, read-only: its fields, description, related issues and
/// comments. Names only, never an e-mail address.
#[component]
fn SharedIssue(detail: IssueDetail, board: String) -> impl IntoView {
    let IssueDetail {
        project,
        issue,
        parent,
        children,
        links,
        people,
        ..
    } = detail;
    let members: std::collections::BTreeSet<UserName> = people.into_iter().collect();
    let key = issue.key.to_string();
    let description = issue.description.as_str().to_owned();
    let line = {
        let board = board.clone();
        move |s: IssueSummary| {
            let href = format!("{board}/issues/{}", s.key);
            view! {
                <li>
                    <TypeIcon t=s.issue_type />
                    <a href=href>{s.key.to_string()}</a>
                    {format!(" {} · {}", s.title, s.status)}
                </li>
            }
        }
    };
    let related: Vec<_> = parent
        .into_iter()
        .chain(children)
        .chain(links.into_iter().map(|(_, s)| s))
        .map(line)
        .collect();
    let comments = issue
        .comments
        .values()
        .map(|c| {
            view! {
                <li class="comment" data-testid="comment">
                    <p class="comment-meta"><strong>{c.author.to_string()}</strong> <time class="muted">{c.posted.to_string()}</time></p>
                    <Markdown source=c.body.as_str().to_owned() members=members.clone() project=project.key.clone() />
                </li>
            }
        })
        .collect_view();
    let description = if description.is_empty() {
        view! { <p class="muted">"No description."</p> }.into_any()
    } else {
        view! { <Markdown source=description members=members.clone() project=project.key.clone() /> }.into_any()
    };
    let related = (!related.is_empty()).then(|| {
        view! { <section class="panel"><h2>"Related issues"</h2><ul class="related">{related}</ul></section> }
            .into_any()
    });
    let comments = view! {
        <section class="panel">
            <h2>{format!("Comments ({})", issue.comments.len())}</h2>
            <ul class="comments">{comments}</ul>
        </section>
    }
    .into_any();
    view! {
        <Title text=format!("{key} {}", issue.title) />
        <article class="issue-page shared" data-testid="shared-issue" data-key=key.clone()>
            <nav class="breadcrumb" aria-label="Breadcrumb">
                <a href=board>{format!("{} board", project.name)}</a>
                {format!(" / {key}")}
            </nav>
            <p class="read-only-note">"A read-only shared issue."</p>
            <header class="issue-header">
                <TypeIcon t=issue.issue_type />
                <span class="card-key">{key.clone()}</span>
                <h1 data-testid="issue-title">{issue.title.to_string()}</h1>
            </header>
            <div class="issue-layout">
                <div class="issue-main">
                    <section class="panel"><h2>"Description"</h2>{description}</section>
                    {related}
                    {comments}
                </div>
                <aside class="issue-side">
                    <section class="panel issue-fields">
                        <FieldList project=project.clone() issue=issue.clone() />
                    </section>
                </aside>
            </div>
        </article>
    }
}
