//! The coordinator's merged dataset: every accepted file's responses and visits, held by
//! column so that 100,000 responses fit in a browser tab and re-aggregate in milliseconds.
//!
//! Every text value (a choice, a band, a date, an area, a worker code) is interned once as
//! an `Atom`; a column holds atom numbers, 0 meaning "no answer". A response already merged
//! (same pseudonym) is skipped, unless the new copy completes a draft, which then replaces it.

use super::import::{shape_of, Checked, Header, Outcome, ProjectRef, Shape, Status};
use super::json::In;
use crate::form::{Form, Question};
use std::collections::{BTreeMap, HashMap};

/// An interned value: its text as the file wrote it, and whether it was a JSON number
/// (the merged export writes it back as one).
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    pub text: Box<str>,
    pub number: Option<f64>,
    pub boolean: bool,
}

#[derive(Debug, Default)]
pub struct Atoms {
    list: Vec<Atom>,
    /// Texts, numbers and booleans apart: `3` and `"3"` are different answers.
    index: [HashMap<Box<str>, u32>; 3],
}

impl Atoms {
    fn new() -> Atoms {
        let mut a = Atoms::default();
        // Atom 0: no answer.
        a.list.push(Atom {
            text: "".into(),
            number: None,
            boolean: false,
        });
        a
    }

    fn intern(&mut self, text: &str, kind: u8, number: Option<f64>) -> u32 {
        if let Some(&n) = self.index[kind as usize].get(text) {
            return n;
        }
        let n = self.list.len() as u32;
        self.list.push(Atom {
            text: text.into(),
            number,
            boolean: kind == 2,
        });
        self.index[kind as usize].insert(text.into(), n);
        n
    }

    pub fn text(&mut self, text: &str) -> u32 {
        self.intern(text, 0, None)
    }

    /// The atom of a text already interned, without interning it.
    pub fn find(&self, text: &str) -> Option<u32> {
        self.index[0].get(text).copied()
    }

    fn value(&mut self, v: &In) -> u32 {
        match v {
            In::Str(s) => self.intern(s, 0, None),
            In::Num(x) => {
                let t = crate::form::number_text(*x);
                self.intern(&t, 1, Some(*x))
            }
            In::Bool(b) => self.intern(if *b { "true" } else { "false" }, 2, None),
            _ => 0,
        }
    }

    pub fn get(&self, n: u32) -> &Atom {
        &self.list[n as usize]
    }

    pub fn str(&self, n: u32) -> &str {
        &self.list[n as usize].text
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.len() <= 1
    }
}

/// One question's answers, a slot per row.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    Scalar(Vec<u32>),
    /// Row `r`'s values are `values[ends[r-1]..ends[r]]`.
    Multi {
        ends: Vec<u32>,
        values: Vec<u32>,
    },
}

impl Column {
    fn new(shape: Shape) -> Column {
        match shape {
            Shape::Multi => Column::Multi {
                ends: Vec::new(),
                values: Vec::new(),
            },
            _ => Column::Scalar(Vec::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::Scalar(v) => v.len(),
            Column::Multi { ends, .. } => ends.len(),
        }
    }

    /// Pads with "no answer" up to `rows`.
    fn pad(&mut self, rows: usize) {
        match self {
            Column::Scalar(v) => v.resize(rows, 0),
            Column::Multi { ends, values } => {
                let end = values.len() as u32;
                ends.resize(rows, end);
            }
        }
    }

    pub fn scalar(&self, row: u32) -> u32 {
        match self {
            Column::Scalar(v) => v.get(row as usize).copied().unwrap_or(0),
            Column::Multi { .. } => 0,
        }
    }

    pub fn multi(&self, row: u32) -> &[u32] {
        match self {
            Column::Multi { ends, values } => {
                let r = row as usize;
                if r >= ends.len() {
                    return &[];
                }
                let start = if r == 0 { 0 } else { ends[r - 1] as usize };
                &values[start..ends[r] as usize]
            }
            Column::Scalar(_) => &[],
        }
    }
}

/// Rows of one level: the responses (households), or the items of one repeat.
#[derive(Debug, Default)]
pub struct Table {
    /// For a repeat: the row of the level above each item belongs to.
    pub parent: Vec<u32>,
    /// The repeat this one sits in (`None`: directly in the response).
    pub parent_repeat: Option<String>,
    pub columns: BTreeMap<String, Column>,
    pub rows: usize,
}

impl Table {
    fn column(&mut self, id: &str, shape: Shape) -> &mut Column {
        let rows = self.rows;
        let c = self
            .columns
            .entry(id.to_owned())
            .or_insert_with(|| Column::new(shape));
        c.pad(rows);
        c
    }
}

/// A form definition the dataset holds responses of.
#[derive(Debug)]
pub struct FormEntry {
    pub form: Form,
    pub sha256: String,
    /// Its canonical JSON.
    pub definition: String,
}

/// A file that was merged.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEntry {
    pub name: String,
    pub header: Header,
    /// Responses added, and skipped as already merged.
    pub added: usize,
    pub duplicates: usize,
    pub replaced: usize,
    pub visits_added: usize,
}

