//! Comments (Markdown, rendered safely, with `@mentions`) and watchers.

use leptos::prelude::*;
use std::collections::BTreeSet;

use super::Reload;
use crate::api::{AddComment, ApiError, DeleteComment, EditComment, WatchIssue};
use crate::domain::*;
use crate::ui::common::{Avatar, Markdown};

/// The message of an answer that was refused (invalid input included).
fn refusal(value: Option<Result<Outcome, ApiError>>) -> Option<String> {
    match value? {
        Ok(Outcome::Conflict { .. }) => {
            Some("Someone changed this comment meanwhile; reload and try again.".into())
        }
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// Appends `@name ` to the comment box, for the mention buttons.
fn mention_into(textarea: NodeRef<leptos::html::Textarea>, user: &UserName) {
    if let Some(area) = textarea.get() {
        let text = area.value();
        let gap = if text.is_empty() || text.ends_with([' ', '\n']) {
            ""
        } else {
            " "
        };
        area.set_value(&format!("{text}{gap}@{user} "));
        let _ = area.focus();
    }
}

#[component]
pub fn Comments(issue: Issue, me: UserName, members: BTreeSet<UserName>) -> impl IntoView {
    let reload = expect_context::<Reload>();
    let add = ServerAction::<AddComment>::new();
    let edit = ServerAction::<EditComment>::new();
    let delete = ServerAction::<DeleteComment>::new();
    for value in [add.value(), edit.value(), delete.value()] {
        reload.after(value);
    }
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    // Clear the box once the comment is in.
    Effect::new(move |_| {
        if matches!(
            add.value().get(),
            Some(Ok(Outcome::Accepted { .. } | Outcome::Merged { .. }))
        ) && let Some(area) = textarea.get()
        {
            area.set_value("");
        }
    });
    let key = issue.key.to_string();
    let version = issue.version;
    let project = issue.key.project.clone();
    let comments: Vec<Comment> = issue.comments.values().cloned().collect();
    let count = comments.len();
    let mentionable: Vec<UserName> = members.iter().filter(|m| **m != me).cloned().collect();
    view! {
        <section class="panel comments" aria-labelledby="comments-heading" data-testid="comments">
            <h2 id="comments-heading">{format!("Comments ({count})")}</h2>
            <ol class="comment-list">
                {comments
                    .into_iter()
                    .map(|c| {
                        view! {
                            <CommentItem c issue=key.clone() version mine=me.clone() members=members.clone()
                                project=project.clone() edit delete />
                        }
                    })
                    .collect_view()}
            </ol>
            <ActionForm action=add attr:class="comment-form" attr:data-testid="add-comment">
                <input type="hidden" name="issue" value=key.clone() />
                <input type="hidden" name="version" value=version />
                <label for="comment-body">"Add a comment"</label>
                <textarea id="comment-body" name="body" rows="4" node_ref=textarea
                    placeholder="Markdown: **bold**, _italic_, `code`, lists, links. @name mentions a member."></textarea>
                <div class="mention-bar">
                    <span class="muted">"Mention:"</span>
                    {mentionable
                        .into_iter()
                        .map(|user| {
                            let label = format!("@{user}");
                            view! {
                                <button type="button" class="chip" on:click=move |_| mention_into(textarea, &user)>{label}</button>
                            }
                        })
                        .collect_view()}
                </div>
                <p class="error" role="alert" data-testid="comment-error">{move || refusal(add.value().get())}</p>
                <button type="submit" class="primary" disabled=move || add.pending().get()>"Comment"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CommentItem(
    c: Comment,
    issue: String,
    version: u64,
    mine: UserName,
    members: BTreeSet<UserName>,
    project: ProjectKey,
    edit: ServerAction<EditComment>,
    delete: ServerAction<DeleteComment>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let own = c.author == mine;
    let n = c.number.0;
    let source = c.body.as_str().to_owned();
    let edited = c.edited.map(|t| format!(" · edited {t}"));
    let error = move || refusal(edit.value().get()).or_else(|| refusal(delete.value().get()));
    let (edit_issue, delete_issue) = (issue.clone(), issue);
    let body = {
        let source = source.clone();
        move || {
            if editing.get() {
                let (issue, text) = (edit_issue.clone(), source.clone());
                view! {
                    <ActionForm action=edit attr:class="comment-form">
                        <input type="hidden" name="issue" value=issue />
                        <input type="hidden" name="version" value=version />
                        <input type="hidden" name="comment" value=n />
                        <textarea name="body" rows="4" aria-label="Edit the comment">{text}</textarea>
                        <button type="submit" class="primary">"Save"</button>
                        <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! { <Markdown source=source.clone() members=members.clone() project=project.clone() /> }
                    .into_any()
            }
        }
    };
    let actions = own.then(|| {
        view! {
            <div class="comment-actions">
                <button type="button" class="link-button" on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="issue" value=delete_issue />
                    <input type="hidden" name="version" value=version />
                    <input type="hidden" name="comment" value=n />
                    <button type="submit" class="link-button">"Delete"</button>
                </ActionForm>
            </div>
        }
    });
    view! {
        <li class="comment" data-testid="comment" data-author=c.author.to_string() data-number=n>
            <Avatar user=c.author.clone() />
            <div class="comment-body">
                <p class="comment-meta">
                    <strong>{c.author.to_string()}</strong>
                    <time class="muted">{format!(" {}", c.posted)}{edited}</time>
                </p>
                {body}
                <p class="error" role="alert">{error}</p>
            </div>
            {actions}
        </li>
    }
}

/// Who watches the issue, and a button to start or stop.
#[component]
pub fn Watchers(issue: Issue, me: UserName) -> impl IntoView {
    let reload = expect_context::<Reload>();
    let watch = ServerAction::<WatchIssue>::new();
    reload.after(watch.value());
    let watching = issue.watchers.contains(&me);
    let watchers: Vec<UserName> = issue.watchers.iter().cloned().collect();
    let count = watchers.len();
    view! {
        <section class="panel watchers" aria-labelledby="watchers-heading" data-testid="watchers">
            <h2 id="watchers-heading">{format!("Watchers ({count})")}</h2>
            <ul class="watcher-list">
                {watchers
                    .into_iter()
                    .map(|u| view! { <li class="with-icon" data-user=u.to_string()><Avatar user=u.clone() />{u.to_string()}</li> })
                    .collect_view()}
            </ul>
            <ActionForm action=watch>
                <input type="hidden" name="issue" value=issue.key.to_string() />
                <input type="hidden" name="watch" value=(!watching).to_string() />
                <button type="submit">{if watching { "Stop watching" } else { "Watch" }}</button>
            </ActionForm>
            <p class="error" role="alert">{move || refusal(watch.value().get())}</p>
        </section>
    }
}
