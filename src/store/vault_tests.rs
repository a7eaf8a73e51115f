//! Encryption at rest over the store: what a raw dump shows, locking, interrupted rewrites,
//! and a store written before PINs existed.

use super::vault::{self as v, Status};
use super::*;
use crate::form::builtin_form;
use crate::response::{sample, Response, Value};
use crate::vault::kdf::{Kdf, CURRENT};
use crate::vault::lock::{Lock, Recipe, Secret, NEXT_KEY, VAULT_KEY};
use crate::vault::{holder, Key};
use crate::visits::log::{Outcome, Visit};
use crate::visits::walk::{Household, WalkList};

/// What the test types: no raw dump after locking may contain any of it.
pub(super) const MARKERS: &[&str] = &[
    "王秀英",
    "13812345678",
    "1203室",
    "李建国",
    "张家",
    "阿姨心脏不好",
    "叫救护车",
];
pub(super) const OLD: [u8; 32] = [1; 32];
pub(super) const NEW: [u8; 32] = [2; 32];

/// A store as the app fills it, plain (before any PIN): responses of the built-in form with
/// the markers in identifier, sensitive and free-text answers, a walk list whose room names
/// a family, a visit with a note, a follow-up.
pub(super) fn filled() -> MemoryStore {
    let kv = MemoryStore::new();
    let responses = ResponseStore::open(&kv).unwrap();
    let form = builtin_form();
    for n in 0..5u64 {
        let mut r = sample::completed(form, &format!("r{n}"), n);
        r.answers
            .insert("room".into(), Value::Text("1203室".into()));
        r.answers
            .insert("comments".into(), Value::Text("王秀英 13812345678".into()));
        r.answers
            .insert("fu_notes".into(), Value::Text("阿姨心脏不好".into()));
        r.household = Some("12栋-1-张家".into());
        if let Some(Value::Rows(rows)) = r.answers.get_mut("members") {
            rows[0].insert("m_name".into(), Value::Text("李建国".into()));
        }
        r.other.insert("chronic".into(), "叫救护车".into());
        responses.create(r).unwrap();
    }
    let visits = VisitStore::new(&kv);
    let mut households = vec![Household {
        id: "12栋-1-张家".into(),
        building: "12栋".into(),
        unit: "1".into(),
        room: "张家".into(),
    }];
    households.push(Household {
        id: "12栋-1-1203室".into(),
        building: "12栋".into(),
        unit: "1".into(),
        room: "1203室".into(),
    });
    visits
        .save_walk_list(&WalkList::new("幸福社区", households).unwrap())
        .unwrap();
    visits
        .add(&Visit {
            id: "v1".into(),
            household: "12栋-1-1203室".into(),
            at: "2026-11-20T10:00:00+08:00".into(),
            worker: "W07".into(),
            outcome: Outcome::Other {
                note: "王秀英说下周再来".into(),
            },
        })
        .unwrap();
    visits
        .set_follow_up("r1", crate::visits::follow_up::Status::Referred)
        .unwrap();
    kv
}

/// Every marker found anywhere in the raw store.
pub(super) fn exposed(kv: &MemoryStore) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (k, value) in kv.dump() {
        for m in MARKERS {
            if k.contains(m) || value.contains(m) {
                out.push((k.clone(), *m));
            }
        }
    }
    out
}

/// Everything the app shows, read through the stores (the key must be held).
pub(super) fn readable(kv: &MemoryStore) -> (Vec<Response>, WalkList, Vec<Visit>) {
    let responses = ResponseStore::open(kv).unwrap();
    let (all, damaged) = responses.all().unwrap();
    assert!(damaged.is_empty(), "{damaged:?}");
    let visits = VisitStore::new(kv);
    let (log, damaged) = visits.visits().unwrap();
    assert!(damaged.is_empty());
    (all, visits.walk_list().unwrap().unwrap(), log)
}

/// A PIN lock as earlier versions wrote them: PBKDF2 (10 rounds: the key bytes are given).
pub(super) fn pbkdf2(salt: [u8; 16]) -> Recipe {
    Recipe {
        secret: Secret::Pin,
        kdf: Kdf::Pbkdf2 { rounds: 10 },
        salt,
    }
}

/// The key-encryption key of a stronger lock, as tests give it.
pub(super) const STRONG: [u8; 32] = [3; 32];

