//! Repeat groups: items, references inside an item, count and sum, nesting, validation.

use super::logic::Logic;
use super::*;
use crate::form::{parse_form, Form};
use serde_json::json;

fn roster() -> Form {
    let l = json!({"zh-CN": "问", "en": "Q"});
    let c = |v: &str| json!({"value": v, "label": {"zh-CN": v, "en": v}});
    parse_form(
        &json!({
            "format": 1, "id": "r", "version": 1, "title": l,
            "sections": [{"id": "s", "title": l, "questions": [
                {"id": "members", "type": "repeat", "label": l, "min_count": 1, "max_count": 8,
                 "questions": [
                    {"id": "age", "type": "integer", "label": l, "privacy": "quasi_identifier",
                     "required": true, "constraint": ". >= 0 and . <= 120"},
                    {"id": "work", "type": "single_choice", "label": l, "privacy": "none",
                     "choices": [c("job"), c("retired")], "other": true,
                     "relevant": "${age} >= 16"},
                    {"id": "kids", "type": "repeat", "label": l, "relevant": "${age} >= 18",
                     "questions": [
                        {"id": "kid_age", "type": "integer", "label": l, "privacy": "sensitive",
                         "constraint": ". < ${age}"}
                     ]}
                 ]},
                {"id": "hh_size", "type": "calculate", "label": l, "privacy": "quasi_identifier",
                 "calculation": "count(${members})"},
                {"id": "ages", "type": "calculate", "label": l, "privacy": "none",
                 "calculation": "sum(${age})"},
                {"id": "n_rooms", "type": "integer", "label": l, "privacy": "none"},
                {"id": "rooms", "type": "repeat", "label": l, "repeat_count": "${n_rooms}",
                 "questions": [{"id": "room_use", "type": "short_text", "label": l, "privacy": "none"}]}
            ]}]
        })
        .to_string(),
    )
    .unwrap()
}

const NOW: &str = "2026-11-24T09:00:00+08:00";

fn eval(f: &Form, r: &Response) -> Logic {
    Logic::evaluate(f, r, "2026-11-24")
}

fn member(r: &mut Response, age: i64) -> usize {
    let i = r.add_item(&[], "members").unwrap();
    r.set_answer_in(&[("members", i)], "age", Some(Value::Int(age)));
    i
}

#[test]
fn items_are_added_answered_and_stored_as_rows() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    member(&mut r, 70);
    member(&mut r, 8);
    assert_eq!(r.items(&[], "members"), 2);
    assert_eq!(r.answer_in(&[("members", 1)], "age"), Some(&Value::Int(8)));
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        json.contains(r#""members":[{"age":70},{"age":8}]"#),
        "{json}"
    );
    let back: Response = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
}

#[test]
fn references_inside_an_item_mean_that_item() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    member(&mut r, 70);
    member(&mut r, 8);
    let l = eval(&f, &r);
    assert!(l.shown("members[0]/work"), "70 >= 16");
    assert!(
        !l.shown("members[1]/work"),
        "8 < 16: hidden in that item only"
    );
    assert!(l.shown("members[0]/kids") && !l.shown("members[1]/kids"));
}

#[test]
fn count_and_sum_over_items_feed_calculations() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    for age in [70, 40, 8] {
        member(&mut r, age);
    }
    let mut l = eval(&f, &r);
    assert!(l.settle(&f, &mut r));
    assert_eq!(r.answer("hh_size"), Some(&Value::Int(3)));
    assert_eq!(r.answer("ages"), Some(&Value::Int(118)));
    r.remove_item(&[], "members", 1);
    eval(&f, &r).settle(&f, &mut r);
    assert_eq!(r.answer("hh_size"), Some(&Value::Int(2)));
    assert_eq!(r.answer("ages"), Some(&Value::Int(78)));
}

