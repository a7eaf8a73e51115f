use super::responses::Recovered;
use super::*;
use crate::form::builtin_form;
use crate::response::{sample, Response, Value};

const ID: &str = "0b6c1f7e-8a5d-4c1e-9f1a-3d2b7c9e0a11";
const NOW: &str = "2026-11-24T09:00:00+08:00";

fn new_response(id: &str) -> Response {
    Response::new(id.into(), builtin_form(), NOW.into())
}

#[test]
fn a_fresh_store_gets_the_current_schema() {
    let store = ResponseStore::open(MemoryStore::new()).unwrap();
    assert_eq!(store.kv().get(SCHEMA_KEY).unwrap().as_deref(), Some("1"));
}

#[test]
fn every_answer_is_saved_and_only_its_response_is_rewritten() {
    let store = ResponseStore::open(MemoryStore::new()).unwrap();
    let other = store.create(new_response("aaaa")).unwrap();
    let mut open = store.create(new_response(ID)).unwrap();
    let before_other = store.kv().get("doorstep.r.aaaa").unwrap();

    open.response
        .set_answer("building", Some(Value::Text("12".into())));
    store.save(&mut open, "2026-11-24T09:01:00+08:00").unwrap();
    let reread = store.open_response(ID).unwrap().unwrap();
    assert_eq!(
        reread.response.answer("building"),
        Some(&Value::Text("12".into()))
    );
    assert_eq!(reread.response.rev, 1);
    assert_eq!(reread.response.updated, "2026-11-24T09:01:00+08:00");
    assert_eq!(store.kv().get("doorstep.r.aaaa").unwrap(), before_other);
    assert_eq!(other.response.rev, 0);
}

#[test]
fn quota_exceeded_keeps_the_saved_copy_and_the_unsaved_answer() {
    // Room for the schema key and one small response, not for a long answer.
    let kv = MemoryStore::with_quota(600);
    let store = ResponseStore::open(kv).unwrap();
    let mut open = store.create(new_response(ID)).unwrap();
    open.response
        .set_answer("building", Some(Value::Text("12".into())));
    store.save(&mut open, NOW).unwrap();
    let saved = store.kv().get(&format!("doorstep.r.{ID}")).unwrap();

    open.response
        .set_answer("comments", Some(Value::Text("很长的意见".repeat(100))));
    let err = store.save(&mut open, NOW).unwrap_err();
    assert_eq!(err, SaveError::Store(StoreError::QuotaExceeded));
    // The stored response is exactly the last good save…
    assert_eq!(store.kv().get(&format!("doorstep.r.{ID}")).unwrap(), saved);
    // …and the tab still holds the new answer, to save once there is room.
    assert!(open.response.answer("comments").is_some());

    open.response
        .set_answer("comments", Some(Value::Text("短".into())));
    store.save(&mut open, NOW).unwrap();
    let reread = store.open_response(ID).unwrap().unwrap().response;
    assert_eq!(reread.answer("comments"), Some(&Value::Text("短".into())));
    assert_eq!(reread.answer("building"), Some(&Value::Text("12".into())));
}

#[test]
fn creating_a_response_when_full_fails_cleanly() {
    let kv = MemoryStore::with_quota(100);
    let store = ResponseStore::open(kv).unwrap();
    assert_eq!(
        store.create(new_response(ID)).unwrap_err(),
        StoreError::QuotaExceeded
    );
    assert_eq!(store.ids().unwrap(), Vec::<String>::new());
}

