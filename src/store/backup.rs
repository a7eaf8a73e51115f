//! An encrypted backup of everything on the device, and its restore on a new tablet (or
//! this one), merged with what is there without duplicates.
//!
//! **The file** (`docs/backup.md`): a first line `DOORSTEP-BACKUP <format>`, a second line
//! of JSON with the time it was made and the device's lock (the data key wrapped under the
//! PIN: `vault::lock::Lock`), then nonce ‖ AES-256-GCM ciphertext ‖ tag of the contents,
//! under the data key, with the two lines as associated data (an edited header does not
//! open). The contents are every stored value of the app as it is stored: what the PIN
//! seals stays sealed inside. So the file opens with the PIN in use when it was made, and
//! with nothing else; without it, it shows its date and its size.
//!
//! **Restore** opens the contents with that PIN, then plans every write before the first
//! one (`plan`): a response is added, or replaces this device's copy when the backup's is
//! a later revision; visit days, walk-list households, follow-ups and the export history
//! are merged by their ids; forms and settings this device lacks are added. What the
//! device's own key must seal is sealed again under it. `apply` writes the plan all or
//! nothing. A device without a PIN (a new tablet) takes the backup's lock and key, and
//! then opens with the same PIN; a lock of an earlier version (PBKDF2) is first wrapped
//! anew under the current derivation (`Backup::rewrap`), as an unlock would.

use super::responses::{Codec, RESPONSE_PREFIX};
use super::vault::Sealer;
use super::visits::{DAY_PREFIX, FOLLOW_UPS_KEY, WALK_KEY};
use super::{KvStore, MemoryStore, StoreError, PREFIX, SCHEMA_KEY, SCHEMA_VERSION, SEQ_KEY};
use crate::vault::lock::{Lock, Recipe, NEXT_KEY, VAULT_KEY};
use crate::vault::{self, DataKey, Key};
use crate::visits::log::Visit;
use serde::{Deserialize, Serialize};

pub const MAGIC: &str = "DOORSTEP-BACKUP";
/// The file format this build writes, and the newest it reads. 2: the lock in the header
/// may be of the versioned format (`2 …`, `vault::lock`), which a version reading only 1
/// would call damaged; it says "made by a newer version" instead. 1 is still read.
pub const FORMAT: u32 = 2;
/// When the last backup was made (RFC 3339): the list offers the next one from it.
pub const LAST_KEY: &str = "doorstep.backup.last";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupError {
    /// Not a Doorstep backup at all.
    NotABackup,
    /// Made by a newer version of the app (format, or the data inside).
    Newer,
    /// Cut short: less than its header and the smallest contents.
    Truncated,
    /// The PIN does not open the file's lock.
    WrongPin,
    /// The right PIN, but the contents do not decrypt or read: altered, or cut short.
    Damaged,
    /// The device holds surveys but no PIN yet: set one, then restore from the settings.
    SetPinFirst,
    /// The device is locked, or a PIN change is under way.
    Locked,
    /// The browser cannot derive the PIN's key (no WebCrypto).
    NoCrypto,
    Store(StoreError),
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Locked => BackupError::Locked,
            e => BackupError::Store(e),
        }
    }
}

/// How the list offers the next backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// Nothing changed since the last one.
    Nothing,
    /// Changes, earlier in the day: the button is there, quietly.
    Quiet,
    /// Changes, at the end of the day (from 16:00), or since a day before: asked plainly.
    Due,
}

/// The offer at `now` (RFC 3339, local), given the last backup and how many responses
/// changed since.
pub fn offer(last: Option<&str>, changed: usize, now: &str) -> Offer {
    let day = |t: &str| t.get(..10).map(str::to_owned);
    let hour: u32 = now.get(11..13).and_then(|h| h.parse().ok()).unwrap_or(0);
    if changed == 0 {
        Offer::Nothing
    } else if hour >= 16 || last.is_none_or(|l| day(l) < day(now)) {
        Offer::Due
    } else {
        Offer::Quiet
    }
}

/// The file name of a backup made by `worker` at `created`.
pub fn file_name(worker: &str, created: &str) -> String {
    let stamp: String = created
        .chars()
        .take(16)
        .filter(|c| c.is_ascii_digit())
        .collect();
    let who = if worker.is_empty() { "tablet" } else { worker };
    format!("doorstep-backup-{who}-{stamp}.dsbackup")
}

/// The second line of the file.
#[derive(Serialize, Deserialize)]
struct Header {
    created: String,
    lock: String,
}

/// The contents, once opened.
#[derive(Serialize, Deserialize)]
struct Contents {
    schema: u32,
    #[serde(default)]
    worker: String,
    entries: Vec<(String, String)>,
}

