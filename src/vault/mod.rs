//! Encryption at rest: what a lost tablet's localStorage shows is ciphertext wherever it
//! would name, locate or describe a resident.
//!
//! - **Records** are sealed with AES-256-GCM (RustCrypto's `aes-gcm`: audited, constant-time,
//!   synchronous, so saving an answer stays one synchronous write) under a random 256-bit
//!   data key, a fresh random 96-bit nonce per write, and the storage key as associated data
//!   (a record copied over another one does not open).
//! - **The data key** is stored only wrapped (AES-256-GCM) under a key derived from the
//!   worker's PIN or passphrase with Argon2id and a random 16-byte salt per lock (`kdf`,
//!   `lock::Lock`; locks of earlier versions, under PBKDF2, are rewrapped at their next
//!   unlock). A wrong PIN fails the wrap's tag: nothing else is stored that could test a
//!   guess.
//! - **While unlocked** the data key is held in memory only (`holder`), shared by the app's
//!   wasm modules, and dropped on lock, on reload and when the tab closes. Key bytes held in
//!   Rust (`Key`, the derived keys, AES' key schedule) are wiped when dropped (`zeroize`).
//!
//! Which records and which answers are sealed is the store's business (`store::vault`).

pub mod dense;
pub mod holder;
pub mod kdf;
pub mod lock;
pub mod passphrase;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Starts every sealed value; plain values are JSON or lines, never this.
pub const MARK: char = '\u{1F512}';

/// A data key and its generation (bumped by every PIN change, so a record says which key
/// sealed it). Its bytes are wiped when it is dropped; moves the compiler makes may still
/// leave copies on the stack (`zeroize`'s own caveat), which is why the key is passed by
/// reference wherever it can be.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Key {
    #[zeroize(skip)]
    pub gen: u32,
    bytes: [u8; 32],
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(gen {})", self.gen)
    }
}

impl Key {
    pub fn new(gen: u32, bytes: [u8; 32]) -> Key {
        Key { gen, bytes }
    }

    /// A fresh random data key, drawn into its own bytes (no copy left behind).
    pub fn random(gen: u32) -> Key {
        let mut key = Key {
            gen,
            bytes: [0u8; 32],
        };
        random(&mut key.bytes);
        key
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The cipher borrows the bytes (no copy of the key); its expanded key schedule is
    /// wiped when it is dropped (`aes`' `zeroize` feature, Cargo.toml).
    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(&self.bytes))
    }
}

/// A data key to seal and open with: one in hand (a rewrite's, a backup's), or the one the
/// page holds while unlocked, which only `holder` sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataKey {
    Own(Key),
    /// The page's key, of this generation.
    Held(u32),
}

impl DataKey {
    pub fn gen(&self) -> u32 {
        match self {
            DataKey::Own(k) => k.gen,
            DataKey::Held(g) => *g,
        }
    }

    /// As `seal`; `None` when the page no longer holds its key (locked meanwhile).
    pub fn seal(&self, aad: &str, plain: &str) -> Option<String> {
        match self {
            DataKey::Own(k) => Some(seal(k, aad, plain)),
            DataKey::Held(g) => (holder::gen() == Some(*g))
                .then(|| holder::seal(aad, plain))
                .flatten(),
        }
    }

    /// As `open`; the page's key gone (or another one held) reads as `OtherKey`.
    pub fn open(&self, aad: &str, sealed: &str) -> Result<String, VaultError> {
        match self {
            DataKey::Own(k) => open(k, aad, sealed),
            // `open` checks the value's generation against the held key's itself: one call
            // to the holder, not two, on the path every record is read by.
            DataKey::Held(g) => holder::open(aad, sealed).unwrap_or(Err(VaultError::OtherKey(*g))),
        }
    }

    pub fn seal_bytes(&self, aad: &[u8], plain: &[u8]) -> Option<Vec<u8>> {
        match self {
            DataKey::Own(k) => Some(seal_bytes(k, aad, plain)),
            DataKey::Held(g) => (holder::gen() == Some(*g))
                .then(|| holder::seal_bytes(aad, plain))
                .flatten(),
        }
    }

