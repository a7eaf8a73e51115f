//! The export screen (`#/export`): the project settings (shared as a project file), the
//! anonymised export with its preview and free-text review, the downloads and the share
//! sheet, and the export history with clearing of exported responses.
//!
//! Runs in the coordinator module like the library (see src/ui/library.rs): the hashing,
//! the CSV writer and the pipeline stay out of the app's first load. Everything it decides
//! is in `crate::export`; this file reads storage, calls it and draws.

use super::browser;
use crate::export::link::LinkSealer;
use crate::export::project::{areas_text, parse_areas, NEW_PROJECT_RANDOM};
use crate::export::{
    anonymise, document, file_name, free_texts, table, Choice, Filter, FormRef, FreeText, Header,
    HistoryEntry, Project, Refusal, Report, Request,
};
use crate::form::{Anonymise, Form};
use crate::i18n::export::ExpMsg;
use crate::i18n::{Lang, Msg};
use crate::response::Response;
use crate::store::local::LocalStore;
use crate::store::{ExportStore, FormStore, ProjectBook, ResponseStore, StoreError, VisitStore};
use leptos::prelude::*;
use std::collections::BTreeSet;
use std::rc::Rc;

type Kv = StoredValue<LocalStore, LocalStorage>;

/// Free-text answers drawn at a time in the review.
const TEXT_PAGE: usize = 50;

/// A banner: good news or a problem.
#[derive(Clone, Debug, PartialEq)]
enum Note {
    Ok(String),
    Problem(String),
}

/// An export ready to be written: the responses chosen, what anonymising them does, the
/// free texts the worker may let through.
struct Prepared {
    form: Form,
    compiled: String,
    rules: Anonymise,
    project: Project,
    worker: String,
    responses: Vec<Response>,
    report: Report,
    texts: Vec<FreeText>,
    choice: Choice,
    /// Stored responses that could not be read (left as they are, not exported).
    damaged: usize,
}

fn store_problem(lang: Lang, e: &StoreError) -> String {
    let why = match e {
        StoreError::QuotaExceeded => Msg::NotSavedFull.get(lang).to_owned(),
        other => other.to_string(),
    };
    format!("{}{why}", ExpMsg::StorageProblem.get(lang))
}

/// Reads the stored form, its definition and rules, and the responses the filter admits.
/// `to`: the id of a previous project to export to (responses surveyed for it before this
/// device was set up for another), or `None` for the current one.
fn prepare(
    kv: &LocalStore,
    filter: &Filter,
    to: Option<&str>,
    lang: Lang,
) -> Result<Prepared, Note> {
    let problem = |e: StoreError| Note::Problem(store_problem(lang, &e));
    let exports = ExportStore::new(kv);
    let project = match to {
        None => exports.project(),
        Some(id) => exports.previous_project(id),
    }
    .map_err(problem)?
    .ok_or_else(|| Note::Problem(ExpMsg::NoProject.get(lang).into()))?;
    if !project.has_keys() {
        return Err(Note::Problem(ExpMsg::NoKeys.get(lang).into()));
    }
    let worker = VisitStore::new(kv)
        .worker_code()
        .map_err(problem)?
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| Note::Problem(ExpMsg::NoWorkerCode.get(lang).into()))?;
    let forms = FormStore::new(kv);
    let compiled = forms
        .compiled(&filter.form, filter.version)
        .map_err(problem)?
        .ok_or_else(|| Note::Problem(ExpMsg::NothingToExport.get(lang).into()))?;
    let form: Form = serde_json::from_str(&compiled)
        .map_err(|e| Note::Problem(format!("{}{e}", ExpMsg::StorageProblem.get(lang))))?;
    let rules = crate::form::anonymise_rules(&compiled)
        .map_err(|e| Note::Problem(format!("{}{e}", ExpMsg::StorageProblem.get(lang))))?;
    let missing = crate::export::anonymise::missing_privacy(&form);
    if !missing.is_empty() {
        return Err(Note::Problem(format!(
            "{}{}",
            ExpMsg::MissingPrivacy.get(lang),
            missing.join(", ")
        )));
    }
    let exported = exports.exported().map_err(problem)?;
    let store = ResponseStore::open(kv).map_err(problem)?;
    let (all, damaged) = store.all().map_err(problem)?;
    let responses: Vec<Response> = all
        .into_iter()
        .filter(|r| filter.admits(r, &exported))
        .collect();
    if responses.is_empty() {
        let mut text = ExpMsg::NothingToExport.get(lang).to_owned();
        if !damaged.is_empty() {
            text.push_str(&format!(" {}{}", damaged.len(), ExpMsg::Damaged.get(lang)));
        }
        return Err(Note::Problem(text));
    }
    let today = browser::now();
    let today = today.get(..10).unwrap_or("");
    let none = BTreeSet::new();
    let links = sealer(&project).map_err(Note::Problem)?;
    let req = Request {
        form: &form,
        rules: &rules,
        project: &project,
        worker: &worker,
        today,
        include_free_text: &none,
        links: &links,
        k: None,
    };
    let report = match anonymise(&req, &responses) {
        Ok((_, report)) => report,
        Err(Refusal::MissingPrivacy(q)) => {
            return Err(Note::Problem(format!(
                "{}{}",
                ExpMsg::MissingPrivacy.get(lang),
                q.join(", ")
            )))
        }
    };
    let texts = free_texts(&form, &responses, today);
    Ok(Prepared {
        choice: Choice {
            from: filter.from.clone(),
            to: filter.to.clone(),
            completed_only: filter.completed_only,
        },
        form,
        compiled,
        rules,
        project,
        worker,
        responses,
        report,
        texts,
        damaged: damaged.len(),
    })
}

