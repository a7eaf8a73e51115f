//! Backups: made on one device, restored on a new one or merged into one in use, and every
//! kind of bad file or full storage refused without a write.

use super::backup::{self, BackupError};
use super::vault::{self as v};
use super::vault_tests::{
    exposed, filled, lock_first, pbkdf2, readable, Cut, MARKERS, NEW, OLD, STRONG,
};
use super::*;
use crate::form::builtin_form;
use crate::response::{sample, Value};
use crate::vault::{holder, DataKey};
use crate::visits::log::{Outcome, Visit};

const WHEN: &str = "2026-12-03T18:00:00+08:00";

/// A locked-down device full of data, and its backup file.
fn device_and_backup() -> (MemoryStore, crate::vault::Key, Vec<u8>) {
    let kv = filled();
    let key = lock_first(&kv);
    VisitStore::new(&kv)
        .save_worker(&Worker {
            code: "W07".into(),
            ..Worker::default()
        })
        .unwrap();
    // As the app makes it: with the key the page holds.
    let file = backup::write(&kv, &DataKey::Held(key.gen), WHEN).unwrap();
    (kv, key, file)
}

#[test]
fn a_backup_restores_on_a_new_tablet_with_the_pin_and_nothing_else() {
    holder::forget();
    let (old, key, file) = device_and_backup();
    let before = readable(&old);
    holder::forget();
    // What a finder of the file sees: none of the residents' details.
    let text = String::from_utf8_lossy(&file);
    for m in MARKERS {
        assert!(!text.contains(m), "{m} in the file");
    }
    let sealed = backup::read(&file).unwrap();
    assert_eq!(sealed.created, WHEN);
    assert_eq!(sealed.open(&NEW).err(), Some(BackupError::WrongPin));
    let opened = sealed.open(&OLD).unwrap();
    assert_eq!(opened.worker, "W07");

    let new = MemoryStore::new();
    let plan = backup::plan(&new, &opened, None).unwrap();
    assert_eq!(plan.summary.responses_added, 5);
    assert_eq!(plan.summary.households_added, 2);
    assert_eq!(plan.key, key, "a new tablet takes the backup's key");
    backup::apply(&new, &plan).unwrap();
    // The new tablet opens with the same PIN, and shows what the old one did.
    assert!(matches!(v::status(&new), Ok(v::Status::Locked(_))));
    let unlocked = v::unlock(&new, &[OLD]).unwrap().unwrap();
    holder::hold(&unlocked);
    assert_eq!(readable(&new), before);
    holder::forget();
    assert!(exposed(&new).is_empty(), "sealed on the new tablet too");
}

#[test]
fn a_restore_into_a_tablet_in_use_merges_without_duplicates_under_its_own_key() {
    holder::forget();
    let (old, _, file) = device_and_backup();
    holder::forget();
    // The tablet in use: its own PIN and key, one of the same responses at a later
    // revision, one of them at an earlier one, one of its own, and a visit of its own.
    let here = MemoryStore::new();
    let mine = v::first_lock(&here, &NEW, pbkdf2([7; 16])).unwrap();
    holder::hold(&mine);
    let responses = ResponseStore::open(&here).unwrap();
    let form = builtin_form();
    let mut later = sample::completed(form, "r1", 1);
    later.rev = 99;
    later
        .answers
        .insert("room".into(), Value::Text("这台的".into()));
    responses.create(later).unwrap();
    let mut earlier = sample::completed(form, "r2", 2);
    earlier.rev = 0;
    responses.create(earlier).unwrap();
    responses
        .create(sample::completed(form, "mine", 7))
        .unwrap();
    VisitStore::new(&here)
        .add(&Visit {
            id: "v9".into(),
            household: "1-1-101".into(),
            at: "2026-11-20T09:00:00+08:00".into(),
            worker: "W03".into(),
            outcome: Outcome::NotHome,
        })
        .unwrap();
    VisitStore::new(&here)
        .save_worker(&Worker {
            code: "W03".into(),
            ..Worker::default()
        })
        .unwrap();

    let opened = backup::read(&file).unwrap().open(&OLD).unwrap();
    let plan = backup::plan(&here, &opened, Some(&DataKey::Held(mine.gen))).unwrap();
    let s = &plan.summary;
    assert_eq!(
        (s.responses_added, s.responses_updated, s.responses_kept),
        (3, 1, 1)
    );
    assert_eq!(s.visits_added, 1);
    assert_eq!(s.other_worker.as_deref(), Some("W07"));
    backup::apply(&here, &plan).unwrap();

    let (all, walk, visits) = readable(&here);
    assert_eq!(
        all.len(),
        6,
        "five from the backup, one of its own, no duplicate"
    );
    let r1 = all.iter().find(|r| r.id == "r1").unwrap();
    assert_eq!(r1.rev, 99, "the later revision is kept");
    assert_eq!(r1.answer("room"), Some(&Value::Text("这台的".into())));
    let r2 = all.iter().find(|r| r.id == "r2").unwrap();
    assert_eq!(
        r2.answer("room"),
        Some(&Value::Text("1203室".into())),
        "the backup's later copy"
    );
    assert_eq!(walk.households.len(), 2);
    assert_eq!(visits.len(), 2);
    // Sealed under this tablet's key, not the backup's: the backup's PIN opens nothing.
    holder::forget();
    assert!(exposed(&here).is_empty());
    assert!(v::unlock(&here, &[OLD]).unwrap().is_none());
    let again = v::unlock(&here, &[NEW]).unwrap().unwrap();
    assert_eq!(again, mine);
    holder::hold(&again);
    // The same backup once more: nothing new, nothing written.
    let plan = backup::plan(&here, &opened, Some(&DataKey::Held(mine.gen))).unwrap();
    assert_eq!(
        plan.summary.responses_added + plan.summary.responses_updated,
        0
    );
    assert_eq!(plan.summary.visits_added, 0);
    let dump = here.dump();
    backup::apply(&here, &plan).unwrap();
    assert_eq!(here.dump(), dump);
    holder::forget();
    drop(old);
}

