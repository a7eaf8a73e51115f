//! In-memory twin of localStorage, with an optional quota, for native tests and benchmarks.

use super::{utf16_len, KvStore, StoreError};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct MemoryStore {
    items: RefCell<BTreeMap<String, String>>,
    quota: Option<usize>,
    /// Running total of `chars_used`, so a quota check costs nothing per write.
    used: Cell<usize>,
    /// When set, every write fails as if the browser had stopped mid-way (for crash tests).
    fail_writes: Cell<bool>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store that refuses writes past `chars` UTF-16 code units, like a browser.
    pub fn with_quota(chars: usize) -> MemoryStore {
        MemoryStore {
            quota: Some(chars),
            ..MemoryStore::default()
        }
    }

    pub fn fail_writes(&self, fail: bool) {
        self.fail_writes.set(fail);
    }

    /// Raw dump of everything stored, as a test would read it from developer tools.
    pub fn dump(&self) -> BTreeMap<String, String> {
        self.items.borrow().clone()
    }
}

impl KvStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.items.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if self.fail_writes.get() {
            return Err(StoreError::Other("write interrupted".into()));
        }
        let old = self
            .items
            .borrow()
            .get(key)
            .map(|v| utf16_len(key) + utf16_len(v))
            .unwrap_or(0);
        let used = self.used.get() - old + utf16_len(key) + utf16_len(value);
        if self.quota.is_some_and(|quota| used > quota) {
            return Err(StoreError::QuotaExceeded);
        }
        self.items
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        self.used.set(used);
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        if let Some(v) = self.items.borrow_mut().remove(key) {
            self.used
                .set(self.used.get() - utf16_len(key) - utf16_len(&v));
        }
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.items.borrow().keys().cloned().collect())
    }

    fn chars_used(&self) -> Result<usize, StoreError> {
        Ok(self.used.get())
    }
}
