//! The form library (`#/forms`): the forms on this device, a survey started from any of
//! them, export as JSON, and import of XLSForms, CSV sheets and JSON definitions.
//!
//! Reading and checking files happens in the import worker (src/bin/import_worker.rs), a
//! second wasm module this screen starts on the first import: the app's first load carries
//! none of it. Import is two steps, both in the worker: convert (the preview, with warnings
//! and proposed privacy classes), then confirm (the classes the person chose). Only then is
//! anything stored, all or nothing (`FormStore::add`).

use super::app::use_app;
use super::browser;
use crate::form::Privacy;
use crate::i18n::{Lang, Msg, Text};
use crate::route::Route;
use crate::store::{AddError, Added, FormEntry, FormStore, StoreError};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A converted form waiting for confirmation, as the worker describes it.
#[derive(Clone, Debug, PartialEq)]
struct Preview {
    source: String,
    form_id: String,
    version: u32,
    version_given: bool,
    questions: usize,
    title: Text,
    /// (sheet, row, message)
    warnings: Vec<(String, Option<usize>, Text)>,
    /// (question id, label, proposed class)
    proposed: Vec<(String, Text, Privacy)>,
}

/// What the worker answered (see `to_js` in src/bin/import_worker.rs).
enum Reply {
    /// Loaded and listening; what was sent before is sent now.
    Ready,
    Converted(Box<Preview>),
    Confirmed {
        source: String,
        compiled: String,
        form_id: String,
        version: u32,
    },
    Failed(Text),
}

fn get(o: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn string(v: &JsValue) -> String {
    v.as_string().unwrap_or_default()
}

fn number(v: &JsValue) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// A `[zh, en]` pair, from index `at` of an array.
fn text_at(a: &js_sys::Array, at: u32) -> Text {
    Text::new(string(&a.get(at)), string(&a.get(at + 1)))
}

fn read_reply(o: &JsValue) -> Reply {
    let arrays = |k: &str| -> Vec<js_sys::Array> {
        js_sys::Array::from(&get(o, k))
            .iter()
            .map(|v| js_sys::Array::from(&v))
            .collect()
    };
    match string(&get(o, "kind")).as_str() {
        "converted" => Reply::Converted(Box::new(Preview {
            source: string(&get(o, "source")),
            form_id: string(&get(o, "form_id")),
            version: number(&get(o, "version")) as u32,
            version_given: get(o, "version_given").is_truthy(),
            questions: number(&get(o, "questions")) as usize,
            title: text_at(&js_sys::Array::from(&get(o, "title")), 0),
            warnings: arrays("warnings")
                .iter()
                .map(|w| {
                    let row = w.get(1).as_f64().map(|r| r as usize);
                    (string(&w.get(0)), row, text_at(w, 2))
                })
                .collect(),
            proposed: arrays("proposed")
                .iter()
                .map(|p| {
                    let class = string(&p.get(3));
                    let class = CLASSES
                        .iter()
                        .map(|(c, _)| *c)
                        .find(|c| class_name(*c) == class)
                        .unwrap_or(Privacy::Identifier);
                    (string(&p.get(0)), text_at(p, 1), class)
                })
                .collect(),
        })),
        "confirmed" => Reply::Confirmed {
            source: string(&get(o, "source")),
            compiled: string(&get(o, "compiled")),
            form_id: string(&get(o, "form_id")),
            version: number(&get(o, "version")) as u32,
        },
        "ready" => Reply::Ready,
        "failed" => Reply::Failed(text_at(&js_sys::Array::from(&get(o, "message")), 0)),
        _ => Reply::Failed(msg_text(Msg::WorkerUnavailable)),
    }
}

/// Where an import stands.
#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Idle,
    Reading,
    Failed(Text),
    Preview(Box<Preview>),
    Done {
        title: Text,
        id: String,
        version: u32,
        already: bool,
    },
}

