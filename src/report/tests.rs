use super::aggregate::{protect, protect_table, ranked, By, Counts, Measure, Shown};
use super::fixture::{keyring, project, resign, variant, worker_export};
use super::import::{Part, MAX_FILE_BYTES};
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
fn small_counts_are_hidden_and_cannot_be_worked_out() {
    assert_eq!(
        protect(&[10, 3, 0, 7], 5, false),
        vec![
            Shown::Count(10),
            Shown::Under,
            Shown::Count(0),
            Shown::Count(7)
        ]
    );
    // With a published total, 3 = total − 10 − 7: the smallest other goes too.
    assert_eq!(
        protect(&[10, 3, 0, 7], 5, true),
        vec![
            Shown::Count(10),
            Shown::Under,
            Shown::Count(0),
            Shown::Protects
        ]
    );
    // "<k" only where it is true; the protecting cell (7) says what it is.
    assert_eq!(Shown::Under.text(5, crate::i18n::Lang::Zh), "<5");
    assert_eq!(
        Shown::Protects.text(5, crate::i18n::Lang::Zh),
        "隐藏以保护其他格"
    );
    assert_eq!(
        Shown::Protects.text(5, crate::i18n::Lang::En),
        "hidden to protect another cell"
    );
    assert_eq!(Shown::of(3, 5), Shown::Under);
    assert_eq!(Shown::of(0, 5), Shown::Count(0));
    let t = protect_table(&[vec![20, 2, 9], vec![15, 30, 12]], 5);
    for row in &t {
        assert_ne!(row.iter().filter(|s| s.is_hidden()).count(), 1);
    }
    for c in 0..3 {
        assert_ne!(t.iter().filter(|r| r[c].is_hidden()).count(), 1);
    }
    // Each hidden cell is labelled for why: under k only if its count is.
    let cells = [vec![20, 2, 9], vec![15, 30, 12]];
    for (r, row) in t.iter().enumerate() {
        for (c, s) in row.iter().enumerate() {
            match s {
                Shown::Under => assert!(cells[r][c] > 0 && cells[r][c] < 5),
                Shown::Protects => assert!(cells[r][c] >= 5),
                Shown::Count(n) => assert_eq!(*n, cells[r][c]),
            }
        }
    }
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
    let needs = view.question("top_needs").unwrap();
    let ranking = ranked(needs, &view.count(needs, &all));
    assert!(ranking.windows(2).all(|w| w[0].2 >= w[1].2));
    assert!(ranking.iter().all(|(v, _, _)| v != "none"));
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
    let c = view.count(q, &mask);
    let s = narrative::sentence(q, &c, k).expect("a sentence");
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
    let s = narrative::sentence(needs, &view.count(needs, &mask), k).unwrap();
    assert!(s.en.starts_with("Of the"), "{}", s.en);
    // Too few answers: nothing is said.
    let few = Counts {
        base: 3,
        n: vec![3; q.values.len()],
    };
    assert!(narrative::sentence(q, &few, k).is_none());
    // A count under k is never quoted, even when it is the largest.
    let mut small = vec![0; q.values.len()];
    small[0] = 4;
    small[1] = 4;
    let s = narrative::sentence(q, &Counts { base: 8, n: small }, k);
    assert!(s.is_none());
    // All of them: said so, counted in 户, not "8 个中 8 个".
    let mut all = vec![0; q.values.len()];
    all[0] = 8;
    let s = narrative::sentence(q, &Counts { base: 8, n: all }, k).unwrap();
    assert!(s.zh.starts_with("全部 8 户受访住户都回答"), "{}", s.zh);
    assert!(!s.zh.contains("个中"));
    // All but fewer than k: "7 of 8" would say the eighth is alone; it is not quoted.
    let mut most = vec![0; q.values.len()];
    most[0] = 7;
    most[1] = 1;
    let s = narrative::sentence(q, &Counts { base: 8, n: most }, k).unwrap();
    assert!(
        !s.zh.contains('7') && !s.en.contains('7'),
        "{} / {}",
        s.zh,
        s.en
    );
    assert!(s.zh.contains("除不足 5 户外"), "{}", s.zh);
    // Otherwise the count, in 户.
    let mut half = vec![0; q.values.len()];
    half[0] = 6;
    half[1] = 6;
    let s = narrative::sentence(q, &Counts { base: 12, n: half }, k).unwrap();
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
            (Expect::Invalid, Rejection::Invalid(_)) | (Expect::BadK, Rejection::BadK(_)) => {}
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
