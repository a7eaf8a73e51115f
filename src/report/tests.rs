use super::aggregate::{By, Counts, Measure};
use super::fixture::{keyring, project, resign, variant, worker_export};
use super::import::{Part, MAX_FILE_BYTES};
use super::publish::{Published, Scope};
use super::*;
use serde_json::Value as J;

/// A coordinator's dataset holding the keys of every fixture project these tests use.
fn dataset() -> Dataset {
    // Made once: a project's key pair costs a scalar multiplication, and the fuzz tests
    // make thousands of datasets.
    static KEYS: std::sync::OnceLock<Vec<(String, String, Vec<u8>)>> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        (0..=20)
            .flat_map(keyring)
            .map(|(id, k)| (id, k.secret.to_hex().to_string(), k.sign_key.to_vec()))
            .collect()
    });
    Dataset::with_keys(
        keys.iter()
            .map(|(id, secret, sign)| {
                let k = import::ProjectKeys {
                    secret: crate::export::link::ProjectSecret::from_hex(secret).unwrap(),
                    sign_key: zeroize::Zeroizing::new(sign.clone()),
                    named: None,
                };
                (id.clone(), k)
            })
            .collect(),
    )
}

fn accepted(r: FileResult) -> Box<dataset::FileEntry> {
    match r {
        FileResult::Accepted(e) => e,
        other => panic!("not accepted: {other:?}"),
    }
}

fn rejected(ds: &mut Dataset, text: &str) -> Rejection {
    match import(ds, "f.json", text.as_bytes()) {
        FileResult::Rejected(r) => r,
        other => panic!("not rejected: {other:?}"),
    }
}

/// The sum of one header field over export files.
fn header_sum(files: &[&String], field: &str) -> u64 {
    files
        .iter()
        .map(|f| {
            serde_json::from_str::<J>(f).unwrap()["header"][field]
                .as_u64()
                .unwrap()
        })
        .sum()
}

/// What a dataset holds, in sizes: equal before and after an undone merge.
fn sizes(ds: &Dataset) -> [usize; 6] {
    [
        ds.len(),
        ds.atoms.len(),
        ds.answers.rows,
        ds.repeats.get("members").map_or(0, |t| t.rows),
        ds.visits.len(),
        ds.files.len(),
    ]
}

/// Counts of one answer value straight from the export files' JSON.
fn count_in_files(files: &[&str], q: &str, value: &str) -> u32 {
    let mut n = 0;
    for f in files {
        let doc: J = serde_json::from_str(f).unwrap();
        for r in doc["responses"].as_array().unwrap() {
            match &r["answers"][q] {
                J::String(s) if s == value => n += 1,
                J::Array(a) if a.iter().any(|v| v == value) => n += 1,
                _ => {}
            }
        }
    }
    n
}

#[test]
fn three_workers_merge_into_the_totals_their_files_hold() {
    let p = project(1);
    let a = worker_export(&p, "W01", 0..60);
    let b = worker_export(&p, "W02", 60..130);
    let c = worker_export(&p, "W03", 130..200);
    let mut ds = dataset();
    let mut total = 0;
    for (name, f) in [("a", &a), ("b", &b), ("c", &c)] {
        let e = accepted(import(&mut ds, name, f.as_bytes()));
        assert_eq!(e.duplicates, 0);
        total += e.added;
    }
    ds.seal();
    let expected = header_sum(&[&a, &b, &c], "count") as usize;
    assert_eq!(total, expected);
    assert_eq!(ds.len(), expected);
    let view = View::new(&ds, "community-needs").unwrap();
    let mask = view.select(&ds, &Filter::default());
    assert_eq!(View::selected(&mask), expected);
    // Per-question counts equal counting the files themselves.
    for (q, value) in [
        ("house_type", "villa"),
        ("top_needs", "lunch"),
        ("income", "refused"),
    ] {
        let pq = view.question(q).unwrap();
        let counts = view.count(pq, &mask);
        let i = pq.values.iter().position(|(v, _)| v == value).unwrap();
        assert_eq!(
            counts.n[i],
            count_in_files(&[&a, &b, &c], q, value),
            "{q}={value}"
        );
    }
    // Members are counted as items of the roster.
    let age = view.question("m_age").unwrap();
    assert_eq!(age.measure, Measure::Categories, "ages arrive in bands");
    let items = header_sum(&[&a, &b, &c], "items");
    let c = view.count(age, &mask);
    assert!(u64::from(c.base) <= items && c.base > 0);
    // Visits: every visit of every file, once.
    assert!(ds.visits.len() > expected);
}

#[test]
fn the_same_file_twice_changes_nothing_and_overlaps_are_skipped() {
    let p = project(2);
    let a = worker_export(&p, "W01", 0..40);
    let mut ds = dataset();
    let first = accepted(import(&mut ds, "a.json", a.as_bytes()));
    let (n, visits) = (ds.len(), ds.visits.len());
    assert_eq!(
        import(&mut ds, "a copy.json", a.as_bytes()),
        FileResult::AlreadyImported {
            name: "a.json".into()
        }
    );
    assert_eq!((ds.len(), ds.visits.len(), ds.files.len()), (n, visits, 1));
    // The same worker exporting again with more households: the old ones are duplicates.
    let more = worker_export(&p, "W01", 0..55);
    let e = accepted(import(&mut ds, "more.json", more.as_bytes()));
    assert_eq!(e.duplicates, first.added);
    assert_eq!(ds.len(), first.added + e.added);
}

