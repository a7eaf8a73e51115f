//! What is sealed in storage, and the rewrites that move every sealed record from one data
//! key to another: the device's first PIN (plain data becomes sealed) and a PIN change
//! (every record is sealed again under a fresh key).
//!
//! **Sealed whole:** the walk list (its room labels may name people, and household ids
//! repeat them), each day of the visit log (household ids and the worker's notes), and the
//! follow-up list. **Sealed per answer** (`x` in a response's JSON, see `responses.rs`):
//! every answer of a question classed `identifier`, `sensitive` or `free_text` (inside
//! rosters too), every "other, please specify" text and the household the survey was
//! started from. Everything else stays readable while locked: a response's form, status,
//! times, worker code and its other answers, so that a forgotten PIN still leaves the
//! anonymisable data to export.
//!
//! **All or nothing.** localStorage writes one key at a time, so a rewrite first stores
//! its journal (`vault::lock::Pending`), then reseals record by record (each write is
//! atomic, and a resealed record decrypts to the same text), and commits by writing the new
//! lock and removing the journal. A crash midway leaves records of two key generations and
//! a journal that opens both: the next unlock (with either PIN) finishes or undoes the
//! change before anything else is read. A first lock's crash is finished on the next start
//! without the PIN.
//!
//! **A stronger lock** (`rewrap`): a lock derived in a weaker way than new ones (PBKDF2,
//! from before Argon2id) is replaced, once unlocked, by the same data key wrapped under the
//! current derivation with a fresh salt: one write of one key, so a reload leaves either
//! lock, and both open the same key. No record is touched.

use super::responses::{RESPONSE_PREFIX, UNSAVED_PREFIX};
use super::visits::{DAY_PREFIX, FOLLOW_UPS_KEY, WALK_KEY};
use super::{KvStore, StoreError};
use crate::vault::lock::{Lock, Pending, Recipe, Secret, NEXT_KEY, VAULT_KEY};
use crate::vault::{self, holder, DataKey, Key, VaultError};

/// How values are written and read now.
pub enum Sealer {
    /// No PIN on this device yet: plain, as before this feature.
    Off,
    /// A PIN is set but this page does not hold its key (or a rewrite is under way).
    Locked,
    Open(DataKey),
}

impl Sealer {
    /// The state of the store `kv`, and the key this page holds.
    pub fn of(kv: &dyn KvStore) -> Sealer {
        let value = match kv.get(VAULT_KEY) {
            Ok(Some(v)) => v,
            // No PIN: plain. A first lock under way (`resume` finishes it), or storage
            // that cannot say, is locked: never write in the clear by mistake.
            Ok(None) if matches!(kv.get(NEXT_KEY), Ok(None)) => return Sealer::Off,
            _ => return Sealer::Locked,
        };
        // Writing while another tab rewrites would leave a record under a dropped key.
        if !matches!(kv.get(NEXT_KEY), Ok(None)) {
            return Sealer::Locked;
        }
        // The generation is all this needs.
        let gen = Lock::gen_of(&value);
        match holder::gen() {
            Some(g) if Some(g) == gen => Sealer::Open(DataKey::Held(g)),
            _ => Sealer::Locked,
        }
    }

    /// With a key in hand (a rewrite's, a backup's).
    pub fn with(key: &Key) -> Sealer {
        Sealer::Open(DataKey::Own(key.clone()))
    }

    /// `plain` as it is to be stored under `key`.
    pub fn seal(&self, key: &str, plain: String) -> Result<String, StoreError> {
        match self {
            Sealer::Off => Ok(plain),
            Sealer::Locked => Err(StoreError::Locked),
            Sealer::Open(k) => k.seal(key, &plain).ok_or(StoreError::Locked),
        }
    }

    /// A stored value as plain text. Plain values (written before the first PIN) pass.
    pub fn open(&self, key: &str, stored: String) -> Result<String, StoreError> {
        if !vault::is_sealed(&stored) {
            return Ok(stored);
        }
        match self {
            Sealer::Open(k) => k.open(key, &stored).map_err(|e| damaged(key, e)),
            _ => Err(StoreError::Locked),
        }
    }
}

fn damaged(key: &str, e: VaultError) -> StoreError {
    match e {
        VaultError::OtherKey(_) => StoreError::Locked,
        VaultError::Damaged => StoreError::Corrupt {
            key: key.to_owned(),
            detail: "does not decrypt".into(),
        },
    }
}

