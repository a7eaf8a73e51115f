//! XLSForm import, from the committed fixtures (tests/fixtures/make_xlsforms.py writes them).

use super::*;
use crate::form::Kind;
use crate::response::logic::Logic;
use crate::response::{Response, Value as Answer};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

fn file(name: &str) -> (String, Vec<u8>) {
    (
        name.to_owned(),
        std::fs::read(format!("{FIXTURES}{name}")).unwrap(),
    )
}

fn xlsx() -> Converted {
    convert(&read_files(&[file("household-visit.xlsx")]).unwrap()).unwrap()
}

fn has_warning(c: &Converted, sheet: &str, row: Option<usize>, words: &str) -> bool {
    c.warnings
        .iter()
        .any(|w| w.sheet == sheet && w.row == row && w.message.en.contains(words))
}

#[test]
fn an_xlsx_xlsform_becomes_a_checked_form() {
    let c = xlsx();
    assert_eq!(c.form_id, "household_visit");
    assert_eq!((c.version, c.version_given), (3, true));
    assert_eq!(c.title, Text::new("入户探访登记", "Household visit record"));
    let form = parse_form(&c.source).unwrap();
    let ids: Vec<&str> = form.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["intro", "household"],
        "top-level groups become sections"
    );
    assert_eq!(
        form.sections[1].relevant.as_ref().unwrap().source,
        "${consent} = 'yes'"
    );
    let consent = form.question("consent").unwrap();
    assert!(consent.required);
    assert_eq!(
        consent.required_message,
        Some(Text::new("请先询问是否同意", "Ask for consent first"))
    );
    let purpose = form.question("purpose").unwrap();
    assert_eq!(
        purpose.kind.choices()[0].value,
        "OK",
        "acknowledge: one OK box"
    );
    let size = form.question("hh_size").unwrap();
    assert_eq!(
        size.constraint.as_ref().unwrap().source,
        ". >= 1 and . <= 8"
    );
    assert_eq!(
        size.constraint_message,
        Some(Text::new("请填 1 到 8", "Enter 1 to 8"))
    );
    let Kind::Repeat {
        count, questions, ..
    } = &form.question("members").unwrap().kind
    else {
        panic!("members is a repeat")
    };
    assert_eq!(count.as_ref().unwrap().source, "${hh_size}");
    assert_eq!(questions.len(), 2);
    assert!(matches!(
        form.question("comments").unwrap().kind,
        Kind::LongText { .. }
    ));
    assert_eq!(
        form.question("visit_date").unwrap().default.as_deref(),
        Some("today()")
    );
    assert!(form.question("gps").is_none());
    assert!(form.question("start").is_none());
    assert_eq!(c.questions, form.answerable_count());
}

#[test]
fn nothing_is_dropped_without_a_warning_naming_its_row() {
    let c = xlsx();
    assert!(
        has_warning(&c, "survey", Some(18), "geopoint"),
        "{:#?}",
        c.warnings
    );
    assert!(has_warning(&c, "survey", Some(2), "metadata"));
    assert!(has_warning(&c, "survey", Some(23), "metadata"));
    assert!(has_warning(&c, "survey", Some(1), "media::image"));
    assert!(has_warning(&c, "survey", None, "\"minimal\""));
    assert!(has_warning(&c, "settings", Some(1), "style"));
    // Multiline text is carried over (as long text), not warned about.
    assert!(!has_warning(&c, "survey", None, "multiline"));
}

#[test]
fn privacy_classes_are_proposed_for_confirmation() {
    let c = xlsx();
    let proposal = |id: &str| {
        c.proposed
            .iter()
            .find(|(q, _, _)| q == id)
            .map(|(_, _, p)| *p)
    };
    assert_eq!(proposal("resident_name"), Some(Privacy::Identifier));
    assert_eq!(proposal("comments"), Some(Privacy::FreeText));
    assert_eq!(proposal("age"), Some(Privacy::QuasiIdentifier));
    assert_eq!(proposal("visit_date"), Some(Privacy::QuasiIdentifier));
    assert_eq!(proposal("needs"), Some(Privacy::None));
    assert_eq!(proposal("summary"), None, "notes take no answer");
    let (source, form) = confirm(
        &c.source,
        &[
            ("needs".into(), Privacy::Sensitive),
            ("street".into(), Privacy::QuasiIdentifier),
        ],
        7,
    )
    .unwrap();
    assert_eq!(form.version, 7);
    assert_eq!(
        form.question("needs").unwrap().privacy,
        Some(Privacy::Sensitive)
    );
    assert_eq!(
        form.question("resident_name").unwrap().privacy,
        Some(Privacy::Identifier)
    );
    assert_eq!(
        parse_form(&source).unwrap(),
        form,
        "the stored source reads back the same"
    );
}

