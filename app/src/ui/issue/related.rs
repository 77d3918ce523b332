//! The issues around an issue: an epic's issues or an issue's sub-tasks,
//! with a progress bar, and its links to other issues.

use leptos::prelude::*;

use super::Reload;
use crate::api::{ApiError, CreateChild, IssueDetail, IssueSummary, LinkIssue, UnlinkIssue};
use crate::domain::*;
use crate::ui::common::TypeIcon;

fn error_of(value: Option<Result<Outcome, ApiError>>) -> Option<String> {
    value?.err().map(|e| e.to_string())
}

/// An issue as a row: type, key, title, status, then `children` (actions).
#[component]
fn IssueLine(
    summary: IssueSummary,
    #[prop(optional)] prefix: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let href = format!("/p/{}/issues/{}", summary.key.project, summary.key);
    view! {
        <li class="issue-row" class:done=summary.done data-key=summary.key.to_string()
            data-link=prefix.unwrap_or_default()>
            {prefix.map(|p| view! { <span class="link-kind">{p}</span> })}
            <TypeIcon t=summary.issue_type />
            <a class="card-key" href=href>{summary.key.to_string()}</a>
            <span class="issue-row-title">{summary.title.to_string()}</span>
            <span class="status-pill">{summary.status.clone()}</span>
            {children.map(|c| c())}
        </li>
    }
}

/// An epic's issues or an issue's sub-tasks, how far along they are, and a
/// form to add one. Sub-tasks have none.
#[component]
pub fn Children(detail: IssueDetail) -> impl IntoView {
    let issue = detail.issue.clone();
    if issue.issue_type == IssueType::SubTask {
        return ().into_any();
    }
    let reload = expect_context::<Reload>();
    let create = ServerAction::<CreateChild>::new();
    reload.after(create.value());
    let epic = issue.issue_type == IssueType::Epic;
    let heading = if epic {
        "Issues in this epic"
    } else {
        "Sub-tasks"
    };
    let (done, total, done_points, points) = detail.progress();
    let pct = if total == 0 {
        0.0
    } else {
        done as f64 * 100.0 / total as f64
    };
    let summary = if total == 0 {
        if epic {
            "No issues in this epic yet.".to_string()
        } else {
            "No sub-tasks yet.".to_string()
        }
    } else if points > 0 {
        format!(
            "{done} of {total} done · {} of {} points",
            tenths(done_points),
            tenths(points)
        )
    } else {
        format!("{done} of {total} done")
    };
    view! {
        <section class="panel children" aria-label=heading data-testid="children">
            <h2>{heading}</h2>
            {(total > 0).then(|| view! {
                <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow=format!("{pct:.0}") aria-label=format!("{heading}: {summary}")>
                    <span class="progress-done" style=format!("width: {pct:.1}%")></span>
                </div>
            })}
            <p class="muted" data-testid="progress">{summary}</p>
            <ul class="issue-rows">
                {detail.children.iter().cloned().map(|summary| view! { <IssueLine summary /> }).collect_view()}
            </ul>
            <ActionForm action=create attr:class="inline-create">
                <input type="hidden" name="parent" value=issue.key.to_string() />
                <input type="hidden" name="epic" value=epic.to_string() />
                <input name="title" aria-label=if epic { "New issue in this epic" } else { "New sub-task" }
                    placeholder=if epic { "Add an issue to this epic" } else { "Add a sub-task" } />
                <button type="submit">"Add"</button>
                <small class="field-error" role="alert">{move || error_of(create.value().get())}</small>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// Links to other issues, in both directions, each removable.
#[component]
pub fn Links(detail: IssueDetail) -> impl IntoView {
    let reload = expect_context::<Reload>();
    let link = ServerAction::<LinkIssue>::new();
    let unlink = ServerAction::<UnlinkIssue>::new();
    reload.after(link.value());
    reload.after(unlink.value());
    let key = detail.issue.key.to_string();
    let viewer = detail.issue.key.number;
    let rows = detail
        .links
        .iter()
        .cloned()
        .map(|(view, summary)| {
            let (stored_on, stored) = view.stored(viewer);
            let other = summary.key.to_string();
            let key = key.clone();
            view! {
                <IssueLine summary prefix=view.kind.label()>
                    <ActionForm action=unlink attr:class="inline-form">
                        <input type="hidden" name="issue" value=key />
                        <input type="hidden" name="stored_on" value=stored_on.0 />
                        <input type="hidden" name="kind" value=stored.kind.slug() />
                        <input type="hidden" name="target" value=stored.target.0 />
                        <button type="submit" class="link-button" aria-label=format!("Remove the link to {other}")>"Remove"</button>
                    </ActionForm>
                </IssueLine>
            }
        })
        .collect_view();
    view! {
        <section class="panel links" aria-labelledby="links-heading" data-testid="links">
            <h2 id="links-heading">"Links"</h2>
            <ul class="issue-rows" data-testid="link-list">{rows}</ul>
            <ActionForm action=link attr:class="inline-create">
                <input type="hidden" name="issue" value=key.clone() />
                <select name="kind" aria-label="Link type">
                    {LinkKind::ALL.iter().map(|k| view! { <option value=k.slug()>{k.label()}</option> }).collect_view()}
                </select>
                <input name="target" aria-label="Issue to link" placeholder=format!("{}-1", detail.project.key) />
                <button type="submit">"Link"</button>
                <small class="field-error" role="alert">{move || error_of(link.value().get())}</small>
            </ActionForm>
        </section>
    }
}
