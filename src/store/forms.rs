//! The form library: forms imported on this device, each version under its own keys, next
//! to the built-in questionnaire (which is compiled into the app and never stored).
//!
//! `doorstep.f.<id>.<version>` holds the form as the app loads it (checked when it was
//! imported), `doorstep.fs.<id>.<version>` the definition as written, for export. A version
//! once stored never changes: responses keep the version they were started with, so a new
//! version cannot break a draft.

use super::{KvStore, StoreError};
use crate::form::{builtin_form, Form};
use crate::i18n::Text;

pub(super) const FORM_PREFIX: &str = "doorstep.f.";
pub(super) const SOURCE_PREFIX: &str = "doorstep.fs.";

fn form_key(id: &str, version: u32) -> String {
    format!("{FORM_PREFIX}{id}.{version}")
}

fn source_key(id: &str, version: u32) -> String {
    format!("{SOURCE_PREFIX}{id}.{version}")
}

/// What the library lists of one form version.
#[derive(Clone, Debug, PartialEq)]
pub struct FormEntry {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub questions: usize,
    pub builtin: bool,
}

impl FormEntry {
    fn of(form: &Form, builtin: bool) -> FormEntry {
        FormEntry {
            id: form.id.clone(),
            version: form.version,
            title: form.title.clone(),
            questions: form.answerable_count(),
            builtin,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum AddError {
    Store(StoreError),
    /// This version of this form is already here with different questions.
    VersionTaken {
        id: String,
        version: u32,
    },
    /// Not a form this app can load (never the case for what the import worker checked).
    Unreadable(String),
}

impl From<StoreError> for AddError {
    fn from(e: StoreError) -> Self {
        AddError::Store(e)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    New,
    /// The very same form and version was already in the library: nothing written.
    AlreadyThere,
}

pub struct FormStore<S: KvStore> {
    kv: S,
}

impl<S: KvStore> FormStore<S> {
    pub fn new(kv: S) -> Self {
        FormStore { kv }
    }

    /// Every form version, the built-in one first, then by id and newest version first; and
    /// the keys of stored forms that cannot be read (left in place).
    pub fn list(&self) -> Result<(Vec<FormEntry>, Vec<String>), StoreError> {
        let mut entries = vec![FormEntry::of(builtin_form(), true)];
        let mut damaged = Vec::new();
        let mut stored = Vec::new();
        for key in self.kv.keys()? {
            if !key.starts_with(FORM_PREFIX) {
                continue;
            }
            match self.read(&key)? {
                Some(form) => stored.push(FormEntry::of(&form, false)),
                None => damaged.push(key),
            }
        }
        stored.sort_by(|a, b| a.id.cmp(&b.id).then(b.version.cmp(&a.version)));
        entries.extend(stored);
        Ok((entries, damaged))
    }

    /// Id, version and title of every stored form version (not the built-in one), read
    /// without the rest of each form: what a list of names needs.
    pub fn titles(&self) -> Result<Vec<(String, u32, Text)>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Head {
            id: String,
            version: u32,
            title: Text,
        }
        let mut out = Vec::new();
        for key in self.kv.keys()? {
            if !key.starts_with(FORM_PREFIX) {
                continue;
            }
            if let Some(h) = self
                .kv
                .get(&key)?
                .and_then(|json| serde_json::from_str::<Head>(&json).ok())
            {
                out.push((h.id, h.version, h.title));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        Ok(out)
    }

    fn read(&self, key: &str) -> Result<Option<Form>, StoreError> {
        Ok(self
            .kv
            .get(key)?
            .and_then(|json| serde_json::from_str::<Form>(&json).ok()))
    }

    /// A form version on this device: the built-in one (borrowed), or the library's.
    pub fn find(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Option<std::borrow::Cow<'static, Form>>, StoreError> {
        let b = builtin_form();
        if b.id == id && b.version == version {
            return Ok(Some(std::borrow::Cow::Borrowed(b)));
        }
        Ok(self.load(id, version)?.map(std::borrow::Cow::Owned))
    }

    /// A stored form version (not the built-in one).
    pub fn load(&self, id: &str, version: u32) -> Result<Option<Form>, StoreError> {
        self.read(&form_key(id, version))
    }

    /// A stored form version's follow-up rules (see `Form::follow_up`).
    pub fn rules(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Vec<crate::form::FollowUpRule>, StoreError> {
        Ok(self
            .kv
            .get(&form_key(id, version))?
            .map(|json| crate::form::follow_up_rules(&json))
            .unwrap_or_default())
    }

    /// A stored form version as compiled (what an anonymised export embeds and hashes),
    /// the built-in one included.
    pub fn compiled(&self, id: &str, version: u32) -> Result<Option<String>, StoreError> {
        let b = builtin_form();
        if b.id == id && b.version == version {
            return Ok(Some(crate::form::builtin_compiled().to_owned()));
        }
        self.kv.get(&form_key(id, version))
    }

    /// The definition as written, for export.
    pub fn source(&self, id: &str, version: u32) -> Result<Option<String>, StoreError> {
        self.kv.get(&source_key(id, version))
    }

    /// The version a form without one in its file becomes: one past every version of that
    /// id here (the built-in form's included).
    pub fn next_version(&self, id: &str) -> Result<u32, StoreError> {
        let mut top = 0;
        let b = builtin_form();
        if b.id == id {
            top = b.version;
        }
        let prefix = format!("{FORM_PREFIX}{id}.");
        for key in self.kv.keys()? {
            if let Some(v) = key
                .strip_prefix(&prefix)
                .and_then(|v| v.parse::<u32>().ok())
            {
                top = top.max(v);
            }
        }
        Ok(top + 1)
    }

    /// Stores a checked form (`compiled`, as the app loads it) and its definition. The
    /// definition is written first and removed again if the form cannot be, so a full
    /// storage leaves no half-added form.
    pub fn add(&self, compiled: &str, source: &str) -> Result<Added, AddError> {
        let form = match self.would_add(compiled)? {
            (Added::AlreadyThere, _) => return Ok(Added::AlreadyThere),
            (Added::New, form) => form,
        };
        let key = form_key(&form.id, form.version);
        let skey = source_key(&form.id, form.version);
        self.kv.set(&skey, source)?;
        if let Err(e) = self.kv.set(&key, compiled) {
            let _ = self.kv.remove(&skey);
            return Err(e.into());
        }
        Ok(Added::New)
    }

    /// Takes a form just added out again (a project install that failed half-way).
    pub fn forget(&self, id: &str, version: u32) -> Result<(), StoreError> {
        self.kv.remove(&form_key(id, version))?;
        self.kv.remove(&source_key(id, version))
    }

    /// What `add` would do, without writing: `New` with the form, `AlreadyThere`, or why
    /// not. Lets a project with several forms be checked whole before one is stored.
    pub fn would_add(&self, compiled: &str) -> Result<(Added, Form), AddError> {
        let form: Form =
            serde_json::from_str(compiled).map_err(|e| AddError::Unreadable(e.to_string()))?;
        let taken = AddError::VersionTaken {
            id: form.id.clone(),
            version: form.version,
        };
        let b = builtin_form();
        if b.id == form.id && b.version == form.version {
            return if *b == form {
                Ok((Added::AlreadyThere, form))
            } else {
                Err(taken)
            };
        }
        let key = form_key(&form.id, form.version);
        if let Some(existing) = self.read(&key)? {
            return if existing == form {
                Ok((Added::AlreadyThere, form))
            } else {
                Err(taken)
            };
        }
        if self.kv.get(&key)?.is_some() {
            // Something unreadable sits there: never overwrite what we do not understand.
            return Err(taken);
        }
        Ok((Added::New, form))
    }
}