/// Keys a backup carries: every value of the app but the lock (in the header), a PIN
/// change's journal (a backup is not made during one), and the state of the moment.
fn carried(key: &str) -> bool {
    key.starts_with(PREFIX)
        && ![
            VAULT_KEY,
            NEXT_KEY,
            SEQ_KEY,
            LAST_KEY,
            super::HANDOVER_KEY,
            super::handover::FAILS_KEY,
            super::PROBE_KEY,
        ]
        .contains(&key)
}

/// A backup of the device behind `kv`, whose data key is `key` (the device is unlocked),
/// made at `created`. The bytes of the file.
pub fn write(kv: &dyn KvStore, key: &DataKey, created: &str) -> Result<Vec<u8>, BackupError> {
    if kv.get(NEXT_KEY)?.is_some() {
        return Err(BackupError::Locked);
    }
    let lock = kv.get(VAULT_KEY)?.ok_or(BackupError::Locked)?;
    if Lock::parse(&lock).is_none_or(|l| l.gen != key.gen()) {
        return Err(BackupError::Locked);
    }
    let mut entries = Vec::new();
    for k in kv.keys()? {
        if carried(&k) {
            if let Some(v) = kv.get(&k)? {
                entries.push((k, v));
            }
        }
    }
    entries.sort();
    let contents = Contents {
        schema: SCHEMA_VERSION,
        worker: super::VisitStore::new(kv)
            .worker_code()?
            .unwrap_or_default(),
        entries,
    };
    let plain = serde_json::to_vec(&contents).map_err(|e| StoreError::Other(e.to_string()))?;
    let header = serde_json::to_string(&Header {
        created: created.to_owned(),
        lock,
    })
    .map_err(|e| StoreError::Other(e.to_string()))?;
    let mut out = format!("{MAGIC} {FORMAT}\n{header}\n").into_bytes();
    let body = key.seal_bytes(&out, &plain).ok_or(BackupError::Locked)?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// A backup file read as far as it can be without the PIN.
pub struct Sealed<'a> {
    pub created: String,
    pub lock: Lock,
    aad: &'a [u8],
    body: &'a [u8],
}

/// Reads a file's header: whether it is a backup this build can open, when it was made,
/// and the lock to derive the PIN's key for.
pub fn read(bytes: &[u8]) -> Result<Sealed<'_>, BackupError> {
    let first = bytes.iter().position(|&b| b == b'\n');
    let Some(first) = first else {
        return Err(
            if MAGIC.as_bytes().starts_with(bytes) && !bytes.is_empty() {
                BackupError::Truncated
            } else {
                BackupError::NotABackup
            },
        );
    };
    let line = std::str::from_utf8(&bytes[..first]).map_err(|_| BackupError::NotABackup)?;
    let format: u32 = line
        .strip_prefix(MAGIC)
        .and_then(|v| v.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .ok_or(BackupError::NotABackup)?;
    if format > FORMAT {
        return Err(BackupError::Newer);
    }
    let second = bytes[first + 1..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| first + 1 + p)
        .ok_or(BackupError::Truncated)?;
    let header: Header = std::str::from_utf8(&bytes[first + 1..second])
        .ok()
        .and_then(|h| serde_json::from_str(h).ok())
        .ok_or(BackupError::Damaged)?;
    let lock = Lock::parse(&header.lock).ok_or(BackupError::Damaged)?;
    let body = &bytes[second + 1..];
    if body.len() < 12 + 16 {
        return Err(BackupError::Truncated);
    }
    Ok(Sealed {
        created: header.created,
        lock,
        aad: &bytes[..=second],
        body,
    })
}

/// A backup's contents, opened.
pub struct Backup {
    pub created: String,
    /// The worker code of the device it was made on.
    pub worker: String,
    key: Key,
    lock: Lock,
    /// The values, migrated to this build's schema.
    store: MemoryStore,
}

impl Backup {
    /// The lock this backup's key is wrapped in, if it is derived in a weaker way than new
    /// locks (`Lock::outdated`).
    pub fn outdated(&self) -> bool {
        self.lock.outdated()
    }

    /// Wraps this backup's key anew under `kek` (derived from the same secret by
    /// `recipe`): the lock a device without a PIN takes (`plan`). The file is not changed.
    pub fn rewrap(&mut self, kek: &[u8; 32], recipe: Recipe) {
        self.lock = Lock::new(&self.key, kek, recipe);
    }
}

