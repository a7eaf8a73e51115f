//! The contract's indicators on the coordinator's side, from what the exports carry: visits
//! (every attempt at a door, as the workers' visit logs counted them) and completed surveys
//! (each household once), per worker and per month.

use super::dataset::Dataset;
use std::collections::{BTreeMap, HashSet};

/// Visits and completed surveys of one worker or one month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pair {
    pub visits: u32,
    pub surveys: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Indicators {
    pub total: Pair,
    pub by_worker: BTreeMap<String, Pair>,
    /// By `YYYY-MM`.
    pub by_month: BTreeMap<String, Pair>,
}

pub fn indicators(ds: &Dataset) -> Indicators {
    let mut out = Indicators::default();
    for v in &ds.visits {
        let w = ds.atoms.str(v.worker).to_owned();
        let m = ds.atoms.str(v.month).to_owned();
        out.total.visits += 1;
        out.by_worker.entry(w).or_default().visits += 1;
        out.by_month.entry(m).or_default().visits += 1;
    }
    // A household surveyed twice (two workers, a repeated visit) is one completed survey.
    let mut households = HashSet::new();
    for r in 0..ds.id.len() {
        if !ds.live[r] || !ds.completed[r] {
            continue;
        }
        if ds.household[r] != 0 && !households.insert(ds.household[r]) {
            continue;
        }
        let day = match ds.completed_on[r] {
            0 => ds.atoms.str(ds.started[r]),
            d => ds.atoms.str(d),
        };
        let month: String = day.chars().take(7).collect();
        out.total.surveys += 1;
        out.by_worker
            .entry(ds.atoms.str(ds.worker[r]).to_owned())
            .or_default()
            .surveys += 1;
        out.by_month.entry(month).or_default().surveys += 1;
    }
    out
}
