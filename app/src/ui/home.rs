//! The home page: every project, and a form to create one.

use leptos::html::Form;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ApiError, CreateProject, ProjectSummary, list_projects};

#[component]
pub fn HomePage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    // Refetched after every creation, so a new project shows without a reload.
    let projects = Resource::new(move || create.version().get(), |_| list_projects());
    view! {
        <Title text="Projects" />
        <div class="home">
            <section class="project-list" aria-labelledby="projects-heading">
                <h1 id="projects-heading">"Projects"</h1>
                <Suspense fallback=|| view! { <p class="muted">"Loading projects…"</p> }>
                    {move || Suspend::new(async move {
                        match projects.await {
                            Ok(list) => view! { <ProjectList list /> }.into_any(),
                            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <CreateProjectForm create />
        </div>
    }
}

#[component]
fn ProjectList(list: Vec<ProjectSummary>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="empty" data-testid="no-projects">"No projects yet. Create the first one to get a board."</p>
        }
        .into_any();
    }
    view! {
        <ul class="projects" data-testid="projects">
            {list
                .into_iter()
                .map(|p| {
                    let issues = match p.issues {
                        1 => "1 issue".to_string(),
                        n => format!("{n} issues"),
                    };
                    let meta = format!("{} · {issues}", p.kind.label());
                    view! {
                        <li class="project-card" data-key=p.key.to_string()>
                            <a href=format!("/p/{}/board", p.key)>
                                <span class="project-key">{p.key.to_string()}</span>
                                <span class="project-name">{p.name.to_string()}</span>
                                <span class="project-meta">{meta}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn CreateProjectForm(create: ServerAction<CreateProject>) -> impl IntoView {
    let form = NodeRef::<Form>::new();
    let error = move || create.value().get().and_then(Result::err);
    let field_error = move |field: &'static str| move || error().and_then(|e| e.for_field(field));
    let other_error = move || {
        error()
            .filter(|e| !matches!(e, ApiError::Invalid(_)))
            .map(|e| e.to_string())
    };
    let created = move || create.value().get().and_then(Result::ok);
    // Clear the form once the project exists.
    Effect::new(move |_| {
        if created().is_some()
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    view! {
        <section class="panel create-project" aria-labelledby="create-heading">
            <h2 id="create-heading">"New project"</h2>
            <ActionForm action=create node_ref=form attr:novalidate=true attr:data-testid="create-project">
                <Field label="Name" name="name" placeholder="e.g. Mobile app" maxlength=80 error=field_error("name") />
                <Field
                    label="Key"
                    name="key"
                    placeholder="e.g. MOB"
                    maxlength=10
                    hint="2–10 capital letters; issue keys start with it, like APOLLO-1."
                    uppercase=true
                    error=field_error("key")
                />
                <fieldset class="field kind-choice">
                    <legend>"Board"</legend>
                    <label>
                        <input type="radio" name="kind" value="scrum" checked />
                        " Scrum: plan sprints; the board shows the active sprint"
                    </label>
                    <label>
                        <input type="radio" name="kind" value="kanban" />
                        " Kanban: continuous flow; the board shows every issue"
                    </label>
                    <small class="field-error" data-testid="kind-error">{field_error("kind")}</small>
                </fieldset>
                <p class="error" role="alert" data-testid="form-error">{other_error}</p>
                <button type="submit" class="primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create project" }}
                </button>
                <p class="success" role="status" data-testid="created">
                    {move || created().map(|p| format!("Created {} ({}).", p.name, p.key))}
                </p>
            </ActionForm>
        </section>
    }
}

/// A labelled text input with its inline error.
#[component]
fn Field(
    label: &'static str,
    name: &'static str,
    placeholder: &'static str,
    maxlength: u32,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] uppercase: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let on_input = move |ev: leptos::ev::Event| {
        if uppercase {
            let input = event_target::<leptos::web_sys::HtmlInputElement>(&ev);
            let upper = input.value().to_uppercase();
            if upper != input.value() {
                input.set_value(&upper);
            }
        }
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type="text"
                autocomplete="off"
                placeholder=placeholder
                // Slack over the limit, so a too-long value is reported, not cut.
                maxlength=maxlength + 20
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                on:input=on_input
            />
            {(!hint.is_empty()).then(|| view! { <small class="hint">{hint}</small> })}
            <small class="field-error" id=error_id data-testid=format!("{name}-error")>
                {move || error.get()}
            </small>
        </div>
    }
}
