//! The form library (`#/forms`): the forms on this device, a survey started from any of
//! them, export as JSON, and import of XLSForms, CSV sheets and JSON definitions.
//!
//! Coordinator work, so it is not part of the app's first load: it runs in its own wasm
//! module (src/bin/coordinator.rs), which the app fetches the first time someone opens the
//! library and which mounts this screen into the app's page. With it come the zip, XML and
//! CSV readers and the checking form parser. It talks to the app only through storage and
//! the URL: forms go into localStorage (`FormStore`), "start a survey" is `#/new/<id>/<v>`.
//!
//! Import is two steps: convert (a preview with warnings and proposed privacy classes),
//! then confirm (the classes the person chose). Only then is anything stored, all or
//! nothing (`FormStore::add`).

use super::browser;
use crate::form::Privacy;
use crate::i18n::library::LibMsg;
use crate::i18n::{Lang, Msg, Text};
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::{AddError, Added, FormEntry, FormStore, StoreError};
use crate::xlsform::{finish_import, import, privacy_name, Converted, Reply};
use leptos::prelude::*;

/// Where an import stands.
#[derive(Clone, Debug)]
enum Stage {
    Idle,
    Reading,
    Failed(Text),
    Preview(Box<Converted>),
    Done {
        title: Text,
        id: String,
        version: u32,
        already: bool,
    },
}

const CLASSES: [(Privacy, LibMsg); 5] = [
    (Privacy::Identifier, LibMsg::PrivacyIdentifier),
    (Privacy::QuasiIdentifier, LibMsg::PrivacyQuasi),
    (Privacy::Sensitive, LibMsg::PrivacySensitive),
    (Privacy::FreeText, LibMsg::PrivacyFreeText),
    (Privacy::None, LibMsg::PrivacyNone),
];

fn msg_text(m: Msg) -> Text {
    Text::new(m.get(Lang::Zh), m.get(Lang::En))
}

fn start_survey(id: &str, version: u32) {
    browser::set_hash(
        &Route::NewOf {
            form: id.to_owned(),
            version,
        }
        .to_hash(),
    );
}

/// Reads the picked files' bytes (in the browser's own time), then converts them.
async fn read_and_convert(files: Vec<web_sys::File>) -> Reply {
    let mut read = Vec::new();
    for f in files {
        let bytes = match wasm_bindgen_futures::JsFuture::from(f.array_buffer()).await {
            Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
            Err(_) => {
                return Reply::Failed(crate::xlsform::ImportError {
                    message: Text::new(
                        format!("无法读取文件“{}”。", f.name()),
                        format!("The file \"{}\" could not be read.", f.name()),
                    ),
                })
            }
        };
        read.push((f.name(), bytes));
    }
    import(&read)
}

