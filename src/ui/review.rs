//! Check and finish: every problem in the response, each a link to its question; "mark as
//! completed" once there are none.

use super::app::use_app;
use super::survey::{open_survey, ConflictBanner, NotFound, SaveStatus};
use crate::i18n::messages::{completed_at, issue};
use crate::i18n::Msg;
use crate::response::{validate_response, Status};
use crate::route::Route;
use leptos::prelude::*;

#[component]
pub fn Review(id: String) -> impl IntoView {
    let app = use_app();
    let survey = open_survey(app, &id);
    let form = survey.form;
    if survey.open.with_untracked(Option::is_none) {
        return view! { <NotFound missing=survey.form_missing /> }.into_any();
    }
    provide_context(survey);
    let lang = app.lang.get_untracked();
    let issues = Memo::new(move |_| survey.checked(|r, l| validate_response(form, r, l)));
    let status = Memo::new(move |_| {
        survey.open.with(|o| {
            o.as_ref()
                .map(|o| (o.response.status, o.response.completed.clone()))
        })
    });
    // Why a completion was not saved (storage full, another tab…) is shown by SaveStatus
    // and ConflictBanner above, in the same words as on the survey screen.
    let complete = move |_| {
        if survey.set_status(true).is_ok()
            && matches!(
                survey.save.get_untracked(),
                super::survey::SaveState::Saved(_)
            )
        {
            app.go(Route::List);
        }
    };
    let id2 = id.clone();
    let list = move || {
        let l = lang;
        issues
            .get()
            .into_iter()
            .map(|i| {
                let q = form.question(&i.question);
                let title = q.map(|q| q.label.get(l).to_owned()).unwrap_or_default();
                let section = form.sections[i.section].title.get(l).to_owned();
                let href = Route::Question {
                    id: id.clone(),
                    section: i.section,
                    question: i.question.clone(),
                }
                .to_hash();
                view! {
                    <li data-testid="review-issue" data-qid=i.question.clone()>
                        <a href=href>{section}" · "{title}</a>
                        <span class="error">{issue(l, &i.kind)}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="review">
            <h1 tabindex="-1">{app.t(Msg::Review)}</h1>
            <SaveStatus />
            <ConflictBanner />
            {move || match status.get() {
                Some((Status::Completed, at)) => view! {
                    <p class="banner info" data-testid="completed-at">
                        {completed_at(lang, &super::browser::short_time(&at.unwrap_or_default()))}
                    </p>
                    <button data-testid="reopen" on:click=move |_| { let _ = survey.set_status(false); }>
                        {app.t(Msg::Reopen)}
                    </button>
                    <a class="button" href=Route::HandBack { id: id2.clone() }.to_hash() data-testid="hand-back">
                        {app.t(Msg::HandBack)}
                    </a>
                }
                .into_any(),
                _ => view! {
                    <p hidden=move || !issues.with(Vec::is_empty) data-testid="review-ok">{app.t(Msg::AllAnswered)}</p>
                    <div hidden=move || issues.with(Vec::is_empty)>
                        <p>{app.t(Msg::NeedsAttention)}</p>
                        <ul class="issues" data-testid="review-issues">{list.clone()}</ul>
                    </div>

                    <button class="primary big" data-testid="complete"
                        disabled=move || !issues.with(Vec::is_empty) on:click=complete>
                        {app.t(Msg::MarkComplete)}
                    </button>
                }
                .into_any(),
            }}
            <a class="button" href="#/" data-testid="back-to-list">{app.t(Msg::BackToList)}</a>
        </section>
    }
    .into_any()
}
