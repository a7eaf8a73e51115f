//! The coordinator's workspace (`#/workspace`, in the workspace module): import many
//! workers' export files, see what each came to, and the merged results under filters.
//! The files live in IndexedDB (store/workspace.rs); the dataset is rebuilt from them when
//! the screen opens. All checking, merging and counting is `report/`.

use super::report::{report_view, AGENCY_KEY, FLAGS_KEY, RECOMMENDATIONS_KEY};
use super::results::{cross_choice, crosstab_view, dashboard};
use crate::i18n::workspace::WsMsg;
use crate::i18n::Lang;
use crate::report::aggregate::{Filter, View};
use crate::report::import::{frame, quick_frame, text_of, Rejection, MAX_FILE_BYTES};
use crate::report::publish::{Published, Scope};
use crate::report::{admit_frame, Dataset, FileResult, Merged};
use crate::store::workspace::{begin_open, begin_seal, WorkspaceStore};
use crate::store::StoreError;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What became of one picked file.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Result(FileResult),
    NotSaved(StoreError),
}

/// The outcome's class (as the results list marks it).
fn describe_class(o: &Outcome) -> &'static str {
    match o {
        Outcome::Result(FileResult::Accepted(_)) => "accepted",
        Outcome::Result(FileResult::AlreadyImported { .. }) => "duplicate",
        Outcome::Result(FileResult::Rejected(_)) | Outcome::NotSaved(_) => "rejected",
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Lets the browser draw (the progress line) between two files.
async fn breathe() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// The SHA-256 of `bytes[range]` by the browser's WebCrypto (native code, several times
/// faster than hashing in wasm), started now; the future gives it in hex.
fn digest(
    buffer: &js_sys::ArrayBuffer,
    range: std::ops::Range<usize>,
) -> impl std::future::Future<Output = Option<String>> {
    let part = js_sys::Uint8Array::new(buffer).subarray(range.start as u32, range.end as u32);
    let started = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| {
            c.subtle()
                .digest_with_str_and_buffer_source("SHA-256", &part)
                .ok()
        })
        .map(wasm_bindgen_futures::JsFuture::from);
    async move {
        let out = started?.await.ok()?;
        let bytes = js_sys::Uint8Array::new(&out).to_vec();
        Some(crate::export::project::hex(&bytes))
    }
}

/// Checks and merges one file (its bytes as the browser read them): the checksums by
/// WebCrypto, everything else by `report`. The file's identity comes back with the outcome.
async fn check_and_merge(
    ds: StoredValue<Dataset, LocalStorage>,
    name: &str,
    buffer: &js_sys::ArrayBuffer,
) -> Result<(String, Merged), Rejection> {
    let bytes = js_sys::Uint8Array::new(buffer).to_vec();
    let text = text_of(&bytes)?;
    // The canonical layout's landmarks first; if anything is refused after them, the full
    // scan (see `report::import::quick_frame`).
    let mut attempt = quick_frame(text);
    loop {
        let (framed, quick) = match attempt.take() {
            Some(f) => (f, true),
            None => (frame(text)?, false),
        };
        // Over the file's own bytes: the text is the bytes after a byte-order mark, if any.
        let (responses, visits) = framed.ranges(text);
        let offset = bytes.len() - text.len();
        let shift = |r: std::ops::Range<usize>| r.start + offset..r.end + offset;
        // Both digests at once.
        let (r, v) = (
            digest(buffer, shift(responses)),
            digest(buffer, shift(visits)),
        );
        let digests = match (r.await, v.await) {
            (Some(r), Some(v)) => Some((r, v)),
            _ => None,
        };
        let result = ds
            .try_update_value(|d| {
                let o = admit_frame(d, framed, None, digests)?;
                let key = o.header.key();
                d.merge(name, o).map(|m| (key, m))
            })
            .unwrap_or(Err(Rejection::Empty));
        if result.is_ok() || !quick {
            return result;
        }
    }
}

/// A file checked and merged, to be stored (`store_all`) once the dashboard is drawn.
struct Accepted {
    /// Its place in the results list.
    at: usize,
    key: String,
    name: String,
    buffer: js_sys::ArrayBuffer,
}

