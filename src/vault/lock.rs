//! The stored lock: the data key wrapped under the worker's PIN or passphrase, and the
//! journal of a change of key.
//!
//! `doorstep.vault` holds one line, in one of two formats:
//!
//! - `2 <gen> <secret> <kdf> <salt hex> <wrapped key>`: `secret` is `pin` or `phrase` (what
//!   the lock screen asks for), `kdf` names the derivation and its parameters
//!   (`argon2id:m=32768,t=2,p=1`, `kdf::Kdf`). Every lock this version writes.
//! - `1 <gen> <rounds> <salt hex> <wrapped key>`: a PIN under PBKDF2-HMAC-SHA-256, as
//!   earlier versions wrote it. Still read, and rewrapped under Argon2id at its next unlock
//!   (`store::vault::rewrap`): the data key stays, so no record is touched.
//!
//! The wrapped key is the data key (hex) sealed (AES-256-GCM, `super::seal`) under the key
//! the derivation gives, with `doorstep.vault` as associated data; opening it is the check.
//!
//! `doorstep.vault.next` exists only while every record is being rewritten under a new
//! data key (a PIN change, or the first PIN on a device that held plain data). It names
//! the new lock and carries each data key sealed under the other one, so that whichever
//! PIN is typed after a crash midway unlocks both generations and the rewrite can be
//! finished or undone (`store::vault`).

use super::kdf::{self, Kdf};
use super::{open, passphrase, seal, Key, VaultError};
use crate::export::project::{hex, unhex};
use zeroize::Zeroizing;

pub const VAULT_KEY: &str = "doorstep.vault";
pub const NEXT_KEY: &str = "doorstep.vault.next";
/// What a wrapped data key is sealed with as associated data.
const WRAP_AAD: &str = "doorstep.vault";
const SWAP_AAD: &str = "doorstep.vault.next";

/// What the worker types to unlock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    /// 6 to 12 digits (`handover::pin`): the numeric keypad.
    Pin,
    /// Letters in any script (`passphrase`): the full keyboard.
    Passphrase,
}

impl Secret {
    fn field(self) -> &'static str {
        match self {
            Secret::Pin => "pin",
            Secret::Passphrase => "phrase",
        }
    }

    fn parse(field: &str) -> Option<Secret> {
        match field {
            "pin" => Some(Secret::Pin),
            "phrase" => Some(Secret::Passphrase),
            _ => None,
        }
    }

    /// Whether `typed` can be this kind of secret at all (a passphrase typed where a PIN
    /// is set, or the other way round, is said so before any derivation).
    pub fn fits(self, typed: &str) -> bool {
        match self {
            Secret::Pin => !typed.is_empty() && typed.bytes().all(|b| b.is_ascii_digit()),
            Secret::Passphrase => passphrase::could_be(typed),
        }
    }

    /// The bytes the key is derived from: a PIN as typed, a passphrase normalised.
    pub fn input(self, typed: &str) -> Zeroizing<String> {
        Zeroizing::new(match self {
            Secret::Pin => typed.to_owned(),
            Secret::Passphrase => passphrase::normalise(typed),
        })
    }
}

/// How a lock's key-encryption key is derived: from which kind of secret, with which
/// derivation and salt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recipe {
    pub secret: Secret,
    pub kdf: Kdf,
    pub salt: [u8; 16],
}

