//! Visits in storage: the walk list (one key, written whole), the worker profile, and the
//! visit log kept by day (`doorstep.v.<YYYY-MM-DD>`): recording a visit rewrites one day's
//! few dozen visits, never the whole log, and a community's 3,000 visits stay small.

use super::{KvStore, StoreError};
use crate::visits::log::Visit;
use crate::visits::walk::{Household, WalkList};
use serde::{Deserialize, Serialize};

const WALK_KEY: &str = "doorstep.walk";
const WORKER_KEY: &str = "doorstep.worker";
const DAY_PREFIX: &str = "doorstep.v.";
const TARGETS_KEY: &str = "doorstep.targets";

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

/// The walk list as stored: households as `[id, building, unit, room]`.
#[derive(Serialize, Deserialize)]
struct StoredWalk {
    community: String,
    households: Vec<(String, String, String, String)>,
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

    pub fn walk_list(&self) -> Result<Option<WalkList>, StoreError> {
        let Some(text) = self.kv.get(WALK_KEY)? else {
            return Ok(None);
        };
        let stored: StoredWalk = serde_json::from_str(&text).map_err(|e| corrupt(WALK_KEY, e))?;
        let households = stored
            .households
            .iter()
            .map(|(id, b, u, r)| Household {
                id: id.clone(),
                ..Household::new(b, u, r)
            })
            .collect();
        WalkList::new(&stored.community, households)
            .map(Some)
            .map_err(|e| corrupt(WALK_KEY, e.describe().en))
    }

    /// One household of the walk list, read without checking the whole list (what the
    /// survey screen needs to fill in an address, kept light for the app's first load).
    pub fn household(&self, id: &str) -> Result<Option<Household>, StoreError> {
        let Some(text) = self.kv.get(WALK_KEY)? else {
            return Ok(None);
        };
        let stored: StoredWalk = serde_json::from_str(&text).map_err(|e| corrupt(WALK_KEY, e))?;
        Ok(stored.households.into_iter().find(|(h, ..)| h == id).map(
            |(id, building, unit, room)| Household {
                id,
                building,
                unit,
                room,
            },
        ))
    }

    /// Replaces the walk list in one write: the old one stays if it fails. Visits are kept
    /// (they name households by id, and ids follow the place).
    pub fn save_walk_list(&self, list: &WalkList) -> Result<(), StoreError> {
        let stored = StoredWalk {
            community: list.community.clone(),
            households: list
                .households
                .iter()
                .map(|h| {
                    (
                        h.id.clone(),
                        h.building.clone(),
                        h.unit.clone(),
                        h.room.clone(),
                    )
                })
                .collect(),
        };
        self.kv.set(WALK_KEY, &json(&stored)?)
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
        self.kv.set(WORKER_KEY, &json(w)?)
    }

    fn day(&self, key: &str) -> Result<Vec<Visit>, StoreError> {
        match self.kv.get(key)? {
            None => Ok(Vec::new()),
            Some(t) => serde_json::from_str(&t).map_err(|e| corrupt(key, e)),
        }
    }

    /// Records a visit. On any error nothing was written.
    pub fn add(&self, visit: &Visit) -> Result<(), StoreError> {
        let key = format!("{DAY_PREFIX}{}", visit.date());
        let mut day = self.day(&key)?;
        day.push(visit.clone());
        self.kv.set(&key, &json(&day)?)
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
        for k in keys {
            match self.day(&k) {
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
    /// say. Returns how many visits it added.
    pub fn record_completed(
        &self,
        completed: &[(String, String, String)],
        worker: &str,
    ) -> Result<usize, StoreError> {
        let (visits, _) = self.visits()?;
        let mut added = 0;
        for (response, household, at) in completed {
            let known = visits.iter().any(|v| {
                matches!(&v.outcome, crate::visits::log::Outcome::Completed { response: r } if r == response)
            });
            if known {
                continue;
            }
            self.add(&Visit {
                // Derived from the response: the same visit is never recorded twice.
                id: response.chars().take(8).collect(),
                household: household.clone(),
                at: at.clone(),
                worker: worker.to_owned(),
                outcome: crate::visits::log::Outcome::Completed {
                    response: response.clone(),
                },
            })?;
            added += 1;
        }
        Ok(added)
    }
}
