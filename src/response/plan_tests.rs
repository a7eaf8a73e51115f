//! The dependency graph: evaluation order, what a change reaches, circles refused, and
//! incremental updates that always agree with evaluating the whole form.

use super::logic::Logic;
use super::*;
use crate::form::{builtin_form, parse, parse_form, Form};
use serde_json::json;

const TODAY: &str = "2026-11-24";
const NOW: &str = "2026-11-24T09:00:00+08:00";

fn form_of(questions: serde_json::Value) -> Result<Form, crate::form::FormError> {
    let l = json!({"zh-CN": "问", "en": "Q"});
    parse_form(
        &json!({"format": 1, "id": "p", "version": 1, "title": l,
                "sections": [{"id": "s", "title": l, "questions": questions}]})
        .to_string(),
    )
}

fn q(id: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut q = json!({"id": id, "type": "integer", "label": {"zh-CN": "问", "en": "Q"},
                       "privacy": "none"});
    for (k, v) in extra.as_object().unwrap() {
        q[k] = v.clone();
    }
    q
}

#[test]
fn a_calculation_is_evaluated_before_what_reads_it_even_when_it_comes_later() {
    // `b` reads `double`, which the form defines after it: document order would read the
    // calculation before computing it.
    let f = form_of(json!([
        q("a", json!({})),
        q("b", json!({"relevant": "${double} > 5"})),
        q(
            "double",
            json!({"type": "calculate", "calculation": "${a} * 2"})
        ),
    ]))
    .unwrap();
    let mut r = Response::new("r".into(), &f, NOW.into());
    r.set_answer("a", Some(Value::Int(4)));
    let l = Logic::evaluate(&f, &r, TODAY);
    assert!(l.shown("b"), "double = 8 > 5");
    r.set_answer("a", Some(Value::Int(2)));
    assert!(!Logic::evaluate(&f, &r, TODAY).shown("b"));
}

#[test]
fn a_change_reaches_only_what_reads_it() {
    let f = form_of(json!([
        q("a", json!({})),
        q("b", json!({"relevant": "${a} > 1"})),
        q("c", json!({"type": "calculate", "calculation": "${b} + 1"})),
        q("d", json!({"relevant": "${c} > 3"})),
        q("e", json!({"relevant": "${x} = 1"})),
        q("x", json!({})),
    ]))
    .unwrap();
    let r = Response::new("r".into(), &f, NOW.into());
    let mut l = Logic::evaluate(&f, &r, TODAY);
    // a → b → c → d, and nothing of e or x.
    assert_eq!(l.update(&f, &r, &["a"]), 4);
    assert_eq!(l.update(&f, &r, &["x"]), 2);
    assert_eq!(l.update(&f, &r, &["e"]), 1);
    assert_eq!(l.update(&f, &r, &["no-such-question"]), 0);
}

#[test]
fn expressions_reading_each_other_in_a_circle_are_refused_at_load() {
    let e = form_of(json!([
        q("a", json!({"type": "calculate", "calculation": "${b} + 1"})),
        q("b", json!({"type": "calculate", "calculation": "${c} + 1"})),
        q("c", json!({"relevant": "${a} > 1"})),
        q("d", json!({})),
    ]))
    .unwrap_err();
    let parse::Problem::Cycle(ids) = &e.problem else {
        panic!("{e:?}")
    };
    assert_eq!(ids, &["a", "b", "c"]);
    assert!(e.describe(crate::i18n::Lang::En).contains("circle"));
    assert!(e.describe(crate::i18n::Lang::Zh).contains("循环"));
    // A question reading its own value (`.`) is no circle.
    assert!(form_of(json!([q("a", json!({"constraint": ". > 1"}))])).is_ok());
}

/// One random step of editing a response, as a person could make it on the screens.
#[derive(Clone, Debug)]
enum Step {
    Answer {
        item: usize,
        question: usize,
        value: i64,
    },
    Add,
    Remove(usize),
    Move(usize, usize),
    Top {
        question: usize,
        value: i64,
    },
}

fn roster() -> Form {
    let c = |v: &str| json!({"value": v, "label": {"zh-CN": v, "en": v}});
    form_of(json!([
        q("n_rooms", json!({})),
        {"id": "members", "type": "repeat", "label": {"zh-CN": "问", "en": "Q"}, "max_count": 8,
         "questions": [
            q("age", json!({})),
            q("work", json!({"type": "single_choice", "choices": [c("job"), c("none")],
                             "relevant": "${age} >= 16"})),
            q("older", json!({"type": "calculate", "calculation": "${age} > ${n_rooms}"})),
            {"id": "kids", "type": "repeat", "label": {"zh-CN": "问", "en": "Q"},
             "relevant": "${age} >= 18", "max_count": 4,
             "questions": [q("kid_age", json!({"relevant": "${older} = 'true' or ${age} > 30"}))]}
         ]},
        q("size", json!({"type": "calculate", "calculation": "count(${members})"})),
        q("total", json!({"type": "calculate", "calculation": "sum(${age})"})),
        q("big", json!({"relevant": "${size} > 2 and ${total} > 50"})),
        {"id": "rooms", "type": "repeat", "label": {"zh-CN": "问", "en": "Q"},
         "repeat_count": "${n_rooms}", "max_count": 6,
         "questions": [q("room_use", json!({"relevant": "${big} > 0"}))]}
    ]))
    .unwrap()
}

