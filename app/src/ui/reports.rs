//! Reports `/p/{KEY}/reports?sprint=&from=&to=`: the sprint burndown,
//! velocity and the cumulative flow, drawn as server-rendered SVG with the
//! numbers beside them in tables (for screen readers and for checking).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{ReportsPage, load_reports};
use crate::domain::*;
use crate::ui::common::{Breadcrumb, loaded};

const W: f64 = 720.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 10.0;

/// Maps index `i` of `n` and value `v` of `max` into the plot area.
fn at(i: usize, n: usize, v: f64, max: f64) -> (f64, f64) {
    let x = LEFT + (W - LEFT - 10.0) * i as f64 / (n.max(2) - 1) as f64;
    let y = TOP + (H - TOP - BOTTOM) * (1.0 - v / max.max(1.0));
    (x, y)
}

fn polyline(values: &[f64], n: usize, max: f64) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = at(i, n, *v, max);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The frame of a chart: the y axis from 0 to `max` and the first and last x labels.
fn axes(max_label: String, first: String, last: String) -> impl IntoView {
    view! {
        <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=H - BOTTOM />
        <line class="axis" x1=LEFT y1=H - BOTTOM x2=W - 10.0 y2=H - BOTTOM />
        <text class="tick" x=LEFT - 6.0 y=TOP + 4.0 text-anchor="end">{max_label}</text>
        <text class="tick" x=LEFT - 6.0 y=H - BOTTOM text-anchor="end">"0"</text>
        <text class="tick" x=LEFT y=H - 4.0>{first}</text>
        <text class="tick" x=W - 10.0 y=H - 4.0 text-anchor="end">{last}</text>
    }
}

#[component]
pub fn ReportsRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let args = move || {
        let q = query.get();
        (
            params.with(|p| p.get("key").unwrap_or_default()),
            q.get("sprint").and_then(|s| s.parse().ok()),
            q.get("from"),
            q.get("to"),
        )
    };
    let page = Resource::new(args, |(key, sprint, from, to)| {
        load_reports(key, sprint, from, to)
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the reports…"</p> }>
            {move || Suspend::new(async move {
                loaded(page.await, |page| view! { <Reports page /> }.into_any())
            })}
        </Suspense>
    }
}

