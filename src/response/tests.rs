use super::*;
use crate::form::{builtin_form, parse, parse_form, Form};
use serde_json::json;

fn form() -> Form {
    let l = json!({"zh-CN": "问", "en": "Q"});
    let c = |v: &str| json!({"value": v, "label": {"zh-CN": v, "en": v}});
    parse_form(
        &json!({
            "format": 1, "id": "t", "version": 2,
            "title": l,
            "sections": [
                {"id": "a", "title": l, "questions": [
                    {"id": "intro", "type": "note", "label": l},
                    {"id": "consent", "type": "yes_no", "label": l, "privacy": "none", "required": true},
                    {"id": "building", "type": "short_text", "label": l, "privacy": "identifier", "role": "building", "required": true, "max_length": 5},
                    {"id": "size", "type": "integer", "label": l, "privacy": "quasi_identifier", "min": 1, "max": 20}
                ]},
                {"id": "b", "title": l, "questions": [
                    {"id": "kind", "type": "single_choice", "label": l, "privacy": "none", "choices": [c("flat"), c("villa")], "other": true},
                    {"id": "needs", "type": "multiple_choice", "label": l, "privacy": "none", "choices": [c("lunch"), c("care"), c("repair"), c("none")], "max_choices": 2, "exclusive": ["none"], "other": true},
                    {"id": "spend", "type": "decimal", "label": l, "privacy": "sensitive", "min": 0, "max": 99999.5},
                    {"id": "moved", "type": "date", "label": l, "privacy": "quasi_identifier"},
                    {"id": "sat", "type": "rating", "label": l, "privacy": "none", "points": 5, "low": l, "high": l, "na_label": l}
                ]}
            ]
        })
        .to_string(),
    )
    .unwrap()
}

fn new_response(f: &Form) -> Response {
    Response::new("r1".into(), f, "2026-11-24T09:00:00+08:00".into())
}

fn logic(f: &Form, r: &Response) -> logic::Logic {
    logic::Logic::evaluate(f, r, "2026-11-24")
}

fn issue_of(f: &Form, r: &Response, q: &str) -> Option<IssueKind> {
    validate_question(f.question(q).unwrap(), r, &logic(f, r))
}

#[test]
fn required_questions_are_reported_until_answered() {
    let f = form();
    let mut r = new_response(&f);
    let issues = validate_section(&f, 0, &r, &logic(&f, &r));
    let ids: Vec<_> = issues.iter().map(|i| i.question.as_str()).collect();
    assert_eq!(ids, ["consent", "building"]);
    assert!(issues
        .iter()
        .all(|i| i.kind == IssueKind::Required(None) && i.section == 0));

    r.set_answer("consent", Some(Value::Bool(false)));
    r.set_answer("building", Some(Value::Text("   ".into())));
    assert_eq!(
        issue_of(&f, &r, "building"),
        Some(IssueKind::Required(None)),
        "blank text is no answer"
    );
    r.set_answer("building", Some(Value::Text("12".into())));
    assert!(validate_section(&f, 0, &r, &logic(&f, &r)).is_empty());
}

#[test]
fn numbers_are_checked_against_bounds_and_kept_when_not_numbers() {
    let f = form();
    let size = f.question("size").unwrap().kind.clone();
    let mut r = new_response(&f);
    r.set_answer("size", number_from_input(&size, "0"));
    assert_eq!(
        issue_of(&f, &r, "size"),
        Some(IssueKind::BelowMin("1".into()))
    );
    r.set_answer("size", number_from_input(&size, "21"));
    assert_eq!(
        issue_of(&f, &r, "size"),
        Some(IssueKind::AboveMax("20".into()))
    );
    r.set_answer("size", number_from_input(&size, "３"));
    assert_eq!(
        r.answer("size"),
        Some(&Value::Int(3)),
        "full-width digits are read"
    );
    r.set_answer("size", number_from_input(&size, "3.5"));
    assert_eq!(
        r.answer("size"),
        Some(&Value::Text("3.5".into())),
        "kept as typed"
    );
    assert_eq!(issue_of(&f, &r, "size"), Some(IssueKind::NotWholeNumber));
    r.set_answer("size", number_from_input(&size, " "));
    assert_eq!(r.answer("size"), None);

    let spend = f.question("spend").unwrap().kind.clone();
    r.set_answer("spend", number_from_input(&spend, "12.5"));
    assert_eq!(issue_of(&f, &r, "spend"), None);
    r.set_answer("spend", number_from_input(&spend, "abc"));
    assert_eq!(issue_of(&f, &r, "spend"), Some(IssueKind::NotNumber));
    r.set_answer("spend", number_from_input(&spend, "100000"));
    assert_eq!(
        issue_of(&f, &r, "spend"),
        Some(IssueKind::AboveMax("99999.5".into()))
    );
    r.set_answer("spend", number_from_input(&spend, "NaN"));
    assert_eq!(issue_of(&f, &r, "spend"), Some(IssueKind::NotNumber));
}