/// Where the lock screen returns once unlocked (sessionStorage: this tab's).
pub const LOCK_RETURN_KEY: &str = "doorstep.lock.to";
/// Set (sessionStorage) when the worker says the PIN is forgotten: the export screen opens
/// while locked, to take out what can be read before wiping.
pub const FORGOT_KEY: &str = "doorstep.lock.forgot";
/// Minutes without a touch before the device locks itself.
const IDLE_KEY: &str = "doorstep.lock.idle";
pub const DEFAULT_IDLE_MINUTES: u32 = 10;
/// Longer would leave a lost tablet open for an hour.
pub const MAX_IDLE_MINUTES: u32 = 60;

pub fn idle_minutes(kv: &dyn KvStore) -> u32 {
    kv.get(IDLE_KEY)
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_IDLE_MINUTES)
        .clamp(1, MAX_IDLE_MINUTES)
}

pub fn set_idle_minutes(kv: &dyn KvStore, minutes: u32) -> Result<(), StoreError> {
    kv.set(IDLE_KEY, &minutes.clamp(1, MAX_IDLE_MINUTES).to_string())
}

/// Values sealed whole (responses are sealed per answer).
pub fn sealed_whole(key: &str) -> bool {
    key == WALK_KEY
        || key == FOLLOW_UPS_KEY
        || super::projects::sealed(key)
        || key.starts_with(DAY_PREFIX)
        || key.starts_with(UNSAVED_PREFIX)
}

/// What the lock screen needs: whether a PIN is set, and how to derive its keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// No PIN yet: the first-use screen.
    NoPin,
    /// Derive a key from the typed secret with each recipe, in this order, and call
    /// `unlock`. Two while a PIN change is under way (the old lock's, the new one's), so
    /// either secret opens; the first says what the screen asks for.
    Locked(Vec<Recipe>),
}

/// Finishes an interrupted first lock (`resume`) before it answers.
pub fn status(kv: &dyn KvStore) -> Result<Status, StoreError> {
    resume(kv)?;
    let Some(value) = kv.get(VAULT_KEY)? else {
        return Ok(Status::NoPin);
    };
    let lock = Lock::parse(&value).ok_or_else(|| corrupt(VAULT_KEY))?;
    let mut recipes = vec![lock.recipe];
    if let Some(p) = pending(kv)?.filter(|p| p.next.gen != lock.gen) {
        recipes.push(p.next.recipe);
    }
    Ok(Status::Locked(recipes))
}

fn corrupt(key: &str) -> StoreError {
    StoreError::Corrupt {
        key: key.into(),
        detail: "not a lock".into(),
    }
}

fn pending(kv: &dyn KvStore) -> Result<Option<Pending>, StoreError> {
    kv.get(NEXT_KEY)?
        .map(|v| Pending::parse(&v).ok_or_else(|| corrupt(NEXT_KEY)))
        .transpose()
}

/// The device's first PIN (or passphrase): a fresh data key locked under `kek` (derived
/// from it by `recipe`), and every record written so far sealed under it. Returns the key,
/// which the caller holds.
pub fn first_lock(kv: &dyn KvStore, kek: &[u8; 32], recipe: Recipe) -> Result<Key, StoreError> {
    if kv.get(VAULT_KEY)?.is_some() || kv.get(NEXT_KEY)?.is_some() {
        return Err(StoreError::Other("a PIN is set already".into()));
    }
    // A random first generation: a tab still holding the key of a device wiped and locked
    // again elsewhere must not take the new lock for its own.
    let mut gen = [0u8; 4];
    crate::vault::random(&mut gen);
    let key = Key::random(u32::from_le_bytes(gen) >> 1 | 1);
    let journal = Pending::first(&key, Lock::new(&key, kek, recipe));
    kv.set(NEXT_KEY, &journal.to_value())?;
    if let Err(e) = finish(kv, &journal, &[], &key) {
        // Sealed text can be longer than plain (Chinese): a nearly full device may not
        // fit it. Back to plain, then say so; the device stays usable to make room.
        undo_first(kv, &key)?;
        return Err(e);
    }
    // The hand-over's own PIN, from before: the device PIN is the one now.
    let _ = kv.remove(super::handover::LEGACY_PIN_KEY);
    Ok(key)
}

