//! The coordinator's workspace in IndexedDB: every accepted export file, whole, as it was
//! checked. localStorage's ~5 million characters hold one community, not a district's 100,000
//! responses; IndexedDB holds hundreds of megabytes. The dataset is rebuilt from these files
//! when the workspace opens, so what is stored is always what was checked.
//!
//! Each write is one IndexedDB transaction: all of a batch's files, or none of them.

use super::StoreError;
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "doorstep-workspace";
const DB_VERSION: u32 = 1;
const FILES: &str = "files";

/// One stored file: its identity (see `report::import::Header::key`), name and bytes,
/// as read from disk (kept as bytes: WebCrypto checks them again on every opening).
pub struct StoredFile {
    pub key: String,
    pub name: String,
    pub bytes: js_sys::ArrayBuffer,
}

/// A batch being written: its transaction, and the promise of its end, made when the
/// writes were issued (a transaction that ended before anyone listened would never say so).
pub struct Pending {
    tx: IdbTransaction,
    end: Promise,
}

impl Pending {
    fn new(tx: IdbTransaction) -> Pending {
        let end = Promise::new(&mut |resolve, reject| {
            tx.set_oncomplete(Some(&resolve));
            tx.set_onerror(Some(&reject));
            tx.set_onabort(Some(&reject));
        });
        Pending { tx, end }
    }

    /// Whether the batch committed (every write on disk); why not, if it aborted.
    pub async fn done(self) -> Result<(), StoreError> {
        JsFuture::from(self.end).await.map(|_| ()).map_err(|e| {
            // An abort names its cause on the transaction.
            match self.tx.error() {
                Some(d) if d.name() == "QuotaExceededError" => StoreError::QuotaExceeded,
                Some(d) => StoreError::Other(d.name()),
                None => error(e),
            }
        })
    }
}

#[derive(Clone)]
pub struct WorkspaceStore {
    db: IdbDatabase,
}

fn error(e: JsValue) -> StoreError {
    let name = Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .or_else(|| {
            // An event: the error sits on its target.
            let target = Reflect::get(&e, &"target".into()).ok()?;
            let err = Reflect::get(&target, &"error".into()).ok()?;
            Reflect::get(&err, &"name".into()).ok()?.as_string()
        })
        .unwrap_or_default();
    match name.as_str() {
        "QuotaExceededError" => StoreError::QuotaExceeded,
        "InvalidStateError" | "SecurityError" | "UnknownError" => StoreError::Unavailable(name),
        _ => StoreError::Other(if name.is_empty() {
            format!("{e:?}")
        } else {
            name
        }),
    }
}

/// Resolves when the request succeeds, with its result.
async fn request(req: &IdbRequest) -> Result<JsValue, StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(error)?;
    req.result().map_err(error)
}

impl WorkspaceStore {
    /// Opens (creating on first use) the workspace database.
    pub async fn open() -> Result<WorkspaceStore, StoreError> {
        let factory = web_sys::window()
            .ok_or_else(|| StoreError::Unavailable("no window".into()))?
            .indexed_db()
            .map_err(error)?
            .ok_or_else(|| StoreError::Unavailable("IndexedDB is not available".into()))?;
        let open = factory.open_with_u32(DB_NAME, DB_VERSION).map_err(error)?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let db = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
            if let Some(db) = db {
                if !db.object_store_names().contains(FILES) {
                    let _ = db.create_object_store(FILES);
                }
            }
        });
        open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = request(&open).await?;
        drop(upgrade);
        Ok(WorkspaceStore {
            db: db
                .dyn_into()
                .map_err(|_| StoreError::Other("not a database".into()))?,
        })
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<IdbTransaction, StoreError> {
        self.db
            .transaction_with_str_and_mode(FILES, mode)
            .map_err(error)
    }

    /// Starts storing a batch: all of its files, or (full storage, a closed tab) none. The
    /// writes are issued now, in one transaction; `done`
    /// says whether it committed. Lets the next file be checked while this one is written.
    pub fn begin_put(
        &self,
        files: &[(&str, &str, &js_sys::ArrayBuffer)],
    ) -> Result<Pending, StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let pending = Pending::new(tx.clone());
        let store = tx.object_store(FILES).map_err(error)?;
        for (key, name, bytes) in files {
            let rec = Object::new();
            let _ = Reflect::set(&rec, &"name".into(), &(*name).into());
            let _ = Reflect::set(&rec, &"bytes".into(), bytes);
            store.put_with_key(&rec, &(*key).into()).map_err(error)?;
        }
        Ok(pending)
    }

    /// Every stored file, in the order of their keys.
    pub async fn files(&self) -> Result<Vec<StoredFile>, StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let store = tx.object_store(FILES).map_err(error)?;
        let keys: Array = request(&store.get_all_keys().map_err(error)?)
            .await?
            .dyn_into()
            .map_err(|_| StoreError::Other("keys".into()))?;
        let values: Array = request(&store.get_all().map_err(error)?)
            .await?
            .dyn_into()
            .map_err(|_| StoreError::Other("values".into()))?;
        let field = |v: &JsValue, f: &str| {
            Reflect::get(v, &f.into())
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default()
        };
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| {
                Some(StoredFile {
                    key: k.as_string().unwrap_or_default(),
                    name: field(&v, "name"),
                    bytes: Reflect::get(&v, &"bytes".into()).ok()?.dyn_into().ok()?,
                })
            })
            .collect())
    }

    /// Forgets every file.
    pub async fn clear(&self) -> Result<(), StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let pending = Pending::new(tx.clone());
        tx.object_store(FILES)
            .map_err(error)?
            .clear()
            .map_err(error)?;
        pending.done().await
    }
}