#[test]
fn bad_files_are_refused_with_their_reason_and_nothing_is_merged() {
    let p = project(3);
    let good = worker_export(&p, "W01", 0..30);
    let mut ds = dataset();
    assert_eq!(rejected(&mut ds, ""), Rejection::Empty);
    assert!(matches!(
        rejected(&mut ds, "hello, world"),
        Rejection::NotJson { line: 1, .. }
    ));
    assert_eq!(
        rejected(&mut ds, &good[..good.len() / 2]),
        Rejection::Truncated
    );
    assert_eq!(rejected(&mut ds, "[1, 2, 3]"), Rejection::NotAnExport);
    assert_eq!(
        rejected(&mut ds, r#"{"format":"doorstep-project"}"#),
        Rejection::NotAnExport
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(rejected(&mut ds, &deep), Rejection::NotAnExport);
    let deep = format!(
        "{{\"format\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(rejected(&mut ds, &deep), Rejection::NotAnExport);
    let deep_inside = good.replacen(
        "\"answers\":{",
        &format!(
            "\"answers\":{{\"members\":{}[]{},",
            "[{\"members\":".repeat(3000),
            "}]".repeat(3000)
        ),
        1,
    );
    // With its checksum made to match, so the parser meets the nesting.
    let start = deep_inside.find(",\"responses\":").unwrap() + 13;
    let end = deep_inside.rfind(",\"visits\":").unwrap();
    let old_hash = serde_json::from_str::<J>(&good).unwrap()["header"]["responses_sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let new_hash = crate::export::digest::sha256_hex(&deep_inside[start..end]);
    let deep_inside = deep_inside.replacen(&old_hash, &new_hash, 1);
    // And signed again, as a member of the project could.
    let mut signed: J = serde_json::from_str(&good).unwrap();
    let old_sig = signed["header"]["signature"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    signed["header"]["responses_sha256"] = J::String(new_hash);
    resign(&mut signed, 3);
    let new_sig = signed["header"]["signature"]["value"].as_str().unwrap();
    let deep_inside = deep_inside.replacen(&old_sig, new_sig, 1);
    assert_eq!(rejected(&mut ds, &deep_inside), Rejection::TooDeep);
    assert_eq!(
        rejected(
            &mut ds,
            &good.replacen("\"format_version\":2", "\"format_version\":3", 1)
        ),
        Rejection::FormatVersion(3)
    );
    // An answer changed after export: the checksum says so.
    let doc: J = serde_json::from_str(&good).unwrap();
    let first = doc["responses"][0]["answers"]["income"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = if first == "lt3k" { "20k_up" } else { "lt3k" };
    let edited = good.replacen(
        &format!("\"income\":\"{first}\""),
        &format!("\"income\":\"{other}\""),
        1,
    );
    assert_eq!(
        rejected(&mut ds, &edited),
        Rejection::Edited(Part::Responses)
    );
    // A response removed and the checksum recomputed: the count says so.
    let mut cut: J = serde_json::from_str(&good).unwrap();
    cut["responses"].as_array_mut().unwrap().pop();
    let arr = crate::export::digest::canonical_string(&cut["responses"]);
    cut["header"]["responses_sha256"] = J::String(crate::export::digest::sha256_hex(&arr));
    // Forged outside the project: the signature says so.
    assert_eq!(rejected(&mut ds, &cut.to_string()), Rejection::Forged);
    // Signed again by a member: the count still says so.
    resign(&mut cut, 3);
    assert_eq!(
        rejected(&mut ds, &cut.to_string()),
        Rejection::Edited(Part::Count)
    );
    // A name slipped in, checksum and all: not a question of the form.
    let mut named: J = serde_json::from_str(&good).unwrap();
    named["responses"][0]["answers"]["name"] = J::String("张三".into());
    let arr = crate::export::digest::canonical_string(&named["responses"]);
    named["header"]["responses_sha256"] = J::String(crate::export::digest::sha256_hex(&arr));
    assert_eq!(rejected(&mut ds, &named.to_string()), Rejection::Forged);
    resign(&mut named, 3);
    match rejected(&mut ds, &named.to_string()) {
        Rejection::Invalid(d) => assert!(d.contains("answers.name"), "{d}"),
        r => panic!("{r:?}"),
    }
    // Not UTF-8.
    let mut bytes = good.as_bytes().to_vec();
    bytes[10] = 0xff;
    assert_eq!(
        import(&mut ds, "x", &bytes),
        FileResult::Rejected(Rejection::NotText)
    );
    // Too large, told before anything is read.
    let big = vec![b' '; MAX_FILE_BYTES as usize + 1];
    assert!(matches!(
        import(&mut ds, "big", &big),
        FileResult::Rejected(Rejection::TooLarge { .. })
    ));
    assert!(ds.is_empty() && ds.files.is_empty() && ds.visits.is_empty());
    // Another project's file, once the workspace has one.
    accepted(import(&mut ds, "good", good.as_bytes()));
    let foreign = worker_export(&project(4), "W09", 0..20);
    assert!(matches!(
        rejected(&mut ds, &foreign),
        Rejection::OtherProject { .. }
    ));
    // Every reason reads in both languages.
    for r in [
        Rejection::Truncated,
        Rejection::Edited(Part::Form),
        Rejection::TooDeep,
    ] {
        assert_ne!(
            r.describe(crate::i18n::Lang::Zh),
            r.describe(crate::i18n::Lang::En)
        );
    }
}

#[test]
fn a_reindented_file_is_still_accepted() {
    let p = project(5);
    let good = worker_export(&p, "W01", 0..20);
    let doc: J = serde_json::from_str(&good).unwrap();
    let pretty = serde_json::to_string_pretty(&doc).unwrap();
    let mut ds = dataset();
    accepted(import(&mut ds, "pretty.json", pretty.as_bytes()));
}

#[test]
fn html_in_labels_and_answers_is_data_not_markup() {
    // The import keeps such text as text; the screens render it with Leptos text nodes.
    let p = project(6);
    let good = worker_export(&p, "W01", 0..20);
    let mut doc: J = serde_json::from_str(&good).unwrap();
    doc["header"]["project"]["name"] = J::String("<script>alert(1)</script>".into());
    resign(&mut doc, 6);
    let mut ds = dataset();
    accepted(import(&mut ds, "x", doc.to_string().as_bytes()));
    assert_eq!(ds.project.unwrap().name, "<script>alert(1)</script>");
}

#[test]
fn two_versions_merge_on_the_questions_both_have() {
    let p = project(7);
    let v1 = worker_export(&p, "W01", 0..40);
    // Version 2: `lonely` dropped, `internet` added.
    let mut def: J = serde_json::from_str(crate::form::builtin_compiled()).unwrap();
    def["version"] = J::from(2);
    for s in def["sections"].as_array_mut().unwrap() {
        let qs = s["questions"].as_array_mut().unwrap();
        if let Some(i) = qs.iter().position(|q| q["id"] == "lonely") {
            let mut q = qs.remove(i);
            q["id"] = J::String("internet".into());
            qs.insert(i, q);
        }
    }
    let compiled = def.to_string();
    let form: crate::form::Form = serde_json::from_str(&compiled).unwrap();
    let responses: Vec<_> = (40..80)
        .map(|i| super::fixture::household(&form, "W02", i))
        .collect();
    let v2 = super::fixture::export_of(&p, &form, &compiled, "W02", &responses);
    let mut ds = dataset();
    accepted(import(&mut ds, "v1", v1.as_bytes()));
    accepted(import(&mut ds, "v2", v2.as_bytes()));
    ds.seal();
    assert_eq!(ds.form_ids()["community-needs"], vec![1, 2]);
    let view = View::new(&ds, "community-needs").unwrap();
    assert!(view.question("lonely").is_none() && view.question("internet").is_none());
    let partial: Vec<(&str, &[u32])> = view
        .partial
        .iter()
        .map(|(q, _, v)| (q.as_str(), v.as_slice()))
        .collect();
    assert!(partial.contains(&("lonely", &[1][..])) && partial.contains(&("internet", &[2][..])));
    let mask = view.select(&ds, &Filter::default());
    let hh = view.question("house_type").unwrap();
    assert_eq!(view.count(hh, &mask).base as usize, ds.len());
}

#[test]
fn filters_and_cross_tabs_add_up() {
    let p = project(8);
    let mut ds = dataset();
    for (w, r) in [("W01", 0..80), ("W02", 80..160)] {
        // Five of the second worker's households in a building of no area.
        let mut doc: J = serde_json::from_str(&worker_export(&p, w, r)).unwrap();
        if w == "W02" {
            for i in 0..5 {
                doc["responses"][i].as_object_mut().unwrap().remove("area");
            }
            super::hostile::reseal(&mut doc, 8);
        }
        accepted(import(&mut ds, w, doc.to_string().as_bytes()));
    }
    ds.seal();
    let view = View::new(&ds, "community-needs").unwrap();
    let all = view.select(&ds, &Filter::default());
    let n = View::selected(&all);
    let mut by_area = 0;
    for a in ["A", "B", "C"] {
        let f = Filter {
            areas: [a.to_string()].into(),
            ..Filter::default()
        };
        by_area += View::selected(&view.select(&ds, &f));
    }
    let unmapped = ds.area.iter().filter(|a| **a == 0).count();
    assert_eq!(unmapped, 5);
    assert_eq!(by_area + unmapped, n);
    let w1 = Filter {
        workers: ["W01".to_string()].into(),
        ..Filter::default()
    };
    let oct = Filter {
        to: Some("2026-10-31".into()),
        ..Filter::default()
    };
    assert!(View::selected(&view.select(&ds, &w1)) < n);
    assert!(View::selected(&view.select(&ds, &oct)) < n);
    let hh = view.question("house_type").unwrap();
    let t = view.crosstab(&ds, hh, By::Area, &all);
    let total: u32 = t.cells.iter().flatten().sum();
    // Every response counted: those without an area in a column of their own.
    assert_eq!(total as usize, n);
    assert_eq!(t.unknown, unmapped > 0);
    let last: u32 = t.cells.iter().map(|r| r[r.len() - 1]).sum();
    if t.unknown {
        assert_eq!(last as usize, unmapped);
        assert_eq!(t.cells[0].len(), t.columns.len() + 1);
    } else {
        assert_eq!(t.cells[0].len(), t.columns.len());
    }
    let ni = view
        .questions
        .iter()
        .position(|q| q.id == "top_needs")
        .unwrap();
    let p = Published::new(&ds, &view, &all, ds.k(), Scope::default());
    let t = p.table(ni).unwrap();
    let ranking: Vec<Option<u32>> = p
        .ranking(t)
        .iter()
        .map(|r| p.shown(r.cell).count())
        .collect();
    // Shown counts most first, hidden ones after (their true order would tell).
    let shown: Vec<u32> = ranking.iter().map_while(|n| *n).collect();
    assert!(shown.windows(2).all(|w| w[0] >= w[1]));
    assert!(ranking[shown.len()..].iter().all(Option::is_none));
    assert!(p.ranking(t).iter().all(|r| r.value != "none"));
    // "Other" is a need like any other, when someone chose it.
    let other = t.rows.iter().find(|r| r.value == "other");
    if let Some(o) = other.filter(|o| p.ledger.value(o.cell) > 0) {
        assert!(p.ranking(t).iter().any(|r| r.cell == o.cell));
    }
}

#[test]
fn variants_are_distinct_files_that_pass_every_check() {
    let p = project(9);
    let base = worker_export(&p, "W01", 0..30);
    let mut ds = dataset();
    let a = accepted(import(&mut ds, "1", variant(&base, 1, 9).as_bytes()));
    let b = accepted(import(&mut ds, "2", variant(&base, 2, 9).as_bytes()));
    assert_eq!((a.duplicates, b.duplicates), (0, 0));
    assert_eq!(ds.len(), a.added * 2);
}

#[cfg(not(target_arch = "wasm32"))]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn base() -> &'static str {
        static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        BASE.get_or_init(|| worker_export(&project(10), "W01", 0..12))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any damage to a file: never a panic, and a damaged file is either refused or,
        /// where the damage missed every checked byte, merged whole.
        #[test]
        fn damaged_files_never_panic_or_half_merge(
            cuts in proptest::collection::vec((0usize..1_000_000, any::<u8>(), 0u8..3), 1..6)
        ) {
            let mut bytes = base().as_bytes().to_vec();
            for (at, b, op) in cuts {
                let i = at % bytes.len();
                match op {
                    0 => bytes[i] = b,
                    1 => { bytes.remove(i); }
                    _ => bytes.insert(i, b),
                }
            }
            let mut ds = dataset();
            match import(&mut ds, "f", &bytes) {
                FileResult::Accepted(e) => prop_assert_eq!(ds.len(), e.added),
                _ => prop_assert!(ds.is_empty() && ds.files.is_empty()),
            }
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,400}") {
            let mut ds = dataset();
            let _ = import(&mut ds, "f", s.as_bytes());
            prop_assert!(ds.is_empty());
        }
    }
}

#[test]
fn a_file_failing_at_its_last_response_leaves_the_dataset_as_it_was() {
    let p = project(11);
    let mut ds = dataset();
    accepted(import(
        &mut ds,
        "a",
        worker_export(&p, "W01", 0..30).as_bytes(),
    ));
    let before = (sizes(&ds), ds.forms.len());
    let mut bad: J = serde_json::from_str(&worker_export(&p, "W02", 30..60)).unwrap();
    let last = bad["responses"].as_array().unwrap().len() - 1;
    bad["responses"][last]["answers"]["phone"] = J::String("13800000000".into());
    let arr = crate::export::digest::canonical_string(&bad["responses"]);
    bad["header"]["responses_sha256"] = J::String(crate::export::digest::sha256_hex(&arr));
    resign(&mut bad, 11);
    assert!(matches!(
        import(&mut ds, "bad", bad.to_string().as_bytes()),
        FileResult::Rejected(Rejection::Invalid(_))
    ));
    assert_eq!(before, (sizes(&ds), ds.forms.len()));
    assert!(ds.answers.columns.iter().flatten().all(|c| match c {
        dataset::Column::Scalar(v) => v.len() == ds.answers.rows,
        dataset::Column::Multi { ends, .. } => ends.len() == ds.answers.rows,
    }));
    // And the same file, repaired, goes in whole.
    accepted(import(
        &mut ds,
        "good",
        worker_export(&p, "W02", 30..60).as_bytes(),
    ));
}

#[test]
fn the_quick_framing_finds_what_the_full_scan_finds() {
    let text = worker_export(&project(13), "W01", 0..25);
    let quick = import::quick_frame(&text).expect("a canonical export");
    let full = import::frame(&text).unwrap();
    assert!(quick.quick && !full.quick);
    assert_eq!(quick.ranges(&text), full.ranges(&text));
    // Not canonical (re-indented): no quick framing, the full scan does it.
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<J>(&text).unwrap()).unwrap();
    assert!(import::quick_frame(&pretty).is_none());
}

#[test]
fn the_merged_records_are_the_files_records() {
    let p = project(14);
    let a = worker_export(&p, "W01", 0..40);
    let b = worker_export(&p, "W02", 40..90);
    let mut ds = dataset();
    accepted(import(&mut ds, "a.json", a.as_bytes()));
    accepted(import(&mut ds, "b.json", b.as_bytes()));
    ds.seal();
    let mut expected: Vec<J> = Vec::new();
    let (_, secret) = super::fixture::project_and_secret(14);
    for (name, f) in [("a.json", &a), ("b.json", &b)] {
        let doc: J = serde_json::from_str(f).unwrap();
        let opener = secret
            .opener(&p.id, doc["header"]["link"]["ephemeral"].as_str().unwrap())
            .unwrap();
        for r in doc["responses"].as_array().unwrap() {
            let mut r = r.clone();
            // The coordinator's dataset holds the household's pseudonym, not its sealed link.
            let link = r.as_object_mut().unwrap().remove("household_link").unwrap();
            let id = r["id"].as_str().unwrap().to_owned();
            r["household"] = J::String(opener.pseudonym(&id, link.as_str().unwrap()).unwrap());
            r["form"] = J::String("community-needs".into());
            r["form_version"] = J::from(1);
            r["source"] = J::String(name.into());
            expected.push(r);
        }
    }
    let got = merged::records(&ds);
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
    // NDJSON: a line per record, each the record.
    let nd = merged::ndjson(&ds);
    assert_eq!(nd.lines().count(), expected.len());
    let first: J = serde_json::from_str(nd.lines().next().unwrap()).unwrap();
    assert_eq!(first, expected[0]);
    // The JSON document names its files and forms.
    let doc: J = serde_json::from_str(&merged::json_document(&ds)).unwrap();
    assert_eq!(doc["format"], "doorstep-merged");
    assert_eq!(doc["files"].as_array().unwrap().len(), 2);
    assert_eq!(doc["responses"].as_array().unwrap().len(), expected.len());
    // CSV with a byte-order mark, a row per response, and its codebook.
    let (csv, codebook) = merged::csv(&ds, "community-needs").unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), expected.len() + 1);
    assert!(codebook.contains("top_needs"));
}

