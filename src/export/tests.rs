use super::anonymise::{generalise, missing_privacy};
use super::document::{responses_hash, write};
use super::*;
use crate::form::{builtin_anonymise, builtin_form, Generalise, Privacy};
use crate::response::sample;
use crate::response::{Response, Status, Value};
use serde_json::Value as J;
use std::collections::{BTreeSet, HashMap};

fn project(seed: u8) -> Project {
    project_and_secret(seed).0
}

fn project_and_secret(seed: u8) -> (Project, link::ProjectSecret) {
    let mut random = [0u8; project::NEW_PROJECT_RANDOM];
    for (i, b) in random.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31).wrapping_add(i as u8);
    }
    let (mut p, secret) = Project::new("东区入户调查", "幸福社区", &random);
    p.areas = vec![
        Area {
            code: "A".into(),
            buildings: "1-20".into(),
        },
        Area {
            code: "B".into(),
            buildings: "21-40, 别墅".into(),
        },
        Area {
            code: "C".into(),
            buildings: "41~60".into(),
        },
    ];
    (p, secret)
}

/// A sealer as the export screen makes one: a fresh ephemeral key each export.
fn sealer(p: &Project) -> link::LinkSealer {
    let mut random = [0u8; 32];
    crate::vault::random(&mut random);
    link::LinkSealer::new(&p.id, p.public_key.as_deref().unwrap(), random).unwrap()
}

/// Each response's household pseudonym, as the coordinator holding `secret` makes it.
fn households_of(doc: &J, p: &Project, secret: &link::ProjectSecret) -> HashMap<String, String> {
    let opener = secret
        .opener(&p.id, doc["header"]["link"]["ephemeral"].as_str().unwrap())
        .unwrap();
    doc["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap();
            let link = r["household_link"].as_str().unwrap();
            (id.to_owned(), opener.pseudonym(id, link).unwrap())
        })
        .collect()
}

/// A resident household of the built-in form whose every identifying detail is a unique
/// marker string: if a marker appears in an export, an identifier leaked.
fn resident(i: usize) -> Response {
    let form = builtin_form();
    let mut r = sample::completed(form, &format!("RID{i:04}MARK"), i as u64 + 1);
    r.set_answer("building", Some(Value::Text(format!("{}", 1 + i % 60))));
    r.set_answer("unit", Some(Value::Text(format!("UNIT{i:04}MARK"))));
    r.set_answer("room", Some(Value::Text(format!("ROOM{i:04}MARK"))));
    r.set_answer(
        "comments",
        Some(Value::Text(format!(
            "我叫NAME{i:04}MARK，电话PHONE{i:04}MARK"
        ))),
    );
    r.set_answer("suggest", Some(Value::Text(format!("SUGGEST{i:04}MARK"))));
    r.set_answer("fu_notes", Some(Value::Text(format!("FUNOTE{i:04}MARK"))));
    r.set_answer("obs_notes", Some(Value::Text(format!("OBS{i:04}MARK"))));
    if let Some(q) = r.other.keys().next().cloned() {
        r.set_other(&q, &format!("OTHER{i:04}MARK"));
    }
    r.household = Some(format!("HH{i:04}MARK"));
    r.worker = "W07".into();
    // Ages spread over a life, so the bands and k-anonymity have work to do.
    if let Some(Value::Rows(rows)) = r.answers.get_mut("members") {
        // Households of one to four, and now and then a large one: the roster's length is
        // published, so it has to be as varied as in life.
        let size = if i % 37 == 5 { 7 } else { 1 + i % 4 };
        let first = rows[0].clone();
        rows.resize(size, first);
        for (j, row) in rows.iter_mut().enumerate() {
            row.insert("m_age".into(), Value::Int(((i * 7 + j * 23) % 100) as i64));
        }
    }
    let mut logic = crate::response::logic::Logic::evaluate(form, &r, "2026-11-24");
    logic.settle(form, &mut r);
    r
}