#[test]
fn csv_files_give_the_same_form_as_the_workbook() {
    let csv = convert(
        &read_files(&[
            file("household-visit-survey.csv"),
            file("household-visit-choices.csv"),
            file("household-visit-settings.csv"),
        ])
        .unwrap(),
    )
    .unwrap();
    let x = xlsx();
    assert_eq!(csv.source, x.source);
    assert_eq!(csv.warnings, x.warnings);
}

#[test]
fn the_imported_form_runs_its_logic() {
    let form = parse_form(&xlsx().source).unwrap();
    let mut r = Response::new("r".into(), &form, "2026-11-24T09:00:00+08:00".into());
    let mut l = Logic::evaluate(&form, &r, "2026-11-24");
    assert!(!l.section_shown(1), "household hidden until consent");
    r.set_answer("consent", Some(Answer::Text("yes".into())));
    r.set_answer("hh_size", Some(Answer::Int(2)));
    r.set_answer("district", Some(Answer::Text("futian".into())));
    l = Logic::evaluate(&form, &r, "2026-11-24");
    l.settle(&form, &mut r);
    assert!(l.section_shown(1));
    assert_eq!(r.items(&[], "members"), 2, "repeat_count adds the members");
    let street = form.question("street").unwrap();
    let offered: Vec<&str> = l
        .choices_offered(street, &r, &[])
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(offered, ["huafu"]);
    r.set_answer_in(&[("members", 0)], "age", Some(Answer::Int(70)));
    r.set_answer_in(&[("members", 1)], "age", Some(Answer::Int(9)));
    let mut l = Logic::evaluate(&form, &r, "2026-11-24");
    l.settle(&form, &mut r);
    assert_eq!(r.answer("total_age"), Some(&Answer::Int(79)));
    assert!(l.shown("members[0]/works") && !l.shown("members[1]/works"));
}

fn csv_book(survey: &str, choices: &str) -> Result<Converted, ImportError> {
    let mut files = vec![("survey.csv".to_owned(), survey.as_bytes().to_vec())];
    if !choices.is_empty() {
        files.push(("choices.csv".to_owned(), choices.as_bytes().to_vec()));
    }
    convert(&read_files(&files)?)
}

#[test]
fn unreadable_files_and_broken_forms_are_refused_with_the_place() {
    let e = read_files(&[("form.xlsx".into(), b"PK\x03\x04 not really".to_vec())]).unwrap_err();
    assert!(e.message.en.contains("not a valid .xlsx"), "{e:?}");
    assert!(e.message.zh.contains("不是有效的 .xlsx"));
    let e = read_files(&[("survey.csv".into(), vec![0xc4, 0xea, 0x2c, 0x61])]).unwrap_err();
    assert!(e.message.en.contains("UTF-8"), "{e:?}");
    let e = read_files(&[("notes.txt".into(), b"hello".to_vec())]).unwrap_err();
    assert!(e.message.en.contains("notes.txt"));

    let e = csv_book("type,name,label\nselect_one colours,c,Colour\n", "").unwrap_err();
    assert!(
        e.message.en.contains("row 2") && e.message.en.contains("colours"),
        "{e:?}"
    );
    let e = csv_book("type,name,label\nbegin group,g,G\ninteger,a,A\n", "").unwrap_err();
    assert!(
        e.message.en.contains("row 2") && e.message.en.contains("end group"),
        "{e:?}"
    );
    let e = csv_book("type,name,label\ninteger,a,A\nend repeat\n", "").unwrap_err();
    assert!(e.message.en.contains("row 3"), "{e:?}");
    let e = csv_book("type,name,label\ninteger,a,A\ninteger,A,B\n", "").unwrap_err();
    assert!(
        e.message.en.contains("row 3") && e.message.en.contains("row 2"),
        "{e:?}"
    );
    let e = csv_book(
        "type,name,label,relevant\ninteger,a,A\ninteger,b,B,${a} >> 2\n",
        "",
    )
    .unwrap_err();
    assert!(
        e.message.en.contains("row 3")
            && e.message.en.contains("relevant")
            && e.message.en.contains("character"),
        "{e:?}"
    );
    let e = csv_book(
        "type,name,label,relevant\ngeopoint,g,G\ninteger,b,B,${g} != ''\n",
        "",
    )
    .unwrap_err();
    assert!(e.message.en.contains("geopoint"), "{e:?}");
    let e = csv_book("name,label\na,A\n", "").unwrap_err();
    assert!(e.message.en.contains("type"), "{e:?}");
}