/// One visit as counted by the indicators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VisitRow {
    pub month: u32,
    pub worker: u32,
    pub outcome: Outcome,
}

/// What merging a file did.
#[derive(Clone, Debug, PartialEq)]
pub enum Merged {
    Added(Box<FileEntry>),
    /// The same responses and visits were merged before (as `name`).
    AlreadyImported {
        name: String,
    },
}

#[derive(Debug)]
pub struct Dataset {
    pub project: Option<ProjectRef>,
    pub files: Vec<FileEntry>,
    pub forms: Vec<FormEntry>,
    pub atoms: Atoms,
    /// Per response: pseudonym, household pseudonym atom, form entry, completed?,
    /// started and completed dates, worker, area (atoms), and whether it still counts (a
    /// draft later merged as completed does not).
    pub id: Vec<Box<str>>,
    pub household: Vec<u32>,
    pub form: Vec<u16>,
    pub completed: Vec<bool>,
    pub started: Vec<u32>,
    pub completed_on: Vec<u32>,
    pub worker: Vec<u32>,
    pub area: Vec<u32>,
    pub live: Vec<bool>,
    /// The responses' answers, and one table per repeat.
    pub answers: Table,
    pub repeats: BTreeMap<String, Table>,
    /// "Other, please specify" texts the workers let through: (row, path, text atom).
    pub other: Vec<(u32, Box<str>, u32)>,
    pub visits: Vec<VisitRow>,
    by_id: HashMap<Box<str>, u32>,
    visit_ids: std::collections::HashSet<Box<str>>,
}

impl Default for Dataset {
    fn default() -> Self {
        Dataset::new()
    }
}

impl Dataset {
    pub fn new() -> Dataset {
        Dataset {
            project: None,
            files: Vec::new(),
            forms: Vec::new(),
            atoms: Atoms::new(),
            id: Vec::new(),
            household: Vec::new(),
            form: Vec::new(),
            completed: Vec::new(),
            started: Vec::new(),
            completed_on: Vec::new(),
            worker: Vec::new(),
            area: Vec::new(),
            live: Vec::new(),
            answers: Table::default(),
            repeats: BTreeMap::new(),
            other: Vec::new(),
            visits: Vec::new(),
            by_id: HashMap::new(),
            visit_ids: Default::default(),
        }
    }