impl Recipe {
    /// What a new lock uses: `kdf::CURRENT` and a fresh `salt`.
    pub fn current(secret: Secret, salt: [u8; 16]) -> Recipe {
        Recipe {
            secret,
            kdf: kdf::CURRENT,
            salt,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    /// Generation of the data key it wraps.
    pub gen: u32,
    pub recipe: Recipe,
    wrapped: String,
}

impl Lock {
    /// Locks `key` under `kek`, the key `recipe` derived from the worker's secret.
    pub fn new(key: &Key, kek: &[u8; 32], recipe: Recipe) -> Lock {
        let kek = Key::new(key.gen, *kek);
        Lock {
            gen: key.gen,
            recipe,
            wrapped: seal(&kek, WRAP_AAD, &key_hex(key)),
        }
    }

    /// The data key, if `kek` was derived from the right secret.
    pub fn open(&self, kek: &[u8; 32]) -> Result<Key, VaultError> {
        let kek = Key::new(self.gen, *kek);
        key_of(
            self.gen,
            &Zeroizing::new(open(&kek, WRAP_AAD, &self.wrapped)?),
        )
    }

    /// Derived in a way weaker than new locks are: rewrapped at the next unlock.
    pub fn outdated(&self) -> bool {
        self.recipe.kdf.outdated()
    }

    /// A PIN under PBKDF2 is written as earlier versions wrote it (`1 …`), byte for byte;
    /// everything else in the versioned format (`2 …`).
    pub fn to_value(&self) -> String {
        let salt = hex(&self.recipe.salt);
        match (self.recipe.secret, self.recipe.kdf) {
            (Secret::Pin, Kdf::Pbkdf2 { rounds }) => {
                format!("1 {} {rounds} {salt} {}", self.gen, self.wrapped)
            }
            (secret, kdf) => format!(
                "2 {} {} {} {salt} {}",
                self.gen,
                secret.field(),
                kdf.to_field(),
                self.wrapped
            ),
        }
    }

    pub fn parse(value: &str) -> Option<Lock> {
        let mut parts = value.split(' ');
        let version = parts.next()?;
        let gen = parts.next()?.parse().ok()?;
        let (secret, kdf) = match version {
            "1" => {
                let rounds = parts.next()?.parse().ok().filter(|&n| n > 0)?;
                (Secret::Pin, Kdf::Pbkdf2 { rounds })
            }
            "2" => (
                Secret::parse(parts.next()?)?,
                Kdf::parse_field(parts.next()?)?,
            ),
            _ => return None,
        };
        let salt = unhex(parts.next()?)?.try_into().ok()?;
        let wrapped = parts.next()?.to_owned();
        (parts.next().is_none() && super::is_sealed(&wrapped)).then_some(Lock {
            gen,
            recipe: Recipe { secret, kdf, salt },
            wrapped,
        })
    }

    /// The generation a stored lock names, in either format, without parsing the rest
    /// (what every read and write asks: `store::vault::Sealer::of`).
    pub fn gen_of(value: &str) -> Option<u32> {
        let rest = value
            .strip_prefix("1 ")
            .or_else(|| value.strip_prefix("2 "))?;
        rest.split(' ').next()?.parse().ok()
    }
}

/// The key's bytes in hex, written into one buffer that is wiped when dropped.
fn key_hex(key: &Key) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Zeroizing::new(String::with_capacity(64));
    for b in key.bytes() {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// The key of generation `gen` from its hex, read straight into the key (no copy left).
fn key_of(gen: u32, hex_key: &str) -> Result<Key, VaultError> {
    let digits = hex_key.as_bytes();
    if digits.len() != 64 {
        return Err(VaultError::Damaged);
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut bytes = Zeroizing::new([0u8; 32]);
    for (i, pair) in digits.chunks(2).enumerate() {
        bytes[i] = nibble(pair[0])
            .zip(nibble(pair[1]))
            .map(|(hi, lo)| hi << 4 | lo)
            .ok_or(VaultError::Damaged)?;
    }
    Ok(Key::new(gen, *bytes))
}

/// A rewrite under way: the lock it ends with, and how to get from either key to the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub next: Lock,
    /// The new data key sealed under the old one (a PIN change).
    by_old: Option<String>,
    /// The old data key sealed under the new one (a PIN change).
    by_new: Option<String>,
    /// The new data key in hex, for the first lock of a device whose data is still plain:
    /// nothing is sealed yet, so it protects nothing to hide it, and a crash midway can be
    /// finished without the PIN. Removed with the journal; wiped from memory when dropped.
    clear: Option<Zeroizing<String>>,
}

impl Pending {
    /// The journal of a PIN change from `old` to `new` (locked as `next`).
    pub fn change(old: &Key, new: &Key, next: Lock) -> Pending {
        Pending {
            next,
            by_old: Some(seal(old, SWAP_AAD, &key_hex(new))),
            by_new: Some(seal(new, SWAP_AAD, &key_hex(old))),
            clear: None,
        }
    }

    /// The journal of the first lock of a device.
    pub fn first(new: &Key, next: Lock) -> Pending {
        Pending {
            next,
            by_old: None,
            by_new: None,
            clear: Some(key_hex(new)),
        }
    }

    /// The new key of a first lock (no PIN needed: see `clear`).
    pub fn first_key(&self) -> Option<Key> {
        key_of(self.next.gen, self.clear.as_deref()?).ok()
    }

    /// The new key, from the old one.
    pub fn new_from_old(&self, old: &Key) -> Result<Key, VaultError> {
        let sealed = self.by_old.as_deref().ok_or(VaultError::Damaged)?;
        key_of(self.next.gen, &Zeroizing::new(open(old, SWAP_AAD, sealed)?))
    }

    /// The old key (generation `old_gen`), from the new one.
    pub fn old_from_new(&self, new: &Key, old_gen: u32) -> Result<Key, VaultError> {
        let sealed = self.by_new.as_deref().ok_or(VaultError::Damaged)?;
        key_of(old_gen, &Zeroizing::new(open(new, SWAP_AAD, sealed)?))
    }

    pub fn to_value(&self) -> String {
        let or_dash = |s: Option<&str>| s.unwrap_or("-").to_owned();
        format!(
            "{}\n{}\n{}\n{}",
            self.next.to_value(),
            or_dash(self.by_old.as_deref()),
            or_dash(self.by_new.as_deref()),
            or_dash(self.clear.as_deref().map(String::as_str))
        )
    }

    pub fn parse(value: &str) -> Option<Pending> {
        let mut lines = value.split('\n');
        let next = Lock::parse(lines.next()?)?;
        let mut field = || lines.next().map(|l| (l != "-").then(|| l.to_owned()));
        let (by_old, by_new, clear) = (field()?, field()?, field()?);
        Some(Pending {
            next,
            by_old,
            by_new,
            clear: clear.map(Zeroizing::new),
        })
    }
}
