//! One question on screen, for every question type. Text boxes take their value once when
//! drawn and are never re-rendered while typing (no cursor jumps, nothing lost mid-word);
//! choices follow the stored answer.

use super::survey::Survey;
use crate::form::{Choice, Kind, Question, NOT_APPLICABLE, OTHER};
use crate::i18n::messages::issue;
use crate::i18n::{Lang, Msg, Text};
use crate::response::logic::fill_in;
use crate::response::validate::validate_in;
use crate::response::{number_from_input, Value};
use leptos::prelude::*;

/// A question as asked in one place: outside any repeat, or in one item of a repeat.
/// `Copy`, so every closure of a question's view can hold it.
#[derive(Clone, Copy)]
pub struct At {
    pub q: &'static Question,
    scope: StoredValue<Vec<(&'static str, usize)>>,
    /// For element ids and test ids: `age` outside repeats, `members-2-age` inside.
    key: StoredValue<String>,
}

impl At {
    pub fn new(q: &'static Question, scope: Vec<(&'static str, usize)>) -> At {
        let mut key = String::new();
        for (rep, i) in &scope {
            key.push_str(&format!("{rep}-{i}-"));
        }
        key.push_str(&q.id);
        At {
            q,
            scope: StoredValue::new(scope),
            key: StoredValue::new(key),
        }
    }

    pub fn key(&self) -> String {
        self.key.get_value()
    }

    pub fn scope(&self) -> Vec<(&'static str, usize)> {
        self.scope.get_value()
    }

    pub fn path(&self) -> String {
        self.scope
            .with_value(|s| crate::response::path(s, &self.q.id))
    }

    pub fn answer(&self, survey: Survey) -> Option<Value> {
        self.scope.with_value(|s| survey.answer_in(s, &self.q.id))
    }

    pub fn set(&self, survey: Survey, value: Option<Value>) {
        self.scope
            .with_value(|s| survey.set_answer_in(s, &self.q.id, value));
    }

    fn other(&self, survey: Survey) -> String {
        self.scope
            .with_value(|s| survey.other_text_in(s, &self.q.id))
    }

    fn set_other(&self, survey: Survey, text: &str) {
        self.scope
            .with_value(|s| survey.set_other_in(s, &self.q.id, text));
    }
}

/// A question while its skip logic shows it. Drawn afresh each time it reappears, so its
/// boxes show the kept answer.
#[component]
pub fn QuestionView(at: At) -> impl IntoView {
    let survey = expect_context::<Survey>();
    match at.q.kind {
        Kind::Calculate { .. } => return ().into_any(),
        Kind::Repeat { .. } => return view! { <super::roster::Roster at=at /> }.into_any(),
        _ => {}
    }
    let path = at.path();
    let shown = Memo::new(move |_| survey.logic.with(|l| l.shown(&path)));
    (move || shown.get().then(|| view! { <QuestionBody at=at /> })).into_any()
}

#[component]
fn QuestionBody(at: At) -> impl IntoView {
    let survey = expect_context::<Survey>();
    let lang = survey.app.lang.get_untracked();
    let q = at.q;
    let key = at.key();
    let path = at.path();
    if matches!(q.kind, Kind::Note) {
        return view! {
            <div class="note-item" id=format!("q-{key}") data-testid="note">
                <p>{fill_in_view(survey, &q.label, lang)}</p>
            </div>
        }
        .into_any();
    }
    let problem = Memo::new(move |_| {
        survey.open.with(|o| {
            o.as_ref().and_then(|o| {
                survey
                    .logic
                    .with(|l| at.scope.with_value(|s| validate_in(q, &o.response, l, s)))
            })
        })
    });
    let visible_problem = Memo::new(move |_| {
        let shown = survey.show_all.get() || survey.touched.with(|t| t.contains(&path));
        if shown {
            problem.get()
        } else {
            None
        }
    });
    let error_id = format!("err-{key}");
    let hint_id = format!("hint-{key}");
    let described = {
        let (e, h) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if q.hint.is_some() {
                ids.push(h.clone());
            }
            if visible_problem.get().is_some() {
                ids.push(e.clone());
            }
            ids.join(" ")
        }
    };
    let label = fill_in_view(survey, &q.label, lang);
    let required = q.required.then(|| {
        view! {
            <span class="required" aria-hidden="true">" *"</span>
            <span class="sr-only">{format!(" ({})", Msg::Required.get(lang))}</span>
        }
    });
    let hint = q.hint.as_ref().map(|h| {
        view! { <p class="hint" id=hint_id.clone()>{fill_in_view(survey, h, lang)}</p> }
    });
    let error = {
        let key = key.clone();
        move || {
            visible_problem.get().map(|k| {
                view! {
                    <p class="error" id=format!("err-{key}") data-testid=format!("issue-{key}")>
                        {issue(lang, &k)}
                    </p>
                }
            })
        }
    };
    let grouped = matches!(
        q.kind,
        Kind::SingleChoice { .. } | Kind::MultipleChoice { .. } | Kind::YesNo | Kind::Rating { .. }
    );
    let invalid = move || visible_problem.get().is_some().to_string();
    let body = control(at, survey, described.clone(), invalid);
    let read = read_aloud(q, lang);

    if grouped {
        view! {
            <fieldset class="question" id=format!("q-{key}") tabindex="-1" data-testid="question"
                data-qid=q.id.as_str() data-key=key.clone() aria-describedby=described aria-invalid=invalid>
                <legend>{label}{required}</legend>
                {hint}
                {read}
                {body}
                {error}
            </fieldset>
        }
        .into_any()
    } else {
        view! {
            <div class="question" id=format!("q-{key}") tabindex="-1" data-testid="question"
                data-qid=q.id.as_str() data-key=key.clone()>
                <label for=format!("in-{key}")>{label}{required}</label>
                {hint}
                {read}
                {body}
                {error}
            </div>
        }
        .into_any()
    }
}