/// A visit log whose households, ids and notes are markers.
fn visits() -> Vec<crate::visits::log::Visit> {
    use crate::visits::log::{Outcome, Visit};
    (0..50)
        .map(|i| Visit {
            id: format!("VIS{i:04}MARK"),
            household: format!("HH{i:04}MARK"),
            at: format!("2026-{:02}-0{}T10:00:00+08:00", 10 + i % 2, 1 + i % 9),
            worker: "W07".into(),
            outcome: match i % 4 {
                0 => Outcome::NotHome,
                1 => Outcome::Other {
                    note: format!("NOTE{i:04}MARK 狗很凶"),
                },
                2 => Outcome::ComeBack {
                    date: "2026-12-01".into(),
                },
                _ => Outcome::Completed {
                    response: format!("RID{i:04}MARK"),
                },
            },
        })
        .collect()
}

/// An export as the export screen makes it: no suppression on the device.
fn export(p: &Project, responses: &[Response], include: &BTreeSet<String>) -> (J, Written, Report) {
    export_k(p, responses, include, None)
}

/// An export suppressed to `k`, where asked for.
fn export_k(
    p: &Project,
    responses: &[Response],
    include: &BTreeSet<String>,
    k: Option<u32>,
) -> (J, Written, Report) {
    let form = builtin_form();
    let rules = builtin_anonymise();
    let links = sealer(p);
    let req = Request {
        form,
        rules: &rules,
        project: p,
        worker: "W07",
        today: "2026-11-24",
        include_free_text: include,
        links: &links,
        k,
    };
    let (records, report) = anonymise(&req, responses).expect("exportable");
    let header = Header {
        form,
        compiled: crate::form::builtin_compiled(),
        rules: &rules,
        project: p,
        worker: "W07",
        exported_at: "2026-11-24T18:00:00+08:00",
        choice: &Choice {
            from: None,
            to: None,
            completed_only: true,
        },
        visits: &visits(),
        links: &links,
        k,
    };
    let written = write(&header, records, &report).unwrap();
    let doc: J = serde_json::from_str(&written.text).unwrap();
    (doc, written, report)
}

/// Every file the export screen offers for `doc`: the JSON, the responses CSV, one CSV per
/// repeat and the codebook.
fn all_files(doc: &J, written: &Written) -> Vec<String> {
    let form = builtin_form();
    let rules = builtin_anonymise();
    let responses = doc["responses"].as_array().unwrap();
    let mut files = vec![
        written.text.clone(),
        table::responses_csv(form, &rules, responses),
        table::codebook_csv(form, &rules),
    ];
    for rep in table::repeats(form) {
        files.push(table::repeat_csv(form, &rules, &rep.id, responses));
    }
    files
}

fn households_qi(doc: &J) -> Vec<Vec<Option<String>>> {
    let form = builtin_form();
    let quasi: Vec<&str> = form
        .sections
        .iter()
        .flat_map(|s| s.questions.iter())
        .filter(|q| q.privacy == Some(Privacy::QuasiIdentifier))
        .map(|q| q.id.as_str())
        .collect();
    doc["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut row: Vec<Option<String>> = quasi
                .iter()
                .map(|q| r["answers"].get(*q).map(|v| v.to_string()))
                .collect();
            row.push(r.get("area").map(|v| v.to_string()));
            // The roster's length is published too: it is part of the combination.
            row.push(Some(
                r["answers"]["members"]
                    .as_array()
                    .map_or(0, Vec::len)
                    .to_string(),
            ));
            row
        })
        .collect()
}