impl Sealed<'_> {
    /// Opens the contents with the key derived from the PIN (`kek`, by `self.lock`'s
    /// recipe).
    pub fn open(&self, kek: &[u8; 32]) -> Result<Backup, BackupError> {
        let key = self.lock.open(kek).map_err(|_| BackupError::WrongPin)?;
        let plain =
            vault::open_bytes(&key, self.aad, self.body).map_err(|_| BackupError::Damaged)?;
        let contents: Contents =
            serde_json::from_slice(&plain).map_err(|_| BackupError::Damaged)?;
        if contents.schema > SCHEMA_VERSION {
            return Err(BackupError::Newer);
        }
        let store = MemoryStore::new();
        for (k, v) in &contents.entries {
            if carried(k) || k == SCHEMA_KEY {
                store.set(k, v)?;
            }
        }
        store.set(SCHEMA_KEY, &contents.schema.max(1).to_string())?;
        // Written by an older version: brought to this one's schema first.
        super::migrate(&store)?;
        Ok(Backup {
            created: self.created.clone(),
            worker: contents.worker,
            key,
            lock: self.lock.clone(),
            store,
        })
    }
}

/// What a restore will do, before it does it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub responses_added: usize,
    pub responses_updated: usize,
    /// Already here, as recent or more recent.
    pub responses_kept: usize,
    pub visits_added: usize,
    pub households_added: usize,
    pub forms_added: usize,
    /// The backup's worker code, where it is not this device's.
    pub other_worker: Option<String>,
}

/// Every write of a restore, planned before the first.
pub struct Restore {
    pub summary: Summary,
    writes: Vec<(String, String)>,
    /// The backup's key: the device takes it when it had no PIN (`plan`'s `device` none).
    pub key: Key,
}

impl Restore {
    /// Characters (UTF-16 units, keys included) the planned values take, at most what the
    /// restore adds to storage.
    pub fn chars(&self) -> usize {
        self.writes
            .iter()
            .map(|(k, v)| super::utf16_len(k) + super::utf16_len(v))
            .sum()
    }

    /// How many values it writes.
    pub fn writes(&self) -> usize {
        self.writes.len()
    }
}

