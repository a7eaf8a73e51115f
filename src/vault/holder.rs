//! The data key while the app is unlocked, and nowhere else.
//!
//! The app is several wasm modules in one page (the survey, and the screens fetched on
//! first use), each with its own memory: the key is held on the page's global object so
//! every module reads the same one, and locking in any of them locks all. It lives only as
//! long as the page: a reload or a closed tab forgets it. Native builds (tests) hold it per
//! thread. The copies this module makes in wasm memory on the way in and out are wiped
//! (`zeroize`); the page's own `Uint8Array` is overwritten by `forget`.

use super::Key;
#[cfg(target_arch = "wasm32")]
use zeroize::Zeroizing;

#[cfg(target_arch = "wasm32")]
const SLOT: &str = "__doorstepKey";

/// The key held now, if unlocked.
#[cfg(target_arch = "wasm32")]
pub fn held() -> Option<Key> {
    use wasm_bindgen::JsCast;
    let v = js_sys::Reflect::get(&js_sys::global(), &SLOT.into()).ok()?;
    let array = v.dyn_into::<js_sys::Uint8Array>().ok()?;
    if array.length() != 36 {
        return None;
    }
    let mut raw = Zeroizing::new([0u8; 36]);
    array.copy_to(&mut raw[..]);
    Some(from_raw(&raw))
}

#[cfg(target_arch = "wasm32")]
pub fn hold(key: &Key) {
    let raw = to_raw(key);
    let array = js_sys::Uint8Array::from(&raw[..]);
    let _ = js_sys::Reflect::set(&js_sys::global(), &SLOT.into(), &array);
}

/// Forgets the key: its bytes are overwritten, then dropped.
#[cfg(target_arch = "wasm32")]
pub fn forget() {
    use wasm_bindgen::JsCast;
    let global = js_sys::global();
    if let Some(a) = js_sys::Reflect::get(&global, &SLOT.into())
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
    {
        a.fill(0, 0, a.length());
    }
    let _ = js_sys::Reflect::delete_property(&global, &SLOT.into());
}

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    static HELD: std::cell::RefCell<Option<Key>> = const { std::cell::RefCell::new(None) };
}

#[cfg(not(target_arch = "wasm32"))]
pub fn held() -> Option<Key> {
    HELD.with(|h| h.borrow().clone())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn hold(key: &Key) {
    HELD.with(|h| *h.borrow_mut() = Some(key.clone()));
}

#[cfg(not(target_arch = "wasm32"))]
pub fn forget() {
    HELD.with(|h| *h.borrow_mut() = None);
}

/// Generation (little-endian) then the key: what the page holds. Wiped when dropped.
#[cfg(target_arch = "wasm32")]
fn to_raw(key: &Key) -> Zeroizing<[u8; 36]> {
    let mut raw = Zeroizing::new([0u8; 36]);
    raw[..4].copy_from_slice(&key.gen.to_le_bytes());
    raw[4..].copy_from_slice(key.bytes());
    raw
}

#[cfg(target_arch = "wasm32")]
fn from_raw(raw: &[u8; 36]) -> Key {
    let mut bytes = Zeroizing::new([0u8; 32]);
    bytes.copy_from_slice(&raw[4..]);
    Key::new(u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]), *bytes)
}