#[test]
fn choices_other_exclusive_and_limits() {
    let f = form();
    let mut r = new_response(&f);
    r.set_answer("kind", Some(Value::Text("castle".into())));
    assert_eq!(issue_of(&f, &r, "kind"), Some(IssueKind::UnknownChoice));
    r.set_answer("kind", Some(Value::Text("other".into())));
    assert_eq!(issue_of(&f, &r, "kind"), Some(IssueKind::OtherTextMissing));
    r.set_other("kind", "宿舍");
    assert_eq!(issue_of(&f, &r, "kind"), None);

    let list = |v: &[&str]| Some(Value::List(v.iter().map(|s| s.to_string()).collect()));
    r.set_answer("needs", list(&["lunch", "care", "repair"]));
    assert_eq!(
        issue_of(&f, &r, "needs"),
        Some(IssueKind::TooManyChoices(2))
    );
    r.set_answer("needs", list(&["lunch", "none"]));
    assert_eq!(issue_of(&f, &r, "needs"), Some(IssueKind::Exclusive));
    r.set_answer("needs", list(&["none"]));
    assert_eq!(issue_of(&f, &r, "needs"), None);
    r.set_answer("needs", list(&["other"]));
    assert_eq!(issue_of(&f, &r, "needs"), Some(IssueKind::OtherTextMissing));
    r.set_answer("needs", list(&[]));
    assert_eq!(r.answer("needs"), None, "an empty list is no answer");
}

#[test]
fn dates_ratings_text_length_and_wrong_types() {
    let f = form();
    let mut r = new_response(&f);
    r.set_answer("moved", Some(Value::Text("2024-02-30".into())));
    assert_eq!(issue_of(&f, &r, "moved"), Some(IssueKind::NotDate));
    r.set_answer("moved", Some(Value::Text("2024-02-29".into())));
    assert_eq!(issue_of(&f, &r, "moved"), None);
    r.set_answer("sat", Some(Value::Int(6)));
    assert_eq!(issue_of(&f, &r, "sat"), Some(IssueKind::UnknownChoice));
    r.set_answer("sat", Some(Value::Text("na".into())));
    assert_eq!(issue_of(&f, &r, "sat"), None);
    r.set_answer("building", Some(Value::Text("123456".into())));
    assert_eq!(issue_of(&f, &r, "building"), Some(IssueKind::TooLong(5)));
    r.set_answer("building", Some(Value::Text("一二三四五".into())));
    assert_eq!(
        issue_of(&f, &r, "building"),
        None,
        "length counts characters, not bytes"
    );
    r.set_answer("consent", Some(Value::Int(1)));
    assert_eq!(issue_of(&f, &r, "consent"), Some(IssueKind::WrongType));
}

#[test]
fn progress_counts_answerable_questions_only() {
    let f = form();
    let mut r = new_response(&f);
    assert_eq!(
        progress(&f, &r, &logic(&f, &r)),
        Progress {
            answered: 0,
            total: 8
        }
    );
    r.set_answer("consent", Some(Value::Bool(true)));
    r.set_answer("kind", Some(Value::Text("flat".into())));
    assert_eq!(
        section_progress(&f, 0, &r, &logic(&f, &r)),
        Progress {
            answered: 1,
            total: 3
        }
    );
    assert_eq!(progress(&f, &r, &logic(&f, &r)).answered, 2);
    assert_eq!(progress(&f, &r, &logic(&f, &r)).percent(), 25);
}