pub(super) fn lock_first(kv: &MemoryStore) -> Key {
    let key = v::first_lock(kv, &OLD, pbkdf2([9; 16])).unwrap();
    holder::hold(&key);
    key
}

#[test]
fn locked_dump_shows_no_marker_and_unlock_restores_everything() {
    holder::forget();
    let kv = filled();
    let before = readable(&kv);
    assert!(
        !exposed(&kv).is_empty(),
        "the fixture must hold the markers in the clear"
    );
    lock_first(&kv);
    holder::forget();
    assert_eq!(exposed(&kv), vec![]);
    // Locked: nothing sealed is read, and nothing is written.
    let responses = ResponseStore::open(&kv).unwrap();
    assert_eq!(responses.all().unwrap_err(), StoreError::Locked);
    assert_eq!(
        responses.open_response("r1").unwrap_err(),
        StoreError::Locked
    );
    assert_eq!(
        VisitStore::new(&kv).walk_list().unwrap_err(),
        StoreError::Locked
    );
    // Unlock with the PIN's key: everything as it was.
    assert_eq!(
        v::status(&kv).unwrap(),
        Status::Locked(vec![pbkdf2([9; 16])])
    );
    assert_eq!(v::unlock(&kv, &[NEW]).unwrap(), None);
    let key = v::unlock(&kv, &[OLD]).unwrap().unwrap();
    holder::hold(&key);
    assert_eq!(readable(&kv), before);
    holder::forget();
}

#[test]
fn what_stays_readable_while_locked() {
    holder::forget();
    let kv = filled();
    lock_first(&kv);
    holder::forget();
    // Raw storage, as a finder of the locked tablet reads it: each response names its
    // form, status, revision and worker, and whether it came from a household; no answer,
    // no time, no household.
    let mut seen = 0;
    for key in kv.keys().unwrap() {
        if !key.starts_with("doorstep.r.") {
            continue;
        }
        seen += 1;
        let raw: serde_json::Value = serde_json::from_str(&kv.get(&key).unwrap().unwrap()).unwrap();
        let o = raw.as_object().unwrap();
        for field in o.keys() {
            assert!(
                ["id", "form", "v", "status", "started", "updated", "rev", "a", "hh", "w", "x"]
                    .contains(&field.as_str()),
                "{key}: {field} is readable"
            );
        }
        assert_eq!(o["started"], "", "{key}: the start time is sealed");
        assert_eq!(o["updated"], "", "{key}: the last change is sealed");
        assert!(
            o.get("completed").is_none(),
            "{key}: the completion time is sealed"
        );
        assert!(
            o.get("a").is_none_or(|a| a.as_object().unwrap().is_empty()),
            "{key}: an answer is readable"
        );
        assert!(
            o.get("hh").is_none_or(|h| h == ""),
            "{key}: the household is readable"
        );
        assert!(o["x"].as_str().unwrap().starts_with('\u{1F512}'));
    }
    assert_eq!(seen, 5);
    // And nothing reads them as responses without the key.
    assert_eq!(
        ResponseStore::open(&kv).unwrap().all().unwrap_err(),
        StoreError::Locked
    );
}

#[test]
fn saving_with_a_pin_seals_and_a_locked_page_writes_nothing() {
    holder::forget();
    let kv = filled();
    lock_first(&kv);
    let responses = ResponseStore::open(&kv).unwrap();
    let mut open = responses.open_response("r2").unwrap().unwrap();
    open.response
        .answers
        .insert("suggest".into(), Value::Text("张家 new text".into()));
    responses
        .save(&mut open, "2026-11-25T10:00:00+08:00")
        .unwrap();
    assert_eq!(exposed(&kv), vec![]);
    assert!(!kv.dump()[&response_key("r2")].contains("new text"));
    let back = responses.open_response("r2").unwrap().unwrap();
    assert_eq!(back.response, open.response);
    // A second tab's stale copy is still refused.
    let mut stale = responses.open_response("r2").unwrap().unwrap();
    responses
        .save(&mut open, "2026-11-25T10:01:00+08:00")
        .unwrap();
    assert!(matches!(
        responses.save(&mut stale, "2026-11-25T10:02:00+08:00"),
        Err(SaveError::Conflict(Some(_)))
    ));
    holder::forget();
    let before = kv.dump();
    assert_eq!(
        responses.save(&mut open, "2026-11-25T10:03:00+08:00"),
        Err(SaveError::Store(StoreError::Locked))
    );
    assert_eq!(
        VisitStore::new(&kv).set_follow_up("r3", crate::visits::follow_up::Status::Closed),
        Err(StoreError::Locked)
    );
    assert_eq!(kv.dump(), before);
}