#[component]
pub fn Library(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: Msg| m.get(lang);
    let l = move |m: LibMsg| m.get(lang);
    let kv = StoredValue::new_local(kv);
    let reload = RwSignal::new(0u32);
    let stage = RwSignal::new(Stage::Idle);
    // The classes chosen for the proposed questions, in the preview's order.
    let chosen = RwSignal::new(Vec::<(String, Privacy)>::new());

    let picked = move |e: leptos::ev::Event| {
        // Emptied as it is read: the same file may be picked again after a fix.
        let files = browser::picked_files(&e);
        if files.is_empty() {
            return;
        }
        stage.set(Stage::Reading);
        leptos::task::spawn_local(async move {
            match read_and_convert(files).await {
                Reply::Converted(c) => {
                    chosen.set(
                        c.proposed
                            .iter()
                            .map(|(id, _, p)| (id.clone(), *p))
                            .collect(),
                    );
                    stage.set(Stage::Preview(c));
                }
                Reply::Failed(e) => stage.set(Stage::Failed(e.message)),
                Reply::Confirmed { .. } => {}
            }
        });
    };

    let confirm = move |_| {
        let Stage::Preview(c) = stage.get_untracked() else {
            return;
        };
        // A file without a version becomes the next version of its form here.
        let version = if c.version_given {
            c.version
        } else {
            kv.with_value(|kv| FormStore::new(kv).next_version(&c.form_id))
                .unwrap_or(c.version)
        };
        let next = match finish_import(&c.source, &chosen.get_untracked(), version) {
            Reply::Confirmed {
                source,
                compiled,
                form_id,
                version,
            } => match kv.with_value(|kv| FormStore::new(kv).add(&compiled, &source)) {
                Ok(a) => Stage::Done {
                    title: c.title.clone(),
                    id: form_id,
                    version,
                    already: a == Added::AlreadyThere,
                },
                Err(AddError::VersionTaken { .. }) => Stage::Failed(Text::new(
                    LibMsg::VersionTaken.get(Lang::Zh),
                    LibMsg::VersionTaken.get(Lang::En),
                )),
                Err(AddError::Store(StoreError::QuotaExceeded)) => {
                    Stage::Failed(msg_text(Msg::NotSavedFull))
                }
                Err(_) => Stage::Failed(msg_text(Msg::NotSavedOther)),
            },
            Reply::Failed(e) => Stage::Failed(e.message),
            Reply::Converted(_) => return,
        };
        stage.set(next);
        reload.update(|r| *r += 1);
    };

    let list = move || {
        reload.get();
        kv.with_value(|kv| FormStore::new(kv).list())
            .map(|(entries, _)| entries)
            .unwrap_or_default()
            .into_iter()
            .map(|e| view! { <FormRow entry=e lang=lang kv=kv /> })
            .collect_view()
    };

    view! {
        <section class="library">
            <a class="button" href="#/" data-testid="back-to-list">{t(Msg::BackToList)}</a>
            <h1>{t(Msg::FormLibrary)}</h1>
            <p class="note">{l(LibMsg::FormLibraryIntro)}</p>
            <ul class="forms" data-testid="form-list">{list}</ul>
            <h2>{l(LibMsg::ImportForm)}</h2>
            <p class="note">{l(LibMsg::ImportHelp)}</p>
            <label class="button file">
                {l(LibMsg::ImportForm)}
                <input type="file" multiple accept=".xlsx,.csv,.json" data-testid="import-file"
                    on:change=picked />
            </label>
            <ImportStage stage=stage chosen=chosen confirm=confirm lang=lang />
        </section>
    }
}

#[component]
fn FormRow(
    entry: FormEntry,
    lang: Lang,
    kv: StoredValue<LocalStore, LocalStorage>,
) -> impl IntoView {
    let l = move |m: LibMsg| m.get(lang);
    let FormEntry {
        id,
        version,
        title,
        questions,
        builtin,
    } = entry;
    let key = format!("{id}-{version}");
    let start = {
        let id = id.clone();
        move |_| start_survey(&id, version)
    };
    let export = {
        let id = id.clone();
        move |_| {
            let source = kv.with_value(|kv| FormStore::new(kv).source(&id, version).ok().flatten());
            if let Some(source) = source {
                browser::download(
                    &format!("{id}-v{version}.json"),
                    &source,
                    "application/json",
                );
            }
        }
    };
    // The built-in definition ships beside the app (index.html copies it into the build).
    let export_button = if builtin {
        view! {
            <a class="button" href="community-needs.json" download="community-needs.json"
                data-testid=format!("export-{key}")>{l(LibMsg::ExportJson)}</a>
        }
        .into_any()
    } else {
        view! {
            <button data-testid=format!("export-{key}") on:click=export>{l(LibMsg::ExportJson)}</button>
        }
        .into_any()
    };
    view! {
        <li class="form-row" data-testid=format!("form-{key}")>
            <div>
                <strong>{title.get(lang).to_owned()}</strong>
                {builtin.then(|| view! { <span class="badge">{l(LibMsg::BuiltinForm)}</span> })}
                <br />
                <small>
                    {format!("{id} · {} {version} · {questions} {}", l(LibMsg::Version), l(LibMsg::Questions))}
                </small>
            </div>
            <div class="row-actions">
                <button class="primary" data-testid=format!("start-{key}") on:click=start>
                    {l(LibMsg::StartSurvey)}
                </button>
                {export_button}
            </div>
        </li>
    }
}

