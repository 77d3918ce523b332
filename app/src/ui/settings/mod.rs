//! Project settings `/p/{KEY}/settings`: the name, the board's columns with
//! their WIP limits, the working calendar behind `1d` and `1w`, and the
//! members, share links and webhooks. Only admins change them; others see
//! them read-only.

mod members;
mod share_links;
mod webhooks;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{
    AddColumn, ApiError, ConfigureCalendar, DeliveryView, ProjectSnapshot, RenameProject,
    ShareLinkView, UpdateColumn, WebhookView, load_project, share_links, webhooks,
};
use crate::domain::*;
use crate::ui::common::{Breadcrumb, NotFound, loaded, reload_after};
use members::{MemberForms, MembersPanel};
use share_links::{ShareForms, SharePanel};
use webhooks::{WebhookForms, WebhookPanel};

/// The page's forms; any that succeeds reloads the project.
#[derive(Clone, Copy)]
struct Forms {
    rename: ServerAction<RenameProject>,
    calendar: ServerAction<ConfigureCalendar>,
    column: ServerAction<UpdateColumn>,
    add: ServerAction<AddColumn>,
    members: MemberForms,
    shares: ShareForms,
    hooks: WebhookForms,
}

/// A project's webhooks with their latest deliveries.
type Hooks = Vec<(WebhookView, Vec<DeliveryView>)>;

