//! The coordinator's projects (in the workspace module): create and edit a project — its
//! forms, walk list, targets, k and area codes — and hand it to the workers as a project
//! file, which each installs on the export screen (store/install.rs). Kept in this
//! browser's localStorage (store/projects.rs); the checking is `export::project`.

use super::browser;
use crate::export::link::ProjectSecret;
use crate::export::project::{Edits, NEW_PROJECT_RANDOM};
use crate::export::{FormRef, Project};
use crate::i18n::projects::PrMsg;
use crate::i18n::Lang;
use crate::store::local::LocalStore;
use crate::store::{FormStore, ProjectBook, StoreError};
use crate::visits::indicators::Measure;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Note {
    Ok(String),
    Problem(String),
}

fn book() -> Option<ProjectBook<LocalStore>> {
    LocalStore::open().ok().map(ProjectBook::new)
}

/// The coordinator's projects, as stored (and the keys of any that cannot be read).
pub fn load() -> (Vec<Project>, Vec<String>) {
    book().and_then(|b| b.list().ok()).unwrap_or_default()
}

fn measure_label(m: Measure) -> PrMsg {
    match m {
        Measure::Visits => PrMsg::Visits,
        Measure::CompletedSurveys => PrMsg::Surveys,
        Measure::CoveragePercent => PrMsg::Coverage,
        Measure::FollowUpsHandled => PrMsg::FollowUps,
    }
}

fn measure_key(m: Measure) -> &'static str {
    match m {
        Measure::Visits => "visits",
        Measure::CompletedSurveys => "surveys",
        Measure::CoveragePercent => "coverage",
        Measure::FollowUpsHandled => "follow-ups",
    }
}

/// A project's name as a file name takes it: its letters and digits (Chinese included).
pub(super) fn slug(p: &Project) -> String {
    let slug: String = p
        .name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    slug.trim_matches('-').to_owned()
}

fn file_name(p: &Project) -> String {
    format!("doorstep-project-{}.json", slug(p))
}

fn problem_text(lang: Lang, e: &StoreError) -> String {
    let why = match e {
        StoreError::QuotaExceeded => lang.pick(
            "浏览器存储已满。".to_owned(),
            "The browser's storage is full.".to_owned(),
        ),
        other => other.to_string(),
    };
    format!("{}{why}", PrMsg::NotSaved.get(lang))
}

