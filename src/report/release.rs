//! The publication dataset: a record-level file the coordinator may hand on (to the street
//! office, a researcher, an open-data portal), k-anonymous over the household *and* its
//! members together — what issue 19 found broken when members were checked one by one.
//!
//! - **What a record holds**: a fresh random id (no pseudonym, no worker, no dates, no
//!   source file, records in random order), the area and the answers to the residents'
//!   questions; not free text, "other" texts, identifiers, or the workers' own sections.
//! - **Quasi-identifiers**: the area, every household question the form marks
//!   `quasi_identifier` (size, make-up, respondent's age band and sex…), and the roster as
//!   one value: the sorted list of its members' quasi-identifiers (age band, sex, relation).
//! - **Generalising before suppressing** (Sweeney's Datafly): while more than 5 % of the
//!   records sit in a group of fewer than k, the quasi-identifier with the most distinct
//!   values is taken one level coarser — an age band to 20 years, a small count to 0 / 1–2 /
//!   3+, the roster to members' coarse ages and sexes, then coarse ages only, then nothing;
//!   a category to "*". Then the records still in small groups have quasi-identifiers
//!   blanked one at a time (`export::kanon`, least important first), and those that still
//!   cannot reach k are withheld.
//! - **Information loss** is reported: each quasi-identifier's level, values blanked per
//!   question, records withheld.

use super::dataset::Dataset;
use crate::form::{Audience, Form, Kind, Privacy, Question};
use serde_json::{Map, Value as J};
use std::collections::{BTreeMap, BTreeSet};

/// What the release did to the data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loss {
    pub k: u32,
    /// Records released.
    pub records: usize,
    /// Records that could not reach k even with every quasi-identifier blanked.
    pub withheld: usize,
    /// Each quasi-identifier: (id, level reached, its most general level). Level 0 is the
    /// value as exported.
    pub levels: Vec<(String, u8, u8)>,
    /// Values blanked after generalising, by question id ("members" for the roster).
    pub blanked: BTreeMap<String, usize>,
}

/// The publication files.
pub struct Publication {
    pub ndjson: String,
    pub csv: String,
    pub codebook: String,
    pub loss: Loss,
}

/// Where a value stands on its hierarchy.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ladder {
    /// Category → "*".
    Category,
    /// Age-like number or band → 20-year band → "*".
    Age,
    /// Small count → 0 / 1–2 / 3+ → "*".
    Count,
}

impl Ladder {
    fn top(self) -> u8 {
        match self {
            Ladder::Category => 1,
            _ => 2,
        }
    }

    fn of(values: &BTreeSet<String>) -> Ladder {
        let nums: Vec<f64> = values.iter().filter_map(|v| lead_number(v)).collect();
        if nums.is_empty() || nums.len() < values.len() {
            Ladder::Category
        } else if nums.iter().any(|x| *x >= 15.0) {
            Ladder::Age
        } else {
            Ladder::Count
        }
    }

    fn at(self, v: &str, level: u8) -> String {
        if level == 0 {
            return v.to_owned();
        }
        if level >= self.top() {
            return "*".into();
        }
        let x = lead_number(v).unwrap_or(0.0);
        match self {
            Ladder::Age => {
                if x >= 80.0 {
                    "80+".into()
                } else {
                    let a = (x / 20.0).floor() * 20.0;
                    format!("{}-{}", a, a + 19.0)
                }
            }
            Ladder::Count => match x as i64 {
                i64::MIN..=0 => "0".into(),
                1..=2 => "1-2".into(),
                _ => "3+".into(),
            },
            Ladder::Category => "*".into(),
        }
    }
}

/// The number a value starts with: `42`, `40-49` → 40, `6+` → 6.
fn lead_number(v: &str) -> Option<f64> {
    let digits: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok()
}