/// Plans the restore of `backup` into the device behind `kv`. `device` is the key it holds
/// now (`None`: no PIN yet, and it takes the backup's).
pub fn plan(
    kv: &dyn KvStore,
    backup: &Backup,
    device: Option<&DataKey>,
) -> Result<Restore, BackupError> {
    if kv.get(NEXT_KEY)?.is_some() {
        return Err(BackupError::Locked);
    }
    let adopt = device.is_none();
    if adopt {
        if kv.get(VAULT_KEY)?.is_some() {
            return Err(BackupError::Locked);
        }
        // Plain surveys on a device without a PIN would stay plain beside sealed ones.
        let holds = kv.keys()?.iter().any(|k| {
            k.starts_with(RESPONSE_PREFIX)
                || k.starts_with(DAY_PREFIX)
                || k == WALK_KEY
                || k == FOLLOW_UPS_KEY
        });
        if holds {
            return Err(BackupError::SetPinFirst);
        }
    }
    let same = device.is_none_or(|d| d.is(&backup.key));
    let theirs = Sealer::with(&backup.key);
    let mine = match device {
        Some(d) => Sealer::Open(d.clone()),
        None => Sealer::with(&backup.key),
    };
    let codec = Codec;
    let mut summary = Summary::default();
    let mut writes = Vec::new();
    let src = &backup.store;
    let here = super::VisitStore::new(kv)
        .worker_code()?
        .unwrap_or_default();
    if !backup.worker.is_empty() && !here.is_empty() && backup.worker != here {
        summary.other_worker = Some(backup.worker.clone());
    }
    for key in src.keys()? {
        if !carried(&key) || key == SCHEMA_KEY {
            continue;
        }
        let Some(value) = src.get(&key)? else {
            continue;
        };
        let current = kv.get(&key)?;
        let next = if key.starts_with(RESPONSE_PREFIX) {
            let r = codec
                .decode(&theirs, &key, &value)
                .map_err(|_| BackupError::Damaged)?;
            let newer = match &current {
                None => {
                    summary.responses_added += 1;
                    true
                }
                Some(c) => match codec.decode(&mine, &key, c) {
                    Ok(m) if m.rev >= r.rev => {
                        summary.responses_kept += 1;
                        false
                    }
                    // Unreadable here: the backup's readable copy is better.
                    _ => {
                        summary.responses_updated += 1;
                        true
                    }
                },
            };
            match (newer, same) {
                (false, _) => None,
                (true, true) => Some(value),
                // Sealed again under this device's key; the backup's own forms say
                // what is sealed (a form only there is in `src`).
                (true, false) => Some(codec.encode(&r, &mine)?),
            }
        } else if key.starts_with(DAY_PREFIX) {
            let day = |s: &Sealer, v: String| -> Result<Vec<Visit>, BackupError> {
                serde_json::from_str(&s.open(&key, v)?).map_err(|_| BackupError::Damaged)
            };
            let incoming = day(&theirs, value)?;
            let mut merged = match current {
                Some(c) => day(&mine, c)?,
                None => Vec::new(),
            };
            let before = merged.len();
            for v in incoming {
                if !merged
                    .iter()
                    .any(|m| m.id == v.id && m.household == v.household)
                {
                    merged.push(v);
                }
            }
            summary.visits_added += merged.len() - before;
            (merged.len() > before)
                .then(|| {
                    merged.sort_by(|a, b| a.at.cmp(&b.at));
                    json(&merged).and_then(|t| mine.seal(&key, t))
                })
                .transpose()?
        } else if key == WALK_KEY {
            let incoming = theirs.open(&key, value)?;
            match current {
                None => {
                    summary.households_added += incoming.lines().skip(1).count();
                    Some(mine.seal(&key, incoming)?)
                }
                Some(c) => {
                    let mut text = mine.open(&key, c)?;
                    let ids: std::collections::HashSet<String> = text
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split('\t').next().map(str::to_owned))
                        .collect();
                    let before = text.len();
                    for line in incoming.lines().skip(1) {
                        let id = line.split('\t').next().unwrap_or("");
                        if !id.is_empty() && !ids.contains(id) {
                            text.push('\n');
                            text.push_str(line);
                            summary.households_added += 1;
                        }
                    }
                    (text.len() > before)
                        .then(|| mine.seal(&key, text))
                        .transpose()?
                }
            }
        } else if key == FOLLOW_UPS_KEY {
            type Statuses = std::collections::BTreeMap<String, crate::visits::follow_up::Status>;
            let read = |s: &Sealer, v: String| -> Result<Statuses, BackupError> {
                serde_json::from_str(&s.open(&key, v)?).map_err(|_| BackupError::Damaged)
            };
            let incoming = read(&theirs, value)?;
            let mut merged = match current {
                Some(c) => read(&mine, c)?,
                None => Statuses::new(),
            };
            let before = merged.len();
            for (k, v) in incoming {
                merged.entry(k).or_insert(v);
            }
            (merged.len() > before)
                .then(|| json(&merged).and_then(|t| mine.seal(&key, t)))
                .transpose()?
        } else if key == super::exports::HISTORY_KEY {
            let read = |v: &str| -> Result<Vec<serde_json::Value>, BackupError> {
                serde_json::from_str(v).map_err(|_| BackupError::Damaged)
            };
            let incoming = read(&value)?;
            let mut merged = match &current {
                Some(c) => read(c)?,
                None => Vec::new(),
            };
            let before = merged.len();
            for e in incoming {
                if !merged.contains(&e) {
                    merged.push(e);
                }
            }
            (merged.len() > before).then(|| json(&merged)).transpose()?
        } else {
            // Forms, projects, the worker's profile, targets and settings: added where the
            // device has none; the device's own are kept.
            if current.is_none() && key.starts_with(super::forms::FORM_PREFIX) {
                summary.forms_added += 1;
            }
            match current {
                // Projects and their keys are sealed whole: under this device's key now.
                None if super::vault::sealed_whole(&key) => {
                    Some(mine.seal(&key, theirs.open(&key, value)?)?)
                }
                None => Some(value),
                Some(_) => None,
            }
        };
        if let Some(v) = next {
            writes.push((key, v));
        }
    }
    if adopt {
        // Last: the device takes the backup's lock once everything it opens is there.
        writes.push((VAULT_KEY.to_owned(), backup.lock.to_value()));
    }
    Ok(Restore {
        summary,
        writes,
        key: backup.key.clone(),
    })
}

fn json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

/// Writes a planned restore, all or nothing: a write refused half-way (a full storage)
/// puts back every value it had replaced and removes what it had added.
pub fn apply(kv: &dyn KvStore, restore: &Restore) -> Result<(), StoreError> {
    let mut done: Vec<(&str, Option<String>)> = Vec::new();
    for (k, v) in &restore.writes {
        let before = kv.get(k)?;
        if let Err(e) = kv.set(k, v) {
            // Added keys go first: that makes room for the replaced values to go back.
            for (k, _) in done.iter().filter(|(_, old)| old.is_none()) {
                let _ = kv.remove(k);
            }
            for (k, old) in &done {
                if let Some(old) = old {
                    let _ = kv.set(k, old);
                }
            }
            return Err(e);
        }
        done.push((k, before));
    }
    Ok(())
}
