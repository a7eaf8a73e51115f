use super::kdf::{self, Kdf, CURRENT};
use super::lock::{Lock, Pending, Recipe, Secret};
use super::passphrase::{self, PhraseProblem};
use super::*;

fn pbkdf2(salt: [u8; 16], rounds: u32) -> Recipe {
    Recipe {
        secret: Secret::Pin,
        kdf: Kdf::Pbkdf2 { rounds },
        salt,
    }
}

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
    for recipe in [
        pbkdf2([5; 16], 600_000),
        Recipe::current(Secret::Pin, [5; 16]),
        Recipe::current(Secret::Passphrase, [5; 16]),
    ] {
        let lock = Lock::new(&data, &[1; 32], recipe);
        let back = Lock::parse(&lock.to_value()).unwrap();
        assert_eq!(back, lock);
        assert_eq!(back.recipe, recipe);
        assert_eq!(back.open(&[1; 32]).unwrap(), data);
        assert_eq!(back.open(&[2; 32]), Err(VaultError::Damaged));
        assert_eq!(Lock::gen_of(&lock.to_value()), Some(4));
    }
    assert_eq!(Lock::parse("1 4 600000 00 x"), None);
}

#[test]
fn lock_formats_old_and_new() {
    let data = key(7, 9);
    let salt_hex = "05".repeat(16);
    // Earlier versions' format, written byte for byte as they wrote it.
    let old = Lock::new(&data, &[1; 32], pbkdf2([5; 16], 600_000)).to_value();
    let fields: Vec<&str> = old.split(' ').collect();
    assert_eq!(fields[..4], ["1", "7", "600000", salt_hex.as_str()]);
    assert!(is_sealed(fields[4]) && fields.len() == 5);
    assert!(Lock::parse(&old).unwrap().outdated());
    // The versioned format: the kind of secret, the derivation and its parameters.
    let new = Lock::new(
        &data,
        &[1; 32],
        Recipe::current(Secret::Passphrase, [5; 16]),
    );
    let value = new.to_value();
    let fields: Vec<&str> = value.split(' ').collect();
    assert_eq!(
        fields[..5],
        [
            "2",
            "7",
            "phrase",
            "argon2id:m=32768,t=2,p=1",
            salt_hex.as_str()
        ]
    );
    assert!(fields.len() == 6 && !new.outdated());
    // A PBKDF2 passphrase has no old form: written in the new one.
    let odd = Lock::new(
        &data,
        &[1; 32],
        Recipe {
            secret: Secret::Passphrase,
            kdf: Kdf::Pbkdf2 { rounds: 9 },
            salt: [5; 16],
        },
    );
    assert!(odd.to_value().starts_with("2 7 phrase pbkdf2:9 "));
    assert_eq!(Lock::parse(&odd.to_value()), Some(odd));
    // Refused: other versions, kinds, derivations, absurd parameters, extra fields.
    let wrapped = fields[5];
    for bad in [
        format!("3 7 pin argon2id:m=32768,t=2,p=1 {salt_hex} {wrapped}"),
        format!("2 7 face argon2id:m=32768,t=2,p=1 {salt_hex} {wrapped}"),
        format!("2 7 pin scrypt:n=15 {salt_hex} {wrapped}"),
        format!("2 7 pin argon2id:m=4294967295,t=3,p=1 {salt_hex} {wrapped}"),
        format!("2 7 pin argon2id:m=32768,t=0,p=1 {salt_hex} {wrapped}"),
        format!("2 7 pin argon2id:m=32768,t=3 {salt_hex} {wrapped}"),
        format!("2 7 pin argon2id:t=3,m=32768,p=1 {salt_hex} {wrapped}"),
        format!("2 7 pin pbkdf2:0 {salt_hex} {wrapped}"),
        format!("2 7 pin argon2id:m=32768,t=2,p=1 {salt_hex} {wrapped} more"),
        format!("2 7 pin argon2id:m=32768,t=2,p=1 0505 {wrapped}"),
        format!("2 x pin argon2id:m=32768,t=2,p=1 {salt_hex} {wrapped}"),
    ] {
        assert_eq!(Lock::parse(&bad), None, "{bad}");
    }
    assert_eq!(Lock::gen_of("2 7 anything"), Some(7));
    assert_eq!(Lock::gen_of("3 7 anything"), None);
}

