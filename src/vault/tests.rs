use super::lock::{Lock, Pending};
use super::*;

fn key(gen: u32, b: u8) -> Key {
    Key::new(gen, [b; 32])
}

#[test]
fn seals_and_opens() {
    let k = key(1, 7);
    let sealed = seal(&k, "doorstep.walk", "王秀英 13812345678 1203室");
    assert!(is_sealed(&sealed));
    assert_eq!(gen_of(&sealed), Some(1));
    for marker in ["王秀英", "13812345678", "1203"] {
        assert!(!sealed.contains(marker));
    }
    assert_eq!(
        open(&k, "doorstep.walk", &sealed).as_deref(),
        Ok("王秀英 13812345678 1203室")
    );
}

#[test]
fn a_fresh_nonce_every_time() {
    let k = key(1, 7);
    assert_ne!(seal(&k, "a", "same"), seal(&k, "a", "same"));
}

#[test]
fn known_answer_aes_256_gcm() {
    // NIST GCM test vector (gcmEncryptExtIV256, Count 0 of the 96-bit IV, 128-bit text,
    // no AAD set): key, IV, plaintext, ciphertext and tag.
    let k = Key::new(
        1,
        crate::export::project::unhex(
            "31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22",
        )
        .unwrap()
        .try_into()
        .unwrap(),
    );
    let nonce: [u8; 12] = crate::export::project::unhex("0d18e06c7c725ac9e362e1ce")
        .unwrap()
        .try_into()
        .unwrap();
    let plain = crate::export::project::unhex("2db5168e932556f8089a0622981d017d").unwrap();
    let cipher = k.cipher();
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
        .unwrap();
    assert_eq!(
        crate::export::project::hex(&ct),
        "fa4362189661d163fcd6a56d8bf0405ad636ac1bbedd5cc3ee727dc2ab4a9489"
    );
}

#[test]
fn refuses_other_keys_places_and_edits() {
    let k = key(2, 7);
    let sealed = seal(&k, "doorstep.r.a", "answer");
    assert_eq!(
        open(&key(2, 8), "doorstep.r.a", &sealed),
        Err(VaultError::Damaged)
    );
    assert_eq!(
        open(&key(3, 7), "doorstep.r.a", &sealed),
        Err(VaultError::OtherKey(2))
    );
    // Copied over another record: the associated data differs.
    assert_eq!(open(&k, "doorstep.r.b", &sealed), Err(VaultError::Damaged));
    let mut chars: Vec<char> = sealed.chars().collect();
    let last = chars.len() - 1;
    chars[last] = char::from_u32(chars[last] as u32 ^ 1).unwrap();
    let edited: String = chars.into_iter().collect();
    assert_eq!(open(&k, "doorstep.r.a", &edited), Err(VaultError::Damaged));
    assert_eq!(
        open(&k, "doorstep.r.a", "{\"plain\":1}"),
        Err(VaultError::Damaged)
    );
}

#[test]
fn the_lock_opens_only_with_its_pin_key() {
    let data = key(4, 9);
    let lock = Lock::new(&data, &[1; 32], [5; 16], 600_000);
    let back = Lock::parse(&lock.to_value()).unwrap();
    assert_eq!(back, lock);
    assert_eq!(back.open(&[1; 32]).unwrap(), data);
    assert_eq!(back.open(&[2; 32]), Err(VaultError::Damaged));
    assert_eq!(Lock::parse("1 4 600000 00 x"), None);
}

#[test]
fn a_journal_opens_either_key_from_the_other() {
    let (old, new) = (key(1, 1), key(2, 2));
    let j = Pending::change(&old, &new, Lock::new(&new, &[3; 32], [4; 16], 10));
    let j = Pending::parse(&j.to_value()).unwrap();
    assert!(
        j.first_key().is_none(),
        "a change carries no key in the clear"
    );
    assert_eq!(j.new_from_old(&old).unwrap(), new);
    assert_eq!(j.old_from_new(&new, 1).unwrap(), old);
    assert_eq!(j.new_from_old(&key(1, 9)), Err(VaultError::Damaged));
    let first = Pending::first(&new, Lock::new(&new, &[3; 32], [4; 16], 10));
    let first = Pending::parse(&first.to_value()).unwrap();
    assert_eq!(first.first_key().unwrap(), new);
}
