//! The stored lock: the data key wrapped under the PIN, and the journal of a change of key.
//!
//! `doorstep.vault` holds `1 <gen> <rounds> <salt hex> <wrapped key>`. The wrapped key is
//! the data key sealed (AES-256-GCM, `super::seal`) under the key PBKDF2 derives from the
//! PIN and the salt; opening it is the PIN check.
//!
//! `doorstep.vault.next` exists only while every record is being rewritten under a new
//! data key (a PIN change, or the first PIN on a device that held plain data). It names
//! the new lock and carries each data key sealed under the other one, so that whichever
//! PIN is typed after a crash midway unlocks both generations and the rewrite can be
//! finished or undone (`store::vault`).

use super::{open, seal, Key, VaultError};
use crate::export::project::{hex, unhex};

pub const VAULT_KEY: &str = "doorstep.vault";
pub const NEXT_KEY: &str = "doorstep.vault.next";
/// PBKDF2-HMAC-SHA-256 rounds (OWASP 2023). WebCrypto derives them in about 150 ms in
/// headless Chromium; a guesser pays as much for every try.
pub const ITERATIONS: u32 = 600_000;
/// What a wrapped data key is sealed with as associated data.
const WRAP_AAD: &str = "doorstep.vault";
const SWAP_AAD: &str = "doorstep.vault.next";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    /// Generation of the data key it wraps.
    pub gen: u32,
    pub iterations: u32,
    pub salt: [u8; 16],
    wrapped: String,
}

impl Lock {
    /// Locks `key` under the key derived from the PIN (`kek`, from `salt` and `iterations`).
    pub fn new(key: &Key, kek: &[u8; 32], salt: [u8; 16], iterations: u32) -> Lock {
        let kek = Key::new(key.gen, *kek);
        Lock {
            gen: key.gen,
            iterations,
            salt,
            wrapped: seal(&kek, WRAP_AAD, &hex(key.bytes())),
        }
    }

    /// The data key, if `kek` was derived from the right PIN.
    pub fn open(&self, kek: &[u8; 32]) -> Result<Key, VaultError> {
        let kek = Key::new(self.gen, *kek);
        key_of(self.gen, &open(&kek, WRAP_AAD, &self.wrapped)?)
    }

    pub fn to_value(&self) -> String {
        format!(
            "1 {} {} {} {}",
            self.gen,
            self.iterations,
            hex(&self.salt),
            self.wrapped
        )
    }

    pub fn parse(value: &str) -> Option<Lock> {
        let mut parts = value.split(' ');
        if parts.next()? != "1" {
            return None;
        }
        let gen = parts.next()?.parse().ok()?;
        let iterations = parts.next()?.parse().ok().filter(|&n| n > 0)?;
        let salt = unhex(parts.next()?)?.try_into().ok()?;
        let wrapped = parts.next()?.to_owned();
        (parts.next().is_none() && super::is_sealed(&wrapped)).then_some(Lock {
            gen,
            iterations,
            salt,
            wrapped,
        })
    }
}

fn key_of(gen: u32, hex_key: &str) -> Result<Key, VaultError> {
    let bytes: [u8; 32] = unhex(hex_key)
        .and_then(|b| b.try_into().ok())
        .ok_or(VaultError::Damaged)?;
    Ok(Key::new(gen, bytes))
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
    /// finished without the PIN. Removed with the journal.
    clear: Option<String>,
}

impl Pending {
    /// The journal of a PIN change from `old` to `new` (locked as `next`).
    pub fn change(old: &Key, new: &Key, next: Lock) -> Pending {
        Pending {
            next,
            by_old: Some(seal(old, SWAP_AAD, &hex(new.bytes()))),
            by_new: Some(seal(new, SWAP_AAD, &hex(old.bytes()))),
            clear: None,
        }
    }

    /// The journal of the first lock of a device.
    pub fn first(new: &Key, next: Lock) -> Pending {
        Pending {
            next,
            by_old: None,
            by_new: None,
            clear: Some(hex(new.bytes())),
        }
    }

    /// The new key of a first lock (no PIN needed: see `clear`).
    pub fn first_key(&self) -> Option<Key> {
        key_of(self.next.gen, self.clear.as_deref()?).ok()
    }

    /// The new key, from the old one.
    pub fn new_from_old(&self, old: &Key) -> Result<Key, VaultError> {
        let sealed = self.by_old.as_deref().ok_or(VaultError::Damaged)?;
        key_of(self.next.gen, &open(old, SWAP_AAD, sealed)?)
    }

    /// The old key (generation `old_gen`), from the new one.
    pub fn old_from_new(&self, new: &Key, old_gen: u32) -> Result<Key, VaultError> {
        let sealed = self.by_new.as_deref().ok_or(VaultError::Damaged)?;
        key_of(old_gen, &open(new, SWAP_AAD, sealed)?)
    }

    pub fn to_value(&self) -> String {
        let or_dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
        format!(
            "{}\n{}\n{}\n{}",
            self.next.to_value(),
            or_dash(&self.by_old),
            or_dash(&self.by_new),
            or_dash(&self.clear)
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
            clear,
        })
    }
}