/// Fails every write after the first `n`, as a tab closed midway would.
pub(super) struct Cut<'a> {
    pub(super) kv: &'a MemoryStore,
    pub(super) left: std::cell::Cell<usize>,
}

impl KvStore for Cut<'_> {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.kv.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if self.left.get() == 0 {
            return Err(StoreError::Other("tab closed".into()));
        }
        self.left.set(self.left.get() - 1);
        self.kv.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        if self.left.get() == 0 {
            return Err(StoreError::Other("tab closed".into()));
        }
        self.left.set(self.left.get() - 1);
        self.kv.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.kv.keys()
    }
    fn chars_used(&self) -> Result<usize, StoreError> {
        self.kv.chars_used()
    }
}

#[test]
fn a_first_pin_cut_short_anywhere_is_finished_on_the_next_start() {
    holder::forget();
    let expected = readable(&filled());
    // 5 responses + walk list + 1 day + follow-ups, and the journal, lock and its removal.
    for n in 0..12 {
        let kv = filled();
        let cut = Cut {
            kv: &kv,
            left: n.into(),
        };
        let done = v::first_lock(&cut, &OLD, pbkdf2([9; 16])).is_ok();
        // Next start: the lock screen asks the status (finishing the rewrite), the PIN
        // unlocks.
        match v::status(&kv).unwrap() {
            Status::NoPin => {
                assert!(n == 0 && !done, "cut after {n}: no lock and no journal");
                assert_eq!(readable(&kv), expected);
                continue;
            }
            Status::Locked(salts) => assert_eq!(salts.len(), 1, "cut after {n}"),
        }
        assert_eq!(exposed(&kv), vec![], "cut after {n}");
        let key = v::unlock(&kv, &[OLD]).unwrap().expect("the chosen PIN");
        holder::hold(&key);
        assert_eq!(readable(&kv), expected, "cut after {n}");
        holder::forget();
    }
}

#[test]
fn a_pin_change_cut_short_anywhere_leaves_the_old_or_the_new_state() {
    holder::forget();
    let expected = readable(&filled());
    for n in 0..12 {
        for typed_new in [false, true] {
            let kv = filled();
            let old = lock_first(&kv);
            let cut = Cut {
                kv: &kv,
                left: n.into(),
            };
            let done = v::change_pin(&cut, &old, &NEW, pbkdf2([8; 16])).is_ok();
            assert_eq!(done, n >= 11, "{n} writes");
            // The tab died: the next page holds no key.
            holder::forget();
            assert_eq!(exposed(&kv), vec![], "cut after {n}");
            let salts = match v::status(&kv).unwrap() {
                Status::Locked(s) => s,
                Status::NoPin => panic!("the lock is never lost"),
            };
            // The lock screen derives one key per salt from the typed PIN.
            let typed = if typed_new { NEW } else { OLD };
            let keks: Vec<[u8; 32]> = salts.iter().map(|_| typed).collect();
            let unlocked = v::unlock(&kv, &keks).unwrap();
            // Not begun: the old PIN. Journal written, lock not: either PIN, and the one
            // typed decides which state it ends in. Lock written: the new PIN.
            let Some(key) = unlocked else {
                // Only a wrong PIN for the state the store is in.
                let other = if typed_new { OLD } else { NEW };
                let key = v::unlock(&kv, &salts.iter().map(|_| other).collect::<Vec<_>>())
                    .unwrap()
                    .expect("one of the two PINs opens it");
                holder::hold(&key);
                assert_eq!(readable(&kv), expected, "cut after {n}");
                continue;
            };
            holder::hold(&key);
            assert_eq!(
                readable(&kv),
                expected,
                "cut after {n}, new PIN typed: {typed_new}"
            );
            // No journal left: one PIN, one key generation.
            assert_eq!(kv.get(crate::vault::lock::NEXT_KEY).unwrap(), None);
            let gens: std::collections::BTreeSet<Option<u32>> = kv
                .dump()
                .iter()
                .filter(|(k, _)| v::sealed_whole(k))
                .map(|(_, value)| crate::vault::gen_of(value))
                .collect();
            assert_eq!(gens.len(), 1, "cut after {n}: {gens:?}");
            holder::forget();
        }
    }
}

