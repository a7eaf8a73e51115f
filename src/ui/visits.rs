//! Door-to-door visits (`#/visits`): the worker's profile, the walk list (from a pattern or
//! a CSV), each household's visits with one tap per outcome, revisits due today, coverage by
//! building as a grid and as numbers, and the contract's indicators.
//!
//! Runs in the coordinator module (src/bin/coordinator.rs) with the form library, so the
//! app's first load stays the survey itself. It shares nothing with the app but storage and
//! the URL; a survey for a household starts from its panel, its address filled in.

use super::browser;
use crate::i18n::visits::VisitMsg as M;
use crate::i18n::{Lang, Text};
use crate::store::local::LocalStore;
use crate::store::{StoreError, VisitStore, Worker};
use crate::visits::coverage::{coverage, Status};
use crate::visits::follow_up::Status as FollowStatus;
use crate::visits::indicators::{coverage_percent, visits_and_surveys, Measure, Target};
use crate::visits::log::{due, of_household, Outcome, Visit};
use crate::visits::walk::{from_csv, Pattern, WalkList};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// How a status shows: a mark readable without colour, and a class for the colour.
fn mark(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Surveyed => ("✓", "st-surveyed"),
        Status::Refused => ("✗", "st-refused"),
        Status::MovedOrVacant => ("∅", "st-moved"),
        Status::Revisit => ("↻", "st-revisit"),
        Status::NotHome => ("·", "st-nothome"),
        Status::Other => ("?", "st-other"),
        Status::NeverVisited => ("", "st-never"),
    }
}

fn status_name(s: Status) -> M {
    match s {
        Status::Surveyed => M::Surveyed,
        Status::Refused => M::Refused,
        Status::MovedOrVacant => M::Moved,
        Status::Revisit => M::ComeBack,
        Status::NotHome => M::NotHome,
        Status::Other => M::Other,
        Status::NeverVisited => M::NeverVisited,
    }
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Surveyed => "surveyed",
        Status::Refused => "refused",
        Status::MovedOrVacant => "moved",
        Status::Revisit => "revisit",
        Status::NotHome => "not_home",
        Status::Other => "other",
        Status::NeverVisited => "never",
    }
}

fn error_text(e: &StoreError) -> Text {
    match e {
        StoreError::QuotaExceeded => Text::new(M::Full.get(Lang::Zh), M::Full.get(Lang::En)),
        _ => Text::new(M::NotSaved.get(Lang::Zh), M::NotSaved.get(Lang::En)),
    }
}

