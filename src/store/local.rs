//! `KvStore` over the browser's localStorage.
//!
//! Uses web-sys directly rather than gloo-storage: gloo's `LocalStorage::raw()` panics when
//! storage is unavailable (private browsing is exactly the case to report, not crash on), its
//! error type hides the DOMException name that tells a full store from a refused one, and its
//! typed get/set would JSON-encode our already-JSON values a second time.
//!
//! Every write to localStorage also goes to the durable journal (public/journal.js, loaded
//! by the page before the app): localStorage alone reaches the disk seconds after a write,
//! and a killed browser loses what it had not. `last_change` is the journal's number of
//! this page's latest write, which the save status waits for before it says "saved".

use super::{KvStore, StoreError};
use js_sys::{Function, JsString, Reflect};
use std::cell::Cell;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Storage;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = doorstepJournal, js_name = set)]
    fn journal_set(key: &str, value: &str) -> Result<f64, JsValue>;
    #[wasm_bindgen(catch, js_namespace = doorstepJournal, js_name = remove)]
    fn journal_remove(key: &str) -> Result<f64, JsValue>;
}

thread_local! {
    static LAST: Cell<f64> = const { Cell::new(0.0) };
}

/// The journal's number of this page's latest write through a `LocalStore` (0 without a
/// journal): the change is on disk once the journal's `durable` reaches it.
pub fn last_change() -> f64 {
    LAST.with(Cell::get)
}

#[derive(Clone)]
pub struct LocalStore {
    storage: Storage,
    /// localStorage on a page that loaded the journal (not sessionStorage, not the
    /// browser tests' bare page).
    journal: bool,
}

const PROBE_KEY: &str = super::PROBE_KEY;

impl LocalStore {
    /// Opens localStorage and proves it can write, so that private browsing or blocked site
    /// data is detected before a survey starts rather than when its first answer is lost.
    pub fn open() -> Result<LocalStore, StoreError> {
        let window =
            web_sys::window().ok_or_else(|| StoreError::Unavailable("no window".into()))?;
        let storage = window
            .local_storage()
            .map_err(|e| match name_of(&e).as_str() {
                "SecurityError" => StoreError::Refused,
                _ => StoreError::Unavailable(describe(&e)),
            })?
            .ok_or_else(|| StoreError::Unavailable("localStorage is null".into()))?;
        let journal = Reflect::has(&js_sys::global(), &"doorstepJournal".into()).unwrap_or(false);
        let store = LocalStore { storage, journal };
        match store.set(PROBE_KEY, "1") {
            Ok(()) => {
                let _ = store.remove(PROBE_KEY);
                Ok(store)
            }
            // Full but readable: the app can still show and export what is there.
            Err(StoreError::QuotaExceeded) if store.len() > 0 => Ok(store),
            // Full while empty is how some private modes refuse storage.
            Err(StoreError::QuotaExceeded) => Err(StoreError::Unavailable(
                "no space at all (private browsing?)".into(),
            )),
            Err(e) => Err(StoreError::Unavailable(e.to_string())),
        }
    }

    /// This tab's sessionStorage: a scratch space with its own quota, for edits that did
    /// not fit in localStorage. `None` where the browser refuses it.
    pub fn session() -> Option<LocalStore> {
        let storage = web_sys::window()?.session_storage().ok()??;
        Some(LocalStore {
            storage,
            journal: false,
        })
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    fn len(&self) -> u32 {
        self.storage.length().unwrap_or(0)
    }
}

fn noted(seq: f64) {
    LAST.with(|l| l.set(seq));
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| format!("{}: {}", e.name(), e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn name_of(e: &JsValue) -> String {
    Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

/// QuotaExceededError (and Firefox's old NS_ERROR_DOM_QUOTA_REACHED) mean "full".
fn is_quota(e: &JsValue) -> bool {
    let name = name_of(e);
    let code = Reflect::get(e, &"code".into())
        .ok()
        .and_then(|c| c.as_f64())
        .unwrap_or(0.0);
    name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" || code == 22.0
}

impl KvStore for LocalStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.storage
            .get_item(key)
            .map_err(|e| StoreError::Other(describe(&e)))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let written = if self.journal {
            journal_set(key, value).map(noted)
        } else {
            self.storage.set_item(key, value)
        };
        written.map_err(|e| {
            if is_quota(&e) {
                StoreError::QuotaExceeded
            } else {
                StoreError::Other(describe(&e))
            }
        })
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        let removed = if self.journal {
            journal_remove(key).map(noted)
        } else {
            self.storage.remove_item(key)
        };
        removed.map_err(|e| StoreError::Other(describe(&e)))
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let n = self.len();
        Ok((0..n)
            .filter_map(|i| self.storage.key(i).ok().flatten())
            .collect())
    }

    /// Sums lengths on the JavaScript side: the values are never copied into wasm memory,
    /// so measuring a full store costs microseconds per key, not a 10 MB copy.
    fn chars_used(&self) -> Result<usize, StoreError> {
        let get_item: Function = Reflect::get(&self.storage, &"getItem".into())
            .map_err(|e| StoreError::Other(describe(&e)))?
            .unchecked_into();
        let mut total = 0usize;
        for i in 0..self.len() {
            let Some(key) = self.storage.key(i).ok().flatten() else {
                continue;
            };
            let value = get_item
                .call1(&self.storage, &JsValue::from_str(&key))
                .map_err(|e| StoreError::Other(describe(&e)))?;
            total += super::utf16_len(&key);
            if let Some(s) = value.dyn_ref::<JsString>() {
                total += s.length() as usize;
            }
        }
        Ok(total)
    }
}
