//! The merged dataset out again: for a district's engine (DuckDB, Spark) as NDJSON, one
//! response per line; as one JSON document; as CSV with a codebook for Excel and WPS. The
//! records keep the export's shape (docs/export-format.md), with the form id and version
//! and the source file added, so a response reads the same wherever it went.

use super::dataset::{Column, Dataset, Table};
use super::import::shape_of;
use crate::export::digest::canonical;
use crate::form::{Form, Question};
use serde_json::{json, Map, Value as J};

pub const MERGED_FORMAT: &str = "doorstep-merged";
pub const MERGED_VERSION: u32 = 1;

/// Items of each repeat by parent row: `ranges[p]` are the item rows of parent row `p`
/// (items of one parent are written one after another when it is merged).
fn items_by_parent(t: &Table, parents: usize) -> Vec<std::ops::Range<u32>> {
    let mut out = vec![0..0; parents];
    let mut i = 0usize;
    while i < t.rows {
        let p = t.parent[i] as usize;
        let start = i;
        while i < t.rows && t.parent[i] as usize == p {
            i += 1;
        }
        if let Some(r) = out.get_mut(p) {
            *r = start as u32..i as u32;
        }
    }
    out
}

struct Rebuild<'d> {
    ds: &'d Dataset,
    items: std::collections::BTreeMap<&'d str, Vec<std::ops::Range<u32>>>,
    other: rustc_hash::FxHashMap<u32, Vec<(&'d str, u32)>>,
}

