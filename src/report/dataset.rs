//! The coordinator's merged dataset: every accepted file's responses and visits, held by
//! column so that 100,000 responses fit in a browser tab and re-aggregate in milliseconds.
//!
//! Every text value (a choice, a band, a date, an area, a worker code) is interned once as
//! an `Atom`; a column holds atom numbers, 0 meaning "no answer". A response already merged
//! (same pseudonym) is skipped, unless the new copy completes a draft, which then replaces it.

use super::import::{
    hex_id, is_date, json_error, shape_of, FormSource, Header, Outcome, Outline, Part, ProjectRef,
    Rejection, Shape, Status, VisitIn,
};
use super::json::Key;
use super::rules::{BadAnswer, Problem, Rule, Rules, MAX_OTHER};
use crate::export::link::LinkOpener;
use crate::form::{Form, Question};
use crate::i18n::Text;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

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
    index: [FxHashMap<Box<str>, u32>; 3],
    /// Numbers by their bits: formatting a float for every answer is what made merging slow.
    numbers: FxHashMap<u64, u32>,
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

    fn number(&mut self, x: f64) -> u32 {
        if let Some(&n) = self.numbers.get(&x.to_bits()) {
            return n;
        }
        let t = crate::form::number_text(x);
        let n = self.intern(&t, 1, Some(x));
        self.numbers.insert(x.to_bits(), n);
        n
    }

    fn boolean(&mut self, b: bool) -> u32 {
        self.intern(if b { "true" } else { "false" }, 2, None)
    }

    /// Forgets atoms from `len` on (a merge undone).
    fn truncate(&mut self, len: usize) {
        for a in self.list.drain(len..) {
            let kind = match (a.number, a.boolean) {
                (Some(_), _) => 1,
                (_, true) => 2,
                _ => 0,
            };
            self.index[kind].remove(&a.text);
            if let Some(x) = a.number {
                self.numbers.remove(&x.to_bits());
            }
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

    fn truncate(&mut self, rows: usize) {
        match self {
            Column::Scalar(v) => v.truncate(rows),
            Column::Multi { ends, values } => {
                ends.truncate(rows);
                values.truncate(ends.last().copied().unwrap_or(0) as usize);
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
    /// By the question's slot (`Dataset::slot_of`): an index, not a hash of its id, per answer.
    pub columns: Vec<Option<Column>>,
    pub rows: usize,
}

impl Table {
    fn truncate(&mut self, rows: usize) {
        self.rows = rows.min(self.rows);
        self.parent.truncate(rows);
        for c in self.columns.iter_mut().flatten() {
            c.truncate(rows);
        }
    }

    /// Ends the row being written: what it did not answer gets its "no answer" slot.
    fn end_row(&mut self) {
        self.rows += 1;
        let rows = self.rows;
        for c in self.columns.iter_mut().flatten() {
            if c.len() < rows {
                c.pad(rows);
            }
        }
    }

    fn column(&mut self, slot: u32, shape: Shape) -> &mut Column {
        let rows = self.rows;
        let i = slot as usize;
        if self.columns.len() <= i {
            self.columns.resize_with(i + 1, || None);
        }
        let c = self.columns[i].get_or_insert_with(|| Column::new(shape));
        c.pad(rows);
        c
    }

    /// The column of a question, by its slot.
    pub fn get(&self, slot: u32) -> Option<&Column> {
        self.columns.get(slot as usize)?.as_ref()
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
    /// Every question id met in any form, numbered: the column index in every table.
    slots: FxHashMap<String, u32>,
    by_id: FxHashMap<Box<str>, u32>,
    visit_ids: FxHashSet<Box<str>>,
    journal: Journal,
    /// The projects whose keys this browser holds: format 2 files are checked and opened
    /// with them.
    pub keys: super::import::Keyring,
    /// The k of each of the coordinator's projects, by id: where the data are released.
    pub release_k: std::collections::HashMap<String, u32>,
}

/// What the file being merged changed besides appending, so a failure can undo it.
#[derive(Debug, Default)]
struct Journal {
    /// Drafts a completed copy replaced.
    replaced: Vec<u32>,
    visit_ids: Vec<Box<str>>,
}

/// Lengths before a file's merge.
#[derive(Debug)]
struct Savepoint {
    files: usize,
    rows: usize,
    atoms: usize,
    repeats: BTreeMap<String, usize>,
    visits: usize,
    forms: usize,
    other: usize,
    project: bool,
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
            slots: FxHashMap::default(),
            by_id: FxHashMap::default(),
            visit_ids: FxHashSet::default(),
            journal: Journal::default(),
            keys: Default::default(),
            release_k: Default::default(),
        }
    }

    /// An empty dataset that opens the files of the projects in `keys`.
    pub fn with_keys(keys: super::import::Keyring) -> Dataset {
        Dataset {
            keys,
            ..Dataset::new()
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

    /// Merges a file whose outline passed: its responses are parsed straight into the
    /// columns and checked one by one (ids, dates, every answer a question of the form and
    /// of its shape). A response that fails undoes the whole file, so nothing is ever
    /// half-merged.
    pub fn merge(&mut self, name: &str, file: Outline) -> Result<Merged, Rejection> {
        if let Some(f) = self.has_file(&file.header) {
            return Ok(Merged::AlreadyImported {
                name: f.name.clone(),
            });
        }
        self.journal = Journal::default();
        let save = self.savepoint();
        match self.merge_rows(name, file) {
            Ok(entry) => Ok(Merged::Added(Box::new(entry))),
            Err(r) => {
                self.rollback(save);
                Err(r)
            }
        }
    }

    fn merge_rows(&mut self, name: &str, file: Outline) -> Result<FileEntry, Rejection> {
        let form_index = match file.form {
            FormSource::Known(i) => i,
            FormSource::Parsed { form, definition } => {
                self.forms.push(FormEntry {
                    form: *form,
                    sha256: file.header.form_sha256.clone(),
                    definition,
                });
                self.forms.len() - 1
            }
        };
        let rules = Rules::new(
            &self.forms[form_index].form,
            &file.header.free_text_included,
            &file.header.generalised,
            &mut self.atoms,
        );
        let shapes: Shapes = shapes_by_id(&self.forms[form_index].form)
            .into_iter()
            .map(|(id, shape)| {
                let next = self.slots.len() as u32;
                let slot = *self.slots.entry(id.clone()).or_insert(next);
                let rule = rules
                    .by_id
                    .get(&id)
                    .cloned()
                    .unwrap_or(Rule::Refused(Problem::NoAnswer));
                (id, (shape, slot, rule))
            })
            .collect();
        let mut entry = FileEntry {
            name: name.to_owned(),
            header: file.header,
            added: 0,
            duplicates: 0,
            replaced: 0,
            visits_added: 0,
        };
        let before = self.id.len();
        let mut de = serde_json::Deserializer::from_str(file.responses);
        let mut found = Found::default();
        let seed = RecordsSeed {
            ds: self,
            shapes: &shapes,
            form: form_index as u16,
            entry: &mut entry,
            links: file.links.as_ref(),
            found: &mut found,
            rules: &rules,
        };
        seed.deserialize(&mut de)
            .map_err(|e| match json_error(&e) {
                Rejection::Invalid(d) => Rejection::Invalid(format!("responses: {d}")),
                r => r,
            })?;
        if found.total > 0 {
            let form = &self.forms[form_index].form;
            let label = |id: &str| {
                form.question(id)
                    .map(|q| q.label.clone())
                    .unwrap_or_else(|| Text::new(id, id))
            };
            return Err(Rejection::Answers {
                first: found
                    .first
                    .into_iter()
                    .map(|mut b| {
                        b.label = label(&b.question);
                        b
                    })
                    .collect(),
                total: found.total,
            });
        }
        if self.id.len() - before + entry.duplicates != entry.header.count {
            return Err(Rejection::Edited(Part::Count));
        }
        let visits: Vec<VisitIn> =
            serde_json::from_str(file.visits).map_err(|e| match json_error(&e) {
                Rejection::Invalid(d) => Rejection::Invalid(format!("visits: {d}")),
                r => r,
            })?;
        if visits.len() != entry.header.visits {
            return Err(Rejection::Edited(Part::Count));
        }
        for (i, v) in visits.iter().enumerate() {
            let month_ok = v.month.len() == 7 && is_date(&format!("{}-01", v.month));
            if !hex_id(&v.id, "v-") || !month_ok || v.worker.is_empty() {
                return Err(Rejection::Invalid(format!("visits[{i}]")));
            }
            if self.visit_ids.contains(&*v.id) {
                continue;
            }
            self.visit_ids.insert((*v.id).into());
            self.journal.visit_ids.push((*v.id).into());
            let month = self.atoms.text(&v.month);
            let worker = self.atoms.text(&v.worker);
            self.visits.push(VisitRow {
                month,
                worker,
                outcome: v.outcome,
            });
            entry.visits_added += 1;
        }
        if self.project.is_none() {
            let held = self
                .keys
                .get(&entry.header.project.id)
                .and_then(|k| k.named.clone());
            self.project = Some(held.unwrap_or_else(|| entry.header.project.clone()));
        }
        self.files.push(entry.clone());
        Ok(entry)
    }

    fn savepoint(&self) -> Savepoint {
        Savepoint {
            files: self.files.len(),
            rows: self.id.len(),
            atoms: self.atoms.len(),
            repeats: self
                .repeats
                .iter()
                .map(|(k, t)| (k.clone(), t.rows))
                .collect(),
            visits: self.visits.len(),
            forms: self.forms.len(),
            other: self.other.len(),
            project: self.project.is_some(),
        }
    }

    /// Undoes everything since `save`.
    fn rollback(&mut self, save: Savepoint) {
        for id in self.id.drain(save.rows..) {
            self.by_id.remove(&id);
        }
        for &old in &self.journal.replaced {
            self.live[old as usize] = true;
            self.by_id.insert(self.id[old as usize].clone(), old);
        }
        self.journal.replaced.clear();
        for v in [
            &mut self.household,
            &mut self.started,
            &mut self.completed_on,
            &mut self.worker,
            &mut self.area,
        ] {
            v.truncate(save.rows);
        }
        self.form.truncate(save.rows);
        self.completed.truncate(save.rows);
        self.live.truncate(save.rows);
        self.answers.truncate(save.rows);
        let names: Vec<String> = self.repeats.keys().cloned().collect();
        for name in names {
            match save.repeats.get(&name) {
                Some(&rows) => {
                    if let Some(t) = self.repeats.get_mut(&name) {
                        t.truncate(rows);
                    }
                }
                None => {
                    self.repeats.remove(&name);
                }
            }
        }
        for v in self.journal.visit_ids.drain(..) {
            self.visit_ids.remove(&v);
        }
        self.visits.truncate(save.visits);
        self.other.truncate(save.other);
        self.forms.truncate(save.forms);
        self.files.truncate(save.files);
        if !save.project {
            self.project = None;
        }
        self.atoms.truncate(save.atoms);
    }

    /// Drops the last response row, `row`, and its repeats' items (all at the ends of
    /// their tables), parents before children.
    fn drop_row(&mut self, row: u32) {
        self.answers.truncate(row as usize);
        for _ in 0..=self.repeats.len() {
            let limits: Vec<(String, usize)> = self
                .repeats
                .iter()
                .map(|(name, t)| {
                    let limit = match &t.parent_repeat {
                        None => row as usize,
                        Some(p) => self.repeats.get(p).map_or(0, |p| p.rows),
                    };
                    (name.clone(), limit)
                })
                .collect();
            let mut changed = false;
            for (name, limit) in limits {
                if let Some(t) = self.repeats.get_mut(&name) {
                    let keep = t
                        .parent
                        .iter()
                        .rposition(|&p| (p as usize) < limit)
                        .map_or(0, |i| i + 1);
                    if keep < t.rows {
                        t.truncate(keep);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Pads every column to its table's rows (after the last merge, before reading).
    pub fn seal(&mut self) {
        let rows = self.answers.rows;
        for c in self.answers.columns.iter_mut().flatten() {
            c.pad(rows);
        }
        for t in self.repeats.values_mut() {
            let rows = t.rows;
            for c in t.columns.iter_mut().flatten() {
                c.pad(rows);
            }
        }
    }

    /// The column of question `id` in `table`.
    pub fn column<'t>(&self, table: &'t Table, id: &str) -> Option<&'t Column> {
        table.get(*self.slots.get(id)?)
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

    /// The newest merged version of form `id`.
    pub fn newest_form(&self, id: &str) -> Option<&FormEntry> {
        self.forms
            .iter()
            .filter(|f| f.form.id == id)
            .max_by_key(|f| f.form.version)
    }

    /// The form id most responses follow (all its versions together): the one the
    /// dashboard, the report and the CSV show.
    pub fn main_form(&self) -> Option<&str> {
        let mut per_id: BTreeMap<&str, usize> = BTreeMap::new();
        for &f in &self.form {
            *per_id
                .entry(self.forms[f as usize].form.id.as_str())
                .or_default() += 1;
        }
        for f in &self.forms {
            per_id.entry(f.form.id.as_str()).or_default();
        }
        per_id.into_iter().max_by_key(|(_, n)| *n).map(|(id, _)| id)
    }

    /// The k small counts are hidden under: the coordinator's project's, else the largest a
    /// merged (format 1) file was suppressed to, else the default.
    pub fn k(&self) -> u32 {
        self.project
            .as_ref()
            .and_then(|p| self.release_k.get(&p.id).copied())
            .or_else(|| self.files.iter().filter_map(|f| f.header.k).max())
            .unwrap_or(crate::export::project::DEFAULT_K)
    }

    /// The distinct texts of a per-response atom column (`worker`, `area`), sorted, "no
    /// answer" left out.
    pub fn distinct(&self, column: &[u32]) -> Vec<&str> {
        let mut atoms: Vec<u32> = column.iter().copied().filter(|a| *a != 0).collect();
        atoms.sort_unstable();
        atoms.dedup();
        let mut out: Vec<&str> = atoms.iter().map(|a| self.atoms.str(*a)).collect();
        out.sort_unstable();
        out
    }
}

fn shapes_by_id(form: &Form) -> FxHashMap<String, Shape> {
    fn go(qs: &[Question], out: &mut FxHashMap<String, Shape>) {
        for q in qs {
            if let Some(s) = shape_of(q) {
                out.insert(q.id.clone(), s);
            }
            go(q.kind.children(), out);
        }
    }
    let mut out = FxHashMap::default();
    for s in &form.sections {
        go(&s.questions, &mut out);
    }
    out
}

/// The questions of a file's form: each one's shape, column and rule.
type Shapes = FxHashMap<String, (Shape, u32, Rule)>;

/// The fields a response may have, each once.
const RECORD_FIELDS: [&str; 10] = [
    "answers",
    "id",
    "household",
    "household_link",
    "status",
    "started",
    "completed",
    "worker",
    "area",
    "other",
];

/// How many bad answers a refusal names.
const NAMED: usize = 5;

/// The bad answers found in a file: the first few named, all counted.
#[derive(Default)]
struct Found {
    /// Of the response being read (its id comes last in a canonical file).
    pending: Vec<(String, Problem)>,
    first: Vec<BadAnswer>,
    total: usize,
}

impl Found {
    fn note(&mut self, question: String, problem: Problem) {
        if self.first.len() + self.pending.len() < NAMED {
            self.pending.push((question, problem));
        }
        self.total += 1;
    }

    /// The response at `index` (its id `id`) is read: what was noted is its.
    fn close(&mut self, index: usize, id: &str) {
        for (question, problem) in self.pending.drain(..) {
            self.first.push(BadAnswer {
                response: index + 1,
                id: id.chars().take(40).collect(),
                question,
                label: Text::new("", ""),
                problem,
            });
        }
    }
}

/// A key as it is quoted in a message: short, on one line.
fn short_key(k: &str) -> String {
    k.chars().filter(|c| !c.is_control()).take(40).collect()
}

/// The "other, please specify" texts of a response, by answer path, each path once.
struct Texts(Vec<(Box<str>, Box<str>)>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Texts, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Texts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("texts by answer path")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Texts, A::Error> {
                let mut out: Vec<(Box<str>, Box<str>)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<Key<'de>, Key<'de>>()? {
                    if out.iter().any(|(p, _)| **p == *k.0) {
                        return Err(A::Error::custom("a path twice"));
                    }
                    out.push(((*k.0).into(), (*v.0).into()));
                }
                Ok(Texts(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The responses array of a file, parsed straight into the dataset.
struct RecordsSeed<'d, 's> {
    ds: &'d mut Dataset,
    shapes: &'s Shapes,
    form: u16,
    entry: &'d mut FileEntry,
    links: Option<&'s LinkOpener>,
    found: &'d mut Found,
    rules: &'s Rules,
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of responses")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        loop {
            let one = RecordSeed {
                ds: &mut *self.ds,
                shapes: self.shapes,
                form: self.form,
                entry: &mut *self.entry,
                index: n,
                links: self.links,
                found: &mut *self.found,
                rules: self.rules,
            };
            if seq.next_element_seed(one)?.is_none() {
                return Ok(());
            }
            n += 1;
        }
    }
}

struct RecordSeed<'d, 's> {
    ds: &'d mut Dataset,
    shapes: &'s Shapes,
    form: u16,
    entry: &'d mut FileEntry,
    index: usize,
    /// A format 2 file's link opener; `None` for format 1 (pseudonyms made on the device).
    links: Option<&'s LinkOpener>,
    found: &'d mut Found,
    rules: &'s Rules,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a response")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ds = self.ds;
        let index = self.index;
        let at = |what: &str| A::Error::custom(format!("[{index}]{what}"));
        // A canonical file lists the answers first, before the id says whether the
        // response is new: they are written as the next row, and dropped again if not.
        let row = ds.id.len() as u32;
        let mut id: Option<Key> = None;
        let mut household: Option<Key> = None;
        let mut link: Option<Key> = None;
        let mut status: Option<Status> = None;
        let mut started: Option<Key> = None;
        let mut completed: Option<Key> = None;
        let mut worker: Option<Key> = None;
        let mut area: Option<Key> = None;
        let mut answered = false;
        let mut other: Vec<(Box<str>, Box<str>)> = Vec::new();
        let mut seen: Vec<&'static str> = Vec::with_capacity(10);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            // Each field once: a second one would silently win in most readers.
            if let Some(&f) = RECORD_FIELDS.iter().find(|f| **f == &*key.0) {
                if seen.contains(&f) {
                    return Err(at(&format!(".{f}: twice")));
                }
                seen.push(f);
            }
            match &*key.0 {
                "answers" => {
                    let mut table = std::mem::take(&mut ds.answers);
                    let seed = AnswersSeed {
                        atoms: &mut ds.atoms,
                        repeats: &mut ds.repeats,
                        table: &mut table,
                        repeat: None,
                        shapes: self.shapes,
                        row,
                        found: &mut *self.found,
                    };
                    let r = map.next_value_seed(seed);
                    ds.answers = table;
                    r.map_err(|e| at(&e.to_string()))?;
                    answered = true;
                }
                "id" => id = Some(map.next_value()?),
                "household" if self.links.is_none() => household = Some(map.next_value()?),
                "household_link" if self.links.is_some() => link = Some(map.next_value()?),
                "status" => status = Some(map.next_value()?),
                "started" => started = Some(map.next_value()?),
                "completed" => completed = Some(map.next_value()?),
                "worker" => worker = Some(map.next_value()?),
                "area" => area = Some(map.next_value()?),
                "other" => {
                    let texts: Texts = map
                        .next_value()
                        .map_err(|_| at(".other: not texts by answer path, each once"))?;
                    for (path, text) in &texts.0 {
                        let shapes = self.shapes;
                        let q = super::rules::other_path_question(
                            &|id| shapes.get(id).map(|s| s.0 == Shape::Repeat),
                            path,
                        );
                        // Declared only where the form offers "other" (`Rules::new`).
                        let problem = match q {
                            None => Some((path.to_string(), Problem::StrayOther)),
                            Some(q) if !self.rules.other_declared.iter().any(|d| d == q) => {
                                let offered = self.rules.other_offered.iter().any(|d| d == q);
                                Some((
                                    q.to_owned(),
                                    if offered {
                                        Problem::Undeclared
                                    } else {
                                        Problem::StrayOther
                                    },
                                ))
                            }
                            Some(q) if text.chars().count() > MAX_OTHER => {
                                Some((q.to_owned(), Problem::TooLong(MAX_OTHER)))
                            }
                            Some(_) => None,
                        };
                        if let Some((q, p)) = problem {
                            self.found.note(q, p);
                        }
                    }
                    other = texts.0;
                }
                k => {
                    let k = k.to_owned();
                    let _ = map.next_value::<IgnoredAny>()?;
                    return Err(at(&format!(".{k}: unknown field")));
                }
            }
        }
        let (Some(id), Some(status), Some(started), Some(worker), true) =
            (id, status, started, worker, answered)
        else {
            return Err(at(": id, status, started, worker or answers missing"));
        };
        self.found.close(index, &id.0);
        if !hex_id(&id.0, "r-") {
            return Err(at(".id"));
        }
        if household.as_ref().is_some_and(|h| !hex_id(&h.0, "h-")) {
            return Err(at(".household"));
        }
        // The link opens only for this response's id: a link moved to another record fails.
        let household = match (self.links, link) {
            (Some(opener), Some(l)) => Some(Key(Cow::Owned(
                opener
                    .pseudonym(&id.0, &l.0)
                    .map_err(|_| at(".household_link: does not open"))?,
            ))),
            _ => household,
        };
        if !is_date(&started.0) || completed.as_ref().is_some_and(|c| !is_date(&c.0)) {
            return Err(at(".started/completed: not a date"));
        }
        if worker.0.is_empty() || area.as_ref().is_some_and(|a| a.0.is_empty()) {
            return Err(at(".worker/area: empty"));
        }
        if let Some(&old) = ds.by_id.get(&*id.0) {
            let newer = !ds.completed[old as usize] && status == Status::Completed;
            if !newer {
                // Merged before: the answers just written go again.
                ds.drop_row(row);
                self.entry.duplicates += 1;
                return Ok(());
            }
            ds.live[old as usize] = false;
            ds.journal.replaced.push(old);
            self.entry.replaced += 1;
        } else {
            self.entry.added += 1;
        }
        ds.answers.end_row();
        let id: Box<str> = (*id.0).into();
        ds.by_id.insert(id.clone(), row);
        ds.id.push(id);
        let hh = household.map_or(0, |h| ds.atoms.text(&h.0));
        ds.household.push(hh);
        ds.form.push(self.form);
        ds.completed.push(status == Status::Completed);
        let a = ds.atoms.text(&started.0);
        ds.started.push(a);
        let a = completed.map_or(0, |c| ds.atoms.text(&c.0));
        ds.completed_on.push(a);
        let a = ds.atoms.text(&worker.0);
        ds.worker.push(a);
        let a = area.map_or(0, |x| ds.atoms.text(&x.0));
        ds.area.push(a);
        ds.live.push(true);
        for (path, text) in other {
            let a = ds.atoms.text(&text);
            ds.other.push((row, path, a));
        }
        Ok(())
    }
}

/// One object of answers, written as row `row` of `table` (and its repeats' items as rows
/// of theirs). Every value is checked against its question's rule (`rules`); what fails is
/// noted in `found`, and parsing goes on, so that a refusal can name more than one.
struct AnswersSeed<'d, 's> {
    atoms: &'d mut Atoms,
    repeats: &'d mut BTreeMap<String, Table>,
    table: &'d mut Table,
    repeat: Option<&'s str>,
    shapes: &'s Shapes,
    row: u32,
    found: &'d mut Found,
}

impl<'de> DeserializeSeed<'de> for AnswersSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AnswersSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of answers")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // The slots answered so far in this object: a question twice is refused, not
        // written twice into its column.
        let mut seen = [0u64; 4];
        let mut seen_more: Vec<u32> = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let Some((qid, (shape, slot, rule))) = self.shapes.get_key_value(&*key.0) else {
                return Err(A::Error::custom(format!(
                    ".answers.{}: not a question of the form",
                    short_key(&key.0)
                )));
            };
            let (shape, slot) = (*shape, *slot);
            let twice = match seen.get_mut(slot as usize / 64) {
                Some(word) => {
                    let bit = 1u64 << (slot % 64);
                    let was = *word & bit != 0;
                    *word |= bit;
                    was
                }
                None => {
                    let was = seen_more.contains(&slot);
                    seen_more.push(slot);
                    was
                }
            };
            if twice {
                self.found.note(qid.clone(), Problem::Twice);
                let _ = map.next_value::<IgnoredAny>()?;
                continue;
            }
            match shape {
                Shape::Scalar => {
                    let a = map.next_value_seed(ScalarSeed(self.atoms)).map_err(|_| {
                        A::Error::custom(format!(".answers.{qid}: not an answer of its type"))
                    })?;
                    if let Err(p) = rule.scalar(self.atoms, a) {
                        self.found.note(qid.clone(), p);
                    }
                    if let Column::Scalar(c) = self.table.column(slot, shape) {
                        c.push(a);
                    }
                }
                Shape::Multi => {
                    if let Column::Multi { ends, values } = self.table.column(slot, shape) {
                        let start = values.len();
                        let seed = MultiSeed {
                            atoms: &mut *self.atoms,
                            values: &mut *values,
                        };
                        let r = map.next_value_seed(seed);
                        ends.push(values.len() as u32);
                        r.map_err(|_| {
                            A::Error::custom(format!(".answers.{qid}: not a list of choices"))
                        })?;
                        if let Err(p) = rule.multi(self.atoms, &values[start..]) {
                            self.found.note(qid.clone(), p);
                        }
                    } else {
                        let _ = map.next_value::<IgnoredAny>()?;
                    }
                }
                Shape::Repeat => {
                    // Taken out while its items are written (they may hold repeats of
                    // their own), and put back: no allocation per response.
                    if !self.repeats.contains_key(&qid[..]) {
                        let t = Table {
                            parent_repeat: self.repeat.map(str::to_owned),
                            ..Table::default()
                        };
                        self.repeats.insert(qid.to_string(), t);
                    }
                    let slot = self.repeats.get_mut(&qid[..]).expect("inserted above");
                    let mut child = std::mem::take(slot);
                    let before = child.rows;
                    let seed = ItemsSeed {
                        atoms: &mut *self.atoms,
                        repeats: &mut *self.repeats,
                        table: &mut child,
                        repeat: qid,
                        shapes: self.shapes,
                        parent: self.row,
                        found: &mut *self.found,
                    };
                    let r = map.next_value_seed(seed);
                    let items = child.rows - before;
                    if let Some(slot) = self.repeats.get_mut(&qid[..]) {
                        *slot = child;
                    }
                    r?;
                    if let Rule::Repeat(max) = rule {
                        if items > *max as usize {
                            self.found.note(qid.clone(), Problem::TooManyItems(*max));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The items of a repeat.
struct ItemsSeed<'d, 's> {
    atoms: &'d mut Atoms,
    repeats: &'d mut BTreeMap<String, Table>,
    table: &'d mut Table,
    repeat: &'s str,
    shapes: &'s Shapes,
    parent: u32,
    found: &'d mut Found,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the items of a repeat")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let row = self.table.rows as u32;
            let seed = AnswersSeed {
                atoms: &mut *self.atoms,
                repeats: &mut *self.repeats,
                table: &mut *self.table,
                repeat: Some(self.repeat),
                shapes: self.shapes,
                row,
                found: &mut *self.found,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            self.table.parent.push(self.parent);
            self.table.end_row();
        }
    }
}

/// One answer value: a text, a number or true/false, as an atom.
struct ScalarSeed<'d>(&'d mut Atoms);

impl<'de> DeserializeSeed<'de> for ScalarSeed<'_> {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed<'_> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, a number or true/false")
    }
    fn visit_bool<E>(self, b: bool) -> Result<u32, E> {
        Ok(self.0.boolean(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<u32, E> {
        Ok(self.0.number(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<u32, E> {
        Ok(self.0.number(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<u32, E> {
        Ok(self.0.number(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<u32, E> {
        Ok(self.0.text(s))
    }
}

/// The values of a multiple choice, interned straight into its column.
struct MultiSeed<'d> {
    atoms: &'d mut Atoms,
    values: &'d mut Vec<u32>,
}

impl<'de> DeserializeSeed<'de> for MultiSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MultiSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of choices")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(k) = seq.next_element::<Key<'de>>()? {
            let a = self.atoms.text(&k.0);
            self.values.push(a);
        }
        Ok(())
    }
}
