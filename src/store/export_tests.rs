//! The project and the export history in storage.

use super::*;
use crate::export::{HistoryEntry, Project};
use crate::form::builtin_form;
use crate::response::{sample, Status};

fn project() -> Project {
    Project::new("东区", "幸福社区", &[7; 48])
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
    let other = Project::new("西区", "", &[9; 48]);
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