/// Which file a download button writes.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Json,
    Csv,
    Repeat(String),
    Codebook,
}

/// What seals one export's household links: a fresh ephemeral key each export, dropped
/// when the file is written.
fn sealer(p: &Project) -> Result<LinkSealer, String> {
    let mut random = zeroize::Zeroizing::new([0u8; 32]);
    crate::vault::random(random.as_mut());
    LinkSealer::new(&p.id, p.public_key.as_deref().unwrap_or_default(), *random)
        .map_err(|_| "the project's public key is not usable".to_owned())
}

/// Runs the pipeline with the free texts let through and writes one file: its name, text,
/// and the history entry it makes.
fn write_file(
    kv: Kv,
    lang: Lang,
    p: &Prepared,
    include: &BTreeSet<String>,
    kind: &Kind,
) -> Result<(String, String, HistoryEntry), String> {
    let now = browser::now();
    let today = now.get(..10).unwrap_or("").to_owned();
    let links = sealer(&p.project)?;
    let req = Request {
        form: &p.form,
        rules: &p.rules,
        project: &p.project,
        worker: &p.worker,
        today: &today,
        include_free_text: include,
        links: &links,
        k: None,
    };
    let (records, report) =
        anonymise(&req, &p.responses).map_err(|Refusal::MissingPrivacy(q)| {
            format!("{}{}", ExpMsg::MissingPrivacy.get(lang), q.join(", "))
        })?;
    let visits = kv
        .with_value(|kv| VisitStore::new(kv).visits())
        .map(|(v, _)| v)
        .unwrap_or_default();
    let taken: Vec<(String, u64)> = records.iter().map(|r| (r.source.clone(), r.rev)).collect();
    let header = Header {
        form: &p.form,
        compiled: &p.compiled,
        rules: &p.rules,
        project: &p.project,
        worker: &p.worker,
        exported_at: &now,
        choice: &p.choice,
        visits: &visits,
        links: &links,
        k: None,
    };
    let written = document::write(&header, records, &report)?;
    let base = |ext: &str, extra: &str| {
        let name = file_name(&p.form.id, &p.worker, &today, ext);
        if extra.is_empty() {
            name
        } else {
            name.replace(&format!(".{ext}"), &format!("-{extra}.{ext}"))
        }
    };
    let (name, text) = match kind {
        Kind::Json => (base("json", ""), written.text),
        other => {
            let doc: serde_json::Value =
                serde_json::from_str(&written.text).map_err(|e| e.to_string())?;
            let responses = doc["responses"].as_array().cloned().unwrap_or_default();
            match other {
                Kind::Csv => (
                    base("csv", ""),
                    table::responses_csv(&p.form, &p.rules, &responses),
                ),
                Kind::Repeat(r) => (
                    base("csv", r),
                    table::repeat_csv(&p.form, &p.rules, r, &responses),
                ),
                _ => (
                    base("csv", "codebook"),
                    table::codebook_csv(&p.form, &p.rules),
                ),
            }
        }
    };
    let entry = HistoryEntry {
        at: now,
        form: p.form.id.clone(),
        version: p.form.version,
        file: name.clone(),
        count: written.count,
        sha256: written.responses_sha256,
        responses: taken,
        cleared: false,
    };
    Ok((name, text, entry))
}

