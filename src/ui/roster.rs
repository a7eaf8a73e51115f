//! A repeat on screen, such as the household member roster: its items, each with its own
//! questions, and buttons to add, remove (after a confirmation) and reorder items.

use super::question::{At, QuestionView};
use super::survey::Survey;
use crate::form::Kind;
use crate::i18n::messages::{issue, item_title};
use crate::i18n::Msg;
use crate::response::validate::validate_in;
use leptos::prelude::*;

#[component]
pub fn Roster(at: At) -> impl IntoView {
    let survey = expect_context::<Survey>();
    let lang = survey.app.lang.get_untracked();
    let q = at.q;
    let Kind::Repeat {
        count, max_count, ..
    } = &q.kind
    else {
        return ().into_any();
    };
    let key = at.key();
    let path = at.path();
    let shown = {
        let path = path.clone();
        Memo::new(move |_| survey.logic.with(|l| l.shown(&path)))
    };
    let items = Memo::new(move |_| {
        survey.open.with(|o| {
            o.as_ref().map_or(0, |o| {
                survey
                    .logic
                    .with(|l| l.items_shown(&o.response, &at.scope(), &q.id))
            })
        })
    });
    // Bumped whenever items move: every item is drawn afresh at its new position.
    let layout = RwSignal::new(0u32);
    let fixed = count.is_some();
    let max = *max_count as usize;
    let add = {
        let path = path.clone();
        move |_| {
            let scope = at.scope();
            survey.change_items(&path, &q.id, |r| {
                r.add_item(&scope, &q.id);
            });
        }
    };
    let problem = Memo::new(move |_| {
        survey.open.with(|o| {
            o.as_ref().and_then(|o| {
                survey
                    .logic
                    .with(|l| validate_in(q, &o.response, l, &at.scope()))
            })
        })
    });
    let show_problem = {
        let path = path.clone();
        Memo::new(move |_| {
            (survey.show_all.get() || survey.touched.with(|t| t.contains(&path)))
                .then(|| problem.get())
                .flatten()
        })
    };
    (move || shown.get().then(|| {
    let k2 = key.clone();
    let add = add.clone();
    view! {
            <fieldset class="question roster" id=format!("q-{k2}") tabindex="-1"
                data-testid=format!("roster-{k2}") data-qid=q.id.as_str()>
                <legend>{q.label.get(lang).to_owned()}</legend>
                {q.hint.as_ref().map(|h| view! { <p class="hint">{h.get(lang).to_owned()}</p> })}
                <For
                    each=move || {
                        let l = layout.get();
                        (0..items.get()).map(|i| (l, i)).collect::<Vec<_>>()
                    }
                    key=|k| *k
                    children=move |(_, i)| view! { <Item at=at index=i count=items layout=layout /> }
                />
                {
                    let k3 = k2.clone();
                    move || show_problem.get().map(|p| view! {
                        <p class="error" data-testid=format!("issue-{k3}")>{issue(lang, &p)}</p>
                    })
                }
                <button class="add" data-testid=format!("add-{k2}")
                    hidden=fixed
                    disabled=move || { survey.readonly() || items.get() >= max }
                    on:click=add.clone()>
                    {format!("＋ {}", Msg::AddItem.get(lang))}
                </button>
            </fieldset>
    }
    }))
    .into_any()
}

#[component]
fn Item(at: At, index: usize, count: Memo<usize>, layout: RwSignal<u32>) -> impl IntoView {
    let survey = expect_context::<Survey>();
    let lang = survey.app.lang.get_untracked();
    let q = at.q;
    let questions = q.kind.children();
    let mut scope = at.scope();
    scope.push((q.id.as_str(), index));
    let key = format!("{}-{index}", at.key());
    let repeat_path = at.path();
    let confirming = RwSignal::new(false);
    let fixed = matches!(q.kind, Kind::Repeat { count: Some(_), .. });
    let moved = {
        let repeat_path = repeat_path.clone();
        move |to: usize| {
            let scope = at.scope();
            survey.change_items(&repeat_path, &q.id, |r| {
                r.move_item(&scope, &q.id, index, to)
            });
            layout.update(|l| *l += 1);
        }
    };
    let up = moved.clone();
    let down = moved;
    let remove = move |_| {
        let scope = at.scope();
        survey.change_items(&repeat_path, &q.id, |r| r.remove_item(&scope, &q.id, index));
        confirming.set(false);
        layout.update(|l| *l += 1);
    };
    let children = questions
        .iter()
        .map(|c| view! { <QuestionView at=At::new(c, scope.clone()) /> })
        .collect_view();
    let title = item_title(lang, q.label.get(lang), index + 1);
    let region = title.clone();
    view! {
        <section class="item" data-testid=format!("item-{}", at.key()) data-index=index.to_string()
            aria-label=region>
            <div class="item-head">
                <h3>{title}</h3>
                <div class="item-actions" hidden=fixed>
                    <button data-testid=format!("up-{key}") disabled=move || survey.readonly() || index == 0
                        aria-label=format!("{}：{}", Msg::MoveUp.get(lang), item_title(lang, q.label.get(lang), index + 1))
                        on:click=move |_| up(index.saturating_sub(1))>"↑"</button>
                    <button data-testid=format!("down-{key}")
                        disabled=move || { survey.readonly() || index + 1 >= count.get() }
                        aria-label=format!("{}：{}", Msg::MoveDown.get(lang), item_title(lang, q.label.get(lang), index + 1))
                        on:click=move |_| down(index + 1)>"↓"</button>
                    <button class="danger" data-testid=format!("remove-{key}") disabled=move || survey.readonly()
                        on:click=move |_| confirming.set(true)>{Msg::RemoveItem.get(lang)}</button>
                </div>
            </div>
            <div class="banner warn" role="alertdialog" hidden=move || !confirming.get()>
                <p>{Msg::ConfirmRemoveItem.get(lang)}</p>
                <button data-testid=format!("cancel-remove-{key}") on:click=move |_| confirming.set(false)>
                    {Msg::Cancel.get(lang)}
                </button>
                <button class="danger" data-testid=format!("confirm-remove-{key}") on:click=remove>
                    {Msg::RemoveItem.get(lang)}
                </button>
            </div>
            {children}
        </section>
    }
}