#[test]
fn names_become_valid_ids_and_references_follow() {
    let c = csv_book(
        "type,name,label,relevant,privacy\ninteger,Age-Years,Age,,quasi_identifier\ninteger,2nd,Second,${Age-Years} > 1,none\n",
        "",
    )
    .unwrap();
    let form = parse_form(&c.source).unwrap();
    assert_eq!(
        form.question("q_2nd")
            .unwrap()
            .relevant
            .as_ref()
            .unwrap()
            .source,
        "${age_years} > 1"
    );
    assert!(c.proposed.is_empty(), "the privacy column was used");
    assert!(has_warning(&c, "settings", None, "No settings sheet"));
    assert!(has_warning(&c, "survey", None, "no Chinese"));
}

#[test]
fn nested_groups_open_up_into_their_section_keeping_their_conditions() {
    let c = csv_book(
        "type,name,label,relevant,privacy\nbegin group,outer,Outer,,\ninteger,a,A,,none\nbegin group,inner,Inner,${a} > 1,\ninteger,b,B,${a} < 9,none\nend group,,,,\nend group,,,,\n",
        "",
    )
    .unwrap();
    let form = parse_form(&c.source).unwrap();
    assert_eq!(
        form.question("b")
            .unwrap()
            .relevant
            .as_ref()
            .unwrap()
            .source,
        "(${a} > 1) and (${a} < 9)"
    );
    assert!(has_warning(&c, "survey", Some(4), "inner"));
}

#[test]
fn a_doorstep_definition_round_trips_through_import() {
    let Reply::Converted(c) = import(&[file("household-visit.xlsx")]) else {
        panic!("converts")
    };
    let Reply::Confirmed {
        source, compiled, ..
    } = finish_import(&c.source, &[], 3)
    else {
        panic!("confirms")
    };
    // What the library exports (the source) imports back as the same form.
    let Reply::Converted(again) = import(&[("form.json".into(), source.clone().into_bytes())])
    else {
        panic!("re-imports")
    };
    assert!(again.proposed.is_empty() && again.warnings.is_empty());
    let Reply::Confirmed {
        compiled: twice, ..
    } = finish_import(&again.source, &[], 3)
    else {
        panic!("confirms again")
    };
    assert_eq!(compiled, twice);
    let mut loaded: crate::form::Form = serde_json::from_str(&compiled).unwrap();
    loaded.follow_up = crate::form::follow_up_rules(&compiled);
    assert_eq!(
        loaded,
        parse_form(&source).unwrap(),
        "the app loads what was checked"
    );
    let Reply::Failed(e) = import(&[("form.json".into(), b"{\"format\": 1".to_vec())]) else {
        panic!("broken JSON is refused")
    };
    assert!(e.message.en.contains("form.json"));
}

