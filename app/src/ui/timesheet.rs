//! The project timesheet `/p/{KEY}/timesheet?from=&to=`: hours per user
//! per day, and per issue, epic and sprint.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{TimesheetPage, load_timesheet};
use crate::domain::*;
use crate::ui::common::{Avatar, Breadcrumb, NotFound};

#[component]
pub fn TimesheetRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let args = move || {
        let q = query.get();
        (
            params.with(|p| p.get("key").unwrap_or_default()),
            q.get("from"),
            q.get("to"),
        )
    };
    let sheet = Resource::new(args, |(key, from, to)| load_timesheet(key, from, to));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the timesheet…"</p> }>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(page) => view! { <Timesheet page /> }.into_any(),
                    Err(e) if e.is_not_found() => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert" data-testid="timesheet-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Timesheet(page: TimesheetPage) -> impl IntoView {
    let TimesheetPage { project, sheet } = page;
    let cal = project.calendar;
    let fmt = move |m: Minutes| {
        if m.0 == 0 {
            String::new()
        } else {
            cal.format(m)
        }
    };
    let groups = |title: &'static str, testid: &'static str, rows: Vec<GroupTime>| {
        view! {
            <section class="panel">
                <h2>{title}</h2>
                <table class="totals" data-testid=testid>
                    <tbody>
                        {rows.into_iter().map(|g| view! {
                            <tr>
                                <th scope="row">{g.key.map(|k| view! { <span class="card-key">{k}</span> " " })}{g.label}</th>
                                <td>{cal.format(g.logged)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
        .into_any()
    };
    let grid = view! {
            // Scrolls sideways when the days do not fit: focusable, so a
            // keyboard can scroll it too.
            <section class="panel timesheet-grid" tabindex="0" aria-label="Hours per person per day">
                <table data-testid="timesheet-grid">
                    <thead>
                        <tr>
                            <th scope="col">"Person"</th>
                            {sheet.days.iter().map(|d| view! { <th scope="col">{d.to_string()[5..].to_owned()}</th> }).collect_view()}
                            <th scope="col">"Total"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {sheet.users.iter().map(|u| view! {
                            <tr data-user=u.user.to_string()>
                                <th scope="row"><span class="with-icon"><Avatar user=u.user.clone() />{u.user.to_string()}</span></th>
                                {u.per_day.iter().map(|m| view! { <td>{fmt(*m)}</td> }).collect_view()}
                                <td class="total" data-testid="user-total">{cal.format(u.total)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">"All"</th>
                            {sheet.per_day.iter().map(|m| view! { <td>{fmt(*m)}</td> }).collect_view()}
                            <td class="total" data-testid="grand-total">{cal.format(sheet.total)}</td>
                        </tr>
                    </tfoot>
                </table>
                {sheet.users.is_empty().then(|| view! { <p class="muted">"No work logged in this range."</p> })}
            </section>
    }
    .into_any();
    view! {
        <Title text=format!("{} timesheet", project.name) />
        <div class="timesheet-page" data-testid="timesheet">
            <Breadcrumb project=project.clone() page="Timesheet" />
            <header class="timesheet-header">
                <h1>"Timesheet"</h1>
                <form method="get" class="range">
                    <label>"From " <input type="date" name="from" value=sheet.from.to_string() /></label>
                    <label>"To " <input type="date" name="to" value=sheet.to.to_string() /></label>
                    <button type="submit">"Show"</button>
                </form>
            </header>
            {grid}
            <div class="timesheet-totals">
                {groups("By issue", "by-issue", sheet.issues)}
                {groups("By epic", "by-epic", sheet.epics)}
                {groups("By sprint", "by-sprint", sheet.sprints)}
            </div>
        </div>
    }
}
