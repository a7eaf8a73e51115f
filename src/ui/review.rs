//! Check and finish (`#/r/<id>/review`, in the worker module): every problem in the
//! response, each a link to its question; "mark as completed" once there are none; a
//! completed one can be reopened or handed back.
//!
//! A module screen, fetched on first use (the service worker keeps it offline): it is
//! opened once per survey, and keeping it out of the first load made room for the
//! encryption the first load must carry. It reads the response afresh and saves through
//! the same `ResponseStore::save` as the survey screen, so a change made in another tab
//! since is refused and said, never overwritten.

use super::browser;
use crate::i18n::messages::issue;
use crate::i18n::review::{completed_at, ReviewMsg as R};
use crate::i18n::{Lang, Msg};
use crate::response::{validate_response, Status};
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::{FormStore, OpenResponse, ResponseStore, SaveError, StoreError};
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn Review(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: Msg| m.get(lang);
    let id = match Route::parse(&browser::location_hash()) {
        Route::Review { id } => id,
        _ => String::new(),
    };
    let Ok(store) = ResponseStore::open(kv.clone()) else {
        return not_found(lang, false).into_any();
    };
    let Some(opened) = store.open_response(&id).ok().flatten() else {
        return not_found(lang, false).into_any();
    };
    let Some(form) = FormStore::new(&kv)
        .find(&opened.response.form, opened.response.form_version)
        .ok()
        .flatten()
        .map(|f| Arc::new(f.into_owned()))
    else {
        return not_found(lang, true).into_any();
    };
    let store = StoredValue::new_local(store);
    let open = RwSignal::new_local(opened);
    let error = RwSignal::new(None::<&'static str>);
    let today = browser::now().get(..10).unwrap_or("").to_owned();
    let issues = {
        let form = form.clone();
        Memo::new(move |_| {
            open.with(|o| {
                let logic = crate::response::logic::Logic::evaluate(&form, &o.response, &today);
                validate_response(&form, &o.response, &logic)
            })
        })
    };
    // Completes or reopens, and saves; on any failure the screen shows what storage
    // holds, and why it was not saved.
    let set_status = {
        let form = form.clone();
        move |complete: bool| -> bool {
            let mut next: OpenResponse = open.get_untracked();
            if complete {
                if next.response.complete(&form, browser::now()).is_err() {
                    return false;
                }
            } else {
                next.response.reopen();
            }
            let saved = store.with_value(|s| s.save(&mut next, &browser::now()));
            error.set(match saved {
                Ok(()) => None,
                Err(SaveError::Store(StoreError::QuotaExceeded)) => Some(t(Msg::NotSavedFull)),
                Err(SaveError::Conflict(_)) => Some(t(Msg::ConflictChanged)),
                Err(_) => Some(t(Msg::NotSavedOther)),
            });
            let ok = error.get_untracked().is_none();
            if ok {
                open.set(next);
            }
            ok
        }
    };
    let complete = {
        let set_status = set_status.clone();
        move |_| {
            if set_status(true) {
                browser::set_hash(&Route::List.to_hash());
            }
        }
    };
    let reopen = move |_| {
        set_status(false);
    };
    let status = move || open.with(|o| (o.response.status, o.response.completed.clone()));
    let list = {
        let (form, id) = (form.clone(), id.clone());
        move || {
            issues
                .get()
                .into_iter()
                .map(|i| {
                    let title = form
                        .question(&i.question)
                        .map(|q| q.label.get(lang).to_owned())
                        .unwrap_or_default();
                    let section = form.sections[i.section].title.get(lang).to_owned();
                    let href = Route::Question {
                        id: id.clone(),
                        section: i.section,
                        question: i.question.clone(),
                    }
                    .to_hash();
                    view! {
                        <li data-testid="review-issue" data-qid=i.question.clone()>
                            <a href=href>{section}" · "{title}</a>
                            <span class="error">{issue(lang, &i.kind)}</span>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let hand_back = Route::HandBack { id: id.clone() }.to_hash();
    request_animation_frame(|| {
        browser::focus_by_id("review-title");
    });
    view! {
        <section class="review">
            <h1 id="review-title" tabindex="-1">{R::Review.get(lang)}</h1>
            {move || error.get().map(|text| view! {
                <div class="banner error" role="alert" data-testid="save-error">{text}</div>
            })}
            {move || match status() {
                (Status::Completed, at) => view! {
                    <p class="banner info" data-testid="completed-at">
                        {completed_at(lang, &browser::short_time(&at.unwrap_or_default()))}
                    </p>
                    <button data-testid="reopen" on:click=reopen.clone()>{t(Msg::Reopen)}</button>
                    <a class="button" href=hand_back.clone() data-testid="hand-back">{R::HandBack.get(lang)}</a>
                }
                .into_any(),
                _ => view! {
                    <p hidden=move || !issues.with(Vec::is_empty) data-testid="review-ok">{R::AllAnswered.get(lang)}</p>
                    <div hidden=move || issues.with(Vec::is_empty)>
                        <p>{R::NeedsAttention.get(lang)}</p>
                        <ul class="issues" data-testid="review-issues">{list.clone()}</ul>
                    </div>
                    <button class="primary big" data-testid="complete"
                        disabled=move || !issues.with(Vec::is_empty) on:click=complete.clone()>
                        {R::MarkComplete.get(lang)}
                    </button>
                }
                .into_any(),
            }}
            <a class="button" href="#/" data-testid="back-to-list">{t(Msg::BackToList)}</a>
        </section>
    }
    .into_any()
}

/// No such response, or (`missing`) not the form version it was started with.
fn not_found(lang: Lang, missing: bool) -> impl IntoView {
    view! {
        <div class="banner error" role="alert" data-testid="not-found">
            {if missing { Msg::FormMissing } else { Msg::NotFound }.get(lang)}
        </div>
        <a class="button" href="#/" data-testid="back-to-list">{Msg::BackToList.get(lang)}</a>
    }
}
