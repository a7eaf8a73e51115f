//! The localStorage store in a real browser (headless Chromium, wasm-bindgen-test):
//! quota, migration, conflicts between tabs, raw layout.
#![cfg(target_arch = "wasm32")]

use doorstep::form::builtin_form;
use doorstep::response::{sample, Response, Value};
use doorstep::store::local::LocalStore;
use doorstep::store::{
    migrate_with, KvStore, Migration, ResponseStore, SaveError, StoreError, SCHEMA_KEY,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: &str = "2026-11-24T09:00:00+08:00";

fn fresh() -> LocalStore {
    let kv = LocalStore::open().expect("localStorage available in the test browser");
    kv.storage().clear().unwrap();
    kv
}

/// Fills localStorage to the last character, so the next write fails as on a full tablet.
/// Returns the filler keys.
fn fill(kv: &LocalStore) -> Vec<String> {
    let mut keys = Vec::new();
    let mut chunk = 1 << 20;
    while chunk >= 1 {
        let key = format!("filler.{}", keys.len());
        match kv.set(&key, &"x".repeat(chunk)) {
            Ok(()) => keys.push(key),
            Err(StoreError::QuotaExceeded) => chunk /= 2,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    keys
}

#[wasm_bindgen_test]
fn local_store_reads_writes_and_measures() {
    let kv = fresh();
    kv.set("doorstep.a", "一二三").unwrap();
    kv.set("doorstep.b", "x").unwrap();
    assert_eq!(kv.get("doorstep.a").unwrap().as_deref(), Some("一二三"));
    let mut keys = kv.keys().unwrap();
    keys.sort();
    assert_eq!(keys, ["doorstep.a", "doorstep.b"]);
    // UTF-16 code units of keys and values, as the browser counts them.
    assert_eq!(kv.chars_used().unwrap(), 10 + 3 + 10 + 1);
    kv.remove("doorstep.a").unwrap();
    assert_eq!(kv.get("doorstep.a").unwrap(), None);
}

#[wasm_bindgen_test]
fn quota_exceeded_never_damages_a_saved_response() {
    let kv = fresh();
    let store = ResponseStore::open(kv.clone()).unwrap();
    let form = builtin_form();
    let mut open = store
        .create(Response::new("r-1".into(), form, NOW.into()))
        .unwrap();
    open.response
        .set_answer("building", Some(Value::Text("12".into())));
    store.save(&mut open, NOW).unwrap();
    let saved = kv.get("doorstep.r.r-1").unwrap().unwrap();

    let filler = fill(&kv);
    assert!(
        kv.chars_used().unwrap() > 5_000_000,
        "the browser's quota was reached"
    );

    // A longer answer no longer fits: refused, and the stored copy is untouched.
    open.response
        .set_answer("comments", Some(Value::Text("楼道灯坏了".repeat(50))));
    assert_eq!(
        store.save(&mut open, NOW),
        Err(SaveError::Store(StoreError::QuotaExceeded))
    );
    assert_eq!(kv.get("doorstep.r.r-1").unwrap().unwrap(), saved);
    // A new response cannot be created either, and leaves nothing behind.
    assert_eq!(
        store.create(sample::completed(form, "r-2", 2)).unwrap_err(),
        StoreError::QuotaExceeded
    );
    assert_eq!(kv.get("doorstep.r.r-2").unwrap(), None);
    // Opening the app on a full device still works: storage is readable.
    assert!(LocalStore::open().is_ok());

    // Room made: the answer kept in memory is saved on the next try.
    for k in filler {
        kv.remove(&k).unwrap();
    }
    store.save(&mut open, NOW).unwrap();
    let reread = store.open_response("r-1").unwrap().unwrap().response;
    assert_eq!(reread.answer("building"), Some(&Value::Text("12".into())));
    assert!(reread.answer("comments").is_some());
    kv.storage().clear().unwrap();
}

#[wasm_bindgen_test]
fn newer_schema_is_refused_and_left_as_it_is() {
    let kv = fresh();
    kv.set(SCHEMA_KEY, "7").unwrap();
    kv.set("doorstep.r.x", "{\"from\":\"the future\"}").unwrap();
    assert!(matches!(
        ResponseStore::open(kv.clone()),
        Err(StoreError::NewerSchema(7))
    ));
    assert_eq!(kv.get(SCHEMA_KEY).unwrap().as_deref(), Some("7"));
    assert_eq!(
        kv.get("doorstep.r.x").unwrap().as_deref(),
        Some("{\"from\":\"the future\"}")
    );
    kv.storage().clear().unwrap();
}

fn shorten_keys(kv: &dyn KvStore) -> Result<(), StoreError> {
    for k in kv.keys()? {
        if let Some(id) = k.strip_prefix("doorstep.response.") {
            let v = kv.get(&k)?.unwrap_or_default();
            kv.set(&format!("doorstep.r.{id}"), &v)?;
            kv.remove(&k)?;
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn migration_runs_against_local_storage() {
    let kv = fresh();
    kv.set(SCHEMA_KEY, "1").unwrap();
    let r = sample::completed(builtin_form(), "old-1", 1);
    kv.set(
        "doorstep.response.old-1",
        &serde_json::to_string(&r).unwrap(),
    )
    .unwrap();
    let steps = [Migration {
        from: 1,
        run: shorten_keys,
    }];
    assert_eq!(migrate_with(&kv, &steps, 2), Ok(1));
    assert_eq!(kv.get(SCHEMA_KEY).unwrap().as_deref(), Some("2"));
    assert_eq!(kv.get("doorstep.response.old-1").unwrap(), None);
    let moved: Response =
        serde_json::from_str(&kv.get("doorstep.r.old-1").unwrap().unwrap()).unwrap();
    assert_eq!(moved, r);
    // A fresh device gets the current schema on first open.
    let kv = fresh();
    ResponseStore::open(kv.clone()).unwrap();
    assert_eq!(kv.get(SCHEMA_KEY).unwrap().as_deref(), Some("1"));
    kv.storage().clear().unwrap();
}

#[wasm_bindgen_test]
fn two_tabs_do_not_overwrite_each_other() {
    let kv = fresh();
    let store = ResponseStore::open(kv.clone()).unwrap();
    let form = builtin_form();
    let mut a = store
        .create(Response::new("r-1".into(), form, NOW.into()))
        .unwrap();
    let mut b = store.open_response("r-1").unwrap().unwrap();
    a.response.set_answer("unit", Some(Value::Text("1".into())));
    store.save(&mut a, NOW).unwrap();
    b.response.set_answer("unit", Some(Value::Text("2".into())));
    assert!(matches!(
        store.save(&mut b, NOW),
        Err(SaveError::Conflict(Some(_)))
    ));
    let stored = store.open_response("r-1").unwrap().unwrap().response;
    assert_eq!(stored.answer("unit"), Some(&Value::Text("1".into())));
    kv.storage().clear().unwrap();
}

/// The export in the browser: the project and history in real localStorage, a full storage
/// refusing the history entry without touching anything, and the file's raw bytes free of
/// every identifier, with the same pseudonyms the native build computes.
#[wasm_bindgen_test]
fn export_in_the_browser_keeps_identifiers_on_the_device() {
    use doorstep::export::{anonymise, document, Choice, Header, HistoryEntry, Project, Request};
    use doorstep::store::ExportStore;
    let kv = fresh();
    let store = ResponseStore::open(kv.clone()).unwrap();
    let form = builtin_form();
    let mut ids = Vec::new();
    for n in 0..40u64 {
        let mut r = sample::completed(form, &format!("r{n:03}"), n);
        r.set_answer("room", Some(Value::Text(format!("ROOM{n:03}MARK"))));
        r.set_answer("comments", Some(Value::Text(format!("NAME{n:03}MARK"))));
        r.household = Some(format!("HH{n:03}MARK"));
        ids.push(r.id.clone());
        store.create(r).unwrap();
    }
    let exports = ExportStore::new(kv.clone());
    let mut random = [0u8; doorstep::export::project::NEW_PROJECT_RANDOM];
    doorstep::vault::random(&mut random);
    let (project, secret) = Project::new("东区", "幸福社区", &random);
    exports.save_project(&project).unwrap();
    assert_eq!(exports.project().unwrap(), Some(project.clone()));
    let (responses, damaged) = store.all().unwrap();
    assert!(damaged.is_empty());
    let rules = doorstep::form::builtin_anonymise();
    let none = Default::default();
    let mut eph = [0u8; 32];
    doorstep::vault::random(&mut eph);
    let links = doorstep::export::link::LinkSealer::new(
        &project.id,
        project.public_key.as_deref().unwrap(),
        eph,
    )
    .unwrap();
    let req = Request {
        form,
        rules: &rules,
        project: &project,
        worker: "W07",
        today: "2026-11-24",
        include_free_text: &none,
        links: &links,
        k: None,
    };
    let (records, report) = anonymise(&req, &responses).unwrap();
    let taken: Vec<(String, u64)> = records.iter().map(|r| (r.source.clone(), r.rev)).collect();
    let header = Header {
        form,
        compiled: doorstep::form::builtin_compiled(),
        rules: &rules,
        project: &project,
        worker: "W07",
        exported_at: NOW,
        choice: &Choice {
            from: None,
            to: None,
            completed_only: true,
        },
        visits: &[],
        links: &links,
        k: None,
    };
    let written = document::write(&header, records, &report).unwrap();
    assert_eq!(written.count, 40, "a worker's file is not suppressed");
    assert!(!written.text.as_bytes().windows(4).any(|w| w == b"MARK"));
    // The household links open in wasm with the project's secret, and name the households.
    let doc: serde_json::Value = serde_json::from_str(&written.text).unwrap();
    let opener = secret
        .opener(
            &project.id,
            doc["header"]["link"]["ephemeral"].as_str().unwrap(),
        )
        .unwrap();
    for r in doc["responses"].as_array().unwrap() {
        let flat = opener
            .open(
                r["id"].as_str().unwrap(),
                r["household_link"].as_str().unwrap(),
            )
            .unwrap();
        assert!(flat.starts_with("HH") && flat.ends_with("MARK"));
    }
    // HMAC-SHA-256 in wasm gives what the documentation (and the native tests) say.
    assert_eq!(
        doorstep::export::digest::pseudonym(&[7; 32], "household", "12-2-301"),
        format!(
            "h-{}",
            &doorstep::export::project::hex(&doorstep::export::digest::hmac_sha256(
                &[7; 32],
                &[b"household\0", b"12-2-301"]
            ))[..32]
        )
    );
    let entry = HistoryEntry {
        at: NOW.into(),
        form: form.id.clone(),
        version: form.version,
        file: "doorstep-community-needs-W07-2026-11-24.json".into(),
        count: written.count,
        sha256: written.responses_sha256.clone(),
        responses: taken,
        cleared: false,
    };
    // A full storage refuses the history entry and leaves everything as it was.
    let fillers = fill(&kv);
    assert_eq!(
        exports.record(entry.clone()),
        Err(StoreError::QuotaExceeded)
    );
    assert!(exports.history().unwrap().is_empty());
    for k in fillers {
        kv.remove(&k).unwrap();
    }
    exports.record(entry).unwrap();
    let cleared = exports.clear_exported(&store).unwrap();
    assert_eq!(cleared, written.count);
    assert_eq!(store.ids().unwrap().len(), 40 - written.count);
    assert_eq!(exports.project().unwrap(), Some(project));
    kv.storage().clear().unwrap();
}