/// The projects panel. `projects` is the workspace's copy of the list (its indicators
/// read the targets from it).
#[component]
pub fn Projects(lang: Lang, projects: RwSignal<Vec<Project>>) -> impl IntoView {
    let p = move |m: PrMsg| m.get(lang);
    let note = RwSignal::new(None::<Note>);
    let damaged = RwSignal::new(load().1);
    let editing = RwSignal::new(None::<Project>);
    let deleting = RwSignal::new(None::<String>);
    let refresh = move || {
        let (list, bad) = load();
        projects.set(list);
        damaged.set(bad);
    };

    let save = move |proj: &Project| -> bool {
        match book()
            .ok_or(StoreError::Unavailable(String::new()))
            .and_then(|b| b.save(proj))
        {
            Ok(()) => {
                refresh();
                true
            }
            Err(e) => {
                note.set(Some(Note::Problem(problem_text(lang, &e))));
                false
            }
        }
    };
    // The project's secret key, sealed, before the project: a project is never stored
    // without the key that opens its exports' links.
    let keep_secret = move |proj: &Project, secret: &ProjectSecret| -> bool {
        match book()
            .ok_or(StoreError::Unavailable(String::new()))
            .and_then(|b| b.save_secret(proj, secret))
        {
            Ok(()) => true,
            Err(e) => {
                note.set(Some(Note::Problem(problem_text(lang, &e))));
                false
            }
        }
    };
    let fresh_keys = || {
        let mut random = zeroize::Zeroizing::new([0u8; NEW_PROJECT_RANDOM]);
        crate::vault::random(random.as_mut());
        random
    };
    let create = move |_| {
        let (mut fresh, secret) = Project::new(p(PrMsg::Unnamed), "", &fresh_keys());
        fresh.forms = vec![builtin_ref()];
        if keep_secret(&fresh, &secret) && save(&fresh) {
            note.set(None);
            editing.set(Some(fresh));
        }
    };
    let open = move |ev: leptos::ev::Event| {
        let Some(file) = browser::picked_files(&ev).into_iter().next() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            let text = browser::file_text(file).await.unwrap_or_default();
            match Project::parse(&text) {
                Err(e) => note.set(Some(Note::Problem(e.describe(lang)))),
                // A version 1 file: its shared key is gone; the project keeps its id (its
                // earlier exports still belong to it) and gets keys made here.
                Ok(old) if !old.has_keys() => {
                    let (proj, secret) = old.with_new_keys(&fresh_keys());
                    if keep_secret(&proj, &secret) && save(&proj) {
                        note.set(Some(Note::Ok(p(PrMsg::Upgraded).into())));
                        editing.set(Some(proj));
                    }
                }
                Ok(proj) => {
                    if save(&proj) {
                        note.set(None);
                        editing.set(Some(proj));
                    }
                }
            }
        });
    };

    view! {
        <section class="ws-projects" data-testid="ws-projects">
            <h3>{p(PrMsg::Title)}</h3>
            <p class="note">{p(PrMsg::Intro)}</p>
            {move || (!damaged.with(Vec::is_empty)).then(|| view! {
                <p class="banner error" role="alert">{p(PrMsg::Damaged)}" "{damaged.get().join(", ")}</p>
            })}
            <p class="note" hidden=move || !projects.with(Vec::is_empty)>{p(PrMsg::None)}</p>
            <ul class="ws-project-list">
                <For each=move || projects.get() key=|proj| format!("{}|{}|{}|{}|{}|{}", proj.id, proj.name, proj.community, proj.k, proj.households.len(), proj.forms.len()) let:proj>
                    {
                        let id = proj.id.clone();
                        let (id2, id3) = (id.clone(), id.clone());
                        let for_edit = proj.clone();
                        let for_file = proj.clone();
                        let summary = lang.pick(
                            format!("{} · {} 户 · 问卷 {} 份 · k = {}", proj.community, proj.households.len(), proj.forms.len(), proj.k),
                            format!("{} · {} households · {} forms · k = {}", proj.community, proj.households.len(), proj.forms.len(), proj.k),
                        );
                        let held = book()
                            .and_then(|b| b.secret(&proj.id).ok().flatten())
                            .is_some_and(|s| proj.public_key.as_deref() == Some(s.public_hex().as_str()));
                        view! {
                            <li data-testid="ws-project" data-key=if held { "held" } else { "missing" }>
                                <strong>{proj.name.clone()}</strong>" "<span class="note">{summary}</span>
                                <span class=if held { "note" } else { "banner warn" } data-testid="ws-project-key">
                                    {p(if held { PrMsg::KeyHere } else { PrMsg::NoKeyHere })}
                                </span>
                                <span class="actions">
                                    <button class="button" data-testid="ws-project-edit"
                                        on:click=move |_| { note.set(None); editing.set(Some(for_edit.clone())) }>{p(PrMsg::Edit)}</button>
                                    <button class="button" data-testid="ws-project-download"
                                        on:click=move |_| { browser::download(&file_name(&for_file), &for_file.to_file(), "application/json"); }>{p(PrMsg::Download)}</button>
                                    <button class="button danger" data-testid="ws-project-delete" on:click=move |_| {
                                        if deleting.get_untracked().as_deref() == Some(id2.as_str()) {
                                            deleting.set(None);
                                            if editing.with_untracked(|e| e.as_ref().is_some_and(|e| e.id == id2)) {
                                                editing.set(None);
                                            }
                                            if let Some(b) = book() {
                                                let _ = b.remove(&id2);
                                            }
                                            refresh();
                                        } else {
                                            deleting.set(Some(id2.clone()));
                                        }
                                    }>{p(PrMsg::Delete)}</button>
                                </span>
                                <p class="banner" role="alert" hidden=move || deleting.get().as_deref() != Some(id3.as_str())>{p(PrMsg::DeleteConfirm)}</p>
                            </li>
                        }
                    }
                </For>
            </ul>
            <p class="actions">
                <button class="button" data-testid="ws-project-new" on:click=create>{p(PrMsg::New)}</button>
                <label class="button file">
                    {p(PrMsg::Open)}
                    <input type="file" accept=".json,application/json" data-testid="ws-project-open" on:change=open />
                </label>
            </p>
            <small class="note">{p(PrMsg::OpenHelp)}" "{p(PrMsg::KeyNote)}</small>
            <super::project_keys::KeyPanel lang=lang projects=projects refresh=Callback::new(move |_| refresh()) />
            {move || note.get().map(|n| match n {
                Note::Ok(t) => view! { <p class="banner ok" role="status" data-testid="ws-project-note">{t}</p> }.into_any(),
                Note::Problem(t) => view! { <p class="banner error" role="alert" data-testid="ws-project-note">{t}</p> }.into_any(),
            })}
            {move || editing.get().map(|base| view! {
                <Editor lang=lang base=base note=note editing=editing save=save />
            })}
        </section>
    }
}

