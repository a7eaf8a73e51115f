use super::*;
use crate::i18n::Lang;
use serde_json::json;

fn minimal(questions: serde_json::Value) -> String {
    json!({
        "format": 1,
        "id": "t",
        "version": 1,
        "title": {"zh-CN": "测试", "en": "Test"},
        "sections": [{"id": "s1", "title": {"zh-CN": "一", "en": "One"}, "questions": questions}]
    })
    .to_string()
}

fn label() -> serde_json::Value {
    json!({"zh-CN": "问", "en": "Q"})
}

fn err_of(questions: serde_json::Value) -> FormError {
    parse_form(&minimal(questions)).expect_err("should be refused")
}

#[test]
fn builtin_form_parses_and_is_in_range() {
    let f = builtin_form();
    let n = f.answerable_count();
    assert!((40..=70).contains(&n), "{n} answerable questions");
    assert_eq!(f.id, "community-needs");
    // Every question type is used, and the location roles exist.
    let kinds: std::collections::HashSet<_> = f
        .questions()
        .map(|(_, q)| std::mem::discriminant(&q.kind))
        .collect();
    assert_eq!(
        kinds.len(),
        12,
        "every question type, calculate and repeat included"
    );
    for role in [Role::Building, Role::Unit, Role::Room] {
        let q = f.question_with_role(role).expect("location question");
        assert_eq!(q.privacy, Some(Privacy::Identifier));
    }
    assert!(f.sections.iter().any(|s| s.audience == Audience::Worker));
    assert_eq!(f.sections[0].id, "consent");
}

#[test]
fn builtin_form_free_text_is_classed() {
    for (_, q) in builtin_form().questions() {
        if matches!(q.kind, Kind::LongText { .. }) {
            assert_eq!(q.privacy, Some(Privacy::FreeText), "{}", q.id);
        }
    }
}

#[test]
fn a_valid_minimal_form_parses() {
    let f = parse_form(&minimal(json!([
        {"id": "age", "type": "integer", "label": label(), "privacy": "quasi_identifier", "min": 0, "max": 120},
        {"id": "n", "type": "note", "label": label()}
    ])))
    .unwrap();
    assert_eq!(f.answerable_count(), 1);
    assert_eq!(
        f.question("age").unwrap().kind,
        Kind::Integer {
            min: Some(0),
            max: Some(120),
            unit: None
        }
    );
}

#[test]
fn min_above_max_names_question_and_field() {
    let e = err_of(json!([
        {"id": "age", "type": "integer", "label": label(), "privacy": "none", "min": 90, "max": 10}
    ]));
    assert_eq!(e.question.as_deref(), Some("age"));
    assert_eq!(e.section.as_deref(), Some("s1"));
    assert_eq!(e.field.as_deref(), Some("max"));
    assert_eq!(
        e.to_string(),
        "question \"age\" (section \"s1\"), field \"max\": min 90 is greater than max 10"
    );
    assert!(e.describe(Lang::Zh).contains("题目“age”"));
}

#[test]
fn wrong_type_of_field_names_it() {
    let e = err_of(json!([
        {"id": "age", "type": "integer", "label": label(), "privacy": "none", "max": "ten"}
    ]));
    assert_eq!(e.question.as_deref(), Some("age"));
    assert_eq!(e.field.as_deref(), Some("max"));
}

#[test]
fn unknown_type_and_unknown_field_are_named() {
    let e = err_of(json!([{"id": "q", "type": "radio", "label": label(), "privacy": "none"}]));
    assert_eq!(e.question.as_deref(), Some("q"));
    assert_eq!(e.field.as_deref(), Some("type"));
    assert!(e.to_string().contains("radio"), "{e}");

    let e = err_of(
        json!([{"id": "q", "type": "yes_no", "label": label(), "privacy": "none", "requried": true}]),
    );
    assert_eq!(e.question.as_deref(), Some("q"));
    assert_eq!(e.field.as_deref(), Some("requried"));

    let e = err_of(json!([{"id": "q", "type": "yes_no", "privacy": "none"}]));
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("q"), Some("label"))
    );
}

/// Repeat's `questions` on another type was dropped without a word, questions and all.
#[test]
fn questions_inside_a_question_that_is_not_a_repeat_are_refused() {
    let e = err_of(
        json!([{"id": "q", "type": "yes_no", "label": label(), "privacy": "none",
        "questions": [{"id": "c", "type": "yes_no", "label": label(), "privacy": "none"}]}]),
    );
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("q"), Some("questions"))
    );
    assert_eq!(e.problem, parse::Problem::NotUsedByType("yes_no".into()));
}