#[test]
fn which_derivations_are_outdated() {
    assert!(Kdf::Pbkdf2 { rounds: 600_000 }.outdated());
    assert!(Kdf::Pbkdf2 { rounds: 10_000_000 }.outdated());
    assert!(!CURRENT.outdated());
    let Kdf::Argon2id { m_kib, t, p } = CURRENT else {
        panic!("new locks use Argon2id");
    };
    assert_eq!(Kdf::parse_field(&CURRENT.to_field()), Some(CURRENT));
    // Weaker: less memory, or fewer passes over it.
    for weaker in [(m_kib / 2, t * 2), (m_kib, t - 1), (64, 1)] {
        let k = Kdf::Argon2id {
            m_kib: weaker.0,
            t: weaker.1,
            p,
        };
        assert!(k.outdated(), "{k:?}");
    }
    // A later version's stronger lock is left alone.
    for stronger in [(m_kib * 2, t), (m_kib, t + 1)] {
        let k = Kdf::Argon2id {
            m_kib: stronger.0,
            t: stronger.1,
            p,
        };
        assert!(!k.outdated(), "{k:?}");
    }
}

#[test]
fn argon2id_gives_what_another_implementation_gives() {
    // Computed with hash-wasm's Argon2id (tests/e2e/lib/vault.mjs uses the same library)
    // for the PIN "582139", a salt of 16 bytes 0x02, 64 KiB, 3 passes, 1 lane, 32 bytes.
    let d = kdf::argon2id(b"582139", &[2; 16], 64, 3, 1).unwrap();
    assert_eq!(crate::export::project::hex(&d[..]), ARGON2ID_KAT);
    let phrase = passphrase::normalise("  我家楼下 有棵老槐树 ");
    let d = kdf::argon2id(phrase.as_bytes(), &[2; 16], 64, 3, 1).unwrap();
    assert_eq!(crate::export::project::hex(&d[..]), ARGON2ID_KAT_PHRASE);
    // Parameters the crate refuses give nothing rather than a weak key.
    assert!(kdf::argon2id(b"582139", &[2; 16], 4, 1, 1).is_none());
    assert!(kdf::argon2id(b"582139", &[2; 4], 64, 1, 1).is_none());
}

const ARGON2ID_KAT: &str = "b2e54ee66ad11826bd4552b5efa96bc22dc0652da75133f73c1c5389af457a6f";
const ARGON2ID_KAT_PHRASE: &str =
    "ad4db05fd428ac1efce7c1a04d1c96768508d55197cd3358dc8f8c5db9a58e77";

#[test]
fn key_bytes_are_wiped_on_drop() {
    // Compile-time: the key, the AES key schedule and the GHASH state wipe themselves.
    fn wipes<T: zeroize::ZeroizeOnDrop>() {}
    wipes::<Key>();
    wipes::<aes::Aes256>();
    wipes::<zeroize::Zeroizing<[u8; 32]>>();
    let mut k = key(1, 7);
    zeroize::Zeroize::zeroize(&mut k);
    assert_eq!(k.bytes(), &[0; 32]);
}

#[test]
fn passphrases_long_enough_and_not_the_first_guesses() {
    let ok = |p: &str| passphrase::check_new(p, p);
    for good in [
        "correct horse battery staple",
        "我家楼下有棵老槐树",
        "晚上七点去菜场买豆腐",
        "Mein Hund heißt Bello",
        "外婆的桂花糕 sweet",
        "Мой кот любит рыбу",
    ] {
        assert_eq!(ok(good), Ok(()), "{good}");
    }
    for (bad, why) in [
        ("一帆风顺", PhraseProblem::TooShort),
        ("shortphrase", PhraseProblem::TooShort),
        ("a b c d e f g h i j k", PhraseProblem::TooShort),
        ("123456789012", PhraseProblem::NoLetters),
        ("1234 5678 9012 !!", PhraseProblem::NoLetters),
        ("aaaaaaaaaaaaaa", PhraseProblem::TooSimple),
        ("abababababababab", PhraseProblem::TooSimple),
        ("abcdefghijklmnop", PhraseProblem::TooSimple),
        ("password1234", PhraseProblem::TooSimple),
        ("Password2024!", PhraseProblem::TooSimple),
        ("qwertyuiop12", PhraseProblem::TooSimple),
        ("iloveyou forever", PhraseProblem::TooSimple),
        ("woaini1314woaini", PhraseProblem::TooSimple),
        ("我爱你我爱你我爱你", PhraseProblem::TooSimple),
    ] {
        assert_eq!(ok(bad), Err(why), "{bad}");
    }
    assert_eq!(ok(&"树".repeat(40)), Err(PhraseProblem::TooSimple));
    assert_eq!(
        ok(&"correct horse battery staple ".repeat(3)),
        Err(PhraseProblem::TooLong)
    );
    assert_eq!(
        passphrase::check_new(
            "correct horse battery staple",
            "correct horse battery stable"
        ),
        Err(PhraseProblem::Mismatch)
    );
    // Typed again with other spaces: the same passphrase.
    assert_eq!(
        passphrase::check_new(
            " correct  horse battery staple",
            "correct horse battery staple "
        ),
        Ok(())
    );
    for lang in [crate::i18n::Lang::Zh, crate::i18n::Lang::En] {
        assert!(!PhraseProblem::TooSimple.text(lang).is_empty());
    }
}

