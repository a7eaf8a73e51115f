//! The survey runner: one section per screen, answers saved the moment they change.

use super::app::{use_app, AppState};
use super::browser;
use super::question::{At, QuestionView};
use crate::form::plan::Plan;
use crate::form::{builtin_form, Form};
use crate::handover::{self, for_resident};
use crate::i18n::messages::{answered_of, issue_count, section_of};
use crate::i18n::Msg;
use crate::response::logic::Logic;
use crate::response::{
    path, progress, section_progress, validate_section, Response, Scope, Status, Value,
};
use crate::route::Route;
use crate::store::{OpenResponse, Recovered, SaveError, StoreError};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// What the last save did, shown beside the progress.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    Idle,
    /// Written at this time, as the journal's change number (on disk once the journal's
    /// `durable` reaches it: `super::journal::on_disk`) and the response's revision.
    Saved(String, f64, u64),
    Full,
    Failed,
    /// A newer version of the app changed the storage format: this tab must reload.
    Outdated,
    /// This tab had nothing unsaved and took another tab's newer answers.
    Synced,
    /// Another tab changed (`Some`) or deleted (`None`) this response: saving paused.
    Conflict(Option<Box<Response>>),
}

/// The open response and everything its screens share. `Copy`: handles only.
#[derive(Clone, Copy)]
pub struct Survey {
    pub form: &'static Form,
    pub app: AppState,
    pub open: RwSignal<Option<OpenResponse>>,
    /// Skip logic and calculations of the open response: evaluated whole when it opens,
    /// then on each change only what the change reaches (`Logic::update`).
    pub logic: RwSignal<Logic>,
    /// Bumped when the response is replaced from outside (the other tab's version was
    /// loaded): text boxes, which are not re-rendered on every keystroke, then start afresh.
    pub generation: RwSignal<u32>,
    pub save: RwSignal<SaveState>,
    /// Questions whose answer changed on this screen: their problems are shown at once.
    pub touched: RwSignal<BTreeSet<String>>,
    /// After "Next" was refused, every problem of the section is shown.
    pub show_all: RwSignal<bool>,
    /// The response's form version is not on this device.
    pub form_missing: bool,
}

impl Survey {
    /// Completed responses are read-only until reopened.
    pub fn completed(&self) -> bool {
        self.open.with(|o| {
            o.as_ref()
                .is_none_or(|o| o.response.status == Status::Completed)
        })
    }

    /// No editing while completed, or while another tab's change waits for the user's
    /// choice (an edit then could be neither saved nor safely kept).
    pub fn readonly(&self) -> bool {
        self.completed() || self.save.with(|s| matches!(s, SaveState::Conflict(_)))
    }

    /// `f` over the open response and its skip logic, both read reactively; the default
    /// when no response is open.
    pub fn checked<T: Default>(&self, f: impl FnOnce(&Response, &Logic) -> T) -> T {
        self.open.with(|o| {
            o.as_ref()
                .map(|o| self.logic.with(|l| f(&o.response, l)))
                .unwrap_or_default()
        })
    }

    pub fn answer_in(&self, scope: &Scope, qid: &str) -> Option<Value> {
        self.open.with(|o| {
            o.as_ref()
                .and_then(|o| o.response.answer_in(scope, qid).cloned())
        })
    }

    pub fn other_text_in(&self, scope: &Scope, qid: &str) -> String {
        self.open.with(|o| {
            o.as_ref()
                .and_then(|o| o.response.other_in(scope, qid).cloned())
                .unwrap_or_default()
        })
    }

    /// Records one answer (in the repeat item `scope` points at) and saves at once.
    pub fn set_answer_in(&self, scope: &Scope, qid: &str, value: Option<Value>) {
        self.edit(&path(scope, qid), Changed::Answer(qid), |r| {
            r.set_answer_in(scope, qid, value)
        });
    }

    pub fn set_other_in(&self, scope: &Scope, qid: &str, text: &str) {
        self.edit(&path(scope, qid), Changed::Answer(qid), |r| {
            r.set_other_in(scope, qid, text)
        });
    }