/// The read-aloud button: the question and its choices through the browser's speech
/// synthesis, in the interface's language; where the device has no voice for it, says so.
fn read_aloud(q: &'static Question, lang: Lang) -> AnyView {
    let mut text = q.label.get(lang).to_owned();
    let mut add = |t: &str| {
        text.push_str(if lang == Lang::Zh { "。" } else { ". " });
        text.push_str(t);
    };
    if matches!(q.kind, Kind::YesNo) {
        add(Msg::Yes.get(lang));
        add(Msg::No.get(lang));
    }
    for c in q.kind.choices() {
        add(c.label.get(lang));
    }
    let name = Msg::ReadAloud.get(lang);
    view! {
        <button type="button" class="read-aloud" data-testid="read-aloud" aria-label=name title=name
            on:click=move |_| {
                if !super::browser::speak(&text, lang.tag()) {
                    if let Some(w) = web_sys::window() {
                        let _ = w.alert_with_message(Msg::NoVoice.get(lang));
                    }
                }
            }>"🔊"</button>
    }
    .into_any()
}

/// A label or hint: static text, or, when it quotes answers (`${name}`), text that follows
/// them.
fn fill_in_view(survey: Survey, text: &'static Text, lang: Lang) -> AnyView {
    let t = text.get(lang);
    if !t.contains("${") {
        return t.to_owned().into_any();
    }
    let form = survey.form;
    (move || {
        survey.open.with(|o| {
            o.as_ref()
                .map(|o| {
                    survey
                        .logic
                        .with(|l| fill_in(t, form, &o.response, l, lang))
                })
                .unwrap_or_default()
        })
    })
    .into_any()
}

fn text_of(v: Option<Value>) -> String {
    v.map(|v| v.display()).unwrap_or_default()
}