#[test]
fn indicators_count_visits_and_each_household_surveyed_once() {
    let p = project(15);
    let a = worker_export(&p, "W01", 0..30);
    let b = worker_export(&p, "W02", 30..50);
    let mut ds = dataset();
    accepted(import(&mut ds, "a", a.as_bytes()));
    accepted(import(&mut ds, "b", b.as_bytes()));
    let i = indicators::indicators(&ds);
    let visits = header_sum(&[&a, &b], "visits");
    assert_eq!(u64::from(i.total.visits), visits);
    assert_eq!(i.total.surveys as usize, ds.len());
    assert_eq!(i.by_worker.len(), 2);
    assert_eq!(
        i.by_worker.values().map(|p| p.visits).sum::<u32>(),
        i.total.visits
    );
    assert_eq!(
        i.by_month.values().map(|p| p.surveys).sum::<u32>(),
        i.total.surveys
    );
    assert!(i.by_month.keys().all(|m| m.len() == 7));
}

#[test]
fn sentences_quote_only_published_counts() {
    let p = project(16);
    let mut ds = dataset();
    accepted(import(
        &mut ds,
        "a",
        worker_export(&p, "W01", 0..80).as_bytes(),
    ));
    ds.seal();
    let view = View::new(&ds, "community-needs").unwrap();
    let mask = view.select(&ds, &Filter::default());
    let k = 5;
    let q = view.question("house_type").unwrap();
    let say = |c: Counts| {
        let p = Published::of_counts(k, c.base, &[(q, c)]);
        narrative::sentence(q, &p.tables[0], &p)
    };
    let c = view.count(q, &mask);
    let s = say(c.clone()).expect("a sentence");
    let (best, n) = q
        .values
        .iter()
        .zip(&c.n)
        .max_by_key(|(_, n)| **n)
        .map(|((_, l), n)| (l.clone(), *n))
        .unwrap();
    assert!(
        s.en.contains(&best.en) && s.en.contains(&format!("({n} of {})", c.base)),
        "{}",
        s.en
    );
    assert!(s.zh.contains(&best.zh));
    let needs = view.question("top_needs").unwrap();
    let nc = view.count(needs, &mask);
    let pn = Published::of_counts(k, nc.base, &[(needs, nc)]);
    let s = narrative::sentence(needs, &pn.tables[0], &pn).unwrap();
    assert!(s.en.starts_with("Of the"), "{}", s.en);
    // Too few answers: nothing is said.
    let few = Counts {
        base: 3,
        n: vec![3; q.values.len()],
    };
    assert!(say(few).is_none());
    // A count under k is never quoted, even when it is the largest.
    let mut small = vec![0; q.values.len()];
    small[0] = 4;
    small[1] = 4;
    assert!(say(Counts { base: 8, n: small }).is_none());
    // All of them: said so, counted in 户, not "8 个中 8 个".
    let mut all = vec![0; q.values.len()];
    all[0] = 8;
    let s = say(Counts { base: 8, n: all }).unwrap();
    assert!(s.zh.starts_with("全部 8 户受访住户都回答"), "{}", s.zh);
    assert!(!s.zh.contains("个中"));
    // All but fewer than k: "7 of 8" would say the eighth is alone. The ledger hides the
    // 7 to protect the 1, and the sentence has nothing it may quote.
    let mut most = vec![0; q.values.len()];
    most[0] = 7;
    most[1] = 1;
    assert!(say(Counts { base: 8, n: most }).is_none());
    // Otherwise the count, in 户.
    let mut half = vec![0; q.values.len()];
    half[0] = 6;
    half[1] = 6;
    let s = say(Counts { base: 12, n: half }).unwrap();
    assert!(s.zh.contains("（12 户中 6 户）"), "{}", s.zh);
}