/// Stores the files just merged, each sealed, and waits until the browser has them on
/// disk. The places (in the results list) of those it did not keep, and why.
async fn store_all(store: &Store, files: Vec<Accepted>) -> Vec<(usize, StoreError)> {
    let mut writing = Vec::new();
    let mut failed = Vec::new();
    // The next file is sealed (WebCrypto, off this thread) while this one is handed to
    // IndexedDB: two files' copies in memory at a time, not the whole batch's.
    let seal = |f: &Accepted| begin_seal(&store.key, &f.key, &f.buffer);
    let mut next = files.first().map(seal);
    for (i, f) in files.iter().enumerate() {
        let sealing = next.take();
        next = files.get(i + 1).map(seal);
        let started = match sealing {
            Some(Ok(s)) => match s.done().await {
                Ok((iv, sealed)) => store.files.begin_put(&[(&f.key, &f.name, &iv, &sealed)]),
                Err(e) => Err(e),
            },
            Some(Err(e)) => Err(e),
            None => continue,
        };
        match started {
            Ok(p) => writing.push((f.at, p)),
            Err(e) => failed.push((f.at, e)),
        }
    }
    for (at, p) in writing {
        if let Err(e) = p.done().await {
            failed.push((at, e));
        }
    }
    failed
}

/// The keys of every project this browser holds (sealed under its PIN, read now that it
/// is open), and each project's release k.
fn project_keys() -> (
    crate::report::import::Keyring,
    std::collections::HashMap<String, u32>,
) {
    let Ok(kv) = crate::store::local::LocalStore::open() else {
        return Default::default();
    };
    let book = crate::store::ProjectBook::new(kv);
    let ks = book
        .list()
        .map(|(ps, _)| ps.into_iter().map(|p| (p.id, p.k)).collect())
        .unwrap_or_default();
    (book.keyring().unwrap_or_default(), ks)
}

/// An empty dataset that opens the files of the projects this browser holds.
fn fresh_dataset() -> Dataset {
    let (keys, release_k) = project_keys();
    let mut d = Dataset::with_keys(keys);
    d.release_k = release_k;
    d
}

/// The workspace's files and the key they are sealed with.
#[derive(Clone)]
struct Store {
    files: WorkspaceStore,
    key: web_sys::CryptoKey,
}

impl Store {
    /// The database and the file key (made on first use; the device is unlocked here).
    async fn open() -> Result<Store, StoreError> {
        let files = WorkspaceStore::open().await?;
        let kv = crate::store::local::LocalStore::open()?;
        let key = crate::store::workspace::file_key(&kv).await?;
        Ok(Store { files, key })
    }
}

/// Stores a file, sealed under its identity `id`.
async fn put(
    store: &Store,
    id: &str,
    name: &str,
    buffer: &js_sys::ArrayBuffer,
) -> Result<(), StoreError> {
    let (iv, sealed) = begin_seal(&store.key, id, buffer)?.done().await?;
    store
        .files
        .begin_put(&[(id, name, &iv, &sealed)])?
        .done()
        .await
}

/// The dataset rebuilt from every file the store holds; how many stored files do not open
/// (sealed under a key this browser lost in a wipe). A file stored before files were
/// sealed is sealed now.
async fn reopen(
    ds: StoredValue<Dataset, LocalStorage>,
    store: &Store,
    progress: RwSignal<Option<(usize, usize, String)>>,
) -> usize {
    ds.set_value(fresh_dataset());
    let mut unopened = 0;
    if let Ok(files) = store.files.files().await {
        let total = files.len();
        // The next file is opened (WebCrypto, off this thread) while this one is checked.
        let mut next = files.first().map(|f| begin_open(&store.key, f));
        let mut last_breath = now();
        for (i, f) in files.iter().enumerate() {
            let opening = next.take();
            next = files.get(i + 1).map(|f| begin_open(&store.key, f));
            progress.set(Some((i + 1, total, f.name.clone())));
            if now() - last_breath > 100.0 {
                breathe().await;
                last_breath = now();
            }
            let Some(bytes) = (match opening {
                Some(o) => o.await,
                None => None,
            }) else {
                unopened += 1;
                continue;
            };
            let _ = check_and_merge(ds, &f.name, &bytes).await;
            if f.iv.is_none() {
                let _ = put(store, &f.key, &f.name, &bytes).await;
            }
        }
    }
    ds.update_value(Dataset::seal);
    unopened
}