    /// Responses merged, counting a replaced draft once.
    pub fn len(&self) -> usize {
        self.live.iter().filter(|l| **l).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The workspace's project as the first file named it.
    pub fn project_of(&self) -> Option<(&str, &str)> {
        self.project
            .as_ref()
            .map(|p| (p.id.as_str(), p.name.as_str()))
    }

    /// Whether a file with this header was merged already.
    pub fn has_file(&self, header: &Header) -> Option<&FileEntry> {
        let key = header.key();
        self.files.iter().find(|f| f.header.key() == key)
    }

    /// The form entry for a file's form, or why it cannot be taken (same id and version,
    /// another definition).
    pub fn form_conflict(&self, header: &Header) -> bool {
        self.forms.iter().any(|f| {
            f.form.id == header.form
                && f.form.version == header.version
                && f.sha256 != header.form_sha256
        })
    }

    /// Merges a checked file. The caller has checked its project and form conflicts (see
    /// `report::accept`): merging itself cannot fail, so nothing is ever half-merged.
    pub fn merge(&mut self, name: &str, file: Checked) -> Merged {
        if let Some(f) = self.has_file(&file.header) {
            return Merged::AlreadyImported {
                name: f.name.clone(),
            };
        }
        if self.project.is_none() {
            self.project = Some(file.header.project.clone());
        }
        let form_index =
            match self.forms.iter().position(|f| {
                f.form.id == file.header.form && f.form.version == file.header.version
            }) {
                Some(i) => i,
                None => {
                    self.forms.push(FormEntry {
                        form: file.form,
                        sha256: file.header.form_sha256.clone(),
                        definition: file.definition,
                    });
                    self.forms.len() - 1
                }
            };
        let shapes = shapes_by_id(&self.forms[form_index].form);
        let mut entry = FileEntry {
            name: name.to_owned(),
            header: file.header,
            added: 0,
            duplicates: 0,
            replaced: 0,
            visits_added: 0,
        };
        for r in &file.records {
            if let Some(&old) = self.by_id.get(&*r.id) {
                let newer = !self.completed[old as usize] && r.status == Status::Completed;
                if !newer {
                    entry.duplicates += 1;
                    continue;
                }
                self.live[old as usize] = false;
                entry.replaced += 1;
            } else {
                entry.added += 1;
            }
            let row = self.id.len() as u32;
            self.by_id.insert((*r.id).into(), row);
            self.id.push((*r.id).into());
            let hh = r.household.as_deref().map_or(0, |h| self.atoms.text(h));
            self.household.push(hh);
            self.form.push(form_index as u16);
            self.completed.push(r.status == Status::Completed);
            let started = self.atoms.text(&r.started);
            self.started.push(started);
            let done = r.completed.as_deref().map_or(0, |c| self.atoms.text(c));
            self.completed_on.push(done);
            let worker = self.atoms.text(&r.worker);
            self.worker.push(worker);
            let area = r.area.as_deref().map_or(0, |a| self.atoms.text(a));
            self.area.push(area);
            self.live.push(true);
            if let Some(In::Obj(other)) = &r.other {
                for (path, text) in other {
                    if let Some(t) = text.as_str() {
                        let a = self.atoms.text(t);
                        self.other.push((row, (**path).into(), a));
                    }
                }
            }
            let mut answers = std::mem::take(&mut self.answers);
            self.put(&mut answers, None, row, &r.answers, &shapes);
            answers.rows += 1;
            self.answers = answers;
        }
        for v in &file.visits {
            if self.visit_ids.contains(&*v.id) {
                continue;
            }
            self.visit_ids.insert((*v.id).into());
            let month = self.atoms.text(&v.month);
            let worker = self.atoms.text(&v.worker);
            self.visits.push(VisitRow {
                month,
                worker,
                outcome: v.outcome,
            });
            entry.visits_added += 1;
        }
        self.files.push(entry.clone());
        Merged::Added(Box::new(entry))
    }

    /// Writes one object of answers as row `row` of `table` (and its repeats' items).
    fn put(
        &mut self,
        table: &mut Table,
        repeat: Option<&str>,
        row: u32,
        answers: &In,
        shapes: &HashMap<String, Shape>,
    ) {
        let In::Obj(fields) = answers else { return };
        for (k, v) in fields {
            let Some(&shape) = shapes.get(&**k) else {
                continue;
            };
            match (shape, v) {
                (Shape::Scalar, v) => {
                    let a = self.atoms.value(v);
                    if let Column::Scalar(c) = table.column(k, shape) {
                        c.push(a);
                    }
                }
                (Shape::Multi, In::List(items)) => {
                    let atoms: Vec<u32> = items.iter().map(|i| self.atoms.value(i)).collect();
                    if let Column::Multi { ends, values } = table.column(k, shape) {
                        values.extend(atoms);
                        ends.push(values.len() as u32);
                    }
                }
                (Shape::Repeat, In::List(items)) => {
                    let mut child = self.repeats.remove(&**k).unwrap_or_else(|| Table {
                        parent_repeat: repeat.map(str::to_owned),
                        ..Table::default()
                    });
                    for item in items {
                        let r = child.rows as u32;
                        child.parent.push(row);
                        self.put(&mut child, Some(k), r, item, shapes);
                        child.rows += 1;
                    }
                    self.repeats.insert((**k).to_owned(), child);
                }
                _ => {}
            }
        }
        // Columns this row did not answer get their "no answer" slot.
        let rows = row as usize + 1;
        for c in table.columns.values_mut() {
            if c.len() < rows {
                c.pad(rows);
            }
        }
    }

    /// Pads every column to its table's rows (after the last merge, before reading).
    pub fn seal(&mut self) {
        let rows = self.answers.rows;
        for c in self.answers.columns.values_mut() {
            c.pad(rows);
        }
        for t in self.repeats.values_mut() {
            let rows = t.rows;
            for c in t.columns.values_mut() {
                c.pad(rows);
            }
        }
    }

    /// The form ids merged, with their versions.
    pub fn form_ids(&self) -> BTreeMap<&str, Vec<u32>> {
        let mut out: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for f in &self.forms {
            out.entry(f.form.id.as_str())
                .or_default()
                .push(f.form.version);
        }
        for v in out.values_mut() {
            v.sort_unstable();
        }
        out
    }

    pub fn form_index(&self, id: &str, version: u32) -> Option<usize> {
        self.forms
            .iter()
            .position(|f| f.form.id == id && f.form.version == version)
    }
}

fn shapes_by_id(form: &Form) -> HashMap<String, Shape> {
    fn go(qs: &[Question], out: &mut HashMap<String, Shape>) {
        for q in qs {
            if let Some(s) = shape_of(q) {
                out.insert(q.id.clone(), s);
            }
            go(q.kind.children(), out);
        }
    }
    let mut out = HashMap::new();
    for s in &form.sections {
        go(&s.questions, &mut out);
    }
    out
}
