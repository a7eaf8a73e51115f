//! The visit log: every attempt at a household, with its time, worker and outcome. The visit
//! is the record: coverage and the contract's indicators are counted from it, never typed.

use serde::{Deserialize, Serialize};

/// Stored with short names (`{"k":"done","r":…}`): a community's thousands of visits share
/// localStorage with its responses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Outcome {
    /// The survey was done: the response it made.
    #[serde(rename = "done")]
    Completed {
        #[serde(rename = "r")]
        response: String,
    },
    NotHome,
    Refused,
    /// Moved away, or the home is empty.
    MovedOrVacant,
    /// Asked to come back, on `date` (`YYYY-MM-DD`).
    ComeBack {
        #[serde(rename = "d")]
        date: String,
    },
    /// Anything else, in the worker's words (a visit note: never exported).
    Other {
        #[serde(rename = "n")]
        note: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "h")]
    pub household: String,
    /// RFC 3339 with the device's offset: its first 7 characters are the local month.
    #[serde(rename = "t")]
    pub at: String,
    /// The worker's code (the worker profile), not their name.
    #[serde(rename = "w")]
    pub worker: String,
    #[serde(rename = "o")]
    pub outcome: Outcome,
}

impl Visit {
    /// `YYYY-MM`, in the time zone the visit was recorded in.
    pub fn month(&self) -> &str {
        self.at.get(..7).unwrap_or("")
    }

    pub fn date(&self) -> &str {
        self.at.get(..10).unwrap_or("")
    }
}

/// The visits to one household, oldest first.
pub fn of_household<'a>(visits: &'a [Visit], household: &str) -> Vec<&'a Visit> {
    let mut out: Vec<&Visit> = visits.iter().filter(|v| v.household == household).collect();
    out.sort_by(|a, b| a.at.cmp(&b.at));
    out
}

/// Households to go back to today: their latest visit asked to come back on or before
/// `today` (`YYYY-MM-DD`), and nothing has happened since. Oldest appointment first.
pub fn due(visits: &[Visit], today: &str) -> Vec<(String, String)> {
    let mut latest: std::collections::BTreeMap<&str, &Visit> = Default::default();
    for v in visits {
        let slot = latest.entry(&v.household).or_insert(v);
        if v.at > slot.at {
            *slot = v;
        }
    }
    let mut out: Vec<(String, String)> = latest
        .into_iter()
        .filter_map(|(h, v)| match &v.outcome {
            Outcome::ComeBack { date } if date.as_str() <= today => {
                Some((h.to_owned(), date.clone()))
            }
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    out
}
