//! Disclosure control for everything the workspace shows and the report publishes, in one
//! place: every count a screen or the report releases is a cell of one `Ledger`, with the
//! sums and inclusions a reader knows hold between them (a question's answers add up to
//! how many answered it; a cross-tab's row adds up to the question's count of that answer;
//! those who chose an option are among those who answered). Then, as tau-ARGUS does it:
//!
//! - **primary suppression**: a count from 1 to k−1 is hidden and labelled "<k";
//! - **secondary (complementary) suppression**: while a reader could still work out a
//!   hidden count exactly, or a group of fewer than k from the difference of two shown
//!   numbers, one more count is hidden (the smallest that helps), labelled as hidden to
//!   protect another cell, never as "<k";
//! - **audit**: what a reader can work out is computed the way an attacker would, by
//!   narrowing each hidden count's interval over every published sum until nothing changes
//!   (the labels tell them "<k" is 1..k−1; a protecting cell's label claims no size). A release
//!   is clean when no hidden "<k" count is pinned to one value, no shown count is under k,
//!   and no shown total minus shown parts is from 1 to k−1.
//!
//! Zeros are shown (they are structural in a questionnaire: "nobody chose it" protects no
//! one) and are never hidden to protect another cell. Non-response is not treated as a
//! group to protect: how many did not answer a question is the selected count minus the
//! answered one, and both are shown when k or more (docs/workspace.md says so).

use crate::i18n::Lang;

/// A count as published: a number, or hidden — because it is under k, or because it would
/// give such a one away (complementary suppression: the count itself is k or more, and is
/// labelled so, never as "<k").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Count(u32),
    /// From 1 to k−1.
    Under,
    /// Hidden to protect another cell: a count of k or more (complementary suppression),
    /// or, where "<k" on it would itself give a neighbour away, any count. The label
    /// claims no size.
    Protects,
}

impl Shown {
    pub fn text(self, k: u32, lang: Lang) -> String {
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

    /// One count on its own (primary suppression): under k it is hidden.
    pub fn of(n: u32, k: u32) -> Shown {
        if n > 0 && n < k {
            Shown::Under
        } else {
            Shown::Count(n)
        }
    }
}

/// A cell of a ledger.
pub type Cell = usize;

/// What a reader of a release can work out that they should not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disclosure {
    /// A count from 1 to k−1 shown as it is.
    Shown { cell: Cell, n: u32 },
    /// A hidden count the published sums pin to one value.
    Pinned { cell: Cell, n: u32 },
    /// A shown total minus its shown parts: the hidden parts together hold 1..k−1.
    Group { relation: usize, n: u32 },
    /// Two shown counts, one within the other, differing by 1..k−1.
    Difference { whole: Cell, part: Cell, n: u32 },
}

#[derive(Clone, Debug, PartialEq)]
struct Relation {
    total: Cell,
    parts: Vec<Cell>,
}

/// The counts of one release and what holds between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    k: u32,
    value: Vec<u32>,
    shown: Vec<Shown>,
    /// Cells that are part of a relation but not published (a cross-tab's column total).
    silent: Vec<bool>,
    sums: Vec<Relation>,
    /// (whole, part): the part's records are among the whole's, not adding up with others.
    within: Vec<(Cell, Cell)>,
}

/// An interval bound standing for "no bound known".
const OPEN: i64 = 1 << 40;

impl Ledger {
    pub fn new(k: u32) -> Ledger {
        Ledger {
            k: k.max(1),
            value: Vec::new(),
            shown: Vec::new(),
            silent: Vec::new(),
            sums: Vec::new(),
            within: Vec::new(),
        }
    }

    pub fn k(&self) -> u32 {
        self.k
    }

    /// A published count.
    pub fn cell(&mut self, n: u32) -> Cell {
        self.value.push(n);
        self.shown.push(Shown::Count(n));
        self.silent.push(false);
        self.value.len() - 1
    }

    /// A count a reader does not see but that the sums involve (a cross-tab's column total).
    pub fn silent(&mut self, n: u32) -> Cell {
        let c = self.cell(n);
        self.silent[c] = true;
        c
    }

    /// `total` = the sum of `parts`.
    pub fn sum(&mut self, total: Cell, parts: &[Cell]) {
        debug_assert_eq!(
            self.value[total],
            parts.iter().map(|&p| self.value[p]).sum::<u32>(),
            "a sum that does not add up"
        );
        self.sums.push(Relation {
            total,
            parts: parts.to_vec(),
        });
    }