#[test]
fn a_question_without_id_is_named_by_position() {
    let e = err_of(json!([
        {"id": "a", "type": "yes_no", "label": label(), "privacy": "none"},
        {"type": "yes_no", "label": label(), "privacy": "none"}
    ]));
    assert_eq!(e.question.as_deref(), Some("#2"));
    assert!(e.to_string().contains("id"), "{e}");
}

#[test]
fn missing_privacy_and_missing_language_are_refused() {
    let e = err_of(json!([{"id": "q", "type": "yes_no", "label": label()}]));
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("q"), Some("privacy"))
    );

    let e = err_of(
        json!([{"id": "q", "type": "yes_no", "label": {"zh-CN": "问", "en": ""}, "privacy": "none"}]),
    );
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("q"), Some("label"))
    );
}

#[test]
fn choice_rules() {
    let c = |v: &str| json!({"value": v, "label": label()});
    let e = err_of(
        json!([{"id": "q", "type": "single_choice", "label": label(), "privacy": "none", "choices": []}]),
    );
    assert_eq!(e.field.as_deref(), Some("choices"));
    let e = err_of(
        json!([{"id": "q", "type": "single_choice", "label": label(), "privacy": "none", "choices": [c("a"), c("a")]}]),
    );
    assert_eq!(e.problem, parse::Problem::Duplicate("a".into()));
    let e = err_of(
        json!([{"id": "q", "type": "multiple_choice", "label": label(), "privacy": "none", "choices": [c("a")], "max_choices": 3}]),
    );
    assert_eq!(e.field.as_deref(), Some("max_choices"));
    let e = err_of(
        json!([{"id": "q", "type": "multiple_choice", "label": label(), "privacy": "none", "choices": [c("a")], "exclusive": ["none"]}]),
    );
    assert_eq!(e.field.as_deref(), Some("exclusive"));
    let e = err_of(
        json!([{"id": "q", "type": "short_text", "label": label(), "privacy": "none", "choices": [c("a")]}]),
    );
    assert_eq!(e.field.as_deref(), Some("choices"));
    assert!(e.to_string().contains("not used by type short_text"), "{e}");
}

#[test]
fn duplicate_question_ids_are_refused() {
    let e = err_of(json!([
        {"id": "a", "type": "yes_no", "label": label(), "privacy": "none"},
        {"id": "a", "type": "date", "label": label(), "privacy": "none"}
    ]));
    assert_eq!(e.problem, parse::Problem::Duplicate("a".into()));
}

#[test]
fn rating_needs_points_and_ends() {
    let e = err_of(
        json!([{"id": "r", "type": "rating", "label": label(), "privacy": "none", "points": 11, "low": label(), "high": label()}]),
    );
    assert_eq!(e.field.as_deref(), Some("points"));
    let e = err_of(
        json!([{"id": "r", "type": "rating", "label": label(), "privacy": "none", "points": 5, "low": label()}]),
    );
    assert_eq!(e.field.as_deref(), Some("high"));
}

#[test]
fn syntax_errors_and_newer_formats() {
    let e = parse_form("{\"format\": 1,").unwrap_err();
    assert!(
        matches!(e.problem, parse::Problem::Syntax { line: 1, .. }),
        "{e}"
    );
    let e = parse_form(r#"{"format": 2, "id": "x"}"#).unwrap_err();
    assert_eq!(e.problem, parse::Problem::UnsupportedFormat(2));
    assert!(e.describe(Lang::Zh).contains("更新"));
}

/// The embedded compiled form must be exactly what the source compiles to. After editing
/// `forms/community-needs.json`, run `make forms` (or set DOORSTEP_UPDATE_FORMS=1 for this
/// test) to write it again.
#[test]
fn the_compiled_builtin_form_matches_its_source() {
    let source = include_str!("../../forms/community-needs.json");
    let compiled = serde_json::to_string(&parse_form(source).unwrap()).unwrap();
    if std::env::var_os("DOORSTEP_UPDATE_FORMS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/form/community-needs.compiled.json"
        );
        std::fs::write(path, &compiled).unwrap();
        return;
    }
    assert!(
        compiled == builtin::COMPILED,
        "src/form/community-needs.compiled.json is out of date: run `make forms`"
    );
}