fn builtin_ref() -> FormRef {
    FormRef {
        id: crate::form::BUILTIN_ID.to_owned(),
        version: crate::form::BUILTIN_VERSION,
    }
}

/// One project's settings, as fields; saved whole, after checking.
#[component]
fn Editor(
    lang: Lang,
    base: Project,
    note: RwSignal<Option<Note>>,
    editing: RwSignal<Option<Project>>,
    save: impl Fn(&Project) -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let p = move |m: PrMsg| m.get(lang);
    let start = Edits::of(&base);
    let name = RwSignal::new(start.name.clone());
    let community = RwSignal::new(start.community.clone());
    let k = RwSignal::new(start.k.clone());
    let areas = RwSignal::new(start.areas.clone());
    let forms = RwSignal::new(start.forms.clone());
    let households = RwSignal::new(start.households.clone());
    let goals: Vec<(Measure, RwSignal<String>)> = start
        .goals
        .iter()
        .map(|(m, g)| (*m, RwSignal::new(g.clone())))
        .collect();
    let goals = StoredValue::new(goals);
    let walk_problem = RwSignal::new(None::<String>);
    let base = StoredValue::new(base);

    // The built-in form, the library's, and any the project names that this browser lacks.
    let (zh, en) = crate::form::BUILTIN_TITLE;
    let mut choices: Vec<(FormRef, String)> = vec![(
        builtin_ref(),
        format!("{} · v{}", lang.pick(zh, en), crate::form::BUILTIN_VERSION),
    )];
    let library = LocalStore::open()
        .ok()
        .and_then(|kv| FormStore::new(kv).titles().ok())
        .unwrap_or_default();
    choices.extend(library.into_iter().map(|(id, version, title)| {
        let label = format!("{} · v{version}", title.get(lang));
        (FormRef { id, version }, label)
    }));
    for f in &start.forms {
        if !choices.iter().any(|(c, _)| c == f) {
            choices.push((f.clone(), format!("{} · v{}", f.id, f.version)));
        }
    }

    let walk_csv = move |ev: leptos::ev::Event| {
        let Some(file) = browser::picked_files(&ev).into_iter().next() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            let Some(text) = browser::file_text(file).await else {
                walk_problem.set(Some(lang.pick(
                    "文件无法读取。".to_owned(),
                    "The file cannot be read.".to_owned(),
                )));
                return;
            };
            match crate::visits::walk::from_csv(&text) {
                Ok(list) if list.len() > crate::visits::walk::MAX_HOUSEHOLDS => {
                    walk_problem.set(Some(lang.pick(
                        format!(
                            "清单有 {} 户，超过上限 {}。",
                            list.len(),
                            crate::visits::walk::MAX_HOUSEHOLDS
                        ),
                        format!(
                            "The list has {} households, more than {}.",
                            list.len(),
                            crate::visits::walk::MAX_HOUSEHOLDS
                        ),
                    )))
                }
                Ok(list) => {
                    walk_problem.set(None);
                    households.set(list);
                }
                Err(e) => walk_problem.set(Some(e.describe().get(lang).to_owned())),
            }
        });
    };

    let submit = move |_| {
        let edits = Edits {
            name: name.get_untracked(),
            community: community.get_untracked(),
            k: k.get_untracked(),
            areas: areas.get_untracked(),
            forms: forms.get_untracked(),
            goals: goals.with_value(|g| g.iter().map(|(m, s)| (*m, s.get_untracked())).collect()),
            households: households.get_untracked(),
        };
        let from_library = |f: &FormRef| {
            let kv = LocalStore::open().ok()?;
            let source = FormStore::new(kv).source(&f.id, f.version).ok()??;
            serde_json::from_str(&source).ok()
        };
        match base.with_value(|b| b.edited(&edits, &builtin_ref(), from_library)) {
            Err(why) => note.set(Some(Note::Problem(format!(
                "{}{}",
                p(PrMsg::NotSaved),
                why.get(lang)
            )))),
            Ok(proj) => {
                if save(&proj) {
                    base.set_value(proj);
                    note.set(Some(Note::Ok(p(PrMsg::Saved).to_owned())));
                }
            }
        }
    };

    view! {
        <form class="project-form ws-project-editor" data-testid="ws-project-editor" on:submit=move |ev| ev.prevent_default()>
            <label>{p(PrMsg::Name)}
                <input type="text" data-testid="ws-project-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label>{p(PrMsg::Community)}
                <input type="text" data-testid="ws-project-community" prop:value=community on:input=move |ev| community.set(event_target_value(&ev)) />
            </label>
            <label>{p(PrMsg::K)}
                <input type="number" min="2" max="100" data-testid="ws-project-k" prop:value=k on:input=move |ev| k.set(event_target_value(&ev)) />
                <small>{p(PrMsg::KHelp)}</small>
            </label>
            <label>{p(PrMsg::Areas)}
                <textarea rows="3" data-testid="ws-project-areas" prop:value=areas on:input=move |ev| areas.set(event_target_value(&ev))></textarea>
                <small>{p(PrMsg::AreasHelp)}</small>
            </label>
            <fieldset class="project-forms">
                <legend>{p(PrMsg::Forms)}</legend>
                {choices.into_iter().map(|(r, label)| {
                    let r2 = r.clone();
                    let testid = format!("ws-project-form-{}-{}", r.id, r.version);
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid=testid
                                prop:checked=move || forms.with(|v| v.contains(&r))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    forms.update(|v| {
                                        v.retain(|x| *x != r2);
                                        if on {
                                            v.push(r2.clone());
                                        }
                                    });
                                } />
                            " "{label}
                        </label>
                    }
                }).collect_view()}
                <small>{p(PrMsg::FormsHelp)}</small>
            </fieldset>
            <fieldset>
                <legend>{p(PrMsg::WalkList)}</legend>
                <p data-testid="ws-project-walk">
                    {move || {
                        let n = households.with(Vec::len);
                        if n == 0 {
                            p(PrMsg::WalkNone).to_owned()
                        } else {
                            format!("{n} {}", p(PrMsg::Households))
                        }
                    }}
                </p>
                <p class="actions">
                    <label class="button file">
                        {p(PrMsg::WalkCsv)}
                        <input type="file" accept=".csv,text/csv,.txt" data-testid="ws-project-walk-csv" on:change=walk_csv />
                    </label>
                    <button type="button" class="button" hidden=move || households.with(Vec::is_empty)
                        on:click=move |_| households.set(Vec::new())>{p(PrMsg::WalkRemove)}</button>
                </p>
                {move || walk_problem.get().map(|t| view! {
                    <p class="banner error" role="alert" data-testid="ws-project-walk-problem">{t}</p>
                })}
                <small>{p(PrMsg::WalkListHelp)}</small>
            </fieldset>
            <fieldset class="ws-targets">
                <legend>{p(PrMsg::Targets)}</legend>
                {goals.get_value().into_iter().map(|(m, s)| view! {
                    <label>{p(measure_label(m))}
                        <input type="text" inputmode="numeric" size="7" data-testid=format!("ws-project-goal-{}", measure_key(m))
                            prop:value=s on:input=move |ev| s.set(event_target_value(&ev)) />
                    </label>
                }).collect_view()}
                <small>{p(PrMsg::TargetsHelp)}</small>
            </fieldset>
            <p class="actions">
                <button type="button" class="button primary" data-testid="ws-project-save" on:click=submit>{p(PrMsg::Save)}</button>
                <button type="button" class="button" data-testid="ws-project-close" on:click=move |_| editing.set(None)>{p(PrMsg::Close)}</button>
            </p>
        </form>
    }
}

/// The targets the workspace's indicators measure against: those of the coordinator's
/// project the merged data belongs to, else this device's.
pub fn targets_for(
    projects: &[Project],
    data_project: Option<&str>,
) -> (Vec<crate::visits::indicators::Target>, bool) {
    if let Some(p) = data_project.and_then(|id| projects.iter().find(|p| p.id == id)) {
        if !p.targets.is_empty() {
            return (p.targets.clone(), true);
        }
    }
    let device = LocalStore::open()
        .ok()
        .and_then(|kv| crate::store::VisitStore::new(kv).targets().ok())
        .unwrap_or_else(crate::visits::indicators::default_targets);
    (device, false)
}