/// A format 1 file as tablets before issue 19 wrote it, made from a format 2 one: household
/// pseudonyms made on the tablet, no link, no signature, the form in its compiled shape.
fn as_format_1(text: &str) -> String {
    use crate::export::digest::{canonical_string, sha256_hex};
    let mut doc: J = serde_json::from_str(text).unwrap();
    doc["format_version"] = J::from(1);
    let header = doc["header"].as_object_mut().unwrap();
    header.remove("link");
    header.remove("signature");
    header.insert("k".into(), J::from(5));
    let def: J = serde_json::from_str(crate::form::builtin_compiled()).unwrap();
    header.insert(
        "form".into(),
        serde_json::json!({
            "id": "community-needs", "version": 1,
            "sha256": sha256_hex(&canonical_string(&def)), "definition": def,
        }),
    );
    for (i, r) in doc["responses"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        let o = r.as_object_mut().unwrap();
        o.remove("household_link");
        o.insert("household".into(), J::String(format!("h-{:032x}", i % 7)));
    }
    let arr = canonical_string(&doc["responses"]);
    doc["header"]["responses_sha256"] = J::String(sha256_hex(&arr));
    canonical_string(&doc)
}

#[test]
fn a_format_1_file_still_imports_and_says_what_it_lacks() {
    let p = project(15);
    let v1 = as_format_1(&worker_export(&p, "W01", 0..20));
    // Without any key of its project: format 1 needs none.
    let mut ds = Dataset::new();
    let e = accepted(import(&mut ds, "old.json", v1.as_bytes()));
    assert_eq!(e.header.format_version, 1);
    assert_eq!(e.header.k, Some(5));
    assert_eq!(ds.len(), 20);
    // Its own pseudonyms, as the tablet made them.
    let households: std::collections::BTreeSet<&str> =
        ds.household.iter().map(|&a| ds.atoms.str(a)).collect();
    assert_eq!(households.len(), 7);
    // A format 1 file carrying a link or a signature is not one.
    let mut odd: J = serde_json::from_str(&v1).unwrap();
    odd["header"]["signature"] = serde_json::json!({"alg": "HMAC-SHA-256", "value": "00"});
    assert!(matches!(
        rejected(&mut Dataset::new(), &odd.to_string()),
        Rejection::Invalid(_)
    ));
    // And a format 2 file whose project's key this browser lacks is refused, named.
    let v2 = worker_export(&p, "W02", 0..5);
    assert_eq!(
        rejected(&mut Dataset::new(), &v2),
        Rejection::NoProjectKey {
            project: p.name.clone()
        }
    );
}