#[test]
fn form_round_trips_through_serde() {
    let f = builtin_form();
    let json = serde_json::to_string(f).unwrap();
    let mut back: Form = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, f);
    // The follow-up rules travel with the form and are read back on their own.
    let mut full = parse_form(include_str!("../../forms/community-needs.json")).unwrap();
    assert_eq!(full.follow_up.len(), 3);
    back.follow_up = follow_up_rules(&serde_json::to_string(&full).unwrap());
    assert_eq!(back.follow_up, full.follow_up);
    assert_eq!(builtin_rules(), full.follow_up.as_slice());
    full.follow_up.clear();
    // So do the anonymisation rules.
    let json = serde_json::to_string(&full).unwrap();
    assert_eq!(crate::form::anonymise_rules(&json).unwrap(), full.anonymise);
    full.anonymise = Default::default();
    assert_eq!(&full, f, "the app's copy has everything else");
}

#[test]
fn consent_role_needs_a_yes_no_question() {
    let e = err_of(
        json!([{"id": "c", "type": "short_text", "label": label(), "privacy": "none", "role": "consent"}]),
    );
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("c"), Some("role"))
    );
    assert_eq!(
        builtin_form().consent_question().map(|q| q.id.as_str()),
        Some("consent")
    );
}

#[test]
fn expression_errors_name_question_field_and_position() {
    let e = err_of(json!([
        {"id": "a", "type": "integer", "label": label(), "privacy": "none"},
        {"id": "b", "type": "integer", "label": label(), "privacy": "none", "relevant": "${a} > > 1"}
    ]));
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("b"), Some("relevant"))
    );
    assert!(
        matches!(e.problem, parse::Problem::Expression { position: 8, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("character 8"), "{e}");

    let e = err_of(json!([
        {"id": "a", "type": "integer", "label": label(), "privacy": "none", "constraint": ". < ${nope}"}
    ]));
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("a"), Some("constraint"))
    );
    assert_eq!(e.problem, parse::Problem::UnknownReference("nope".into()));

    let e = err_of(json!([{"id": "c", "type": "calculate", "label": label(), "privacy": "none"}]));
    assert_eq!(e.field.as_deref(), Some("calculation"));
}

#[test]
fn required_accepts_booleans_xlsform_words_and_expressions() {
    let f = parse_form(&minimal(json!([
        {"id": "a", "type": "yes_no", "label": label(), "privacy": "none", "required": "yes"},
        {"id": "b", "type": "yes_no", "label": label(), "privacy": "none", "required": "${a} = 'yes'"}
    ])))
    .unwrap();
    assert!(f.question("a").unwrap().required);
    assert!(f.question("b").unwrap().required_if.is_some());
}

#[test]
fn labels_may_only_quote_questions_of_the_form() {
    let e = err_of(json!([
        {"id": "a", "type": "integer", "label": {"zh-CN": "共 ${b} 人", "en": "Of ${b}"}, "privacy": "none"}
    ]));
    assert_eq!(
        (e.question.as_deref(), e.field.as_deref()),
        (Some("a"), Some("label"))
    );
    assert_eq!(e.problem, parse::Problem::UnknownReference("b".into()));
}