#[test]
fn a_second_tab_cannot_silently_overwrite() {
    let kv = MemoryStore::new();
    let store = ResponseStore::open(kv).unwrap();
    let mut tab_a = store.create(new_response(ID)).unwrap();
    let mut tab_b = store.open_response(ID).unwrap().unwrap();

    tab_a
        .response
        .set_answer("building", Some(Value::Text("1".into())));
    store.save(&mut tab_a, NOW).unwrap();

    tab_b
        .response
        .set_answer("unit", Some(Value::Text("2".into())));
    match store.save(&mut tab_b, NOW) {
        Err(SaveError::Conflict(Some(theirs))) => {
            assert_eq!(theirs.answer("building"), Some(&Value::Text("1".into())))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Storage still holds tab A's answer.
    let stored = store.open_response(ID).unwrap().unwrap().response;
    assert!(stored.answer("unit").is_none());
    assert!(stored.answer("building").is_some());

    // Tab B's user chooses to keep theirs: written on purpose, not by accident.
    store.overwrite(&mut tab_b, NOW).unwrap();
    let stored = store.open_response(ID).unwrap().unwrap().response;
    assert!(stored.answer("unit").is_some());
    // And now tab A is the stale one.
    assert!(matches!(
        store.save(&mut tab_a, NOW),
        Err(SaveError::Conflict(_))
    ));
}

#[test]
fn a_response_deleted_in_another_tab_is_a_conflict_not_a_resurrection() {
    let store = ResponseStore::open(MemoryStore::new()).unwrap();
    let mut open = store.create(new_response(ID)).unwrap();
    store.delete(ID).unwrap();
    assert_eq!(store.save(&mut open, NOW), Err(SaveError::Conflict(None)));
    assert!(store.open_response(ID).unwrap().is_none());
    store.overwrite(&mut open, NOW).unwrap();
    assert!(store.open_response(ID).unwrap().is_some());
}

#[test]
fn list_summarises_and_keeps_damaged_entries() {
    let kv = MemoryStore::new();
    let store = ResponseStore::open(kv).unwrap();
    let form = builtin_form();
    let mut first = new_response("aaaa");
    first.started = "2026-11-20T09:00:00+08:00".into();
    store.create(first).unwrap();
    store.create(sample::completed(form, "bbbb", 1)).unwrap();
    store.kv().set("doorstep.r.cccc", "{not json").unwrap();
    store.kv().set("someone-else", "x").unwrap();

    let (list, damaged) = store.list(|_, _| Some(form)).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, "bbbb", "newest first");
    assert_eq!(list[0].progress.answered, list[0].progress.total);
    assert!(list[0].building.is_some());
    assert_eq!(list[1].progress.answered, 0);
    assert_eq!(damaged, vec!["doorstep.r.cccc".to_string()]);
    // Damaged entries are never removed by listing.
    assert!(store.kv().get("doorstep.r.cccc").unwrap().is_some());
    assert_eq!(
        store.open_response("cccc").unwrap_err(),
        StoreError::Corrupt {
            key: "doorstep.r.cccc".into(),
            detail: "key must be a string at line 1 column 2".into(),
        }
    );
}

#[test]
fn delete_removes_one_response() {
    let store = ResponseStore::open(MemoryStore::new()).unwrap();
    store.create(new_response("aaaa")).unwrap();
    store.create(new_response("bbbb")).unwrap();
    store.delete("aaaa").unwrap();
    assert_eq!(store.ids().unwrap(), vec!["bbbb".to_string()]);
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let kv = MemoryStore::new();
    kv.set(SCHEMA_KEY, "9").unwrap();
    kv.set("doorstep.r.x", "{\"future\":true}").unwrap();
    let before = kv.dump();
    assert_eq!(
        ResponseStore::open(&kv).err(),
        Some(StoreError::NewerSchema(9))
    );
    assert_eq!(kv.dump(), before, "nothing rewritten");
}

#[test]
fn a_tab_from_before_an_update_stops_writing() {
    // Opened under schema 1; meanwhile a newer version migrated the store.
    let kv = MemoryStore::new();
    let store = ResponseStore::open(&kv).unwrap();
    let mut open = store.create(new_response(ID)).unwrap();
    kv.set(SCHEMA_KEY, "2").unwrap();
    let before = kv.dump();
    open.response
        .set_answer("unit", Some(Value::Text("1".into())));
    assert_eq!(
        store.save(&mut open, NOW),
        Err(SaveError::Store(StoreError::NewerSchema(2)))
    );
    assert_eq!(
        store.create(new_response("bbbb")).err(),
        Some(StoreError::NewerSchema(2))
    );
    assert_eq!(kv.dump(), before);
}

fn rename_answers(kv: &dyn KvStore) -> Result<(), StoreError> {
    // A step as a real one would be: rewrite each response key, idempotently.
    for k in kv
        .keys()?
        .into_iter()
        .filter(|k| k.starts_with("doorstep.r."))
    {
        let v = kv.get(&k)?.unwrap_or_default();
        kv.set(&k, &v.replace("\"answers\"", "\"a\""))?;
    }
    Ok(())
}

fn add_marker(kv: &dyn KvStore) -> Result<(), StoreError> {
    kv.set("doorstep.marker", "2")
}

const STEPS: &[Migration] = &[
    Migration {
        from: 1,
        run: rename_answers,
    },
    Migration {
        from: 2,
        run: add_marker,
    },
];

#[test]
fn migrations_run_in_order_and_bump_the_version() {
    let kv = MemoryStore::new();
    kv.set(SCHEMA_KEY, "1").unwrap();
    kv.set("doorstep.r.x", "{\"answers\":{}}").unwrap();
    assert_eq!(migrate_with(&kv, STEPS, 3), Ok(1));
    assert_eq!(
        kv.get("doorstep.r.x").unwrap().as_deref(),
        Some("{\"a\":{}}")
    );
    assert_eq!(kv.get("doorstep.marker").unwrap().as_deref(), Some("2"));
    assert_eq!(kv.get(SCHEMA_KEY).unwrap().as_deref(), Some("3"));
    // Running again is a no-op.
    let dump = kv.dump();
    assert_eq!(migrate_with(&kv, STEPS, 3), Ok(3));
    assert_eq!(kv.dump(), dump);
}

#[test]
fn an_interrupted_migration_is_resumed_not_half_applied() {
    let kv = MemoryStore::new();
    kv.set(SCHEMA_KEY, "1").unwrap();
    kv.set("doorstep.r.x", "{\"answers\":{}}").unwrap();
    kv.fail_writes(true);
    assert!(migrate_with(&kv, STEPS, 3).is_err());
    kv.fail_writes(false);
    assert_eq!(
        kv.get(SCHEMA_KEY).unwrap().as_deref(),
        Some("1"),
        "version not bumped"
    );
    assert_eq!(migrate_with(&kv, STEPS, 3), Ok(1));
    assert_eq!(
        kv.get("doorstep.r.x").unwrap().as_deref(),
        Some("{\"a\":{}}")
    );
}

#[test]
fn a_damaged_schema_key_is_reported_not_overwritten() {
    let kv = MemoryStore::new();
    kv.set(SCHEMA_KEY, "banana").unwrap();
    assert!(matches!(migrate(&kv), Err(StoreError::Corrupt { .. })));
    assert_eq!(kv.get(SCHEMA_KEY).unwrap().as_deref(), Some("banana"));
}

#[test]
fn a_whole_community_fits_in_the_quota() {
    // The figure `make bench` prints is measured in Chromium; this is the native guard.
    let kv = MemoryStore::with_quota(5_242_260);
    let store = ResponseStore::open(kv).unwrap();
    let form = builtin_form();
    let mut n = 0;
    loop {
        let id = format!("{:08x}-0000-4000-8000-{:012x}", n, n);
        match store.create(sample::completed(form, &id, n)) {
            Ok(_) => n += 1,
            Err(StoreError::QuotaExceeded) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(n >= 2_130, "only {n} completed responses fit");
}

#[test]
fn an_unsaved_edit_survives_leaving_the_screen_and_is_saved_once_there_is_room() {
    let store = ResponseStore::open(MemoryStore::with_quota(700)).unwrap();
    let scratch = MemoryStore::new();
    let mut open = store.create(new_response(ID)).unwrap();
    open.response
        .set_answer("comments", Some(Value::Text("很长的意见".repeat(100))));
    assert!(store.save(&mut open, NOW).is_err());
    store.stash_unsaved(&scratch, &open);

    // The screen is left and opened again: the stored copy lacks the edit, the stash has it.
    let mut reopened = store.open_response(ID).unwrap().unwrap();
    assert!(reopened.response.answer("comments").is_none());
    assert_eq!(
        store.recover_unsaved(&scratch, &mut reopened),
        Recovered::Restored
    );
    assert!(reopened.response.answer("comments").is_some());

    // A later save overtook the held edit: it is restored all the same, and what is stored
    // comes back for the user to choose between. Nothing is dropped.
    let mut other = store.open_response(ID).unwrap().unwrap();
    other
        .response
        .set_answer("unit", Some(Value::Text("1".into())));
    store.save(&mut other, NOW).unwrap();
    let mut newer = store.open_response(ID).unwrap().unwrap();
    match store.recover_unsaved(&scratch, &mut newer) {
        Recovered::Overtaken(stored) => {
            assert_eq!(stored.answer("unit"), Some(&Value::Text("1".into())));
            assert!(newer.response.answer("comments").is_some());
        }
        r => panic!("expected Overtaken, got {r:?}"),
    }
    // Keeping the held edit is a deliberate overwrite, once there is room.
    newer
        .response
        .set_answer("comments", Some(Value::Text("短".into())));
    store.overwrite(&mut newer, NOW).unwrap();
    store.clear_unsaved(&scratch, ID);
    assert!(scratch.dump().is_empty());
    assert_eq!(
        store.recover_unsaved(&scratch, &mut store.open_response(ID).unwrap().unwrap()),
        Recovered::Nothing
    );
}

#[test]
fn household_surveys_lists_completed_responses_started_from_a_household() {
    let store = ResponseStore::open(MemoryStore::new()).unwrap();
    let form = builtin_form();
    let from = |id: &str, household: Option<&str>, done: bool| {
        let mut r = sample::completed(form, id, 1);
        r.household = household.map(str::to_owned);
        if !done {
            r.reopen();
        }
        store.create(r).unwrap();
    };
    from("a", Some("1-1-101"), true);
    from("b", None, true);
    from("c", Some("1-1-102"), false);
    from("d", Some("1-1-201"), true);
    let no = |r: &crate::response::Response| r.id == "d";
    let all = store.household_surveys(|_| false, no).unwrap();
    let ids: Vec<(&str, &str, bool)> = all
        .iter()
        .map(|s| (s.response.as_str(), s.household.as_str(), s.declined))
        .collect();
    assert_eq!(ids, [("a", "1-1-101", false), ("d", "1-1-201", true)]);
    let rest = store.household_surveys(|id| id == "a", no).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].response, "d");
}
