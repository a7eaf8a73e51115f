//! Responses in storage: one key per response, so saving an answer rewrites only that
//! response, never the whole collection.
//!
//! Two tabs on one response: every `OpenResponse` remembers the exact JSON it last read or
//! wrote. A save first compares it with what is stored now; if another tab wrote in between,
//! the save is refused with `SaveError::Conflict` and the user chooses, instead of one tab
//! silently overwriting the other.

use super::{KvStore, StoreError, PREFIX};
use crate::form::plan::Plan;
use crate::form::{Form, Role};
use crate::response::logic::Logic;
use crate::response::{progress, Progress, Response, Status};
use std::sync::Arc;

const RESPONSE_PREFIX: &str = "doorstep.r.";
/// Unsaved edits, kept in a scratch store (the tab's sessionStorage, whose quota is separate
/// from localStorage's) while localStorage is full.
const UNSAVED_PREFIX: &str = "doorstep.unsaved.";

pub fn response_key(id: &str) -> String {
    format!("{RESPONSE_PREFIX}{id}")
}

/// A response being edited, with the stored JSON it was last in step with.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenResponse {
    pub response: Response,
    stored: String,
}

impl OpenResponse {
    /// The JSON this tab last read or wrote (what a `storage` event is compared against).
    pub fn stored_json(&self) -> &str {
        &self.stored
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SaveError {
    Store(StoreError),
    /// Another tab changed this response since this tab read it; `None` when it was
    /// deleted there (or what is stored now cannot be read).
    Conflict(Option<Box<Response>>),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e)
    }
}

/// What `recover_unsaved` found.
#[derive(Clone, Debug, PartialEq)]
pub enum Recovered {
    Nothing,
    /// The held edit is back in place; save it.
    Restored,
    /// The held edit is back in place, but storage moved on since: this is what is stored.
    Overtaken(Box<Response>),
}

/// What the response list shows of one response.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub id: String,
    /// The form and version the response was started with.
    pub form: String,
    pub form_version: u32,
    pub status: Status,
    pub started: String,
    pub updated: String,
    pub progress: Progress,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
}

/// A completed survey started from a walk-list household: what the visit log records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdSurvey {
    pub response: String,
    pub household: String,
    /// When it was completed.
    pub at: String,
    /// The resident declined at the consent question: the visit is a refusal.
    pub declined: bool,
}

pub struct ResponseStore<S: KvStore> {
    kv: S,
}

impl<S: KvStore> ResponseStore<S> {
    /// Opens the store, migrating its schema first. Refuses data from a newer app version.
    pub fn open(kv: S) -> Result<Self, StoreError> {
        super::migrate(&kv)?;
        Ok(ResponseStore { kv })
    }

    pub fn kv(&self) -> &S {
        &self.kv
    }

    /// A tab opened before an app update must not write the old format into a store the
    /// new version migrated: one read of the version key per write guards that.
    fn check_schema(&self) -> Result<(), StoreError> {
        match self
            .kv
            .get(super::SCHEMA_KEY)?
            .and_then(|v| v.trim().parse::<u32>().ok())
        {
            Some(v) if v > super::SCHEMA_VERSION => Err(StoreError::NewerSchema(v)),
            _ => Ok(()),
        }
    }

    pub fn create(&self, response: Response) -> Result<OpenResponse, StoreError> {
        self.check_schema()?;
        let key = response_key(&response.id);
        if self.kv.get(&key)?.is_some() {
            return Err(StoreError::Other(format!(
                "response {} exists",
                response.id
            )));
        }
        let json = to_json(&response)?;
        self.kv.set(&key, &json)?;
        Ok(OpenResponse {
            response,
            stored: json,
        })
    }

    pub fn open_response(&self, id: &str) -> Result<Option<OpenResponse>, StoreError> {
        let key = response_key(id);
        let Some(json) = self.kv.get(&key)? else {
            return Ok(None);
        };
        let response = from_json(&key, &json)?;
        Ok(Some(OpenResponse {
            response,
            stored: json,
        }))
    }

