//! The project and the export history in storage.

use super::*;
use crate::export::{HistoryEntry, Project};
use crate::form::builtin_form;
use crate::response::{sample, Status};

fn project() -> Project {
    Project::new("东区", "幸福社区", &[7; 80]).0
}

fn store_responses(kv: &MemoryStore, n: usize) -> Vec<String> {
    let store = ResponseStore::open(kv).unwrap();
    (0..n)
        .map(|i| {
            let r = sample::completed(builtin_form(), &format!("r{i:03}"), i as u64);
            store.create(r).unwrap();
            format!("r{i:03}")
        })
        .collect()
}

#[test]
fn a_project_is_stored_whole_and_never_touches_responses() {
    let kv = MemoryStore::new();
    let ids = store_responses(&kv, 3);
    let before: Vec<(String, String)> = kv
        .dump()
        .into_iter()
        .filter(|(k, _)| k.starts_with("doorstep.r."))
        .collect();
    let exports = ExportStore::new(&kv);
    assert_eq!(exports.project().unwrap(), None);
    let p = project();
    exports.save_project(&p).unwrap();
    assert_eq!(exports.project().unwrap(), Some(p.clone()));
    // Another project file replaces the settings; the responses stay as they were.
    let other = Project::new("西区", "", &[9; 80]).0;
    exports.save_project(&other).unwrap();
    let after: Vec<(String, String)> = kv
        .dump()
        .into_iter()
        .filter(|(k, _)| k.starts_with("doorstep.r."))
        .collect();
    assert_eq!(before, after);
    assert_eq!(after.len(), ids.len());
    // A project that would break exports is refused, and the stored one kept.
    let mut bad = p;
    bad.k = 0;
    assert!(exports.save_project(&bad).is_err());
    assert_eq!(exports.project().unwrap(), Some(other));
}

#[test]
fn a_replaced_project_is_kept_so_its_responses_can_still_be_exported_to_it() {
    let kv = MemoryStore::new();
    let exports = ExportStore::new(&kv);
    let east = project();
    let west = Project::new("西区", "", &[9; 80]).0;
    exports.save_project(&east).unwrap();
    assert!(exports.previous_projects().unwrap().is_empty());
    exports.save_project(&west).unwrap();
    assert_eq!(exports.project().unwrap(), Some(west.clone()));
    assert_eq!(exports.previous_projects().unwrap(), vec![east.clone()]);
    assert_eq!(
        exports.previous_project(&east.id).unwrap(),
        Some(east.clone())
    );
    // Kept sealed like the project: no name or key in plain storage.
    assert!(super::projects::sealed(&format!(
        "doorstep.project.was.{}",
        east.id
    )));
    // Saved again unchanged, nothing more is kept; made current again, it is no longer a
    // previous one, and the one it replaced is.
    exports.save_project(&west).unwrap();
    assert_eq!(exports.previous_projects().unwrap().len(), 1);
    exports.save_project(&east).unwrap();
    assert_eq!(exports.previous_projects().unwrap(), vec![west]);
}

#[test]
fn clearing_removes_only_exported_completed_responses_unchanged_since() {
    let kv = MemoryStore::new();
    let ids = store_responses(&kv, 5);
    let responses = ResponseStore::open(&kv).unwrap();
    let exports = ExportStore::new(&kv);
    assert!(exports.clearable(&responses).unwrap().is_empty());
    let (all, _) = responses.all().unwrap();
    exports
        .record(HistoryEntry {
            at: "2026-11-24T18:00:00+08:00".into(),
            form: "community-needs".into(),
            version: 1,
            file: "doorstep-community-needs-W07-2026-11-24.json".into(),
            count: 4,
            sha256: "00".into(),
            responses: all.iter().take(4).map(|r| (r.id.clone(), r.rev)).collect(),
            cleared: false,
        })
        .unwrap();
    assert_eq!(exports.exported().unwrap().len(), 4);
    // r001 changed after the export, r002 went back to draft: both stay.
    let mut open = responses.open_response(&ids[1]).unwrap().unwrap();
    open.response.set_answer(
        "suggest",
        Some(crate::response::Value::Text("后来补充".into())),
    );
    responses
        .save(&mut open, "2026-11-24T19:00:00+08:00")
        .unwrap();
    let mut open = responses.open_response(&ids[2]).unwrap().unwrap();
    open.response.status = Status::Draft;
    responses
        .save(&mut open, "2026-11-24T19:00:00+08:00")
        .unwrap();
    let mut clearable = exports.clearable(&responses).unwrap();
    clearable.sort();
    assert_eq!(clearable, vec![ids[0].clone(), ids[3].clone()]);
    assert_eq!(exports.clear_exported(&responses).unwrap(), 2);
    let mut left = responses.ids().unwrap();
    left.sort();
    assert_eq!(left, vec![ids[1].clone(), ids[2].clone(), ids[4].clone()]);
    let h = exports.history().unwrap();
    assert_eq!(h[0].count, 4);
    assert_eq!(h[0].responses.len(), 2);
    assert!(exports.clearable(&responses).unwrap().is_empty());
}

/// A project as a coordinator hands it out: a walk list, targets and a form of its own.
fn handed_out() -> Project {
    use crate::visits::indicators::Measure;
    use crate::visits::walk::Household;
    let mut p = project();
    p.households = vec![
        Household::new("1栋", "1单元", "101"),
        Household::new("1栋", "1单元", "102"),
        Household::new("2号别墅", "", ""),
    ];
    p.set_goal(Measure::Visits, Some(150));
    p.set_goal(Measure::CompletedSurveys, Some(90));
    let l = serde_json::json!({"zh-CN": "回访", "en": "Revisit"});
    let def = serde_json::json!({
        "format": 1, "id": "revisit", "version": 3, "title": l,
        "sections": [{"id": "s", "title": l, "questions": [
            {"id": "a", "type": "integer", "label": l, "privacy": "none"}
        ]}]
    });
    p.forms.push(crate::export::FormRef {
        id: "revisit".into(),
        version: 3,
    });
    p.definitions.push(def);
    p
}