#[component]
pub fn Export(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: Msg| m.get(lang);
    let e = move |m: ExpMsg| m.get(lang);
    let kv: Kv = StoredValue::new_local(kv);
    let reload = RwSignal::new(0u32);
    let project = RwSignal::new(kv.with_value(|kv| ExportStore::new(kv).project().ok().flatten()));
    let project_note = RwSignal::new(None::<Note>);
    let pending = RwSignal::new(None::<Project>);

    view! {
        <section class="export">
            <a class="button" href="#/" data-testid="back-to-list">{t(Msg::BackToList)}</a>
            <h1>{e(ExpMsg::Title)}</h1>
            <p class="note">{e(ExpMsg::Intro)}</p>
            <ProjectPanel lang=lang kv=kv project=project note=project_note pending=pending />
            <ExportPanel lang=lang kv=kv project=project reload=reload />
            <HistoryPanel lang=lang kv=kv reload=reload />
            // The hand-over's idle time and one-question mode (worker module).
            <h2>{crate::i18n::handover::HoMsg::SettingsTitle.get(lang)}</h2>
            <a class="button" href="#/hand-over" data-testid="hand-over-settings">
                {crate::i18n::handover::HoMsg::SettingsTitle.get(lang)}
            </a>
        </section>
    }
}

fn banner(note: Option<Note>, testid: &'static str) -> impl IntoView {
    note.map(|n| match n {
        Note::Ok(text) => {
            view! { <div class="banner ok" role="status" data-testid=testid>{text}</div> }
                .into_any()
        }
        Note::Problem(text) => {
            view! { <div class="banner error" role="alert" data-testid=testid>{text}</div> }
                .into_any()
        }
    })
}

