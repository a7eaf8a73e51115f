//! Walk lists, the visit log, coverage and indicators.

use super::coverage::{coverage, Status};
use super::indicators::{coverage_percent, visits_and_surveys};
use super::log::{due, Outcome, Visit};
use super::walk::{from_csv, Household, Pattern, WalkError, WalkList};

fn visit(n: u32, household: &str, at: &str, worker: &str, outcome: Outcome) -> Visit {
    Visit {
        id: format!("v{n}"),
        household: household.into(),
        at: at.into(),
        worker: worker.into(),
        outcome,
    }
}

fn done(r: &str) -> Outcome {
    Outcome::Completed { response: r.into() }
}

#[test]
fn a_pattern_makes_the_households_minus_its_exceptions() {
    let p = Pattern {
        buildings: (1, 2),
        units: (1, 2),
        floors: (1, 3),
        rooms: (1, 2),
        except: vec!["2-2".into(), "1-1-302".into()],
        villas: 2,
    };
    let hs = p.generate().unwrap();
    assert_eq!(hs.len(), 2 * 2 * 3 * 2 - 6 - 1 + 2);
    assert_eq!(hs[0], Household::new("1栋", "1单元", "101"));
    assert_eq!(hs[0].id, "1-1-101");
    assert!(hs
        .iter()
        .all(|h| !h.id.starts_with("2-2-") && h.id != "1-1-302"));
    assert_eq!(hs.last().unwrap().id, "v2");
    assert_eq!(hs.last().unwrap().building, "2号别墅");
    assert_eq!(Household::new("12栋", "1单元", "1802").floor(), Some(18));
    assert_eq!(hs[0].floor(), Some(1));
    assert_eq!(hs.last().unwrap().floor(), None);
    // The community of the domain brief: 60 buildings and 42 villas, 2,130 households.
    let community = super::walk::brief_community().generate().unwrap();
    assert_eq!(community.len(), 2_130);
    assert!(WalkList::new("幸福社区", community).is_ok());
}

#[test]
fn impossible_patterns_are_refused() {
    let p = |b: (u32, u32), f: (u32, u32)| Pattern {
        buildings: b,
        units: (1, 1),
        floors: f,
        rooms: (1, 4),
        except: vec![],
        villas: 0,
    };
    assert!(matches!(
        p((5, 1), (1, 2)).generate(),
        Err(WalkError::BadPattern(_))
    ));
    assert!(matches!(
        p((1, 2), (1, 120)).generate(),
        Err(WalkError::BadPattern(_))
    ));
    assert!(matches!(
        p((1, 999), (1, 99)).generate(),
        Err(WalkError::BadPattern(_))
    ));
    let all_out = Pattern {
        except: vec!["1".into()],
        ..p((1, 1), (1, 1))
    };
    assert!(matches!(all_out.generate(), Err(WalkError::BadPattern(_))));
}

#[test]
fn csv_walk_lists_import_whole_or_not_at_all() {
    let hs = from_csv("\u{feff}楼栋,单元,房号\n12栋,1单元,1802\n12栋,1单元,1803\n\n3号别墅,,\n")
        .unwrap();
    assert_eq!(hs.len(), 3);
    assert_eq!(hs[0].id, "12-1-1802");
    assert_eq!(hs[2].building, "3号别墅");
    let english = from_csv("room,building,unit\n101,A,1\n").unwrap();
    assert_eq!(english[0], Household::new("A", "1", "101"));
    // `12栋` and `12` are the same building: a duplicate, named with both rows.
    let e = from_csv("building,unit,room\n12栋,1,1802\n12,1单元,1802\n").unwrap_err();
    assert_eq!(
        e,
        WalkError::Duplicate {
            id: "12-1-1802".into(),
            rows: (2, 3)
        }
    );
    assert!(e.describe().zh.contains("第 2 行和第 3 行"));
    assert_eq!(
        from_csv("name,phone\n王,138\n").unwrap_err(),
        WalkError::MissingColumn("building")
    );
    assert_eq!(
        from_csv("building,unit,room\n,1,101\n").unwrap_err(),
        WalkError::EmptyBuilding { row: 2 }
    );
    assert!(from_csv("").is_err());
    let dup = vec![
        Household::new("1", "1", "101"),
        Household::new("1栋", "1", "101"),
    ];
    assert!(matches!(
        WalkList::new("c", dup),
        Err(WalkError::Duplicate { .. })
    ));
}