    /// Adds, removes or moves items of `repeat`; saved like any answer.
    pub fn change_items(
        &self,
        repeat_path: &str,
        repeat: &str,
        change: impl FnOnce(&mut Response),
    ) {
        self.edit(repeat_path, Changed::Items(repeat), change);
    }

    /// Evaluates the skip logic of the open response whole: when it was replaced.
    pub fn refresh_logic(&self) {
        let form = self.form;
        let today = browser::now().get(..10).unwrap_or("").to_owned();
        let fresh = self.open.with_untracked(|o| {
            o.as_ref().map(|o| {
                let plan = self.logic.with_untracked(|l| l.plan().clone());
                Logic::with_plan(plan, form, &o.response, &today)
            })
        });
        self.logic.set(fresh.unwrap_or_default());
    }

    /// Applies one change to the open response and saves it; `touched` is the path of
    /// the question changed, whose problems are shown from now on.
    fn edit(&self, touched: &str, changed: Changed, change: impl FnOnce(&mut Response)) {
        if self.readonly() {
            return;
        }
        self.touched.update(|t| {
            t.insert(touched.to_owned());
        });
        let mut outcome = None;
        let form = self.form;
        self.open.update(|o| {
            let Some(o) = o else { return };
            change(&mut o.response);
            // Skip logic follows the change, then calculated fields are written into the
            // response, all in the same save.
            // The screens hear of it only when the skip logic or a calculation changed:
            // most answers change neither.
            let mut moved = false;
            self.logic.update_untracked(|l| {
                match changed {
                    Changed::Answer(qid) => l.update(form, &o.response, &[qid]),
                    Changed::Items(repeat) => l.update_items(form, &o.response, repeat),
                };
                l.settle(form, &mut o.response);
                moved = l.take_changed();
            });
            if moved {
                self.logic.notify();
            }
            outcome = self.app.with_store(|s| s.save(o, &browser::now()));
        });
        if let Some(result) = outcome {
            self.after_save(result);
        }
    }

    /// Shows what a save did; keeps an unsaved edit in the tab's scratch store until a save
    /// succeeds, so it survives leaving this screen.
    fn after_save(&self, result: Result<(), SaveError>) {
        self.open.with_untracked(|o| {
            if let Some(o) = o {
                // Not saved (storage full, or a conflict the user is about to resolve):
                // hold the edit.
                self.app.with_scratch(|s, scratch| match &result {
                    Ok(()) => s.clear_unsaved(scratch, &o.response.id),
                    Err(_) => s.stash_unsaved(scratch, o),
                });
            }
        });
        let rev = self
            .open
            .with_untracked(|o| o.as_ref().map_or(0, |o| o.response.rev));
        self.save.set(save_state(result, rev));
    }

    /// The user chose: keep this tab's answers over the other tab's.
    pub fn keep_mine(&self) {
        let mut outcome = None;
        self.open.update(|o| {
            if let Some(o) = o {
                outcome = self.app.with_store(|s| s.overwrite(o, &browser::now()));
            }
        });
        if let Some(result) = outcome {
            self.after_save(result);
        }
    }

    /// The user chose: take the other tab's version, dropping this tab's unsaved edits.
    /// Returns whether a version was loaded.
    pub fn load_theirs(&self) -> bool {
        let id = self
            .open
            .with_untracked(|o| o.as_ref().map(|o| o.response.id.clone()));
        let Some(id) = id else { return false };
        match self.app.with_store(|s| s.open_response(&id)) {
            Some(Ok(Some(fresh))) => {
                self.app
                    .with_scratch(|s, scratch| s.clear_unsaved(scratch, &id));
                self.open.set(Some(fresh));
                self.refresh_logic();
                self.save.set(SaveState::Idle);
                self.generation.update(|g| *g += 1);
                true
            }
            // Deleted there: nothing to load; back to the list.
            Some(Ok(None)) => {
                self.app
                    .with_scratch(|s, scratch| s.clear_unsaved(scratch, &id));
                self.app.go(Route::List);
                false
            }
            _ => {
                self.save.set(SaveState::Failed);
                false
            }
        }
    }

