//! Home screen: every response on this device, storage use, and "New survey".

use super::app::{create_response, use_app};
use super::browser;
use crate::form::builtin_form;
use crate::i18n::messages::{answered_of, damaged_entries, more_rows, storage_share};
use crate::i18n::Msg;
use crate::response::Status;
use crate::route::Route;
use crate::store::{KvStore, StoreError, Summary, QUOTA_CHARS};
use leptos::prelude::*;

/// Rows drawn at first, and added by each "show more".
const PAGE: usize = 100;

/// Share of the quota above which the list warns that storage is nearly full.
const WARN_SHARE: f64 = 0.8;

#[component]
pub fn ResponseList() -> impl IntoView {
    let state = use_app();
    // Re-read when another tab changed storage or this screen deleted something.
    let reload = RwSignal::new(0u32);
    let listing = Memo::new(move |_| {
        state.storage_tick.get();
        reload.get();
        state
            .with_store(|s| s.list(|id, v| super::forms::resolve(state, id, v)))
            .unwrap_or(Ok((Vec::new(), Vec::new())))
            .map_err(|e| e.to_string())
    });
    let used = Memo::new(move |_| {
        state.storage_tick.get();
        reload.get();
        state.with_store(|s| s.kv().chars_used().ok()).flatten()
    });
    let create_error = RwSignal::new(None::<StoreError>);
    let confirm = RwSignal::new(None::<Summary>);
    let available = move || state.problem.with(Option::is_none);

    let new_survey = move |_| match create_response(state, builtin_form(), None) {
        Ok(id) => state.go(Route::Survey { id, section: 0 }),
        Err(e) => create_error.set(Some(e)),
    };

    // A whole community is ~2,000 responses: draw the newest first, a page at a time.
    let shown = RwSignal::new(PAGE);
    let rows = move || {
        let lang = state.lang.get_untracked();
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
                    .map(|s| view! { <Row summary=s confirm=confirm /> })
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
                    <p class="empty" hidden=!empty>{state.t(Msg::NoResponses)}</p>
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
                    disabled=move || !available()
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
            <StorageUse used=used />
            <p class="note">{state.t(Msg::WhereDataLives)}</p>
            <DeleteDialog confirm=confirm reload=reload />
        </section>
    }
}

#[component]
fn Row(summary: Summary, confirm: RwSignal<Option<Summary>>) -> impl IntoView {
    let state = use_app();
    let lang = state.lang.get_untracked();
    let completed = summary.status == Status::Completed;
    let id = summary.id.clone();
    let place = [&summary.building, &summary.unit, &summary.room]
        .iter()
        .filter_map(|p| p.as_deref())
        .collect::<Vec<_>>()
        .join(" / ");
    let progress = summary.progress;
    let open = move |_| {
        state.go(Route::Survey {
            id: id.clone(),
            section: 0,
        })
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
fn StorageUse(used: Memo<Option<usize>>) -> impl IntoView {
    let state = use_app();
    move || {
        used.get().map(|chars| {
            let share = chars as f64 / QUOTA_CHARS as f64;
            let lang = state.lang.get_untracked();
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
fn DeleteDialog(confirm: RwSignal<Option<Summary>>, reload: RwSignal<u32>) -> impl IntoView {
    let state = use_app();
    let failed = RwSignal::new(false);
    let delete = move |_| {
        if let Some(s) = confirm.get_untracked() {
            let ok = state
                .with_store(|st| st.delete(&s.id).is_ok())
                .unwrap_or(false);
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