#[component]
fn ProjectPanel(
    lang: Lang,
    kv: Kv,
    project: RwSignal<Option<Project>>,
    note: RwSignal<Option<Note>>,
    pending: RwSignal<Option<Project>>,
) -> impl IntoView {
    let t = move |m: Msg| m.get(lang);
    let e = move |m: ExpMsg| m.get(lang);
    let current = project.get_untracked();
    let name = RwSignal::new(current.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let community = RwSignal::new(
        current
            .as_ref()
            .map(|p| p.community.clone())
            .unwrap_or_default(),
    );
    let k = RwSignal::new(
        current
            .as_ref()
            .map_or(crate::export::project::DEFAULT_K, |p| p.k)
            .to_string(),
    );
    let areas = RwSignal::new(
        current
            .as_ref()
            .map(|p| areas_text(&p.areas))
            .unwrap_or_default(),
    );
    let project_forms = RwSignal::new(
        current
            .as_ref()
            .map(|p| p.forms.clone())
            .unwrap_or_default(),
    );
    let library = kv
        .with_value(|kv| FormStore::new(kv).list())
        .map(|(entries, _)| entries)
        .unwrap_or_default();
    let fill = move |p: &Project| {
        project_forms.set(p.forms.clone());
        name.set(p.name.clone());
        community.set(p.community.clone());
        k.set(p.k.to_string());
        areas.set(areas_text(&p.areas));
    };
    let store = move |p: Project, ok: String| match kv
        .with_value(|kv| ExportStore::new(kv).save_project(&p))
    {
        Ok(()) => {
            fill(&p);
            project.set(Some(p));
            note.set(Some(Note::Ok(ok)));
        }
        Err(err) => note.set(Some(Note::Problem(store_problem(lang, &err)))),
    };
    // A project file from the coordinator (or a colleague): its forms, walk list and
    // targets are installed with its settings, all or nothing.
    let install = move |p: Project| match kv.with_value(|kv| crate::store::install(kv, &p)) {
        Ok(done) => {
            let mut ok = format!("{}{}", e(ExpMsg::ProjectImported), p.name);
            if let Some(n) = done.households {
                ok.push_str(&lang.pick(
                    format!("；走访清单 {n} 户"),
                    format!("; walk list of {n} households"),
                ));
            }
            if done.forms_added > 0 {
                ok.push_str(&lang.pick(
                    format!("；新问卷 {} 份", done.forms_added),
                    format!("; {} new forms", done.forms_added),
                ));
            }
            if done.targets {
                ok.push_str(&lang.pick("；指标目标已更新".to_owned(), "; targets set".to_owned()));
            }
            let p = p.settings();
            fill(&p);
            project.set(Some(p));
            note.set(Some(Note::Ok(ok)));
        }
        Err(err) => note.set(Some(Note::Problem(err.describe(lang)))),
    };
    // The settings as typed, over `base` (the key and id never change here).
    let edited = move |base: Project| -> Result<Project, String> {
        let mut p = base;
        p.name = name.get_untracked().trim().to_owned();
        p.community = community.get_untracked().trim().to_owned();
        let typed = k.get_untracked();
        p.k = typed.trim().parse().map_err(|_| {
            lang.pick(
                format!("k 应是 2 到 100 之间的整数，不是“{typed}”"),
                format!("k must be a whole number from 2 to 100, not \"{typed}\""),
            )
        })?;
        p.areas = parse_areas(&areas.get_untracked()).map_err(|t| t.get(lang).to_owned())?;
        p.forms = project_forms.get_untracked();
        p.check().map_err(|t| t.get(lang).to_owned())?;
        Ok(p)
    };
    let save = move |_| {
        let Some(base) = project.get_untracked() else {
            return;
        };
        match edited(base) {
            Ok(p) => store(p, e(ExpMsg::ProjectSaved).into()),
            Err(why) => note.set(Some(Note::Problem(why))),
        }
    };
    // The secret first: a project is never stored without the key that opens its links.
    let keep_secret = move |p: &Project, secret: &crate::export::link::ProjectSecret| {
        kv.with_value(|kv| ProjectBook::new(kv).save_secret(p, secret))
            .map_err(|err| store_problem(lang, &err))
    };
    // A device that has a project asks first: every later export would be of the new one.
    let confirm_new = RwSignal::new(false);
    let create = move |_| {
        if project.with_untracked(Option::is_some) && !confirm_new.get_untracked() {
            note.set(None);
            return confirm_new.set(true);
        }
        confirm_new.set(false);
        let mut random = zeroize::Zeroizing::new([0u8; NEW_PROJECT_RANDOM]);
        crate::vault::random(random.as_mut());
        let (fresh, secret) =
            Project::new(&name.get_untracked(), &community.get_untracked(), &random);
        let fresh = if name.get_untracked().trim().is_empty() {
            Project {
                name: e(ExpMsg::Project).into(),
                ..fresh
            }
        } else {
            fresh
        };
        match edited(fresh).and_then(|p| keep_secret(&p, &secret).map(|()| p)) {
            Ok(p) => store(p, e(ExpMsg::ProjectSaved).into()),
            Err(why) => note.set(Some(Note::Problem(why))),
        }
    };
    // A project from a version 1 file, on a device that works alone: keys of its own.
    let make_keys = move |_| {
        let Some(base) = project.get_untracked() else {
            return;
        };
        let mut random = zeroize::Zeroizing::new([0u8; NEW_PROJECT_RANDOM]);
        crate::vault::random(random.as_mut());
        let (p, secret) = base.with_new_keys(&random);
        match keep_secret(&p, &secret) {
            Ok(()) => store(p, e(ExpMsg::KeysMade).into()),
            Err(why) => note.set(Some(Note::Problem(why))),
        }
    };
    let picked = move |ev: leptos::ev::Event| {
        let Some(file) = browser::picked_files(&ev).into_iter().next() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = browser::file_text(file).await.unwrap_or_default();
            match Project::parse(&text) {
                Err(err) => note.set(Some(Note::Problem(err.describe(lang)))),
                Ok(p) => {
                    let replaces = project
                        .get_untracked()
                        .is_some_and(|cur| cur.id != p.id || cur.public_key != p.public_key);
                    if replaces {
                        pending.set(Some(p));
                    } else {
                        install(p);
                    }
                }
            }
        });
    };
    let export_file = move |_| {
        if let Some(p) = project.get_untracked() {
            let name = format!("doorstep-project-{}.json", p.id.get(..8).unwrap_or("x"));
            browser::download(&name, &p.to_file(), "application/json");
        }
    };
    view! {
        <h2>{e(ExpMsg::Project)}</h2>
        <p class="note" hidden=move || project.with(Option::is_some) data-testid="no-project">{e(ExpMsg::NoProject)}</p>
        <div class="project-form" data-testid="project-form">
            <label>{e(ExpMsg::ProjectName)}
                <input type="text" data-testid="project-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label>{e(ExpMsg::Community)}
                <input type="text" data-testid="project-community" prop:value=community on:input=move |ev| community.set(event_target_value(&ev)) />
            </label>
            <label>{e(ExpMsg::K)}
                <input type="number" min="2" max="100" data-testid="project-k" prop:value=k on:input=move |ev| k.set(event_target_value(&ev)) />
                <small>{e(ExpMsg::KHelp)}</small>
            </label>
            <label>{e(ExpMsg::Areas)}
                <textarea rows="3" data-testid="project-areas" prop:value=areas on:input=move |ev| areas.set(event_target_value(&ev))></textarea>
                <small>{e(ExpMsg::AreasHelp)}</small>
            </label>
            <fieldset class="project-forms">
                <legend>{e(ExpMsg::ProjectForms)}</legend>
                {library.into_iter().map(|f| {
                    let r = FormRef { id: f.id.clone(), version: f.version };
                    let r2 = r.clone();
                    let checked = move || project_forms.with(|v| v.contains(&r));
                    let toggle = move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        project_forms.update(|v| {
                            v.retain(|x| *x != r2);
                            if on {
                                v.push(r2.clone());
                            }
                        });
                    };
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("project-form-{}-{}", f.id, f.version)
                                prop:checked=checked on:change=toggle />
                            " "{format!("{} · v{}", f.title.get(lang), f.version)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="row-actions">
                <button class="primary" data-testid="project-save" hidden=move || project.with(Option::is_none) on:click=save>{e(ExpMsg::SaveProject)}</button>
                <button data-testid="project-new" on:click=create>{e(ExpMsg::NewProject)}</button>
                <label class="button file">
                    {e(ExpMsg::ImportProject)}
                    <input type="file" accept=".json,application/json" data-testid="project-file" on:change=picked />
                </label>
                <button data-testid="project-export" hidden=move || project.with(Option::is_none) on:click=export_file>{e(ExpMsg::ExportProject)}</button>
            </div>
            <p class="banner warn" data-testid="project-no-keys" hidden=move || project.with(|p| p.as_ref().is_none_or(Project::has_keys))>
                {e(ExpMsg::NoKeys)}" "
                <button data-testid="project-make-keys" on:click=make_keys>{e(ExpMsg::MakeKeys)}</button>
            </p>
            <small>{e(ExpMsg::ImportProjectHelp)}" "{e(ExpMsg::NewKeyWarning)}</small>
        </div>
        {move || pending.get().map(|p| {
            let name = p.name.clone();
            let p2 = p.clone();
            view! {
                <div class="banner warn" role="alertdialog" data-testid="project-replace">
                    <strong>{e(ExpMsg::ReplaceProject)}</strong>" "{name}<br />{e(ExpMsg::ReplaceProjectHelp)}
                    <div class="dialog-actions">
                        <button data-testid="project-replace-cancel" on:click=move |_| pending.set(None)>{t(Msg::Cancel)}</button>
                        <button class="primary" data-testid="project-replace-yes" on:click=move |_| {
                            pending.set(None);
                            install(p2.clone());
                        }>{e(ExpMsg::ImportProject)}</button>
                    </div>
                </div>
            }
        })}
        {move || confirm_new.get().then(|| {
            let name = project.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
            view! {
                <div class="banner warn" role="alertdialog" data-testid="project-new-confirm">
                    <strong>{e(ExpMsg::NewProjectReplaces)}</strong>" "{name}<br />{e(ExpMsg::NewProjectReplacesHelp)}
                    <div class="dialog-actions">
                        <button data-testid="project-new-cancel" on:click=move |_| confirm_new.set(false)>{t(Msg::Cancel)}</button>
                        <button class="primary" data-testid="project-new-yes" on:click=create>{e(ExpMsg::NewProject)}</button>
                    </div>
                </div>
            }
        })}
        {move || banner(note.get(), "project-note")}
    }
}

#[component]
fn ExportPanel(
    lang: Lang,
    kv: Kv,
    project: RwSignal<Option<Project>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let e = move |m: ExpMsg| m.get(lang);
    let forms = kv
        .with_value(|kv| FormStore::new(kv).list())
        .map(|(entries, _)| entries)
        .unwrap_or_default();
    let first = forms
        .first()
        .map(|f| format!("{}@{}", f.id, f.version))
        .unwrap_or_default();
    let form = RwSignal::new(first);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let completed_only = RwSignal::new(true);
    let include_exported = RwSignal::new(false);
    let prepared = RwSignal::new_local(None::<Rc<Prepared>>);
    // Which project the export is for: "" the current one, or a previous one's id.
    let target = RwSignal::new(String::new());
    let previous = Memo::new(move |_| {
        reload.track();
        project.track();
        kv.with_value(|kv| ExportStore::new(kv).previous_projects().unwrap_or_default())
    });
    let include = RwSignal::new(BTreeSet::<String>::new());
    let withheld_ok = RwSignal::new(false);
    let note = RwSignal::new(None::<Note>);
    let text_limit = RwSignal::new(TEXT_PAGE);
    // Any change to the choice makes the preview stale.
    let reset = move || {
        text_limit.set(TEXT_PAGE);
        prepared.set(None);
        include.set(BTreeSet::new());
        withheld_ok.set(false);
        note.set(None);
    };
    // The project's forms, or every form of the library when the project names none.
    let forms = StoredValue::new(forms);
    let allowed = move || -> Vec<(String, String)> {
        let to = target.get();
        let chosen = if to.is_empty() {
            project.with(|p| p.as_ref().map(|p| p.forms.clone()).unwrap_or_default())
        } else {
            previous.with(|ps| {
                ps.iter()
                    .find(|p| p.id == to)
                    .map(|p| p.forms.clone())
                    .unwrap_or_default()
            })
        };
        forms.with_value(|all| {
            all.iter()
                .filter(|f| {
                    chosen.is_empty()
                        || chosen
                            .iter()
                            .any(|c| c.id == f.id && c.version == f.version)
                })
                .map(|f| {
                    (
                        format!("{}@{}", f.id, f.version),
                        format!("{} · v{}", f.title.get(lang), f.version),
                    )
                })
                .collect()
        })
    };
    let options = move || {
        let list = allowed();
        if !list.iter().any(|(k, _)| *k == form.get_untracked()) {
            if let Some((k, _)) = list.first() {
                form.set(k.clone());
            }
        }
        list.into_iter()
            .map(|(key, label)| view! { <option value=key.clone() selected=key == form.get_untracked()>{label}</option> })
            .collect_view()
    };
    let run = move |_| {
        reset();
        let key = form.get_untracked();
        let Some((id, v)) = key.rsplit_once('@') else {
            return;
        };
        let date = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let filter = Filter {
            form: id.to_owned(),
            version: v.parse().unwrap_or(0),
            from: date(from.get_untracked()),
            to: date(to.get_untracked()),
            completed_only: completed_only.get_untracked(),
            include_exported: include_exported.get_untracked(),
        };
        let to = target.get_untracked();
        let to = (!to.is_empty()).then_some(to.as_str());
        match kv.with_value(|kv| prepare(kv, &filter, to, lang)) {
            Ok(p) => prepared.set(Some(Rc::new(p))),
            Err(n) => note.set(Some(n)),
        }
    };
    let go = move |kind: Kind, share_it: bool| {
        let Some(p) = prepared.get_untracked() else {
            return;
        };
        match write_file(kv, lang, &p, &include.get_untracked(), &kind) {
            Err(why) => note.set(Some(Note::Problem(why))),
            Ok((name, text, entry)) => {
                let mime = if kind == Kind::Json {
                    "application/json"
                } else {
                    "text/csv"
                };
                let done = if share_it {
                    browser::share(&name, &text, mime)
                } else {
                    browser::download(&name, &text, mime)
                };
                if !done {
                    let m = if share_it {
                        ExpMsg::ShareUnavailable
                    } else {
                        ExpMsg::DownloadFailed
                    };
                    note.set(Some(Note::Problem(e(m).into())));
                    return;
                }
                let count = entry.count;
                match kv.with_value(|kv| ExportStore::new(kv).record(entry)) {
                    Ok(()) => note.set(Some(Note::Ok(format!(
                        "{}{name} · {count} {}",
                        e(ExpMsg::Downloaded),
                        e(ExpMsg::Responses)
                    )))),
                    Err(err) => note.set(Some(Note::Problem(store_problem(lang, &err)))),
                }
                reload.update(|r| *r += 1);
            }
        }
    };
    let preview = move || {
        let p = prepared.get()?;
        let label = |id: &str| {
            let base = id.trim_end_matches("#other");
            p.form
                .question(base)
                .map(|q| q.label.get(lang).to_owned())
                .map(|l| if base == id { l } else { format!("{l} (+)") })
                .unwrap_or_else(|| id.to_owned())
        };
        let counts = |m: &std::collections::BTreeMap<String, usize>, testid: &'static str| {
            let items = m
                .iter()
                .map(|(q, n)| view! { <li>{label(q)}" · "<code>{q.clone()}</code>": "{*n}</li> })
                .collect_view();
            view! { <ul class="counts" data-testid=testid>{items}</ul> }
        };
        let withheld = p.report.withheld.len();
        let ready = p.responses.len() - withheld;
        // Drawn a page at a time: a community's 2,000 comments are read in sittings, and
        // drawing them all would hold up the preview.
        let rows: std::sync::Arc<Vec<(String, String, String)>> = std::sync::Arc::new(
            p.texts
                .iter()
                .map(|ft| (ft.key.clone(), label(&ft.question), ft.text.clone()))
                .collect(),
        );
        let total_texts = rows.len();
        let texts = move || {
            rows.iter()
                .take(text_limit.get())
                .map(|(key, question, text)| {
                    let key = key.clone();
                    let key2 = key.clone();
                    let checked = move || include.with(|s| s.contains(&key));
                    let toggle = move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        include.update(|s| {
                            if on {
                                s.insert(key2.clone());
                            } else {
                                s.remove(&key2);
                            }
                        });
                    };
                    view! {
                        <li class="free-text">
                            <label>
                                <input type="checkbox" data-testid="free-text-include" prop:checked=checked on:change=toggle />
                                " "{e(ExpMsg::Include)}
                            </label>
                            " "<em>{question.clone()}</em>": "<span data-testid="free-text">{text.clone()}</span>
                        </li>
                    }
                })
                .collect_view()
        };
        let repeats: Vec<(String, String)> = table::repeats(&p.form)
            .into_iter()
            .map(|q| (q.id.clone(), q.label.get(lang).to_owned()))
            .collect();
        let blocked = move || withheld > 0 && !withheld_ok.get() || ready == 0;
        let repeat_buttons = repeats
            .into_iter()
            .map(|(id, label)| {
                let testid = format!("download-csv-{id}");
                view! {
                    <button data-testid=testid disabled=blocked on:click=move |_| go(Kind::Repeat(id.clone()), false)>
                        {format!("{}{label}", e(ExpMsg::RosterCsv))}
                    </button>
                }
            })
            .collect_view();
        Some(view! {
            <div class="export-preview" data-testid="export-preview">
                <p><strong data-testid="export-ready">{format!("{}{ready}", e(ExpMsg::Ready))}</strong></p>
                <div class="banner warn" role="alert" hidden=withheld == 0 data-testid="export-withheld">
                    {withheld}{e(ExpMsg::WithheldWarning)}
                    <label><input type="checkbox" data-testid="withheld-ok" on:change=move |ev| withheld_ok.set(event_target_checked(&ev)) />
                        " "{e(ExpMsg::WithheldConfirm)}</label>
                </div>
                <p class="banner warn" hidden=p.damaged == 0 data-testid="export-damaged">
                    {p.damaged}{e(ExpMsg::Damaged)}
                </p>
                <p class="note" hidden=p.report.unmapped_buildings == 0>
                    {p.report.unmapped_buildings}{e(ExpMsg::UnmappedBuildings)}
                </p>
                <details>
                    <summary>{e(ExpMsg::Removed)}</summary>
                    {counts(&p.report.removed, "export-removed")}
                </details>
                <details>
                    <summary>{e(ExpMsg::Generalised)}</summary>
                    {counts(&p.report.generalised, "export-generalised")}
                </details>
                <details>
                    <summary>{e(ExpMsg::Suppressed)}</summary>
                    {counts(&p.report.suppressed, "export-suppressed")}
                </details>
                <div hidden=p.texts.is_empty()>
                    <h3>{e(ExpMsg::FreeTextReview)}</h3>
                    <p class="note">{e(ExpMsg::FreeTextHelp)}</p>
                    <ul class="free-texts" data-testid="free-texts">{texts}</ul>
                    <button data-testid="free-texts-more" hidden=move || { text_limit.get() >= total_texts }
                        on:click=move |_| text_limit.update(|l| *l += TEXT_PAGE)>
                        {move || format!("{} ({}/{total_texts})", e(ExpMsg::MoreTexts), text_limit.get().min(total_texts))}
                    </button>
                </div>
                <div class="row-actions">
                    <button class="primary" data-testid="download-json" disabled=blocked on:click=move |_| go(Kind::Json, false)>
                        {e(ExpMsg::DownloadJson)}
                    </button>
                    <button data-testid="share-json" disabled=blocked on:click=move |_| go(Kind::Json, true)>{e(ExpMsg::Share)}</button>
                    <button data-testid="download-csv" disabled=blocked on:click=move |_| go(Kind::Csv, false)>{e(ExpMsg::ResponsesCsv)}</button>
                    {repeat_buttons}
                    <button data-testid="download-codebook" disabled=blocked on:click=move |_| go(Kind::Codebook, false)>{e(ExpMsg::CodebookCsv)}</button>
                </div>
            </div>
        })
    };
    view! {
        <h2>{e(ExpMsg::Export)}</h2>
        <div class="export-form" hidden=move || project.with(Option::is_none)>
            <label hidden=move || previous.with(Vec::is_empty)>{e(ExpMsg::ExportTo)}
                <select data-testid="export-project" on:change=move |ev| { target.set(event_target_value(&ev)); reset(); }>
                    <option value="" selected>{move || project.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default())}</option>
                    {move || previous.get().into_iter().map(|p| view! {
                        <option value=p.id.clone()>{format!("{}{}", p.name, e(ExpMsg::PreviousProject))}</option>
                    }).collect_view()}
                </select>
                <small>{e(ExpMsg::ExportToHelp)}</small>
            </label>
            <label>{e(ExpMsg::Form)}
                <select data-testid="export-form" on:change=move |ev| { form.set(event_target_value(&ev)); reset(); }>{options}</select>
            </label>
            <label>{e(ExpMsg::From)}
                <input type="date" data-testid="export-from" on:change=move |ev| { from.set(event_target_value(&ev)); reset(); } />
            </label>
            <label>{e(ExpMsg::To)}
                <input type="date" data-testid="export-to" on:change=move |ev| { to.set(event_target_value(&ev)); reset(); } />
            </label>
            <label class="check">
                <input type="checkbox" checked data-testid="export-completed-only"
                    on:change=move |ev| { completed_only.set(event_target_checked(&ev)); reset(); } />
                " "{e(ExpMsg::CompletedOnly)}
            </label>
            <label class="check">
                <input type="checkbox" data-testid="export-include-exported"
                    on:change=move |ev| { include_exported.set(event_target_checked(&ev)); reset(); } />
                " "{e(ExpMsg::IncludeExported)}
            </label>
            <button class="primary" data-testid="export-prepare" on:click=run>{e(ExpMsg::Prepare)}</button>
        </div>
        {move || banner(note.get(), "export-note")}
        {preview}
    }
}