    /// Back to draft (a completed response the worker wants to change); saved at once.
    /// (Completing is the review screen's, in the worker module.)
    pub fn reopen(&self) {
        let mut outcome = None;
        self.open.update(|o| {
            if let Some(o) = o {
                o.response.reopen();
                outcome = self.app.with_store(|s| s.save(o, &browser::now()));
            }
        });
        if let Some(r) = outcome {
            self.after_save(r);
        }
    }
}

/// What an edit changed, for the skip logic to re-evaluate only what depends on it.
#[derive(Clone, Copy)]
enum Changed<'a> {
    Answer(&'a str),
    Items(&'a str),
}

fn save_state(result: Result<(), SaveError>, rev: u64) -> SaveState {
    match result {
        Ok(()) => SaveState::Saved(browser::now(), crate::store::local::last_change(), rev),
        Err(SaveError::Store(StoreError::QuotaExceeded)) => SaveState::Full,
        Err(SaveError::Store(StoreError::NewerSchema(_))) => SaveState::Outdated,
        Err(SaveError::Store(_)) => SaveState::Failed,
        Err(SaveError::Conflict(theirs)) => SaveState::Conflict(theirs),
    }
}

/// The dependency graph of a form, built once per form and page.
fn plan_of(form: &'static Form) -> std::sync::Arc<Plan> {
    thread_local! {
        static PLANS: std::cell::RefCell<Vec<(*const Form, std::sync::Arc<Plan>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    PLANS.with_borrow_mut(|plans| {
        if let Some((_, p)) = plans.iter().find(|(f, _)| std::ptr::eq(*f, form)) {
            return p.clone();
        }
        let p = std::sync::Arc::new(Plan::new(form));
        plans.push((form, p.clone()));
        p
    })
}

/// Opens a response for the survey and review screens, and watches other tabs.
pub fn open_survey(app: AppState, id: &str) -> Survey {
    let mut opened = app
        .with_store(|s| s.open_response(id).ok().flatten())
        .flatten();
    // An edit that could not be saved before waits in the tab's scratch store.
    let mut recovered = Recovered::Nothing;
    if let Some(o) = opened.as_mut() {
        app.with_scratch(|s, scratch| recovered = s.recover_unsaved(scratch, o));
    }
    // The form and version the response was started with; without it nothing can be shown
    // (nor saved), and the screen says which form to import.
    let form = opened
        .as_ref()
        .and_then(|o| super::forms::resolve(app, &o.response.form, o.response.form_version));
    let form_missing = opened.is_some() && form.is_none();
    if form_missing {
        opened = None;
    }
    let form = form.unwrap_or_else(builtin_form);
    let open = RwSignal::new(opened);
    let today = browser::now().get(..10).unwrap_or("").to_owned();
    let logic = RwSignal::new(
        open.with_untracked(|o| {
            o.as_ref()
                .map(|o| Logic::with_plan(plan_of(form), form, &o.response, &today))
        })
        .unwrap_or_default(),
    );
    let survey = Survey {
        form,
        app,
        open,
        logic,
        generation: RwSignal::new(0),
        save: RwSignal::new(SaveState::Idle),
        touched: RwSignal::new(BTreeSet::new()),
        show_all: RwSignal::new(false),
        form_missing,
    };
    if let Recovered::Overtaken(stored) = recovered {
        // Saved over since: the user chooses between the held edit and what is stored.
        survey.save.set(SaveState::Conflict(Some(stored)));
    } else if recovered == Recovered::Restored {
        let mut outcome = None;
        survey.open.update(|o| {
            if let Some(o) = o {
                outcome = app.with_store(|s| s.save(o, &browser::now()));
            }
        });
        if let Some(result) = outcome {
            survey.after_save(result);
        }
    }
    let key = crate::store::response_key(id);
    // Another tab wrote this response. If everything this tab did is saved, nothing can be
    // lost: follow the other tab (and say so). If this tab holds an unsaved change, pause
    // saving and let the user choose. Either way, nothing is overwritten silently.
    let handle = window_event_listener(leptos::ev::storage, move |e| {
        if e.key().as_deref() != Some(key.as_str()) {
            return;
        }
        let ours = survey
            .open
            .with_untracked(|o| o.as_ref().map(|o| o.stored_json().to_owned()));
        let theirs = e.new_value();
        if theirs.is_some() && theirs == ours {
            return;
        }
        let all_saved = matches!(
            survey.save.get_untracked(),
            SaveState::Idle | SaveState::Saved(..) | SaveState::Synced
        );
        if theirs.is_some() && all_saved {
            if survey.load_theirs() {
                survey.save.set(SaveState::Synced);
            }
            return;
        }
        let parsed = theirs
            .as_deref()
            .and_then(|j| serde_json::from_str::<Response>(j).ok())
            .map(Box::new);
        survey.save.set(SaveState::Conflict(parsed));
    });
    on_cleanup(move || handle.remove());
    survey
}

#[component]
pub fn SurveyScreen(
    id: String,
    section: usize,
    /// A question to bring into view and focus (from the review screen's links).
    #[prop(optional)]
    focus: Option<String>,
) -> impl IntoView {
    let app = use_app();
    let survey = open_survey(app, &id);
    let form = survey.form;
    if survey.open.with_untracked(Option::is_none) {
        return view! { <NotFound missing=survey.form_missing /> }.into_any();
    }
    let section = section.min(form.sections.len() - 1);
    // Handed over (the app's guard made sure it is this response): the resident's sections
    // only, and the end of them is the hand-back screen.
    let handover = app.handover.get_value();
    let handing = handover.is_some();
    if handing && !for_resident(form, section) {
        // Not a place to come back to: the hand-back screen, without remembering it.
        let unlock = Route::Unlock { id: id.clone() };
        request_animation_frame(move || app.go(unlock));
        return view! { <NotFound /> }.into_any();
    }
    provide_context(survey);

    let lang = app.lang.get_untracked();
    let n = form.sections.len();
    let sec = &form.sections[section];
    // Chosen by the worker in the hand-over settings.
    let one = handover.as_ref().is_some_and(|h| h.one_by_one);
    // One question per screen: the questions of this section that take a screen, as the
    // skip logic stands now, and the one shown.
    let steps_of = move |i: usize| {
        handover::steps(&form.sections[i], |q| {
            survey.logic.with_untracked(|l| l.shown(q))
        })
    };
    let current = handover::current_step(&steps_of(section), focus.as_deref());
    let go_step = {
        let id = id.clone();
        move |section: usize, question: &str| {
            app.go(Route::Question {
                id: id.clone(),
                section,
                question: question.to_owned(),
            })
        }
    };
    let go_section = {
        let id = id.clone();
        move |i: usize| {
            app.go(Route::Survey {
                id: id.clone(),
                section: i,
            })
        }
    };
    let overall = Memo::new(move |_| survey.checked(|r, l| progress(form, r, l)));
    let issues = Memo::new(move |_| survey.checked(|r, l| validate_section(form, section, r, l)));

    // Sections hidden by skip logic are stepped over, and so is the worker's while handed over.
    let open_to = move |j: usize| {
        survey.logic.with_untracked(|l| l.section_shown(j)) && (!handing || for_resident(form, j))
    };
    let next_shown = move |from: usize| (from + 1..n).find(|&j| open_to(j));
    // One question per screen: the question after this one in the section, if any.
    let later = move || {
        one.then(|| handover::step_after(&steps_of(section), current))
            .flatten()
    };
    let next = {
        let go_section = go_section.clone();
        let go_step = go_step.clone();
        let id = id.clone();
        move |_| {
            // Problems hold the resident here: those of the section, or in one-by-one mode
            // those of this question (the worker's review shows anything left).
            let problems = issues.get_untracked();
            let holding = problems
                .iter()
                .find(|p| !one || current == p.path.split(['[', '/']).next());
            if let (false, Some(first)) = (survey.readonly(), holding) {
                survey.show_all.set(true);
                // The box itself where there is one; the group otherwise.
                if !browser::focus_by_id(&format!("in-{}", first.question)) {
                    browser::focus_by_id(&format!("q-{}", first.question));
                }
                return;
            }
            match (later(), next_shown(section)) {
                (Some(q), _) => go_step(section, q),
                (None, Some(j)) => go_section(j),
                (None, None) if handing => app.hand_back(),
                (None, None) => app.go(Route::Review { id: id.clone() }),
            }
        }
    };
    let first_open = (0..n).find(|&j| open_to(j)).unwrap_or(0);
    // Nothing before: the first open section, at its first question in one-by-one mode.
    let at_start = section <= first_open
        && (!one || handover::step_before(&steps_of(section), current).is_none());
    let prev = {
        let go_section = go_section.clone();
        let go_step = go_step.clone();
        move |_| {
            let before = one
                .then(|| handover::step_before(&steps_of(section), current))
                .flatten();
            let j = (0..section)
                .rev()
                .find(|&j| open_to(j))
                .unwrap_or(first_open);
            match before.or_else(|| one.then(|| steps_of(j).last().copied()).flatten()) {
                // Back one question; from a section's first, to the last of the one before.
                Some(q) => go_step(if before.is_some() { section } else { j }, q),
                None => go_section(j),
            }
        }
    };
    // The worker taps "hand to the resident": with a PIN set, the resident's screen at
    // once; the first time, the worker module asks for the settings first.
    let start_handover = {
        let id = id.clone();
        move |_| {
            if handing {
                return app.hand_back();
            }
            let started = app
                .with_store(|s| {
                    let store = crate::store::HandoverStore::new(s.kv());
                    store.is_set_up().then(|| store.begin(&id))
                })
                .flatten();
            match started {
                None => app.go(Route::HandOver { id: id.clone() }),
                Some(Ok(_)) => {
                    // At the resident's first question: a route other than this screen's,
                    // so the screen is drawn afresh, handed over.
                    let at = if for_resident(form, section) {
                        section
                    } else {
                        first_open
                    };
                    let survey = Route::Survey {
                        id: id.clone(),
                        section: at,
                    };
                    let route = match steps_of(at).first() {
                        Some(q) if app.route.with_untracked(|r| *r == survey) => Route::Question {
                            id: id.clone(),
                            section: at,
                            question: (*q).to_owned(),
                        },
                        _ => survey,
                    };
                    app.go(route);
                }
                Some(Err(e)) => survey.save.set(save_state(Err(SaveError::Store(e)), 0)),
            }
        }
    };
    let nav_items = form
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let go_section = go_section.clone();
            let p = Memo::new(move |_| survey.checked(|r, l| section_progress(form, i, r, l)));
            let hidden = move || survey.logic.with(|l| !l.section_shown(i));
            // The section whose answer on screen storage refused: its count says so too
            // ("not saved", style/main.css).
            let class = move || match (i == section, survey.save.with(|s| matches!(s, SaveState::Full | SaveState::Failed))) {
                (true, true) => "nav-item current unsaved",
                (true, false) => "nav-item current",
                _ => "nav-item",
            };
            view! {
                <li hidden=hidden>
                    <button
                        class=class
                        data-testid="section-link"
                        data-section=i.to_string()
                        aria-current=move || (i == section).then_some("step")
                        on:click=move |_| go_section(i)
                    >
                        <span class="nav-title">{s.title.get(lang).to_owned()}</span>
                        <span class="nav-count">{move || format!("{}/{}", p.get().answered, p.get().total)}</span>
                    </button>
                </li>
            }
        })
        .collect_view();

    // The section's questions (one question per screen: only the current one). When another
    // tab's version is loaded (a new generation), every box is drawn afresh: the two arms
    // of the Either take turns, so nothing is updated in place (an updated `value`
    // attribute would not replace typed text). Cheaper in the bundle than a keyed `For`.
    let questions = move || {
        let list = sec
            .questions
            .iter()
            .filter(|q| !one || current == Some(q.id.as_str()))
            .map(|q| view! { <QuestionView at=At::new(q, Vec::new()) /> })
            .collect_view();
        if survey.generation.get().is_multiple_of(2) {
            leptos::either::Either::Left(list)
        } else {
            leptos::either::Either::Right(list)
        }
    };

    browser::scroll_to_top();
    // Screen readers start reading the new section from its heading, or at the question
    // the review screen linked to.
    request_animation_frame(move || match focus {
        Some(q) => {
            if !browser::focus_by_id(&format!("in-{q}")) {
                browser::focus_by_id(&format!("q-{q}"));
            }
        }
        None => {
            browser::focus_by_id("section-title");
        }
    });

    view! {
        <div class="survey">
            <nav class="sections" aria-label=app.t(Msg::SectionNav) data-testid="section-nav">
                <ol>{nav_items}</ol>
            </nav>
            <section class="section" aria-labelledby="section-title">
                <div class="survey-status">
                    <span data-testid="section-position">{section_of(lang, section + 1, n)}</span>
                    <meter min="0" max=move || overall.get().total.to_string()
                        value=move || overall.get().answered.to_string() aria-hidden="true"></meter>
                    <span data-testid="progress">{move || { let p = overall.get(); answered_of(lang, p.answered, p.total) }}</span>
                    <SaveStatus />
                </div>
                // The worker hands the tablet over; handed over, the resident gives it back.
                <button class="handover-button" data-testid=if handing { "give-back" } else { "hand-over" }
                    hidden=move || !handing && survey.completed() on:click=start_handover>
                    {app.t(if handing { Msg::GiveBack } else { Msg::HandOver })}
                </button>
                <ConflictBanner />
                <ReadonlyBanner />
                <h1 id="section-title" tabindex="-1" data-testid="section-title">
                    {sec.title.get(lang).to_owned()}
                </h1>
                {sec.intro.as_ref().map(|t| view! { <p class="intro">{t.get(lang).to_owned()}</p> })}
                <div
                    class="banner error"
                    role="alert"
                    data-testid="section-issues"
                    hidden=move || !survey.show_all.get() || issues.with(Vec::is_empty)
                >
                    {move || issue_count(lang, issues.with(Vec::len))}
                </div>
                <p class="banner info" data-testid="section-skipped"
                    hidden=move || survey.logic.with(|l| l.section_shown(section))>
                    {app.t(Msg::SectionSkipped)}
                </p>
                {questions}
                <DeclinedNote section=section />
                <div class="pager">
                    <button data-testid="prev" disabled=at_start on:click=prev>
                        {app.t(Msg::Previous)}
                    </button>
                    <a class="button" href="#/" data-testid="back-to-list">{app.t(Msg::BackToList)}</a>
                    <button class="primary" data-testid="next" on:click=next>
                        {move || {
                            survey.logic.track();
                            app.t(if next_shown(section).is_some() || later().is_some() {
                                Msg::Next
                            } else if handing {
                                Msg::Finish
                            } else {
                                Msg::ReviewAndFinish
                            })
                        }}
                    </button>
                </div>
            </section>
        </div>
    }
    .into_any()
}

#[component]
pub fn NotFound(
    /// The response exists, but not the form version it was started with.
    #[prop(optional)]
    missing: bool,
) -> impl IntoView {
    let app = use_app();
    view! {
        <div class="banner error" role="alert" data-testid="not-found">
            {app.t(if missing { Msg::FormMissing } else { Msg::NotFound })}
        </div>
        <a class="button" href="#/" data-testid="back-to-list">{app.t(Msg::BackToList)}</a>
    }
}

/// What the last save did: "saving…" until the change is on disk (the durable journal,
/// `super::journal`), then a quiet "saved 10:42:07" beside the progress; or, when a
/// change is not saved, an alert fixed at the top of the screen, where the worker sees it
/// however far down the section they are typing. One element whose class, role and text
/// change (one copy of the view's code instead of one per state).
#[component]
pub fn SaveStatus() -> impl IntoView {
    let survey = expect_context::<Survey>();
    let app = survey.app;
    move || {
        let state = survey.save.get();
        app.journal_tick.track();
        let outdated = matches!(state, SaveState::Outdated);
        let alert = |m: Msg| {
            (
                "save-alert banner error",
                "",
                Some("alert"),
                app.t(m).to_owned(),
            )
        };
        // The revision on disk, for tests that kill the browser (docs/testing.md).
        let mut rev = None;
        let (class, mark, role, text) = match state {
            SaveState::Idle | SaveState::Conflict(_) => ("save", "", None, String::new()),
            SaveState::Saved(at, seq, r) => match super::journal::on_disk(seq) {
                Some(true) => {
                    rev = Some(r.to_string());
                    let time = at.get(11..19).unwrap_or("");
                    (
                        "save ok",
                        "saved",
                        None,
                        format!("{} {time}", app.t(Msg::Saved)),
                    )
                }
                None => ("save", "saving", None, app.t(Msg::Saving).to_owned()),
                Some(false) => alert(Msg::NotOnDisk),
            },
            SaveState::Synced => ("save ok", "", Some("status"), app.t(Msg::Synced).to_owned()),
            SaveState::Full => alert(Msg::NotSavedFull),
            SaveState::Failed => alert(Msg::NotSavedOther),
            SaveState::Outdated => alert(Msg::NewerSchema),
        };
        let error = role == Some("alert");
        view! {
            <div class=class role=role data-testid=if error { "save-error" } else { "save-status" }
                data-state=mark data-rev=rev>
                {text}
                {outdated.then(|| view! {
                    " "<button data-testid="reload" on:click=|_| browser::reload()>{app.t(Msg::Reload)}</button>
                })}
            </div>
        }
    }
}

#[component]
pub fn ConflictBanner() -> impl IntoView {
    let survey = expect_context::<Survey>();
    let app = survey.app;
    move || match survey.save.get() {
        SaveState::Conflict(theirs) => {
            let deleted = theirs.is_none();
            Some(view! {
                <div class="banner warn conflict" role="alert" data-testid="conflict">
                    <p>{app.t(if deleted { Msg::ConflictDeleted } else { Msg::ConflictChanged })}</p>
                    <button data-testid="load-theirs" on:click=move |_| { survey.load_theirs(); }>
                        {app.t(if deleted { Msg::BackToList } else { Msg::LoadTheirs })}
                    </button>
                    <button class="primary" data-testid="keep-mine" on:click=move |_| survey.keep_mine()>
                        {app.t(Msg::KeepMine)}
                    </button>
                </div>
            })
        }
        _ => None,
    }
}

/// Completed responses open read-only; changing one means reopening it as a draft.
#[component]
fn ReadonlyBanner() -> impl IntoView {
    let survey = expect_context::<Survey>();
    let app = survey.app;
    // Drawn once and hidden while a draft (cheaper in the bundle than drawn on demand).
    view! {
        <div class="banner info" data-testid="readonly" hidden=move || !survey.completed()>
            {app.t(Msg::Completed)}" · "
            <button data-testid="reopen" on:click=move |_| survey.reopen()>{app.t(Msg::Reopen)}</button>
        </div>
    }
}

/// Under the consent question, once the resident said no: where to go instead.
#[component]
fn DeclinedNote(section: usize) -> impl IntoView {
    let survey = expect_context::<Survey>();
    let app = survey.app;
    let form = survey.form;
    let here = form.consent_question().is_some_and(|c| {
        form.sections[section]
            .questions
            .iter()
            .any(|q| q.id == c.id)
    });
    let declined = Memo::new(move |_| {
        survey.open.with(|o| {
            o.as_ref()
                .is_some_and(|o| crate::response::declined(form, &o.response))
        })
    });
    let target = form.worker_section();
    // Handed over, the resident is thanked and the tablet goes back to the worker.
    let handing = app.handover.with_value(Option::is_some);
    let id = survey
        .open
        .with_untracked(|o| o.as_ref().map(|o| o.response.id.clone()))
        .unwrap_or_default();
    // Drawn once and hidden until the resident says no.
    view! {
        <div class="banner info" role="status" data-testid="declined" hidden=move || !(here && declined.get())>
            <p>{app.t(if handing { Msg::DeclinedHandOver } else { Msg::Declined })}</p>
            <button data-testid="go-worker" hidden=target.is_none() on:click=move |_| {
                if handing {
                    app.hand_back()
                } else if let Some(t) = target {
                    app.go(Route::Survey { id: id.clone(), section: t })
                }
            }>
                {app.t(if handing { Msg::GiveBack } else { Msg::GoToWorker })}
            </button>
        </div>
    }
}
