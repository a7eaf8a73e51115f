//! The coordinator's projects (`doorstep.cp.<id>`, one key each): the projects this
//! browser made or opened, as they are handed out — with walk list, targets and form
//! definitions. Apart from `doorstep.project`, the project of the device's own work, so a
//! coordinator who also surveys keeps both.

use super::{KvStore, StoreError};
use crate::export::Project;

const PREFIX: &str = "doorstep.cp.";

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
            match self.kv.get(&key)?.map(|t| Project::parse(&t)) {
                Some(Ok(p)) => out.push(p),
                Some(Err(_)) => damaged.push(key),
                None => {}
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok((out, damaged))
    }

    pub fn get(&self, id: &str) -> Result<Option<Project>, StoreError> {
        match self.kv.get(&format!("{PREFIX}{id}"))? {
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
        self.kv.set(&format!("{PREFIX}{}", p.id), &p.to_file())
    }

    pub fn remove(&self, id: &str) -> Result<(), StoreError> {
        self.kv.remove(&format!("{PREFIX}{id}"))
    }
}
