//! The members panel of a project's settings: who is in the project with
//! which role. Admins invite by e-mail address or user name, change roles
//! and remove people; everyone else sees the list.

use leptos::prelude::*;

use super::problem;
use crate::api::{AddMember, ChangeRole, RemoveMember};
use crate::domain::{Project, Role};
use crate::ui::common::Avatar;

/// The panel's forms; any that succeeds reloads the project.
#[derive(Clone, Copy)]
pub struct MemberForms {
    pub invite: ServerAction<AddMember>,
    pub change: ServerAction<ChangeRole>,
    pub remove: ServerAction<RemoveMember>,
}

impl MemberForms {
    pub fn new() -> Self {
        Self {
            invite: ServerAction::new(),
            change: ServerAction::new(),
            remove: ServerAction::new(),
        }
    }
}

/// `<option>`s for every role, `selected` chosen.
fn role_options(selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .rev()
        .map(|r| view! { <option value=r.label() selected=r == selected>{r.label()}</option> })
        .collect_view()
}

#[component]
pub fn MembersPanel(project: Project, role: Role, forms: MemberForms) -> impl IntoView {
    let admin = role == Role::Admin;
    let key = project.key.to_string();
    let rows = project
        .members
        .iter()
        .map(|(user, their_role)| {
            let (user, their_role) = (user.clone(), *their_role);
            let name = user.to_string();
            let controls = admin.then(|| {
                let (k1, k2, n1, n2) = (key.clone(), key.clone(), name.clone(), name.clone());
                let (label, remove) = (format!("Role of {name}"), format!("Remove {name}"));
                view! {
                    <ActionForm action=forms.change attr:class="inline-create">
                        <input type="hidden" name="project" value=k1 />
                        <input type="hidden" name="user" value=n1 />
                        <select name="role" aria-label=label>{role_options(their_role)}</select>
                        <button type="submit">"Change"</button>
                    </ActionForm>
                    <ActionForm action=forms.remove attr:class="inline-create">
                        <input type="hidden" name="project" value=k2 />
                        <input type="hidden" name="user" value=n2 />
                        <button type="submit" class="danger" aria-label=remove>"Remove"</button>
                    </ActionForm>
                }
            });
            view! {
                <li class="member" data-testid="member" data-user=name.clone() data-role=their_role.label()>
                    <Avatar user=user />
                    <span class="member-name">{format!("@{name}")}</span>
                    {(!admin).then(|| view! { <span class="member-role">{their_role.label()}</span> })}
                    {controls}
                </li>
            }
        })
        .collect_view();
    let invite = admin.then(|| {
        view! {
            <ActionForm action=forms.invite attr:class="inline-create" attr:data-testid="invite">
                <input type="hidden" name="project" value=key.clone() />
                <input name="login" aria-label="E-mail or user name" placeholder="E-mail or user name" required />
                <select name="role" aria-label="Role">{role_options(Role::Member)}</select>
                <button type="submit">"Invite"</button>
            </ActionForm>
        }
    });
    view! {
        <section class="panel" aria-labelledby="members-heading" data-testid="members">
            <h2 id="members-heading">"Members"</h2>
            <p class="muted">
                "Admins change settings and members; members work on issues, sprints and time; viewers read."
            </p>
            <ul class="member-list">{rows}</ul>
            {invite}
            <p class="error" role="alert" data-testid="invite-error">{move || problem(forms.invite.value().get())}</p>
            <p class="error" role="alert" data-testid="members-error">{move || problem(forms.change.value().get())}</p>
            <p class="error" role="alert">{move || problem(forms.remove.value().get())}</p>
        </section>
    }
}
