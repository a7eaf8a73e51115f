//! Projects in storage, all sealed whole under the device PIN (`store::vault`): the
//! device's own project (`doorstep.project`, in `exports.rs`), the coordinator's projects
//! (`doorstep.cp.<id>`, one key each: the projects this browser made or opened, as they
//! are handed out — with walk list, targets and form definitions; apart from the device's
//! own, so a coordinator who also surveys keeps both), and the secret key of every project
//! this browser made (`doorstep.pk.<id>`): what opens its exports' household links.

use super::vault::Sealer;
use super::{KvStore, StoreError};
use crate::export::link::ProjectSecret;
use crate::export::Project;
use crate::report::import::{Keyring, ProjectKeys};

const PREFIX: &str = "doorstep.cp.";
const SECRET_PREFIX: &str = "doorstep.pk.";

/// Whether `key` holds a project, a project's secret or the workspace's file key
/// (`store::workspace`), all sealed whole.
pub fn sealed(key: &str) -> bool {
    key == super::exports::PROJECT_KEY
        || key.starts_with(super::exports::PREVIOUS_PREFIX)
        || key == "doorstep.wk"
        || key.starts_with(PREFIX)
        || key.starts_with(SECRET_PREFIX)
}

/// A value sealed whole, as plain text.
pub(super) fn read(kv: &dyn KvStore, key: &str) -> Result<Option<String>, StoreError> {
    match kv.get(key)? {
        Some(v) => Sealer::of(kv).open(key, v).map(Some),
        None => Ok(None),
    }
}

/// Stores `plain` sealed whole (refused while locked).
pub(super) fn write(kv: &dyn KvStore, key: &str, plain: String) -> Result<(), StoreError> {
    let value = Sealer::of(kv).seal(key, plain)?;
    kv.set(key, &value)
}

pub struct ProjectBook<S: KvStore> {
    kv: S,
}

impl<S: KvStore> ProjectBook<S> {
    pub fn new(kv: S) -> Self {
        ProjectBook { kv }
    }

    /// Every project, by name; and the keys of any that could not be read (left in place).
    pub fn list(&self) -> Result<(Vec<Project>, Vec<String>), StoreError> {
        let mut out = Vec::new();
        let mut damaged = Vec::new();
        for key in self.kv.keys()? {
            if !key.starts_with(PREFIX) {
                continue;
            }
            match read(&self.kv, &key)?.map(|t| Project::parse(&t)) {
                Some(Ok(p)) => out.push(p),
                Some(Err(_)) => damaged.push(key),
                None => {}
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok((out, damaged))
    }

    pub fn get(&self, id: &str) -> Result<Option<Project>, StoreError> {
        match read(&self.kv, &format!("{PREFIX}{id}"))? {
            None => Ok(None),
            Some(t) => Project::parse(&t)
                .map(Some)
                .map_err(|e| StoreError::Corrupt {
                    key: format!("{PREFIX}{id}"),
                    detail: e.describe(crate::i18n::Lang::En),
                }),
        }
    }

    /// Stores the project whole (one write), after checking it as a worker's device will.
    pub fn save(&self, p: &Project) -> Result<(), StoreError> {
        p.check().map_err(|t| StoreError::Other(t.en))?;
        write(&self.kv, &format!("{PREFIX}{}", p.id), p.to_file())
    }

    /// Removes this browser's copy of the project; its secret key stays (a project deleted
    /// by mistake and opened again from its file still opens its exports).
    pub fn remove(&self, id: &str) -> Result<(), StoreError> {
        self.kv.remove(&format!("{PREFIX}{id}"))
    }

    /// The secret key of project `id`, if this browser holds it.
    pub fn secret(&self, id: &str) -> Result<Option<ProjectSecret>, StoreError> {
        let key = format!("{SECRET_PREFIX}{id}");
        match read(&self.kv, &key)? {
            None => Ok(None),
            Some(hex) => {
                let hex = zeroize::Zeroizing::new(hex);
                ProjectSecret::from_hex(hex.trim())
                    .map(Some)
                    .ok_or(StoreError::Corrupt {
                        key,
                        detail: "not a project key".into(),
                    })
            }
        }
    }

    /// Keeps the secret key of project `id`, sealed. An existing one is never replaced by
    /// another: that would orphan every link sealed to it.
    pub fn save_secret(&self, p: &Project, secret: &ProjectSecret) -> Result<(), StoreError> {
        if p.public_key.as_deref() != Some(secret.public_hex().as_str()) {
            return Err(StoreError::Other("the key is not this project's".into()));
        }
        if let Some(old) = self.secret(&p.id)? {
            if old.public_hex() != secret.public_hex() {
                return Err(StoreError::Other("the project holds another key".into()));
            }
            return Ok(());
        }
        write(
            &self.kv,
            &format!("{SECRET_PREFIX}{}", p.id),
            secret.to_hex().to_string(),
        )
    }

    /// The keys of every project this browser holds both the project (the coordinator's or
    /// the device's own) and the secret of: what the workspace opens files with.
    pub fn keyring(&self) -> Result<Keyring, StoreError> {
        let (mut projects, _) = self.list()?;
        if let Some(own) = super::ExportStore::new(&self.kv).project()? {
            if !projects.iter().any(|p| p.id == own.id) {
                projects.push(own);
            }
        }
        let mut ring = Keyring::new();
        for p in projects {
            let Some(secret) = self.secret(&p.id)? else {
                continue;
            };
            if p.public_key.as_deref() != Some(secret.public_hex().as_str()) {
                continue;
            }
            let sign_key = p.sign_key_bytes();
            let named = Some(crate::report::import::ProjectRef {
                id: p.id.clone(),
                name: p.name.clone(),
                community: p.community.clone(),
            });
            ring.insert(
                p.id.clone(),
                ProjectKeys {
                    secret,
                    sign_key,
                    named,
                },
            );
        }
        Ok(ring)
    }
}