fn list() -> WalkList {
    WalkList::new(
        "c",
        vec![
            Household::new("1栋", "1", "101"),
            Household::new("1栋", "1", "102"),
            Household::new("1栋", "1", "201"),
            Household::new("2栋", "1", "101"),
            Household::new("2栋", "1", "102"),
        ],
    )
    .unwrap()
}

#[test]
fn coverage_counts_each_household_once_by_its_standing() {
    let visits = vec![
        // Not home twice, then surveyed: surveyed.
        visit(
            1,
            "1-1-101",
            "2026-11-02T10:00:00+08:00",
            "w1",
            Outcome::NotHome,
        ),
        visit(
            2,
            "1-1-101",
            "2026-11-03T10:00:00+08:00",
            "w1",
            Outcome::NotHome,
        ),
        visit(3, "1-1-101", "2026-11-05T10:00:00+08:00", "w1", done("r1")),
        // Surveyed, then a later visit not at home: still surveyed.
        visit(4, "1-1-102", "2026-11-02T10:00:00+08:00", "w2", done("r2")),
        visit(
            5,
            "1-1-102",
            "2026-11-09T10:00:00+08:00",
            "w2",
            Outcome::NotHome,
        ),
        // Refused.
        visit(
            6,
            "2-1-101",
            "2026-11-02T11:00:00+08:00",
            "w2",
            Outcome::Refused,
        ),
        // Come back later.
        visit(
            7,
            "2-1-102",
            "2026-11-02T11:30:00+08:00",
            "w1",
            Outcome::ComeBack {
                date: "2026-11-24".into(),
            },
        ),
    ];
    let c = coverage(&list(), &visits);
    let status: Vec<Status> = c.households.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        status,
        [
            Status::Surveyed,
            Status::Surveyed,
            Status::NeverVisited,
            Status::Refused,
            Status::Revisit
        ]
    );
    assert_eq!(c.total.households, 5);
    assert_eq!(c.total.get(Status::Surveyed), 2);
    assert_eq!(c.total.reached(), 4);
    assert_eq!(c.buildings.len(), 2);
    assert_eq!(c.buildings[0].0, "1栋");
    assert_eq!(c.buildings[0].1.get(Status::NeverVisited), 1);
    assert_eq!(c.buildings[1].1.get(Status::Refused), 1);
    assert_eq!(coverage_percent(&c), 40);
    // A visit to a household no longer on the list is not counted in coverage.
    let stray = vec![visit(
        9,
        "9-9-999",
        "2026-11-02T10:00:00+08:00",
        "w1",
        done("r9"),
    )];
    assert_eq!(coverage(&list(), &stray).total.get(Status::Surveyed), 0);
}

#[test]
fn revisits_fall_due_on_their_day_until_someone_goes() {
    let mut visits = vec![
        visit(
            1,
            "a",
            "2026-11-20T10:00:00+08:00",
            "w1",
            Outcome::ComeBack {
                date: "2026-11-24".into(),
            },
        ),
        visit(
            2,
            "b",
            "2026-11-20T10:00:00+08:00",
            "w1",
            Outcome::ComeBack {
                date: "2026-11-22".into(),
            },
        ),
        visit(
            3,
            "c",
            "2026-11-20T10:00:00+08:00",
            "w1",
            Outcome::ComeBack {
                date: "2026-11-30".into(),
            },
        ),
        visit(
            4,
            "d",
            "2026-11-19T10:00:00+08:00",
            "w1",
            Outcome::ComeBack {
                date: "2026-11-21".into(),
            },
        ),
        visit(5, "d", "2026-11-21T10:00:00+08:00", "w1", Outcome::NotHome),
    ];
    let today = "2026-11-24";
    assert_eq!(
        due(&visits, today),
        [
            ("b".to_owned(), "2026-11-22".to_owned()),
            ("a".to_owned(), "2026-11-24".to_owned())
        ]
    );
    visits.push(visit(6, "a", "2026-11-24T15:00:00+08:00", "w1", done("r")));
    assert_eq!(due(&visits, today).len(), 1);
}