#[component]
fn Reports(page: ReportsPage) -> impl IntoView {
    let ReportsPage {
        project,
        sprints,
        burndown,
        velocity,
        flow_from,
        flow_to,
        flow,
    } = page;
    let statuses: Vec<String> = project
        .statuses
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    let chosen = burndown.as_ref().map(|b| b.sprint.0);
    view! {
        <Title text=format!("{} reports", project.name) />
        <div class="reports-page" data-testid="reports">
            <Breadcrumb project=project.clone() page="Reports" />
            <h1>"Reports"</h1>
            <section class="panel" aria-labelledby="burndown-heading">
                <header class="report-head">
                    <h2 id="burndown-heading">"Sprint burndown"</h2>
                    <form method="get" class="range">
                        <select name="sprint" aria-label="Sprint">
                            {sprints.into_iter().map(|s| view! {
                                <option value=s.number.0.to_string() selected=chosen == Some(s.number.0)>{s.name.to_string()}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit">"Show"</button>
                    </form>
                </header>
                {match burndown {
                    Some(b) => view! { <BurndownChart b calendar=project.calendar /> }.into_any(),
                    None => view! { <p class="muted">"No sprint has started yet."</p> }.into_any(),
                }}
            </section>
            <section class="panel" aria-labelledby="velocity-heading">
                <h2 id="velocity-heading">"Velocity"</h2>
                <VelocityChart rows=velocity />
            </section>
            <section class="panel" aria-labelledby="flow-heading">
                <header class="report-head">
                    <h2 id="flow-heading">"Cumulative flow"</h2>
                    <form method="get" class="range">
                        <label>"From " <input type="date" name="from" value=flow_from.to_string() /></label>
                        <label>"To " <input type="date" name="to" value=flow_to.to_string() /></label>
                        <button type="submit">"Show"</button>
                    </form>
                </header>
                <FlowChart days=flow statuses />
            </section>
        </div>
    }
    .into_any()
}

#[component]
fn BurndownChart(b: Burndown, calendar: WorkCalendar) -> impl IntoView {
    let n = b.ideal_tenths.len();
    let max = b
        .days
        .iter()
        .map(|d| d.points_tenths)
        .chain(b.ideal_tenths.iter().copied())
        .max()
        .unwrap_or(0) as f64;
    let ideal: Vec<f64> = b.ideal_tenths.iter().map(|v| f64::from(*v)).collect();
    let actual: Vec<f64> = b.days.iter().map(|d| f64::from(d.points_tenths)).collect();
    let index_of =
        |day: Date| (day.days_since_epoch() - b.start.days_since_epoch()).max(0) as usize;
    let dots = actual
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = at(i, n, *v, max);
            view! { <circle class="actual-dot" cx=x cy=y r="3" /> }
        })
        .collect_view();
    let markers = b
        .scope
        .iter()
        .filter_map(|c| {
            let i = index_of(c.day);
            let v = actual.get(i)?;
            let (x, y) = at(i, n, *v, max);
            let sign = if c.delta_tenths > 0 { "+" } else { "−" };
            let label = format!(
                "{} {sign}{} points ({})",
                c.day,
                tenths(c.delta_tenths.unsigned_abs() as u32),
                c.issue
            );
            Some(view! { <circle class="scope-marker" cx=x cy=y r="5"><title>{label}</title></circle> })
        })
        .collect_view();
    let rows = b
        .days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            view! {
                <tr data-day=d.day.to_string()>
                    <th scope="row">{d.day.to_string()}</th>
                    <td data-testid="points-left">{tenths(d.points_tenths)}</td>
                    <td data-testid="time-left">{calendar.format(Minutes(d.remaining_minutes))}</td>
                    <td data-testid="ideal">{b.ideal_tenths.get(i).map(|v| tenths(*v))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted">
            {format!("{}: {} – {}, committed {} points. Scope changes: {}.", b.name, b.start, b.end, tenths(b.committed_tenths), b.scope.len())}
        </p>
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label="Burndown chart">
            {axes(tenths(max as u32), b.start.to_string(), b.end.to_string())}
            <polyline class="ideal" points=polyline(&ideal, n, max) />
            <polyline class="actual" points=polyline(&actual, n, max) />
            {dots}
            {markers}
        </svg>
        // Scrolls sideways on a narrow screen, inside its panel.
        <div class="table-scroll" tabindex="0" role="region" aria-label="Burndown, day by day">
            <table class="totals report-table" data-testid="burndown-table">
                <thead><tr><th>"Day"</th><th>"Points left"</th><th>"Time left"</th><th>"Ideal"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn VelocityChart(rows: Vec<VelocityRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No sprint has been completed yet."</p> }.into_any();
    }
    let max = rows
        .iter()
        .map(|r| r.committed_tenths.max(r.completed_tenths))
        .max()
        .unwrap_or(0) as f64;
    let slot = (W - LEFT - 10.0) / rows.len() as f64;
    let plot = H - TOP - BOTTOM;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let x = LEFT + slot * i as f64 + slot * 0.15;
            let bar = |v: u32, dx: f64, class: &'static str| {
                let h = plot * f64::from(v) / max.max(1.0);
                view! { <rect class=class x=x + dx y=H - BOTTOM - h width=slot * 0.32 height=h /> }
            };
            view! {
                {bar(r.committed_tenths, 0.0, "committed")}
                {bar(r.completed_tenths, slot * 0.36, "completed")}
                <text class="tick" x=x y=H - 4.0>{r.name.to_string()}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label="Velocity chart">
            <line class="axis" x1=LEFT y1=H - BOTTOM x2=W - 10.0 y2=H - BOTTOM />
            <text class="tick" x=LEFT - 6.0 y=TOP + 4.0 text-anchor="end">{tenths(max as u32)}</text>
            {bars}
        </svg>
        // Scrolls sideways on a narrow screen, inside its panel.
        <div class="table-scroll" tabindex="0" role="region" aria-label="Velocity, sprint by sprint">
            <table class="totals report-table" data-testid="velocity-table">
                <thead><tr><th>"Sprint"</th><th>"Committed"</th><th>"Completed"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-sprint=r.sprint.0.to_string()>
                            <th scope="row">{r.name.to_string()}</th>
                            <td data-testid="committed">{tenths(r.committed_tenths)}</td>
                            <td data-testid="completed">{tenths(r.completed_tenths)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn FlowChart(days: Vec<FlowDay>, statuses: Vec<String>) -> impl IntoView {
    let n = days.len();
    let max = days
        .iter()
        .map(|d| d.counts.iter().sum::<u32>())
        .max()
        .unwrap_or(0) as f64;
    // Stacked from the last status (done) at the bottom up to the first.
    let band = |upto: usize| -> Vec<f64> {
        days.iter()
            .map(|d| f64::from(d.counts[upto..].iter().sum::<u32>()))
            .collect()
    };
    let areas = (0..statuses.len())
        .map(|s| {
            let top = polyline(&band(s), n, max);
            let bottom_values = if s + 1 < statuses.len() { band(s + 1) } else { vec![0.0; n] };
            let mut bottom: Vec<String> = polyline(&bottom_values, n, max)
                .split(' ')
                .map(str::to_owned)
                .collect();
            bottom.reverse();
            let points = format!("{top} {}", bottom.join(" "));
            view! { <polygon class=format!("flow-band band-{}", s % 6) points=points><title>{statuses[s].clone()}</title></polygon> }
        })
        .collect_view();
    let (first, last) = (
        days.first().map(|d| d.day.to_string()).unwrap_or_default(),
        days.last().map(|d| d.day.to_string()).unwrap_or_default(),
    );
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label="Cumulative flow chart">
            {areas}
            {axes((max as u32).to_string(), first, last)}
        </svg>
        <ul class="legend">
            {statuses.iter().enumerate().map(|(s, name)| view! { <li><span class=format!("swatch band-{}", s % 6)></span>{name.clone()}</li> }).collect_view()}
        </ul>
        // Scrolls sideways on a narrow screen, inside its panel.
        <div class="table-scroll" tabindex="0" role="region" aria-label="Cumulative flow, day by day">
            <table class="totals report-table" data-testid="flow-table">
                <thead><tr><th>"Day"</th>{statuses.iter().map(|s| view! { <th>{s.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {days.iter().map(|d| view! {
                        <tr data-day=d.day.to_string()>
                            <th scope="row">{d.day.to_string()}</th>
                            {d.counts.iter().map(|c| view! { <td>{*c}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
