//! What a screen or the report releases of one view and filter, every count of it a cell of
//! one disclosure ledger (`disclosure`), protected together: the dashboard's cards, the
//! needs ranking, the cross-tab, the report's tables and sentences all read their numbers
//! from here, so a count hidden in one place is hidden everywhere and no sum across them
//! gives it back.

use super::aggregate::{mean_median, number_bins, By, Counts, Measure, Prepared, View};
use super::dataset::Dataset;
use super::disclosure::{Cell, Ledger, Shown};
use crate::i18n::{Lang, Text};

/// One row of a published distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub value: String,
    pub label: Text,
    pub cell: Cell,
}

/// One question's published distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The question's index in the view.
    pub question: usize,
    pub measure: Measure,
    /// How many answered (repeat items for a roster question).
    pub base: Cell,
    pub rows: Vec<Row>,
    /// Mean (ratings and numbers) and median (numbers), where publishable: from k answers
    /// or more, and for ratings only over a distribution with nothing hidden (a rating's
    /// mean is a weighted sum of its cells and would give a hidden one back).
    pub mean: Option<f64>,
    pub median: Option<f64>,
}

/// A cross-tab as published.
#[derive(Clone, Debug, PartialEq)]
pub struct Cross {
    pub question: usize,
    pub by: By,
    pub rows: Vec<Text>,
    pub columns: Vec<Text>,
    /// `cells[row][column]`, the last column the responses the `by` side says nothing of
    /// when there are any.
    pub cells: Vec<Vec<Cell>>,
}

/// What to release.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope {
    /// The public report: questions of the worker's own sections are left out…
    pub public: bool,
    /// …but for their yes/no flags (follow-up needed), as counts, when the coordinator
    /// keeps them in.
    pub flags: bool,
    /// A cross-tab: (question index, by).
    pub cross: Option<(usize, By)>,
}