#[component]
pub fn Workspace(lang: Lang) -> impl IntoView {
    let w = move |m: WsMsg| m.get(lang);
    let ds = StoredValue::new_local(fresh_dataset());
    let view_of = StoredValue::new_local(None::<View>);
    let version = RwSignal::new(0u32);
    let store = StoredValue::new_local(None::<Store>);
    let opening = RwSignal::new(true);
    let problem = RwSignal::new(None::<WsMsg>);
    let progress = RwSignal::new(None::<(usize, usize, String)>);
    let saving = RwSignal::new(false);
    // Closing or reloading the tab while files are being stored would lose them: the
    // browser asks first.
    let guard = window_event_listener(leptos::ev::beforeunload, move |e| {
        if saving.get_untracked() {
            e.prevent_default();
        }
    });
    on_cleanup(move || guard.remove());
    let batch = RwSignal::new(0u32);
    let results = RwSignal::new(Vec::<(String, Outcome)>::new());
    let area = RwSignal::new(String::new());
    let worker = RwSignal::new(String::new());
    let confirm_clear = RwSignal::new(false);
    // The coordinator's projects: edited in their panel, read by the indicators.
    let projects = RwSignal::new(super::projects::load().0);
    // The cross-tab: a question (by id) and what its columns are (`area` or a question id).
    let cross_q = RwSignal::new(String::from("top_needs"));
    let cross_by = RwSignal::new(String::from("area"));
    // The survey report: its language once built; the agency and the recommendations the
    // coordinator writes, kept in this browser.
    let report_lang = RwSignal::new(None::<Lang>);
    let chosen_report_lang = RwSignal::new(Lang::Zh);
    let kv = crate::store::local::LocalStore::open().ok();
    let kept = |key: &str| {
        kv.as_ref()
            .and_then(|k| crate::store::KvStore::get(k, key).ok().flatten())
            .unwrap_or_default()
    };
    let agency = RwSignal::new(kept(AGENCY_KEY));
    let recommendations = RwSignal::new(kept(RECOMMENDATIONS_KEY));
    let flags = RwSignal::new(kept(FLAGS_KEY) != "0");
    let keep = move |key: &'static str, text: String| {
        if let Ok(k) = crate::store::local::LocalStore::open() {
            let _ = crate::store::KvStore::set(&k, key, &text);
        }
    };

    // The dashboard's filter: area, worker, and dates (on the completion date).
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let current_filter = move || Filter {
        areas: Some(area.get())
            .filter(|a| !a.is_empty())
            .into_iter()
            .collect(),
        workers: Some(worker.get())
            .filter(|a| !a.is_empty())
            .into_iter()
            .collect(),
        from: Some(from.get()).filter(|d| !d.is_empty()),
        to: Some(to.get()).filter(|d| !d.is_empty()),
        ..Filter::default()
    };

    // The responses the filter selects: computed once per dataset or filter change, read
    // by the dashboard and the cross-tab alike.
    let selected = Memo::new(move |_| {
        version.get();
        let filter = current_filter();
        ds.with_value(|d| {
            view_of.with_value(|v| v.as_ref().map(|v| v.select(d, &filter)).unwrap_or_default())
        })
    });

    // What the dashboard and the cross-tab show, counted and protected together (one
    // disclosure ledger: a count hidden in one is hidden in the other).
    let published = Memo::new(move |_| {
        let mask = selected.get();
        let (q, by) = (cross_q.get(), cross_by.get());
        ds.with_value(|d| {
            view_of.with_value(|v| {
                v.as_ref().map(|v| {
                    let scope = Scope {
                        cross: cross_choice(v, &q, &by),
                        ..Scope::default()
                    };
                    std::sync::Arc::new(Published::new(d, v, &mask, d.k(), scope))
                })
            })
        })
    });

    let rebuild_view = move || {
        let v = ds.with_value(|d| d.main_form().and_then(|f| View::new(d, f)));
        view_of.set_value(v);
        version.update(|v| *v += 1);
    };

    // Open the store and rebuild the dataset from the files it holds.
    wasm_bindgen_futures::spawn_local(async move {
        match Store::open().await {
            Err(_) => problem.set(Some(WsMsg::StorageUnavailable)),
            Ok(s) => {
                if reopen(ds, &s, progress).await > 0 {
                    problem.set(Some(WsMsg::Unopened));
                }
                store.set_value(Some(s));
            }
        }
        progress.set(None);
        opening.set(false);
        rebuild_view();
    });

    let import_files = move |files: Vec<web_sys::File>| {
        wasm_bindgen_futures::spawn_local(async move {
            let Some(s) = store.get_value() else {
                problem.set(Some(WsMsg::StorageUnavailable));
                return;
            };
            results.set(Vec::new());
            batch.update(|b| *b += 1);
            // A project made or its key restored since the screen opened opens its files too.
            let (keys, release_k) = project_keys();
            ds.update_value(|d| {
                d.keys = keys;
                d.release_k = release_k;
            });
            let mut accepted = Vec::new();
            let total = files.len();
            // A file is read from disk while the one before it is checked: the reads are
            // the browser's, off this thread. A file too large is never read at all.
            let read = |f: &web_sys::File| {
                (f.size() <= MAX_FILE_BYTES as f64)
                    .then(|| wasm_bindgen_futures::JsFuture::from(f.array_buffer()))
            };
            let mut next = files.first().and_then(read);
            let mut last_breath = now();
            for (i, f) in files.iter().enumerate() {
                let name = f.name();
                let reading = next.take();
                next = files.get(i + 1).and_then(read);
                progress.set(Some((i + 1, total, name.clone())));
                // Let the page draw the progress line now and then, not after every file.
                if now() - last_breath > 100.0 {
                    breathe().await;
                    last_breath = now();
                }
                let outcome = match reading {
                    // Refused before a byte is read: a 200 MB file never reaches memory.
                    None => Outcome::Result(FileResult::Rejected(Rejection::TooLarge {
                        bytes: f.size() as u64,
                    })),
                    Some(reading) => match reading.await {
                        Ok(buf) => match buf.dyn_into::<js_sys::ArrayBuffer>() {
                            Ok(buf) => match check_and_merge(ds, &name, &buf).await {
                                Ok((key, Merged::Added(e))) => {
                                    accepted.push(Accepted {
                                        at: i,
                                        key,
                                        name: name.clone(),
                                        buffer: buf,
                                    });
                                    Outcome::Result(FileResult::Accepted(e))
                                }
                                Ok((_, Merged::AlreadyImported { name })) => {
                                    Outcome::Result(FileResult::AlreadyImported { name })
                                }
                                Err(r) => Outcome::Result(FileResult::Rejected(r)),
                            },
                            Err(_) => Outcome::Result(FileResult::Rejected(Rejection::Unreadable)),
                        },
                        Err(_) => Outcome::Result(FileResult::Rejected(Rejection::Unreadable)),
                    },
                };
                results.update(|r| r.push((name, outcome)));
            }
            // The results and the dashboard are drawn first; then the files are sealed and
            // stored ("saving…" says so until the browser has them on disk). A file the
            // browser did not keep is taken out again by rebuilding from what it kept, and
            // marked.
            ds.update_value(Dataset::seal);
            progress.set(None);
            rebuild_view();
            saving.set(!accepted.is_empty());
            breathe().await;
            let failed = store_all(&s, accepted).await;
            let lost = !failed.is_empty();
            for (i, err) in failed {
                if err == StoreError::QuotaExceeded {
                    problem.set(Some(WsMsg::StorageFull));
                }
                results.update(|r| r[i].1 = Outcome::NotSaved(err));
            }
            if lost {
                let _ = reopen(ds, &s, progress).await;
                progress.set(None);
                rebuild_view();
            }
            saving.set(false);
        });
    };

    let on_pick = move |ev: leptos::ev::Event| {
        let files = super::browser::picked_files(&ev);
        if !files.is_empty() {
            import_files(files);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let files = super::browser::file_list(ev.data_transfer().and_then(|d| d.files()));
        if !files.is_empty() {
            import_files(files);
        }
    };

    let clear = move |_| {
        if !confirm_clear.get_untracked() {
            confirm_clear.set(true);
            return;
        }
        confirm_clear.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(s) = store.get_value() {
                if s.files.clear().await.is_ok() {
                    ds.set_value(fresh_dataset());
                    results.set(Vec::new());
                    rebuild_view();
                }
            }
        });
    };

    let describe = move |o: &Outcome| -> (String, &'static str) {
        match o {
            Outcome::Result(FileResult::Accepted(e)) => {
                let n = e.added + e.replaced;
                let mut t = lang.pick(
                    format!("已接受：{n} 份问卷"),
                    format!("Accepted ({n} responses)"),
                );
                if e.duplicates > 0 {
                    t.push_str(&lang.pick(
                        format!("，{} 份重复，已跳过", e.duplicates),
                        format!(", {} duplicates skipped", e.duplicates),
                    ));
                }
                if e.header.format_version == 1 {
                    t.push_str(&format!(" — {}", w(WsMsg::OldFormat)));
                }
                (t, "accepted")
            }
            Outcome::Result(FileResult::AlreadyImported { name }) => {
                (format!("{} {name}", w(WsMsg::AlreadyImported)), "duplicate")
            }
            Outcome::Result(FileResult::Rejected(r)) => (
                format!("{}：{}", w(WsMsg::Rejected), r.describe(lang)),
                "rejected",
            ),
            Outcome::NotSaved(_) => (w(WsMsg::NotSaved).to_owned(), "rejected"),
        }
    };

    view! {
        <section class="workspace" data-testid="workspace">
            <h2>{w(WsMsg::Title)}</h2>
            <p class="note">{w(WsMsg::Intro)}</p>
            {move || problem.get().map(|m| view! {
                <p class="banner error" role="alert" data-testid="ws-problem">{w(m)}</p>
            })}
            <p class="note" role="status" hidden=move || !opening.get()>{w(WsMsg::Opening)}</p>
            <super::projects::Projects lang=lang projects=projects />
            <h3>{w(WsMsg::Import)}</h3>
            <p class="note">{w(WsMsg::ImportHelp)}</p>
            <div class="drop" data-testid="ws-drop"
                on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop>
                <label class="button">
                    {w(WsMsg::Import)}
                    <input type="file" multiple accept=".json,application/json" data-testid="ws-import"
                        disabled=move || opening.get() on:change=on_pick />
                </label>
                <span class="note">{w(WsMsg::Drop)}</span>
            </div>
            <p role="status" class="note" data-testid="ws-saving" hidden=move || !saving.get()>{w(WsMsg::Saving)}</p>
            <p role="status" data-testid="ws-progress">
                {move || progress.get().map(|(i, n, name)| {
                    format!("{} {i}/{n}: {name}", w(WsMsg::Checking))
                })}
            </p>
            <ul class="ws-results" data-testid="ws-results">
                // Keyed by batch, place and outcome: a new batch, or a file found unsaved
                // after all, draws its line again.
                <For
                    each=move || {
                        let b = batch.get();
                        results.get().into_iter().enumerate().map(move |(i, r)| (b, i, r))
                    }
                    key=|(b, i, (_, o))| format!("{b}-{i}-{}", describe_class(o))
                    let:((_, _, (name, o)))
                >
                    {
                        let (text, class) = describe(&o);
                        view! {
                            <li class=class data-testid="ws-result" data-outcome=class>
                                <strong>{name}</strong>" "{text}
                            </li>
                        }
                    }
                </For>
            </ul>
            {move || {
                version.get();
                ds.with_value(|d| totals(d, lang))
            }}
            {move || {
                let p = published.get()?;
                ds.with_value(|d| view_of.with_value(|v| v.as_ref().map(|v| {
                    dashboard(d, v, &p, lang, [area, worker, from, to])
                })))
            }}
            {move || {
                version.get();
                ds.with_value(|d| (!d.is_empty()).then(|| projects.with(|ps| indicators_view(d, ps, lang))))
            }}
            {move || {
                let p = published.get()?;
                view_of.with_value(|v| v.as_ref().map(|v| {
                    crosstab_view(v, &p, lang, cross_q, cross_by)
                }))
            }}
            <section class="ws-report-actions" hidden=move || { version.get(); ds.with_value(Dataset::is_empty) }>
                <h3>{w(WsMsg::Report)}</h3>
                <p class="note">{w(WsMsg::ReportHelp)}</p>
                <p class="actions">
                    <select data-testid="ws-report-lang" on:change=move |ev| {
                        chosen_report_lang.set(if event_target_value(&ev) == "en" { Lang::En } else { Lang::Zh })
                    }>
                        <option value="zh-CN">"中文"</option>
                        <option value="en">"English"</option>
                    </select>
                    <button class="button" data-testid="ws-build-report"
                        on:click=move |_| report_lang.set(Some(chosen_report_lang.get_untracked()))>
                        {w(WsMsg::BuildReport)}
                    </button>
                    <button class="button" data-testid="ws-print" hidden=move || report_lang.get().is_none()
                        on:click=|_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>
                        {w(WsMsg::Print)}
                    </button>
                </p>
            </section>
            {move || {
                version.get();
                flags.track();
                report_lang.get().and_then(|rl| {
                    ds.with_value(|d| view_of.with_value(|v| v.as_ref().map(|v| {
                        report_view(d, v, rl, agency, recommendations, flags, keep)
                    })))
                })
            }}
            <section class="ws-downloads" hidden=move || { version.get(); ds.with_value(Dataset::is_empty) }>
                <h3>{w(WsMsg::Download)}</h3>
                <p class="note">{w(WsMsg::DownloadHelp)}</p>
                <p class="actions">
                    <button class="button" data-testid="ws-download-ndjson" on:click=move |_| offer(ds, "ndjson", lang)>"NDJSON"</button>
                    <button class="button" data-testid="ws-download-json" on:click=move |_| offer(ds, "json", lang)>"JSON"</button>
                    <button class="button" data-testid="ws-download-csv" on:click=move |_| offer(ds, "csv", lang)>"CSV"</button>
                    <button class="button" data-testid="ws-download-codebook" on:click=move |_| offer(ds, "codebook", lang)>{w(WsMsg::Codebook)}</button>
                </p>
            </section>
            <div hidden=move || { version.get(); ds.with_value(Dataset::is_empty) }>
                <super::release::ReleasePanel ds=ds version=version lang=lang />
            </div>
            <p>
                <button class="button danger" data-testid="ws-clear" on:click=clear>{w(WsMsg::Clear)}</button>
            </p>
            <p class="banner" role="alert" hidden=move || !confirm_clear.get()>{w(WsMsg::ClearConfirm)}</p>
        </section>
    }
}