    /// `part`'s records are among `whole`'s (a multiple choice option and those who
    /// answered).
    pub fn within(&mut self, whole: Cell, part: Cell) {
        self.within.push((whole, part));
    }

    pub fn shown(&self, c: Cell) -> Shown {
        self.shown[c]
    }

    pub fn value(&self, c: Cell) -> u32 {
        self.value[c]
    }

    pub fn is_silent(&self, c: Cell) -> bool {
        self.silent[c]
    }

    pub fn len(&self) -> usize {
        self.value.len()
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Primary and complementary suppression until the audit finds nothing.
    pub fn protect(&mut self) {
        let k = self.k;
        for c in 0..self.value.len() {
            self.shown[c] = Shown::of(self.value[c], k);
        }
        // Each round hides at least one more cell, or says less of one ("<k" becomes
        // "hidden to protect"), or stops: a release has finitely many of either.
        for _ in 0..=2 * self.value.len() {
            let found = self.audit();
            if found.is_empty() {
                return;
            }
            // One repair per relation and round: two disclosures of one row are often one
            // problem, and hiding for both at once would hide more than needed.
            let mut changed: Vec<Cell> = Vec::new();
            let mut any = false;
            for d in &found {
                let touched = self.touched(d);
                if touched.iter().any(|c| changed.contains(c)) {
                    continue;
                }
                if let Some(c) = self.repair(d) {
                    changed.push(c);
                    any = true;
                }
            }
            if !any {
                // No shown count left to hide that would help (the others around are zeros
                // or hidden already, as when two "<k" cells add up to a "<k" total): say
                // less of a hidden one — its "<k" becomes "hidden to protect", which claims
                // no size — or, last, hide a zero.
                for d in &found {
                    let touched = self.touched(d);
                    if let Some(&c) = touched
                        .iter()
                        .rev()
                        .find(|&&c| self.shown[c] == Shown::Under && !self.silent[c])
                        .or_else(|| {
                            touched
                                .iter()
                                .find(|&&c| !self.shown[c].is_hidden() && !self.silent[c])
                        })
                    {
                        self.shown[c] = Shown::Protects;
                        break;
                    }
                }
            }
        }
    }

    fn touched(&self, d: &Disclosure) -> Vec<Cell> {
        match *d {
            Disclosure::Shown { cell, .. } => vec![cell],
            Disclosure::Pinned { cell, .. } => {
                let mut out = vec![cell];
                for r in &self.sums {
                    if r.total == cell || r.parts.contains(&cell) {
                        out.push(r.total);
                        out.extend(&r.parts);
                    }
                }
                out
            }
            Disclosure::Group { relation, .. } => {
                let r = &self.sums[relation];
                std::iter::once(r.total)
                    .chain(r.parts.iter().copied())
                    .collect()
            }
            Disclosure::Difference { whole, part, .. } => vec![whole, part],
        }
    }

    /// Hides `c` to protect another (it is k or more: those under are hidden already).
    fn hide(&mut self, c: Cell) -> Option<Cell> {
        if self.shown[c].is_hidden() || self.value[c] == 0 || self.silent[c] {
            return None;
        }
        self.shown[c] = Shown::Protects;
        Some(c)
    }

    /// The smallest shown, non-zero part of a relation, else its total.
    fn pick(&self, r: &Relation) -> Option<Cell> {
        r.parts
            .iter()
            .copied()
            .filter(|&p| !self.shown[p].is_hidden() && self.value[p] > 0 && !self.silent[p])
            .min_by_key(|&p| (self.value[p], p))
            .or_else(|| {
                (!self.shown[r.total].is_hidden()
                    && !self.silent[r.total]
                    && self.value[r.total] > 0)
                    .then_some(r.total)
            })
    }

    fn repair(&mut self, d: &Disclosure) -> Option<Cell> {
        match *d {
            Disclosure::Shown { cell, .. } => {
                self.shown[cell] = Shown::Under;
                Some(cell)
            }
            Disclosure::Group { relation, .. } => {
                let r = self.sums[relation].clone();
                self.pick(&r).and_then(|c| self.hide(c))
            }
            Disclosure::Difference { part, whole, .. } => {
                self.hide(part).or_else(|| self.hide(whole))
            }
            Disclosure::Pinned { cell, .. } => {
                // In the relation with the fewest hidden cells that holds it: another there.
                let mut best: Option<(usize, Cell)> = None;
                for r in &self.sums {
                    if r.total != cell && !r.parts.contains(&cell) {
                        continue;
                    }
                    let hidden = std::iter::once(r.total)
                        .chain(r.parts.iter().copied())
                        .filter(|&c| self.shown[c].is_hidden())
                        .count();
                    if let Some(c) = self.pick(r) {
                        if best.is_none_or(|(h, _)| hidden < h) {
                            best = Some((hidden, c));
                        }
                    }
                }
                best.and_then(|(_, c)| self.hide(c))
            }
        }
    }

    /// Each cell's interval as a reader can narrow it from what is published.
    pub fn bounds(&self) -> Vec<(i64, i64)> {
        let k = i64::from(self.k);
        let mut b: Vec<(i64, i64)> = (0..self.value.len())
            .map(|c| {
                if self.silent[c] {
                    return (0, OPEN);
                }
                match self.shown[c] {
                    Shown::Count(n) => (i64::from(n), i64::from(n)),
                    Shown::Under => (1, k - 1),
                    // No size: mostly k or more, but a "<k" may be relabelled so.
                    Shown::Protects => (0, OPEN),
                }
            })
            .collect();
        // Bounds propagation over every relation until it settles (each pass only narrows,
        // and the bounds are integers, so it ends; the cap keeps a pathological ledger fast).
        for _ in 0..64 {
            let mut changed = false;
            let mut narrow = |b: &mut Vec<(i64, i64)>, c: Cell, lo: i64, hi: i64| {
                let (l, h) = b[c];
                let (nl, nh) = (l.max(lo), h.min(hi));
                if (nl, nh) != (l, h) {
                    b[c] = (nl, nh);
                    changed = true;
                }
            };
            for r in &self.sums {
                // Upper bounds may be open: counted apart, so "the others' most" is open
                // exactly when one of the others is.
                let lo_sum: i64 = r.parts.iter().map(|&p| b[p].0).sum();
                let open = r.parts.iter().filter(|&&p| b[p].1 >= OPEN).count();
                let hi_finite: i64 = r.parts.iter().map(|&p| b[p].1).filter(|h| *h < OPEN).sum();
                let (tl, th) = b[r.total];
                narrow(
                    &mut b,
                    r.total,
                    lo_sum,
                    if open > 0 { OPEN } else { hi_finite },
                );
                for &p in &r.parts {
                    let (pl, ph) = b[p];
                    let others_lo = lo_sum - pl;
                    let others_open = open - usize::from(ph >= OPEN) > 0;
                    let lo = if others_open {
                        0
                    } else {
                        tl - (hi_finite - if ph >= OPEN { 0 } else { ph })
                    };
                    let hi = if th >= OPEN { OPEN } else { th - others_lo };
                    narrow(&mut b, p, lo, hi);
                }
            }
            for &(whole, part) in &self.within {
                let wh = b[whole].1;
                let pl = b[part].0;
                narrow(&mut b, part, 0, wh);
                narrow(&mut b, whole, pl, OPEN);
            }
            if !changed {
                break;
            }
        }
        b
    }

    /// What a reader can work out that they should not; empty when the release is clean.
    pub fn audit(&self) -> Vec<Disclosure> {
        let k = self.k;
        let mut out = Vec::new();
        for c in 0..self.value.len() {
            if let Shown::Count(n) = self.shown[c] {
                if !self.silent[c] && n > 0 && n < k {
                    out.push(Disclosure::Shown { cell: c, n });
                }
            }
        }
        let b = self.bounds();
        for (c, &(lo, hi)) in b.iter().enumerate() {
            if self.shown[c] == Shown::Under && lo == hi {
                out.push(Disclosure::Pinned {
                    cell: c,
                    n: lo as u32,
                });
            }
        }
        let exact = |c: Cell| -> Option<i64> {
            (!self.silent[c])
                .then(|| self.shown[c].count().map(i64::from))
                .flatten()
        };
        for (i, r) in self.sums.iter().enumerate() {
            let Some(t) = exact(r.total) else { continue };
            let mut rest = t;
            let mut hidden = 0;
            for &p in &r.parts {
                match exact(p) {
                    Some(n) => rest -= n,
                    None => hidden += 1,
                }
            }
            if hidden > 0 && rest > 0 && rest < i64::from(k) {
                out.push(Disclosure::Group {
                    relation: i,
                    n: rest as u32,
                });
            }
        }
        for &(whole, part) in &self.within {
            if let (Some(w), Some(p)) = (exact(whole), exact(part)) {
                let d = w - p;
                if d > 0 && d < i64::from(k) {
                    out.push(Disclosure::Difference {
                        whole,
                        part,
                        n: d as u32,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "disclosure_tests.rs"]
mod tests;
