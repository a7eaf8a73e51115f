//! Aggregates for the dashboard and the report: per-question distributions, cross-tabs and
//! the ranked needs, over the responses a filter selects. What may be shown of them is
//! decided in one place, `disclosure` (through `publish`), never here.
//!
//! `Prepared` recodes each column of one form (all its merged versions) to dense codes
//! once; a filter change then only counts, which keeps 100,000 responses under the
//! dashboard's 300 ms.

use super::dataset::{Column, Dataset};
use super::import::Shape;
use crate::form::{Audience, Form, Kind, Question, Section};
use crate::i18n::Text;
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};

/// Which responses count.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// Empty: all.
    pub areas: BTreeSet<String>,
    pub workers: BTreeSet<String>,
    /// Dates, `YYYY-MM-DD`, on the completion date (the start date for drafts).
    pub from: Option<String>,
    pub to: Option<String>,
    pub completed_only: bool,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            areas: BTreeSet::new(),
            workers: BTreeSet::new(),
            from: None,
            to: None,
            completed_only: true,
        }
    }
}

/// How a question's answers are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// One value per answer, categories in a fixed order (choices, yes/no, bands).
    Categories,
    /// Several values per answer; shares are of those who answered.
    Multiple,
    /// A rating scale, 1 to `points`, with a mean.
    Rating,
    /// Numbers, in a histogram with a mean and a median.
    Numbers,
    /// Dates, by month.
    Months,
    /// Free text: only how many answered.
    Text,
}

/// One question of the merged form, ready to count.
pub struct Prepared {
    pub id: String,
    pub label: Text,
    pub section: Text,
    /// Asked in a section for the social worker only (visit outcome, follow-up): casework,
    /// not findings, and left out of the public report.
    pub worker: bool,
    /// The repeat it sits in (its items are counted, not the responses).
    pub repeat: Option<String>,
    pub measure: Measure,
    /// Category values in display order with labels; codes index this list + 1.
    pub values: Vec<(String, Text)>,
    /// Per row of its table: the dense code (0 = no answer), or for multiple choice the
    /// codes of each row in `multi`.
    codes: Vec<u32>,
    multi: Option<(Vec<u32>, Vec<u32>)>,
}

/// The dataset seen through one form id (all its versions): the questions every version
/// shares, ready to count, and the ones only some versions have.
pub struct View {
    pub form_id: String,
    /// Form entries of the dataset that are versions of this form.
    pub entries: Vec<usize>,
    pub questions: Vec<Prepared>,
    /// Questions not in every version: (id, label, the versions that have it).
    pub partial: Vec<(String, Text, Vec<u32>)>,
    /// Per response row: the parent row of each repeat item, chained down to responses.
    household_of: BTreeMap<String, Vec<u32>>,
}

fn yes_no() -> Vec<(String, Text)> {
    vec![
        ("true".into(), Text::new("是", "Yes")),
        ("false".into(), Text::new("否", "No")),
    ]
}