/// Offers the merged dataset as a file: NDJSON (for DuckDB or Spark), JSON, or CSV of the
/// most used form with its codebook.
fn offer(ds: StoredValue<Dataset, LocalStorage>, kind: &str, lang: Lang) {
    use crate::report::merged;
    let date = chrono::Local::now().format("%Y-%m-%d").to_string();
    let (name, text, mime) = ds.with_value(|d| {
        let form = d.main_form().unwrap_or_default();
        let csvs = || merged::csv(d, form).unwrap_or_default();
        match kind {
            "ndjson" => (
                format!("doorstep-merged-{date}.ndjson"),
                merged::ndjson(d),
                "application/x-ndjson",
            ),
            "json" => (
                format!("doorstep-merged-{date}.json"),
                merged::json_document(d),
                "application/json",
            ),
            "csv" => (
                format!("doorstep-merged-{form}-{date}.csv"),
                csvs().0,
                "text/csv;charset=utf-8",
            ),
            _ => (
                format!("doorstep-merged-{form}-codebook.csv"),
                csvs().1,
                "text/csv;charset=utf-8",
            ),
        }
    });
    if !super::browser::download(&name, &text, mime) {
        if let Some(w) = web_sys::window() {
            let _ = w.alert_with_message(WsMsg::DownloadFailed.get(lang));
        }
    }
}