impl<'d> Rebuild<'d> {
    fn new(ds: &'d Dataset) -> Rebuild<'d> {
        let mut items = std::collections::BTreeMap::new();
        for (name, t) in &ds.repeats {
            let parents = match &t.parent_repeat {
                None => ds.answers.rows,
                Some(p) => ds.repeats.get(p).map_or(0, |p| p.rows),
            };
            items.insert(name.as_str(), items_by_parent(t, parents));
        }
        let mut other: rustc_hash::FxHashMap<u32, Vec<(&str, u32)>> = Default::default();
        for (row, path, a) in &ds.other {
            other.entry(*row).or_default().push((path, *a));
        }
        Rebuild { ds, items, other }
    }

    fn atom(&self, a: u32) -> J {
        let atom = self.ds.atoms.get(a);
        match (atom.number, atom.boolean) {
            // Whole numbers as JSON integers, as the device wrote them.
            (Some(x), _) if x.fract() == 0.0 && x.abs() < 9e15 => J::from(x as i64),
            (Some(x), _) => serde_json::Number::from_f64(x).map_or(J::Null, J::Number),
            (_, true) => J::Bool(&*atom.text == "true"),
            _ => J::String(atom.text.to_string()),
        }
    }

    /// The answers of row `row` of `table` for `questions`.
    fn answers(&self, table: &Table, row: u32, questions: &[Question]) -> Map<String, J> {
        let mut out = Map::new();
        for q in questions {
            match shape_of(q) {
                None => {}
                Some(super::import::Shape::Repeat) => {
                    let (Some(t), Some(ranges)) =
                        (self.ds.repeats.get(&q.id), self.items.get(q.id.as_str()))
                    else {
                        continue;
                    };
                    let Some(range) = ranges.get(row as usize).filter(|r| !r.is_empty()) else {
                        continue;
                    };
                    let items: Vec<J> = range
                        .clone()
                        .map(|i| J::Object(self.answers(t, i, q.kind.children())))
                        .collect();
                    out.insert(q.id.clone(), J::Array(items));
                }
                Some(_) => match self.ds.column(table, &q.id) {
                    Some(c @ Column::Scalar(_)) => {
                        let a = c.scalar(row);
                        if a != 0 {
                            out.insert(q.id.clone(), self.atom(a));
                        }
                    }
                    Some(c @ Column::Multi { .. }) => {
                        let vals = c.multi(row);
                        if !vals.is_empty() {
                            out.insert(
                                q.id.clone(),
                                J::Array(vals.iter().map(|&a| self.atom(a)).collect()),
                            );
                        }
                    }
                    None => {}
                },
            }
        }
        out
    }

    /// Response row `r` as a record: the export's fields, plus its form and source file.
    fn record(&self, r: usize, source: &str) -> J {
        let ds = self.ds;
        let form: &Form = &ds.forms[ds.form[r] as usize].form;
        let top: Vec<Question> = form
            .sections
            .iter()
            .flat_map(|s| s.questions.iter().cloned())
            .collect();
        let mut m = Map::new();
        m.insert("form".into(), J::String(form.id.clone()));
        m.insert("form_version".into(), J::from(form.version));
        m.insert("id".into(), J::String(ds.id[r].to_string()));
        if ds.household[r] != 0 {
            m.insert(
                "household".into(),
                J::String(ds.atoms.str(ds.household[r]).into()),
            );
        }
        m.insert(
            "status".into(),
            J::String(
                if ds.completed[r] {
                    "completed"
                } else {
                    "draft"
                }
                .into(),
            ),
        );
        m.insert(
            "started".into(),
            J::String(ds.atoms.str(ds.started[r]).into()),
        );
        if ds.completed_on[r] != 0 {
            m.insert(
                "completed".into(),
                J::String(ds.atoms.str(ds.completed_on[r]).into()),
            );
        }
        m.insert(
            "worker".into(),
            J::String(ds.atoms.str(ds.worker[r]).into()),
        );
        if ds.area[r] != 0 {
            m.insert("area".into(), J::String(ds.atoms.str(ds.area[r]).into()));
        }
        m.insert(
            "answers".into(),
            J::Object(self.answers(&ds.answers, r as u32, &top)),
        );
        let other: Map<String, J> = self
            .other
            .get(&(r as u32))
            .into_iter()
            .flatten()
            .map(|(path, a)| (path.to_string(), J::String(ds.atoms.str(*a).into())))
            .collect();
        if !other.is_empty() {
            m.insert("other".into(), J::Object(other));
        }
        m.insert("source".into(), J::String(source.into()));
        J::Object(m)
    }
}

/// The file each response row came from.
fn sources(ds: &Dataset) -> Vec<&str> {
    let mut out = Vec::with_capacity(ds.id.len());
    for f in &ds.files {
        for _ in 0..f.added + f.replaced {
            out.push(f.name.as_str());
        }
    }
    out
}

/// Every response still counted, as records, in merge order.
pub fn records(ds: &Dataset) -> Vec<J> {
    let rb = Rebuild::new(ds);
    let src = sources(ds);
    (0..ds.id.len())
        .filter(|&r| ds.live[r])
        .map(|r| rb.record(r, src.get(r).copied().unwrap_or("")))
        .collect()
}

/// NDJSON: one canonical JSON record per line, for `read_json_auto` and Spark's
/// `spark.read.json`.
pub fn ndjson(ds: &Dataset) -> String {
    let mut out = String::new();
    for r in records(ds) {
        canonical(&r, &mut out);
        out.push('\n');
    }
    out
}

/// One JSON document: the project, the files merged, the forms' definitions, the records.
pub fn json_document(ds: &Dataset) -> String {
    let files: Vec<J> = ds
        .files
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "worker": f.header.worker,
                "form": f.header.form,
                "form_version": f.header.version,
                "exported_at": f.header.exported_at,
                "k": f.header.k,
                "count": f.header.count,
                "added": f.added + f.replaced,
                "duplicates": f.duplicates,
                "responses_sha256": f.header.responses_sha256,
            })
        })
        .collect();
    let forms: Vec<J> = ds
        .forms
        .iter()
        .filter_map(|f| serde_json::from_str(&f.definition).ok())
        .collect();
    let doc = json!({
        "format": MERGED_FORMAT,
        "format_version": MERGED_VERSION,
        "project": ds.project.as_ref().map(|p| json!({"id": p.id, "name": p.name, "community": p.community})),
        "files": files,
        "forms": forms,
        "responses": records(ds),
    });
    let mut out = String::new();
    canonical(&doc, &mut out);
    out
}

/// The responses of one form id as CSV (the newest version's columns), and its codebook.
pub fn csv(ds: &Dataset, form_id: &str) -> Option<(String, String)> {
    let entry = ds.newest_form(form_id)?;
    let rules = crate::form::anonymise_rules(&entry.definition).unwrap_or_default();
    let recs: Vec<J> = records(ds)
        .into_iter()
        .filter(|r| r["form"] == form_id)
        .collect();
    Some((
        crate::export::table::responses_csv(&entry.form, &rules, &recs),
        crate::export::table::codebook_csv(&entry.form, &rules),
    ))
}