#[component]
fn HistoryPanel(lang: Lang, kv: Kv, reload: RwSignal<u32>) -> impl IntoView {
    let e = move |m: ExpMsg| m.get(lang);
    let t = move |m: Msg| m.get(lang);
    // 0: nothing asked; 1 and 2: the two confirmations, with the count.
    let step = RwSignal::new((0u8, 0usize));
    let note = RwSignal::new(None::<Note>);
    let entries = move || {
        reload.get();
        kv.with_value(|kv| ExportStore::new(kv).history())
            .unwrap_or_default()
    };
    let list = move || {
        let h = entries();
        if h.is_empty() {
            return view! { <p class="note" data-testid="no-history">{e(ExpMsg::NoHistory)}</p> }
                .into_any();
        }
        let rows = h
            .into_iter()
            .rev()
            .map(|x| {
                view! {
                    <li data-testid="history-entry">
                        {browser::short_time(&x.at)}" · "<code>{x.file}</code>" · "{x.count}" "{e(ExpMsg::Responses)}
                        " · SHA-256 "<code title=x.sha256.clone()>{x.sha256.get(..12).unwrap_or("").to_owned()}</code>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="history" data-testid="history">{rows}</ul> }.into_any()
    };
    let ask = move |_| {
        let n = kv.with_value(|kv| {
            let responses = ResponseStore::open(kv)?;
            ExportStore::new(kv).clearable(&responses).map(|v| v.len())
        });
        match n {
            Ok(0) => note.set(Some(Note::Ok(e(ExpMsg::NothingToClear).into()))),
            Ok(n) => {
                note.set(None);
                step.set((1, n));
            }
            Err(err) => note.set(Some(Note::Problem(store_problem(lang, &err)))),
        }
    };
    let clear = move |_| {
        step.set((0, 0));
        let done = kv.with_value(|kv| {
            let responses = ResponseStore::open(kv)?;
            ExportStore::new(kv).clear_exported(&responses)
        });
        match done {
            Ok(n) => note.set(Some(Note::Ok(format!("{}{n}", e(ExpMsg::Cleared))))),
            Err(err) => note.set(Some(Note::Problem(store_problem(lang, &err)))),
        }
        reload.update(|r| *r += 1);
    };
    view! {
        <h2>{e(ExpMsg::History)}</h2>
        {list}
        <button data-testid="clear-exported" on:click=ask>{e(ExpMsg::Clear)}</button>
        {move || match step.get() {
            (1, n) => Some(view! {
                <div class="banner warn" role="alertdialog" data-testid="clear-confirm-1">
                    {n}{e(ExpMsg::ClearConfirm1)}
                    <div class="dialog-actions">
                        <button on:click=move |_| step.set((0, 0))>{t(Msg::Cancel)}</button>
                        <button class="primary" data-testid="clear-next" on:click=move |_| step.set((2, n))>{e(ExpMsg::Continue)}</button>
                    </div>
                </div>
            }.into_any()),
            (2, _) => Some(view! {
                <div class="banner error" role="alertdialog" data-testid="clear-confirm-2">
                    {e(ExpMsg::ClearConfirm2)}
                    <div class="dialog-actions">
                        <button on:click=move |_| step.set((0, 0))>{t(Msg::Cancel)}</button>
                        <button class="danger" data-testid="clear-yes" on:click=clear>{e(ExpMsg::ClearYes)}</button>
                    </div>
                </div>
            }.into_any()),
            _ => None,
        }}
        {move || banner(note.get(), "clear-note")}
    }
}