#[test]
fn completing_requires_a_valid_response() {
    let f = form();
    let mut r = new_response(&f);
    let issues = r.complete(&f, "later".into()).unwrap_err();
    assert_eq!(issues.len(), 2);
    assert_eq!(r.status, Status::Draft);
    r.set_answer("consent", Some(Value::Bool(true)));
    r.set_answer("building", Some(Value::Text("7".into())));
    r.complete(&f, "2026-11-24T10:00:00+08:00".into()).unwrap();
    assert_eq!(r.status, Status::Completed);
    assert_eq!(
        r.location(&f, crate::form::Role::Building).as_deref(),
        Some("7")
    );
    r.reopen();
    assert_eq!((r.status, r.completed.clone()), (Status::Draft, None));
}

#[test]
fn stored_json_round_trips_every_value_kind() {
    let f = form();
    let mut r = new_response(&f);
    r.set_answer("consent", Some(Value::Bool(true)));
    r.set_answer("size", Some(Value::Int(4)));
    r.set_answer("spend", Some(Value::Decimal(3.0)));
    r.set_answer("building", Some(Value::Text("12".into())));
    r.set_answer("needs", Some(Value::List(vec!["lunch".into()])));
    r.set_other("needs", "x");
    let json = serde_json::to_string(&r).unwrap();
    let back: Response = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.form_version, 2);
}

#[test]
fn sample_responses_of_the_builtin_form_are_valid_and_compact() {
    let f = builtin_form();
    for seed in 0..50 {
        let r = sample::completed(f, "0b6c1f7e-8a5d-4c1e-9f1a-3d2b7c9e0a11", seed);
        assert_eq!(
            validate_response(f, &r, &logic(f, &r)),
            vec![],
            "seed {seed}"
        );
        let p = progress(f, &r, &logic(f, &r));
        assert_eq!(
            p.answered, p.total,
            "seed {seed}: every shown question answered"
        );
        let chars = crate::store::utf16_len(&serde_json::to_string(&r).unwrap());
        // 2,130 of them must fit in 5.24 million characters with their keys.
        assert!(chars < 2_300, "seed {seed}: {chars} characters");
    }
}

#[test]
fn timestamps_and_dates() {
    use chrono::{FixedOffset, TimeZone};
    let t = FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .unwrap();
    assert_eq!(rfc3339(&t), "2026-01-02T03:04:05+08:00");
    let t = FixedOffset::west_opt(5 * 3600 + 1800)
        .unwrap()
        .with_ymd_and_hms(2026, 12, 31, 23, 59, 59)
        .unwrap();
    assert_eq!(rfc3339(&t), "2026-12-31T23:59:59-05:30");
    assert!(crate::form::parse_date("2024-02-29").is_some());
    for bad in [
        "2023-02-29",
        "2024-2-01",
        "24-02-01",
        "2024-02-01x",
        "",
        "abcd-ef-gh",
    ] {
        assert!(crate::form::parse_date(bad).is_none(), "{bad}");
    }
}

#[test]
fn declined_consent_lifts_the_residents_required_questions_only() {
    let f = builtin_form();
    let mut r = Response::new("r".into(), f, "2026-11-24T09:00:00+08:00".into());
    r.set_answer("consent", Some(Value::Bool(false)));
    assert!(declined(f, &r));
    let missing: Vec<String> = validate_response(f, &r, &logic(f, &r))
        .into_iter()
        .map(|i| i.question)
        .collect();
    assert!(
        missing.contains(&"building".to_string()),
        "location stays required"
    );
    assert!(
        missing.contains(&"visit_out".to_string()),
        "worker section stays required"
    );
    assert!(
        !missing.contains(&"members".to_string()) && !missing.contains(&"resp_age".to_string()),
        "resident questions are not, nor the roster"
    );
    assert!(!missing.contains(&"top_needs".to_string()));
    // With consent they are required again.
    r.set_answer("consent", Some(Value::Bool(true)));
    let missing: Vec<String> = validate_response(f, &r, &logic(f, &r))
        .into_iter()
        .map(|i| i.question)
        .collect();
    assert!(missing.contains(&"members".to_string()));
    assert!(missing.contains(&"resp_age".to_string()));
}