/// Finishes a first lock a crash interrupted (no PIN needed: see `Pending::first`). The
/// lock screen runs it before anything else; it does nothing otherwise.
pub fn resume(kv: &dyn KvStore) -> Result<(), StoreError> {
    let Some(journal) = pending(kv)? else {
        return Ok(());
    };
    if let Some(lock) = kv.get(VAULT_KEY)? {
        // Committed, and cut short before the journal was removed: remove it now.
        if Lock::parse(&lock).is_some_and(|l| l.gen == journal.next.gen) {
            kv.remove(NEXT_KEY)?;
        }
        // Otherwise a PIN change: the next unlock settles it.
        return Ok(());
    }
    let key = journal.first_key().ok_or_else(|| corrupt(NEXT_KEY))?;
    if finish(kv, &journal, &[], &key).is_err() {
        // It cannot finish (storage full): undone, the device is as before the PIN.
        undo_first(kv, &key)?;
    }
    Ok(())
}

/// Undoes a first lock that cannot finish: every record `key` sealed back to plain (as
/// long as before, or shorter), then the journal removed. The device has no PIN again.
fn undo_first(kv: &dyn KvStore, key: &Key) -> Result<(), StoreError> {
    let responses = super::responses::Codec;
    for k in kv.keys()? {
        let Some(stored) = kv.get(&k)? else {
            continue;
        };
        let plain = if sealed_whole(&k) && vault::is_sealed(&stored) {
            Some(vault::open(key, &k, &stored).map_err(|e| damaged(&k, e))?)
        } else if k.starts_with(RESPONSE_PREFIX) {
            responses.unseal(&k, &stored, key)?
        } else {
            None
        };
        if let Some(v) = plain {
            kv.set(&k, &v)?;
        }
    }
    kv.remove(NEXT_KEY)
}

/// The typed PIN's keys, derived with each salt `status` named, in its order. Returns the
/// data key if the PIN is right (after finishing or undoing an interrupted PIN change),
/// `None` if it is wrong.
pub fn unlock(kv: &dyn KvStore, keks: &[[u8; 32]]) -> Result<Option<Key>, StoreError> {
    let lock = kv
        .get(VAULT_KEY)?
        .and_then(|v| Lock::parse(&v))
        .ok_or_else(|| corrupt(VAULT_KEY))?;
    let mut journal = pending(kv)?;
    if journal.as_ref().is_some_and(|j| j.next.gen == lock.gen) {
        // Committed, cut short before the journal was removed.
        kv.remove(NEXT_KEY)?;
        journal = None;
    }
    if let Some(old) = keks.first().and_then(|k| lock.open(k).ok()) {
        if let Some(j) = &journal {
            // Interrupted, and the old PIN typed: the change is undone.
            let new = j.new_from_old(&old).map_err(|_| corrupt(NEXT_KEY))?;
            rewrite(kv, &[&new], &old)?;
            kv.remove(NEXT_KEY)?;
        }
        return Ok(Some(old));
    }
    if let (Some(j), Some(kek)) = (&journal, keks.get(1)) {
        if let Ok(new) = j.next.open(kek) {
            // Interrupted, and the new PIN typed: the change is finished.
            let old = j
                .old_from_new(&new, lock.gen)
                .map_err(|_| corrupt(NEXT_KEY))?;
            finish(kv, j, &[&old], &new)?;
            return Ok(Some(new));
        }
    }
    Ok(None)
}

/// A new PIN (or passphrase): every record sealed again under a fresh data key, locked
/// under `kek` (derived by `recipe`). `old` is the key held now. Returns the new key, which
/// the caller holds.
pub fn change_pin(
    kv: &dyn KvStore,
    old: &Key,
    kek: &[u8; 32],
    recipe: Recipe,
) -> Result<Key, StoreError> {
    if pending(kv)?.is_some() {
        return Err(StoreError::Other("a PIN change is under way".into()));
    }
    let new = Key::random(old.gen.wrapping_add(1).max(1));
    let journal = Pending::change(old, &new, Lock::new(&new, kek, recipe));
    kv.set(NEXT_KEY, &journal.to_value())?;
    finish(kv, &journal, &[old], &new)?;
    Ok(new)
}