/// Applies a step to the response and, the way the survey screen does, to the logic.
fn apply(f: &Form, r: &mut Response, l: &mut Logic, step: &Step) {
    let n = r.items(&[], "members");
    match *step {
        Step::Answer {
            item,
            question,
            value,
        } if n > 0 => {
            let scope = [("members", item % n)];
            let (qid, v) = match question % 3 {
                0 => ("age", Value::Int(value)),
                1 => (
                    "work",
                    Value::Text(if value % 2 == 0 { "job" } else { "none" }.into()),
                ),
                _ => {
                    if r.items(&scope, "kids") == 0 {
                        r.add_item(&scope, "kids");
                        l.update_items(f, r, "kids");
                    }
                    r.set_answer_in(
                        &[("members", item % n), ("kids", 0)],
                        "kid_age",
                        Some(Value::Int(value)),
                    );
                    l.update(f, r, &["kid_age"]);
                    l.settle(f, r);
                    return;
                }
            };
            r.set_answer_in(&scope, qid, Some(v));
            l.update(f, r, &[qid]);
        }
        Step::Add => {
            r.add_item(&[], "members");
            l.update_items(f, r, "members");
        }
        Step::Remove(i) if n > 0 => {
            r.remove_item(&[], "members", i % n);
            l.update_items(f, r, "members");
        }
        Step::Move(a, b) if n > 1 => {
            r.move_item(&[], "members", a % n, b % n);
            l.update_items(f, r, "members");
        }
        Step::Top { question, value } => {
            let qid = ["n_rooms", "big"][question % 2];
            r.set_answer(qid, Some(Value::Int(value)));
            l.update(f, r, &[qid]);
        }
        _ => return,
    }
    l.settle(f, r);
}

#[test]
fn incremental_updates_match_whole_evaluation_on_a_scripted_session() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    let mut l = Logic::evaluate(&f, &r, TODAY);
    let steps = [
        Step::Add,
        Step::Add,
        Step::Answer {
            item: 0,
            question: 0,
            value: 40,
        },
        Step::Answer {
            item: 1,
            question: 0,
            value: 12,
        },
        Step::Answer {
            item: 0,
            question: 2,
            value: 9,
        },
        Step::Top {
            question: 0,
            value: 3,
        },
        Step::Add,
        Step::Answer {
            item: 2,
            question: 0,
            value: 70,
        },
        Step::Top {
            question: 1,
            value: 1,
        },
        Step::Move(2, 0),
        Step::Remove(1),
        Step::Top {
            question: 0,
            value: 1,
        },
        Step::Answer {
            item: 0,
            question: 0,
            value: 10,
        },
    ];
    for step in &steps {
        apply(&f, &mut r, &mut l, step);
        let whole = Logic::evaluate(&f, &r, TODAY);
        assert_eq!(l, whole, "after {step:?}");
    }
    assert_eq!(r.answer("size"), Some(&Value::Int(2)));
    assert_eq!(
        r.items(&[], "rooms"),
        3,
        "rooms were added up to the largest count"
    );
    assert!(!l.shown("rooms[1]/"), "but only n_rooms = 1 is shown");
}

#[test]
fn incremental_updates_match_whole_evaluation_on_the_builtin_form() {
    let f = builtin_form();
    let mut r = sample::completed(f, "s", 3);
    let mut l = Logic::evaluate(f, &r, TODAY);
    // Every top-level integer and choice question in turn, to a value that flips logic.
    let plan = crate::form::plan::Plan::new(f);
    let ids: Vec<String> = f
        .questions()
        .map(|(_, q)| q)
        .filter(|q| plan.chain(&q.id).is_empty() && q.kind.takes_answer())
        .map(|q| q.id.clone())
        .collect();
    for (k, id) in ids.iter().enumerate() {
        let q = f.question(id).unwrap();
        let v = match &q.kind {
            crate::form::Kind::Integer { .. } => Value::Int((k % 5) as i64),
            crate::form::Kind::YesNo => Value::Bool(k % 2 == 0),
            crate::form::Kind::SingleChoice { choices, .. } => {
                Value::Text(choices[k % choices.len()].value.clone())
            }
            _ => continue,
        };
        r.set_answer(id, Some(v));
        l.update(f, &r, &[id]);
        l.settle(f, &mut r);
        assert_eq!(l, Logic::evaluate(f, &r, TODAY), "after changing {id}");
    }
    for age in [70, 5, 30] {
        r.set_answer_in(&[("members", 1)], "m_age", Some(Value::Int(age)));
        l.update(f, &r, &["m_age"]);
        l.settle(f, &mut r);
        assert_eq!(l, Logic::evaluate(f, &r, TODAY), "after age {age}");
    }
    r.remove_item(&[], "members", 0);
    l.update_items(f, &r, "members");
    l.settle(f, &mut r);
    assert_eq!(l, Logic::evaluate(f, &r, TODAY));
}

#[cfg(not(target_arch = "wasm32"))]
mod random {
    use super::*;
    use proptest::prelude::*;

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..8usize, 0..3usize, -5..90i64).prop_map(|(item, question, value)| Step::Answer {
                item,
                question,
                value
            }),
            Just(Step::Add),
            (0..8usize).prop_map(Step::Remove),
            (0..8usize, 0..8usize).prop_map(|(a, b)| Step::Move(a, b)),
            (0..2usize, -2..7i64).prop_map(|(question, value)| Step::Top { question, value }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_sequence_of_edits_leaves_the_same_logic_as_evaluating_afresh(
            steps in proptest::collection::vec(step(), 1..30)
        ) {
            let f = roster();
            let mut r = Response::new("r".into(), &f, NOW.into());
            let mut l = Logic::evaluate(&f, &r, TODAY);
            for s in &steps {
                apply(&f, &mut r, &mut l, s);
                prop_assert_eq!(&l, &Logic::evaluate(&f, &r, TODAY), "after {:?}", s);
            }
        }
    }
}