#[test]
fn anonymisation_rules_must_fit_their_questions() {
    let source = include_str!("../../forms/community-needs.json");
    let full = parse_form(source).unwrap();
    assert_eq!(full.anonymise, crate::form::builtin_anonymise());
    assert_eq!(
        full.anonymise.generalise.get("m_age"),
        Some(&crate::form::Generalise::Bands { width: 10, top: 90 })
    );
    let cases = [
        // A date rule on a choice question.
        (
            r#""last_check": "month""#,
            r#""resp_work": "month""#,
            "resp_work",
        ),
        // A question the form does not have.
        (r#""last_check": "month""#, r#""nope": "year""#, "nope"),
        // Coarsening an identifier by anything but its area.
        (
            r#""building": "area""#,
            r#""room": {"cap": {"at": 3}}"#,
            "room",
        ),
        // The area of a question that is not the building.
        (
            r#""building": "area""#,
            r#""house_type": "area""#,
            "house_type",
        ),
        // k-anonymity over an answer that is not a quasi-identifier.
        (
            r#""years_here", "resp_sex""#,
            r#""years_here", "consent""#,
            "consent",
        ),
        (
            r#""years_here", "resp_sex""#,
            r#""years_here", "years_here""#,
            "years_here",
        ),
    ];
    for (from, to, question) in cases {
        assert!(source.contains(from), "{from}");
        let e = parse_form(&source.replacen(from, to, 1)).unwrap_err();
        assert_eq!(e.question.as_deref(), Some(question), "{to}: {e}");
        assert_eq!(e.section.as_deref(), Some("anonymise"));
        assert!(!e.describe(crate::i18n::Lang::Zh).is_empty());
    }
}

#[test]
fn the_built_in_forms_name_as_constants_matches_the_form() {
    let b = builtin_form();
    assert_eq!(b.id, crate::form::BUILTIN_ID);
    assert_eq!(b.version, crate::form::BUILTIN_VERSION);
    assert_eq!(
        (b.title.zh.as_str(), b.title.en.as_str()),
        crate::form::BUILTIN_TITLE
    );
}

/// `Kind`'s hand-written `Deserialize` (kind_de.rs) against what `#[derive(Deserialize)]`
/// makes of the same enum: the same values from the same JSON, the same errors (with their
/// positions) from malformed JSON.
#[cfg(not(target_arch = "wasm32"))]
mod kind_deserialize {
    use super::*;
    use proptest::prelude::*;

    /// `Kind` as it was declared, with the derived impl.
    #[derive(Debug, Serialize, Deserialize)]
    enum Kind {
        SingleChoice {
            choices: Vec<Choice>,
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            other: bool,
        },
        MultipleChoice {
            choices: Vec<Choice>,
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            other: bool,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            max_choices: Option<u32>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            exclusive: Vec<String>,
        },
        ShortText {
            max_length: u32,
        },
        LongText {
            max_length: u32,
        },
        Integer {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            min: Option<i64>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            max: Option<i64>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            unit: Option<Text>,
        },
        Decimal {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            min: Option<f64>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            max: Option<f64>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            unit: Option<Text>,
        },
        Date,
        YesNo,
        Rating {
            points: u32,
            low: Text,
            high: Text,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            na_label: Option<Text>,
        },
        Note,
        Calculate {
            calculation: Code,
        },
        Repeat {
            questions: Vec<Question>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            count: Option<Code>,
            min_count: u32,
            max_count: u32,
        },
    }

    /// Both impls on `json`, read as text and (where it is valid JSON) through a `Value`.
    fn same(json: &str) {
        fn compare<E: std::fmt::Display + std::fmt::Debug>(
            json: &str,
            ours: Result<super::Kind, E>,
            derived: Result<Kind, E>,
        ) {
            match (ours, derived) {
                (Ok(a), Ok(b)) => assert_eq!(
                    serde_json::to_value(&a).unwrap(),
                    serde_json::to_value(&b).unwrap(),
                    "{json}"
                ),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{json}"),
                (a, b) => panic!("{json}: hand-written {a:?}, derived {b:?}"),
            }
        }
        compare(json, serde_json::from_str(json), serde_json::from_str(json));
        // Nested, so that error positions are not at the end of the input.
        let nested = format!("[{json}, 0]");
        compare(
            json,
            serde_json::from_str::<(super::Kind, u8)>(&nested).map(|k| k.0),
            serde_json::from_str::<(Kind, u8)>(&nested).map(|k| k.0),
        );
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(json) {
            compare(
                json,
                serde_json::from_value(v.clone()),
                serde_json::from_value(v),
            );
        }
    }

    const TEXT: &str = r#"{"zh-CN": "甲", "en": "A"}"#;
    const CHOICES: &str = r#"[{"value": "a", "label": {"zh-CN": "甲", "en": "A"}}]"#;
    const QUESTIONS: &str = r#"[{"id": "q", "label": {"zh-CN": "甲", "en": "A"},
        "required": false, "privacy": "none", "kind": {"Repeat": {"questions": [{"id": "r",
        "label": {"zh-CN": "乙", "en": "B"}, "required": true, "privacy": null,
        "kind": "YesNo"}], "min_count": 0, "max_count": 3, "count": "${n}"}}}]"#;

    #[test]
    fn every_variant_round_trips() {
        let t = || Text::new("甲", "A");
        let kinds = [
            super::Kind::SingleChoice {
                choices: builtin_form()
                    .questions()
                    .find_map(|(_, q)| Some(q.kind.choices().to_vec()).filter(|c| !c.is_empty()))
                    .unwrap(),
                other: true,
            },
            super::Kind::SingleChoice {
                choices: vec![],
                other: false,
            },
            super::Kind::MultipleChoice {
                choices: vec![],
                other: true,
                max_choices: Some(2),
                exclusive: vec!["none".into()],
            },
            super::Kind::MultipleChoice {
                choices: vec![],
                other: false,
                max_choices: None,
                exclusive: vec![],
            },
            super::Kind::ShortText { max_length: 80 },
            super::Kind::LongText { max_length: 2000 },
            super::Kind::Integer {
                min: Some(-3),
                max: Some(i64::MAX),
                unit: Some(t()),
            },
            super::Kind::Integer {
                min: None,
                max: None,
                unit: None,
            },
            super::Kind::Decimal {
                min: Some(-0.5),
                max: Some(1e300),
                unit: Some(t()),
            },
            super::Kind::Decimal {
                min: None,
                max: None,
                unit: None,
            },
            super::Kind::Date,
            super::Kind::YesNo,
            super::Kind::Rating {
                points: 5,
                low: t(),
                high: t(),
                na_label: Some(t()),
            },
            super::Kind::Rating {
                points: 3,
                low: t(),
                high: t(),
                na_label: None,
            },
            super::Kind::Note,
            super::Kind::Calculate {
                calculation: Code::parse("${a} + 1").unwrap(),
            },
            super::Kind::Repeat {
                questions: builtin_form().sections[0].questions.clone(),
                count: Some(Code::parse("${n}").unwrap()),
                min_count: 0,
                max_count: 9,
            },
            super::Kind::Repeat {
                questions: vec![],
                count: None,
                min_count: 1,
                max_count: 1,
            },
        ];
        for k in kinds {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(
                serde_json::from_str::<super::Kind>(&json).unwrap(),
                k,
                "{json}"
            );
            same(&json);
        }
        // Every question of the built-in form, and the form itself.
        for (_, q) in builtin_form().questions() {
            same(&serde_json::to_string(&q.kind).unwrap());
        }
    }

    #[test]
    fn malformed_kinds_fail_as_before() {
        for json in [
            r#""YesNo""#,
            r#"{"YesNo": null}"#,
            r#"{"YesNo": {}}"#,
            r#"{"YesNo": []}"#,
            r#""ShortText""#,
            r#"{"ShortText": null}"#,
            r#"{"ShortText": 5}"#,
            r#"{"ShortText": {}}"#,
            r#"{"ShortText": {"max_length": 5, "max_length": 6}}"#,
            r#"{"ShortText": {"max_length": -1}}"#,
            r#"{"ShortText": {"max_length": 5, "choices": 7, "zzz": [1, {}]}}"#,
            r#"{"ShortText": [5]}"#,
            r#"{"ShortText": []}"#,
            r#"{"ShortText": [5, 6]}"#,
            r#"{"Integer": {"min": 1.5}}"#,
            r#"{"Integer": {"min": 1e3}}"#,
            r#"{"Integer": {"max": 18446744073709551615}}"#,
            r#"{"Integer": {"min": null, "max": 3, "unit": null}}"#,
            r#"{"Integer": {"unit": {"zh-CN": "岁"}}}"#,
            r#"{"Integer": [1, 2]}"#,
            r#"{"Integer": [1.5]}"#,
            r#"{"Decimal": {"min": 1, "max": 2.5}}"#,
            r#"{"Decimal": {"min": "1"}}"#,
            r#"{"Decimal": {"min": 1, "min": 1}}"#,
            r#"{"Decimal": []}"#,
            r#"{"Rating": {"points": 5, "low": {"zh-CN": "低", "en": "low"}}}"#,
            r#"{"Rating": {"high": {"zh-CN": "低", "en": "low"}}}"#,
            r#"{"Rating": [5]}"#,
            r#"{"Calculate": {"calculation": "1 +"}}"#,
            r#"{"Calculate": {"calculation": 1}}"#,
            r#"{"Calculate": {}}"#,
            r#"{"Repeat": {"questions": [], "min_count": 0}}"#,
            r#"{"Repeat": {"questions": [], "max_count": 0}}"#,
            r#"{"Repeat": {"questions": [], "min_count": 0, "max_count": 1, "count": "("}}"#,
            r#"{"Repeat": [[], null, 0]}"#,
            r#"{"Repeat": [[], null, 0, 1]}"#,
            r#"{"SingleChoice": {"other": true}}"#,
            r#"{"SingleChoice": {"choices": [], "other": 1}}"#,
            r#"{"MultipleChoice": {"choices": [], "exclusive": "a"}}"#,
            r#"{"MultipleChoice": {"choices": [], "max_choices": null}}"#,
            r#"{"MultipleChoice": [[], true, 2, ["x"]]}"#,
            r#"{"MultipleChoice": [[], true]}"#,
            r#"{"Unknown": {}}"#,
            r#""Unknown""#,
            r#""yes_no""#,
            r#"{}"#,
            r#"{"YesNo": null, "Date": null}"#,
            r#"{"Note": null, "#,
            r#"["Note"]"#,
            r#"null"#,
            r#"3"#,
        ] {
            same(json);
        }
        // Spelled out: an Integer's bounds stay whole numbers, a Decimal's may have a fraction.
        let read = serde_json::from_str::<super::Kind>;
        assert!(read(r#"{"Integer": {"min": 1.5}}"#).is_err());
        assert!(read(r#"{"Decimal": {"min": 1.5}}"#).is_ok());
        assert!(read(r#"{"ShortText": {}}"#)
            .unwrap_err()
            .to_string()
            .starts_with("missing field `max_length`"));
    }

    const VARIANTS: &[&str] = &[
        "SingleChoice",
        "MultipleChoice",
        "ShortText",
        "LongText",
        "Integer",
        "Decimal",
        "Date",
        "YesNo",
        "Rating",
        "Note",
        "Calculate",
        "Repeat",
        "Other",
    ];
    const KEYS: &[&str] = &[
        "choices",
        "other",
        "max_choices",
        "exclusive",
        "max_length",
        "min",
        "max",
        "unit",
        "points",
        "low",
        "high",
        "na_label",
        "calculation",
        "questions",
        "count",
        "min_count",
        "max_count",
        "zzz",
    ];
    const VALUES: &[&str] = &[
        "0",
        "7",
        "-3",
        "1.5",
        "2.0",
        "1e3",
        "4294967296",
        "18446744073709551615",
        "true",
        "false",
        "null",
        "\"x\"",
        "\"${a} + 1\"",
        "\"1 +\"",
        "[]",
        "[\"a\", \"b\"]",
        "{}",
        TEXT,
        CHOICES,
        QUESTIONS,
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn random_kinds_read_as_derived(
            variant in 0..VARIANTS.len(),
            shape in 0u8..6,
            entries in proptest::collection::vec((0..KEYS.len(), 0..VALUES.len()), 0..7),
        ) {
            let name = VARIANTS[variant];
            let json = match shape {
                0 => format!("\"{name}\""),
                1 => format!("{{\"{name}\": null}}"),
                2 => {
                    let elements: Vec<&str> = entries.iter().map(|&(_, v)| VALUES[v]).collect();
                    format!("{{\"{name}\": [{}]}}", elements.join(", "))
                }
                3 => format!("{{\"{name}\": {}}}", VALUES[entries.first().map_or(0, |e| e.1)]),
                _ => {
                    let fields: Vec<String> = entries
                        .iter()
                        .map(|&(k, v)| format!("\"{}\": {}", KEYS[k], VALUES[v]))
                        .collect();
                    format!("{{\"{name}\": {{{}}}}}", fields.join(", "))
                }
            };
            same(&json);
        }
    }
}

#[test]
fn small_enums_read_their_names_and_refuse_others() {
    use crate::response::Status;
    assert_eq!(
        serde_json::from_str::<Audience>("\"worker\"").unwrap(),
        Audience::Worker
    );
    assert_eq!(
        serde_json::from_str::<Status>("\"completed\"").unwrap(),
        Status::Completed
    );
    for (json, expected) in [
        ("\"draft\"", Status::Draft),
        ("\"completed\"", Status::Completed),
    ] {
        let back: Status = serde_json::from_str(json).unwrap();
        assert_eq!(back, expected);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
    let e = serde_json::from_str::<Audience>("\"boss\"").unwrap_err();
    assert!(e.to_string().contains("unknown variant `boss`"), "{e}");
    assert!(serde_json::from_str::<Status>("1").is_err());
}
