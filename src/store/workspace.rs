//! The coordinator's workspace in IndexedDB: every accepted export file, whole, as it was
//! checked. localStorage's ~5 million characters hold one community, not a district's 100,000
//! responses; IndexedDB holds hundreds of megabytes. The dataset is rebuilt from these files
//! when the workspace opens, so what is stored is always what was checked.
//!
//! Each write is one IndexedDB transaction: all of a batch's files, or none of them.
//!
//! **Sealed.** The files hold members' age bands, sexes, relations and household make-up:
//! each is stored encrypted (AES-256-GCM by the browser's WebCrypto, which takes a 4 MB file
//! in milliseconds where wasm would take a second) under the workspace's own key. That key
//! (`doorstep.wk`, 32 random bytes) is stored sealed whole under the device PIN like the
//! projects, so a PIN change reseals it with everything else and a locked browser's
//! IndexedDB is ciphertext. In the page it is a non-extractable `CryptoKey`.

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
    /// The nonce the bytes were sealed with; `None` for a file stored before files were
    /// sealed (plain).
    pub iv: Option<js_sys::Uint8Array>,
}

/// The workspace's file key (`doorstep.wk`), sealed whole under the PIN.
pub const FILE_KEY: &str = "doorstep.wk";

fn subtle() -> Result<web_sys::SubtleCrypto, StoreError> {
    Ok(web_sys::window()
        .ok_or_else(|| StoreError::Unavailable("no window".into()))?
        .crypto()
        .map_err(error)?
        .subtle())
}

fn gcm(iv: &js_sys::Uint8Array, aad: &str) -> Object {
    let alg = Object::new();
    let _ = Reflect::set(&alg, &"name".into(), &"AES-GCM".into());
    let _ = Reflect::set(&alg, &"iv".into(), iv);
    let _ = Reflect::set(
        &alg,
        &"additionalData".into(),
        &js_sys::Uint8Array::from(aad.as_bytes()),
    );
    alg
}

/// The workspace's file key as a non-extractable WebCrypto key: read from storage (made
/// on first use). Needs the device unlocked.
pub async fn file_key(kv: &dyn super::KvStore) -> Result<web_sys::CryptoKey, StoreError> {
    let hex = match super::projects::read(kv, FILE_KEY)? {
        Some(h) => zeroize::Zeroizing::new(h),
        None => {
            let mut raw = zeroize::Zeroizing::new([0u8; 32]);
            crate::vault::random(raw.as_mut());
            let hex = zeroize::Zeroizing::new(crate::export::project::hex(raw.as_ref()));
            super::projects::write(kv, FILE_KEY, hex.to_string())?;
            hex
        }
    };
    let raw =
        zeroize::Zeroizing::new(crate::export::project::unhex(hex.trim()).ok_or_else(|| {
            StoreError::Corrupt {
                key: FILE_KEY.into(),
                detail: "not a key".into(),
            }
        })?);
    let bytes = js_sys::Uint8Array::from(raw.as_slice());
    let alg = Object::new();
    let _ = Reflect::set(&alg, &"name".into(), &"AES-GCM".into());
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let promise = subtle()?
        .import_key_with_object("raw", &bytes, &alg, false, &usages)
        .map_err(error)?;
    let key = JsFuture::from(promise).await.map_err(error)?;
    // The copy handed to WebCrypto is wiped too.
    bytes.fill(0, 0, 32);
    key.dyn_into()
        .map_err(|_| StoreError::Other("not a key".into()))
}

/// `bytes` being sealed for storage under `id` (the associated data: a file moved to
/// another identity does not open). WebCrypto starts at once, off this thread: the caller
/// checks the file meanwhile and awaits `Sealing::done` when it needs the result.
pub fn begin_seal(
    key: &web_sys::CryptoKey,
    id: &str,
    bytes: &js_sys::ArrayBuffer,
) -> Result<Sealing, StoreError> {
    let mut nonce = [0u8; 12];
    crate::vault::random(&mut nonce);
    let iv = js_sys::Uint8Array::from(&nonce[..]);
    let promise = subtle()?
        .encrypt_with_object_and_buffer_source(&gcm(&iv, id), key, bytes)
        .map_err(error)?;
    Ok(Sealing {
        iv,
        sealed: JsFuture::from(promise),
    })
}

/// A file's sealing under way (`begin_seal`).
pub struct Sealing {
    iv: js_sys::Uint8Array,
    sealed: JsFuture,
}

impl Sealing {
    /// The nonce and the ciphertext.
    pub async fn done(self) -> Result<(js_sys::Uint8Array, js_sys::ArrayBuffer), StoreError> {
        let out = self.sealed.await.map_err(error)?;
        Ok((
            self.iv,
            out.dyn_into()
                .map_err(|_| StoreError::Other("not bytes".into()))?,
        ))
    }
}

/// A stored file being opened (WebCrypto at work from the call on); the future gives its
/// bytes, or `None` if it does not open (sealed under a key this browser no longer has: a
/// wiped device).
pub fn begin_open(
    key: &web_sys::CryptoKey,
    f: &StoredFile,
) -> impl std::future::Future<Output = Option<js_sys::ArrayBuffer>> {
    let started = match &f.iv {
        None => Err(Some(f.bytes.clone())),
        Some(iv) => subtle()
            .ok()
            .and_then(|s| {
                s.decrypt_with_object_and_buffer_source(&gcm(iv, &f.key), key, &f.bytes)
                    .ok()
            })
            .map(JsFuture::from)
            .ok_or(None),
    };
    async move {
        match started {
            Ok(opening) => opening.await.ok()?.dyn_into().ok(),
            Err(plain) => plain,
        }
    }
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
    /// `files` are (identity, name, nonce, sealed bytes), as `seal_file` made them.
    pub fn begin_put(
        &self,
        files: &[(&str, &str, &js_sys::Uint8Array, &js_sys::ArrayBuffer)],
    ) -> Result<Pending, StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let pending = Pending::new(tx.clone());
        let store = tx.object_store(FILES).map_err(error)?;
        for (key, name, iv, bytes) in files {
            let rec = Object::new();
            let _ = Reflect::set(&rec, &"name".into(), &(*name).into());
            let _ = Reflect::set(&rec, &"iv".into(), iv);
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
                    iv: Reflect::get(&v, &"iv".into())
                        .ok()
                        .and_then(|i| i.dyn_into().ok()),
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
