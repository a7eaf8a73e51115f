//! The workspace's results: the dashboard's question cards and needs ranking, and the
//! cross-tab, drawn from one `Published` release (report/publish.rs), so every number on the
//! screen passed the same disclosure check together.

use crate::i18n::workspace::WsMsg;
use crate::i18n::Lang;
use crate::report::aggregate::{needs_question, By, Measure, View};
use crate::report::dataset::Dataset;
use crate::report::disclosure::Shown;
use crate::report::publish::{crossable, Published, Row, Table};
use leptos::prelude::*;

/// The cross-tab the two choices name: a crossable question (the first one if the choice is
/// not) by the area or by a question of the responses.
pub fn cross_choice(v: &View, question: &str, by: &str) -> Option<(usize, By)> {
    let q = v
        .questions
        .iter()
        .position(|q| q.id == question && crossable(q.measure))
        .or_else(|| v.questions.iter().position(|q| crossable(q.measure)))?;
    let by = match by {
        "area" => None,
        id => v
            .questions
            .iter()
            .position(|q| q.id == id && q.repeat.is_none() && q.measure == Measure::Categories)
            .map(By::Question),
    }
    .unwrap_or(By::Area);
    Some((q, by))
}

/// How a cell is hidden, for the tests and for styling: under k, or protecting another.
pub fn hidden_mark(s: Shown) -> Option<&'static str> {
    match s {
        Shown::Count(_) => None,
        Shown::Under => Some("under"),
        Shown::Protects => Some("protects"),
    }
}

