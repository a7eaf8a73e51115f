//! Responses in storage: one key per response, so saving an answer rewrites only that
//! response, never the whole collection.
//!
//! Two tabs on one response: every `OpenResponse` remembers the exact JSON it last read or
//! wrote. A save first compares it with what is stored now; if another tab wrote in between,
//! the save is refused with `SaveError::Conflict` and the user chooses, instead of one tab
//! silently overwriting the other.

use super::vault::Sealer;
use super::{KvStore, StoreError, PREFIX};
use crate::form::plan::Plan;
use crate::form::{Form, Role};
use crate::response::logic::Logic;
use crate::response::{progress, Progress, Response, Row, Status, Value};
use crate::vault::{self, Key};

use std::sync::Arc;

pub(super) const RESPONSE_PREFIX: &str = "doorstep.r.";
/// Unsaved edits, kept in a scratch store (the tab's sessionStorage, whose quota is separate
/// from localStorage's) while localStorage is full.
pub(super) const UNSAVED_PREFIX: &str = "doorstep.unsaved.";

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
    codec: Codec,
}

/// Puts sealed answers back in place (a roster's rows by position): records sealed before
/// every answer was (some answers readable) merge.
fn merge(answers: &mut Row, hidden: Row) {
    for (id, v) in hidden {
        match (answers.get_mut(&id), v) {
            (Some(Value::Rows(rows)), Value::Rows(hidden_rows)) => {
                for (row, h) in rows.iter_mut().zip(hidden_rows) {
                    merge(row, h);
                }
            }
            (_, v) => {
                answers.insert(id, v);
            }
        }
    }
}

/// Sealing and unsealing of stored responses, apart from `ResponseStore` so that its code
/// exists once in the wasm, not once per kind of store.
#[derive(Default)]
pub(super) struct Codec;

/// The sealed text in a stored response's `x`, which `Codec::encode` writes last; the
/// text has no quote, so it is found without parsing the rest again.
fn sealed_field(json: &str) -> Option<&str> {
    let start = json.rfind(",\"x\":\"")? + 6;
    let x = json.get(start..)?.strip_suffix("\"}")?;
    (vault::is_sealed(x) && !x.contains('"')).then_some(x)
}

/// Whether a stored, sealed response leaves nothing readable but what `encode` leaves (a
/// record sealed by an earlier version kept some answers and its times readable). Told
/// from the text, without parsing: the times are empty and there are no answers.
fn all_sealed(stored: &str) -> bool {
    stored.contains("\"started\":\"\",\"updated\":\"\"") && !stored.contains("\"a\":{\"")
}

impl Codec {
    /// The JSON to store: with a PIN set, every answer, "other" text, the household and
    /// the times leave the record and go, encrypted, into `x`. What stays readable (id,
    /// form, version, status, revision, worker code, whether there is a household) names
    /// no one and describes no household (docs/encryption.md).
    pub(super) fn encode(&self, r: &Response, sealer: &Sealer) -> Result<String, StoreError> {
        match sealer {
            Sealer::Off => return to_json(r),
            Sealer::Locked => return Err(StoreError::Locked),
            Sealer::Open(_) => {}
        }
        let mut plain = r.clone();
        // The sealed part is a response too, holding only what is sealed. Its empty fields
        // cost some 60 bytes; a serialiser of its own would cost the first load more.
        let hidden = Response {
            id: String::new(),
            form: String::new(),
            form_version: 0,
            status: Status::Draft,
            started: std::mem::take(&mut plain.started),
            updated: std::mem::take(&mut plain.updated),
            completed: plain.completed.take(),
            rev: 0,
            answers: std::mem::take(&mut plain.answers),
            other: std::mem::take(&mut plain.other),
            household: plain.household.take(),
            worker: String::new(),
        };
        // Which household stays sealed; that there is one stays readable (`"hh":""`), so
        // the visits screen passes over the responses without one unopened.
        plain.household = hidden.household.as_ref().map(|_| String::new());
        let mut json = to_json(&plain)?;
        let inner = to_json(&hidden)?;
        let sealed = sealer.seal(&response_key(&r.id), inner)?;
        // `x` goes last; the sealed text has no character JSON escapes.
        json.pop();
        json.push_str(",\"x\":\"");
        json.push_str(&sealed);
        json.push_str("\"}");
        Ok(json)
    }

    /// A stored response, its sealed answers back in place. Locked, a response with sealed
    /// answers is `StoreError::Locked`, never a response without them (which a save would
    /// then write back, dropping them).
    pub(super) fn decode(
        &self,
        sealer: &Sealer,
        key: &str,
        json: &str,
    ) -> Result<Response, StoreError> {
        let mut r = from_json(key, json)?;
        if let Some(x) = sealed_field(json) {
            let hidden = from_json(key, &sealer.open(key, x.to_owned())?)?;
            merge(&mut r.answers, hidden.answers);
            r.other = hidden.other;
            r.household = hidden.household;
            // Sealed before the times were (earlier versions): the readable times stay.
            if !hidden.started.is_empty() {
                r.started = hidden.started;
                r.updated = hidden.updated;
                r.completed = hidden.completed;
            }
        }
        Ok(r)
    }

