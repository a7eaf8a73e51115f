//! The survey report (调研报告), printable to A4 by the browser's "Save as PDF": title page,
//! method (with what was hidden and why), the most pressing needs, findings by section with
//! generated sentences and charts, the follow-up count the coordinator may leave out, the
//! coordinator's recommendations, and the questionnaire as an appendix. Every number comes
//! from one public `Published` release; the worker's own sections are not in it.

use super::results::{answered, bars};
use crate::i18n::workspace::WsMsg;
use crate::i18n::Lang;
use crate::report::aggregate::{needs_question, Filter, View};
use crate::report::appendix::{questionnaire, Item};
use crate::report::dataset::Dataset;
use crate::report::disclosure::Shown;
use crate::report::narrative::{period_text, sentence};
use crate::report::publish::{is_flag, Published, Scope};
use leptos::prelude::*;

pub const AGENCY_KEY: &str = "doorstep.report.agency";
pub const RECOMMENDATIONS_KEY: &str = "doorstep.report.recommendations";
/// "0" when the coordinator left the follow-up count out of the report.
pub const FLAGS_KEY: &str = "doorstep.report.follow_up";

fn appendix_item(i: &Item) -> impl IntoView {
    let children = (!i.children.is_empty()).then(|| {
        view! { <ol class="roster">{i.children.iter().map(appendix_item).collect_view()}</ol> }
            .into_any()
    });
    view! {
        <li data-question=i.id.clone()>
            {i.label.clone()}
            {(!i.answers.is_empty()).then(|| view! { <span class="choices">" — "{i.answers.clone()}</span> })}
            {children}
        </li>
    }
}

