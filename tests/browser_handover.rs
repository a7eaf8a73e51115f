//! The device PIN in a real browser: WebCrypto's PBKDF2 through `ui::handover::derive`
//! gives RFC 7914's PBKDF2-HMAC-SHA-256 test vectors, Argon2id in this wasm (`ui::kek`)
//! what another implementation gives, a passphrase the same key from any keyboard; the
//! PIN's key seals records in localStorage, only it unlocks them again; the hand-over state
//! survives in localStorage.
#![cfg(target_arch = "wasm32")]

use doorstep::export::project::hex;
use doorstep::store::local::LocalStore;
use doorstep::store::vault as v;
use doorstep::store::{HandoverStore, KvStore, ResponseStore, HANDOVER_KEY};
use doorstep::ui::handover::derive;
use doorstep::vault::holder;
use doorstep::vault::kdf::Kdf;
use doorstep::vault::lock::{Recipe, Secret};
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
async fn the_device_pin_seals_in_local_storage_and_only_it_unlocks() {
    let kv = LocalStore::open().unwrap();
    let _ = v::wipe(&kv);
    // First use: the PIN's key through WebCrypto, every record sealed under a new data key
    // held by the page's vault (globalThis.doorstepVault: every wasm module of the app uses it,
    // none reads it).
    let salt = [3u8; 16];
    let kek = |pin: &'static str, salt: [u8; 16]| async move {
        let d: [u8; 32] = derive(pin, &salt, 1_000).await.unwrap().try_into().unwrap();
        d
    };
    let recipe = Recipe {
        secret: Secret::Pin,
        kdf: Kdf::Pbkdf2 { rounds: 1_000 },
        salt,
    };
    let key = v::first_lock(&kv, &kek("582139", salt).await, recipe).unwrap();
    holder::hold(&key);
    assert_eq!(holder::gen(), Some(key.gen));
    // The page's vault is a frozen object that holds no bytes of the key on it.
    let vault = js_sys::Reflect::get(&js_sys::global(), &"doorstepVault".into()).unwrap();
    assert!(js_sys::Object::is_frozen(&vault.clone().into()));
    for name in js_sys::Object::get_own_property_names(&vault.into()).iter() {
        assert!(name.as_string().is_some_and(|n| [
            "gen",
            "hold",
            "forget",
            "seal",
            "open",
            "sealBytes",
            "openBytes"
        ]
        .contains(&n.as_str())));
    }
    let form = doorstep::form::builtin_form();
    let mut r =
        doorstep::response::sample::completed(form, "0b6c1f7e-8a5d-4c1e-9f1a-3d2b7c9e0a12", 1);
    r.answers.insert(
        "comments".into(),
        doorstep::response::Value::Text("王秀英 13812345678".into()),
    );
    let responses = ResponseStore::open(kv.clone()).unwrap();
    responses.create(r.clone()).unwrap();
    let raw = kv
        .get(&doorstep::store::response_key(&r.id))
        .unwrap()
        .unwrap();
    assert!(
        !raw.contains("王秀英") && !raw.contains("13812345678"),
        "{raw}"
    );
    // Read back through localStorage's UTF-16 strings: the sealed text survives.
    assert_eq!(responses.open_response(&r.id).unwrap().unwrap().response, r);

    holder::forget();
    assert_eq!(holder::gen(), None);
    assert_eq!(
        responses.open_response(&r.id).unwrap_err(),
        doorstep::store::StoreError::Locked
    );
    let Ok(v::Status::Locked(recipes)) = v::status(&kv) else {
        panic!("a PIN is set");
    };
    assert_eq!(recipes, vec![recipe]);
    assert_eq!(v::unlock(&kv, &[kek("582193", salt).await]).unwrap(), None);
    let back = v::unlock(&kv, &[kek("582139", salt).await]).unwrap();
    assert_eq!(back, Some(key));
    holder::hold(&back.unwrap());
    assert_eq!(responses.open_response(&r.id).unwrap().unwrap().response, r);

    let store = HandoverStore::new(&kv);
    let h = store.begin("0b6c1f7e-8a5d-4c1e-9f1a-3d2b7c9e0a11").unwrap();
    assert_eq!(
        HandoverStore::new(&LocalStore::open().unwrap()).current(),
        Some(h)
    );
    store.stop().unwrap();
    assert_eq!(kv.get(HANDOVER_KEY).unwrap(), None);
    v::wipe(&kv).unwrap();
}

#[wasm_bindgen_test]
async fn argon2id_in_the_browser_matches_another_implementation() {
    use doorstep::ui::kek::derive;
    // The values of src/vault/tests.rs, computed with hash-wasm (tests/e2e/lib/vault.mjs):
    // 64 KiB, 3 passes, 1 lane, a salt of 16 bytes 0x02.
    let small = |secret| Recipe {
        secret,
        kdf: Kdf::Argon2id {
            m_kib: 64,
            t: 3,
            p: 1,
        },
        salt: [2; 16],
    };
    let pin = derive(&small(Secret::Pin), "582139").await.unwrap();
    assert_eq!(
        hex(&pin[..]),
        "b2e54ee66ad11826bd4552b5efa96bc22dc0652da75133f73c1c5389af457a6f"
    );
    let phrase = derive(&small(Secret::Passphrase), "  我家楼下 有棵老槐树 ")
        .await
        .unwrap();
    assert_eq!(
        hex(&phrase[..]),
        "ad4db05fd428ac1efce7c1a04d1c96768508d55197cd3358dc8f8c5db9a58e77"
    );
    // An accented letter typed as one character or as a letter and its accent: the same
    // key (Unicode NFC first).
    let composed = derive(&small(Secret::Passphrase), "caf\u{e9} au lait le matin")
        .await
        .unwrap();
    let decomposed = derive(&small(Secret::Passphrase), "cafe\u{301} au lait le matin")
        .await
        .unwrap();
    assert_eq!(composed, decomposed);
}
