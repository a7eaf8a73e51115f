//! Home screen: every response on this device, storage use, and "New survey". In the
//! worker module (src/bin/worker.rs), which every start loads for the lock screen anyway:
//! the app's first load then carries only the survey.

use super::browser;
use crate::form::builtin_form;
use crate::i18n::messages::{answered_of, damaged_entries, more_rows, storage_share};
use crate::i18n::{Lang, Msg};
use crate::response::Status;
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::{KvStore, ResponseStore, StoreError, Summary, QUOTA_CHARS};
use leptos::prelude::*;

/// Rows drawn at first, and added by each "show more".
const PAGE: usize = 100;

/// Share of the quota above which the list warns that storage is nearly full.
const WARN_SHARE: f64 = 0.8;

/// The list's handles, for its parts.
#[derive(Clone, Copy)]
struct Home {
    lang: Lang,
    /// Opened once for the screen's life.
    store: StoredValue<Option<ResponseStore<LocalStore>>, LocalStorage>,
}

impl Home {
    fn t(&self, m: Msg) -> &'static str {
        m.get(self.lang)
    }
}

/// `store` is `None` where the browser refuses storage (the app's banner says why): no
/// list then, and no new survey, rather than an empty list that says there are none.
#[component]
pub fn ResponseList(lang: Lang, store: Option<ResponseStore<LocalStore>>) -> impl IntoView {
    let available = store.is_some();
    let state = Home {
        lang,
        store: StoredValue::new_local(store),
    };
    // Re-read when another tab changed storage (at most twice a second: a tab typing
    // writes on every keystroke) or this screen deleted something.
    let reload = RwSignal::new(0u32);
    let pending = StoredValue::new(false);
    let on_storage = window_event_listener(leptos::ev::storage, move |e| {
        let ours = e.key().is_none_or(|k| k.starts_with(crate::store::PREFIX));
        if ours && !pending.get_value() {
            pending.set_value(true);
            set_timeout(
                move || {
                    pending.set_value(false);
                    reload.update(|r| *r += 1);
                },
                std::time::Duration::from_millis(500),
            );
        }
    });
    on_cleanup(move || on_storage.remove());
    let listing = Memo::new(move |_| {
        reload.get();
        state
            .store
            .with_value(|s| {
                s.as_ref()
                    .map(|s| s.list(|id, v| super::forms::resolve_in(s.kv(), id, v)))
            })
            .unwrap_or(Ok((Vec::new(), Vec::new())))
            .map_err(|e| e.to_string())
    });
    let used = Memo::new(move |_| {
        reload.get();
        state
            .store
            .with_value(|s| s.as_ref().and_then(|s| s.kv().chars_used().ok()))
    });
    let create_error = RwSignal::new(None::<StoreError>);
    let confirm = RwSignal::new(None::<Summary>);

    let new_survey = move |_| {
        let created = state.store.with_value(|s| match s {
            Some(s) => super::forms::new_response(s.kv(), builtin_form(), None),
            None => Err(StoreError::Unavailable(String::new())),
        });
        match created {
            Ok(id) => browser::set_hash(&Route::Survey { id, section: 0 }.to_hash()),
            Err(e) => create_error.set(Some(e)),
        }
    };

    // A whole community is ~2,000 responses: draw the newest first, a page at a time.
    let shown = RwSignal::new(PAGE);
    let rows = move || {
        let lang = state.lang;
        match listing.get() {
            Ok((summaries, damaged)) => {
                let empty = summaries.is_empty();
                let damaged_note = (!damaged.is_empty()).then(|| {
                    view! {
                        <p class="banner warn" data-testid="damaged">
                            {damaged_entries(lang, damaged.len())}
                        </p>
                    }
                });
                let total = summaries.len();
                let limit = shown.get();
                let items = summaries
                    .into_iter()
                    .take(limit)
                    .map(|s| view! { <Row state=state summary=s confirm=confirm /> })
                    .collect_view();
                let more = (total > limit).then(|| {
                    view! {
                        <button class="more" data-testid="show-more"
                            on:click=move |_| shown.update(|n| *n += PAGE)>
                            {more_rows(lang, total - limit)}
                        </button>
                    }
                });
                view! {
                    {damaged_note}
                    // Without storage (the banner above says why) "none yet" would be false.
                    <p class="empty" hidden=!empty || !available>{state.t(Msg::NoResponses)}</p>
                    <ul class="responses" data-testid="response-list">{items}</ul>
                    {more}
                }
                .into_any()
            }
            Err(e) => {
                leptos::logging::warn!("listing responses: {e}");
                view! { <p class="banner error" role="alert">{state.t(Msg::NotSavedOther)}</p> }
                    .into_any()
            }
        }
    };

    view! {
        <section class="list-screen">
            <div class="list-head">
                <h1>{state.t(Msg::Responses)}</h1>
                <button
                    class="primary big"
                    data-testid="new-survey"
                    disabled=!available
                    on:click=new_survey
                >
                    {state.t(Msg::NewSurvey)}
                </button>
                <a class="button" href="#/visits" data-testid="visits-link">{state.t(Msg::Visits)}</a>
                <a class="button" href="#/forms" data-testid="form-library">{state.t(Msg::FormLibrary)}</a>
                <a class="button" href="#/export" data-testid="export-link">{state.t(Msg::Export)}</a>
                <a class="button" href="#/workspace" data-testid="workspace-link">{state.t(Msg::Workspace)}</a>
                <a class="button" href="#/receive" data-testid="receive-link">{state.t(Msg::Receive)}</a>
            </div>
            {move || {
                create_error
                    .get()
                    .map(|e| {
                        let text = match e {
                            StoreError::QuotaExceeded => state.t(Msg::NotSavedFull),
                            _ => state.t(Msg::NotSavedOther),
                        };
                        view! { <p class="banner error" role="alert" data-testid="save-error">{text}</p> }
                    })
            }}
            {rows}
            // The backup, offered plainly at the end of the day (src/ui/backup.rs).
            {state.store.with_value(|s| s.as_ref().map(|s| s.kv().clone())).map(|kv| {
                let updated = Signal::derive(move || {
                    listing.with(|l| {
                        l.as_ref()
                            .map(|(s, _)| s.iter().map(|s| s.updated.clone()).collect())
                            .unwrap_or_default()
                    })
                });
                view! { <super::backup::BackupOffer lang=lang kv=kv updated=updated /> }
            })}
            <StorageUse state=state used=used />
            <p class="note">{state.t(Msg::WhereDataLives)}</p>
            <DeleteDialog state=state confirm=confirm reload=reload />
        </section>
    }
}