/// Every hostile file of the generator is refused whole, for what it is, and the dataset
/// is as it was; the good file it was made from is taken.
#[test]
fn hostile_files_are_refused_whole_each_for_what_it_is() {
    use super::hostile::{hostile_files, Expect};
    let files = hostile_files(3);
    assert!(files.len() >= 35, "{} classes", files.len());
    let mut ds = Dataset::with_keys(keyring(3));
    for h in &files {
        let before = (ds.len(), ds.files.len(), ds.atoms.len());
        let r = match import(&mut ds, h.name, h.text.as_bytes()) {
            FileResult::Rejected(r) => r,
            other => panic!("{}: not refused: {other:?}", h.name),
        };
        match (&h.expect, &r) {
            (Expect::Answer(q, p), Rejection::Answers { first, total }) => {
                assert!(*total >= 1 && !first.is_empty(), "{}", h.name);
                assert!(
                    first.iter().any(|b| &b.question == q
                        && std::mem::discriminant(&b.problem) == std::mem::discriminant(p)),
                    "{}: {first:?}",
                    h.name
                );
                assert_eq!(first[0].response, 1, "{}: the response named", h.name);
                assert!(first[0].id.starts_with("r-"), "{}", h.name);
                // Said in Chinese, naming the question's label.
                let zh = r.describe(crate::i18n::Lang::Zh);
                assert!(
                    zh.contains("第 1 份") && zh.contains("整个文件未导入"),
                    "{zh}"
                );
            }
            (Expect::Invalid, Rejection::Invalid(_)) | (Expect::BadK, Rejection::BadK(_)) => {
                // Said in Chinese: no English reason, whatever the parser said (a path may
                // stay: it names the place in the file).
                let zh = r.describe(crate::i18n::Lang::Zh);
                let words = [
                    "missing",
                    "unknown",
                    "invalid",
                    "expected",
                    "twice",
                    "differ",
                    "field",
                    "structure",
                ];
                assert!(!words.iter().any(|w| zh.contains(w)), "{}: {zh}", h.name);
            }
            (e, r) => panic!("{}: expected {e:?}, got {r:?}", h.name),
        }
        assert_eq!(
            (ds.len(), ds.files.len(), ds.atoms.len()),
            before,
            "{}: nothing of it stays",
            h.name
        );
    }
    // The file they were made from is taken.
    let good = worker_export(&project(3), "W09", 0..6);
    accepted(import(&mut ds, "good.json", good.as_bytes()));
    assert_eq!(ds.len(), 6);
}

