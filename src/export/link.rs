//! Household links sealed to the project's key pair (ODK's encrypted forms are the model:
//! what a worker's tablet writes, only the project's key holder reads).
//!
//! A project has an X25519 key pair, made in the browser of whoever created the project
//! (the coordinator, or a worker alone). The project file carries only the public key. An
//! export draws a fresh ephemeral key pair, agrees a secret with the project's public key
//! (X25519), derives one AES-256-GCM key from it (HKDF-SHA-256) and seals each response's
//! household (the walk list's flat id) under it, with the response's id as associated data
//! so a link cannot be moved to another record. The ephemeral public key goes in the
//! header; its secret half is dropped when the export is written, so the tablet cannot open
//! its own links once they have left.
//!
//! The key holder opens the links and turns each flat into a pseudonym with a key derived
//! from the project's secret (HMAC-SHA-256, as before): the same household exported by any
//! worker of the project gets the same pseudonym, and nothing on a worker's tablet can
//! reproduce it. Whoever holds the project's secret key can link a pseudonym to a flat: it
//! is sealed under that browser's PIN, and its backup file under a passphrase.
//!
//! Crates: RustCrypto/dalek's `x25519-dalek` (audited, constant-time, pure Rust, so sealing
//! and opening 100,000 links stays synchronous and is tested natively) and `hkdf`; AES-GCM
//! is the vault's `aes-gcm`. All of it is linked only into the coordinator and workspace
//! modules, never the first load.

use super::project::{hex, unhex};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

/// What the header names as the sealing scheme; a reader that does not know it stops.
pub const SCHEME: &str = "x25519-hkdf-sha256-aes256gcm";
/// HKDF's info for the link key, and for the pseudonym key: two keys from one secret,
/// never the same.
const LINK_INFO: &[u8] = b"doorstep household link v1";
const PSEUDONYM_INFO: &[u8] = b"doorstep household pseudonym v1";

/// The project's secret key: only in the browser that made the project (sealed under its
/// PIN) and in the key's backup file.
pub struct ProjectSecret {
    secret: StaticSecret,
}

impl std::fmt::Debug for ProjectSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The public half only: a secret never reaches a log.
        write!(f, "ProjectSecret(public {})", self.public_hex())
    }
}

impl ProjectSecret {
    /// A new key pair from 32 random bytes (the browser's CSPRNG).
    pub fn from_bytes(bytes: [u8; 32]) -> ProjectSecret {
        ProjectSecret {
            secret: StaticSecret::from(bytes),
        }
    }

    /// From its hex, as stored; `None` if it is not 32 bytes of hex.
    pub fn from_hex(s: &str) -> Option<ProjectSecret> {
        let bytes = Zeroizing::new(unhex(s)?);
        let arr: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(ProjectSecret::from_bytes(arr))
    }

    /// Hex of the secret, for storage (sealed) and the backup file (sealed). Wiped on drop.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex(self.secret.as_bytes()))
    }

    /// The public key, hex, as the project file carries it.
    pub fn public_hex(&self) -> String {
        hex(PublicKey::from(&self.secret).as_bytes())
    }

    /// The key that turns a flat id into the project's household pseudonym. Bound to the
    /// project id too, so two projects never share pseudonyms.
    fn pseudonym_key(&self, project: &str) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(project.as_bytes()), self.secret.as_bytes());
        let mut okm = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA-256's limit: cannot fail.
        hk.expand(PSEUDONYM_INFO, okm.as_mut())
            .expect("HKDF output of 32 bytes");
        okm
    }

    /// What opens the links of one export file, whose header names `ephemeral` (hex).
    pub fn opener(&self, project: &str, ephemeral: &str) -> Result<LinkOpener, LinkError> {
        let theirs = public_key(ephemeral)?;
        let ours = PublicKey::from(&self.secret);
        let shared = self.secret.diffie_hellman(&theirs);
        if !shared.was_contributory() {
            return Err(LinkError::BadKey);
        }
        let key = self.pseudonym_key(project);
        Ok(LinkOpener {
            cipher: link_cipher(shared.as_bytes(), &theirs, &ours, project),
            // Keyed once: each pseudonym then costs two compressions, not four.
            pseudonyms: <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref())
                .expect("HMAC accepts any key"),
        })
    }
}

/// Why a link, or a file's links, cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// A public key that is not 32 bytes of hex, or one of X25519's weak points.
    BadKey,
    /// A sealed link that does not open: damaged, edited, or sealed to another key.
    Damaged,
}