impl Scope {
    /// The survey report: the residents' questions, and the workers' flags if `flags`.
    pub fn report(flags: bool) -> Scope {
        Scope {
            public: true,
            flags,
            cross: None,
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Published {
    pub ledger: Ledger,
    /// How many responses the filter selected.
    pub selected: Cell,
    pub tables: Vec<Table>,
    pub cross: Option<Cross>,
}

/// A yes/no question (of the worker's sections: "follow-up needed").
pub fn is_flag(q: &Prepared) -> bool {
    q.measure == Measure::Categories
        && q.values.len() == 2
        && q.values[0].0 == "true"
        && q.values[1].0 == "false"
}

/// Rating answers kept apart from the scale ("not applicable") and shown only when given.
fn is_not_applicable(v: &str) -> bool {
    v == crate::form::NOT_APPLICABLE
}

impl Published {
    /// Counts, relates and protects everything `scope` releases of `view` over `mask`.
    pub fn new(ds: &Dataset, view: &View, mask: &[bool], k: u32, scope: Scope) -> Published {
        let mut ledger = Ledger::new(k);
        let selected = ledger.cell(View::selected(mask) as u32);
        let mut tables = Vec::new();
        let mut counts = Vec::new();
        for (i, q) in view.questions.iter().enumerate() {
            if scope.public && q.worker && !(scope.flags && is_flag(q)) {
                continue;
            }
            let c = view.count(q, mask);
            tables.push(table(&mut ledger, i, q, &c, k));
            counts.push(c);
        }
        let cross = scope.cross.and_then(|(qi, by)| {
            let q = view.questions.get(qi)?;
            if !crossable(q.measure) {
                return None;
            }
            let t = view.crosstab(ds, q, by, mask);
            let card = tables.iter().find(|t| t.question == qi)?;
            let mut columns: Vec<Text> = match by {
                By::Area => t
                    .columns
                    .iter()
                    .map(|c| Text::new(c.clone(), c.clone()))
                    .collect(),
                By::Question(b) => view.questions[b]
                    .values
                    .iter()
                    .map(|(_, l)| l.clone())
                    .collect(),
            };
            if t.unknown {
                columns.push(match by {
                    By::Area => Text::new("片区不明", "area unknown"),
                    By::Question(_) => Text::new("未回答", "no answer"),
                });
            }
            let width = t.cells.first().map_or(0, Vec::len);
            let cells: Vec<Vec<Cell>> = t
                .cells
                .iter()
                .map(|r| r.iter().map(|&n| ledger.cell(n)).collect())
                .collect();
            // Each row adds up to the card's count of that answer (published), each column
            // to a total the cross-tab does not show.
            for (r, (value, _)) in t.rows.iter().enumerate() {
                if let Some(row) = card.rows.iter().find(|x| x.value == *value) {
                    ledger.sum(row.cell, &cells[r]);
                }
            }
            for c in 0..width {
                let parts: Vec<Cell> = cells.iter().map(|r| r[c]).collect();
                let n = parts.iter().map(|&p| ledger.value(p)).sum();
                let total = ledger.silent(n);
                ledger.sum(total, &parts);
            }
            Some(Cross {
                question: qi,
                by,
                rows: t.rows.iter().map(|(_, l)| l.clone()).collect(),
                columns,
                cells,
            })
        });
        let questions: Vec<&Prepared> =
            tables.iter().map(|t| &view.questions[t.question]).collect();
        finish(ledger, selected, tables, &questions, &counts, cross)
    }

    /// The release of given counts (one table per question), for tests that craft them.
    pub fn of_counts(k: u32, selected: u32, items: &[(&Prepared, Counts)]) -> Published {
        let mut ledger = Ledger::new(k);
        let selected = ledger.cell(selected);
        let tables = items
            .iter()
            .enumerate()
            .map(|(i, (q, c))| table(&mut ledger, i, q, c, k))
            .collect();
        let questions: Vec<&Prepared> = items.iter().map(|(q, _)| *q).collect();
        let counts: Vec<Counts> = items.iter().map(|(_, c)| c.clone()).collect();
        finish(ledger, selected, tables, &questions, &counts, None)
    }

    pub fn k(&self) -> u32 {
        self.ledger.k()
    }

    pub fn shown(&self, c: Cell) -> Shown {
        self.ledger.shown(c)
    }

    pub fn table(&self, question: usize) -> Option<&Table> {
        self.tables.iter().find(|t| t.question == question)
    }

    /// A row's share of those who answered, in whole percent, where both are shown.
    pub fn percent(&self, t: &Table, row: &Row) -> Option<u32> {
        let n = self.shown(row.cell).count()?;
        let base = self.shown(t.base).count().filter(|b| *b > 0)?;
        Some((f64::from(n) * 100.0 / f64::from(base)).round() as u32)
    }

    /// A needs question's rows, most chosen first by their published counts; hidden ones
    /// after, in the form's order (ranked by their true counts, their order would tell).
    /// "None", "refused" and "don't know" are no need; "other" is one.
    pub fn ranking<'t>(&self, t: &'t Table) -> Vec<&'t Row> {
        let mut shown: Vec<&'t Row> = t
            .rows
            .iter()
            .filter(|r| !matches!(r.value.as_str(), "none" | "refused" | "dont_know"))
            .filter(|r| self.shown(r.cell) != Shown::Count(0))
            .collect();
        shown.sort_by_key(|r| match self.shown(r.cell) {
            Shown::Count(n) => (0, u32::MAX - n),
            _ => (1, 0),
        });
        shown
    }

    /// How many counts the release hides: (under k, protecting another).
    pub fn hidden(&self) -> (usize, usize) {
        let mut out = (0, 0);
        for c in 0..self.ledger.len() {
            if self.ledger.is_silent(c) {
                continue;
            }
            match self.shown(c) {
                Shown::Under => out.0 += 1,
                Shown::Protects => out.1 += 1,
                Shown::Count(_) => {}
            }
        }
        out
    }

    /// Every count released, as shown: for tests that compare the screen with it.
    pub fn text(&self, c: Cell, lang: Lang) -> String {
        self.shown(c).text(self.k(), lang)
    }
}

/// Protects the ledger, then adds the statistics the protected tables allow.
fn finish(
    mut ledger: Ledger,
    selected: Cell,
    mut tables: Vec<Table>,
    questions: &[&Prepared],
    counts: &[Counts],
    cross: Option<Cross>,
) -> Published {
    ledger.protect();
    let k = ledger.k();
    for ((t, q), c) in tables.iter_mut().zip(questions).zip(counts) {
        let base = ledger.shown(t.base);
        let whole = !t.rows.iter().any(|r| ledger.shown(r.cell).is_hidden());
        match t.measure {
            Measure::Rating if whole && base.count().is_some_and(|b| b >= k) => {
                // The scale's points only: "not applicable" is no rating.
                let mut scale = c.clone();
                for (n, (v, _)) in scale.n.iter_mut().zip(&q.values) {
                    if is_not_applicable(v) {
                        *n = 0;
                    }
                }
                t.mean = mean_median(q, &scale).map(|m| m.0);
            }
            Measure::Numbers if base.count().is_some_and(|b| b >= k) => {
                if let Some((mean, median)) = mean_median(q, c) {
                    t.mean = Some(mean);
                    t.median = Some(median);
                }
            }
            _ => {}
        }
    }
    Published {
        ledger,
        selected,
        tables,
        cross,
    }
}

/// Whether a question can be crossed: categories only (numbers and dates come as bins of
/// their own, free text is not counted).
pub fn crossable(m: Measure) -> bool {
    !matches!(m, Measure::Text | Measure::Numbers | Measure::Months)
}

/// One question's distribution as cells of the ledger, with its relations.
fn table(ledger: &mut Ledger, i: usize, q: &Prepared, c: &Counts, k: u32) -> Table {
    let base = ledger.cell(c.base);
    let mut rows: Vec<Row> = Vec::new();
    match q.measure {
        Measure::Text => {}
        Measure::Numbers => {
            for (label, n) in number_bins(q, c, k) {
                rows.push(Row {
                    value: label.en.clone(),
                    label,
                    cell: ledger.cell(n),
                });
            }
        }
        Measure::Months => {
            // Months come from the answers themselves: a month under k would name one
            // household's date, so those months are pooled into one row.
            let mut pooled = 0;
            for ((v, l), &n) in q.values.iter().zip(&c.n) {
                if n >= k {
                    rows.push(Row {
                        value: v.clone(),
                        label: l.clone(),
                        cell: ledger.cell(n),
                    });
                } else {
                    pooled += n;
                }
            }
            if pooled > 0 {
                rows.push(Row {
                    value: "other_months".into(),
                    label: Text::new("其他月份", "other months"),
                    cell: ledger.cell(pooled),
                });
            }
        }
        _ => {
            for ((v, l), &n) in q.values.iter().zip(&c.n) {
                // "Not applicable" on a rating only when someone said it.
                if n == 0 && is_not_applicable(v) {
                    continue;
                }
                rows.push(Row {
                    value: v.clone(),
                    label: l.clone(),
                    cell: ledger.cell(n),
                });
            }
        }
    }
    let cells: Vec<Cell> = rows.iter().map(|r| r.cell).collect();
    let adds_up = cells.iter().map(|&r| ledger.value(r)).sum::<u32>() == c.base;
    if q.measure == Measure::Multiple || !adds_up {
        for &r in &cells {
            ledger.within(base, r);
        }
    } else if !cells.is_empty() {
        ledger.sum(base, &cells);
    }
    Table {
        question: i,
        measure: q.measure,
        base,
        rows,
        mean: None,
        median: None,
    }
}