/// Sorts texts as people read numbers in them: `2`, `10-19`, `90+`, then words.
fn natural_key(s: &str) -> (u8, f64, String) {
    // The leading number only: "40-49" sorts as 40 (read with its dash it was no number,
    // and the bands fell behind "90+").
    let digits: String = s
        .chars()
        .enumerate()
        .take_while(|(i, c)| c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-'))
        .map(|(_, c)| c)
        .collect();
    match digits.parse::<f64>() {
        Ok(x) => (0, x, s.to_owned()),
        Err(_) => (1, 0.0, s.to_owned()),
    }
}

fn questions_of(form: &Form) -> Vec<(&Question, Option<&str>, &Section)> {
    fn go<'f>(
        qs: &'f [Question],
        repeat: Option<&'f str>,
        section: &'f Section,
        out: &mut Vec<(&'f Question, Option<&'f str>, &'f Section)>,
    ) {
        for q in qs {
            out.push((q, repeat, section));
            if let Kind::Repeat { questions, .. } = &q.kind {
                go(questions, Some(&q.id), section, out);
            }
        }
    }
    let mut out = Vec::new();
    for s in &form.sections {
        go(&s.questions, None, s, &mut out);
    }
    out
}

fn family(q: &Question) -> Option<(Shape, u8)> {
    let shape = super::import::shape_of(q)?;
    let kind = match q.kind {
        Kind::SingleChoice { .. } => 1,
        Kind::MultipleChoice { .. } => 2,
        Kind::YesNo => 3,
        Kind::Rating { .. } => 4,
        Kind::Integer { .. } | Kind::Decimal { .. } | Kind::Calculate { .. } => 5,
        Kind::Date => 6,
        Kind::ShortText { .. } | Kind::LongText { .. } => 7,
        Kind::Repeat { .. } => 8,
        Kind::Note => return None,
    };
    Some((shape, kind))
}

impl View {
    /// The view of `form_id`, or `None` if no file of it was merged.
    pub fn new(ds: &Dataset, form_id: &str) -> Option<View> {
        let mut entries: Vec<usize> = (0..ds.forms.len())
            .filter(|&i| ds.forms[i].form.id == form_id)
            .collect();
        if entries.is_empty() {
            return None;
        }
        entries.sort_by_key(|&i| ds.forms[i].form.version);
        let newest = &ds.forms[*entries.last()?].form;
        // A question is shared when every version has it, of the same kind.
        let per_version: Vec<HashMap<&str, (Shape, u8)>> = entries
            .iter()
            .map(|&i| {
                questions_of(&ds.forms[i].form)
                    .into_iter()
                    .filter_map(|(q, _, _)| Some((q.id.as_str(), family(q)?)))
                    .collect()
            })
            .collect();
        let mut partial = Vec::new();
        let mut shared = Vec::new();
        let mut seen = BTreeSet::new();
        for &i in entries.iter().rev() {
            for (q, repeat, section) in questions_of(&ds.forms[i].form) {
                let Some(fam) = family(q) else { continue };
                if !seen.insert(q.id.clone()) {
                    continue;
                }
                let have: Vec<u32> = entries
                    .iter()
                    .zip(&per_version)
                    .filter(|(_, m)| m.get(q.id.as_str()) == Some(&fam))
                    .map(|(&e, _)| ds.forms[e].form.version)
                    .collect();
                if have.len() == entries.len() {
                    shared.push((q, repeat, section));
                } else {
                    partial.push((q.id.clone(), q.label.clone(), have));
                }
            }
        }
        // In the newest version's order.
        let order: HashMap<&str, usize> = questions_of(newest)
            .iter()
            .enumerate()
            .map(|(n, (q, _, _))| (q.id.as_str(), n))
            .collect();
        shared.sort_by_key(|(q, _, _)| order.get(q.id.as_str()).copied().unwrap_or(usize::MAX));
        let mut dense = Vec::new();
        let questions = shared
            .into_iter()
            .filter(|(q, _, _)| !matches!(q.kind, Kind::Repeat { .. }))
            .map(|(q, repeat, section)| prepare(&mut dense, ds, &entries, q, repeat, section))
            .collect();
        let mut household_of = BTreeMap::new();
        for (name, t) in &ds.repeats {
            // Follow the chain of parents to the response.
            let mut rows: Vec<u32> = t.parent.clone();
            let mut up = t.parent_repeat.clone();
            while let Some(p) = up {
                let Some(pt) = ds.repeats.get(&p) else { break };
                for r in rows.iter_mut() {
                    *r = pt.parent.get(*r as usize).copied().unwrap_or(0);
                }
                up = pt.parent_repeat.clone();
            }
            household_of.insert(name.clone(), rows);
        }
        Some(View {
            form_id: form_id.to_owned(),
            entries,
            questions,
            partial,
            household_of,
        })
    }

    pub fn question(&self, id: &str) -> Option<&Prepared> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The responses the filter selects, as a mask over response rows.
    pub fn select(&self, ds: &Dataset, f: &Filter) -> Vec<bool> {
        let forms: BTreeSet<u16> = self.entries.iter().map(|&e| e as u16).collect();
        let wanted = |set: &BTreeSet<String>| -> Option<BTreeSet<u32>> {
            (!set.is_empty()).then(|| set.iter().filter_map(|s| ds.atoms.find(s)).collect())
        };
        let areas = wanted(&f.areas);
        let workers = wanted(&f.workers);
        (0..ds.id.len())
            .map(|r| {
                if !ds.live[r] || !forms.contains(&ds.form[r]) {
                    return false;
                }
                if f.completed_only && !ds.completed[r] {
                    return false;
                }
                if areas.as_ref().is_some_and(|a| !a.contains(&ds.area[r])) {
                    return false;
                }
                if workers.as_ref().is_some_and(|w| !w.contains(&ds.worker[r])) {
                    return false;
                }
                if f.from.is_some() || f.to.is_some() {
                    let day = match ds.completed_on[r] {
                        0 => ds.atoms.str(ds.started[r]),
                        d => ds.atoms.str(d),
                    };
                    if f.from.as_deref().is_some_and(|from| day < from)
                        || f.to.as_deref().is_some_and(|to| day > to)
                    {
                        return false;
                    }
                }
                true
            })
            .collect()
    }

    /// Whether row `row` of question `q`'s table belongs to a selected response.
    fn row_selected(&self, q: &Prepared, row: usize, mask: &[bool]) -> bool {
        match &q.repeat {
            None => mask[row],
            Some(rep) => self
                .household_of
                .get(rep)
                .and_then(|h| h.get(row))
                .is_some_and(|&hh| mask[hh as usize]),
        }
    }

    /// Counts of one question over the selected responses.
    pub fn count(&self, q: &Prepared, mask: &[bool]) -> Counts {
        let mut n = vec![0u32; q.values.len() + 1];
        let mut base = 0u32;
        match &q.multi {
            Some((ends, codes)) => {
                for row in 0..ends.len() {
                    if !self.row_selected(q, row, mask) {
                        continue;
                    }
                    let start = if row == 0 { 0 } else { ends[row - 1] as usize };
                    let vals = &codes[start..ends[row] as usize];
                    if vals.is_empty() {
                        continue;
                    }
                    base += 1;
                    for &c in vals {
                        n[c as usize] += 1;
                    }
                }
            }
            None => match &q.repeat {
                None => {
                    for (row, &c) in q.codes.iter().enumerate() {
                        if mask[row] {
                            n[c as usize] += 1;
                        }
                    }
                    base = n[1..].iter().sum();
                }
                Some(_) => {
                    for (row, &c) in q.codes.iter().enumerate() {
                        if self.row_selected(q, row, mask) {
                            n[c as usize] += 1;
                        }
                    }
                    base = n[1..].iter().sum();
                }
            },
        }
        Counts {
            base,
            n: n[1..].to_vec(),
        }
    }

    /// Counts of `q` (rows) by the categories of `by` (columns), `by` a question of the
    /// responses (not of a repeat) or `None` for the area.
    pub fn crosstab(&self, ds: &Dataset, q: &Prepared, by: By, mask: &[bool]) -> CrossTab {
        let (by_codes, by_values): (Vec<u32>, Vec<String>) = match by {
            By::Area => {
                let mut areas: Vec<u32> = ds.area.iter().copied().filter(|a| *a != 0).collect();
                areas.sort_unstable();
                areas.dedup();
                let mut names: Vec<(String, u32)> = areas
                    .iter()
                    .map(|&a| (ds.atoms.str(a).to_owned(), a))
                    .collect();
                names.sort();
                let dense: HashMap<u32, u32> = names
                    .iter()
                    .enumerate()
                    .map(|(i, (_, a))| (*a, i as u32 + 1))
                    .collect();
                (
                    ds.area
                        .iter()
                        .map(|a| dense.get(a).copied().unwrap_or(0))
                        .collect(),
                    names.into_iter().map(|(n, _)| n).collect(),
                )
            }
            By::Question(i) => {
                let b = &self.questions[i];
                (
                    b.codes.clone(),
                    b.values.iter().map(|(v, _)| v.clone()).collect(),
                )
            }
        };
        // One column more for the responses the `by` side says nothing of (no area, no
        // answer): dropped silently, the columns would not add up to the question's counts.
        let cols = by_values.len();
        let mut cells = vec![vec![0u32; cols + 1]; q.values.len()];
        let household = |row: usize| -> Option<usize> {
            match &q.repeat {
                None => Some(row),
                Some(rep) => self.household_of.get(rep)?.get(row).map(|h| *h as usize),
            }
        };
        let mut add = |row: usize, code: u32| {
            let Some(hh) = household(row) else { return };
            if !mask[hh] || code == 0 {
                return;
            }
            let b = match by_codes.get(hh).copied().unwrap_or(0) {
                0 => cols,
                b => b as usize - 1,
            };
            cells[code as usize - 1][b] += 1;
        };
        match &q.multi {
            Some((ends, codes)) => {
                for row in 0..ends.len() {
                    let start = if row == 0 { 0 } else { ends[row - 1] as usize };
                    for &c in &codes[start..ends[row] as usize] {
                        add(row, c);
                    }
                }
            }
            None => {
                for (row, &c) in q.codes.iter().enumerate() {
                    add(row, c);
                }
            }
        }
        let unknown = cells.iter().any(|r| r[cols] > 0);
        if !unknown {
            for r in &mut cells {
                r.pop();
            }
        }
        CrossTab {
            rows: q.values.clone(),
            columns: by_values,
            cells,
            unknown,
        }
    }

    /// The rows of the responses the mask selects, counted.
    pub fn selected(mask: &[bool]) -> usize {
        mask.iter().filter(|m| **m).count()
    }
}

/// What a cross-tab's columns are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Area,
    /// A question of the view (its index in `questions`), of the responses' level.
    Question(usize),
}