/// Visits and completed surveys against the targets of the data's project (the
/// coordinator's, where this browser has it, else this device's), per worker and month.
fn indicators_view(d: &Dataset, projects: &[crate::export::Project], lang: Lang) -> impl IntoView {
    use crate::visits::indicators::Measure as Goal;
    let w = move |m: WsMsg| m.get(lang);
    let i = crate::report::indicators::indicators(d);
    let (targets, from_project) =
        super::projects::targets_for(projects, d.project_of().map(|(id, _)| id));
    let goal = |m: Goal| targets.iter().find(|t| t.measure == m).map(|t| t.goal);
    let bar = |n: u32, goal: Option<u32>| {
        goal.map(|g| {
            let pct = if g == 0 {
                100.0
            } else {
                (f64::from(n) * 100.0 / f64::from(g)).min(100.0)
            };
            view! {
                <span class="note">" / "{g}" ("{format!("{pct:.0}%")}")"</span>
                <progress max="100" value=format!("{pct:.0}")></progress>
            }
        })
    };
    let rows = |m: &std::collections::BTreeMap<String, crate::report::indicators::Pair>| {
        m.iter()
            .map(|(k, p)| view! { <tr><th scope="row">{k.clone()}</th><td class="n">{p.visits}</td><td class="n">{p.surveys}</td></tr> })
            .collect_view()
    };
    view! {
        <section class="ws-indicators" data-testid="ws-indicators">
            <h3>{w(WsMsg::Indicators)}</h3>
            <p class="note" hidden=!from_project data-testid="ws-indicator-project">
                {crate::i18n::projects::PrMsg::Used.get(lang)}
            </p>
            <p data-testid="ws-indicator-visits">
                <strong>{w(WsMsg::Visits)}": "</strong>{i.total.visits}{bar(i.total.visits, goal(Goal::Visits))}
            </p>
            <p data-testid="ws-indicator-surveys">
                <strong>{w(WsMsg::Surveys)}": "</strong>{i.total.surveys}{bar(i.total.surveys, goal(Goal::CompletedSurveys))}
            </p>
            <div class="ws-tables">
                <table class="ws-dist">
                    <thead><tr><th>{w(WsMsg::Worker)}</th><th>{w(WsMsg::Visits)}</th><th>{w(WsMsg::Surveys)}</th></tr></thead>
                    <tbody>{rows(&i.by_worker)}</tbody>
                </table>
                <table class="ws-dist">
                    <thead><tr><th>{w(WsMsg::Month)}</th><th>{w(WsMsg::Visits)}</th><th>{w(WsMsg::Surveys)}</th></tr></thead>
                    <tbody>{rows(&i.by_month)}</tbody>
                </table>
            </div>
        </section>
    }
}

fn totals(d: &Dataset, lang: Lang) -> impl IntoView {
    let w = move |m: WsMsg| m.get(lang);
    let workers = d.distinct(&d.worker);
    let areas = d.distinct(&d.area);
    let project = d
        .project
        .as_ref()
        .map(|p| format!("{}（{}）", p.name, p.community));
    let cells = [
        (WsMsg::Files, d.files.len(), "files"),
        (WsMsg::Responses, d.len(), "responses"),
        (WsMsg::Workers, workers.len(), "workers"),
        (WsMsg::Areas, areas.len(), "areas"),
        (WsMsg::Visits, d.visits.len(), "visits"),
    ];
    view! {
        <div class="ws-totals" data-testid="ws-totals">
            {project.map(|p| view! { <p><strong>{w(WsMsg::Project)}": "</strong>{p}</p> })}
            <dl>
                {cells.into_iter().map(|(m, n, id)| view! {
                    <div><dt>{w(m)}</dt><dd data-testid=format!("ws-total-{id}")>{n}</dd></div>
                }).collect_view()}
            </dl>
            {(d.files.is_empty()).then(|| view! { <p class="note">{w(WsMsg::Empty)}</p> })}
        </div>
    }
}