#[test]
fn what_can_be_typed_for_each_kind_of_secret() {
    assert!(Secret::Pin.fits("582139"));
    assert!(!Secret::Pin.fits("我家楼下有棵老槐树"));
    assert!(!Secret::Pin.fits("58213x"));
    assert!(!Secret::Pin.fits(""));
    assert!(Secret::Passphrase.fits("我家楼下有棵老槐树"));
    assert!(!Secret::Passphrase.fits("582139"));
    assert!(!Secret::Passphrase.fits(" 582 139 "));
    // A PIN is derived as typed; a passphrase normalised.
    assert_eq!(&*Secret::Pin.input("582139"), "582139");
    assert_eq!(&*Secret::Passphrase.input("  a  b\tc "), "a b c");
}

#[test]
fn a_journal_opens_either_key_from_the_other() {
    let (old, new) = (key(1, 1), key(2, 2));
    let j = Pending::change(&old, &new, Lock::new(&new, &[3; 32], pbkdf2([4; 16], 10)));
    let j = Pending::parse(&j.to_value()).unwrap();
    assert!(
        j.first_key().is_none(),
        "a change carries no key in the clear"
    );
    assert_eq!(j.new_from_old(&old).unwrap(), new);
    assert_eq!(j.old_from_new(&new, 1).unwrap(), old);
    assert_eq!(j.new_from_old(&key(1, 9)), Err(VaultError::Damaged));
    let first = Pending::first(
        &new,
        Lock::new(&new, &[3; 32], Recipe::current(Secret::Pin, [4; 16])),
    );
    let first = Pending::parse(&first.to_value()).unwrap();
    assert_eq!(first.first_key().unwrap(), new);
}

/// The page's key is used through the holder only: sealing and opening with it match a
/// key in hand, it is known by what it opens, and nothing works once it is forgotten.
#[test]
fn the_held_key_seals_and_opens_only_while_held() {
    holder::forget();
    let k = key(9, 3);
    let held = DataKey::Held(9);
    assert_eq!(held.seal("a", "text"), None, "nothing held");
    holder::hold(&k);
    assert_eq!(holder::gen(), Some(9));
    let sealed = held.seal("a", "text").unwrap();
    assert_eq!(
        open(&k, "a", &sealed).unwrap(),
        "text",
        "sealed as the key in hand"
    );
    assert_eq!(held.open("a", &seal(&k, "a", "back")).unwrap(), "back");
    assert_eq!(held.open("b", &sealed), Err(VaultError::Damaged));
    assert!(held.is(&k));
    assert!(!held.is(&key(9, 4)), "same generation, other bytes");
    assert!(!held.is(&key(8, 3)));
    let bytes = held.seal_bytes(b"aad", b"body").unwrap();
    assert_eq!(open_bytes(&k, b"aad", &bytes).unwrap(), b"body");
    // Another generation held: this one reads as another key's, and seals nothing.
    holder::hold(&key(10, 3));
    assert_eq!(held.open("a", &sealed), Err(VaultError::OtherKey(9)));
    assert_eq!(held.seal("a", "text"), None);
    holder::forget();
    assert_eq!(holder::gen(), None);
    assert_eq!(held.open("a", &sealed), Err(VaultError::OtherKey(9)));
}