fn control(
    at: At,
    survey: Survey,
    described: impl Fn() -> String + Clone + Send + Sync + 'static,
    invalid: impl Fn() -> String + Clone + Send + Sync + 'static,
) -> AnyView {
    let lang = survey.app.lang.get_untracked();
    let q = at.q;
    let key = at.key();
    let disabled = move || survey.readonly();
    match &q.kind {
        // Text, number and date boxes are one view (one copy of its code in the bundle):
        // what differs is data — the type, the keyboard, the length, the unit, and how a
        // typed value is read.
        Kind::ShortText { .. } | Kind::Integer { .. } | Kind::Decimal { .. } | Kind::Date => {
            let (kind, unit, max_length): (&str, Option<&Text>, Option<u32>) = match &q.kind {
                Kind::ShortText { max_length } => ("text", None, Some(*max_length)),
                Kind::Integer { unit, .. } => ("numeric", unit.as_ref(), None),
                Kind::Decimal { unit, .. } => ("decimal", unit.as_ref(), None),
                _ => ("date", None, None),
            };
            let number = matches!(kind, "numeric" | "decimal");
            let q_kind = &q.kind;
            // The unit ("人") belongs to the box's description too.
            let unit_id = unit.map(|_| format!("unit-{key}"));
            let describedby = move || {
                let d = described();
                match &unit_id {
                    Some(u) => format!("{d} {u}").trim().to_owned(),
                    None => d,
                }
            };
            view! {
                <div class=if number { "number" } else { "field" }>
                    <input type=if kind == "date" { "date" } else { "text" }
                        inputmode=number.then_some(kind)
                        maxlength=max_length.map(|m| m.to_string())
                        id=format!("in-{key}") data-testid=format!("input-{key}")
                        autocomplete="off" value=text_of(at.answer(survey)) disabled=disabled
                        aria-describedby=describedby aria-invalid=invalid
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            let v = if number {
                                number_from_input(q_kind, &typed)
                            } else {
                                Some(Value::Text(typed))
                            };
                            at.set(survey, v)
                        } />
                    {unit.map(|u| view! { <span class="unit" id=format!("unit-{key}")>{u.get(lang).to_owned()}</span> })}
                </div>
            }
            .into_any()
        }
        Kind::LongText { max_length } => view! {
            <textarea id=format!("in-{key}") data-testid=format!("input-{key}") rows="4"
                maxlength=max_length.to_string() disabled=disabled
                aria-describedby=described aria-invalid=invalid
                prop:value=text_of(at.answer(survey))
                on:input=move |ev| at.set(survey, Some(Value::Text(event_target_value(&ev))))>
            </textarea>
        }
        .into_any(),
        Kind::YesNo => {
            let options = [(true, Msg::Yes, "yes"), (false, Msg::No, "no")]
                .into_iter()
                .map(|(b, msg, slug)| {
                    single_option(at, survey, slug, Value::Bool(b), msg.get(lang).to_owned())
                })
                .collect_view();
            view! {
                <div class="options yesno">{options}</div>
                <ClearButton at=at />
            }
            .into_any()
        }
        Kind::SingleChoice { choices, other } => {
            let items = choices
                .iter()
                .map(|c| {
                    let v = c.value.as_str();
                    let label = c.label.get(lang).to_owned();
                    single_option(at, survey, v, Value::Text(v.to_owned()), label)
                })
                .collect_view();
            let other_item = other.then(|| {
                let label = OTHER_CHOICE.label.get(lang).to_owned();
                single_option(at, survey, OTHER, Value::Text(OTHER.to_owned()), label)
            });
            view! {
                <div class="options">{items}{other_item}</div>
                {other.then(|| view! { <OtherBox at=at /> })}
                <ClearButton at=at />
            }
            .into_any()
        }
        Kind::MultipleChoice {
            choices,
            other,
            max_choices,
            exclusive,
        } => {
            let items = choices
                .iter()
                .map(|c| multi_option(at, survey, c, *max_choices, exclusive))
                .collect_view();
            let other_choice: &'static Choice = &OTHER_CHOICE;
            let other_item =
                other.then(|| multi_option(at, survey, other_choice, *max_choices, exclusive));
            view! {
                <div class="options multi">{items}{other_item}</div>
                {other.then(|| view! { <OtherBox at=at /> })}
            }
            .into_any()
        }
        Kind::Rating {
            points,
            low,
            high,
            na_label,
        } => {
            let items = (1..=*points as i64)
                .map(|i| {
                    let checked = move || at.answer(survey) == Some(Value::Int(i));
                    let aria = move || {
                        let l = lang;
                        if i == 1 {
                            format!("{i} {}", low.get(l))
                        } else if i == *points as i64 {
                            format!("{i} {}", high.get(l))
                        } else {
                            i.to_string()
                        }
                    };
                    view! {
                        <label class="option point">
                            <input type="radio" name=format!("in-{key}") data-testid=format!("choice-{key}-{i}")
                                aria-label=aria
                                prop:checked=checked disabled=disabled
                                on:change=move |_| at.set(survey, Some(Value::Int(i))) />
                            <span>{i}</span>
                        </label>
                    }
                })
                .collect_view();
            let na = na_label.as_ref().map(|t| {
                let checked = move || at.answer(survey) == Some(Value::Text(NOT_APPLICABLE.into()));
                view! {
                    <label class="option na">
                        <input type="radio" name=format!("in-{key}") data-testid=format!("choice-{key}-na")
                            prop:checked=checked disabled=disabled
                            on:change=move |_| at.set(survey, Some(Value::Text(NOT_APPLICABLE.into()))) />
                        <span>{t.get(lang).to_owned()}</span>
                    </label>
                }
            });
            view! {
                <div class="scale-ends" aria-hidden="true">
                    <span>{low.get(lang).to_owned()}</span>
                    <span>{high.get(lang).to_owned()}</span>
                </div>
                <div class="options rating">{items}</div>
                <div class="options">{na}</div>
                <ClearButton at=at />
            }
            .into_any()
        }
        Kind::Note | Kind::Calculate { .. } | Kind::Repeat { .. } => ().into_any(),
    }
}

/// The "other, please specify" option a question with `other: true` adds.
static OTHER_CHOICE: std::sync::LazyLock<Choice> = std::sync::LazyLock::new(|| Choice {
    value: OTHER.to_owned(),
    label: Text::new("其他", "Other"),
    columns: Default::default(),
});