#[component]
fn ImportStage(
    stage: RwSignal<Stage>,
    chosen: RwSignal<Vec<(String, Privacy)>>,
    confirm: impl Fn(leptos::ev::MouseEvent) + Copy + Send + Sync + 'static,
    lang: Lang,
) -> impl IntoView {
    let t = move |m: Msg| m.get(lang);
    let l = move |m: LibMsg| m.get(lang);
    move || {
        match stage.get() {
        Stage::Idle => ().into_any(),
        Stage::Reading => view! {
            <p class="note" role="status" data-testid="import-reading">{l(LibMsg::ImportReading)}</p>
        }
        .into_any(),
        Stage::Failed(message) => view! {
            <div class="banner error" role="alert" data-testid="import-error">
                <strong>{l(LibMsg::ImportFailed)}</strong>" "{message.get(lang).to_owned()}
                <br />{l(LibMsg::ImportNothingChanged)}
            </div>
        }
        .into_any(),
        Stage::Done {
            title,
            id,
            version,
            already,
        } => view! {
            <div class="banner ok" role="status" data-testid="import-done">
                {if already {
                    l(LibMsg::AlreadyInLibrary).to_owned()
                } else {
                    format!("{}{}（{} {version}）", l(LibMsg::AddedToLibrary), title.get(lang), l(LibMsg::Version))
                }}
                " "
                <button class="primary" data-testid="import-start" on:click=move |_| start_survey(&id, version)>
                    {l(LibMsg::StartSurvey)}
                </button>
            </div>
        }
        .into_any(),
        Stage::Preview(c) => {
            let warnings = c
                .warnings
                .iter()
                .map(|w| {
                    let place = match (lang, w.row) {
                        (Lang::Zh, Some(r)) => format!("{} 第 {r} 行：", w.sheet),
                        (Lang::En, Some(r)) => format!("{} row {r}: ", w.sheet),
                        (Lang::Zh, None) => format!("{}：", w.sheet),
                        (Lang::En, None) => format!("{}: ", w.sheet),
                    };
                    view! { <li>{place}{w.message.get(lang).to_owned()}</li> }
                })
                .collect_view();
            let rows = c
                .proposed
                .iter()
                .enumerate()
                .map(|(i, (id, label, _))| {
                    let options = CLASSES
                        .iter()
                        .map(|(p, m)| {
                            let p = *p;
                            let selected = chosen.with_untracked(|c| c.get(i).is_some_and(|(_, x)| *x == p));
                            view! { <option value=privacy_name(p) selected=selected>{l(*m)}</option> }
                        })
                        .collect_view();
                    let change = move |e: leptos::ev::Event| {
                        let v = event_target_value(&e);
                        if let Some((p, _)) = CLASSES.iter().find(|(p, _)| privacy_name(*p) == v) {
                            chosen.update(|c| {
                                if let Some(entry) = c.get_mut(i) {
                                    entry.1 = *p;
                                }
                            });
                        }
                    };
                    let select_id = format!("privacy-{id}");
                    view! {
                        <tr>
                            <td><label for=select_id.clone()>{label.get(lang).to_owned()}</label><br /><small>{id.clone()}</small></td>
                            <td>
                                <select id=select_id.clone() data-testid=select_id on:change=change>{options}</select>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="import-preview" data-testid="import-preview">
                    <h3>{c.title.get(lang).to_owned()}</h3>
                    <p>
                        {format!("{} · {} {} · {} {}", c.form_id, l(LibMsg::Version), c.version, c.questions, l(LibMsg::Questions))}
                    </p>
                    <div hidden=c.warnings.is_empty()>
                        <p>{l(LibMsg::ImportWarnings)}</p>
                        <ul class="warnings" data-testid="import-warnings">{warnings}</ul>
                    </div>
                    <div hidden=c.proposed.is_empty()>
                        <h4>{l(LibMsg::ImportPrivacy)}</h4>
                        <p class="note">{l(LibMsg::ImportPrivacyHelp)}</p>
                        <table class="privacy">{rows}</table>
                    </div>
                    <div class="dialog-actions">
                        <button on:click=move |_| stage.set(Stage::Idle) data-testid="import-cancel">
                            {t(Msg::Cancel)}
                        </button>
                        <button class="primary" data-testid="import-confirm" on:click=confirm>
                            {l(LibMsg::AddToLibrary)}
                        </button>
                    </div>
                </div>
            }
            .into_any()
        }
    }
    }
}
