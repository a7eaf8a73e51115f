//! Coverage: where each household stands after its visits, per building and overall.

use super::log::{Outcome, Visit};
use super::walk::WalkList;
use std::collections::BTreeMap;

/// A household's standing, from the most to the least settled: a survey done settles it
/// whatever came before or after; otherwise its latest visit says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Surveyed,
    Refused,
    MovedOrVacant,
    /// Asked to come back.
    Revisit,
    NotHome,
    Other,
    NeverVisited,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Surveyed,
        Status::Refused,
        Status::MovedOrVacant,
        Status::Revisit,
        Status::NotHome,
        Status::Other,
        Status::NeverVisited,
    ];

    /// Reached: someone answered the door (or the home was found empty).
    pub fn reached(self) -> bool {
        matches!(
            self,
            Status::Surveyed | Status::Refused | Status::MovedOrVacant | Status::Revisit
        )
    }
}

fn status_of(visits: &[&Visit]) -> Status {
    if visits
        .iter()
        .any(|v| matches!(v.outcome, Outcome::Completed { .. }))
    {
        return Status::Surveyed;
    }
    match visits
        .iter()
        .max_by(|a, b| a.at.cmp(&b.at))
        .map(|v| &v.outcome)
    {
        None => Status::NeverVisited,
        Some(Outcome::Completed { .. }) => Status::Surveyed,
        Some(Outcome::Refused) => Status::Refused,
        Some(Outcome::MovedOrVacant) => Status::MovedOrVacant,
        Some(Outcome::ComeBack { .. }) => Status::Revisit,
        Some(Outcome::NotHome) => Status::NotHome,
        Some(Outcome::Other { .. }) => Status::Other,
    }
}

/// Households by status, and how many.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_status: BTreeMap<Status, usize>,
    pub households: usize,
}

impl Counts {
    pub fn get(&self, s: Status) -> usize {
        self.by_status.get(&s).copied().unwrap_or(0)
    }

    pub fn reached(&self) -> usize {
        self.by_status
            .iter()
            .filter(|(s, _)| s.reached())
            .map(|(_, n)| n)
            .sum()
    }

    fn add(&mut self, s: Status) {
        *self.by_status.entry(s).or_default() += 1;
        self.households += 1;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Each household's status, in walk-list order.
    pub households: Vec<(String, Status)>,
    /// Per building, in walk-list order.
    pub buildings: Vec<(String, Counts)>,
    pub total: Counts,
}

/// Every household's status and the counts, in one pass over the log (a community's
/// 2,130 households and thousands of visits: the coverage screen's whole cost).
pub fn coverage(list: &WalkList, visits: &[Visit]) -> Coverage {
    let mut by_household: BTreeMap<&str, Vec<&Visit>> = BTreeMap::new();
    for v in visits {
        by_household.entry(&v.household).or_default().push(v);
    }
    let mut out = Coverage::default();
    let mut building_at: BTreeMap<&str, usize> = BTreeMap::new();
    for h in &list.households {
        let s = status_of(
            by_household
                .get(h.id.as_str())
                .map_or(&[][..], Vec::as_slice),
        );
        out.households.push((h.id.clone(), s));
        let i = *building_at.entry(&h.building).or_insert_with(|| {
            out.buildings.push((h.building.clone(), Counts::default()));
            out.buildings.len() - 1
        });
        out.buildings[i].1.add(s);
        out.total.add(s);
    }
    out
}
