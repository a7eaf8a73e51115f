//! The project key's backup file (`doorstep-project-key`): the project as its file carries
//! it, and its secret key sealed under a passphrase. The secret lives in one browser only;
//! losing that browser (a new computer, a wiped one) must not silently lose every
//! household link of the project, so the coordinator keeps this file apart from the
//! computer, and restores it on another.
//!
//! The passphrase key is PBKDF2-HMAC-SHA-256 (WebCrypto, in the browser) with the file's
//! salt and rounds; the secret is sealed with AES-256-GCM under it, the project id as
//! associated data. A wrong passphrase fails the tag. Plain Rust: the tests run it natively.

use super::link::ProjectSecret;
use super::project::{hex, unhex, Project};
use crate::i18n::Text;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use serde::{Deserialize, Serialize};

pub const KEY_FILE_FORMAT: &str = "doorstep-project-key";
/// PBKDF2 rounds for a new file: OWASP's 2023 figure for PBKDF2-HMAC-SHA-256.
pub const ROUNDS: u32 = 600_000;
/// The shortest passphrase taken: a file that leaves the computer faces offline guessing
/// with no wait between guesses, so it needs more than a PIN.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kdf {
    name: String,
    rounds: u32,
    salt: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    format: String,
    format_version: u32,
    project: serde_json::Value,
    kdf: Kdf,
    /// Hex of nonce ‖ ciphertext ‖ tag.
    secret: String,
}

/// A key file read, before its passphrase is known.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyFile {
    pub project: Project,
    pub salt: Vec<u8>,
    pub rounds: u32,
    sealed: Vec<u8>,
}

/// Why a key file cannot be written or opened.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyFileError {
    NotAKeyFile,
    Damaged(String),
    WrongPassphrase,
    ShortPassphrase,
}

impl KeyFileError {
    pub fn describe(&self) -> Text {
        match self {
            KeyFileError::NotAKeyFile => Text::new(
                "这不是项目密钥备份文件。",
                "This is not a project key backup file.",
            ),
            KeyFileError::Damaged(d) => Text::new(
                format!("项目密钥备份文件已损坏：{d}"),
                format!("The project key backup file is damaged: {d}"),
            ),
            KeyFileError::WrongPassphrase => Text::new(
                "口令不对，或文件被改动过。什么都没有改变。",
                "Wrong passphrase, or the file was changed. Nothing was changed here.",
            ),
            KeyFileError::ShortPassphrase => Text::new(
                format!("口令至少 {MIN_PASSPHRASE_CHARS} 个字（汉字、字母、数字都可以），两次要一样。"),
                format!("The passphrase needs at least {MIN_PASSPHRASE_CHARS} characters (any script), typed the same twice."),
            ),
        }
    }
}

/// Whether a passphrase is long enough.
pub fn passphrase_ok(p: &str) -> bool {
    p.trim().chars().count() >= MIN_PASSPHRASE_CHARS
}

fn aad(project: &str) -> Vec<u8> {
    format!("{KEY_FILE_FORMAT} {project}").into_bytes()
}

/// The key file's text: `kek` is PBKDF2 of the passphrase with `salt` and `ROUNDS`; `nonce`
/// fresh random bytes.
pub fn write(
    project: &Project,
    secret: &ProjectSecret,
    kek: &[u8; 32],
    salt: &[u8; 16],
    nonce: [u8; 12],
) -> String {
    let cipher = Aes256Gcm::new(kek.into());
    let plain = secret.to_hex();
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain.as_bytes(),
                aad: &aad(&project.id),
            },
        )
        .expect("AES-GCM seals a short text");
    let file = FileIn {
        format: KEY_FILE_FORMAT.into(),
        format_version: 1,
        project: serde_json::from_str(&project.to_file()).unwrap_or_default(),
        kdf: Kdf {
            name: "PBKDF2-SHA-256".into(),
            rounds: ROUNDS,
            salt: hex(salt),
        },
        secret: format!("{}{}", hex(&nonce), hex(&sealed)),
    };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Reads a key file (not yet its secret).