fn members_qi(doc: &J) -> Vec<Vec<Option<String>>> {
    let quasi = ["m_rel", "m_age", "m_sex", "m_over60", "m_over80"];
    doc["responses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["answers"]["members"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|m| {
            quasi
                .iter()
                .map(|q| m.get(*q).map(|v| v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn no_identifier_of_any_resident_is_in_any_exported_file() {
    let residents: Vec<Response> = (0..300).map(resident).collect();
    let (doc, written, report) = export(&project(1), &residents, &BTreeSet::new());
    assert!(written.count > 0);
    for (n, file) in all_files(&doc, &written).iter().enumerate() {
        assert!(!file.contains("MARK"), "file {n} holds a marker");
        // The raw bytes, not only the text as Rust sees it.
        assert!(!file.as_bytes().windows(4).any(|w| w == b"MARK"));
    }
    assert_eq!(report.removed["room"], 300);
    assert_eq!(report.removed["comments"], 300);
    assert!(report.removed.contains_key("resp_rel#other"));
}

#[test]
fn every_export_holds_k_anonymity_on_households_and_members() {
    for (n, k) in [(300, 5), (40, 5), (12, 3), (500, 10)] {
        let mut p = project(2);
        p.k = k;
        let residents: Vec<Response> = (0..n).map(resident).collect();
        let (doc, written, report) = export_k(&p, &residents, &BTreeSet::new(), Some(k));
        assert_eq!(doc["header"]["k"], k);
        assert!(
            kanon::holds(&households_qi(&doc), k as usize),
            "households, n={n} k={k}"
        );
        assert!(
            kanon::holds(&members_qi(&doc), k as usize),
            "members, n={n} k={k}"
        );
        assert_eq!(written.count + report.withheld.len(), n);
        assert_eq!(doc["header"]["withheld"], report.withheld.len());
    }
}

#[test]
fn suppression_blanks_least_important_first_and_reports_it() {
    let residents: Vec<Response> = (0..200).map(resident).collect();
    let (doc, _, report) = export_k(&project(3), &residents, &BTreeSet::new(), Some(5));
    // years_here is blanked first in the built-in form's order.
    let first = report.suppressed.get("years_here").copied().unwrap_or(0);
    assert!(first > 0, "{:?}", report.suppressed);
    assert_eq!(doc["header"]["suppressed"]["years_here"], first);
    let total: usize = report.suppressed.values().sum();
    let header_total: u64 = doc["header"]["suppressed"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total as u64, header_total);
}

#[test]
fn an_export_that_cannot_meet_k_withholds_and_says_so() {
    let residents: Vec<Response> = (0..3).map(resident).collect();
    let (doc, written, report) = export_k(&project(4), &residents, &BTreeSet::new(), Some(5));
    // Three households can never make a group of five.
    assert_eq!(written.count, 0);
    assert_eq!(report.withheld.len(), 3);
    assert_eq!(doc["header"]["withheld"], 3);
}

#[test]
fn a_worker_file_is_not_suppressed_and_says_so() {
    let residents: Vec<Response> = (0..3).map(resident).collect();
    let (doc, written, report) = export(&project(4), &residents, &BTreeSet::new());
    // Three households: the coordinator gets all three, whole; k is the release's.
    assert_eq!(written.count, 3);
    assert!(doc["header"]["k"].is_null());
    assert!(report.suppressed.is_empty() && report.withheld.is_empty());
    let sexes = members_qi(&doc)
        .iter()
        .flatten()
        .filter(|v| v.is_some())
        .count();
    assert!(sexes > 0, "members' values arrive unblanked");
}

#[test]
fn a_household_keeps_its_pseudonym_across_exports_and_workers_but_not_projects() {
    let residents: Vec<Response> = (0..60).map(resident).collect();
    let (p, secret) = project_and_secret(5);
    let (a, _, _) = export(&p, &residents, &BTreeSet::new());
    // Another worker's device, same project file: same pseudonyms.
    let copy = Project::parse(&p.to_file()).unwrap();
    let (b, _, _) = export(&copy, &residents[..30], &BTreeSet::new());
    // Response pseudonym → household pseudonym, as the coordinator opens them.
    let households = |d: &J| households_of(d, &p, &secret);
    let (ha, hb) = (households(&a), households(&b));
    let common: Vec<&String> = hb.keys().filter(|id| ha.contains_key(*id)).collect();
    assert!(common.len() > 10);
    for id in common {
        assert_eq!(ha[id], hb[id]);
    }
    let (p6, s6) = project_and_secret(6);
    let (c, _, _) = export(&p6, &residents, &BTreeSet::new());
    let hc = households_of(&c, &p6, &s6);
    assert!(hc.values().all(|h| !ha.values().any(|x| x == h)));
    assert!(hc.keys().all(|id| !ha.contains_key(id)));
    // Without a walk-list household, the address gives the same link as the list.
    let form = builtin_form();
    let mut r = resident(1);
    r.household = None;
    r.set_answer("building", Some(Value::Text("12栋".into())));
    r.set_answer("unit", Some(Value::Text("2".into())));
    r.set_answer("room", Some(Value::Text("301室".into())));
    let by_address = anonymise::household_of(form, &r).unwrap();
    assert_eq!(
        by_address,
        crate::visits::walk::household_id("12", "2", "301")
    );
}

#[test]
fn records_do_not_keep_the_order_they_were_taken_in() {
    let residents: Vec<Response> = (0..100).map(resident).collect();
    let (doc, _, _) = export(&project(7), &residents, &BTreeSet::new());
    let ids: Vec<&str> = doc["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn free_text_leaves_only_when_the_worker_lets_it_through() {
    let residents: Vec<Response> = (0..30).map(resident).collect();
    let form = builtin_form();
    let texts = free_texts(form, &residents, "2026-11-24");
    // Every resident has two comments and one "other" text; the worker's notes are never
    // offered.
    assert_eq!(texts.len(), 30 * 3);
    assert!(texts
        .iter()
        .all(|t| !t.text.starts_with("FUNOTE") && !t.text.starts_with("OBS")));
    assert_eq!(
        texts.iter().map(|t| &t.key).collect::<BTreeSet<_>>().len(),
        texts.len()
    );
    let chosen = texts
        .iter()
        .find(|t| t.question == "suggest" && t.text == "SUGGEST0004MARK")
        .unwrap();
    let include: BTreeSet<String> = [chosen.key.clone()].into();
    // A worker's note slipped into the set (a doctored screen) still stays behind.
    let note = anonymise::free_text_key("RID0004MARK", "obs_notes", false);
    let include: BTreeSet<String> = include.into_iter().chain([note]).collect();
    let (doc, written, report) = export(&project(8), &residents, &include);
    assert_eq!(written.text.matches("MARK").count(), 1);
    assert!(written.text.contains("SUGGEST0004MARK"));
    assert_eq!(report.free_text_included["suggest"], 1);
    assert_eq!(doc["header"]["free_text_included"]["suggest"], 1);
}

#[test]
fn quasi_identifiers_are_coarsened_by_the_forms_rules() {
    let band = Generalise::Bands { width: 10, top: 90 };
    let g = |rule: &Generalise, v: Value| generalise(rule, &v);
    assert_eq!(g(&band, Value::Int(0)).as_deref(), Some("0-9"));
    assert_eq!(g(&band, Value::Int(89)).as_deref(), Some("80-89"));
    assert_eq!(g(&band, Value::Int(90)).as_deref(), Some("90+"));
    assert_eq!(g(&band, Value::Int(104)).as_deref(), Some("90+"));
    assert_eq!(g(&band, Value::Decimal(64.5)).as_deref(), Some("60-69"));
    let cap = Generalise::Cap { at: 6 };
    assert_eq!(g(&cap, Value::Int(5)).as_deref(), Some("5"));
    assert_eq!(g(&cap, Value::Int(9)).as_deref(), Some("6+"));
    assert_eq!(
        g(&Generalise::Month, Value::Text("2026-03-09".into())).as_deref(),
        Some("2026-03")
    );
    assert_eq!(
        g(&Generalise::Year, Value::Text("2026-03-09".into())).as_deref(),
        Some("2026")
    );
    assert_eq!(g(&Generalise::Month, Value::Text("soon".into())), None);

    let residents: Vec<Response> = (0..200).map(resident).collect();
    let (doc, _, _) = export(&project(9), &residents, &BTreeSet::new());
    for r in doc["responses"].as_array().unwrap() {
        if let Some(a) = r.get("area") {
            assert!(["A", "B", "C"].contains(&a.as_str().unwrap()));
        }
        if let Some(d) = r["answers"].get("last_check") {
            assert_eq!(d.as_str().unwrap().len(), 7, "{d}");
        }
        for m in r["answers"]["members"].as_array().unwrap() {
            if let Some(age) = m.get("m_age") {
                let age = age.as_str().unwrap();
                assert!(age == "90+" || age.split_once('-').is_some(), "{age}");
            }
        }
        assert!(r["started"].as_str().unwrap().len() == 10);
        assert_eq!(r["worker"], "W07");
    }
}

#[test]
fn hidden_answers_stay_behind() {
    let form = builtin_form();
    let mut r = resident(0);
    // Nobody under 14 lives here: the children's section is hidden, its stored answers too.
    if let Some(Value::Rows(rows)) = r.answers.get_mut("members") {
        for row in rows.iter_mut() {
            row.insert("m_age".into(), Value::Int(40));
        }
    }
    let mut logic = crate::response::logic::Logic::evaluate(form, &r, "2026-11-24");
    logic.settle(form, &mut r);
    r.set_answer("ch_care", Some(Value::Text("alone".into())));
    let mut many: Vec<Response> = (1..30).map(resident).collect();
    many.push(r);
    let rules = builtin_anonymise();
    let p = project(10);
    let none = BTreeSet::new();
    let links = sealer(&p);
    let req = Request {
        form,
        rules: &rules,
        project: &p,
        worker: "W07",
        today: "2026-11-24",
        include_free_text: &none,
        links: &links,
        k: None,
    };
    let (records, _) = anonymise(&req, &many).unwrap();
    let mine = digest::pseudonym(anonymise::id_key(&p), "response", "RID0000MARK");
    let rec = records
        .iter()
        .find(|x| x.json["id"] == mine.as_str())
        .unwrap();
    assert!(rec.json["answers"].get("ch_care").is_none());
}

#[test]
fn a_form_without_privacy_classes_is_refused() {
    let mut form = builtin_form().clone();
    if let crate::form::Kind::Repeat { questions, .. } = &mut form.sections[2].questions[0].kind {
        questions[0].privacy = None;
    }
    assert_eq!(missing_privacy(&form), vec!["m_rel".to_owned()]);
    let rules = builtin_anonymise();
    let p = project(11);
    let none = BTreeSet::new();
    let links = sealer(&p);
    let req = Request {
        form: &form,
        rules: &rules,
        project: &p,
        worker: "W07",
        today: "2026-11-24",
        include_free_text: &none,
        links: &links,
        k: None,
    };
    assert!(matches!(
        anonymise(&req, &[resident(1)]),
        Err(Refusal::MissingPrivacy(q)) if q == ["m_rel"]
    ));
}

#[test]
fn the_header_checksum_detects_an_edited_file() {
    let residents: Vec<Response> = (0..50).map(resident).collect();
    let (doc, written, _) = export(&project(12), &residents, &BTreeSet::new());
    let responses = doc["responses"].as_array().unwrap();
    assert_eq!(responses_hash(responses), written.responses_sha256);
    assert_eq!(doc["header"]["responses_sha256"], written.responses_sha256);
    assert_eq!(doc["header"]["count"], responses.len());
    let mut edited = responses.clone();
    edited[0]["status"] = J::String("draft".into());
    assert_ne!(responses_hash(&edited), written.responses_sha256);
    // The form's hash is over its canonical definition, embedded in the header.
    let def = &doc["header"]["form"]["definition"];
    assert_eq!(
        doc["header"]["form"]["sha256"],
        digest::sha256_hex(&digest::canonical_string(def))
    );
    // The file is itself canonical: re-writing the parsed document gives the same bytes.
    assert_eq!(digest::canonical_string(&doc), written.text);
}

#[test]
fn csv_files_open_in_excel_and_wps_with_chinese_intact() {
    let residents: Vec<Response> = (0..40).map(resident).collect();
    let (doc, written, _) = export(&project(13), &residents, &BTreeSet::new());
    let files = all_files(&doc, &written);
    for f in &files[1..] {
        assert!(f.starts_with('\u{feff}'));
    }
    let responses = &files[1];
    let lines: Vec<&str> = responses.lines().collect();
    assert_eq!(lines.len(), 1 + written.count);
    assert!(lines[0].contains("area") && lines[0].contains("resp_rel_other"));
    assert!(!lines[0].contains("room"));
    let codebook = &files[2];
    assert!(codebook.contains("社区居民需求") || codebook.contains("您愿意参加这次调查吗"));
    assert!(codebook.contains("generalised: bands of 10, 90+ at the top"));
    let roster = &files[3];
    let members: usize = doc["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["answers"]["members"].as_array().map_or(0, Vec::len))
        .sum();
    let mut reader = csv::Reader::from_reader(roster.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.records().count(), members);
}

#[test]
fn project_files_round_trip_and_bad_ones_are_refused_with_reasons() {
    let p = project(14);
    assert_eq!(Project::parse(&p.to_file()).unwrap(), p);
    assert!(matches!(
        Project::parse("{oops"),
        Err(ProjectError::NotJson(_))
    ));
    assert_eq!(
        Project::parse(r#"{"format":"x"}"#),
        Err(ProjectError::NotAProject)
    );
    let newer = p
        .to_file()
        .replace("\"format_version\": 2", "\"format_version\": 3");
    assert_eq!(Project::parse(&newer), Err(ProjectError::FormatVersion(3)));
    for key in [
        p.public_key.as_deref().unwrap(),
        p.sign_key.as_deref().unwrap(),
    ] {
        let short = p.to_file().replace(key, "abcd");
        assert!(matches!(
            Project::parse(&short),
            Err(ProjectError::Invalid(_))
        ));
    }
    // A version 2 file without its keys is not a project.
    let mut keyless: J = serde_json::from_str(&p.to_file()).unwrap();
    keyless.as_object_mut().unwrap().remove("public_key");
    assert!(matches!(
        Project::parse(&keyless.to_string()),
        Err(ProjectError::Invalid(_))
    ));
    // A weak public key (the identity point) is refused.
    let weak = p
        .to_file()
        .replace(p.public_key.as_deref().unwrap(), &"00".repeat(32));
    assert!(Project::parse(&weak).is_err());
    let mut bad_k = p.clone();
    bad_k.k = 1;
    assert!(bad_k.check().is_err());
    for lang in [crate::i18n::Lang::Zh, crate::i18n::Lang::En] {
        assert!(!ProjectError::FormatVersion(2).describe(lang).is_empty());
    }
}

#[test]
fn areas_read_buildings_as_people_write_them() {
    let p = project(15);
    assert_eq!(p.area_of("12"), Some("A"));
    assert_eq!(p.area_of("12栋"), Some("A"));
    assert_eq!(p.area_of("020"), Some("A"));
    assert_eq!(p.area_of("25号楼"), Some("B"));
    assert_eq!(p.area_of("别墅"), Some("B"));
    assert_eq!(p.area_of("60"), Some("C"));
    assert_eq!(p.area_of("61"), None);
    let mut backwards = p.clone();
    backwards.areas[0].buildings = "20-1".into();
    assert!(backwards.check().is_err());
}

#[test]
fn the_filter_takes_form_dates_status_and_what_was_exported() {
    let form = builtin_form();
    let mut r = resident(1);
    r.completed = Some("2026-11-20T10:00:00+08:00".into());
    let mut f = Filter {
        form: form.id.clone(),
        version: form.version,
        from: None,
        to: None,
        completed_only: true,
        include_exported: false,
    };
    let none = HashMap::new();
    assert!(f.admits(&r, &none));
    f.from = Some("2026-11-21".into());
    assert!(!f.admits(&r, &none));
    f.from = Some("2026-11-20".into());
    f.to = Some("2026-11-20".into());
    assert!(f.admits(&r, &none));
    let exported: HashMap<String, u64> = [(r.id.clone(), r.rev)].into();
    assert!(!f.admits(&r, &exported));
    f.include_exported = true;
    assert!(f.admits(&r, &exported));
    f.include_exported = false;
    // Changed since its export: taken again.
    r.rev += 1;
    assert!(f.admits(&r, &exported));
    r.status = Status::Draft;
    assert!(!f.admits(&r, &exported));
    f.completed_only = false;
    assert!(f.admits(&r, &exported));
}

#[test]
fn file_names_carry_form_worker_and_date_only() {
    assert_eq!(
        file_name("community-needs", "W07", "2026-11-24", "json"),
        "doorstep-community-needs-W07-2026-11-24.json"
    );
    assert_eq!(
        file_name("x", "a/b c", "d", "csv"),
        "doorstep-x-a_b_c-d.csv"
    );
}

#[test]
fn areas_are_edited_as_lines() {
    let p = project(16);
    let text = project::areas_text(&p.areas);
    assert_eq!(text.lines().next(), Some("A: 1-20"));
    assert_eq!(project::parse_areas(&text).unwrap(), p.areas);
    assert_eq!(
        project::parse_areas("北区：1-5\n\n南区: 6~9")
            .unwrap()
            .len(),
        2
    );
    let e = project::parse_areas("A 1-20").unwrap_err();
    assert!(e.en.starts_with("line 1") && e.zh.starts_with("第 1 行"));
    assert!(project::parse_areas("A: 1-2\nA: 3")
        .unwrap_err()
        .en
        .contains("twice"));
    assert!(project::parse_areas("A: 9-2").is_err());
}

#[test]
fn visits_leave_as_counts_by_month_and_outcome_without_households_or_notes() {
    let residents: Vec<Response> = (0..20).map(resident).collect();
    let (doc, written, _) = export(&project(17), &residents, &BTreeSet::new());
    assert!(!written.text.contains("MARK") && !written.text.contains("狗很凶"));
    let v = doc["visits"].as_array().unwrap();
    assert_eq!(v.len(), 50);
    assert_eq!(doc["header"]["visits"], 50);
    assert_eq!(
        doc["header"]["visits_sha256"],
        digest::sha256_hex(&digest::canonical_string(&doc["visits"]))
    );
    assert!(v.iter().all(|x| x.as_object().unwrap().len() == 4));
    assert_eq!(v.iter().filter(|x| x["outcome"] == "other").count(), 13);
    assert_eq!(v.iter().filter(|x| x["month"] == "2026-11").count(), 25);
    // The same visit exported again keeps its pseudonym, so it is counted once.
    let (again, _, _) = export(&project(17), &residents, &BTreeSet::new());
    assert_eq!(again["visits"], doc["visits"]);
}

#[test]
fn pseudonyms_are_hmac_sha256_as_documented() {
    // RFC 4231, test case 2.
    assert_eq!(
        project::hex(&digest::hmac_sha256(
            b"Jefe",
            &[b"what do ya want ", b"for nothing?"]
        )),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // docs/export-format.md: the first 128 bits of HMAC(key, "household\0<id>").
    let key = [7u8; 32];
    let full = digest::hmac_sha256(&key, &[b"household\0", b"12-2-301"]);
    assert_eq!(
        digest::pseudonym(&key, "household", "12-2-301"),
        format!("h-{}", &project::hex(&full)[..32])
    );
    // And SHA-256 itself (FIPS 180-2, "abc").
    assert_eq!(
        digest::sha256_hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn a_coordinators_project_carries_its_walk_list_targets_and_forms_and_refuses_bad_ones() {
    use crate::visits::indicators::Measure;
    use crate::visits::walk::Household;
    let mut p = project(1);
    // An older file without them reads as before, and writes no empty fields.
    assert!(!p.to_file().contains("households"));
    p.households = vec![
        Household::new("1", "1", "101"),
        Household::new("1", "1", "102"),
    ];
    p.set_goal(Measure::Visits, Some(200));
    p.set_goal(Measure::Visits, Some(180));
    p.set_goal(Measure::CompletedSurveys, Some(120));
    assert_eq!(p.goal(Measure::Visits), Some(180));
    assert_eq!(p.targets.len(), 2);
    p.set_goal(Measure::CompletedSurveys, None);
    assert_eq!(p.goal(Measure::CompletedSurveys), None);
    let back = Project::parse(&p.to_file()).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.walk_list().unwrap().households.len(), 2);

    let refused = |q: &Project| Project::parse(&q.to_file()).unwrap_err();
    let mut twice = p.clone();
    twice.households.push(Household::new("1栋", "1单元", "101"));
    assert!(refused(&twice)
        .describe(crate::i18n::Lang::En)
        .contains("walk list"));
    let mut zero = p.clone();
    zero.targets[0].goal = 0;
    assert!(refused(&zero)
        .describe(crate::i18n::Lang::Zh)
        .contains("目标 0"));
    let mut stray = p.clone();
    stray
        .definitions
        .push(serde_json::json!({"id": "other", "version": 1}));
    assert!(refused(&stray)
        .describe(crate::i18n::Lang::En)
        .contains("not one of the project's forms"));
}

#[test]
fn a_project_edited_keeps_its_key_and_carries_the_definitions_of_its_forms() {
    use crate::export::project::Edits;
    use crate::visits::indicators::Measure;
    let base = project(2);
    let builtin = FormRef {
        id: "community_needs".into(),
        version: 1,
    };
    let own = FormRef {
        id: "revisit".into(),
        version: 2,
    };
    let def = serde_json::json!({"id": "revisit", "version": 2, "title": "x"});
    let mut e = Edits::of(&base);
    e.name = "  东区二期 ".into();
    e.k = "7".into();
    e.areas = "A: 1-10\nB: 11-20".into();
    e.forms = vec![builtin.clone(), own.clone()];
    e.goals = vec![
        (Measure::Visits, "200".into()),
        (Measure::CompletedSurveys, " ".into()),
    ];
    let lib = |f: &FormRef| (f.id == "revisit").then(|| def.clone());
    let p = base.edited(&e, &builtin, lib).unwrap();
    assert_eq!(
        (&p.id, &p.public_key, &p.sign_key),
        (&base.id, &base.public_key, &base.sign_key)
    );
    assert_eq!((p.name.as_str(), p.k, p.areas.len()), ("东区二期", 7, 2));
    assert_eq!(p.goal(Measure::Visits), Some(200));
    assert_eq!(p.goal(Measure::CompletedSurveys), None);
    // The built-in form travels by reference only; the other with its definition.
    assert_eq!(p.definitions, vec![def.clone()]);
    // Edited again where the library lacks the form: the carried definition stays.
    let again = p.edited(&Edits::of(&p), &builtin, |_| None).unwrap();
    assert_eq!(again.definitions, vec![def]);
    // A project without it anywhere is refused, named.
    let err = base.edited(&e, &builtin, |_| None).unwrap_err();
    assert!(err.en.contains("revisit version 2"), "{}", err.en);
    // Typing mistakes are named.
    let mut bad = Edits::of(&p);
    bad.goals = vec![(Measure::Visits, "二百".into())];
    assert!(p
        .edited(&bad, &builtin, lib_none)
        .unwrap_err()
        .zh
        .contains("二百"));
    let mut bad = Edits::of(&p);
    bad.k = "x".into();
    assert!(p
        .edited(&bad, &builtin, lib_none)
        .unwrap_err()
        .en
        .contains("k must be"));
}

fn lib_none(_: &FormRef) -> Option<serde_json::Value> {
    None
}

#[test]
fn a_version_1_project_file_is_read_without_its_shared_key_and_gets_keys_of_its_own() {
    let p = project(30);
    let mut v1: J = serde_json::from_str(&p.to_file()).unwrap();
    let o = v1.as_object_mut().unwrap();
    o.remove("public_key");
    o.remove("sign_key");
    o.insert("format_version".into(), 1.into());
    o.insert("key".into(), "cd".repeat(32).into());
    let old = Project::parse(&v1.to_string()).unwrap();
    assert!(!old.has_keys());
    assert!(
        !old.to_file().contains(&"cd".repeat(32)),
        "the shared key is dropped"
    );
    // Stored and read again, it stays a project without keys.
    assert_eq!(Project::parse(&old.to_file()).unwrap(), old);
    // Nothing can be exported under it.
    let links = sealer(&p);
    let rules = builtin_anonymise();
    let header = Header {
        form: builtin_form(),
        compiled: crate::form::builtin_compiled(),
        rules: &rules,
        project: &old,
        worker: "W07",
        exported_at: "2026-11-24T18:00:00+08:00",
        choice: &Choice {
            from: None,
            to: None,
            completed_only: true,
        },
        visits: &[],
        links: &links,
        k: None,
    };
    assert!(write(&header, Vec::new(), &Report::default()).is_err());
    // Keys of its own: same id, version 2, and its secret opens what is sealed to it.
    let (new, secret) = old.with_new_keys(&[5; project::NEW_PROJECT_RANDOM]);
    assert_eq!((new.id.as_str(), new.format_version), (old.id.as_str(), 2));
    assert_eq!(
        new.public_key.as_deref(),
        Some(secret.public_hex().as_str())
    );
    assert_eq!(Project::parse(&new.to_file()).unwrap(), new);
}