#[component]
fn Row(state: Home, summary: Summary, confirm: RwSignal<Option<Summary>>) -> impl IntoView {
    let lang = state.lang;
    let completed = summary.status == Status::Completed;
    let id = summary.id.clone();
    let place = [&summary.building, &summary.unit, &summary.room]
        .iter()
        .filter_map(|p| p.as_deref())
        .collect::<Vec<_>>()
        .join(" / ");
    let progress = summary.progress;
    let open = move |_| {
        browser::set_hash(
            &Route::Survey {
                id: id.clone(),
                section: 0,
            }
            .to_hash(),
        )
    };
    let s = summary.clone();
    view! {
        <li class="response" data-testid="response-row" data-id=summary.id.clone()
            data-status=if completed { "completed" } else { "draft" }>
            <div class="who">
                <span class=if completed { "status done" } else { "status draft" } data-testid="status">
                    {state.t(if completed { Msg::Completed } else { Msg::Draft })}
                </span>
                <span class="place" data-testid="place">{if place.is_empty() { "—".to_owned() } else { place }}</span>
            </div>
            <div class="when">
                {state.t(Msg::Started)}" "{browser::short_time(&summary.started)}
            </div>
            <div class="progress-cell">
                <meter min="0" max=progress.total.to_string() value=progress.answered.to_string()
                    aria-hidden="true"></meter>
                <span data-testid="row-progress">{answered_of(lang, progress.answered, progress.total)}</span>
            </div>
            <div class="actions">
                <button class="primary" data-testid="resume" on:click=open>
                    {state.t(if completed { Msg::Open } else { Msg::Resume })}
                </button>
                <button class="danger" data-testid="delete" on:click=move |_| confirm.set(Some(s.clone()))>
                    {state.t(Msg::Delete)}
                </button>
            </div>
        </li>
    }
}

#[component]
fn StorageUse(state: Home, used: Memo<Option<usize>>) -> impl IntoView {
    move || {
        used.get().map(|chars| {
            let share = chars as f64 / QUOTA_CHARS as f64;
            let lang = state.lang;
            view! {
                <div class="storage" data-testid="storage-usage">
                    <label for="storage-meter">{state.t(Msg::StorageUsed)}</label>
                    <meter id="storage-meter" min="0" max="1" low="0.6" high=crate::form::number_text(WARN_SHARE)
                        optimum="0" value=crate::form::number_text(share)></meter>
                    <span>{storage_share(lang, share * 100.0, chars)}</span>
                </div>
                <p class="banner warn" data-testid="storage-warning" hidden=share < WARN_SHARE>
                    {state.t(Msg::StorageNearlyFull)}
                </p>
            }
        })
    }
}

#[component]
fn DeleteDialog(
    state: Home,
    confirm: RwSignal<Option<Summary>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let failed = RwSignal::new(false);
    let delete = move |_| {
        if let Some(s) = confirm.get_untracked() {
            let ok = state
                .store
                .with_value(|st| st.as_ref().is_some_and(|st| st.delete(&s.id).is_ok()));
            failed.set(!ok);
            if ok {
                confirm.set(None);
                reload.update(|r| *r += 1);
            }
        }
    };
    // Focus the safe choice when the dialog opens; Escape cancels.
    Effect::new(move |_| {
        if confirm.with(Option::is_some) {
            failed.set(false);
            request_animation_frame(|| {
                browser::focus_by_id("cancel-delete");
            });
        }
    });
    let on_key = window_event_listener(leptos::ev::keydown, move |e| {
        if e.key() == "Escape" && confirm.with_untracked(Option::is_some) {
            confirm.set(None);
        }
    });
    on_cleanup(move || on_key.remove());
    move || {
        confirm.get().map(|s| {
            let place = [s.building.clone(), s.unit.clone(), s.room.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" / ");
            view! {
                <div class="scrim">
                    <div class="dialog" role="alertdialog" aria-modal="true"
                        aria-labelledby="del-title" aria-describedby="del-body" data-testid="confirm-dialog">
                        <h2 id="del-title">{state.t(Msg::ConfirmDeleteTitle)}</h2>
                        <p id="del-body">
                            {place}" · "{browser::short_time(&s.started)}<br />
                            {state.t(Msg::ConfirmDeleteBody)}
                        </p>
                        <p class="banner error" hidden=move || !failed.get()>{state.t(Msg::NotSavedOther)}</p>
                        <div class="dialog-actions">
                            <button id="cancel-delete" data-testid="cancel-delete" on:click=move |_| confirm.set(None)>
                                {state.t(Msg::Cancel)}
                            </button>
                            <button class="danger" data-testid="confirm-delete" on:click=delete>
                                {state.t(Msg::ConfirmDelete)}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
