//! How the key that wraps the data key (the key-encryption key, KEK) comes from what the
//! worker types: the derivation a lock names, and the one new locks use.
//!
//! - **Argon2id** (RFC 9106; RustCrypto's `argon2`, in the worker module's wasm): every
//!   guess costs `m_kib` KiB of memory filled `t` times, so a GPU's thousands of cores
//!   share its memory bandwidth instead of each testing PINs on its own. New locks, and
//!   every older lock at its next unlock (`store::vault::rewrap`).
//! - **PBKDF2-HMAC-SHA-256** (WebCrypto): the locks written before Argon2id, still read.
//!
//! `CURRENT` was chosen by measurement (`make bench`: `argon2id_*`, docs/encryption.md).

use zeroize::Zeroizing;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kdf {
    Pbkdf2 {
        rounds: u32,
    },
    /// Memory in KiB, passes over it, lanes.
    Argon2id {
        m_kib: u32,
        t: u32,
        p: u32,
    },
}

/// What new locks use: 32 MiB, 2 passes, one lane (the page has no threads to fill more
/// lanes at once). Chosen by measurement in headless Chromium on this project's machine
/// (`make bench`: `pin_key_current_cold`, the first derivation in a module just loaded, as
/// every unlock is: 108–154 ms) so that a low-end tablet, taken as ~5× slower, stays under
/// 1 s; 32 MiB × 3 and 46 MiB × 2 measured up to 0.26 and 0.32 s. docs/encryption.md.
pub const CURRENT: Kdf = Kdf::Argon2id {
    m_kib: 32 * 1024,
    t: 2,
    p: 1,
};

/// Beyond these a lock is refused as damaged: an edited lock must not make the tablet try
/// to fill gigabytes, or hang for minutes, at every start.
const MAX_M_KIB: u32 = 1024 * 1024;
const MAX_T: u32 = 64;
const MAX_P: u32 = 16;

impl Kdf {
    /// As a lock names it: `argon2id:m=32768,t=2,p=1` or `pbkdf2:600000`.
    pub fn to_field(&self) -> String {
        match self {
            Kdf::Pbkdf2 { rounds } => format!("pbkdf2:{rounds}"),
            Kdf::Argon2id { m_kib, t, p } => format!("argon2id:m={m_kib},t={t},p={p}"),
        }
    }

    pub fn parse_field(field: &str) -> Option<Kdf> {
        if let Some(rounds) = field.strip_prefix("pbkdf2:") {
            let rounds = rounds.parse().ok().filter(|&n| n > 0)?;
            return Some(Kdf::Pbkdf2 { rounds });
        }
        let mut params = field.strip_prefix("argon2id:")?.split(',');
        let mut named = |name: &str| -> Option<u32> {
            params
                .next()?
                .strip_prefix(name)?
                .strip_prefix('=')?
                .parse()
                .ok()
        };
        let (m_kib, t, p) = (named("m")?, named("t")?, named("p")?);
        let sane = (1..=MAX_P).contains(&p)
            && (8 * p..=MAX_M_KIB).contains(&m_kib)
            && (1..=MAX_T).contains(&t);
        (params.next().is_none() && sane).then_some(Kdf::Argon2id { m_kib, t, p })
    }

    /// Weaker than `CURRENT`: rewrapped under it at the next unlock. A stronger lock (a
    /// later version's) is left as it is.
    pub fn outdated(&self) -> bool {
        let Kdf::Argon2id {
            m_kib: cm, t: ct, ..
        } = CURRENT
        else {
            return false;
        };
        match *self {
            Kdf::Pbkdf2 { .. } => true,
            Kdf::Argon2id { m_kib, t, .. } => {
                m_kib < cm || u64::from(m_kib) * u64::from(t) < u64::from(cm) * u64::from(ct)
            }
        }
    }
}

/// Argon2id (version 0x13) of `secret` with `salt`, 32 bytes; `None` for parameters the
/// crate refuses. The memory it fills (a function of the secret) is wiped before it is
/// freed, like the result when the caller drops it.
pub fn argon2id(
    secret: &[u8],
    salt: &[u8],
    m_kib: u32,
    t: u32,
    p: u32,
) -> Option<Zeroizing<[u8; 32]>> {
    use argon2::{Algorithm, Argon2, Block, Params, Version};
    let params = Params::new(m_kib, t, p, Some(32)).ok()?;
    let mut memory = Zeroizing::new(vec![Block::default(); params.block_count()]);
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(secret, salt, &mut out[..], &mut memory[..])
        .ok()?;
    Some(out)
}