pub fn report_view(
    d: &Dataset,
    v: &View,
    lang: Lang,
    agency: RwSignal<String>,
    recommendations: RwSignal<String>,
    flags: RwSignal<bool>,
    keep: impl Fn(&'static str, String) + Copy + 'static,
) -> impl IntoView {
    let r = move |m: WsMsg| m.get(lang);
    let mask = v.select(d, &Filter::default());
    let p = Published::new(d, v, &mask, d.k(), Scope::report(flags.get_untracked()));
    let k = p.k();
    let project = d.project.clone();
    let mut days: Vec<&str> = (0..d.id.len())
        .filter(|&i| mask[i])
        .map(|i| match d.completed_on[i] {
            0 => d.atoms.str(d.started[i]),
            x => d.atoms.str(x),
        })
        .collect();
    days.sort_unstable();
    let period = match (days.first(), days.last()) {
        (Some(a), Some(b)) => period_text(a, b).get(lang).to_owned(),
        _ => String::new(),
    };
    let workers = d.distinct(&d.worker).len();
    let areas = d.distinct(&d.area);
    let form = d.newest_form(&v.form_id).map(|f| f.form.clone());
    let title = form
        .as_ref()
        .map(|f| f.title.get(lang).to_owned())
        .unwrap_or_default();
    let n = p.text(p.selected, lang);
    let (under, protects) = p.hidden();
    let hidden = match (under, protects) {
        (0, 0) => lang
            .pick(
                "本报告没有需要隐藏的数字。",
                "Nothing in this report needed hiding.",
            )
            .to_owned(),
        _ => lang.pick(
            format!(
                "本报告共隐藏 {under} 个少于 {k} 的数字，另有 {protects} 个数字为保护它们而隐藏。"
            ),
            format!(
                "This report hides {under} counts under {k}, and {protects} more to protect them."
            ),
        ),
    };
    let method = lang.pick(
        format!(
            "本次调研采用入户问卷调查。{period}，{workers} 名社工走访并完成问卷 {n} 份，覆盖片区：{}。数据在社工设备上先行匿名化：去除姓名、电话、门牌等身份信息，年龄等信息按区间概括。为免认出具体住户，报告中少于 {k} 的数字不予显示（标为“<{k}”），能由其他数字推算出它们的格也一并隐藏（标为“隐藏以保护其他格”）。{hidden}每个比例都是显示的人数除以回答该题的住户（或家庭成员）数，回答人数随表注明。数字类问题按区间分组，每组至少 {k} 户。社工自己的个案记录（每次走访的情况、个案跟进的细节）不在本报告中。",
            areas.join("、")
        ),
        format!(
            "A door-to-door questionnaire survey. In {period}, {workers} social workers completed {n} questionnaires, in areas {}. The data was anonymised on the workers' devices: names, phones and flats removed, ages and similar answers in bands. So that no household can be singled out, counts under {k} are not shown (marked “<{k}”), nor are counts from which one could be worked out (marked “hidden to protect another cell”). {hidden} Every share is a shown count over the households (or household members) that answered the question, and each table says how many that was. Numeric answers are shown in ranges of at least {k} households each. The workers' own records (visit outcomes, reasons for follow-up) are not in this report.",
            areas.join(", ")
        ),
    );
    let needs_at = needs_question(v);
    let needs = needs_at.and_then(|i| p.table(i)).map(|t| {
        let items = p
            .ranking(t)
            .into_iter()
            .filter_map(|row| {
                let n = p.shown(row.cell).count()?;
                let pct = p.percent(t, row)?;
                Some(view! { <li>{row.label.get(lang).to_owned()}" — "{format!("{pct}%")}" ("{n}")"</li> })
            })
            .take(5)
            .collect_view();
        view! {
            <section class="report-needs" data-testid="report-needs">
                <h2>{r(WsMsg::Needs)}</h2>
                <p class="note">{answered(&p, t, v, lang)}"；"{r(WsMsg::NeedsBase)}</p>
                <ol>{items}</ol>
            </section>
        }
    });
    // Findings, by the form's sections; the needs question is the section above.
    let mut sections: Vec<(String, Vec<&crate::report::publish::Table>)> = Vec::new();
    for t in &p.tables {
        let q = &v.questions[t.question];
        if Some(t.question) == needs_at || q.worker {
            continue;
        }
        let name = q.section.get(lang).to_owned();
        match sections.last_mut() {
            Some((s, ts)) if *s == name => ts.push(t),
            _ => sections.push((name, vec![t])),
        }
    }
    let findings = sections
        .into_iter()
        .filter_map(|(name, ts)| {
            let items: Vec<_> = ts
                .into_iter()
                .filter_map(|t| {
                    let q = &v.questions[t.question];
                    let s = sentence(q, t, &p)?;
                    let rows = t
                        .rows
                        .iter()
                        .filter(|r| p.shown(r.cell) != Shown::Count(0))
                        .cloned()
                        .collect();
                    Some(view! {
                        <div class="report-finding" data-question=q.id.clone()>
                            <h4>{q.label.get(lang).to_owned()}</h4>
                            <p class="sentence">{s.get(lang).to_owned()}</p>
                            <p class="note">{answered(&p, t, v, lang)}</p>
                            {bars(&p, t, rows, lang)}
                        </div>
                    })
                })
                .collect();
            (!items.is_empty()).then(|| {
                view! {
                    <section class="report-section"><h3>{name}</h3>{items}</section>
                }
            })
        })
        .collect_view();
    let follow_up: Vec<_> = p
        .tables
        .iter()
        .filter(|t| v.questions[t.question].worker && is_flag(&v.questions[t.question]))
        // A flag nobody answered says nothing.
        .filter(|t| p.shown(t.base) != Shown::Count(0))
        .map(|t| {
            let q = &v.questions[t.question];
            let yes = &t.rows[0];
            let shown = p.shown(yes.cell);
            let pct = p
                .percent(t, yes)
                .map(|x| format!(" ({x}%)"))
                .unwrap_or_default();
            view! {
                <p data-testid="report-follow-up-count" data-question=q.id.clone()>
                    {q.label.get(lang).to_owned()}": "{shown.text(k, lang)}" "
                    {lang.pick("户", "households")}{pct}
                    " · "{answered(&p, t, v, lang)}
                </p>
            }
        })
        .collect();
    let follow_up = (!follow_up.is_empty()).then(|| {
        view! {
            <section class="report-follow-up" data-testid="report-follow-up">
                <h2>{r(WsMsg::FollowUp)}</h2>
                <p class="note">{r(WsMsg::FollowUpHelp)}</p>
                {follow_up}
            </section>
        }
    });
    let appendix = form.map(|f| {
        questionnaire(&f, lang)
            .into_iter()
            .map(|(title, items)| {
                view! { <h4>{title}</h4><ol>{items.iter().map(appendix_item).collect_view()}</ol> }
            })
            .collect_view()
    });
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    view! {
        <article class="report" data-testid="report" lang=lang.tag()>
            <section class="report-title">
                <h1 data-testid="report-title">{project.as_ref().map(|p| p.name.clone())}</h1>
                <p class="subtitle">{r(WsMsg::ReportTitle)}" · "{title}</p>
                <p>{project.as_ref().map(|p| p.community.clone())}</p>
                <p>{r(WsMsg::Period)}": "{period.clone()}</p>
                <p class="agency">
                    <label>{r(WsMsg::Agency)}": "
                        <input type="text" data-testid="report-agency" prop:value=move || agency.get()
                            on:change=move |ev| { let t = event_target_value(&ev); keep(AGENCY_KEY, t.clone()); agency.set(t); } />
                    </label>
                    <span class="print-only">{move || agency.get()}</span>
                </p>
                <p>{today}</p>
            </section>
            <section class="report-method">
                <h2>{r(WsMsg::Method)}</h2>
                <p data-testid="report-method">{method}</p>
            </section>
            {needs}
            <section class="report-findings">
                <h2>{r(WsMsg::Findings)}</h2>
                {findings}
            </section>
            <p class="screen-only">
                <label>
                    <input type="checkbox" data-testid="report-follow-up-keep" prop:checked=move || flags.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            keep(FLAGS_KEY, if on { "1" } else { "0" }.to_owned());
                            flags.set(on);
                        } />
                    " "{r(WsMsg::FollowUpKeep)}
                </label>
            </p>
            {follow_up}
            <section class="report-recommendations" class:empty=move || recommendations.get().trim().is_empty()>
                <h2>{r(WsMsg::Recommendations)}</h2>
                <textarea data-testid="report-recommendations" rows="8" prop:value=move || recommendations.get()
                    on:change=move |ev| { let t = event_target_value(&ev); keep(RECOMMENDATIONS_KEY, t.clone()); recommendations.set(t); }>
                </textarea>
                <div class="print-only recommendations-text">{move || recommendations.get()}</div>
            </section>
            <section class="report-appendix">
                <h2>{r(WsMsg::Appendix)}</h2>
                {appendix}
            </section>
        </article>
    }
}