fn text(v: &J) -> Option<String> {
    match v {
        J::String(s) => Some(s.clone()),
        J::Number(n) => Some(n.to_string()),
        J::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The roster's levels: 0 every member QI; 1 coarse age and sex; 2 coarse age; 3 nothing
/// (the roster's length stays, as the household size does).
const ROSTER_TOP: u8 = 3;

/// Whether the member quasi-identifier `id` stays at roster level `level`.
fn roster_keeps(level: u8, id: &str) -> bool {
    match level {
        0 => true,
        1 => id == "m_age" || id == "m_sex",
        2 => id == "m_age",
        _ => false,
    }
}

struct Qi {
    id: String,
    ladder: Ladder,
    level: u8,
}

/// The residents' questions a release may carry: no identifier, no free text, not the
/// workers' sections; the roster keeps its members' non-free-text questions.
fn public_form(form: &Form) -> Form {
    fn keep(q: &Question) -> bool {
        !matches!(
            q.privacy,
            Some(Privacy::Identifier) | Some(Privacy::FreeText)
        ) && !matches!(q.kind, Kind::ShortText { .. } | Kind::LongText { .. })
    }
    let mut f = form.clone();
    f.sections.retain(|s| s.audience == Audience::Resident);
    for s in &mut f.sections {
        s.questions.retain(keep);
        for q in &mut s.questions {
            if let Kind::Repeat { questions, .. } = &mut q.kind {
                questions.retain(keep);
            }
        }
    }
    f
}

/// Builds the publication dataset of `form_id`'s completed responses at `k`.
pub fn publication(ds: &Dataset, form_id: &str, k: u32) -> Option<Publication> {
    let k = k.max(2);
    let entry = ds.newest_form(form_id)?;
    let rules = crate::form::anonymise_rules(&entry.definition).unwrap_or_default();
    let form = public_form(&entry.form);
    let top: Vec<&Question> = form.sections.iter().flat_map(|s| &s.questions).collect();
    let roster = top.iter().find_map(|q| match &q.kind {
        Kind::Repeat { questions, .. } => Some((q.id.clone(), questions.clone())),
        _ => None,
    });
    let keep: BTreeSet<&str> = top
        .iter()
        .map(|q| q.id.as_str())
        .chain(
            roster
                .iter()
                .flat_map(|(_, qs)| qs.iter().map(|q| q.id.as_str())),
        )
        .collect();
    let roster_qi: Vec<String> = roster
        .iter()
        .flat_map(|(_, qs)| qs.iter())
        .filter(|q| q.privacy == Some(Privacy::QuasiIdentifier))
        .map(|q| q.id.clone())
        .collect();

    // The records: completed, of this form, answers cut to what may be published.
    let mut recs: Vec<(String, Map<String, J>)> = super::merged::records(ds)
        .into_iter()
        .filter(|r| r["form"] == form_id && r["status"] == "completed")
        .map(|r| {
            let area = r.get("area").and_then(J::as_str).unwrap_or("").to_owned();
            let mut answers = r
                .get("answers")
                .and_then(J::as_object)
                .cloned()
                .unwrap_or_default();
            answers.retain(|id, _| keep.contains(id.as_str()));
            if let Some((rid, _)) = &roster {
                if let Some(J::Array(items)) = answers.get_mut(rid) {
                    for m in items.iter_mut() {
                        if let J::Object(m) = m {
                            m.retain(|id, _| keep.contains(id.as_str()));
                        }
                    }
                }
            }
            (area, answers)
        })
        .collect();

    // The household quasi-identifiers and their hierarchies.
    let mut qis: Vec<Qi> = vec![Qi {
        id: "area".into(),
        ladder: Ladder::Category,
        level: 0,
    }];
    for q in &top {
        if q.privacy == Some(Privacy::QuasiIdentifier) && !matches!(q.kind, Kind::Repeat { .. }) {
            let values: BTreeSet<String> = recs
                .iter()
                .filter_map(|(_, a)| a.get(&q.id).and_then(text))
                .collect();
            qis.push(Qi {
                id: q.id.clone(),
                ladder: Ladder::of(&values),
                level: 0,
            });
        }
    }
    let member_ages: BTreeSet<String> = recs
        .iter()
        .flat_map(|(_, a)| roster_items(a, &roster))
        .filter_map(|m| m.get("m_age").and_then(text))
        .collect();
    let age_ladder = Ladder::of(&member_ages);
    let mut roster_level = 0u8;

    let value = |qi: &Qi, area: &str, a: &Map<String, J>| -> Option<String> {
        let v = if qi.id == "area" {
            (!area.is_empty()).then(|| area.to_owned())
        } else {
            a.get(&qi.id).and_then(text)
        }?;
        Some(qi.ladder.at(&v, qi.level))
    };
    let roster_sig = |a: &Map<String, J>, level: u8| -> Option<String> {
        roster.as_ref()?;
        let mut members: Vec<String> = roster_items(a, &roster)
            .map(|m| {
                roster_qi
                    .iter()
                    .filter(|id| roster_keeps(level, id))
                    .map(|id| {
                        let v = m.get(id).and_then(text).unwrap_or_default();
                        if id == "m_age" && level >= 1 {
                            age_ladder.at(&v, 1)
                        } else {
                            v
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        members.sort();
        Some(members.join(";"))
    };
    let tuples = |qis: &[Qi], roster_level: u8, recs: &[(String, Map<String, J>)]| {
        recs.iter()
            .map(|(area, a)| {
                let mut t: Vec<Option<String>> = qis.iter().map(|q| value(q, area, a)).collect();
                t.push(roster_sig(a, roster_level));
                t
            })
            .collect::<Vec<_>>()
    };

    // Datafly: generalise the QI with the most distinct values until few records are left
    // in small groups.
    let allowed = recs.len() / 20;
    loop {
        let rows = tuples(&qis, roster_level, &recs);
        if crate::export::kanon::small_groups(&rows, k as usize).len() <= allowed {
            break;
        }
        let distinct =
            |col: usize| -> usize { rows.iter().map(|r| &r[col]).collect::<BTreeSet<_>>().len() };
        let mut best: Option<(usize, usize)> = None;
        for (i, q) in qis.iter().enumerate() {
            if q.level < q.ladder.top() && q.id != "area" {
                let d = distinct(i);
                if best.is_none_or(|(_, bd)| d > bd) {
                    best = Some((i, d));
                }
            }
        }
        let roster_col = qis.len();
        if roster.is_some() && roster_level < ROSTER_TOP {
            let d = distinct(roster_col);
            if best.is_none_or(|(_, bd)| d > bd) {
                best = Some((roster_col, d));
            }
        }
        match best {
            Some((i, _)) if i == roster_col => roster_level += 1,
            Some((i, _)) => qis[i].level += 1,
            None => {
                // The area is generalised last: a release without areas is of least use.
                if qis[0].level < qis[0].ladder.top() {
                    qis[0].level += 1;
                } else {
                    break;
                }
            }
        }
    }

    // Suppression of what is left: least important first (the form's suppression order,
    // the roster, the area last).
    let mut rows = tuples(&qis, roster_level, &recs);
    let order_of = |id: &str| {
        rules
            .suppress_order
            .iter()
            .position(|x| x == id)
            .unwrap_or(usize::MAX / 2)
    };
    let mut cols: Vec<usize> = (1..qis.len()).collect();
    cols.sort_by_key(|&c| order_of(&qis[c].id));
    cols.push(qis.len()); // the roster
    cols.push(0); // the area
    let mut ordered: Vec<Vec<Option<String>>> = rows
        .iter()
        .map(|r| cols.iter().map(|&c| r[c].clone()).collect())
        .collect();
    let width = cols.len();
    let s = crate::export::kanon::suppress(&mut ordered, k as usize, width);
    let mut blanked = BTreeMap::new();
    for (j, &c) in cols.iter().enumerate() {
        let name = if c == qis.len() {
            roster.as_ref().map_or("members".into(), |r| r.0.clone())
        } else {
            qis[c].id.clone()
        };
        if s.blanked.get(j).copied().unwrap_or(0) > 0 {
            blanked.insert(name, s.blanked[j]);
        }
    }
    for (i, r) in ordered.iter().enumerate() {
        for (j, &c) in cols.iter().enumerate() {
            rows[i][c] = r[j].clone();
        }
    }
    let withheld: BTreeSet<usize> = s.unmet.iter().copied().collect();

    // The records as published.
    let mut out: Vec<(String, J)> = Vec::new();
    // (The area as published is the tuple's, generalised or blanked.)
    for (i, (_, mut a)) in recs.drain(..).enumerate() {
        if withheld.contains(&i) {
            continue;
        }
        let t = &rows[i];
        for (c, q) in qis.iter().enumerate().skip(1) {
            match &t[c] {
                Some(v) if q.level > 0 => {
                    a.insert(q.id.clone(), J::String(v.clone()));
                }
                Some(_) => {}
                None => {
                    a.remove(&q.id);
                }
            }
        }
        if let Some((rid, _)) = &roster {
            let blank = t[qis.len()].is_none();
            if let Some(J::Array(items)) = a.get_mut(rid) {
                for m in items.iter_mut() {
                    let J::Object(m) = m else { continue };
                    for id in &roster_qi {
                        let kept = !blank && roster_keeps(roster_level, id);
                        if !kept {
                            m.remove(id);
                        } else if id == "m_age" && roster_level >= 1 {
                            if let Some(v) = m.get(id).and_then(text) {
                                m.insert(id.clone(), J::String(age_ladder.at(&v, 1)));
                            }
                        }
                    }
                }
            }
        }
        let mut id = [0u8; 16];
        crate::vault::random(&mut id);
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let mut rec = Map::new();
        rec.insert("id".into(), J::String(id.clone()));
        if let Some(area) = &t[0] {
            rec.insert("area".into(), J::String(area.clone()));
        }
        rec.insert("answers".into(), J::Object(a));
        out.push((id, J::Object(rec)));
    }
    // Random order: the merge order would follow the workers' files.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let records: Vec<J> = out.into_iter().map(|(_, r)| r).collect();
    let mut ndjson = String::new();
    for r in &records {
        crate::export::digest::canonical(r, &mut ndjson);
        ndjson.push('\n');
    }
    let mut levels: Vec<(String, u8, u8)> = qis
        .iter()
        .map(|q| (q.id.clone(), q.level, q.ladder.top()))
        .collect();
    if let Some((rid, _)) = &roster {
        levels.push((rid.clone(), roster_level, ROSTER_TOP));
    }
    Some(Publication {
        csv: crate::export::table::release_csv(&form, &rules, &records),
        codebook: crate::export::table::codebook_csv(&form, &rules),
        ndjson,
        loss: Loss {
            k,
            records: records.len(),
            withheld: withheld.len(),
            levels,
            blanked,
        },
    })
}

fn roster_items<'a>(
    a: &'a Map<String, J>,
    roster: &Option<(String, Vec<Question>)>,
) -> impl Iterator<Item = &'a Map<String, J>> {
    roster
        .as_ref()
        .and_then(|(id, _)| a.get(id))
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(J::as_object)
}