    /// A stored response sealed under `key` as plain JSON again (a first lock undone);
    /// `None` when it has no sealed part.
    pub(super) fn unseal(
        &self,
        key: &str,
        stored: &str,
        with: &Key,
    ) -> Result<Option<String>, StoreError> {
        if sealed_field(stored).is_none() {
            return Ok(None);
        }
        let r = self.decode(&Sealer::with(with), key, stored)?;
        to_json(&r).map(Some)
    }

    /// A stored response as `to` would seal it, opening an older seal with `from`; `None`
    /// when it is sealed under `to` already (or has nothing to seal).
    pub(super) fn reseal(
        &self,
        key: &str,
        stored: &str,
        from: &[&Key],
        to: &Key,
    ) -> Result<Option<String>, StoreError> {
        let opener = match sealed_field(stored).and_then(vault::gen_of) {
            Some(g) if g == to.gen && all_sealed(stored) => return Ok(None),
            Some(g) if g == to.gen => Sealer::with(to),
            Some(g) => match from.iter().find(|k| k.gen == g) {
                Some(k) => Sealer::with(k),
                None => return Err(StoreError::Locked),
            },
            None => Sealer::Off,
        };
        let r = self.decode(&opener, key, stored)?;
        let next = self.encode(&r, &Sealer::with(to))?;
        Ok((next != stored).then_some(next))
    }
}

impl<S: KvStore> ResponseStore<S> {
    /// Opens the store, migrating its schema first. Refuses data from a newer app version.
    pub fn open(kv: S) -> Result<Self, StoreError> {
        super::migrate(&kv)?;
        Ok(ResponseStore { kv, codec: Codec })
    }

    fn encode(&self, r: &Response) -> Result<String, StoreError> {
        self.codec.encode(r, &Sealer::of(&self.kv))
    }

    /// A stored response, its sealed answers back in place (see `Codec::decode`).
    pub fn decode(&self, key: &str, json: &str) -> Result<Response, StoreError> {
        self.codec.decode(&Sealer::of(&self.kv), key, json)
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
        let json = self.encode(&response)?;
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
        let response = self.decode(&key, &json)?;
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
                let theirs = self.decode(&key, &current).ok().map(Box::new);
                return Err(SaveError::Conflict(theirs));
            }
            None => return Err(SaveError::Conflict(None)),
        }
        let mut next = open.response.clone();
        next.rev += 1;
        next.updated = now.to_owned();
        let json = self.encode(&next)?;
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
            let json = self.encode(&open.response)?;
            self.kv.set(&key, &json)?;
            open.stored = json;
            return Ok(());
        }
        self.save(open, now)
    }

    /// Keeps an edit that could not be saved in `scratch`, so that leaving the screen (to
    /// delete something and make room, say) does not lose it. Best effort.
    pub fn stash_unsaved(&self, scratch: &dyn KvStore, open: &OpenResponse) {
        let key = format!("{UNSAVED_PREFIX}{}", open.response.id);
        // Sealed whole, like the record it stands in for (locked: not kept at all).
        if let Ok(json) = to_json(&open.response).and_then(|j| Sealer::of(&self.kv).seal(&key, j)) {
            let _ = scratch.set(&key, &json);
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
        let Ok(json) = Sealer::of(&self.kv).open(&key, json) else {
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
        let sealer = Sealer::of(&self.kv);
        for id in self.ids()? {
            let key = response_key(&id);
            let Some(json) = self.kv.get(&key)? else {
                continue;
            };
            let r = match self.codec.decode(&sealer, &key, &json) {
                Ok(r) => r,
                Err(StoreError::Locked) => return Err(StoreError::Locked),
                Err(_) => {
                    damaged.push(key);
                    continue;
                }
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
        let sealer = Sealer::of(&self.kv);
        for id in self.ids()? {
            if known(&id) {
                continue;
            }
            let key = response_key(&id);
            let Some(json) = self.kv.get(&key)? else {
                continue;
            };
            // Only a completed response started from a household counts: "hh" is stored
            // only when there is one (sealed once a PIN is set, its key kept readable).
            if !json.contains("\"status\":\"completed\"") || !json.contains("\"hh\":") {
                continue;
            }
            if let Ok(r) = self.codec.decode(&sealer, &key, &json) {
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
        self.every(&Sealer::of(&self.kv))
    }

    fn every(&self, sealer: &Sealer) -> Result<(Vec<Response>, Vec<String>), StoreError> {
        let mut out = Vec::new();
        let mut damaged = Vec::new();
        for id in self.ids()? {
            let key = response_key(&id);
            let Some(json) = self.kv.get(&key)? else {
                continue;
            };
            match self.codec.decode(sealer, &key, &json) {
                Ok(r) => out.push(r),
                Err(StoreError::Locked) => return Err(StoreError::Locked),
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