const CLASSES: [(Privacy, Msg); 5] = [
    (Privacy::Identifier, Msg::PrivacyIdentifier),
    (Privacy::QuasiIdentifier, Msg::PrivacyQuasi),
    (Privacy::Sensitive, Msg::PrivacySensitive),
    (Privacy::FreeText, Msg::PrivacyFreeText),
    (Privacy::None, Msg::PrivacyNone),
];

fn class_name(p: Privacy) -> &'static str {
    match p {
        Privacy::Identifier => "identifier",
        Privacy::QuasiIdentifier => "quasi_identifier",
        Privacy::Sensitive => "sensitive",
        Privacy::FreeText => "free_text",
        Privacy::None => "none",
    }
}

#[component]
pub fn Library() -> impl IntoView {
    let state = use_app();
    let reload = RwSignal::new(0u32);
    let entries = Memo::new(move |_| {
        reload.get();
        state.storage_tick.get();
        state
            .with_store(|s| FormStore::new(s.kv()).list().ok())
            .flatten()
            .map(|(entries, _)| entries)
            .unwrap_or_default()
    });
    let stage = RwSignal::new(Stage::Idle);
    // The classes chosen for the proposed questions, in the preview's order.
    let chosen = RwSignal::new(Vec::<(String, Privacy)>::new());
    let worker = StoredValue::new_local(None::<web_sys::Worker>);
    // Messages waiting for the worker to finish loading (it says "ready").
    let waiting = StoredValue::new_local(Some(Vec::<js_sys::Object>::new()));

    // Every answer of the worker lands here.
    let on_reply = move |data: JsValue| match read_reply(&data) {
        Reply::Ready => {
            let queued = waiting.try_update_value(Option::take).flatten();
            if let Some(w) = worker.get_value() {
                for m in queued.unwrap_or_default() {
                    let _ = w.post_message(&m);
                }
            }
        }
        Reply::Converted(c) => {
            chosen.set(
                c.proposed
                    .iter()
                    .map(|(id, _, p)| (id.clone(), *p))
                    .collect(),
            );
            stage.set(Stage::Preview(c));
        }
        Reply::Failed(message) => stage.set(Stage::Failed(message)),
        Reply::Confirmed {
            source,
            compiled,
            form_id,
            version,
        } => {
            let title = match stage.get_untracked() {
                Stage::Preview(c) => c.title,
                _ => Text::new(form_id.clone(), form_id.clone()),
            };
            let added = state
                .with_store(|s| FormStore::new(s.kv()).add(&compiled, &source))
                .unwrap_or(Err(AddError::Store(StoreError::Unavailable(String::new()))));
            let next = match added {
                Ok(a) => Stage::Done {
                    title,
                    id: form_id,
                    version,
                    already: a == Added::AlreadyThere,
                },
                Err(AddError::VersionTaken { .. }) => Stage::Failed(msg_text(Msg::VersionTaken)),
                Err(AddError::Store(StoreError::QuotaExceeded)) => {
                    Stage::Failed(msg_text(Msg::NotSavedFull))
                }
                Err(_) => Stage::Failed(msg_text(Msg::NotSavedOther)),
            };
            stage.set(next);
            reload.update(|r| *r += 1);
        }
    };

    // Starts the worker on first use; `None` if the browser refuses.
    let ensure_worker = move || -> Option<web_sys::Worker> {
        if let Some(w) = worker.get_value() {
            return Some(w);
        }
        let w = web_sys::Worker::new("./doorstep-import_loader.js").ok()?;
        let handler =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                on_reply(e.data())
            });
        w.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            stage.set(Stage::Failed(msg_text(Msg::WorkerUnavailable)))
        });
        w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        worker.set_value(Some(w.clone()));
        Some(w)
    };
    on_cleanup(move || {
        if let Some(w) = worker.get_value() {
            w.terminate();
        }
    });

    let send = move |message: js_sys::Object| {
        let Some(w) = ensure_worker() else {
            stage.set(Stage::Failed(msg_text(Msg::WorkerUnavailable)));
            return;
        };
        let queued = waiting
            .try_update_value(|q| q.as_mut().map(|q| q.push(message.clone())).is_some())
            .unwrap_or(false);
        if !queued && w.post_message(&message).is_err() {
            stage.set(Stage::Failed(msg_text(Msg::WorkerUnavailable)));
        }
    };
    let set = |o: &js_sys::Object, k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), v);
    };

    let picked = move |e: leptos::ev::Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(files) = input.files().filter(|f| f.length() > 0) else {
            return;
        };
        let list = js_sys::Array::new();
        for i in 0..files.length() {
            if let Some(f) = files.get(i) {
                list.push(&f);
            }
        }
        // The same file may be picked again after a fix: clear the input.
        input.set_value("");
        let message = js_sys::Object::new();
        set(&message, "op", &"import".into());
        set(&message, "files", &list);
        stage.set(Stage::Reading);
        send(message);
    };

    let confirm = move |_| {
        let Stage::Preview(c) = stage.get_untracked() else {
            return;
        };
        // A file without a version becomes the next version of its form here.
        let version = if c.version_given {
            c.version
        } else {
            state
                .with_store(|s| FormStore::new(s.kv()).next_version(&c.form_id).ok())
                .flatten()
                .unwrap_or(1)
        };
        // JSON written by hand (ids are letters, digits and `_`): no serializer in the bundle.
        let privacy = chosen
            .get_untracked()
            .iter()
            .map(|(id, p)| format!("[\"{id}\",\"{}\"]", class_name(*p)))
            .collect::<Vec<_>>()
            .join(",");
        let message = js_sys::Object::new();
        set(&message, "op", &"finish".into());
        set(&message, "source", &c.source.as_str().into());
        set(&message, "privacy", &format!("[{privacy}]").into());
        set(&message, "version", &f64::from(version).into());
        send(message);
    };

    let list = move || {
        let lang = state.lang.get_untracked();
        entries
            .get()
            .into_iter()
            .map(|e| view! { <FormRow entry=e lang=lang /> })
            .collect_view()
    };

    view! {
        <section class="library">
            <a class="button" href="#/" data-testid="back-to-list">{state.t(Msg::BackToList)}</a>
            <h1>{state.t(Msg::FormLibrary)}</h1>
            <p class="note">{state.t(Msg::FormLibraryIntro)}</p>
            <ul class="forms" data-testid="form-list">{list}</ul>
            <h2>{state.t(Msg::ImportForm)}</h2>
            <p class="note">{state.t(Msg::ImportHelp)}</p>
            <label class="button file">
                {state.t(Msg::ImportForm)}
                <input type="file" multiple accept=".xlsx,.csv,.json" data-testid="import-file"
                    on:change=picked />
            </label>
            <ImportStage stage=stage chosen=chosen confirm=confirm />
        </section>
    }
}