#[test]
fn other_text_goes_when_other_is_no_longer_chosen() {
    let f = form();
    let mut r = new_response(&f);
    r.set_answer("kind", Some(Value::Text("other".into())));
    r.set_other("kind", "宿舍 张三 13800000000");
    r.set_answer("kind", Some(Value::Text("other".into())));
    assert!(r.other.contains_key("kind"), "still other: text kept");
    r.set_answer("kind", Some(Value::Text("flat".into())));
    assert!(r.other.is_empty(), "other unticked: text dropped");

    r.set_answer(
        "needs",
        Some(Value::List(vec!["other".into(), "lunch".into()])),
    );
    r.set_other("needs", "x");
    r.set_answer("needs", None);
    assert!(r.other.is_empty(), "cleared: text dropped");
}

fn logic_form() -> Form {
    let l = json!({"zh-CN": "问", "en": "Q"});
    let c = |v: &str| json!({"value": v, "label": {"zh-CN": v, "en": v}});
    parse_form(
        &json!({
            "format": 1, "id": "t", "version": 1, "title": l,
            "sections": [
                {"id": "a", "title": l, "questions": [
                    {"id": "size", "type": "integer", "label": l, "privacy": "none", "min": 1, "max": 20},
                    {"id": "kids", "type": "integer", "label": l, "privacy": "sensitive",
                     "constraint": ". <= ${size}",
                     "constraint_message": {"zh-CN": "不能多于家庭人数", "en": "Cannot exceed the household size"}},
                    {"id": "pets", "type": "yes_no", "label": l, "privacy": "none"},
                    {"id": "pet_kind", "type": "multiple_choice", "label": l, "privacy": "none",
                     "choices": [c("cat"), c("dog")], "relevant": "${pets} = 'yes'", "required": true},
                    {"id": "adults", "type": "calculate", "privacy": "none", "label": l,
                     "calculation": "${size} - coalesce(${kids}, 0)"},
                    {"id": "why", "type": "short_text", "label": l, "privacy": "free_text",
                     "required": "${adults} < 1"}
                ]},
                {"id": "children", "title": l, "relevant": "${kids} > 0", "questions": [
                    {"id": "care", "type": "single_choice", "label": l, "privacy": "none",
                     "choices": [c("family"), c("none")], "required": true}
                ]}
            ]
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn relevant_hides_questions_and_sections_and_keeps_their_answers() {
    let f = logic_form();
    let mut r = new_response(&f);
    let l = logic(&f, &r);
    assert!(!l.shown("pet_kind"), "hidden until pets = yes");
    assert!(
        !l.section_shown(1),
        "children section hidden until kids > 0"
    );
    assert!(validate_response(&f, &r, &l)
        .iter()
        .all(|i| i.question != "pet_kind" && i.question != "care"));

    r.set_answer("pets", Some(Value::Bool(true)));
    r.set_answer("size", Some(Value::Int(4)));
    r.set_answer("kids", Some(Value::Int(2)));
    let l = logic(&f, &r);
    assert!(l.shown("pet_kind") && l.section_shown(1));
    let missing: Vec<_> = validate_response(&f, &r, &l)
        .into_iter()
        .map(|i| i.question)
        .collect();
    assert_eq!(missing, ["pet_kind", "care"], "shown and required");
    assert_eq!(
        progress(&f, &r, &l),
        Progress {
            answered: 3,
            total: 6
        }
    );

    // Hidden again: the answer is kept but no longer checked or counted.
    r.set_answer("pet_kind", Some(Value::List(vec!["cat".into()])));
    r.set_answer("pets", Some(Value::Bool(false)));
    let l = logic(&f, &r);
    assert!(!l.shown("pet_kind"));
    assert!(r.answer("pet_kind").is_some(), "kept");
    assert_eq!(
        progress(&f, &r, &l),
        Progress {
            answered: 3,
            total: 5
        }
    );
}

#[test]
fn constraints_with_messages_and_required_expressions() {
    let f = logic_form();
    let mut r = new_response(&f);
    r.set_answer("size", Some(Value::Int(2)));
    r.set_answer("kids", Some(Value::Int(3)));
    match issue_of(&f, &r, "kids") {
        Some(IssueKind::Constraint(Some(m))) => {
            assert_eq!(m.en, "Cannot exceed the household size")
        }
        other => panic!("expected the form's constraint message, got {other:?}"),
    }
    r.set_answer("kids", Some(Value::Int(2)));
    assert_eq!(issue_of(&f, &r, "kids"), None);
    // adults = 2 - 2 = 0 < 1: "why" becomes required.
    assert_eq!(issue_of(&f, &r, "why"), Some(IssueKind::Required(None)));
    r.set_answer("kids", Some(Value::Int(1)));
    assert_eq!(issue_of(&f, &r, "why"), None);
}

#[test]
fn calculations_are_computed_and_stored() {
    let f = logic_form();
    let mut r = new_response(&f);
    r.set_answer("size", Some(Value::Int(5)));
    let mut l = logic(&f, &r);
    assert!(l.settle(&f, &mut r));
    assert_eq!(r.answer("adults"), Some(&Value::Int(5)));
    r.set_answer("kids", Some(Value::Int(2)));
    assert!(logic(&f, &r).settle(&f, &mut r));
    assert_eq!(r.answer("adults"), Some(&Value::Int(3)));
    assert!(!logic(&f, &r).settle(&f, &mut r), "nothing changed");
    r.set_answer("size", None);
    logic(&f, &r).settle(&f, &mut r);
    assert_eq!(r.answer("adults"), None, "NaN stores nothing");
}

#[test]
fn labels_quote_answers_in_the_readers_language() {
    use crate::i18n::Lang;
    let f = logic_form();
    let mut r = new_response(&f);
    r.set_answer("size", Some(Value::Int(4)));
    r.set_answer("pets", Some(Value::Bool(true)));
    r.set_answer(
        "pet_kind",
        Some(Value::List(vec!["cat".into(), "dog".into()])),
    );
    let l = logic(&f, &r);
    let fill = |t: &str, lang| logic::fill_in(t, &f, &r, &l, lang);
    assert_eq!(fill("共 ${size} 人", Lang::Zh), "共 4 人");
    assert_eq!(fill("${pets}/${ pet_kind }", Lang::Zh), "是/cat、dog");
    assert_eq!(fill("${pets}: ${pet_kind}", Lang::En), "Yes: cat, dog");
    assert_eq!(
        fill("adults: ${adults}", Lang::En),
        "adults: 4",
        "calculated values too"
    );
    assert_eq!(
        fill("${kids}|${care}", Lang::En),
        "|",
        "unanswered and hidden are empty"
    );
    assert_eq!(fill("no refs", Lang::En), "no refs");
    assert_eq!(fill("broken ${size", Lang::En), "broken ${size");
}

#[test]
fn defaults_fill_a_new_response_and_must_fit_their_question() {
    let l = json!({"zh-CN": "问", "en": "Q"});
    let c = |v: &str| json!({"value": v, "label": {"zh-CN": v, "en": v}});
    let form = |defaults: serde_json::Value| {
        let d = |k: &str| defaults.get(k).cloned().unwrap_or(serde_json::Value::Null);
        let mut qs = vec![
            json!({"id": "n", "type": "integer", "label": l, "privacy": "none", "default": d("n")}),
            json!({"id": "when", "type": "date", "label": l, "privacy": "none", "default": d("when")}),
            json!({"id": "ok", "type": "yes_no", "label": l, "privacy": "none", "default": d("ok")}),
            json!({"id": "pick", "type": "multiple_choice", "label": l, "privacy": "none",
                   "choices": [c("a"), c("b")], "default": d("pick")}),
        ];
        for q in &mut qs {
            if q["default"].is_null() {
                q.as_object_mut().unwrap().remove("default");
            }
        }
        parse_form(
            &json!({"format": 1, "id": "t", "version": 1, "title": l,
                    "sections": [{"id": "s", "title": l, "questions": qs}]})
            .to_string(),
        )
    };
    let f = form(json!({"n": "1", "when": "today()", "ok": "yes", "pick": "a b"})).unwrap();
    let r = Response::with_defaults("r".into(), &f, "2026-11-24T09:00:00+08:00".into());
    assert_eq!(r.answer("n"), Some(&Value::Int(1)));
    assert_eq!(r.answer("when"), Some(&Value::Text("2026-11-24".into())));
    assert_eq!(r.answer("ok"), Some(&Value::Bool(true)));
    assert_eq!(
        r.answer("pick"),
        Some(&Value::List(vec!["a".into(), "b".into()]))
    );

    for bad in [
        json!({"n": "x"}),
        json!({"when": "tomorrow"}),
        json!({"ok": "maybe"}),
        json!({"pick": "a z"}),
    ] {
        let e = form(bad.clone()).expect_err(&bad.to_string());
        assert_eq!(e.field.as_deref(), Some("default"), "{bad}: {e}");
    }
}

#[test]
fn stored_answers_read_back_by_their_json_shape() {
    let read = |j: &str| serde_json::from_str::<Value>(j);
    assert_eq!(read("true").unwrap(), Value::Bool(true));
    assert_eq!(read("-3").unwrap(), Value::Int(-3));
    assert_eq!(read("2.5").unwrap(), Value::Decimal(2.5));
    assert_eq!(
        read("18446744073709551615").unwrap(),
        Value::Decimal(18446744073709551615.0)
    );
    assert_eq!(read(r#""a""#).unwrap(), Value::Text("a".into()));
    assert_eq!(read("[]").unwrap(), Value::List(vec![]));
    assert_eq!(
        read(r#"["a","b"]"#).unwrap(),
        Value::List(vec!["a".into(), "b".into()])
    );
    let rows = read(r#"[{"age":3,"k":[{"x":"y"}]}]"#).unwrap();
    let Value::Rows(rows) = rows else {
        panic!("rows")
    };
    assert_eq!(rows[0]["age"], Value::Int(3));
    assert!(
        matches!(&rows[0]["k"], Value::Rows(inner) if inner[0]["x"] == Value::Text("y".into()))
    );
    assert!(read(r#"["a",{"b":1}]"#).is_err(), "mixed lists are refused");
    assert!(read("null").is_err());
}

fn filtered_form() -> Form {
    let l = json!({"zh-CN": "问", "en": "Q"});
    let c = |v: &str, city: &str| json!({"value": v, "label": {"zh-CN": v, "en": v}, "columns": {"city": city}});
    parse_form(
        &json!({
            "format": 1, "id": "cf", "version": 1, "title": l,
            "sections": [{"id": "s", "title": l, "questions": [
                {"id": "city", "type": "single_choice", "label": l, "privacy": "quasi_identifier",
                 "choices": [c("sz", ""), c("gz", "")]},
                {"id": "district", "type": "single_choice", "label": l, "privacy": "quasi_identifier",
                 "choices": [c("nanshan", "sz"), c("futian", "sz"), c("tianhe", "gz")],
                 "choice_filter": "city = ${city}", "other": true},
                {"id": "services", "type": "multiple_choice", "label": l, "privacy": "none",
                 "choices": [c("meals", "sz"), c("visits", "gz"), c("none", "")],
                 "choice_filter": "city = ${city} or name = 'none'"}
            ]}]
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn choice_filter_offers_the_choices_whose_columns_match_the_answers() {
    let f = filtered_form();
    let mut r = new_response(&f);
    let offered = |r: &Response, q: &str| -> Vec<String> {
        let l = logic(&f, r);
        l.choices_offered(f.question(q).unwrap(), r, &[])
            .into_iter()
            .map(|c| c.value.clone())
            .collect()
    };
    assert!(
        offered(&r, "district").is_empty(),
        "no city yet: nothing fits"
    );
    assert_eq!(offered(&r, "services"), ["none"]);
    r.set_answer("city", Some(Value::Text("sz".into())));
    assert_eq!(offered(&r, "district"), ["nanshan", "futian"]);
    assert_eq!(offered(&r, "services"), ["meals", "none"]);
    r.set_answer("district", Some(Value::Text("futian".into())));
    r.set_answer("services", Some(Value::List(vec!["meals".into()])));
    assert_eq!(issue_of(&f, &r, "district"), None);
    // The city changes: the chosen district no longer fits and must be chosen again;
    // "other" is never filtered out.
    r.set_answer("city", Some(Value::Text("gz".into())));
    assert_eq!(offered(&r, "district"), ["tianhe"]);
    assert_eq!(issue_of(&f, &r, "district"), Some(IssueKind::NotOffered));
    assert_eq!(issue_of(&f, &r, "services"), Some(IssueKind::NotOffered));
    r.set_answer("district", Some(Value::Text("other".into())));
    r.set_other("district", "黄埔");
    assert_eq!(issue_of(&f, &r, "district"), None);
}

#[test]
fn choice_filter_columns_are_checked_at_load() {
    let l = json!({"zh-CN": "问", "en": "Q"});
    let form = |filter: &str, field: &str| {
        parse_form(
            &json!({
                "format": 1, "id": "cf", "version": 1, "title": l,
                "sections": [{"id": "s", "title": l, "questions": [
                    {"id": "a", "type": "integer", "label": l, "privacy": "none"},
                    {"id": "b", "type": "single_choice", "label": l, "privacy": "none",
                     "choices": [{"value": "x", "label": l, "columns": {"size": "1"}}],
                     field: filter}
                ]}]
            })
            .to_string(),
        )
    };
    assert!(form("size <= ${a}", "choice_filter").is_ok());
    assert!(form("name != 'y'", "choice_filter").is_ok());
    let e = form("colour = 'red'", "choice_filter").unwrap_err();
    assert_eq!(e.problem, parse::Problem::UnknownColumn("colour".into()));
    assert!(e.describe(crate::i18n::Lang::En).contains("colour"));
    // A bare name anywhere else is a mistake, reported with its position.
    let e = form("size > 1", "relevant").unwrap_err();
    assert!(
        matches!(e.problem, parse::Problem::Expression { position: 1, .. }),
        "{e:?}"
    );
    let e = form("size <= ${nope}", "choice_filter").unwrap_err();
    assert_eq!(e.problem, parse::Problem::UnknownReference("nope".into()));
}

#[test]
fn the_builtin_household_size_and_age_counts_come_from_the_roster() {
    let f = builtin_form();
    let mut r = new_response(f);
    let section_reading = |name: &str| {
        f.sections
            .iter()
            .position(|s| s.relevant.as_ref().is_some_and(|c| c.source.contains(name)))
            .unwrap()
    };
    let (elderly, children) = (section_reading("n_over60"), section_reading("n_under14"));
    let l = logic(f, &r);
    assert!(!l.section_shown(elderly) && !l.section_shown(children));
    for age in [82, 64, 35, 8] {
        let i = r.add_item(&[], "members").unwrap();
        r.set_answer_in(&[("members", i)], "m_age", Some(Value::Int(age)));
    }
    let mut l = logic(f, &r);
    l.settle(f, &mut r);
    let n = |r: &Response, id: &str| r.answer(id).cloned();
    assert_eq!(n(&r, "hh_size"), Some(Value::Int(4)));
    assert_eq!(n(&r, "n_over60"), Some(Value::Int(2)));
    assert_eq!(n(&r, "n_over80"), Some(Value::Int(1)));
    assert_eq!(n(&r, "n_under14"), Some(Value::Int(1)));
    assert!(l.section_shown(elderly) && l.section_shown(children));
    r.remove_item(&[], "members", 3);
    r.remove_item(&[], "members", 0);
    l.update_items(f, &r, "members");
    l.settle(f, &mut r);
    assert_eq!(n(&r, "hh_size"), Some(Value::Int(2)));
    assert_eq!(n(&r, "n_over80"), Some(Value::Int(0)));
    assert!(l.section_shown(elderly) && !l.section_shown(children));
}
