//! The key-encryption key from what the worker typed, by a lock's recipe
//! (`vault::lock::Recipe`): the one step between a typed PIN or passphrase and the store.
//! In the worker module only (the lock, hand-back and restore screens), so Argon2id is
//! not part of the app's first-load wasm.
//!
//! - **Argon2id** runs in this wasm (`vault::kdf`), synchronously: ~0.2 s here, up to ~1 s
//!   on a low-end tablet. The screen's "Checking…" is painted first.
//! - **PBKDF2** (locks of earlier versions) runs in WebCrypto (`handover::derive`).
//!
//! A passphrase is put in Unicode NFC first (the browser's `normalize`), so an accented
//! letter is the same bytes whichever keyboard typed it, then `passphrase::normalise`d.

use crate::vault::kdf::{self, Kdf};
use crate::vault::lock::{Recipe, Secret};
use wasm_bindgen::JsCast;
use zeroize::{Zeroize, Zeroizing};

/// A derived key-encryption key, wiped when dropped.
pub type Kek = Zeroizing<[u8; 32]>;

/// The key `typed` derives by `recipe`; `None` where the browser cannot (no WebCrypto for
/// an old lock's PBKDF2, or parameters the crate refuses).
pub async fn derive(recipe: &Recipe, typed: &str) -> Option<Kek> {
    let input = match recipe.secret {
        Secret::Pin => recipe.secret.input(typed),
        Secret::Passphrase => {
            let nfc = Zeroizing::new(String::from(js_sys::JsString::from(typed).normalize("NFC")));
            recipe.secret.input(&nfc)
        }
    };
    match recipe.kdf {
        Kdf::Pbkdf2 { rounds } => {
            let mut bits = super::handover::derive(&input, &recipe.salt, rounds).await?;
            let kek = <[u8; 32]>::try_from(bits.as_slice())
                .ok()
                .map(Zeroizing::new);
            bits.zeroize();
            kek
        }
        Kdf::Argon2id { m_kib, t, p } => {
            painted().await;
            kdf::argon2id(input.as_bytes(), &recipe.salt, m_kib, t, p)
        }
    }
}

/// A new lock's recipe for `secret` (`kdf::CURRENT`, a fresh salt) and the key `typed`
/// derives by it.
pub async fn fresh(secret: Secret, typed: &str) -> Option<(Recipe, Kek)> {
    let mut salt = [0u8; 16];
    crate::vault::random(&mut salt);
    let recipe = Recipe::current(secret, salt);
    Some((recipe, derive(&recipe, typed).await?))
}

/// Resolves once the page has had a frame to paint ("Checking…", the disabled button)
/// before the derivation holds the thread; at the latest after 100 ms (a frame may never
/// come in a hidden tab).
async fn painted() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(window) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let again = resolve.clone();
        let after_frame = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback(again.unchecked_ref());
            }
        });
        let _ = window.request_animation_frame(after_frame.unchecked_ref());
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 100);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