    /// Whether this is `key`: for the page's key, whether what `key` seals it opens.
    pub fn is(&self, key: &Key) -> bool {
        match self {
            DataKey::Own(k) => k == key,
            DataKey::Held(g) => {
                *g == key.gen && self.open("probe", &seal(key, "probe", "probe")).is_ok()
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultError {
    /// Sealed by another key generation than the one given.
    OtherKey(u32),
    /// Not a sealed value, or its tag does not verify (edited, truncated, wrong key, or
    /// moved from another storage key).
    Damaged,
}

/// Encrypts `plain` for storage under `aad` (the storage key) with a random nonce.
pub fn seal(key: &Key, aad: &str, plain: &str) -> String {
    let mut nonce = [0u8; 12];
    random(&mut nonce);
    seal_with(key, aad, plain, nonce)
}

/// `MARK`, the key generation, `:` (or `;` when the text's last character carries a spare
/// byte), then nonce and ciphertext in `dense` characters.
pub fn seal_with(key: &Key, aad: &str, plain: &str, nonce: [u8; 12]) -> String {
    let ct = key
        .cipher()
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain.as_bytes(),
                aad: aad.as_bytes(),
            },
        )
        // Only fails for inputs beyond 64 GB.
        .unwrap_or_default();
    let mut bytes = Vec::with_capacity(12 + ct.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ct);
    let (text, spare) = dense::encode(&bytes);
    let mut out = String::with_capacity(text.len() + 8);
    out.push(MARK);
    out.push_str(&key.gen.to_string());
    out.push(if spare { ';' } else { ':' });
    out.push_str(&text);
    out
}

/// Encrypts bytes (a backup file's body) under `aad`: nonce ‖ ciphertext ‖ tag, as
/// WebCrypto's AES-GCM and any other implementation read them.
pub fn seal_bytes(key: &Key, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; 12];
    random(&mut nonce);
    let ct = key
        .cipher()
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        // Only fails for inputs beyond 64 GB.
        .unwrap_or_default();
    let mut out = Vec::with_capacity(12 + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Decrypts what `seal_bytes` wrote under the same `aad`.
pub fn open_bytes(key: &Key, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    if sealed.len() < 12 + 16 {
        return Err(VaultError::Damaged);
    }
    key.cipher()
        .decrypt(
            Nonce::from_slice(&sealed[..12]),
            Payload {
                msg: &sealed[12..],
                aad,
            },
        )
        .map_err(|_| VaultError::Damaged)
}

pub fn is_sealed(value: &str) -> bool {
    value.starts_with(MARK)
}

/// The key generation a sealed value names.
pub fn gen_of(value: &str) -> Option<u32> {
    let rest = value.strip_prefix(MARK)?;
    let end = rest.find([':', ';'])?;
    rest[..end].parse().ok()
}

/// Decrypts a value `seal` wrote under the same `aad`.
pub fn open(key: &Key, aad: &str, sealed: &str) -> Result<String, VaultError> {
    let rest = sealed.strip_prefix(MARK).ok_or(VaultError::Damaged)?;
    let end = rest.find([':', ';']).ok_or(VaultError::Damaged)?;
    let gen: u32 = rest[..end].parse().map_err(|_| VaultError::Damaged)?;
    if gen != key.gen {
        return Err(VaultError::OtherKey(gen));
    }
    let spare = rest[end..].starts_with(';');
    let bytes = dense::decode(&rest[end + 1..], spare).ok_or(VaultError::Damaged)?;
    if bytes.len() < 12 + 16 {
        return Err(VaultError::Damaged);
    }
    let plain = key
        .cipher()
        .decrypt(
            Nonce::from_slice(&bytes[..12]),
            Payload {
                msg: &bytes[12..],
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| VaultError::Damaged)?;
    String::from_utf8(plain).map_err(|_| VaultError::Damaged)
}

/// Cryptographically random bytes: the browser's `crypto.getRandomValues` in the app.
#[cfg(target_arch = "wasm32")]
pub fn random(buf: &mut [u8]) {
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(buf).is_ok())
        .unwrap_or(false);
    // Without a random source there is no safe nonce or key: stop rather than seal weakly.
    assert!(ok, "crypto.getRandomValues is unavailable");
}

/// Native builds (tests and benchmarks only): the OS-seeded hasher keys, mixed with a
/// counter. Unique and unpredictable enough for tests; never shipped.
#[cfg(not(target_arch = "wasm32"))]
pub fn random(buf: &mut [u8]) {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    for chunk in buf.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        let v = h.finish().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests;