#[test]
fn installing_a_project_brings_its_form_walk_list_and_targets_and_keeps_responses() {
    use crate::visits::indicators::{Measure, Target};
    let kv = MemoryStore::new();
    let ids = store_responses(&kv, 2);
    let p = handed_out();
    // Through the file, as a worker gets it.
    let p = Project::parse(&p.to_file()).unwrap();
    let done = install(&kv, &p).unwrap();
    assert_eq!(
        done,
        Installed {
            forms_added: 1,
            households: Some(3),
            targets: true
        }
    );
    let forms = FormStore::new(&kv);
    assert!(forms.load("revisit", 3).unwrap().is_some());
    let visits = VisitStore::new(&kv);
    let list = visits.walk_list().unwrap().unwrap();
    assert_eq!(list.households, p.households);
    assert_eq!(list.community, "幸福社区");
    assert_eq!(
        visits.targets().unwrap(),
        vec![
            Target {
                measure: Measure::Visits,
                goal: 150
            },
            Target {
                measure: Measure::CompletedSurveys,
                goal: 90
            }
        ]
    );
    // The device keeps the settings; the walk list and forms live in their own stores.
    let kept = ExportStore::new(&kv).project().unwrap().unwrap();
    assert_eq!(kept, p.settings());
    assert!(kept.households.is_empty() && kept.definitions.is_empty());
    assert_eq!(
        ResponseStore::open(&kv).unwrap().ids().unwrap().len(),
        ids.len()
    );
    // Installing it again changes nothing and adds no form twice.
    let before = kv.dump();
    assert_eq!(install(&kv, &p).unwrap().forms_added, 0);
    assert_eq!(kv.dump(), before);
}

#[test]
fn a_project_whose_form_clashes_or_does_not_fit_changes_nothing() {
    let kv = MemoryStore::new();
    store_responses(&kv, 1);
    let mut p = handed_out();
    // The device already has revisit v3 with other questions.
    let mut other = p.definitions[0].clone();
    other["sections"][0]["questions"][0]["id"] = "b".into();
    let src = other.to_string();
    let compiled = serde_json::to_string(&crate::form::parse_form(&src).unwrap()).unwrap();
    FormStore::new(&kv).add(&compiled, &src).unwrap();
    let before = kv.dump();
    let err = install(&kv, &p).unwrap_err();
    assert_eq!(
        err,
        InstallError::FormTaken {
            id: "revisit".into(),
            version: 3
        }
    );
    assert!(err.describe(crate::i18n::Lang::Zh).contains("升版本号"));
    assert_eq!(kv.dump(), before);

    // An included form that does not parse is named, and nothing is written.
    let kv = MemoryStore::new();
    p.definitions[0]["sections"][0]["questions"][0]["type"] = "teleport".into();
    let err = install(&kv, &p).unwrap_err();
    assert!(matches!(err, InstallError::Invalid(_)), "{err:?}");
    assert!(err.describe(crate::i18n::Lang::En).contains("revisit"));
    assert!(kv.dump().is_empty());
}

#[test]
fn a_project_install_refused_by_full_storage_puts_back_what_was_there() {
    use crate::visits::walk::{Household, WalkList};
    let kv = MemoryStore::with_quota(4_000);
    let visits = VisitStore::new(&kv);
    let old = WalkList::new("旧", vec![Household::new("9", "1", "101")]).unwrap();
    visits.save_walk_list(&old).unwrap();
    let mut p = handed_out();
    // A walk list too long for what is left.
    p.households = (1..=200)
        .map(|r| Household::new("1栋", "1单元", &format!("{r}")))
        .collect();
    let before = kv.dump();
    let err = install(&kv, &p).unwrap_err();
    assert_eq!(err, InstallError::Store(StoreError::QuotaExceeded));
    assert!(err.describe(crate::i18n::Lang::Zh).contains("存储空间已满"));
    assert_eq!(kv.dump(), before, "the form added first is taken out again");
    assert_eq!(visits.walk_list().unwrap(), Some(old));
}

#[test]
fn the_coordinators_projects_are_kept_apart_from_the_devices_own() {
    let kv = MemoryStore::new();
    let book = ProjectBook::new(&kv);
    let a = handed_out();
    let mut b = Project::new("北区", "", &[3; 80]).0;
    b.name = "北区".into();
    book.save(&a).unwrap();
    book.save(&b).unwrap();
    let (list, damaged) = book.list().unwrap();
    assert!(damaged.is_empty());
    assert_eq!(
        list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["东区", "北区"]
    );
    assert_eq!(book.get(&a.id).unwrap(), Some(a.clone()));
    assert_eq!(ExportStore::new(&kv).project().unwrap(), None);
    // An invalid project is refused, the stored one stays.
    let mut bad = a.clone();
    bad.k = 1;
    assert!(book.save(&bad).is_err());
    assert_eq!(book.get(&a.id).unwrap(), Some(a.clone()));
    // A damaged key is reported, not dropped.
    kv.set("doorstep.cp.zzz", "{").unwrap();
    assert_eq!(book.list().unwrap().1, ["doorstep.cp.zzz"]);
    book.remove(&a.id).unwrap();
    assert_eq!(book.list().unwrap().0.len(), 1);
}