    /// Writes the response if storage still holds what this tab last saw.
    /// On any error the stored copy is exactly as before and `open` is unchanged.
    pub fn save(&self, open: &mut OpenResponse, now: &str) -> Result<(), SaveError> {
        self.check_schema()?;
        let key = response_key(&open.response.id);
        match self.kv.get(&key)? {
            Some(current) if current == open.stored => {}
            Some(current) => {
                // Unreadable counts as changed elsewhere too: never overwrite blind.
                let theirs = from_json(&key, &current).ok().map(Box::new);
                return Err(SaveError::Conflict(theirs));
            }
            None => return Err(SaveError::Conflict(None)),
        }
        let mut next = open.response.clone();
        next.rev += 1;
        next.updated = now.to_owned();
        let json = to_json(&next)?;
        self.kv.set(&key, &json)?;
        open.response = next;
        open.stored = json;
        Ok(())
    }

    /// After a conflict, the user chose to keep this tab's answers: write them over the
    /// other tab's (or re-create a response deleted elsewhere).
    pub fn overwrite(&self, open: &mut OpenResponse, now: &str) -> Result<(), SaveError> {
        let key = response_key(&open.response.id);
        open.stored = self.kv.get(&key)?.unwrap_or_default();
        if open.stored.is_empty() {
            let json = to_json(&open.response)?;
            self.kv.set(&key, &json)?;
            open.stored = json;
            return Ok(());
        }
        self.save(open, now)
    }

    /// Keeps an edit that could not be saved in `scratch`, so that leaving the screen (to
    /// delete something and make room, say) does not lose it. Best effort.
    pub fn stash_unsaved(&self, scratch: &dyn KvStore, open: &OpenResponse) {
        if let Ok(json) = to_json(&open.response) {
            let _ = scratch.set(&format!("{UNSAVED_PREFIX}{}", open.response.id), &json);
        }
    }

    pub fn clear_unsaved(&self, scratch: &dyn KvStore, id: &str) {
        let _ = scratch.remove(&format!("{UNSAVED_PREFIX}{id}"));
    }

    /// Puts a held edit back into `open`. If it was made on top of what is stored now (same
    /// revision) it is simply restored, to be saved; if a later save overtook it, it is
    /// restored too, and what is stored comes back as `Overtaken` for the user to choose.
    /// It is never dropped silently.
    pub fn recover_unsaved(&self, scratch: &dyn KvStore, open: &mut OpenResponse) -> Recovered {
        let key = format!("{UNSAVED_PREFIX}{}", open.response.id);
        let Ok(Some(json)) = scratch.get(&key) else {
            return Recovered::Nothing;
        };
        match serde_json::from_str::<Response>(&json) {
            Ok(r) if r.id == open.response.id => {
                let stored = std::mem::replace(&mut open.response, r);
                if stored.rev == open.response.rev {
                    Recovered::Restored
                } else {
                    Recovered::Overtaken(Box::new(stored))
                }
            }
            // Not ours or unreadable: nothing to restore.
            _ => Recovered::Nothing,
        }
    }

