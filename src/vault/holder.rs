//! The data key while the app is unlocked, and nowhere else.
//!
//! The key's bytes live in the memory of one wasm module only, the app's first-load module
//! (the *owner*: `install`, called at its start), and are wiped there on `forget` and when
//! replaced (`zeroize`). Nothing on the page's global object holds them. The app's other
//! modules (fetched on first use, each with its own memory) do not get the key: they ask
//! the owner to seal and open through `globalThis.doorstepVault`, a frozen object of
//! functions the owner defines once, not writable and not configurable. That object is
//! what a non-extractable WebCrypto key would be: a script in the page can use it while the
//! app is unlocked, not read the key out of it (see docs/encryption.md for what remains).
//!
//! Records are sealed synchronously (saving an answer is one synchronous write, which
//! WebCrypto's promises cannot do), hence bytes in Rust rather than a `CryptoKey`.
//!
//! The first module that needs the holder when no owner has installed it (a test harness
//! running without the app) becomes the owner. Native builds (tests) hold the key per
//! thread. Hand-over between modules happens once, at unlock: `hold` copies the key into
//! the owner and the caller's copy is wiped when it drops.

use super::{Key, VaultError};

/// The key the page holds, if unlocked: its generation.
pub fn gen() -> Option<u32> {
    imp::gen()
}

/// Takes `key` as the page's data key (after an unlock), replacing any other.
pub fn hold(key: &Key) {
    imp::hold(key)
}

/// Forgets the key: its bytes are overwritten, then dropped.
pub fn forget() {
    imp::forget()
}

/// `plain` sealed under the held key (as `vault::seal`), or `None` when nothing is held.
pub fn seal(aad: &str, plain: &str) -> Option<String> {
    imp::seal(aad, plain)
}

/// A value sealed by `seal` opened with the held key; `None` when nothing is held.
pub fn open(aad: &str, sealed: &str) -> Option<Result<String, VaultError>> {
    imp::open(aad, sealed)
}

/// As `vault::seal_bytes` with the held key; `None` when nothing is held.
pub fn seal_bytes(aad: &[u8], plain: &[u8]) -> Option<Vec<u8>> {
    imp::seal_bytes(aad, plain)
}

/// As `vault::open_bytes` with the held key; `None` when nothing is held.
pub fn open_bytes(aad: &[u8], sealed: &[u8]) -> Option<Result<Vec<u8>, VaultError>> {
    imp::open_bytes(aad, sealed)
}

/// Makes this module the key's owner (the app's first-load module calls it at start).
pub fn install() {
    #[cfg(target_arch = "wasm32")]
    imp::install();
}

/// The owner's side: the key in this module's memory.
mod own {
    use super::super::{self as vault, Key, VaultError};
    use std::cell::RefCell;

    thread_local! {
        // `Key` wipes its bytes when dropped: replacing or taking it wipes the old one.
        static HELD: RefCell<Option<Key>> = const { RefCell::new(None) };
    }

    pub fn gen() -> Option<u32> {
        HELD.with(|h| h.borrow().as_ref().map(|k| k.gen))
    }

    pub fn hold(key: &Key) {
        HELD.with(|h| *h.borrow_mut() = Some(key.clone()));
    }

    pub fn forget() {
        HELD.with(|h| drop(h.borrow_mut().take()));
    }

    fn with<T>(f: impl FnOnce(&Key) -> T) -> Option<T> {
        HELD.with(|h| h.borrow().as_ref().map(f))
    }

    pub fn seal(aad: &str, plain: &str) -> Option<String> {
        with(|k| vault::seal(k, aad, plain))
    }

    pub fn open(aad: &str, sealed: &str) -> Option<Result<String, VaultError>> {
        with(|k| vault::open(k, aad, sealed))
    }

    pub fn seal_bytes(aad: &[u8], plain: &[u8]) -> Option<Vec<u8>> {
        with(|k| vault::seal_bytes(k, aad, plain))
    }

    pub fn open_bytes(aad: &[u8], sealed: &[u8]) -> Option<Result<Vec<u8>, VaultError>> {
        with(|k| vault::open_bytes(k, aad, sealed))
    }
}