#[test]
fn bad_files_are_refused_and_named() {
    holder::forget();
    let (_, _, file) = device_and_backup();
    holder::forget();
    let err = |bytes: &[u8]| match backup::read(bytes) {
        Err(e) => e,
        Ok(s) => s.open(&OLD).err().expect("refused"),
    };
    assert_eq!(
        err(b"{\"format\":\"doorstep-export\"}"),
        BackupError::NotABackup
    );
    assert_eq!(err(b""), BackupError::NotABackup);
    assert_eq!(err(b"DOORSTEP-BACK"), BackupError::Truncated);
    assert_eq!(
        err(b"DOORSTEP-BACKUP 3\n{}\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        BackupError::Newer
    );
    // Cut anywhere: refused, never half-read.
    for cut in [10, 19, 40, file.len() / 2, file.len() - 1] {
        let e = err(&file[..cut]);
        assert!(
            matches!(e, BackupError::Truncated | BackupError::Damaged),
            "cut at {cut}: {e:?}"
        );
    }
    // Any byte changed, in the header or the contents: the tag does not verify.
    let header_end = file.iter().position(|&b| b == b'\n').unwrap() + 5;
    for at in [header_end, file.len() / 2, file.len() - 3] {
        let mut bad = file.clone();
        bad[at] ^= 1;
        let e = err(&bad);
        assert!(
            matches!(e, BackupError::Damaged | BackupError::WrongPin),
            "byte {at}: {e:?}"
        );
    }
}

#[test]
fn a_full_storage_mid_restore_leaves_the_tablet_as_it_was() {
    holder::forget();
    let (_, _, file) = device_and_backup();
    holder::forget();
    let opened = backup::read(&file).unwrap().open(&OLD).unwrap();
    let setup = MemoryStore::new();
    let mine = v::first_lock(&setup, &NEW, pbkdf2([7; 16])).unwrap();
    holder::hold(&mine);
    ResponseStore::open(&setup)
        .unwrap()
        .create(sample::completed(builtin_form(), "mine", 7))
        .unwrap();
    let plan = backup::plan(&setup, &opened, Some(&DataKey::Held(mine.gen))).unwrap();
    assert!(plan.writes() > 4);
    // The same tablet with room for about half of what the restore writes.
    let here = MemoryStore::with_quota(setup.chars_used().unwrap() + plan.chars() / 2);
    for (k, v) in setup.dump() {
        here.set(&k, &v).unwrap();
    }
    let before = here.dump();
    // Counting the writes tried: a `Cut` that never cuts.
    let counted = Cut {
        kv: &here,
        left: usize::MAX.into(),
    };
    assert_eq!(
        backup::apply(&counted, &plan),
        Err(StoreError::QuotaExceeded)
    );
    assert!(
        usize::MAX - counted.left.get() > 1,
        "refused half-way, not at the first write"
    );
    assert_eq!(here.dump(), before, "nothing half-written");
    holder::forget();
}

#[test]
fn a_tablet_with_surveys_but_no_pin_sets_one_first() {
    holder::forget();
    let (_, _, file) = device_and_backup();
    holder::forget();
    let opened = backup::read(&file).unwrap().open(&OLD).unwrap();
    let plain = MemoryStore::new();
    ResponseStore::open(&plain)
        .unwrap()
        .create(sample::completed(builtin_form(), "x", 1))
        .unwrap();
    assert_eq!(
        backup::plan(&plain, &opened, None).err(),
        Some(BackupError::SetPinFirst)
    );
}

#[test]
fn no_backup_during_a_pin_change_or_while_locked() {
    holder::forget();
    let kv = filled();
    let key = lock_first(&kv);
    kv.set(crate::vault::lock::NEXT_KEY, "x").unwrap();
    assert_eq!(
        backup::write(&kv, &DataKey::Own(key.clone()), WHEN).err(),
        Some(BackupError::Locked)
    );
    kv.remove(crate::vault::lock::NEXT_KEY).unwrap();
    let other = crate::vault::Key::random(key.gen + 1);
    assert_eq!(
        backup::write(&kv, &DataKey::Own(other.clone()), WHEN).err(),
        Some(BackupError::Locked)
    );
    holder::forget();
}

/// A backup made by an earlier version: its records written before PINs, plain. They are
/// read as they are and sealed under the tablet's key on the way in.
#[test]
fn a_backup_of_plain_records_is_sealed_on_the_way_in() {
    holder::forget();
    let old = filled();
    // An earlier version's device: a lock, but records still plain (as before its
    // first lock finished), and a backup made of it.
    let key = crate::vault::Key::random(5);
    let lock = crate::vault::lock::Lock::new(&key, &OLD, pbkdf2([3; 16]));
    old.set(crate::vault::lock::VAULT_KEY, &lock.to_value())
        .unwrap();
    let file = backup::write(&old, &DataKey::Own(key.clone()), WHEN).unwrap();
    let opened = backup::read(&file).unwrap().open(&OLD).unwrap();

    let here = MemoryStore::new();
    let mine = v::first_lock(&here, &NEW, pbkdf2([7; 16])).unwrap();
    holder::hold(&mine);
    let plan = backup::plan(&here, &opened, Some(&DataKey::Held(mine.gen))).unwrap();
    backup::apply(&here, &plan).unwrap();
    let (all, walk, visits) = readable(&here);
    assert_eq!((all.len(), walk.households.len(), visits.len()), (5, 2, 1));
    holder::forget();
    assert!(exposed(&here).is_empty(), "{:?}", exposed(&here));
}

#[test]
fn the_next_backup_is_offered_at_the_end_of_the_day_or_after_a_day_without() {
    use backup::{offer, Offer};
    let at = |h: &str| format!("2026-12-03T{h}:00+08:00");
    assert_eq!(offer(None, 0, &at("09:00")), Offer::Nothing);
    assert_eq!(offer(None, 3, &at("09:00")), Offer::Due, "never backed up");
    let morning = at("08:00");
    assert_eq!(offer(Some(&morning), 3, &at("11:00")), Offer::Quiet);
    assert_eq!(offer(Some(&morning), 3, &at("16:00")), Offer::Due);
    assert_eq!(offer(Some(&morning), 0, &at("18:00")), Offer::Nothing);
    assert_eq!(
        offer(Some("2026-12-02T18:00:00+08:00"), 1, &at("08:30")),
        Offer::Due,
        "yesterday's backup, changes since"
    );
    assert_eq!(
        backup::file_name("W07", "2026-12-03T18:05:09+08:00"),
        "doorstep-backup-W07-202612031805.dsbackup"
    );
}

/// A backup made before Argon2id: its header's lock is PBKDF2, its first line format 1.
/// It still opens with its PIN; a new tablet takes its key under a stronger lock.
#[test]
fn a_backup_with_an_old_lock_restores_under_a_stronger_one() {
    holder::forget();
    let (old, key, file) = device_and_backup();
    let before = readable(&old);
    holder::forget();
    let text = String::from_utf8_lossy(&file);
    assert!(
        text.starts_with("DOORSTEP-BACKUP 2\n"),
        "this build writes 2"
    );
    assert!(
        text.contains("\"lock\":\"1 "),
        "the device's lock as stored"
    );
    // As the earlier version wrote it: format 1, sealed with that first line.
    let body = backup::write(&old, &DataKey::Own(key.clone()), WHEN).unwrap();
    let header_end = body.iter().skip(18).position(|&b| b == b'\n').unwrap() + 19;
    let mut earlier = b"DOORSTEP-BACKUP 1\n".to_vec();
    earlier.extend_from_slice(&body[18..header_end]);
    let plain = crate::vault::open_bytes(&key, &body[..header_end], &body[header_end..]).unwrap();
    let sealed_again = crate::vault::seal_bytes(&key, &earlier, &plain);
    earlier.extend_from_slice(&sealed_again);

    let mut opened = backup::read(&earlier).unwrap().open(&OLD).unwrap();
    assert!(opened.outdated());
    opened.rewrap(
        &STRONG,
        crate::vault::lock::Recipe::current(crate::vault::lock::Secret::Pin, [6; 16]),
    );
    assert!(!opened.outdated());
    let new = MemoryStore::new();
    let plan = backup::plan(&new, &opened, None).unwrap();
    backup::apply(&new, &plan).unwrap();
    let lock = new.get(crate::vault::lock::VAULT_KEY).unwrap().unwrap();
    assert!(lock.starts_with("2 "), "{lock}");
    // The old PIN's key is not needed any more: the stronger one opens the same data key.
    assert_eq!(v::unlock(&new, &[OLD]).unwrap(), None);
    let unlocked = v::unlock(&new, &[STRONG]).unwrap().unwrap();
    assert_eq!(unlocked, key);
    holder::hold(&unlocked);
    assert_eq!(readable(&new), before);
    holder::forget();
}