/// A distribution's rows: label, count as published, share of those who answered, a bar.
pub fn bars(p: &Published, t: &Table, rows: Vec<Row>, lang: Lang) -> impl IntoView {
    let max = rows
        .iter()
        .filter_map(|r| p.shown(r.cell).count())
        .max()
        .unwrap_or(0)
        .max(1);
    let k = p.k();
    view! {
        <table class="ws-dist">
            <colgroup><col class="label" /><col class="n" /><col class="pct" /><col class="bar" /></colgroup>
            <tbody>
                {rows.into_iter().map(|r| {
                    let shown = p.shown(r.cell);
                    let width = shown.count().map_or(0.0, |n| f64::from(n) * 100.0 / f64::from(max));
                    let pct = p.percent(t, &r).map(|x| format!("{x}%")).unwrap_or_default();
                    view! {
                        <tr data-value=r.value.clone()>
                            <th scope="row">{r.label.get(lang).to_owned()}</th>
                            <td class="n" data-hidden=hidden_mark(shown)>{shown.text(k, lang)}</td>
                            <td class="pct">{pct}</td>
                            <td class="bar">
                                <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                    <rect x="0" y="1" height="8" width=format!("{width:.1}") />
                                </svg>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// "12 户回答" / "<3 人回答 (counted per household member)".
pub fn answered(p: &Published, t: &Table, v: &View, lang: Lang) -> String {
    let q = &v.questions[t.question];
    let base = p.shown(t.base);
    if base == Shown::Count(0) {
        return WsMsg::NoAnswers.get(lang).to_owned();
    }
    let (unit, per) = if q.repeat.is_some() {
        (WsMsg::Answered, WsMsg::Items.get(lang))
    } else {
        (WsMsg::AnsweredHouseholds, "")
    };
    format!("{} {}{per}", base.text(p.k(), lang), unit.get(lang))
}

fn question_card(v: &View, p: &Published, t: &Table, lang: Lang) -> impl IntoView {
    let w = move |m: WsMsg| m.get(lang);
    let q = &v.questions[t.question];
    let stats = match (t.mean, t.median) {
        (Some(mean), Some(median)) => Some(format!(
            "{} {:.1} · {} {}",
            w(WsMsg::Mean),
            mean,
            w(WsMsg::Median),
            crate::form::number_text((median * 100.0).round() / 100.0)
        )),
        (Some(mean), None) => Some(format!("{} {:.1}", w(WsMsg::Mean), mean)),
        _ => None,
    };
    let body = match t.measure {
        Measure::Text => view! { <p class="note">{w(WsMsg::TextAnswers)}</p> }.into_any(),
        _ => view! { <p class="note">{stats}</p>{bars(p, t, t.rows.clone(), lang)} }.into_any(),
    };
    view! {
        <article class="ws-q" data-testid="ws-question" data-question=q.id.clone()>
            <h4>{q.label.get(lang).to_owned()}</h4>
            <p class="note" data-testid="ws-answered">{answered(p, t, v, lang)}</p>
            {body}
        </article>
    }
}

pub fn dashboard(
    d: &Dataset,
    v: &View,
    p: &Published,
    lang: Lang,
    [area, worker, from, to]: [RwSignal<String>; 4],
) -> impl IntoView {
    let w = move |m: WsMsg| m.get(lang);
    let k = p.k();

    // Owned: the options outlive the borrow of the dataset.
    let areas: Vec<String> = d.distinct(&d.area).into_iter().map(str::to_owned).collect();
    let workers: Vec<String> = d
        .distinct(&d.worker)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let needs = needs_question(v).and_then(|i| p.table(i)).map(|t| {
        view! {
            <section class="ws-needs" data-testid="ws-needs">
                <h3>{w(WsMsg::Needs)}</h3>
                {bars(p, t, p.ranking(t).into_iter().cloned().collect(), lang)}
            </section>
        }
    });
    let partial = (!v.partial.is_empty()).then(|| {
        view! {
            <p class="note" data-testid="ws-partial">
                {w(WsMsg::OnlySomeVersions)}" "
                {v.partial.iter().map(|(id, label, versions)| format!(
                    "{} ({id}, v{}) ",
                    label.get(lang),
                    versions.iter().map(u32::to_string).collect::<Vec<_>>().join("/")
                )).collect::<String>()}
            </p>
        }
    });
    let cards = p
        .tables
        .iter()
        .map(|t| question_card(v, p, t, lang))
        .collect_view();
    view! {
        <section class="ws-dashboard" data-testid="ws-dashboard">
            <h3>{w(WsMsg::Dashboard)}</h3>
            <div class="ws-filters">
                <label>{w(WsMsg::Area)}" "
                    <select data-testid="ws-filter-area" prop:value=move || area.get()
                        on:change=move |ev| area.set(event_target_value(&ev))>
                        <option value="">{w(WsMsg::AllAreas)}</option>
                        {areas.into_iter().map(|a| view! { <option value=a.clone()>{a.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{w(WsMsg::Worker)}" "
                    <select data-testid="ws-filter-worker" prop:value=move || worker.get()
                        on:change=move |ev| worker.set(event_target_value(&ev))>
                        <option value="">{w(WsMsg::AllWorkers)}</option>
                        {workers.into_iter().map(|a| view! { <option value=a.clone()>{a.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{w(WsMsg::From)}" "
                    <input type="date" data-testid="ws-filter-from" prop:value=move || from.get()
                        on:change=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>{w(WsMsg::To)}" "
                    <input type="date" data-testid="ws-filter-to" prop:value=move || to.get()
                        on:change=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <span class="note" data-testid="ws-selected">
                    {p.text(p.selected, lang)}" "{w(WsMsg::Responses)}
                </span>
            </div>
            <p class="note">{w(WsMsg::HiddenNote).replace("<k", &format!("<{k}")).replace(" k ", &format!(" {k} "))}</p>
            {needs}
            {partial}
            {cards}
        </section>
    }
}

/// One question's answers by area, or by the answers of another question of the responses
/// (age band, household type), protected with the dashboard it is part of.
pub fn crosstab_view(
    v: &View,
    p: &Published,
    lang: Lang,
    cross_q: RwSignal<String>,
    cross_by: RwSignal<String>,
) -> impl IntoView {
    let w = move |m: WsMsg| m.get(lang);
    let k = p.k();
    let q_options: Vec<(String, String)> = v
        .questions
        .iter()
        .filter(|q| crossable(q.measure))
        .map(|q| (q.id.clone(), q.label.get(lang).to_owned()))
        .collect();
    let by_options: Vec<(String, String)> =
        std::iter::once(("area".to_owned(), w(WsMsg::Area).to_owned()))
            .chain(
                v.questions
                    .iter()
                    .filter(|q| q.repeat.is_none() && q.measure == Measure::Categories)
                    .map(|q| (q.id.clone(), q.label.get(lang).to_owned())),
            )
            .collect();
    let table = p.cross.as_ref().map(|c| {
        view! {
            <table class="ws-cross" data-testid="ws-crosstab">
                <thead>
                    <tr><th></th>{c.columns.iter().map(|l| view! { <th scope="col">{l.get(lang).to_owned()}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {c.rows.iter().zip(&c.cells).map(|(label, cells)| view! {
                        <tr>
                            <th scope="row">{label.get(lang).to_owned()}</th>
                            {cells.iter().map(|&cell| {
                                let s = p.shown(cell);
                                view! { <td class="n" data-hidden=hidden_mark(s)>{s.text(k, lang)}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <section class="ws-crosstab">
            <h3>{w(WsMsg::CrossTab)}</h3>
            <div class="ws-filters">
                <label>{w(WsMsg::Question)}" "
                    <select data-testid="ws-cross-question" prop:value=move || cross_q.get()
                        on:change=move |ev| cross_q.set(event_target_value(&ev))>
                        {q_options.into_iter().map(|(id, l)| view! { <option value=id.clone()>{l}</option> }).collect_view()}
                    </select>
                </label>
                <label>{w(WsMsg::By)}" "
                    <select data-testid="ws-cross-by" prop:value=move || cross_by.get()
                        on:change=move |ev| cross_by.set(event_target_value(&ev))>
                        {by_options.into_iter().map(|(id, l)| view! { <option value=id.clone()>{l}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {table}
        </section>
    }
}