#[test]
fn after_a_pin_change_only_the_new_pin_opens() {
    holder::forget();
    let kv = filled();
    let expected = readable(&kv);
    let old = lock_first(&kv);
    let new = v::change_pin(&kv, &old, &NEW, pbkdf2([8; 16])).unwrap();
    assert_ne!(new, old);
    holder::forget();
    assert_eq!(v::unlock(&kv, &[OLD]).unwrap(), None);
    let key = v::unlock(&kv, &[NEW]).unwrap().unwrap();
    assert_eq!(key, new);
    holder::hold(&key);
    assert_eq!(readable(&kv), expected);
    assert_eq!(exposed(&kv), vec![]);
    holder::forget();
}

#[test]
fn a_foundation_format_store_is_migrated_whole() {
    holder::forget();
    // Written as the first release wrote it: schema 1, plain JSON responses.
    let kv = MemoryStore::new();
    kv.set(SCHEMA_KEY, "1").unwrap();
    let r = sample::completed(builtin_form(), "legacy", 3);
    let mut json = serde_json::to_string(&r).unwrap();
    json = json.replace("\"a\":{", "\"a\":{\"room\":\"1203室\",");
    kv.set(&response_key("legacy"), &json).unwrap();
    let before = ResponseStore::open(&kv).unwrap().all().unwrap().0;
    lock_first(&kv);
    holder::forget();
    assert_eq!(exposed(&kv), vec![]);
    holder::hold(&v::unlock(&kv, &[OLD]).unwrap().unwrap());
    assert_eq!(ResponseStore::open(&kv).unwrap().all().unwrap().0, before);
    holder::forget();
}

#[test]
fn capacity_grows_with_sealing() {
    holder::forget();
    // The same 50 responses, plain and sealed: sealed takes fewer UTF-16 units.
    let form = builtin_form();
    let plain = MemoryStore::new();
    let store = ResponseStore::open(&plain).unwrap();
    for n in 0..50 {
        store
            .create(sample::completed(form, &format!("{n:04}"), n))
            .unwrap();
    }
    let before = plain.chars_used().unwrap();
    lock_first(&plain);
    let after = plain.chars_used().unwrap();
    assert!(after < before, "sealed {after} against plain {before}");
    holder::forget();
}

#[test]
fn a_forgotten_pin_wipes_the_device() {
    holder::forget();
    let kv = filled();
    lock_first(&kv);
    kv.set("other.app", "kept").unwrap();
    v::wipe(&kv).unwrap();
    assert_eq!(holder::gen(), None);
    assert_eq!(kv.keys().unwrap(), vec!["other.app".to_owned()]);
    assert_eq!(v::status(&kv).unwrap(), Status::NoPin);
}

#[test]
fn a_first_pin_that_does_not_fit_is_undone_and_says_so() {
    holder::forget();
    // Chinese answers grow when sealed (3 UTF-8 bytes a character, then 15 bits a unit):
    // a device nearly full cannot take its first PIN.
    let roomy = MemoryStore::new();
    let fill = |kv: &MemoryStore| {
        let responses = ResponseStore::open(kv).unwrap();
        for n in 0..20u64 {
            let mut r = sample::completed(builtin_form(), &format!("zh{n}"), n);
            r.answers.insert(
                "comments".into(),
                Value::Text("希望小区多组织一些老年人活动".repeat(200)),
            );
            responses.create(r).unwrap();
        }
    };
    fill(&roomy);
    let all = |kv: &MemoryStore| ResponseStore::open(kv).unwrap().all().unwrap();
    let expected = all(&roomy);
    let kv = MemoryStore::with_quota(roomy.chars_used().unwrap() + 400);
    fill(&kv);
    let before = kv.dump();
    assert_eq!(
        v::first_lock(&kv, &OLD, pbkdf2([9; 16])),
        Err(StoreError::QuotaExceeded)
    );
    // As before the PIN: no lock, no journal, every record plain and readable.
    assert_eq!(kv.dump(), before);
    assert_eq!(v::status(&kv).unwrap(), Status::NoPin);
    assert!(matches!(v::Sealer::of(&kv), v::Sealer::Off));
    assert_eq!(all(&kv), expected);
}

