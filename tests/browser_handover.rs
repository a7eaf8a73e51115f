//! The hand-over PIN in a real browser: WebCrypto's PBKDF2 through `ui::handover::derive`
//! gives RFC 7914's PBKDF2-HMAC-SHA-256 test vectors, a stored record accepts its PIN and
//! refuses others, and the hand-over state survives in localStorage.
#![cfg(target_arch = "wasm32")]

use doorstep::export::project::hex;
use doorstep::handover::pin::PinRecord;
use doorstep::store::local::LocalStore;
use doorstep::store::{HandoverStore, KvStore, HANDOVER_KEY};
use doorstep::ui::handover::derive;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn pbkdf2_matches_the_rfc_test_vectors() {
    // RFC 7914 §11: PBKDF2-HMAC-SHA-256, P = "passwd", S = "salt", c = 1, dkLen = 64
    // (first 32 bytes here).
    let d = derive("passwd", b"salt", 1).await.expect("WebCrypto");
    assert_eq!(
        hex(&d),
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
    );
    // P = "Password", S = "NaCl", c = 80000.
    let d = derive("Password", b"NaCl", 80_000)
        .await
        .expect("WebCrypto");
    assert_eq!(
        hex(&d),
        "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
    );
}

#[wasm_bindgen_test]
async fn a_stored_pin_unlocks_and_no_other() {
    let kv = LocalStore::open().unwrap();
    let store = HandoverStore::new(&kv);
    let salt = vec![3u8; 16];
    let rec = PinRecord {
        iterations: 1_000,
        derived: derive("582139", &salt, 1_000).await.unwrap(),
        salt,
    };
    store.set_pin(&rec).unwrap();
    let back = store.pin().unwrap().unwrap();
    let typed = |p: &'static str| {
        let (salt, n) = (back.salt.clone(), back.iterations);
        async move { derive(p, &salt, n).await.unwrap() }
    };
    assert!(back.matches(&typed("582139").await));
    assert!(!back.matches(&typed("582193").await));
    assert!(!back.matches(&typed("").await));

    let h = store.begin("0b6c1f7e-8a5d-4c1e-9f1a-3d2b7c9e0a11").unwrap();
    assert_eq!(
        HandoverStore::new(&LocalStore::open().unwrap()).current(),
        Some(h)
    );
    store.stop().unwrap();
    assert_eq!(kv.get(HANDOVER_KEY).unwrap(), None);
}