#[cfg(not(target_arch = "wasm32"))]
use own as imp;

/// In the browser: the owner's functions directly, or the owner's through the page.
#[cfg(target_arch = "wasm32")]
mod imp {
    use super::super::{Key, VaultError};
    use super::own;
    use js_sys::{Function, Object, Reflect, Uint8Array};
    use std::cell::{Cell, RefCell};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use zeroize::Zeroizing;

    const SLOT: &str = "doorstepVault";
    /// `open`'s answer for a value that is not sealed or does not verify (other answers:
    /// the text, or the generation of another key, which is never negative).
    const DAMAGED: f64 = -1.0;

    thread_local! {
        static OWNER: Cell<bool> = const { Cell::new(false) };
        static REMOTE: RefCell<Option<Object>> = const { RefCell::new(None) };
    }

    fn owner() -> bool {
        OWNER.with(Cell::get)
    }

    /// The owner's object on the page; installs this module as the owner if there is none.
    fn remote() -> Option<Object> {
        if owner() {
            return None;
        }
        if let Some(o) = REMOTE.with(|r| r.borrow().clone()) {
            return Some(o);
        }
        let found = Reflect::get(&js_sys::global(), &SLOT.into())
            .ok()
            .and_then(|v| v.dyn_into::<Object>().ok());
        match found {
            Some(o) => {
                REMOTE.with(|r| *r.borrow_mut() = Some(o.clone()));
                Some(o)
            }
            None => {
                install();
                None
            }
        }
    }

    fn call(o: &Object, name: &str, args: &[JsValue]) -> JsValue {
        let Some(f) = Reflect::get(o, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return JsValue::UNDEFINED;
        };
        let array: js_sys::Array = args.iter().collect();
        f.apply(&JsValue::NULL, &array)
            .unwrap_or(JsValue::UNDEFINED)
    }

    pub fn gen() -> Option<u32> {
        match remote() {
            None => own::gen(),
            Some(o) => call(&o, "gen", &[]).as_f64().map(|g| g as u32),
        }
    }

    pub fn hold(key: &Key) {
        match remote() {
            None => own::hold(key),
            Some(o) => {
                let raw = to_raw(key);
                let array = Uint8Array::from(&raw[..]);
                call(&o, "hold", &[array.clone().into()]);
                // The owner copied it; the page's copy is overwritten (it does so too).
                array.fill(0, 0, array.length());
            }
        }
    }

    pub fn forget() {
        match remote() {
            None => own::forget(),
            Some(o) => {
                call(&o, "forget", &[]);
            }
        }
    }

    pub fn seal(aad: &str, plain: &str) -> Option<String> {
        match remote() {
            None => own::seal(aad, plain),
            Some(o) => call(&o, "seal", &[aad.into(), plain.into()]).as_string(),
        }
    }

    pub fn open(aad: &str, sealed: &str) -> Option<Result<String, VaultError>> {
        match remote() {
            None => own::open(aad, sealed),
            Some(o) => from_opened(call(&o, "open", &[aad.into(), sealed.into()])),
        }
    }

    pub fn seal_bytes(aad: &[u8], plain: &[u8]) -> Option<Vec<u8>> {
        match remote() {
            None => own::seal_bytes(aad, plain),
            Some(o) => call(
                &o,
                "sealBytes",
                &[Uint8Array::from(aad).into(), Uint8Array::from(plain).into()],
            )
            .dyn_into::<Uint8Array>()
            .ok()
            .map(|a| a.to_vec()),
        }
    }

    pub fn open_bytes(aad: &[u8], sealed: &[u8]) -> Option<Result<Vec<u8>, VaultError>> {
        match remote() {
            None => own::open_bytes(aad, sealed),
            Some(o) => {
                let v = call(
                    &o,
                    "openBytes",
                    &[
                        Uint8Array::from(aad).into(),
                        Uint8Array::from(sealed).into(),
                    ],
                );
                if v.is_undefined() {
                    return None;
                }
                Some(
                    v.dyn_into::<Uint8Array>()
                        .map(|a| a.to_vec())
                        .map_err(|_| VaultError::Damaged),
                )
            }
        }
    }