/// One question's counts: `n[i]` for `values[i]`; `base` answered it.
#[derive(Clone, Debug, PartialEq)]
pub struct Counts {
    pub base: u32,
    pub n: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CrossTab {
    pub rows: Vec<(String, Text)>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<u32>>,
    /// The cells have one column more than `columns`, last: responses without an area (or
    /// without an answer to the question they are crossed by).
    pub unknown: bool,
}

/// The question the "most pressing needs" are read from: a multiple choice named like
/// `top_needs` or `needs`, or the last multiple choice of a section named so.
pub fn needs_question(view: &View) -> Option<usize> {
    let qs = &view.questions;
    qs.iter()
        .position(|q| q.measure == Measure::Multiple && (q.id == "top_needs" || q.id == "needs"))
        .or_else(|| {
            qs.iter().rposition(|q| {
                q.measure == Measure::Multiple && q.id.contains("need") && q.repeat.is_none()
            })
        })
}

/// Mean and median of a numeric or rating question's counts.
pub fn mean_median(q: &Prepared, c: &Counts) -> Option<(f64, f64)> {
    let mut pairs: Vec<(f64, u32)> = q
        .values
        .iter()
        .zip(&c.n)
        .filter_map(|((v, _), n)| Some((v.parse::<f64>().ok()?, *n)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let total: u32 = pairs.iter().map(|p| p.1).sum();
    if total == 0 {
        return None;
    }
    let mean = pairs.iter().map(|(x, n)| x * f64::from(*n)).sum::<f64>() / f64::from(total);
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = f64::from(total) / 2.0;
    let mut acc = 0.0;
    let mut median = pairs[0].0;
    for (x, n) in &pairs {
        acc += f64::from(*n);
        if acc >= half {
            median = *x;
            break;
        }
    }
    Some((mean, median))
}

/// A numeric question's answers in bins a reader may see: every bin holds k answers or
/// more, so none needs hiding and no bin's label gives away one household's figure (the
/// bug this replaced listed each distinct value — "614", "707", "2462" — as a row). Edges
/// are round numbers (1, 2 or 5 × 10ⁿ apart), the width set by the middle of the data
/// (between the k-th smallest and the k-th largest answer, so one outlier cannot stretch
/// it); adjacent bins are merged until each holds k, and the lowest and highest bins are
/// open ("< 200", "≥ 2000") so the smallest and largest answers are not bracketed.
/// Nothing (stats only) when fewer than 2k answered.
pub fn number_bins(q: &Prepared, c: &Counts, k: u32) -> Vec<(Text, u32)> {
    let k = k.max(1);
    let mut pairs: Vec<(f64, u32)> = q
        .values
        .iter()
        .zip(&c.n)
        .filter_map(|((v, _), n)| Some((v.parse::<f64>().ok()?, *n)))
        .filter(|(x, n)| *n > 0 && x.is_finite())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: u32 = pairs.iter().map(|p| p.1).sum();
    if total < 2 * k {
        return Vec::new();
    }
    let at_rank = |rank: u32| -> f64 {
        let mut acc = 0;
        for (x, n) in &pairs {
            acc += n;
            if acc >= rank {
                return *x;
            }
        }
        pairs[pairs.len() - 1].0
    };
    let (low, high) = (at_rank(k), at_rank(total - k + 1));
    let integers = pairs.iter().all(|p| p.0.fract() == 0.0);
    let rough = ((high - low) / 8.0).max(f64::MIN_POSITIVE);
    let mut width = 10f64.powf(rough.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if width * step >= rough {
            width *= step;
            break;
        }
    }
    if integers {
        width = width.max(1.0).round();
    }
    let mut fine: BTreeMap<i64, u32> = BTreeMap::new();
    for (x, n) in &pairs {
        *fine.entry((x / width).floor() as i64).or_default() += n;
    }
    // Merge runs of fine bins until each holds k; what is left over at the top joins the
    // last bin.
    let mut bins: Vec<(i64, i64, u32)> = Vec::new();
    let (mut start, mut acc, mut left) = (None, 0u32, total);
    for (&i, &n) in &fine {
        let s = *start.get_or_insert(bins.last().map_or(i, |b| b.1 + 1));
        acc += n;
        left -= n;
        if acc >= k && (left >= k || left == 0) {
            bins.push((s, i, acc));
            start = None;
            acc = 0;
        }
    }
    if acc > 0 {
        if let Some(last) = bins.last_mut() {
            last.1 = *fine.keys().last().unwrap_or(&last.1);
            last.2 += acc;
        }
    }
    if bins.len() < 2 {
        return Vec::new();
    }
    let edge = |i: i64| crate::form::number_text((i as f64 * width * 1e6).round() / 1e6);
    let last = bins.len() - 1;
    bins.iter()
        .enumerate()
        .map(|(b, &(s, e, n))| {
            let label = if b == 0 {
                let t = format!("< {}", edge(e + 1));
                Text::new(t.clone(), t)
            } else if b == last {
                let t = format!("≥ {}", edge(s));
                Text::new(t.clone(), t)
            } else if integers {
                let hi = crate::form::number_text((e + 1) as f64 * width - 1.0);
                let t = if edge(s) == hi {
                    hi
                } else {
                    format!("{}–{hi}", edge(s))
                };
                Text::new(t.clone(), t)
            } else {
                Text::new(
                    format!("{}–{}（不含）", edge(s), edge(e + 1)),
                    format!("{} to under {}", edge(s), edge(e + 1)),
                )
            };
            (label, n)
        })
        .collect()
}

fn prepare(
    dense: &mut Vec<u32>,
    ds: &Dataset,
    entries: &[usize],
    q: &Question,
    repeat: Option<&str>,
    section: &Section,
) -> Prepared {
    let table = match repeat {
        None => Some(&ds.answers),
        Some(r) => ds.repeats.get(r),
    };
    let column = table.and_then(|t| ds.column(t, &q.id));
    let rows = table.map_or(0, |t| t.rows);
    // Categories the form names, in its order (the newest version first, then values
    // only older versions offered).
    let mut values: Vec<(String, Text)> = Vec::new();
    for &e in entries.iter().rev() {
        let form = &ds.forms[e].form;
        if let Some((fq, _, _)) = questions_of(form)
            .into_iter()
            .find(|(x, _, _)| x.id == q.id)
        {
            let more: Vec<(String, Text)> = match &fq.kind {
                Kind::SingleChoice { choices, other }
                | Kind::MultipleChoice { choices, other, .. } => {
                    let mut v: Vec<(String, Text)> = choices
                        .iter()
                        .map(|c| (c.value.clone(), c.label.clone()))
                        .collect();
                    if *other {
                        v.push(("other".into(), Text::new("其他", "Other")));
                    }
                    v
                }
                Kind::YesNo => yes_no(),
                Kind::Rating {
                    points, na_label, ..
                } => {
                    let mut v: Vec<(String, Text)> = (1..=*points)
                        .map(|p| (p.to_string(), Text::new(p.to_string(), p.to_string())))
                        .collect();
                    v.push((
                        crate::form::NOT_APPLICABLE.into(),
                        na_label
                            .clone()
                            .unwrap_or_else(|| Text::new("不适用", "N/A")),
                    ));
                    v
                }
                _ => Vec::new(),
            };
            for m in more {
                if !values.iter().any(|(v, _)| *v == m.0) {
                    values.push(m);
                }
            }
        }
    }
    let mut measure = match q.kind {
        Kind::MultipleChoice { .. } => Measure::Multiple,
        Kind::Rating { .. } => Measure::Rating,
        Kind::SingleChoice { .. } | Kind::YesNo => Measure::Categories,
        Kind::Date => Measure::Months,
        Kind::ShortText { .. } | Kind::LongText { .. } => Measure::Text,
        _ => Measure::Numbers,
    };
    // Atoms of the column, in order of first appearance, mapped to dense codes.
    // `dense` is indexed by atom (a scratch shared by every question, u32::MAX where
    // unseen, reset before returning): an array lookup per answer, not a hash.
    if dense.len() < ds.atoms.len() {
        dense.resize(ds.atoms.len(), u32::MAX);
    }
    let mut extra: Vec<u32> = Vec::new();
    let mut note = |a: u32, dense: &mut Vec<u32>| {
        if a != 0 && dense[a as usize] == u32::MAX {
            dense[a as usize] = 0;
            extra.push(a);
        }
    };
    match column {
        Some(Column::Scalar(v)) => v.iter().for_each(|&a| note(a, dense)),
        Some(Column::Multi { values, .. }) => values.iter().for_each(|&a| note(a, dense)),
        None => {}
    }
    // A numeric question whose answers were coarsened ("30-39", "6+") counts as bands.
    if measure == Measure::Numbers && extra.iter().any(|&a| ds.atoms.get(a).number.is_none()) {
        measure = Measure::Categories;
    }
    let key = |a: u32| -> String {
        let t = ds.atoms.str(a);
        if measure == Measure::Months {
            t.chars().take(7).collect()
        } else {
            t.to_owned()
        }
    };
    let mut others: Vec<String> = extra
        .iter()
        .map(|&a| key(a))
        .filter(|t| !values.iter().any(|(v, _)| v == t))
        .collect();
    others.sort_by(|a, b| {
        natural_key(a)
            .partial_cmp(&natural_key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    others.dedup();
    values.extend(
        others
            .into_iter()
            .map(|t| (t.clone(), Text::new(t.clone(), t))),
    );
    let position: HashMap<&str, u32> = values
        .iter()
        .enumerate()
        .map(|(i, (v, _))| (v.as_str(), i as u32 + 1))
        .collect();
    for &a in &extra {
        let code = position.get(key(a).as_str()).copied().unwrap_or(0);
        dense[a as usize] = code;
    }
    let (codes, multi) = match column {
        Some(Column::Scalar(v)) => {
            let mut c: Vec<u32> = v
                .iter()
                .map(|&a| if a == 0 { 0 } else { dense[a as usize] })
                .collect();
            c.resize(rows, 0);
            (c, None)
        }
        Some(Column::Multi { ends, values: vals }) => {
            let mut e = ends.clone();
            let last = e.last().copied().unwrap_or(0);
            e.resize(rows, last);
            let c = vals
                .iter()
                .map(|&a| if a == 0 { 0 } else { dense[a as usize] })
                .collect();
            (Vec::new(), Some((e, c)))
        }
        None => (
            vec![0; rows],
            (measure == Measure::Multiple).then(|| (vec![0; rows], Vec::new())),
        ),
    };
    for &a in &extra {
        dense[a as usize] = u32::MAX;
    }
    Prepared {
        id: q.id.clone(),
        label: q.label.clone(),
        section: section.title.clone(),
        worker: section.audience == Audience::Worker,
        repeat: repeat.map(str::to_owned),
        measure,
        values,
        codes,
        multi,
    }
}

#[cfg(test)]
mod order_tests {
    #[test]
    fn bands_sort_by_their_leading_number_then_words() {
        let mut v = vec!["90+", "10-19", "0-9", "不详", "80-89", "2", "-5"];
        v.sort_by(|a, b| {
            super::natural_key(a)
                .partial_cmp(&super::natural_key(b))
                .unwrap()
        });
        assert_eq!(v, ["-5", "0-9", "2", "10-19", "80-89", "90+", "不详"]);
    }
}