/// A form the workspace already holds does not let a header's form id through: the same
/// definition under another id is refused as it is when the form is new, so a file is
/// judged alike whatever came first, and after a reload.
#[test]
fn a_known_form_is_checked_against_the_header_too() {
    use super::hostile::reseal;
    let p = project(3);
    let mut ds = Dataset::with_keys(keyring(3));
    accepted(import(
        &mut ds,
        "a.json",
        worker_export(&p, "W01", 0..3).as_bytes(),
    ));
    let mut other: J = serde_json::from_str(&worker_export(&p, "W02", 3..6)).unwrap();
    other["header"]["form"]["id"] = J::String("another-form".into());
    reseal(&mut other, 3);
    assert!(matches!(
        rejected(&mut ds, &other.to_string()),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        rejected(&mut Dataset::with_keys(keyring(3)), &other.to_string()),
        Rejection::Invalid(_)
    ));
}

#[test]
fn a_period_reads_as_a_reader_says_it() {
    use super::narrative::period_text as p;
    let both = |a: &str, b: &str| {
        let t = p(a, b);
        (t.zh, t.en)
    };
    assert_eq!(
        both("2026-12-02", "2026-12-02"),
        ("2026年12月2日".into(), "2 December 2026".into())
    );
    assert_eq!(
        both("2026-12-02", "2026-12-19"),
        ("2026年12月".into(), "December 2026".into())
    );
    assert_eq!(
        both("2026-11-20", "2026-12-02"),
        (
            "2026年11月至12月".into(),
            "November to December 2026".into()
        )
    );
    assert_eq!(
        both("2025-12-30T10:00:00+08:00", "2026-01-02"),
        (
            "2025年12月至2026年1月".into(),
            "December 2025 to January 2026".into()
        )
    );
}

