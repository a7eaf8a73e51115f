//! The project and the export history in storage. The project (`doorstep.project`, sealed
//! whole: it holds the project's signing key) says where exports are sealed to; the history (`doorstep.exports`) remembers every export, with the
//! responses it took, so "already exported" can be told and cleared.

use super::{KvStore, ResponseStore, StoreError};
use crate::export::{HistoryEntry, Project};
use crate::response::Status;
use std::collections::HashMap;

pub(super) const PROJECT_KEY: &str = "doorstep.project";
pub(super) const HISTORY_KEY: &str = "doorstep.exports";
/// Projects this device exported to before another replaced them, by id: their responses
/// stay exportable to them (`doorstep.project.was.<id>`, sealed whole like the project).
pub(super) const PREVIOUS_PREFIX: &str = "doorstep.project.was.";

pub struct ExportStore<S: KvStore> {
    kv: S,
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    }
}

impl<S: KvStore> ExportStore<S> {
    pub fn new(kv: S) -> Self {
        ExportStore { kv }
    }

    /// The device's project, if one was set up or imported.
    pub fn project(&self) -> Result<Option<Project>, StoreError> {
        match super::projects::read(&self.kv, PROJECT_KEY)? {
            None => Ok(None),
            Some(text) => Project::parse(&text)
                .map(Some)
                .map_err(|e| corrupt(PROJECT_KEY, e.describe(crate::i18n::Lang::En))),
        }
    }

    /// Stores the project (all of it, or nothing). Responses are never touched. A project
    /// with keys that another replaces (another id, or new keys) is kept as a previous one,
    /// so what was surveyed for it can still be exported to it.
    pub fn save_project(&self, p: &Project) -> Result<(), StoreError> {
        p.check().map_err(|t| StoreError::Other(t.en))?;
        if let Ok(Some(old)) = self.project() {
            if old.has_keys() && (old.id != p.id || old.public_key != p.public_key) {
                super::projects::write(
                    &self.kv,
                    &format!("{PREVIOUS_PREFIX}{}", old.id),
                    old.to_file(),
                )?;
            }
        }
        // The project made current again is no longer a previous one.
        let again = format!("{PREVIOUS_PREFIX}{}", p.id);
        super::projects::write(&self.kv, PROJECT_KEY, p.to_file())?;
        if self.kv.get(&again)?.is_some() {
            self.kv.remove(&again)?;
        }
        Ok(())
    }

    /// The projects this device was set up for before, newest id order aside: by name.
    pub fn previous_projects(&self) -> Result<Vec<Project>, StoreError> {
        let mut out = Vec::new();
        for key in self.kv.keys()? {
            if !key.starts_with(PREVIOUS_PREFIX) {
                continue;
            }
            if let Some(Ok(p)) = super::projects::read(&self.kv, &key)?.map(|t| Project::parse(&t))
            {
                out.push(p);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// A previous project by id.
    pub fn previous_project(&self, id: &str) -> Result<Option<Project>, StoreError> {
        match super::projects::read(&self.kv, &format!("{PREVIOUS_PREFIX}{id}"))? {
            None => Ok(None),
            Some(t) => Project::parse(&t)
                .map(Some)
                .map_err(|e| corrupt(PREVIOUS_PREFIX, e.describe(crate::i18n::Lang::En))),
        }
    }

    pub fn history(&self) -> Result<Vec<HistoryEntry>, StoreError> {
        match self.kv.get(HISTORY_KEY)? {
            None => Ok(Vec::new()),
            Some(text) => serde_json::from_str(&text).map_err(|e| corrupt(HISTORY_KEY, e)),
        }
    }

    fn save_history(&self, h: &[HistoryEntry]) -> Result<(), StoreError> {
        let text = serde_json::to_string(h).map_err(|e| StoreError::Other(e.to_string()))?;
        self.kv.set(HISTORY_KEY, &text)
    }

    pub fn record(&self, entry: HistoryEntry) -> Result<(), StoreError> {
        let mut h = self.history()?;
        h.push(entry);
        self.save_history(&h)
    }

    /// Each exported response with its revision when last exported.
    pub fn exported(&self) -> Result<HashMap<String, u64>, StoreError> {
        Ok(self
            .history()?
            .into_iter()
            .flat_map(|e| e.responses)
            .collect())
    }

    /// Completed responses exported and not changed since: what `clear_exported` removes.
    pub fn clearable<K: KvStore>(
        &self,
        responses: &ResponseStore<K>,
    ) -> Result<Vec<String>, StoreError> {
        let exported = self.exported()?;
        if exported.is_empty() {
            return Ok(Vec::new());
        }
        let (all, _) = responses.all()?;
        Ok(all
            .into_iter()
            .filter(|r| r.status == Status::Completed && exported.get(&r.id) == Some(&r.rev))
            .map(|r| r.id)
            .collect())
    }

    /// Deletes the completed responses exported and unchanged since (a response edited
    /// after its export stays), then forgets their ids in the history. Interrupted, it
    /// leaves some deleted and the history still listing them: running it again finishes.
    pub fn clear_exported<K: KvStore>(
        &self,
        responses: &ResponseStore<K>,
    ) -> Result<usize, StoreError> {
        let ids = self.clearable(responses)?;
        for id in &ids {
            responses.delete(id)?;
        }
        let mut h = self.history()?;
        let stored: std::collections::HashSet<String> = responses.ids()?.into_iter().collect();
        for e in &mut h {
            e.responses.retain(|(id, _)| stored.contains(id));
            if e.responses.is_empty() {
                e.cleared = true;
            }
        }
        self.save_history(&h)?;
        Ok(ids.len())
    }
}