fn msg_text(m: Msg) -> Text {
    Text::new(m.get(Lang::Zh), m.get(Lang::En))
}

#[component]
fn FormRow(entry: FormEntry, lang: Lang) -> impl IntoView {
    let state = use_app();
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
        move |_| {
            state.go(Route::NewOf {
                form: id.clone(),
                version,
            })
        }
    };
    let export = {
        let id = id.clone();
        move |_| {
            let source = state
                .with_store(|s| FormStore::new(s.kv()).source(&id, version).ok().flatten())
                .flatten();
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
                data-testid=format!("export-{key}")>{state.t(Msg::ExportJson)}</a>
        }
        .into_any()
    } else {
        view! {
            <button data-testid=format!("export-{key}") on:click=export>{state.t(Msg::ExportJson)}</button>
        }
        .into_any()
    };
    view! {
        <li class="form-row" data-testid=format!("form-{key}")>
            <div>
                <strong>{title.get(lang).to_owned()}</strong>
                {builtin.then(|| view! { <span class="badge">{state.t(Msg::BuiltinForm)}</span> })}
                <br />
                <small>
                    {format!("{id} · {} {version} · {questions} {}", state.t(Msg::Version), state.t(Msg::Questions))}
                </small>
            </div>
            <div class="row-actions">
                <button class="primary" data-testid=format!("start-{key}") on:click=start>
                    {state.t(Msg::StartSurvey)}
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
) -> impl IntoView {
    let state = use_app();
    move || {
        let lang = state.lang.get_untracked();
        match stage.get() {
            Stage::Idle => ().into_any(),
            Stage::Reading => view! {
                <p class="note" role="status" data-testid="import-reading">{state.t(Msg::ImportReading)}</p>
            }
            .into_any(),
            Stage::Failed(message) => view! {
                <div class="banner error" role="alert" data-testid="import-error">
                    <strong>{state.t(Msg::ImportFailed)}</strong>" "{message.get(lang).to_owned()}
                    <br />{state.t(Msg::ImportNothingChanged)}
                </div>
            }
            .into_any(),
            Stage::Done { title, id, version, already } => {
                let start = move |_| {
                    state.go(Route::NewOf {
                        form: id.clone(),
                        version,
                    })
                };
                view! {
                    <div class="banner ok" role="status" data-testid="import-done">
                        {if already {
                            state.t(Msg::AlreadyInLibrary).to_owned()
                        } else {
                            format!("{}{}（{} {version}）", state.t(Msg::AddedToLibrary), title.get(lang), state.t(Msg::Version))
                        }}
                        " "
                        <button class="primary" data-testid="import-start" on:click=start>
                            {state.t(Msg::StartSurvey)}
                        </button>
                    </div>
                }
                .into_any()
            }
            Stage::Preview(c) => {
                let warnings = c
                    .warnings
                    .iter()
                    .map(|(sheet, row, message)| {
                        let place = match (lang, row) {
                            (Lang::Zh, Some(r)) => format!("{sheet} 第 {r} 行："),
                            (Lang::En, Some(r)) => format!("{sheet} row {r}: "),
                            (Lang::Zh, None) => format!("{sheet}："),
                            (Lang::En, None) => format!("{sheet}: "),
                        };
                        view! { <li>{place}{message.get(lang).to_owned()}</li> }
                    })
                    .collect_view();
                let has_warnings = !c.warnings.is_empty();
                let rows = c
                    .proposed
                    .iter()
                    .enumerate()
                    .map(|(i, (id, label, _))| {
                        let options = CLASSES
                            .iter()
                            .map(|(p, m)| {
                                let p = *p;
                                view! {
                                    <option value=class_name(p)
                                        selected=move || chosen.with(|c| c.get(i).is_some_and(|(_, x)| *x == p))>
                                        {state.t(*m)}
                                    </option>
                                }
                            })
                            .collect_view();
                        let change = move |e: leptos::ev::Event| {
                            let v = event_target_value(&e);
                            if let Some((p, _)) = CLASSES.iter().find(|(p, _)| class_name(*p) == v) {
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
                let has_proposals = !c.proposed.is_empty();
                view! {
                    <div class="import-preview" data-testid="import-preview">
                        <h3>{c.title.get(lang).to_owned()}</h3>
                        <p>
                            {format!("{} · {} {} · {} {}", c.form_id, state.t(Msg::Version), c.version, c.questions, state.t(Msg::Questions))}
                        </p>
                        <div hidden=!has_warnings>
                            <p>{state.t(Msg::ImportWarnings)}</p>
                            <ul class="warnings" data-testid="import-warnings">{warnings}</ul>
                        </div>
                        <div hidden=!has_proposals>
                            <h4>{state.t(Msg::ImportPrivacy)}</h4>
                            <p class="note">{state.t(Msg::ImportPrivacyHelp)}</p>
                            <table class="privacy">{rows}</table>
                        </div>
                        <div class="dialog-actions">
                            <button on:click=move |_| stage.set(Stage::Idle) data-testid="import-cancel">
                                {state.t(Msg::Cancel)}
                            </button>
                            <button class="primary" data-testid="import-confirm" on:click=confirm>
                                {state.t(Msg::AddToLibrary)}
                            </button>
                        </div>
                    </div>
                }
                .into_any()
            }
        }
    }
}
