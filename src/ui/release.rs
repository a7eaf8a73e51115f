//! The publication dataset (report/release.rs) in the workspace: build it, read what it
//! cost (the information loss), download its NDJSON, CSV and codebook.

use crate::i18n::workspace::WsMsg;
use crate::i18n::Lang;
use crate::report::release::{publication, Loss, Publication};
use crate::report::Dataset;
use leptos::prelude::*;

fn label_of(d: &Dataset, form: &str, id: &str, lang: Lang) -> String {
    if id == "area" {
        return WsMsg::Area.get(lang).to_owned();
    }
    d.newest_form(form)
        .and_then(|f| f.form.question(id))
        .map(|q| q.label.get(lang).to_owned())
        .unwrap_or_else(|| id.to_owned())
}

fn loss_lines(d: &Dataset, form: &str, loss: &Loss, lang: Lang) -> Vec<String> {
    let mut out = vec![lang.pick(
        format!(
            "共 {} 条记录，每组相同的片区、住户和家庭成员特征至少 {} 户；{} 户无法达到而未发布。",
            loss.records, loss.k, loss.withheld
        ),
        format!(
            "{} records, every group alike in area, household and members at least {}; {} could not get there and are left out.",
            loss.records, loss.k, loss.withheld
        ),
    )];
    for (id, level, top) in &loss.levels {
        if *level > 0 {
            let what = if level == top {
                lang.pick("不发布", "not published").to_owned()
            } else {
                lang.pick(
                    format!("概括 {level} 级（共 {top} 级）"),
                    format!("generalised {level} of {top} levels"),
                )
            };
            out.push(format!("{}: {what}", label_of(d, form, id, lang)));
        }
    }
    for (id, n) in &loss.blanked {
        out.push(lang.pick(
            format!("{}: 隐去 {n} 个值", label_of(d, form, id, lang)),
            format!("{}: {n} values blanked", label_of(d, form, id, lang)),
        ));
    }
    out
}

#[component]
pub fn ReleasePanel(
    ds: StoredValue<Dataset, LocalStorage>,
    version: RwSignal<u32>,
    lang: Lang,
) -> impl IntoView {
    let built = StoredValue::new_local(None::<Publication>);
    let lines = RwSignal::new(Vec::<String>::new());
    // A new import makes the built release stale.
    Effect::new(move |_| {
        version.track();
        built.set_value(None);
        lines.set(Vec::new());
    });
    let build = move |_| {
        let (p, text) = ds.with_value(|d| {
            let form = d.main_form().unwrap_or_default().to_owned();
            let p = publication(d, &form, d.k());
            let text = p
                .as_ref()
                .map(|p| loss_lines(d, &form, &p.loss, lang))
                .unwrap_or_default();
            (p, text)
        });
        built.set_value(p);
        lines.set(text);
    };
    let offer = move |kind: &'static str| {
        let date = chrono::Local::now().format("%Y-%m-%d").to_string();
        let file = built.with_value(|p| {
            p.as_ref().map(|p| match kind {
                "ndjson" => (
                    format!("doorstep-release-{date}.ndjson"),
                    p.ndjson.clone(),
                    "application/x-ndjson",
                ),
                "csv" => (
                    format!("doorstep-release-{date}.csv"),
                    p.csv.clone(),
                    "text/csv;charset=utf-8",
                ),
                _ => (
                    format!("doorstep-release-{date}-codebook.csv"),
                    p.codebook.clone(),
                    "text/csv;charset=utf-8",
                ),
            })
        });
        if let Some((name, text, mime)) = file {
            if !super::browser::download(&name, &text, mime) {
                if let Some(w) = web_sys::window() {
                    let _ = w.alert_with_message(WsMsg::DownloadFailed.get(lang));
                }
            }
        }
    };
    view! {
        <section class="ws-release">
            <h3>{WsMsg::Release.get(lang)}</h3>
            <p class="note">{WsMsg::ReleaseHelp.get(lang)}</p>
            <p class="actions">
                <button class="button" data-testid="ws-build-release" on:click=build>{WsMsg::BuildRelease.get(lang)}</button>
            </p>
            <div hidden=move || lines.with(Vec::is_empty)>
                <ul data-testid="ws-release-loss">
                    {move || lines.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                </ul>
                <p class="actions">
                    <button class="button" data-testid="ws-release-ndjson" on:click=move |_| offer("ndjson")>"NDJSON"</button>
                    <button class="button" data-testid="ws-release-csv" on:click=move |_| offer("csv")>"CSV"</button>
                    <button class="button" data-testid="ws-release-codebook" on:click=move |_| offer("codebook")>{WsMsg::Codebook.get(lang)}</button>
                </p>
            </div>
        </section>
    }
}
