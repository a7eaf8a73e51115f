//! Visits in storage: the walk list (one key, written whole), the worker profile, and the
//! visit log kept by day (`doorstep.v.<YYYY-MM-DD>`): recording a visit rewrites one day's
//! few dozen visits, never the whole log, and a community's 3,000 visits stay small.

use super::{KvStore, StoreError};
use crate::visits::log::Visit;
use crate::visits::walk::{Household, WalkList};
use serde::{Deserialize, Serialize};

pub(super) const WALK_KEY: &str = "doorstep.walk";
const WORKER_KEY: &str = "doorstep.worker";
/// The worker code alone, as plain text: what the survey screen stamps on a new response,
/// read without a JSON parser for the profile in the app's first load.
const WORKER_CODE_KEY: &str = "doorstep.worker.code";
pub(super) const DAY_PREFIX: &str = "doorstep.v.";
pub(super) const TARGETS_KEY: &str = "doorstep.targets";
/// Follow-up statuses by response id (identifiers: never exported).
pub(super) const FOLLOW_UPS_KEY: &str = "doorstep.followups";

/// The person using this device, set once: visits and responses carry the code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worker {
    /// Short and not a name (`W07`): it goes into exports.
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub team: String,
}

/// The walk list as stored: the community's name on the first line, then a household a
/// line as `id<TAB>building<TAB>unit<TAB>room`. Plain lines rather than JSON: a fifth
/// smaller for 2,130 households, and read without a JSON parser by the survey screen.
fn walk_text(list: &WalkList) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut out = clean(&list.community);
    for h in &list.households {
        out.push('\n');
        out.push_str(
            &[&h.id, &h.building, &h.unit, &h.room]
                .map(|s| clean(s))
                .join("\t"),
        );
    }
    out
}

/// One stored household line, or `None` for a line that is not one.
fn household_line(line: &str) -> Option<Household> {
    let mut parts = line.split('\t');
    let (id, building, unit, room) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (!id.is_empty()).then(|| Household {
        id: id.to_owned(),
        building: building.to_owned(),
        unit: unit.to_owned(),
        room: room.to_owned(),
    })
}

pub struct VisitStore<S: KvStore> {
    kv: S,
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    }
}

fn json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

impl<S: KvStore> VisitStore<S> {
    pub fn new(kv: S) -> Self {
        VisitStore { kv }
    }

    /// A value sealed whole once a PIN is set (`store::vault`), as plain text.
    fn read(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read_with(&super::vault::Sealer::of(&self.kv), key)
    }

    fn read_with(
        &self,
        sealer: &super::vault::Sealer,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        match self.kv.get(key)? {
            Some(v) => sealer.open(key, v).map(Some),
            None => Ok(None),
        }
    }

    fn write(&self, key: &str, plain: String) -> Result<(), StoreError> {
        let value = super::vault::Sealer::of(&self.kv).seal(key, plain)?;
        self.kv.set(key, &value)
    }

    pub fn walk_list(&self) -> Result<Option<WalkList>, StoreError> {
        let Some(text) = self.read(WALK_KEY)? else {
            return Ok(None);
        };
        let mut lines = text.split('\n');
        let community = lines.next().unwrap_or("");
        let mut households = Vec::new();
        for (i, line) in lines.enumerate() {
            households.push(
                household_line(line).ok_or_else(|| {
                    corrupt(WALK_KEY, format!("line {} is not a household", i + 2))
                })?,
            );
        }
        WalkList::new(community, households)
            .map(Some)
            .map_err(|e| corrupt(WALK_KEY, e.describe().en))
    }

    /// One household of the walk list, read without checking the whole list (what the
    /// survey screen needs to fill in an address, kept light for the app's first load).
    pub fn household(&self, id: &str) -> Result<Option<Household>, StoreError> {
        let Some(text) = self.read(WALK_KEY)? else {
            return Ok(None);
        };
        Ok(text
            .split('\n')
            .skip(1)
            .filter_map(household_line)
            .find(|h| h.id == id))
    }

    /// Replaces the walk list in one write: the old one stays if it fails. Visits are kept
    /// (they name households by id, and ids follow the place).
    pub fn save_walk_list(&self, list: &WalkList) -> Result<(), StoreError> {
        self.write(WALK_KEY, walk_text(list))
    }

    /// Where each follow-up stands, by response id (absent: open).
    pub fn follow_ups(
        &self,
    ) -> Result<std::collections::BTreeMap<String, crate::visits::follow_up::Status>, StoreError>
    {
        match self.read(FOLLOW_UPS_KEY)? {
            None => Ok(Default::default()),
            Some(t) => serde_json::from_str(&t).map_err(|e| corrupt(FOLLOW_UPS_KEY, e)),
        }
    }