#[test]
fn records_an_earlier_version_left_partly_readable_are_sealed_at_the_next_unlock() {
    holder::forget();
    let kv = filled();
    lock_first(&kv);
    holder::forget();
    // As an earlier version stored it: answers and times readable beside the sealed part.
    let older = r#"{"id":"old1","form":"community-needs","v":1,"status":"completed","started":"2026-11-20T10:17:42+08:00","updated":"2026-11-20T10:30:00+08:00","completed":"2026-11-20T10:30:00+08:00","rev":3,"a":{"consent":true,"hh_size":2,"members":[{"m_age":83,"m_sex":"female"}]}}"#;
    kv.set("doorstep.r.old1", older).unwrap();
    let key = v::unlock(&kv, &[OLD]).unwrap().unwrap();
    v::seal_older_records(&kv, &key);
    let raw = kv.get("doorstep.r.old1").unwrap().unwrap();
    for m in ["m_age", "female", "hh_size", "10:17:42"] {
        assert!(!raw.contains(m), "{m} still readable: {raw}");
    }
    holder::hold(&key);
    let r = ResponseStore::open(&kv)
        .unwrap()
        .open_response("old1")
        .unwrap()
        .unwrap()
        .response;
    assert_eq!(r.started, "2026-11-20T10:17:42+08:00");
    assert_eq!(r.answers.get("hh_size"), Some(&Value::Int(2)));
    // Nothing more to do on the next unlock: the record is not written again.
    let again = kv.get("doorstep.r.old1").unwrap().unwrap();
    v::seal_older_records(&kv, &v::unlock(&kv, &[OLD]).unwrap().unwrap());
    assert_eq!(kv.get("doorstep.r.old1").unwrap().unwrap(), again);
    holder::forget();
}
/// Everything stored but the lock.
fn all_but_the_lock(kv: &MemoryStore) -> std::collections::BTreeMap<String, String> {
    let mut dump = kv.dump();
    dump.remove(VAULT_KEY);
    dump
}

#[test]
fn an_old_lock_is_rewrapped_under_argon2id_and_opens_the_same_key() {
    holder::forget();
    let kv = filled();
    let expected = readable(&kv);
    lock_first(&kv);
    holder::forget();
    assert!(kv.get(VAULT_KEY).unwrap().unwrap().starts_with("1 "));
    let records = all_but_the_lock(&kv);
    let key = v::unlock(&kv, &[OLD]).unwrap().unwrap();
    assert_eq!(v::outdated(&kv, &key).unwrap(), Some(Secret::Pin));
    let recipe = Recipe::current(Secret::Pin, [5; 16]);
    v::rewrap(&kv, &key, &STRONG, recipe).unwrap();
    // One value changed, the lock; no record was written again.
    assert_eq!(all_but_the_lock(&kv), records);
    let stored = kv.get(VAULT_KEY).unwrap().unwrap();
    let prefix = format!(
        "2 {} pin argon2id:m=32768,t=2,p=1 {} ",
        key.gen,
        "05".repeat(16)
    );
    assert!(stored.starts_with(&prefix), "{stored}");
    assert_eq!(v::outdated(&kv, &key).unwrap(), None, "done once");
    // The old PIN's key no longer opens anything; the new one opens the same data key.
    assert_eq!(v::status(&kv).unwrap(), Status::Locked(vec![recipe]));
    assert_eq!(v::unlock(&kv, &[OLD]).unwrap(), None);
    let again = v::unlock(&kv, &[STRONG]).unwrap().unwrap();
    assert_eq!(again, key);
    holder::hold(&again);
    assert_eq!(readable(&kv), expected);
    holder::forget();
}

#[test]
fn a_rewrap_that_cannot_write_leaves_the_old_lock_which_still_opens() {
    holder::forget();
    // The tab closed (or the write refused) at the one write: the old lock, whole.
    let kv = filled();
    lock_first(&kv);
    holder::forget();
    let before = kv.dump();
    let key = v::unlock(&kv, &[OLD]).unwrap().unwrap();
    let cut = Cut {
        kv: &kv,
        left: 0.into(),
    };
    let recipe = Recipe::current(Secret::Pin, [5; 16]);
    assert!(v::rewrap(&cut, &key, &STRONG, recipe).is_err());
    assert_eq!(kv.dump(), before);
    assert_eq!(v::unlock(&kv, &[OLD]).unwrap(), Some(key.clone()));
    assert_eq!(
        v::outdated(&kv, &key).unwrap(),
        Some(Secret::Pin),
        "tried again"
    );

    // Storage full to the last character: the longer lock does not fit, and is said so.
    let full = MemoryStore::with_quota(kv.chars_used().unwrap() + 5);
    for (k, value) in kv.dump() {
        full.set(&k, &value).unwrap();
    }
    let before = full.dump();
    assert_eq!(
        v::rewrap(&full, &key, &STRONG, recipe),
        Err(StoreError::QuotaExceeded)
    );
    assert_eq!(full.dump(), before);
    assert_eq!(v::unlock(&full, &[OLD]).unwrap(), Some(key));
}