/// What went wrong with the last answer of `value`, for its form.
pub(crate) fn problem(value: Option<Result<Outcome, ApiError>>) -> Option<String> {
    match value? {
        Ok(Outcome::Conflict { changes, .. }) => Some(format!(
            "Not saved: {} changed this meanwhile. The page shows their change; try again.",
            changes
                .last()
                .map_or_else(|| "someone".to_string(), |c| c.actor.to_string())
        )),
        Ok(_) => None,
        Err(ApiError::Invalid(errors)) => Some(
            errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(e) => Some(e.to_string()),
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("key").unwrap_or_default());
    let forms = Forms {
        rename: ServerAction::new(),
        calendar: ServerAction::new(),
        column: ServerAction::new(),
        add: ServerAction::new(),
        members: MemberForms::new(),
        shares: ShareForms::new(),
        hooks: WebhookForms::new(),
    };
    let changed = reload_after(vec![
        forms.rename.value(),
        forms.calendar.value(),
        forms.column.value(),
        forms.add.value(),
        forms.members.invite.value(),
        forms.members.change.value(),
        forms.members.remove.value(),
    ]);
    let snapshot = Resource::new(move || (key(), changed.get()), |(key, _)| load_project(key));
    // Admins only: anyone else gets `None`, and no panel shows.
    let links = Resource::new(
        move || (key(), forms.shares.answered()),
        |(key, _)| share_links(key),
    );
    let hooks = Resource::new(
        move || (key(), forms.hooks.answered()),
        |(key, _)| webhooks(key),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the settings…"</p> }>
            {move || Suspend::new(async move {
                let links = links.await.ok().flatten();
                let hooks = hooks.await.ok().flatten();
                loaded(snapshot.await, |snapshot| view! { <Settings snapshot forms links hooks /> }.into_any())
            })}
        </Transition>
    }
}

#[component]
fn Settings(
    snapshot: ProjectSnapshot,
    forms: Forms,
    links: Option<Vec<ShareLinkView>>,
    hooks: Option<Hooks>,
) -> impl IntoView {
    let Some(project) = snapshot.state.project.clone() else {
        return view! { <NotFound /> }.into_any();
    };
    let key = project.key.to_string();
    let version = project.version;
    let (role, admin) = (snapshot.role, snapshot.role == Role::Admin);
    let members = project.clone();
    let calendar = project.calendar;
    let columns = project
        .statuses
        .iter()
        .map(|s| {
            let key = key.clone();
            let (name, limit) = (s.name.to_string(), s.wip_limit.map(|l| l.to_string()));
            let label = format!("Column {}", s.name);
            let id = s.id.0;
            view! {
                <li>
                    <ActionForm action=forms.column attr:class="inline-create" attr:data-testid="column-form" attr:aria-label=label>
                        <input type="hidden" name="project" value=key />
                        <input type="hidden" name="version" value=version />
                        <input type="hidden" name="status" value=id />
                        <input name="name" value=name aria-label="Column name" maxlength="40" />
                        <input name="wip_limit" value=limit aria-label="WIP limit" placeholder="No limit" inputmode="numeric" />
                        <button type="submit">"Save"</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let (k1, k2, k3) = (key.clone(), key.clone(), key.clone());
    view! {
        <Title text=format!("{} settings", project.name) />
        <div class="settings-page" data-testid="settings">
            <Breadcrumb project=project.clone() page="Settings" />
            <h1>"Project settings"</h1>
            {(!admin).then(|| view! {
                <p class="read-only-note" data-testid="read-only">"Only the project's admins change its settings."</p>
            })}
            <fieldset class="settings-forms" disabled=!admin>
            <section class="panel" aria-labelledby="name-heading">
                <h2 id="name-heading">"Name"</h2>
                <ActionForm action=forms.rename attr:class="inline-create">
                    <input type="hidden" name="project" value=k1 />
                    <input type="hidden" name="version" value=version />
                    <input name="name" value=project.name.to_string() aria-label="Project name" maxlength="80" />
                    <button type="submit">"Rename"</button>
                </ActionForm>
                <p class="error" role="alert">{move || problem(forms.rename.value().get())}</p>
            </section>
            <section class="panel" aria-labelledby="columns-heading">
                <h2 id="columns-heading">"Board columns"</h2>
                <p class="muted">"Left to right. A WIP limit marks the column when it holds more cards."</p>
                <ol class="settings-columns">{columns}</ol>
                <p class="error" role="alert">{move || problem(forms.column.value().get())}</p>
                <ActionForm action=forms.add attr:class="inline-create" attr:data-testid="add-column">
                    <input type="hidden" name="project" value=k2 />
                    <input type="hidden" name="version" value=version />
                    <input name="name" aria-label="New column name" placeholder="New column" maxlength="40" />
                    <select name="category" aria-label="Category">
                        <option value="to_do">"To do"</option>
                        <option value="in_progress" selected>"In progress"</option>
                        <option value="done">"Done"</option>
                    </select>
                    <button type="submit">"Add column"</button>
                </ActionForm>
                <p class="error" role="alert">{move || problem(forms.add.value().get())}</p>
            </section>
            <section class="panel" aria-labelledby="calendar-heading">
                <h2 id="calendar-heading">"Time tracking"</h2>
                <p class="muted" data-testid="calendar-now">
                    {format!("1d is {} hours, 1w is {} days.", calendar.hours_per_day(), calendar.days_per_week())}
                </p>
                <ActionForm action=forms.calendar attr:class="inline-create" attr:data-testid="calendar-form">
                    <input type="hidden" name="project" value=k3 />
                    <input type="hidden" name="version" value=version />
                    <label>"Hours per day " <input name="hours_per_day" value=calendar.hours_per_day() inputmode="numeric" size="3" /></label>
                    <label>"Days per week " <input name="days_per_week" value=calendar.days_per_week() inputmode="numeric" size="3" /></label>
                    <button type="submit">"Save"</button>
                </ActionForm>
                <p class="error" role="alert" data-testid="calendar-error">{move || problem(forms.calendar.value().get())}</p>
            </section>
            </fieldset>
            <MembersPanel project=members role forms=forms.members />
            {links.filter(|_| admin).map(|links| view! { <SharePanel project=key.clone() links forms=forms.shares /> })}
            {hooks.filter(|_| admin).map(|hooks| view! { <WebhookPanel project=key.clone() hooks forms=forms.hooks /> })}
        </div>
    }
    .into_any()
}