    pub fn set_follow_up(
        &self,
        response: &str,
        status: crate::visits::follow_up::Status,
    ) -> Result<(), StoreError> {
        let mut all = self.follow_ups()?;
        all.insert(response.to_owned(), status);
        self.write(FOLLOW_UPS_KEY, json(&all)?)
    }

    /// The project's targets; the contract's 200 visits until someone sets others.
    pub fn targets(&self) -> Result<Vec<crate::visits::indicators::Target>, StoreError> {
        match self.kv.get(TARGETS_KEY)? {
            None => Ok(crate::visits::indicators::default_targets()),
            Some(t) => serde_json::from_str(&t).map_err(|e| corrupt(TARGETS_KEY, e)),
        }
    }

    pub fn save_targets(&self, t: &[crate::visits::indicators::Target]) -> Result<(), StoreError> {
        self.kv.set(TARGETS_KEY, &json(&t)?)
    }

    pub fn worker(&self) -> Result<Option<Worker>, StoreError> {
        self.kv
            .get(WORKER_KEY)?
            .map(|t| serde_json::from_str(&t).map_err(|e| corrupt(WORKER_KEY, e)))
            .transpose()
    }

    pub fn save_worker(&self, w: &Worker) -> Result<(), StoreError> {
        self.kv.set(WORKER_KEY, &json(w)?)?;
        self.kv.set(WORKER_CODE_KEY, &w.code)
    }

    /// The worker code, if the profile is set.
    pub fn worker_code(&self) -> Result<Option<String>, StoreError> {
        self.kv.get(WORKER_CODE_KEY)
    }

    fn day(&self, key: &str) -> Result<Vec<Visit>, StoreError> {
        self.day_with(&super::vault::Sealer::of(&self.kv), key)
    }

    fn day_with(&self, sealer: &super::vault::Sealer, key: &str) -> Result<Vec<Visit>, StoreError> {
        match self.read_with(sealer, key)? {
            None => Ok(Vec::new()),
            Some(t) => serde_json::from_str(&t).map_err(|e| corrupt(key, e)),
        }
    }

    /// Records a visit. On any error nothing was written.
    pub fn add(&self, visit: &Visit) -> Result<(), StoreError> {
        let key = format!("{DAY_PREFIX}{}", visit.date());
        let mut day = self.day(&key)?;
        day.push(visit.clone());
        self.write(&key, json(&day)?)
    }

    /// Every visit, oldest day first, and the keys of days that cannot be read (kept).
    pub fn visits(&self) -> Result<(Vec<Visit>, Vec<String>), StoreError> {
        let mut keys: Vec<String> = self
            .kv
            .keys()?
            .into_iter()
            .filter(|k| k.starts_with(DAY_PREFIX))
            .collect();
        keys.sort();
        let mut out = Vec::new();
        let mut damaged = Vec::new();
        // The lock's state read once for the whole log, not once a day.
        let sealer = super::vault::Sealer::of(&self.kv);
        for k in keys {
            match self.day_with(&sealer, &k) {
                Ok(mut d) => out.append(&mut d),
                Err(StoreError::Corrupt { .. }) => damaged.push(k),
                Err(e) => return Err(e),
            }
        }
        Ok((out, damaged))
    }

    /// Surveys started from a walk-list household and completed are visits. The survey
    /// screen does not write the log (that would put the log's code in the app's first
    /// load): this brings the log up to date, once per response, from what the responses
    /// say. A resident who declined at the consent question makes a refused visit (the
    /// survey asked nothing more). Returns how many visits it added.
    pub fn record_completed(
        &self,
        completed: &[super::HouseholdSurvey],
        worker: &str,
    ) -> Result<usize, StoreError> {
        let (visits, _) = self.visits()?;
        // Grouped by day: each day's record is read and written once, however many
        // surveys it gains (a sealed day is decrypted and encrypted once, not per visit).
        let mut by_day: std::collections::BTreeMap<String, Vec<Visit>> = Default::default();
        let mut added = 0;
        for s in completed {
            // Derived from the response: the same visit is never recorded twice.
            let id: String = s.response.chars().take(8).collect();
            if visits
                .iter()
                .any(|v| v.id == id && v.household == s.household)
            {
                continue;
            }
            let outcome = if s.declined {
                crate::visits::log::Outcome::Refused
            } else {
                crate::visits::log::Outcome::Completed {
                    response: s.response.clone(),
                }
            };
            let visit = Visit {
                id,
                household: s.household.clone(),
                at: s.at.clone(),
                worker: worker.to_owned(),
                outcome,
            };
            by_day
                .entry(format!("{DAY_PREFIX}{}", visit.date()))
                .or_default()
                .push(visit);
            added += 1;
        }
        // A day at a time: a failure leaves earlier days recorded, and the next call
        // (which skips what is recorded) finishes the rest.
        for (key, new) in by_day {
            let mut day = self.day(&key)?;
            day.extend(new);
            self.write(&key, json(&day)?)?;
        }
        Ok(added)
    }
}