    pub fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.kv.remove(&response_key(id))
    }

    /// Ids of every stored response, in key order.
    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .kv
            .keys()?
            .into_iter()
            .filter_map(|k| k.strip_prefix(RESPONSE_PREFIX).map(str::to_owned))
            .collect())
    }

    /// Summaries of all responses, newest first, and the keys of any that cannot be read
    /// (left in storage untouched; the list says they exist). `form_of` finds the form a
    /// response was started with; without it, location and progress stay empty.
    pub fn list<'f>(
        &self,
        form_of: impl Fn(&str, u32) -> Option<&'f Form>,
    ) -> Result<(Vec<Summary>, Vec<String>), StoreError> {
        let mut summaries = Vec::new();
        let mut damaged = Vec::new();
        // Each form's dependency graph is built once for the whole list, not per response.
        let mut plans: Vec<(&'f Form, Arc<Plan>)> = Vec::new();
        for id in self.ids()? {
            let key = response_key(&id);
            let Some(json) = self.kv.get(&key)? else {
                continue;
            };
            let Ok(r) = from_json(&key, &json) else {
                damaged.push(key);
                continue;
            };
            let form = form_of(&r.form, r.form_version);
            let (location, progress) = match form {
                Some(f) => {
                    let plan = match plans.iter().find(|(p, _)| std::ptr::eq(*p, f)) {
                        Some((_, plan)) => plan.clone(),
                        None => {
                            let plan = Arc::new(Plan::new(f));
                            plans.push((f, plan.clone()));
                            plan
                        }
                    };
                    // Skip logic as of the response's last change (today() rarely matters).
                    let logic = Logic::with_plan(plan, f, &r, r.updated.get(..10).unwrap_or(""));
                    (
                        [Role::Building, Role::Unit, Role::Room].map(|role| r.location(f, role)),
                        progress(f, &r, &logic),
                    )
                }
                None => ([None, None, None], Progress::default()),
            };
            let [building, unit, room] = location;
            summaries.push(Summary {
                building,
                unit,
                room,
                progress,
                form: r.form,
                form_version: r.form_version,
                id: r.id,
                status: r.status,
                started: r.started,
                updated: r.updated,
            });
        }
        summaries.sort_by(|a, b| b.started.cmp(&a.started).then(a.id.cmp(&b.id)));
        Ok((summaries, damaged))
    }

    /// Completed responses started from a walk-list household, as (id, household, completed
    /// at), leaving out those `known` already accounts for. A response not started from a
    /// household is passed over without parsing it: the visits screen asks this each time
    /// it opens, over a whole community's responses.
    pub fn household_surveys(
        &self,
        known: impl Fn(&str) -> bool,
        declined: impl Fn(&Response) -> bool,
    ) -> Result<Vec<HouseholdSurvey>, StoreError> {
        let mut out = Vec::new();
        for id in self.ids()? {
            if known(&id) {
                continue;
            }
            let key = response_key(&id);
            let Some(json) = self.kv.get(&key)? else {
                continue;
            };
            // `Response::household` is stored as "hh", and only when there is one.
            if !json.contains("\"hh\":") {
                continue;
            }
            if let Ok(r) = from_json(&key, &json) {
                let declined = declined(&r);
                if let (Some(household), Some(at)) = (r.household, r.completed) {
                    out.push(HouseholdSurvey {
                        response: r.id,
                        household,
                        at,
                        declined,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Every readable response, and the keys of those that cannot be read (left alone).
    pub fn all(&self) -> Result<(Vec<Response>, Vec<String>), StoreError> {
        let mut out = Vec::new();
        let mut damaged = Vec::new();
        for id in self.ids()? {
            let key = response_key(&id);
            let Some(json) = self.kv.get(&key)? else {
                continue;
            };
            match from_json(&key, &json) {
                Ok(r) => out.push(r),
                Err(_) => damaged.push(key),
            }
        }
        Ok((out, damaged))
    }

    /// Characters used by this app's keys (the origin as a whole may hold more).
    pub fn own_chars(&self) -> Result<usize, StoreError> {
        let mut n = 0;
        for k in self
            .kv
            .keys()?
            .into_iter()
            .filter(|k| k.starts_with(PREFIX))
        {
            n += super::utf16_len(&k) + self.kv.get(&k)?.map(|v| super::utf16_len(&v)).unwrap_or(0);
        }
        Ok(n)
    }
}

fn to_json(r: &Response) -> Result<String, StoreError> {
    serde_json::to_string(r).map_err(|e| StoreError::Other(e.to_string()))
}

fn from_json(key: &str, json: &str) -> Result<Response, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    })
}