pub fn read(text: &str) -> Result<KeyFile, KeyFileError> {
    let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|_| KeyFileError::NotAKeyFile)?;
    if value.get("format").and_then(|f| f.as_str()) != Some(KEY_FILE_FORMAT) {
        return Err(KeyFileError::NotAKeyFile);
    }
    let f: FileIn =
        serde_json::from_value(value).map_err(|e| KeyFileError::Damaged(e.to_string()))?;
    if f.format_version != 1 || f.kdf.name != "PBKDF2-SHA-256" || f.kdf.rounds == 0 {
        return Err(KeyFileError::Damaged("format".into()));
    }
    let project = Project::parse(&f.project.to_string())
        .map_err(|e| KeyFileError::Damaged(e.describe(crate::i18n::Lang::En)))?;
    if !project.has_keys() {
        return Err(KeyFileError::Damaged("the project has no keys".into()));
    }
    let salt = unhex(&f.kdf.salt).ok_or(KeyFileError::Damaged("salt".into()))?;
    let sealed = unhex(&f.secret).ok_or(KeyFileError::Damaged("secret".into()))?;
    if sealed.len() < 12 + 16 {
        return Err(KeyFileError::Damaged("secret".into()));
    }
    Ok(KeyFile {
        project,
        salt,
        rounds: f.kdf.rounds,
        sealed,
    })
}

impl KeyFile {
    /// The secret key, if `kek` comes from the right passphrase and it is the project's.
    pub fn open(&self, kek: &[u8; 32]) -> Result<ProjectSecret, KeyFileError> {
        let (nonce, body) = self.sealed.split_at(12);
        let plain = Aes256Gcm::new(kek.into())
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad(&self.project.id),
                },
            )
            .map_err(|_| KeyFileError::WrongPassphrase)?;
        let plain = zeroize::Zeroizing::new(plain);
        let secret = std::str::from_utf8(&plain)
            .ok()
            .and_then(ProjectSecret::from_hex)
            .ok_or(KeyFileError::Damaged("secret".into()))?;
        if self.project.public_key.as_deref() != Some(secret.public_hex().as_str()) {
            return Err(KeyFileError::Damaged("the key is not the project's".into()));
        }
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (Project, ProjectSecret) {
        let mut random = [0u8; super::super::project::NEW_PROJECT_RANDOM];
        for (i, b) in random.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(29).wrapping_add(3);
        }
        Project::new("东区", "幸福社区", &random)
    }

    #[test]
    fn a_key_file_opens_with_its_passphrase_key_only_and_gives_the_projects_secret() {
        let (p, secret) = project();
        let text = write(&p, &secret, &[7; 32], &[1; 16], [2; 12]);
        assert!(
            !text.contains(secret.to_hex().as_str()),
            "the secret is sealed"
        );
        let file = read(&text).unwrap();
        assert_eq!(file.project, p);
        assert_eq!(
            (file.salt.as_slice(), file.rounds),
            (&[1u8; 16][..], ROUNDS)
        );
        assert_eq!(
            file.open(&[7; 32]).unwrap().public_hex(),
            secret.public_hex()
        );
        assert_eq!(
            file.open(&[8; 32]).unwrap_err(),
            KeyFileError::WrongPassphrase
        );
    }

    #[test]
    fn bad_key_files_are_refused_with_a_reason() {
        let (p, secret) = project();
        let text = write(&p, &secret, &[7; 32], &[1; 16], [2; 12]);
        assert_eq!(read("{oops").unwrap_err(), KeyFileError::NotAKeyFile);
        assert_eq!(
            read(r#"{"format":"doorstep-project"}"#).unwrap_err(),
            KeyFileError::NotAKeyFile
        );
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["secret"] = "abcd".into();
        assert!(matches!(
            read(&v.to_string()),
            Err(KeyFileError::Damaged(_))
        ));
        // Another project's key under this project: refused, not taken.
        let (other, other_secret) =
            Project::new("西区", "", &[4; super::super::project::NEW_PROJECT_RANDOM]);
        let foreign = write(&other, &other_secret, &[7; 32], &[1; 16], [2; 12]);
        let mut swapped: serde_json::Value = serde_json::from_str(&foreign).unwrap();
        swapped["project"] = serde_json::from_str(&p.to_file()).unwrap();
        // The associated data (project id) no longer matches: the tag fails.
        assert!(read(&swapped.to_string()).unwrap().open(&[7; 32]).is_err());
        assert!(!passphrase_ok("短口令"));
        assert!(passphrase_ok("我们社区东区的入户调查口令"));
        for e in [
            KeyFileError::NotAKeyFile,
            KeyFileError::WrongPassphrase,
            KeyFileError::ShortPassphrase,
            KeyFileError::Damaged("x".into()),
        ] {
            let t = e.describe();
            assert!(!t.zh.is_empty() && !t.en.is_empty());
        }
    }
}