/// Every number of a release over a small realistic project (3 workers, 15 households,
/// k = 3) and a large one, as the dashboard (with each cross-tab) and the report release
/// them: nothing a reader can work out, sentences quoting only what the tables show,
/// numbers in bins of k or more.
#[test]
fn releases_of_a_real_project_give_nothing_away() {
    use super::disclosure::Shown;
    let p = project(17);
    for (k, per_worker) in [(3u32, 5usize), (5, 60)] {
        let mut ds = dataset();
        for (i, w) in ["W01", "W02", "W03"].iter().enumerate() {
            let r = i * per_worker..(i + 1) * per_worker;
            accepted(import(&mut ds, w, worker_export(&p, w, r).as_bytes()));
        }
        ds.seal();
        let view = View::new(&ds, "community-needs").unwrap();
        let mask = view.select(&ds, &Filter::default());
        let report = Published::new(&ds, &view, &mask, k, Scope::report(true));
        assert!(
            report.ledger.audit().is_empty(),
            "{:?}",
            report.ledger.audit()
        );
        // The worker's own sections are not in the public report, but for the flag.
        for t in &report.tables {
            let q = &view.questions[t.question];
            assert!(
                !q.worker || super::publish::is_flag(q),
                "{} in the report",
                q.id
            );
            if q.measure == Measure::Numbers {
                for r in &t.rows {
                    let n = report.ledger.value(r.cell);
                    assert!(n >= k, "{}: a bin of {n}", q.id);
                }
            }
            // Every number in a sentence is one the tables show (a count, the base, a
            // share of them) or a published mean or median.
            let Some(s) = super::narrative::sentence(q, t, &report) else {
                continue;
            };
            let mut allowed: Vec<String> = vec![k.to_string()];
            if let Some(b) = report.shown(t.base).count() {
                allowed.push(b.to_string());
            }
            for r in &t.rows {
                if let Some(n) = report.shown(r.cell).count() {
                    allowed.push(n.to_string());
                }
                if let Some(x) = report.percent(t, r) {
                    allowed.push(x.to_string());
                }
            }
            for m in t.mean.iter().chain(&t.median) {
                allowed.push(format!("{m:.1}"));
                allowed.push(crate::form::number_text((m * 100.0).round() / 100.0));
            }
            // Answer labels ("不到1年") are quoted; their digits are no counts.
            let mut said = String::new();
            let mut quoted = false;
            for ch in s.zh.chars() {
                match ch {
                    '“' => quoted = true,
                    '”' => quoted = false,
                    _ if !quoted => said.push(ch),
                    _ => {}
                }
            }
            let numbers = said
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter(|x| !x.is_empty());
            for x in numbers {
                assert!(
                    allowed.iter().any(|a| a == x),
                    "{}: “{x}” in “{}” is no published number",
                    q.id,
                    s.zh
                );
            }
        }
        // The dashboard with every cross-tab by area, and by the first category question.
        for (qi, q) in view.questions.iter().enumerate() {
            if !super::publish::crossable(q.measure) {
                continue;
            }
            for by in [
                By::Area,
                By::Question(
                    view.questions
                        .iter()
                        .position(|x| x.id == "house_type")
                        .unwrap(),
                ),
            ] {
                let dash = Published::new(
                    &ds,
                    &view,
                    &mask,
                    k,
                    Scope {
                        cross: Some((qi, by)),
                        ..Scope::default()
                    },
                );
                assert!(
                    dash.ledger.audit().is_empty(),
                    "{}: {:?}",
                    q.id,
                    dash.ledger.audit()
                );
                let cross = dash.cross.as_ref().unwrap();
                for row in &cross.cells {
                    for &c in row {
                        if let Shown::Count(n) = dash.shown(c) {
                            assert!(n == 0 || n >= k);
                        }
                    }
                }
            }
        }
    }
}