fn public_key(s: &str) -> Result<PublicKey, LinkError> {
    let bytes = unhex(s).ok_or(LinkError::BadKey)?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| LinkError::BadKey)?;
    Ok(PublicKey::from(arr))
}

/// Whether `s` is a usable project public key (the project file's check).
pub fn valid_public_key(s: &str) -> bool {
    let Ok(pk) = public_key(s) else {
        return false;
    };
    // A key of low order agrees the same secret with everyone: refuse it.
    let probe = StaticSecret::from([7u8; 32]);
    probe.diffie_hellman(&pk).was_contributory()
}

/// The export's one AES key: HKDF over the agreed secret, salted with both public keys
/// (so the key is bound to this pair) and the project id.
fn link_cipher(
    shared: &[u8; 32],
    ephemeral: &PublicKey,
    project_key: &PublicKey,
    project: &str,
) -> Aes256Gcm {
    let mut salt = Vec::with_capacity(64 + project.len());
    salt.extend_from_slice(ephemeral.as_bytes());
    salt.extend_from_slice(project_key.as_bytes());
    salt.extend_from_slice(project.as_bytes());
    let hk = Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut okm = Zeroizing::new([0u8; 32]);
    hk.expand(LINK_INFO, okm.as_mut())
        .expect("HKDF output of 32 bytes");
    Aes256Gcm::new(&(*okm).into())
}

/// Seals the household links of one export.
pub struct LinkSealer {
    cipher: Aes256Gcm,
    /// The ephemeral public key, hex: the header's `link.ephemeral`.
    pub ephemeral: String,
    /// Links sealed so far: each gets its own nonce (the key is this export's alone, so a
    /// counter never repeats under it).
    count: std::cell::Cell<u64>,
}

impl LinkSealer {
    /// `project_key` is the project file's public key (hex); `random` 32 fresh random bytes
    /// for the ephemeral secret, which is dropped (and wiped) when this returns.
    pub fn new(project: &str, project_key: &str, random: [u8; 32]) -> Result<Self, LinkError> {
        let theirs = public_key(project_key)?;
        let eph = StaticSecret::from(random);
        let ours = PublicKey::from(&eph);
        let shared = eph.diffie_hellman(&theirs);
        if !shared.was_contributory() {
            return Err(LinkError::BadKey);
        }
        Ok(LinkSealer {
            cipher: link_cipher(shared.as_bytes(), &ours, &theirs, project),
            ephemeral: hex(ours.as_bytes()),
            count: std::cell::Cell::new(0),
        })
    }

    /// The sealed link, hex of nonce ‖ ciphertext ‖ tag; `record` is the response's id in
    /// the file.
    pub fn seal(&self, record: &str, household: &str) -> String {
        let n = self.count.get();
        self.count.set(n + 1);
        let mut nonce = [0u8; 12];
        nonce[..8].copy_from_slice(&n.to_be_bytes());
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: household.as_bytes(),
                    aad: record.as_bytes(),
                },
            )
            // AES-GCM fails only past 64 GB of text.
            .expect("AES-GCM seals a short text");
        let mut out = hex(&nonce);
        out.push_str(&hex(&sealed));
        out
    }
}

/// Opens the links of one file and makes their pseudonyms.
pub struct LinkOpener {
    cipher: Aes256Gcm,
    /// HMAC-SHA-256 keyed with the project's pseudonym key (`digest::pseudonym`'s scheme).
    pseudonyms: Hmac<Sha256>,
}

impl LinkOpener {
    /// The flat id a sealed link names.
    pub fn open(&self, record: &str, sealed: &str) -> Result<Zeroizing<String>, LinkError> {
        let bytes = unhex(sealed).ok_or(LinkError::Damaged)?;
        if bytes.len() < 12 + 16 {
            return Err(LinkError::Damaged);
        }
        let (nonce, body) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: record.as_bytes(),
                },
            )
            .map_err(|_| LinkError::Damaged)?;
        String::from_utf8(plain)
            .map(Zeroizing::new)
            .map_err(|_| LinkError::Damaged)
    }

    /// The household pseudonym (`h-` and 32 hex digits) of a sealed link: as
    /// `digest::pseudonym(key, "household", flat)`.
    pub fn pseudonym(&self, record: &str, sealed: &str) -> Result<String, LinkError> {
        let flat = self.open(record, sealed)?;
        let mut mac = self.pseudonyms.clone();
        mac.update(b"household\0");
        mac.update(flat.as_bytes());
        let bytes = mac.finalize().into_bytes();
        Ok(format!("h-{}", hex(&bytes[..16])))
    }
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