#[test]
fn indicators_count_every_attempt_and_each_survey_once_by_local_month() {
    let visits = vec![
        // The last evening of October and the first morning of November, local time.
        visit(1, "a", "2026-10-31T23:30:00+08:00", "w1", Outcome::NotHome),
        visit(2, "a", "2026-11-01T00:10:00+08:00", "w1", done("r1")),
        // A household surveyed twice counts as two visits but one survey.
        visit(3, "b", "2026-11-03T10:00:00+08:00", "w2", done("r2")),
        visit(4, "b", "2026-11-10T10:00:00+08:00", "w1", done("r3")),
        visit(5, "c", "2026-11-10T11:00:00+08:00", "w2", Outcome::Refused),
    ];
    let (all, surveys) = visits_and_surveys(&visits);
    assert_eq!(all.total, 5);
    assert_eq!(all.by_month["2026-10"], 1);
    assert_eq!(all.by_month["2026-11"], 4);
    assert_eq!(all.by_worker["w1"], 3);
    assert_eq!(all.by_worker["w2"], 2);
    assert_eq!(surveys.total, 2);
    assert_eq!(surveys.by_worker["w2"], 1, "b's first survey was w2's");
    assert_eq!(surveys.by_worker["w1"], 1);
    assert_eq!(surveys.by_month.get("2026-10"), None);
    assert!((all.progress(200) - 0.025).abs() < 1e-9);
    assert_eq!(all.progress(3), 1.0, "capped");
}

#[test]
fn the_builtin_rules_put_households_on_the_follow_up_list() {
    use crate::form::builtin_form;
    use crate::response::{Response, Value};
    use crate::visits::follow_up::reasons;
    let f = builtin_form();
    let mut r = Response::new("r".into(), f, "2026-11-24T09:00:00+08:00".into());
    let ids = |r: &Response| -> Vec<String> {
        reasons(f, crate::form::builtin_rules(), r, "2026-11-24")
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    };
    assert!(ids(&r).is_empty());
    let i = r.add_item(&[], "members").unwrap();
    r.set_answer_in(&[("members", i)], "m_age", Some(Value::Int(85)));
    let mut l = crate::response::logic::Logic::evaluate(f, &r, "2026-11-24");
    l.settle(f, &mut r);
    r.set_answer("eld_alone", Some(Value::Text("alone".into())));
    assert_eq!(ids(&r), ["alone_over80"]);
    r.set_answer("eld_carer", Some(Value::List(vec!["nobody".into()])));
    r.set_answer("follow_up", Some(Value::Bool(true)));
    assert_eq!(ids(&r), ["alone_over80", "no_carer", "worker_flag"]);
    let (_, text) = &reasons(f, crate::form::builtin_rules(), &r, "2026-11-24")[0];
    assert_eq!(text.zh, "80岁以上老人独居");
    // The member turns out to be 75: the first rule no longer holds.
    r.set_answer_in(&[("members", 0)], "m_age", Some(Value::Int(75)));
    let mut l = crate::response::logic::Logic::evaluate(f, &r, "2026-11-24");
    l.settle(f, &mut r);
    assert_eq!(ids(&r), ["no_carer", "worker_flag"]);
}

#[test]
fn follow_up_rules_are_checked_at_load() {
    use crate::form::parse_form;
    use serde_json::json;
    let l = json!({"zh-CN": "问", "en": "Q"});
    let form = |rules: serde_json::Value| {
        parse_form(
            &json!({"format": 1, "id": "f", "version": 1, "title": l,
                    "sections": [{"id": "s", "title": l, "questions": [
                        {"id": "a", "type": "integer", "label": l, "privacy": "none"}]}],
                    "follow_up": rules})
            .to_string(),
        )
    };
    assert_eq!(
        form(json!([{"id": "r1", "when": "${a} > 1", "reason": l}]))
            .unwrap()
            .follow_up
            .len(),
        1
    );
    let dup = form(
        json!([{"id": "r1", "when": "${a} > 1", "reason": l}, {"id": "r1", "when": "${a} > 2", "reason": l}]),
    );
    assert!(dup
        .unwrap_err()
        .describe(crate::i18n::Lang::En)
        .contains("r1"));
    let bad = form(json!([{"id": "r1", "when": "${a} >> 1", "reason": l}])).unwrap_err();
    assert_eq!(bad.field.as_deref(), Some("when"));
    let unknown = form(json!([{"id": "r1", "when": "${b} > 1", "reason": l}])).unwrap_err();
    assert!(unknown.describe(crate::i18n::Lang::En).contains("${b}"));
}