/// An option's `<label>`. With a `choice_filter` it hides while the filter leaves it out,
/// following the answers the filter reads (a plain closure, not a memo: a choice list is
/// short). Without one it is static: a reactive attribute on every option of every
/// question would cost each roster member a dozen effects.
fn option_label(
    at: At,
    survey: Survey,
    value: &'static str,
    inner: impl IntoView + 'static,
) -> AnyView {
    if at.q.choice_filter.is_none() {
        return view! { <label class="option">{inner}</label> }.into_any();
    }
    let out = move || {
        survey.checked(|r, l| {
            !l.choices_offered(at.q, r, &at.scope())
                .iter()
                .any(|c| c.value == value)
        })
    };
    view! { <label class="option" hidden=out>{inner}</label> }.into_any()
}

/// One radio button: a choice of a single-choice question, or yes / no. `slug` names it
/// in the page (`choice-<question>-<slug>`), `answer` is what choosing it records.
fn single_option(
    at: At,
    survey: Survey,
    slug: &'static str,
    answer: Value,
    label: String,
) -> impl IntoView {
    let key = at.key();
    let chosen = answer.clone();
    let checked = move || at.answer(survey).as_ref() == Some(&answer);
    let inner = view! {
        <input type="radio" name=format!("in-{key}") value=slug data-testid=format!("choice-{key}-{slug}")
            prop:checked=checked disabled=move || survey.readonly()
            on:change=move |_| at.set(survey, Some(chosen.clone())) />
        <span>{label}</span>
    };
    option_label(at, survey, slug, inner)
}

fn multi_option(
    at: At,
    survey: Survey,
    choice: &'static Choice,
    max_choices: Option<u32>,
    exclusive: &'static [String],
) -> impl IntoView {
    let lang = survey.app.lang.get_untracked();
    let key = at.key();
    let value = choice.value.as_str();
    let selected = move || {
        at.answer(survey)
            .map(|v| v.as_list().to_vec())
            .unwrap_or_default()
    };
    let checked = move || selected().iter().any(|v| v == value);
    // At the limit, the unticked boxes are disabled rather than letting an error happen.
    let is_exclusive = exclusive.iter().any(|x| x == value);
    // "None" stays tickable at the limit: ticking it clears the others.
    let at_limit = move || {
        !is_exclusive && max_choices.is_some_and(|m| selected().len() >= m as usize) && !checked()
    };
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let mut list = selected();
        list.retain(|v| v != value);
        if on {
            // Ticking "none" clears the rest; ticking anything else clears "none".
            if is_exclusive {
                list.clear();
            } else {
                list.retain(|v| !exclusive.contains(v));
            }
            list.push(value.to_owned());
        }
        at.set(survey, Some(Value::List(list)));
    };
    let inner = view! {
        <input type="checkbox" value=value data-testid=format!("choice-{key}-{value}")
            prop:checked=checked disabled=move || survey.readonly() || at_limit()
            on:change=toggle />
        <span>{choice.label.get(lang).to_owned()}</span>
    };
    option_label(at, survey, value, inner)
}

/// The "please specify" box under a choice question, shown while "other" is chosen.
#[component]
fn OtherBox(at: At) -> impl IntoView {
    let survey = expect_context::<Survey>();
    let lang = survey.app.lang.get_untracked();
    let key = at.key();
    let chosen = move || match at.answer(survey) {
        Some(Value::Text(v)) => v == OTHER,
        Some(Value::List(vs)) => vs.iter().any(|v| v == OTHER),
        _ => false,
    };
    move || {
        chosen().then(|| {
            view! {
                <div class="other">
                    <label for=format!("other-{key}")>{Msg::PleaseSpecify.get(lang)}</label>
                    <input type="text" id=format!("other-{key}") data-testid=format!("other-{key}")
                        maxlength="200" autocomplete="off" value=at.other(survey)
                        disabled=move || survey.readonly()
                        on:input=move |ev| at.set_other(survey, &event_target_value(&ev)) />
                </div>
            }
        })
    }
}

/// Radio buttons cannot be unticked: this takes an answer back.
#[component]
fn ClearButton(at: At) -> impl IntoView {
    let survey = expect_context::<Survey>();
    let lang: Lang = survey.app.lang.get_untracked();
    let key = at.key();
    move || {
        (at.answer(survey).is_some() && !survey.readonly()).then(|| {
            view! {
                <button class="link" data-testid=format!("clear-{key}")
                    aria-label=format!("{}：{}", Msg::ClearAnswer.get(lang), at.q.label.get(lang))
                    on:click=move |_| at.set(survey, None)>
                    {Msg::ClearAnswer.get(lang)}
                </button>
            }
        })
    }
}