#[test]
fn a_rewrap_never_replaces_another_key_or_a_change_under_way() {
    holder::forget();
    let kv = filled();
    let old = lock_first(&kv);
    let recipe = Recipe::current(Secret::Pin, [5; 16]);
    let before = kv.dump();
    let stranger = Key::new(old.gen.wrapping_add(7), [9; 32]);
    assert_eq!(v::outdated(&kv, &stranger).unwrap(), None);
    assert_eq!(
        v::rewrap(&kv, &stranger, &STRONG, recipe),
        Err(StoreError::Locked)
    );
    assert_eq!(kv.dump(), before);
    // A PIN change cut short: its journal first, the rewrap after the next unlock.
    let cut = Cut {
        kv: &kv,
        left: 3.into(),
    };
    assert!(v::change_pin(&cut, &old, &NEW, pbkdf2([8; 16])).is_err());
    assert!(kv.get(NEXT_KEY).unwrap().is_some());
    assert_eq!(v::outdated(&kv, &old).unwrap(), None);
    assert_eq!(
        v::rewrap(&kv, &old, &STRONG, recipe),
        Err(StoreError::Locked)
    );
    holder::forget();
}

#[test]
fn a_pin_change_an_earlier_version_left_half_done_settles_then_is_rewrapped() {
    holder::forget();
    let expected = readable(&filled());
    for typed_new in [false, true] {
        let kv = filled();
        let old = lock_first(&kv);
        // The earlier version's change: both locks PBKDF2, cut after the journal and a
        // few records.
        let cut = Cut {
            kv: &kv,
            left: 4.into(),
        };
        assert!(v::change_pin(&cut, &old, &NEW, pbkdf2([8; 16])).is_err());
        holder::forget();
        let Status::Locked(recipes) = v::status(&kv).unwrap() else {
            panic!("locked");
        };
        assert_eq!(recipes, vec![pbkdf2([9; 16]), pbkdf2([8; 16])]);
        let typed = if typed_new { NEW } else { OLD };
        let key = v::unlock(&kv, &[typed, typed]).unwrap().unwrap();
        // Settled (finished or undone), then the lock that is left is rewrapped.
        assert_eq!(kv.get(NEXT_KEY).unwrap(), None);
        assert_eq!(v::outdated(&kv, &key).unwrap(), Some(Secret::Pin));
        v::rewrap(&kv, &key, &STRONG, Recipe::current(Secret::Pin, [6; 16])).unwrap();
        assert_eq!(v::unlock(&kv, &[typed]).unwrap(), None);
        let back = v::unlock(&kv, &[STRONG]).unwrap().unwrap();
        holder::hold(&back);
        assert_eq!(readable(&kv), expected, "new PIN typed: {typed_new}");
        holder::forget();
    }
}

#[test]
fn a_passphrase_lock_says_so_and_is_not_rewrapped() {
    holder::forget();
    let kv = filled();
    let recipe = Recipe::current(Secret::Passphrase, [4; 16]);
    let key = v::first_lock(&kv, &STRONG, recipe).unwrap();
    let stored = kv.get(VAULT_KEY).unwrap().unwrap();
    assert!(stored.starts_with(&format!("2 {} phrase {} ", key.gen, CURRENT.to_field())));
    assert_eq!(Lock::parse(&stored).unwrap().recipe, recipe);
    assert_eq!(v::status(&kv).unwrap(), Status::Locked(vec![recipe]));
    assert_eq!(v::outdated(&kv, &key).unwrap(), None);
    holder::forget();
    assert_eq!(v::unlock(&kv, &[OLD]).unwrap(), None);
    assert_eq!(v::unlock(&kv, &[STRONG]).unwrap(), Some(key));
}