    /// `open`'s answer as it crosses the page: the text, the other key's generation, or
    /// `DAMAGED`; undefined when nothing is held.
    fn to_opened(opened: Option<Result<String, VaultError>>) -> JsValue {
        match opened {
            None => JsValue::UNDEFINED,
            Some(Ok(text)) => text.into(),
            Some(Err(VaultError::OtherKey(g))) => f64::from(g).into(),
            Some(Err(VaultError::Damaged)) => DAMAGED.into(),
        }
    }

    fn from_opened(v: JsValue) -> Option<Result<String, VaultError>> {
        if let Some(text) = v.as_string() {
            return Some(Ok(text));
        }
        let n = v.as_f64()?;
        Some(Err(if n >= 0.0 {
            VaultError::OtherKey(n as u32)
        } else {
            VaultError::Damaged
        }))
    }

    /// Defines `globalThis.doorstepVault` (frozen, not writable, not configurable) with this
    /// module's memory as the key's home. Once per page: a second call changes nothing.
    pub fn install() {
        if owner() {
            return;
        }
        let global = js_sys::global();
        if Reflect::has(&global, &SLOT.into()).unwrap_or(false) {
            return;
        }
        OWNER.with(|o| o.set(true));
        let api = Object::new();
        let put = |name: &str, f: JsValue| {
            let _ = Reflect::set(&api, &name.into(), &f);
        };
        put(
            "gen",
            Closure::<dyn Fn() -> JsValue>::new(|| {
                own::gen().map_or(JsValue::UNDEFINED, |g| f64::from(g).into())
            })
            .into_js_value(),
        );
        put(
            "hold",
            Closure::<dyn Fn(JsValue)>::new(|v: JsValue| {
                let Ok(array) = v.dyn_into::<Uint8Array>() else {
                    return;
                };
                if array.length() == 36 {
                    let mut raw = Zeroizing::new([0u8; 36]);
                    array.copy_to(&mut raw[..]);
                    own::hold(&from_raw(&raw));
                }
                array.fill(0, 0, array.length());
            })
            .into_js_value(),
        );
        put(
            "forget",
            Closure::<dyn Fn()>::new(own::forget).into_js_value(),
        );
        put(
            "seal",
            Closure::<dyn Fn(String, String) -> JsValue>::new(|aad: String, plain: String| {
                own::seal(&aad, &plain).map_or(JsValue::UNDEFINED, JsValue::from)
            })
            .into_js_value(),
        );
        put(
            "open",
            Closure::<dyn Fn(String, String) -> JsValue>::new(|aad: String, sealed: String| {
                to_opened(own::open(&aad, &sealed))
            })
            .into_js_value(),
        );
        put(
            "sealBytes",
            Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|aad: JsValue, plain: JsValue| {
                own::seal_bytes(&bytes(&aad), &bytes(&plain))
                    .map_or(JsValue::UNDEFINED, |b| Uint8Array::from(&b[..]).into())
            })
            .into_js_value(),
        );
        put(
            "openBytes",
            Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|aad: JsValue, sealed: JsValue| {
                match own::open_bytes(&bytes(&aad), &bytes(&sealed)) {
                    None => JsValue::UNDEFINED,
                    Some(Ok(b)) => Uint8Array::from(&b[..]).into(),
                    Some(Err(_)) => JsValue::NULL,
                }
            })
            .into_js_value(),
        );
        Object::freeze(&api);
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &"value".into(), &api);
        // writable, configurable and enumerable default to false.
        Object::define_property(global.unchecked_ref::<Object>(), &SLOT.into(), &descriptor);
    }

    fn bytes(v: &JsValue) -> Vec<u8> {
        Uint8Array::new(v).to_vec()
    }

    /// Generation (little-endian) then the key: what crosses to the owner. Wiped when
    /// dropped.
    fn to_raw(key: &Key) -> Zeroizing<[u8; 36]> {
        let mut raw = Zeroizing::new([0u8; 36]);
        raw[..4].copy_from_slice(&key.gen.to_le_bytes());
        raw[4..].copy_from_slice(key.bytes());
        raw
    }

    fn from_raw(raw: &[u8; 36]) -> Key {
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&raw[4..]);
        Key::new(u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]), *bytes)
    }
}