#[test]
fn every_item_is_validated_with_its_own_answers() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    let l = eval(&f, &r);
    let issues = validate_response(&f, &r, &l);
    assert_eq!(issues[0].kind, IssueKind::TooFewItems(1), "min_count");

    member(&mut r, 40);
    let i = r.add_item(&[], "members").unwrap();
    r.set_answer_in(&[("members", i)], "age", Some(Value::Int(130)));
    r.add_item(&[], "members");
    let issues = validate_response(&f, &r, &eval(&f, &r));
    let paths: Vec<_> = issues.iter().map(|i| (i.path.as_str(), &i.kind)).collect();
    assert_eq!(
        paths,
        [
            ("members[1]/age", &IssueKind::Constraint(None)),
            ("members[2]/age", &IssueKind::Required(None)),
        ]
    );
    // Nested: a child's age must be below that member's own age.
    let k = r.add_item(&[("members", 0)], "kids").unwrap();
    r.set_answer_in(
        &[("members", 0), ("kids", k)],
        "kid_age",
        Some(Value::Int(45)),
    );
    let issues = validate_response(&f, &r, &eval(&f, &r));
    assert!(issues
        .iter()
        .any(|i| i.path == "members[0]/kids[0]/kid_age" && i.kind == IssueKind::Constraint(None)));
    r.set_answer_in(
        &[("members", 0), ("kids", k)],
        "kid_age",
        Some(Value::Int(12)),
    );
    let issues = validate_response(&f, &r, &eval(&f, &r));
    assert!(!issues.iter().any(|i| i.path.starts_with("members[0]/kids")));
}

#[test]
fn progress_counts_each_item() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    member(&mut r, 40);
    member(&mut r, 10);
    // n_rooms; member 0: age, work; member 1: age (work hidden, kids hidden for both minors).
    let p = progress(&f, &r, &eval(&f, &r));
    assert_eq!((p.answered, p.total), (2, 4));
}

#[test]
fn repeat_count_adds_items_and_hides_extra_ones_without_deleting() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    r.set_answer("n_rooms", Some(Value::Int(3)));
    eval(&f, &r).settle(&f, &mut r);
    assert_eq!(r.items(&[], "rooms"), 3);
    r.set_answer_in(
        &[("rooms", 2)],
        "room_use",
        Some(Value::Text("卧室".into())),
    );
    r.set_answer("n_rooms", Some(Value::Int(2)));
    let l = eval(&f, &r);
    assert_eq!(l.items_shown(&r, &[], "rooms"), 2);
    assert!(!l.shown("rooms[2]/room_use"));
    assert_eq!(
        r.answer_in(&[("rooms", 2)], "room_use"),
        Some(&Value::Text("卧室".into())),
        "kept"
    );
}

#[test]
fn removing_and_moving_items_carry_their_other_texts() {
    let f = roster();
    let mut r = Response::new("r".into(), &f, NOW.into());
    for age in [30, 40, 50] {
        let i = member(&mut r, age);
        r.set_answer_in(&[("members", i)], "work", Some(Value::Text("other".into())));
        r.set_other_in(&[("members", i)], "work", &format!("job{age}"));
    }
    r.move_item(&[], "members", 0, 2);
    assert_eq!(r.answer_in(&[("members", 2)], "age"), Some(&Value::Int(30)));
    assert_eq!(
        r.other_in(&[("members", 2)], "work").map(String::as_str),
        Some("job30")
    );
    assert_eq!(
        r.other_in(&[("members", 0)], "work").map(String::as_str),
        Some("job40")
    );
    r.remove_item(&[], "members", 0);
    assert_eq!(r.items(&[], "members"), 2);
    assert_eq!(
        r.other_in(&[("members", 0)], "work").map(String::as_str),
        Some("job50")
    );
    assert_eq!(
        r.other_in(&[("members", 1)], "work").map(String::as_str),
        Some("job30")
    );
    assert_eq!(r.other.len(), 2, "the removed item's text went with it");
    r.remove_item(&[], "members", 0);
    r.remove_item(&[], "members", 0);
    assert!(r.answer("members").is_none() && r.other.is_empty());
}

#[test]
fn repeat_definitions_are_checked() {
    let l = json!({"zh-CN": "问", "en": "Q"});
    let form = |q: serde_json::Value| {
        parse_form(
            &json!({"format": 1, "id": "r", "version": 1, "title": l,
                    "sections": [{"id": "s", "title": l, "questions": [q]}]})
            .to_string(),
        )
    };
    let e = form(json!({"id": "m", "type": "repeat", "label": l, "questions": []})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("questions"));
    let e = form(
        json!({"id": "m", "type": "repeat", "label": l, "min_count": 5, "max_count": 2,
        "questions": [{"id": "a", "type": "yes_no", "label": l, "privacy": "none"}]}),
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("max_count"));
    let e = form(json!({"id": "m", "type": "repeat", "label": l,
        "questions": [{"id": "m", "type": "yes_no", "label": l, "privacy": "none"}]}))
    .unwrap_err();
    assert_eq!(
        e.problem,
        crate::form::parse::Problem::Duplicate("m".into())
    );
    let e = form(
        json!({"id": "m", "type": "repeat", "label": l, "repeat_count": "${nope}",
        "questions": [{"id": "a", "type": "yes_no", "label": l, "privacy": "none"}]}),
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("repeat_count"));
}