fn input_value(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Surveys completed since the last look, started from a household, join the log. Only
/// responses the log does not know yet are read. The log as it is now, if it changed.
fn record_surveys(
    kv: &LocalStore,
    store: &VisitStore<&LocalStore>,
    visits: &[Visit],
    worker: &str,
) -> Result<Option<Vec<Visit>>, StoreError> {
    // A survey's visit has the response's first 8 characters as its id (refusals at the
    // consent question name no response).
    let known: std::collections::BTreeSet<&str> = visits.iter().map(|v| v.id.as_str()).collect();
    let forms = crate::store::FormStore::new(kv);
    // Each form version's consent question, read once for all its responses.
    let consent = std::cell::RefCell::new(std::collections::BTreeMap::new());
    let declined = |r: &crate::response::Response| {
        let mut consent = consent.borrow_mut();
        let q: &Option<String> = consent
            .entry((r.form.clone(), r.form_version))
            .or_insert_with(|| {
                let form = forms.find(&r.form, r.form_version).ok().flatten()?;
                form.consent_question().map(|q| q.id.clone())
            });
        q.as_ref()
            .is_some_and(|q| r.answers.get(q) == Some(&crate::response::Value::Bool(false)))
    };
    let new = crate::store::ResponseStore::open(kv)?
        .household_surveys(|id| known.contains(id.get(..8).unwrap_or(id)), declined)?;
    if new.is_empty() {
        return Ok(None);
    }
    store.record_completed(&new, worker)?;
    Ok(Some(store.visits()?.0))
}

/// One household on the follow-up list.
#[derive(Clone, Debug, PartialEq)]
struct FollowUp {
    response: String,
    place: String,
    reasons: Vec<Text>,
    status: FollowStatus,
}

/// Every response that meets a follow-up rule of its form, with where it stands.
fn follow_ups(kv: &LocalStore, today: &str) -> Vec<FollowUp> {
    let Ok(responses) = crate::store::ResponseStore::open(kv) else {
        return Vec::new();
    };
    let statuses = VisitStore::new(kv).follow_ups().unwrap_or_default();
    let forms = crate::store::FormStore::new(kv);
    // Each form version (with its rules) read once for the whole list.
    let mut loaded: Vec<(crate::form::Form, Vec<crate::form::FollowUpRule>)> = Vec::new();
    let mut out = Vec::new();
    for id in responses.ids().unwrap_or_default() {
        let Some(o) = responses.open_response(&id).ok().flatten() else {
            continue;
        };
        let r = o.response;
        let builtin = crate::form::builtin_form();
        let (form, rules) = if builtin.id == r.form && builtin.version == r.form_version {
            (builtin, crate::form::builtin_rules())
        } else {
            if !loaded
                .iter()
                .any(|(f, _)| f.id == r.form && f.version == r.form_version)
            {
                match forms.load(&r.form, r.form_version) {
                    Ok(Some(f)) => {
                        let rules = forms.rules(&r.form, r.form_version).unwrap_or_default();
                        loaded.push((f, rules));
                    }
                    _ => continue,
                }
            }
            match loaded
                .iter()
                .find(|(f, _)| f.id == r.form && f.version == r.form_version)
            {
                Some((f, rules)) => (f, rules.as_slice()),
                None => continue,
            }
        };
        let reasons = crate::visits::follow_up::reasons(form, rules, &r, today);
        if reasons.is_empty() {
            continue;
        }
        let place = [
            crate::form::Role::Building,
            crate::form::Role::Unit,
            crate::form::Role::Room,
        ]
        .iter()
        .filter_map(|role| r.location(form, *role))
        .collect::<Vec<_>>()
        .join(" ");
        out.push(FollowUp {
            status: statuses.get(&r.id).copied().unwrap_or_default(),
            response: r.id,
            place,
            reasons: reasons.into_iter().map(|(_, t)| t).collect(),
        });
    }
    out
}

#[component]
pub fn Visits(lang: Lang, kv: LocalStore) -> impl IntoView {
    let t = move |m: M| m.get(lang);
    let kv = StoredValue::new_local(kv);
    let store = move |f: &dyn Fn(&VisitStore<&LocalStore>) -> Result<(), StoreError>| {
        kv.with_value(|kv| f(&VisitStore::new(kv)))
    };
    let walk = RwSignal::new(None::<WalkList>);
    let visits = RwSignal::new(Vec::<Visit>::new());
    let worker = RwSignal::new(None::<Worker>);
    let targets = RwSignal::new(crate::visits::indicators::default_targets());
    // Follow-ups referred or closed, for their indicator (statuses only: cheap to read).
    let handled = RwSignal::new(0u32);
    let count_handled = move || {
        let n = kv
            .with_value(|kv| VisitStore::new(kv).follow_ups().unwrap_or_default())
            .values()
            .filter(|s| s.handled())
            .count();
        handled.set(n as u32);
    };
    let problem = RwSignal::new(None::<Text>);
    let selected = RwSignal::new(None::<String>);
    let reload = move || {
        kv.with_value(|kv| {
            let s = VisitStore::new(kv);
            match (s.walk_list(), s.visits(), s.worker(), s.targets()) {
                (Ok(w), Ok((mut v, _)), Ok(p), Ok(t)) => {
                    if let Some(code) = p.as_ref().map(|p| p.code.as_str()) {
                        match record_surveys(kv, &s, &v, code) {
                            Ok(Some(again)) => v = again,
                            Ok(None) => {}
                            Err(e) => problem.set(Some(error_text(&e))),
                        }
                    }
                    walk.set(w);
                    visits.set(v);
                    worker.set(p);
                    targets.set(t);
                }
                (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
                    problem.set(Some(error_text(&e)))
                }
            }
        })
    };
    reload();
    count_handled();
    let today = browser::now().get(..10).unwrap_or("").to_owned();

    // Records one visit to the selected household.
    let record = move |outcome: Outcome| {
        let (Some(h), Some(w)) = (selected.get_untracked(), worker.get_untracked()) else {
            return;
        };
        let v = Visit {
            id: browser::new_uuid()[..8].to_owned(),
            household: h,
            at: browser::now(),
            worker: w.code,
            outcome,
        };
        match store(&|s| s.add(&v)) {
            Ok(()) => {
                problem.set(None);
                visits.update(|vs| vs.push(v.clone()));
            }
            Err(e) => problem.set(Some(error_text(&e))),
        }
    };

    let save_worker = move |_| {
        let code = input_value("worker-code").trim().to_owned();
        if code.is_empty() {
            problem.set(Some(Text::new(
                M::CodeNeeded.get(Lang::Zh),
                M::CodeNeeded.get(Lang::En),
            )));
            return;
        }
        let w = Worker {
            code,
            name: input_value("worker-name").trim().to_owned(),
            agency: input_value("worker-agency").trim().to_owned(),
            team: input_value("worker-team").trim().to_owned(),
        };
        match store(&|s| s.save_worker(&w)) {
            Ok(()) => {
                problem.set(None);
                worker.set(Some(w.clone()));
            }
            Err(e) => problem.set(Some(error_text(&e))),
        }
    };

    // Keeps a new walk list, or says why not (nothing is written then).
    let keep_list = move |list: Result<WalkList, crate::visits::walk::WalkError>| match list {
        Ok(list) => match store(&|s| s.save_walk_list(&list)) {
            Ok(()) => {
                problem.set(None);
                walk.set(Some(list.clone()));
            }
            Err(e) => problem.set(Some(error_text(&e))),
        },
        Err(e) => problem.set(Some(e.describe())),
    };
    let save_list = move |households: Result<
        Vec<crate::visits::walk::Household>,
        crate::visits::walk::WalkError,
    >| {
        let community = input_value("community").trim().to_owned();
        keep_list(households.and_then(|h| WalkList::new(&community, h)));
    };
    let generate = move |_| {
        let n = |id: &str| input_value(id).trim().parse::<u32>().unwrap_or(0);
        let pattern = Pattern {
            buildings: (n("b-from"), n("b-to")),
            units: (n("u-from"), n("u-to")),
            floors: (n("f-from"), n("f-to")),
            rooms: (n("r-from"), n("r-to")),
            except: input_value("except")
                .split([',', '，', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            villas: n("villas"),
        };
        save_list(pattern.generate());
    };
    // One household by hand: added to the list (or starting one), refused if already there.
    let add_household = move |_| {
        let building = input_value("add-building");
        if building.trim().is_empty() {
            return;
        }
        let h = crate::visits::walk::Household::new(
            &building,
            &input_value("add-unit"),
            &input_value("add-room"),
        );
        let (community, mut households) = walk
            .get_untracked()
            .map(|w| (w.community, w.households))
            .unwrap_or_else(|| (input_value("community").trim().to_owned(), Vec::new()));
        households.push(h);
        keep_list(WalkList::new(&community, households));
    };
    let import_csv = move |e: leptos::ev::Event| {
        let Some(file) = super::browser::picked_files(&e).into_iter().next() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let name = file.name();
            let text = super::browser::file_text(file).await;
            match text {
                Some(t) => save_list(from_csv(&t)),
                None => problem.set(Some(
                    crate::visits::walk::WalkError::Unreadable(name).describe(),
                )),
            }
        });
    };

    let setup = move || {
        let has_worker = worker.with(Option::is_some);
        let has_list = walk.with(Option::is_some);
        view! {
            <section class="visits-setup" hidden=has_worker && has_list>
                <h2>{t(M::Setup)}</h2>
                <div hidden=has_worker>
                    <p class="note">{t(M::WorkerHelp)}</p>
                    <label>{t(M::WorkerCode)}" "<input id="worker-code" data-testid="worker-code" /></label>
                    <label>{t(M::WorkerName)}" "<input id="worker-name" data-testid="worker-name" /></label>
                    <label>{t(M::Agency)}" "<input id="worker-agency" /></label>
                    <label>{t(M::Team)}" "<input id="worker-team" /></label>
                    <button class="primary" data-testid="save-worker" on:click=save_worker>{t(M::Save)}</button>
                </div>
                <div hidden=has_list>
                    <p class="note">{t(M::WalkHelp)}</p>
                    <label>{t(M::Community)}" "<input id="community" data-testid="community" /></label>
                    <fieldset class="pattern">
                        <legend>{t(M::Pattern)}</legend>
                        <label>{t(M::Buildings)}" "<input id="b-from" data-testid="b-from" inputmode="numeric" value="1" size="3" />" – "<input id="b-to" data-testid="b-to" inputmode="numeric" value="1" size="3" /></label>
                        <label>{t(M::Units)}" "<input id="u-from" inputmode="numeric" value="1" size="3" />" – "<input id="u-to" data-testid="u-to" inputmode="numeric" value="1" size="3" /></label>
                        <label>{t(M::Floors)}" "<input id="f-from" inputmode="numeric" value="1" size="3" />" – "<input id="f-to" data-testid="f-to" inputmode="numeric" value="6" size="3" /></label>
                        <label>{t(M::Rooms)}" "<input id="r-from" inputmode="numeric" value="1" size="3" />" – "<input id="r-to" data-testid="r-to" inputmode="numeric" value="2" size="3" /></label>
                        <label>{t(M::Villas)}" "<input id="villas" data-testid="villas" inputmode="numeric" value="0" size="3" /></label>
                        <label>{t(M::Except)}" "<input id="except" data-testid="except" /></label>
                        <button class="primary" data-testid="generate" on:click=generate>{t(M::Generate)}</button>
                    </fieldset>
                    <label class="button file">
                        {t(M::ImportCsv)}
                        <input type="file" accept=".csv,.txt" data-testid="walk-csv" on:change=import_csv />
                    </label>
                </div>
            </section>
        }
    };

    // Everything counted from the log, recomputed when it changes.
    let counted = Memo::new(move |_| {
        walk.with(|w| {
            w.as_ref().map(|w| {
                visits.with(|vs| {
                    let c = coverage(w, vs);
                    let (all, surveys) = visits_and_surveys(vs);
                    (c, all, surveys, due(vs, &today))
                })
            })
        })
    });

    let save_target = move |measure: Measure, id: &'static str| {
        let goal = input_value(id).trim().parse::<u32>().unwrap_or(0);
        let mut next = targets.get_untracked();
        next.retain(|t| t.measure != measure);
        if goal > 0 {
            next.push(Target { measure, goal });
        }
        next.sort_by_key(|t| t.measure);
        match store(&|s| s.save_targets(&next)) {
            Ok(()) => targets.set(next.clone()),
            Err(e) => problem.set(Some(error_text(&e))),
        }
    };
    let indicators = move || {
        counted.with(|c| {
            c.as_ref().map(|(cov, all, surveys, _)| {
                let households = cov.total.households as u32;
                let goal_of = |m: Measure| {
                    targets.with(|ts| ts.iter().find(|t| t.measure == m).map(|t| t.goal))
                };
                let rows = [
                    (Measure::Visits, M::VisitsTarget, all.total, "visits", "goal-visits"),
                    (Measure::CompletedSurveys, M::SurveysDone, surveys.total, "surveys", "goal-surveys"),
                    (Measure::CoveragePercent, M::Covered, coverage_percent(cov), "coverage", "goal-coverage"),
                    (Measure::FollowUpsHandled, M::FollowUpsHandled, handled.get(), "follow-ups", "goal-follow-ups"),
                ]
                .into_iter()
                .map(|(m, label, n, key, input_id)| {
                    let goal = goal_of(m);
                    // Without a target, surveys count against the walk list.
                    let shown = goal.unwrap_or(if m == Measure::CompletedSurveys { households } else { 0 });
                    let unit = if m == Measure::CoveragePercent { "%" } else { "" };
                    view! {
                        <div class="indicator" data-testid=format!("ind-{key}")>
                            <span>{t(label)}": "{n}{unit}{(shown > 0).then(|| format!(" / {shown}{unit}"))}</span>
                            <progress max=shown.max(1).to_string() value=n.min(shown).to_string()></progress>
                            <label class="goal">{t(M::Goal)}" "
                                <input id=input_id data-testid=input_id inputmode="numeric" size="5"
                                    value=goal.map(|g| g.to_string()).unwrap_or_default()
                                    on:change=move |_| save_target(m, input_id) />
                            </label>
                        </div>
                    }
                })
                .collect_view();
                let table = |title: M, tally: &std::collections::BTreeMap<String, u32>, other: &std::collections::BTreeMap<String, u32>, id: &'static str| {
                    let body = tally
                        .iter()
                        .map(|(k, n)| view! { <tr><td>{k.clone()}</td><td>{*n}</td><td>{other.get(k).copied().unwrap_or(0)}</td></tr> })
                        .collect_view();
                    view! {
                        <table class="tally" data-testid=id>
                            <thead><tr><th>{t(title)}</th><th>{t(M::VisitsTarget)}</th><th>{t(M::SurveysDone)}</th></tr></thead>
                            <tbody>{body}</tbody>
                        </table>
                    }
                };
                view! {
                    <section class="indicators">
                        <h2>{t(M::Indicators)}</h2>
                        {rows}
                        {table(M::Month, &all.by_month, &surveys.by_month, "by-month")}
                        {table(M::Worker, &all.by_worker, &surveys.by_worker, "by-worker")}
                    </section>
                }
            })
        })
    };

    let due_list = move || {
        counted.with(|c| {
            c.as_ref().map(|(_, _, _, due)| {
                let items = due
                    .iter()
                    .map(|(h, date)| {
                        let h = h.clone();
                        let pick = h.clone();
                        view! {
                            <li><button data-testid=format!("due-{h}") on:click=move |_| selected.set(Some(pick.clone()))>
                                {h.clone()}" · "{date.clone()}
                            </button></li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="due">
                        <h2>{t(M::DueToday)}</h2>
                        <p class="note" hidden=!due.is_empty()>{t(M::NothingDue)}</p>
                        <ul data-testid="due-list">{items}</ul>
                    </section>
                }
            })
        })
    };

    let legend = move || {
        Status::ALL
            .iter()
            .map(|s| {
                let (m, class) = mark(*s);
                view! { <span class=format!("hh {class}")>{m}" "{t(status_name(*s))}</span> }
            })
            .collect_view()
    };

    // A tap anywhere in a building's grid: the household button it landed on, if any.
    let pick = move |e: leptos::ev::MouseEvent| {
        let id = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("button[data-id]").ok().flatten())
            .and_then(|b| b.get_attribute("data-id"));
        if id.is_some() {
            selected.set(id);
        }
    };
    // The grid: a row per building, its households as buttons marked by status.
    // Read in place: the walk list of a community is 2,130 households, not to be cloned
    // for every drawing.
    let grid = move || {
        walk.with(|list| counted.with(|c| {
            let Some(list) = list else {
                return ().into_any();
            };
            let Some((cov, ..)) = c else {
                return ().into_any();
            };
            // One pass: each household (coverage keeps the walk list's order) to its building.
            let place: std::collections::BTreeMap<&str, usize> = cov
                .buildings
                .iter()
                .enumerate()
                .map(|(i, (b, _))| (b.as_str(), i))
                .collect();
            let mut members: Vec<Vec<usize>> = vec![Vec::new(); cov.buildings.len()];
            for (i, h) in list.households.iter().enumerate() {
                if let Some(&b) = place.get(h.building.as_str()) {
                    members[b].push(i);
                }
            }
            let rows = cov
                .buildings
                .iter()
                .zip(members)
                .map(|((building, counts), members)| {
                    let buttons = members
                        .into_iter()
                        .map(|i| {
                            let h = &list.households[i];
                            let s = cov.households[i].1;
                            let (m, class) = mark(s);
                            let label = if h.room.is_empty() { h.building.clone() } else { format!("{}-{}", h.unit.trim_end_matches("单元"), h.room) };
                            // No handler per button: the building's one (below) reads `data-id`.
                            view! {
                                <button class=format!("hh {class}") data-testid=format!("hh-{}", h.id) data-id=h.id.clone()
                                    data-status=status_key(s) title=t(status_name(s))>
                                    {label}" "{m}
                                </button>
                            }
                        })
                        .collect_view();
                    let summary = Status::ALL
                        .iter()
                        .filter(|s| counts.get(**s) > 0)
                        .map(|s| format!("{} {}", t(status_name(*s)), counts.get(*s)))
                        .collect::<Vec<_>>()
                        .join(" · ");
                    view! {
                        <div class="building" data-testid="building">
                            <h3>{building.clone()}" "<small>{summary}</small></h3>
                            <div class="households" on:click=pick>{buttons}</div>
                        </div>
                    }
                })
                .collect_view();
            let total = &cov.total;
            let totals = format!(
                "{} {} · {} {} · {} {} · {} {} · {} {} · {} {}",
                t(M::Households), total.households,
                t(M::Reached), total.reached(),
                t(M::Surveyed), total.get(Status::Surveyed),
                t(M::Refused), total.get(Status::Refused),
                t(M::NotHome), total.get(Status::NotHome),
                t(M::NeverVisited), total.get(Status::NeverVisited),
            );
            view! {
                <section class="coverage">
                    <h2>{t(M::Coverage)}</h2>
                    <p data-testid="coverage-total">{totals}</p>
                    <p class="legend">{legend()}</p>
                    {rows}
                </section>
            }
            .into_any()
        }))
    };

    // The selected household: its visits and one button per outcome.
    let panel = move || {
        let id = selected.get()?;
        let h = walk.with(|w| w.as_ref()?.household(&id).cloned())?;
        let history = visits.with(|vs| {
            of_household(vs, &id)
                .into_iter()
                .map(|v| {
                    let what = match &v.outcome {
                        Outcome::Completed { .. } => t(M::Surveyed).to_owned(),
                        Outcome::NotHome => t(M::NotHome).to_owned(),
                        Outcome::Refused => t(M::Refused).to_owned(),
                        Outcome::MovedOrVacant => t(M::Moved).to_owned(),
                        Outcome::ComeBack { date } => format!("{} {date}", t(M::ComeBack)),
                        Outcome::Other { note } => format!("{}：{note}", t(M::Other)),
                    };
                    view! { <li>{browser::short_time(&v.at)}" · "{v.worker.clone()}" · "{what}</li> }
                })
                .collect_view()
        });
        let place = [h.building.as_str(), h.unit.as_str(), h.room.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        // The survey starts here, its address filled in from the walk list (not in the
        // app's first load, which then carries no walk-list code).
        let start = {
            let h = h.clone();
            move |_| {
                let started = kv.with_value(|kv| {
                    super::forms::new_response(kv, crate::form::builtin_form(), Some(&h))
                });
                match started {
                    Ok(id) => {
                        browser::set_hash(&crate::route::Route::Survey { id, section: 0 }.to_hash())
                    }
                    Err(e) => problem.set(Some(error_text(&e))),
                }
            }
        };
        Some(view! {
            <div class="scrim">
                <div class="dialog household" role="dialog" aria-modal="true" aria-labelledby="hh-title" data-testid="household-panel">
                    <h2 id="hh-title">{place}</h2>
                    <ul class="history" data-testid="history">{history}</ul>
                    <div class="outcomes">
                        <button class="primary" data-testid="outcome-survey" on:click=start>{t(M::StartSurvey)}</button>
                        <button data-testid="outcome-not_home" on:click=move |_| record(Outcome::NotHome)>{t(M::NotHome)}</button>
                        <button data-testid="outcome-refused" on:click=move |_| record(Outcome::Refused)>{t(M::Refused)}</button>
                        <button data-testid="outcome-moved" on:click=move |_| record(Outcome::MovedOrVacant)>{t(M::Moved)}</button>
                    </div>
                    <div class="outcomes">
                        <input type="date" id="come-back-date" data-testid="come-back-date" />
                        <button data-testid="outcome-come_back" on:click=move |_| {
                            let date = input_value("come-back-date");
                            if !date.is_empty() {
                                record(Outcome::ComeBack { date });
                            }
                        }>{t(M::ComeBack)}</button>
                    </div>
                    <div class="outcomes">
                        <input id="other-note" data-testid="other-note" />
                        <button data-testid="outcome-other" on:click=move |_| {
                            let note = input_value("other-note").trim().to_owned();
                            if !note.is_empty() {
                                record(Outcome::Other { note });
                            }
                        }>{t(M::Other)}</button>
                    </div>
                    <button data-testid="close-household" on:click=move |_| selected.set(None)>{t(M::Close)}</button>
                </div>
            </div>
        })
    };

    // The follow-up list, worked out on request (it reads every response's answers).
    let follow = RwSignal::new(None::<Vec<FollowUp>>);
    let show_follow_ups = move |_| {
        let today = browser::now().get(..10).unwrap_or("").to_owned();
        follow.set(Some(kv.with_value(|kv| follow_ups(kv, &today))));
    };
    let set_status = move |response: String, status: FollowStatus| match store(&|s| {
        s.set_follow_up(&response, status)
    }) {
        Ok(()) => {
            follow.update(|f| {
                if let Some(e) = f.iter_mut().flatten().find(|e| e.response == response) {
                    e.status = status;
                }
            });
            count_handled();
        }
        Err(e) => problem.set(Some(error_text(&e))),
    };
    let follow_list = move || {
        let Some(entries) = follow.get() else {
            return view! {
                <button data-testid="show-follow-ups" on:click=show_follow_ups>{t(M::ShowFollowUps)}</button>
            }
            .into_any();
        };
        let handled = entries.iter().filter(|e| e.status.handled()).count();
        let rows = entries
            .iter()
            .map(|e| {
                let why = e.reasons.iter().map(|r| r.get(lang).to_owned()).collect::<Vec<_>>().join("；");
                let response = e.response.clone();
                let options = [(FollowStatus::Open, M::Open, "open"), (FollowStatus::Referred, M::Referred, "referred"), (FollowStatus::Closed, M::Closed, "closed")]
                    .into_iter()
                    .map(|(s, m, v)| view! { <option value=v selected=e.status == s>{t(m)}</option> })
                    .collect_view();
                view! {
                    <tr data-testid=format!("fu-{}", e.response)>
                        <td>{e.place.clone()}</td>
                        <td>{why}</td>
                        <td>
                            <select data-testid=format!("fu-status-{}", e.response) on:change=move |ev| {
                                let v = event_target_value(&ev);
                                let s = match v.as_str() { "referred" => FollowStatus::Referred, "closed" => FollowStatus::Closed, _ => FollowStatus::Open };
                                set_status(response.clone(), s);
                            }>{options}</select>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <p data-testid="fu-handled">{format!("{} {handled} / {}", t(M::Handled), entries.len())}</p>
            <p class="note">{t(M::FollowUpNote)}</p>
            <table class="tally" data-testid="follow-ups"><tbody>{rows}</tbody></table>
        }
        .into_any()
    };

    view! {
        <section class="visits" data-testid="visits">
            <a class="button" href="#/" data-testid="back-to-list">{t(M::Back)}</a>
            <h1>{t(M::Title)}</h1>
            {move || problem.get().map(|p| view! {
                <p class="banner error" role="alert" data-testid="visits-error">{p.get(lang).to_owned()}</p>
            })}
            {setup}
            {indicators}
            {due_list}
            {grid}
            <fieldset class="add-household" hidden=move || worker.with(Option::is_none)>
                <legend>{t(M::AddHousehold)}</legend>
                <label>{t(M::Buildings)}" "<input id="add-building" data-testid="add-building" size="6" /></label>
                <label>{t(M::Units)}" "<input id="add-unit" data-testid="add-unit" size="4" /></label>
                <label>{t(M::Room)}" "<input id="add-room" data-testid="add-room" size="5" /></label>
                <button data-testid="add-household" on:click=add_household>{t(M::Add)}</button>
            </fieldset>
            <section class="follow-ups">
                <h2>{t(M::FollowUps)}</h2>
                {follow_list}
            </section>
            {panel}
        </section>
    }
}
