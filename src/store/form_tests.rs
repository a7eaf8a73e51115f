//! The form library: versions side by side, nothing overwritten, nothing half-added.

use super::*;
use crate::form::{builtin_form, parse_form, Form};
use serde_json::json;

fn form(id: &str, version: u32, label: &str) -> (String, String) {
    let l = json!({"zh-CN": label, "en": label});
    let source = json!({
        "format": 1, "id": id, "version": version, "title": l,
        "sections": [{"id": "s", "title": l, "questions": [
            {"id": "a", "type": "integer", "label": l, "privacy": "none"}
        ]}]
    })
    .to_string();
    let compiled = serde_json::to_string(&parse_form(&source).unwrap()).unwrap();
    (compiled, source)
}

#[test]
fn versions_of_several_forms_sit_side_by_side() {
    let store = FormStore::new(MemoryStore::new());
    let (c1, s1) = form("visit", 1, "Visit");
    let (c2, s2) = form("visit", 2, "Visit v2");
    let (c3, s3) = form("elders", 4, "Elders");
    assert_eq!(store.add(&c1, &s1), Ok(Added::New));
    assert_eq!(store.add(&c2, &s2), Ok(Added::New));
    assert_eq!(store.add(&c3, &s3), Ok(Added::New));
    let (entries, damaged) = store.list().unwrap();
    let listed: Vec<(&str, u32)> = entries.iter().map(|e| (e.id.as_str(), e.version)).collect();
    let b = builtin_form();
    assert_eq!(
        listed,
        [
            (b.id.as_str(), b.version),
            ("elders", 4),
            ("visit", 2),
            ("visit", 1)
        ]
    );
    assert!(entries[0].builtin && !entries[1].builtin);
    assert!(damaged.is_empty());
    let v1: Form = store.load("visit", 1).unwrap().unwrap();
    assert_eq!(v1.title.en, "Visit");
    assert_eq!(
        store.source("visit", 2).unwrap().as_deref(),
        Some(s2.as_str())
    );
    assert_eq!(store.next_version("visit").unwrap(), 3);
    assert_eq!(store.next_version("new-form").unwrap(), 1);
    assert_eq!(store.next_version(&b.id).unwrap(), b.version + 1);
}

#[test]
fn a_stored_version_is_never_replaced() {
    let kv = MemoryStore::new();
    let store = FormStore::new(&kv);
    let (c1, s1) = form("visit", 1, "Visit");
    store.add(&c1, &s1).unwrap();
    assert_eq!(store.add(&c1, &s1), Ok(Added::AlreadyThere));
    let (other, other_source) = form("visit", 1, "Changed");
    assert_eq!(
        store.add(&other, &other_source),
        Err(AddError::VersionTaken {
            id: "visit".into(),
            version: 1
        })
    );
    assert_eq!(store.load("visit", 1).unwrap().unwrap().title.en, "Visit");
    // Nor is the built-in questionnaire.
    let b = builtin_form();
    let builtin = serde_json::to_string(b).unwrap();
    assert_eq!(store.add(&builtin, "{}"), Ok(Added::AlreadyThere));
    let (fake, fake_source) = form(&b.id, b.version, "Fake");
    assert!(matches!(
        store.add(&fake, &fake_source),
        Err(AddError::VersionTaken { .. })
    ));
    // An unreadable stored form is listed as damaged and never overwritten.
    kv.set("doorstep.f.broken.1", "{not json").unwrap();
    let (_, damaged) = store.list().unwrap();
    assert_eq!(damaged, ["doorstep.f.broken.1"]);
    let (c, s) = form("broken", 1, "Broken");
    assert!(matches!(
        store.add(&c, &s),
        Err(AddError::VersionTaken { .. })
    ));
    assert_eq!(
        kv.get("doorstep.f.broken.1").unwrap().as_deref(),
        Some("{not json")
    );
}

#[test]
fn a_full_storage_adds_nothing_at_all() {
    let (c, s) = form("visit", 1, "Visit");
    // Room for the definition but not for both.
    let kv = MemoryStore::with_quota(utf16_len(&s) + 40);
    let store = FormStore::new(&kv);
    assert_eq!(
        store.add(&c, &s),
        Err(AddError::Store(StoreError::QuotaExceeded))
    );
    assert!(kv.keys().unwrap().is_empty(), "{:?}", kv.keys());
    assert!(store
        .add("{}", &s)
        .is_err_and(|e| matches!(e, AddError::Unreadable(_))));
}

#[test]
fn titles_name_every_stored_version_without_the_built_in_one() {
    let store = FormStore::new(MemoryStore::new());
    let (c1, s1) = form("visit", 1, "Visit");
    let (c2, s2) = form("visit", 2, "Visit v2");
    store.add(&c1, &s1).unwrap();
    store.add(&c2, &s2).unwrap();
    let titles: Vec<(String, u32, String)> = store
        .titles()
        .unwrap()
        .into_iter()
        .map(|(id, v, t)| (id, v, t.en))
        .collect();
    assert_eq!(
        titles,
        [
            ("visit".to_owned(), 2, "Visit v2".to_owned()),
            ("visit".to_owned(), 1, "Visit".to_owned())
        ]
    );
}