/// The publication dataset, checked by code that knows only the file and the form's JSON:
/// every group of records alike in area, household quasi-identifiers and members'
/// quasi-identifiers holds k or more; nothing a record should not carry is in it.
#[test]
fn the_publication_dataset_is_k_anonymous_when_recounted_independently() {
    let p = project(18);
    let form: J = serde_json::from_str(crate::form::builtin_compiled()).unwrap();
    let is_qi = |q: &J| q["privacy"] == "quasi_identifier";
    let sections: Vec<&J> = form["sections"].as_array().unwrap().iter().collect();
    let household_qi: Vec<String> = sections
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .filter(|q| is_qi(q))
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect();
    let roster = sections
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .find(|q| q["kind"].get("Repeat").is_some())
        .unwrap();
    let roster_id = roster["id"].as_str().unwrap();
    let member_qi: Vec<String> = roster["kind"]["Repeat"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| is_qi(q))
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect();
    let never: Vec<String> = sections
        .iter()
        .flat_map(|s| {
            let worker = s["audience"] == "worker";
            s["questions"].as_array().unwrap().iter().filter(move |q| {
                worker || matches!(q["privacy"].as_str(), Some("identifier" | "free_text"))
            })
        })
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(never.contains(&"visit_out".to_owned()) && never.contains(&"comments".to_owned()));
    for (k, per_worker) in [(3u32, 5usize), (5, 80)] {
        let mut ds = dataset();
        for (i, w) in ["W01", "W02", "W03"].iter().enumerate() {
            let r = i * per_worker..(i + 1) * per_worker;
            accepted(import(&mut ds, w, worker_export(&p, w, r).as_bytes()));
        }
        ds.seal();
        let completed = (0..ds.len())
            .filter(|&r| ds.live[r] && ds.completed[r])
            .count();
        let out = super::release::publication(&ds, "community-needs", k).unwrap();
        assert_eq!(out.loss.records + out.loss.withheld, completed);
        let records: Vec<J> = out
            .ndjson
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), out.loss.records);
        let mut groups: std::collections::HashMap<String, usize> = Default::default();
        let mut ids = std::collections::HashSet::new();
        for r in &records {
            let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
            assert!(
                keys.iter().all(|k| ["id", "area", "answers"].contains(k)),
                "{keys:?}"
            );
            let id = r["id"].as_str().unwrap();
            assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()));
            assert!(ids.insert(id.to_owned()) && !ds.id.iter().any(|x| &**x == id));
            let a = r["answers"].as_object().unwrap();
            for n in &never {
                assert!(!a.contains_key(n), "{n} published");
            }
            let mut key = vec![r["area"].to_string()];
            key.extend(
                household_qi
                    .iter()
                    .map(|q| a.get(q).map_or("-".into(), J::to_string)),
            );
            let mut members: Vec<String> = a
                .get(roster_id)
                .and_then(J::as_array)
                .map(|ms| {
                    ms.iter()
                        .map(|m| {
                            member_qi
                                .iter()
                                .map(|q| m.get(q).map_or("-".into(), J::to_string))
                                .collect::<Vec<_>>()
                                .join("/")
                        })
                        .collect()
                })
                .unwrap_or_default();
            members.sort();
            key.push(members.join(";"));
            *groups.entry(key.join("|")).or_default() += 1;
        }
        let smallest = groups.values().min().copied().unwrap_or(0);
        assert!(smallest >= k as usize, "k = {k}: a group of {smallest}");
        // The CSV has a row per record and no worker or household column.
        let header = out
            .csv
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap();
        assert!(header.starts_with("id,area,"), "{header}");
        assert!(!header.contains("worker") && !header.contains("household_link"));
        assert_eq!(out.csv.lines().count(), records.len() + 1);
    }
}
