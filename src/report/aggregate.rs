//! Aggregates for the dashboard and the report: per-question distributions, cross-tabs and
//! the ranked needs, over the responses a filter selects. Counts from 1 to k-1 are shown as
//! "<k", never as a number, with one more cell hidden where the hidden one could be worked
//! out from a total (complementary suppression).
//!
//! `Prepared` recodes each column of one form (all its merged versions) to dense codes
//! once; a filter change then only counts, which keeps 100,000 responses under the
//! dashboard's 300 ms.

use super::dataset::{Column, Dataset};
use super::import::Shape;
use crate::form::{Form, Kind, Question};
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
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    match digits.trim_end_matches('-').parse::<f64>() {
        Ok(x) => (0, x, s.to_owned()),
        Err(_) => (1, 0.0, s.to_owned()),
    }
}

fn questions_of(form: &Form) -> Vec<(&Question, Option<&str>, &Text)> {
    fn go<'f>(
        qs: &'f [Question],
        repeat: Option<&'f str>,
        section: &'f Text,
        out: &mut Vec<(&'f Question, Option<&'f str>, &'f Text)>,
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
        go(&s.questions, None, &s.title, &mut out);
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

/// A count as published: a number, or hidden — because it is under k, or because it would
/// give such a one away (complementary suppression: the count itself is k or more, and is
/// labelled so, never as "<k").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Count(u32),
    /// From 1 to k−1.
    Under,
    /// k or more, hidden to protect another cell.
    Protects,
}

impl Shown {
    pub fn text(self, k: u32, lang: crate::i18n::Lang) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Under => format!("<{k}"),
            Shown::Protects => lang
                .pick("隐藏以保护其他格", "hidden to protect another cell")
                .to_owned(),
        }
    }

    pub fn count(self) -> Option<u32> {
        match self {
            Shown::Count(n) => Some(n),
            _ => None,
        }
    }

    pub fn is_hidden(self) -> bool {
        !matches!(self, Shown::Count(_))
    }

    /// One count on its own (an "answered" figure): under k it is hidden.
    pub fn of(n: u32, k: u32) -> Shown {
        if n > 0 && n < k {
            Shown::Under
        } else {
            Shown::Count(n)
        }
    }
}

/// Hides counts from 1 to k-1. When `additive` (the cells add up to a published total),
/// a lone hidden cell could be worked out by subtraction, so the next smallest is hidden too.
pub fn protect(counts: &[u32], k: u32, additive: bool) -> Vec<Shown> {
    let mut out: Vec<Shown> = counts.iter().map(|&n| Shown::of(n, k)).collect();
    if additive && out.iter().filter(|s| s.is_hidden()).count() == 1 {
        let next = counts
            .iter()
            .enumerate()
            .filter(|(i, &n)| n > 0 && !out[*i].is_hidden())
            .min_by_key(|(_, &n)| n)
            .map(|(i, _)| i);
        if let Some(i) = next {
            out[i] = Shown::Protects;
        }
    }
    out
}

/// A cross-tab as published: every row and every column protected, until nothing changes.
pub fn protect_table(cells: &[Vec<u32>], k: u32) -> Vec<Vec<Shown>> {
    let mut out: Vec<Vec<Shown>> = cells.iter().map(|r| protect(r, k, true)).collect();
    let cols = cells.first().map_or(0, Vec::len);
    for _ in 0..4 {
        let mut changed = false;
        // Columns.
        for c in 0..cols {
            let col: Vec<u32> = cells.iter().map(|r| r[c]).collect();
            let hidden: Vec<bool> = out.iter().map(|r| r[c].is_hidden()).collect();
            if hidden.iter().filter(|h| **h).count() == 1 {
                if let Some((i, _)) = col
                    .iter()
                    .enumerate()
                    .filter(|(i, &n)| n > 0 && !hidden[*i])
                    .min_by_key(|(_, &n)| n)
                {
                    out[i][c] = Shown::Protects;
                    changed = true;
                }
            }
        }
        // Rows.
        for (r, row) in out.iter_mut().enumerate() {
            if row.iter().filter(|s| s.is_hidden()).count() == 1 {
                if let Some((i, _)) = cells[r]
                    .iter()
                    .enumerate()
                    .filter(|(i, &n)| n > 0 && !row[*i].is_hidden())
                    .min_by_key(|(_, &n)| n)
                {
                    row[i] = Shown::Protects;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    out
}

/// Answers that are not a need ("none", "refused", "don't know"), left out of the ranking.
const NOT_A_NEED: [&str; 4] = ["none", "refused", "dont_know", "other"];

/// The needs ranked by how many chose them, most first: (value, label, count).
pub fn ranked(q: &Prepared, c: &Counts) -> Vec<(String, Text, u32)> {
    let mut out: Vec<(String, Text, u32)> = q
        .values
        .iter()
        .zip(&c.n)
        .filter(|((v, _), n)| **n > 0 && !NOT_A_NEED.contains(&v.as_str()))
        .map(|((v, l), n)| (v.clone(), l.clone(), *n))
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    out
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

/// Histogram bins of a numeric question: up to 12 distinct values each get a bar;
/// otherwise 10 bins of equal width. (label, count).
pub fn histogram(q: &Prepared, c: &Counts) -> Vec<(String, u32)> {
    let pairs: Vec<(f64, u32)> = q
        .values
        .iter()
        .zip(&c.n)
        .filter_map(|((v, _), n)| Some((v.parse::<f64>().ok()?, *n)))
        .collect();
    let present: Vec<&(f64, u32)> = pairs.iter().filter(|p| p.1 > 0).collect();
    if present.len() <= 12 {
        return present
            .iter()
            .map(|(x, n)| (crate::form::number_text(*x), *n))
            .collect();
    }
    let lo = present.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let hi = present
        .iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let integers = present.iter().all(|p| p.0.fract() == 0.0);
    let mut width = (hi - lo) / 10.0;
    if integers {
        width = width.ceil().max(1.0);
    }
    let mut bins = [0u32; 10];
    for (x, n) in &present {
        let i = (((x - lo) / width).floor() as usize).min(9);
        bins[i] += n;
    }
    bins.iter()
        .enumerate()
        .map(|(i, n)| {
            let a = lo + width * i as f64;
            let label = if integers {
                format!("{}-{}", a, a + width - 1.0)
            } else {
                format!(
                    "{}-{}",
                    crate::form::number_text((a * 100.0).round() / 100.0),
                    crate::form::number_text(((a + width) * 100.0).round() / 100.0)
                )
            };
            (label, *n)
        })
        .collect()
}

fn prepare(
    dense: &mut Vec<u32>,
    ds: &Dataset,
    entries: &[usize],
    q: &Question,
    repeat: Option<&str>,
    section: &Text,
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
        section: section.clone(),
        repeat: repeat.map(str::to_owned),
        measure,
        values,
        codes,
        multi,
    }
}