/// Brings records an earlier version sealed in part (answers and times readable) to
/// today's sealing, under the key just unlocked: the unlock screens call it after every
/// successful unlock (after the lock itself is made stronger, which must fit first); the
/// first after an update seals them, later ones find nothing to do. Each record is one
/// atomic write; storage too full for one leaves it as it was, readable by the app, for
/// the next unlock.
pub fn seal_older_records(kv: &dyn KvStore, key: &Key) {
    let responses = super::responses::Codec;
    let Ok(keys) = kv.keys() else { return };
    for k in keys.iter().filter(|k| k.starts_with(RESPONSE_PREFIX)) {
        if let Ok(Some(stored)) = kv.get(k) {
            if let Ok(Some(next)) = responses.reseal(k, &stored, &[], key) {
                let _ = kv.set(k, &next);
            }
        }
    }
}

/// The kind of secret of the stored lock, if it wraps `key` and is derived in a weaker way
/// than new locks (`Lock::outdated`): then the caller derives a key with the current
/// recipe from the secret just typed, and calls `rewrap`. `None` during a rewrite.
pub fn outdated(kv: &dyn KvStore, key: &Key) -> Result<Option<Secret>, StoreError> {
    if kv.get(NEXT_KEY)?.is_some() {
        return Ok(None);
    }
    let lock = kv.get(VAULT_KEY)?.and_then(|v| Lock::parse(&v));
    Ok(lock
        .filter(|l| l.gen == key.gen && l.outdated())
        .map(|l| l.recipe.secret))
}

/// The stored lock replaced by `key` wrapped under `kek` (derived by `recipe`): one
/// write, which either happens whole or not at all (storage full: the old lock stays and
/// still opens, and the next unlock tries again). Refused unless the stored lock wraps
/// `key` and no rewrite is under way, so that it never replaces another key's lock.
pub fn rewrap(
    kv: &dyn KvStore,
    key: &Key,
    kek: &[u8; 32],
    recipe: Recipe,
) -> Result<(), StoreError> {
    let current = kv.get(VAULT_KEY)?.and_then(|v| Lock::parse(&v));
    if kv.get(NEXT_KEY)?.is_some() || current.is_none_or(|l| l.gen != key.gen) {
        return Err(StoreError::Locked);
    }
    kv.set(VAULT_KEY, &Lock::new(key, kek, recipe).to_value())
}

/// Reseals every record under `to`, then commits `journal`'s lock.
fn finish(kv: &dyn KvStore, journal: &Pending, from: &[&Key], to: &Key) -> Result<(), StoreError> {
    rewrite(kv, from, to)?;
    kv.set(VAULT_KEY, &journal.next.to_value())?;
    kv.remove(NEXT_KEY)
}

/// Brings every sealed record (and every plain one that should be) to key `to`, opening
/// what other generations sealed with `from`. Idempotent: a record already under `to` is
/// not written again, so a rewrite cut short is simply run again.
fn rewrite(kv: &dyn KvStore, from: &[&Key], to: &Key) -> Result<(), StoreError> {
    let responses = super::responses::Codec;
    for key in kv.keys()? {
        let Some(stored) = kv.get(&key)? else {
            continue;
        };
        let next = if sealed_whole(&key) {
            match vault::gen_of(&stored) {
                Some(g) if g == to.gen => None,
                Some(g) => {
                    let k = from.iter().find(|k| k.gen == g).ok_or(StoreError::Locked)?;
                    let plain = vault::open(k, &key, &stored).map_err(|e| damaged(&key, e))?;
                    Some(vault::seal(to, &key, &plain))
                }
                None => Some(vault::seal(to, &key, &stored)),
            }
        } else if key.starts_with(RESPONSE_PREFIX) {
            responses.reseal(&key, &stored, from, to)?
        } else {
            None
        };
        if let Some(v) = next {
            kv.set(&key, &v)?;
        }
    }
    Ok(())
}

/// A forgotten PIN: every key of this app removed (after the anonymised export the screen
/// offers), but the journal's counter (`SEQ_KEY`, a number). Identifiers cannot be
/// recovered without the PIN, by design.
pub fn wipe(kv: &dyn KvStore) -> Result<(), StoreError> {
    for key in kv.keys()? {
        if key.starts_with(super::PREFIX) && key != super::SEQ_KEY {
            kv.remove(&key)?;
        }
    }
    holder::forget();
    Ok(())
}