#[cfg(not(target_arch = "wasm32"))]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Random bytes named .xlsx: refused with a message, never a panic.
        #[test]
        fn random_bytes_never_panic_the_workbook_reader(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut with_zip_magic = b"PK\x03\x04".to_vec();
            with_zip_magic.extend(&bytes);
            for b in [bytes.clone(), with_zip_magic] {
                let _ = import(&[("f.xlsx".into(), b)]);
            }
        }

        /// Random sheets of XLSForm-like words: converted or refused, never a panic.
        #[test]
        fn random_sheets_never_panic_the_converter(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![
                        Just("begin group".to_owned()), Just("end group".to_owned()),
                        Just("begin repeat".to_owned()), Just("end repeat".to_owned()),
                        Just("integer".to_owned()), Just("select_one l".to_owned()),
                        Just("calculate".to_owned()), Just("${a} > 1".to_owned()),
                        Just("a".to_owned()), Just("b".to_owned()), Just("".to_owned()),
                        "[a-z$ {}()'.=<>0-9]{0,12}",
                    ],
                    0..6,
                ),
                0..12,
            )
        ) {
            let mut csv = String::from("type,name,label,relevant,calculation,constraint\n");
            for r in &rows {
                let cells: Vec<String> = r.iter().map(|c| format!("\"{}\"", c.replace('"', ""))).collect();
                csv.push_str(&cells.join(","));
                csv.push('\n');
            }
            let choices = "list_name,name,label\nl,x,X\n";
            let _ = import(&[
                ("survey.csv".into(), csv.into_bytes()),
                ("choices.csv".into(), choices.as_bytes().to_vec()),
            ]);
        }
    }
}

/// A form's own choice named `other` (no `or_other`) is an ordinary choice: ticking it asks
/// for no "please specify" text, so the response can be completed (it could not before).
#[test]
fn a_choice_named_other_is_an_ordinary_choice() {
    let c = csv_book(
        "type,name,label,relevant\n\
         select_multiple help,help,Which help?,\n\
         select_one kind,kind,Which kind?,\n\
         select_one kind2,kind2,Which kind now?,\n",
        "list_name,name,label,filter\n\
         help,meals,Meals,\n\
         help,other,Something else,\n\
         kind,flat,Flat,\n\
         kind,other,Other kind,\n\
         kind2,flat,Flat,a\n\
         kind2,other,Other kind,b\n",
    )
    .unwrap();
    let form = parse_form(&c.source).unwrap();
    let mut r = Response::new("r".into(), &form, "2026-11-24T09:00:00+08:00".into());
    r.set_answer(
        "help",
        Some(Answer::List(vec!["meals".into(), "other".into()])),
    );
    r.set_answer("kind", Some(Answer::Text("other".into())));
    r.set_answer("kind2", Some(Answer::Text("other".into())));
    let l = Logic::evaluate(&form, &r, "2026-11-24");
    let issues = crate::response::validate_response(&form, &r, &l);
    assert!(issues.is_empty(), "{issues:?}");
    assert!(!form.question("help").unwrap().kind.has_other());
}

/// The same with a choice filter: a plain `other` that the filter leaves out is not
/// offered, and is refused like any choice not offered.
#[test]
fn a_plain_other_choice_is_filtered_like_any_choice() {
    use crate::form::parse_form;
    use crate::response::{validate_response, IssueKind};
    let l = serde_json::json!({"zh-CN": "问", "en": "Q"});
    let c = |v: &str, city: &str| serde_json::json!({"value": v, "label": l, "columns": {"city": city}});
    let form = parse_form(
        &serde_json::json!({
            "format": 1, "id": "cf", "version": 1, "title": l,
            "sections": [{"id": "s", "title": l, "questions": [
                {"id": "city", "type": "single_choice", "label": l, "privacy": "none",
                 "choices": [c("sz", ""), c("gz", "")]},
                {"id": "help", "type": "multiple_choice", "label": l, "privacy": "none",
                 "choices": [c("meals", "sz"), c("other", "gz")],
                 "choice_filter": "city = ${city}"}
            ]}]
        })
        .to_string(),
    )
    .unwrap();
    let mut r = Response::new("r".into(), &form, "2026-11-24T09:00:00+08:00".into());
    r.set_answer("city", Some(Answer::Text("gz".into())));
    r.set_answer("help", Some(Answer::List(vec!["other".into()])));
    let issues = validate_response(&form, &r, &Logic::evaluate(&form, &r, "2026-11-24"));
    assert!(issues.is_empty(), "offered in gz: {issues:?}");
    r.set_answer("city", Some(Answer::Text("sz".into())));
    let issues = validate_response(&form, &r, &Logic::evaluate(&form, &r, "2026-11-24"));
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].kind, IssueKind::NotOffered);
}
