//! The contract's indicators (指标), counted from the visit log: per worker, per month and
//! in total. Default target: 200 visits, as in the contract the domain brief quotes.

use super::coverage::Coverage;
use super::log::{Outcome, Visit};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Every attempt at a door counts as a visit (人次), whatever came of it.
    Visits,
    CompletedSurveys,
    /// Share of the walk list's households with a survey done, in per cent.
    CoveragePercent,
    /// Follow-ups referred or closed.
    FollowUpsHandled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub measure: Measure,
    pub goal: u32,
}

pub fn default_targets() -> Vec<Target> {
    vec![Target {
        measure: Measure::Visits,
        goal: 200,
    }]
}

/// How far along one measure is: in total, per worker and per month (`YYYY-MM`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u32,
    pub by_worker: BTreeMap<String, u32>,
    pub by_month: BTreeMap<String, u32>,
}

impl Tally {
    fn add(&mut self, worker: &str, month: &str) {
        self.total += 1;
        *self.by_worker.entry(worker.to_owned()).or_default() += 1;
        *self.by_month.entry(month.to_owned()).or_default() += 1;
    }

    /// Share of `goal` reached, capped at 1.
    pub fn progress(&self, goal: u32) -> f64 {
        if goal == 0 {
            1.0
        } else {
            (f64::from(self.total) / f64::from(goal)).min(1.0)
        }
    }
}

/// Visits and completed surveys. A household surveyed twice (a repeated visit, say)
/// counts as two visits but one completed survey.
pub fn visits_and_surveys(visits: &[Visit]) -> (Tally, Tally) {
    let mut all = Tally::default();
    let mut surveys = Tally::default();
    let mut first_survey: BTreeMap<&str, &Visit> = BTreeMap::new();
    for v in visits {
        all.add(&v.worker, v.month());
        if matches!(v.outcome, Outcome::Completed { .. }) {
            let slot = first_survey.entry(&v.household).or_insert(v);
            if v.at < slot.at {
                *slot = v;
            }
        }
    }
    for v in first_survey.values() {
        surveys.add(&v.worker, v.month());
    }
    (all, surveys)
}

/// Share of the walk list surveyed, in whole per cent (rounded down: a target is met only
/// when it really is).
pub fn coverage_percent(c: &Coverage) -> u32 {
    if c.total.households == 0 {
        return 0;
    }
    (c.total.get(super::coverage::Status::Surveyed) * 100 / c.total.households) as u32
}
