//! The only code that touches storage. `KvStore` is the small interface (get, set, remove,
//! keys, characters used); `LocalStore` implements it over the browser's localStorage and
//! `MemoryStore` in memory, with a quota, so every rule here is tested natively.

pub mod backup;
mod exports;
mod forms;
mod handover;
mod install;
mod memory;
mod projects;
mod responses;
mod schema;
pub mod vault;
mod visits;

#[cfg(target_arch = "wasm32")]
pub mod local;
#[cfg(target_arch = "wasm32")]
pub mod workspace;

pub use exports::ExportStore;
pub use forms::{AddError, Added, FormEntry, FormStore};
pub use handover::{HandoverStore, HANDOVER_KEY, RESUME_KEY};
pub use install::{install, InstallError, Installed};
pub use memory::MemoryStore;
pub use projects::ProjectBook;
pub use responses::{
    response_key, HouseholdSurvey, OpenResponse, Recovered, ResponseStore, SaveError, Summary,
};
pub use schema::{migrate, migrate_with, Migration, SCHEMA_KEY, SCHEMA_VERSION};
pub use visits::{VisitStore, Worker};

use std::fmt;

/// Every key this app writes starts with this, so a shared origin's other keys are left alone.
pub const PREFIX: &str = "doorstep.";
/// The durable journal's number of the last write (public/journal.js). Never wiped: a
/// number that went back would let the journal replay stale values over newer ones.
pub const SEQ_KEY: &str = "doorstep.seq";
/// Written and removed by `LocalStore::open` to prove storage can write.
pub(crate) const PROBE_KEY: &str = "doorstep.probe";
/// Chosen interface language.
pub const LANG_KEY: &str = "doorstep.lang";

/// Characters (UTF-16 code units, keys included) Chromium lets one origin keep in
/// localStorage: 5 MiB. Firefox and Safari use about the same limit. Browsers offer no API
/// that reports it, so the share shown to the user is measured against this figure.
pub const QUOTA_CHARS: usize = 5 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The browser refused to store more (`QuotaExceededError`). Nothing was written.
    QuotaExceeded,
    /// No storage at all (private browsing, storage disabled, blocked by policy).
    Unavailable(String),
    /// The browser refuses this site its storage (a `SecurityError`: site data blocked in
    /// its settings). Whatever is stored is still there, but cannot be read now.
    Refused,
    /// The data was written by a newer version of the app; it is left untouched.
    NewerSchema(u32),
    /// A stored value is not what this app wrote. It is left in place, not deleted.
    Corrupt {
        key: String,
        detail: String,
    },
    /// Sealed data, and this page does not hold the key: the PIN unlocks it.
    Locked,
    Other(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::QuotaExceeded => write!(f, "storage is full"),
            StoreError::Unavailable(d) => write!(f, "storage unavailable: {d}"),
            StoreError::Refused => write!(f, "the browser refuses access to storage"),
            StoreError::NewerSchema(v) => write!(f, "data written by a newer version (schema {v})"),
            StoreError::Corrupt { key, detail } => write!(f, "{key} is damaged: {detail}"),
            StoreError::Locked => write!(f, "locked: the PIN is needed"),
            StoreError::Other(d) => write!(f, "{d}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// A string-keyed store with localStorage's semantics: a `set` either replaces the whole
/// value or, on error, leaves the old one in place.
pub trait KvStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&self, key: &str) -> Result<(), StoreError>;
    fn keys(&self) -> Result<Vec<String>, StoreError>;
    /// UTF-16 code units held, keys and values of the whole origin: what the quota counts.
    fn chars_used(&self) -> Result<usize, StoreError>;
}

/// A borrowed store is a store (tests keep the store to inspect it after handing it over).
impl<T: KvStore + ?Sized> KvStore for &T {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        (**self).get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        (**self).set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        (**self).remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        (**self).keys()
    }
    fn chars_used(&self) -> Result<usize, StoreError> {
        (**self).chars_used()
    }
}

/// Length of a string as browsers count it against the quota.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod form_tests;

#[cfg(test)]
mod visit_tests;

#[cfg(test)]
mod export_tests;

#[cfg(test)]
mod vault_tests;

#[cfg(test)]
mod backup_tests;
