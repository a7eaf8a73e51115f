//! The coordinator's side: many workers' export files in, one dataset, the dashboard's
//! aggregates and the survey report out.
//!
//! - `import`: checking one file (format, checksums, answers against its form);
//! - `dataset`: the merged responses, by column, with duplicates skipped;
//! - `aggregate`: distributions, cross-tabs and needs over a filter;
//! - `disclosure`: what may be shown of them (one ledger per release, k and the sums);
//! - `publish`: a screen's or the report's numbers, counted, related and protected;
//! - `merged`: the dataset out again as NDJSON, JSON and CSV with a codebook;
//! - `release`: the publication dataset, k-anonymous over household and members together.
//!
//! Plain Rust with no browser in it: the workspace screens (ui/workspace.rs) only call it.

pub mod aggregate;
pub mod appendix;
pub mod dataset;
pub mod disclosure;
#[cfg(any(test, feature = "bench"))]
pub mod fixture;
#[cfg(any(test, feature = "bench"))]
pub mod hostile;
pub mod import;
pub mod indicators;
pub mod json;
pub mod merged;
pub mod narrative;
pub mod publish;
pub mod release;
pub mod rules;

pub use aggregate::{Filter, View};
pub use dataset::{Dataset, Merged};
pub use import::{outline, Rejection};

#[cfg(test)]
mod tests;

/// Checks a file's outline against the workspace: the checks of `import::outline`, the
/// project (the coordinator's own, or else the one the first merged file named) and the form
/// version. `digests`: the SHA-256 of its responses and visits, if already computed.
pub fn admit<'a>(
    ds: &Dataset,
    text: &'a str,
    project: Option<(&str, &str)>,
    digests: Option<(String, String)>,
) -> Result<import::Outline<'a>, Rejection> {
    admit_frame(ds, import::frame(text)?, project, digests)
}

/// `admit` of a file already framed (the caller hashed its parts meanwhile).
pub fn admit_frame<'a>(
    ds: &Dataset,
    frame: import::Frame<'a>,
    project: Option<(&str, &str)>,
    digests: Option<(String, String)>,
) -> Result<import::Outline<'a>, Rejection> {
    let known = |sha: &str| ds.forms.iter().position(|f| f.sha256 == sha);
    let cx = import::Context {
        project: project.or(ds.project_of()),
        known: &known,
        keys: &ds.keys,
    };
    let outline = import::outline_of(frame, &cx, digests)?;
    // A form this workspace holds already: its id and version must be the header's too,
    // as they are checked when the definition is parsed (so a file is judged alike
    // whichever file brought the form first, and after a reload).
    if let import::FormSource::Known(i) = &outline.form {
        let f = &ds.forms[*i].form;
        if f.id != outline.header.form || f.version != outline.header.version {
            return Err(Rejection::Invalid(
                "header.form: id or version differ from the definition".into(),
            ));
        }
    }
    if ds.form_conflict(&outline.header) {
        return Err(Rejection::FormConflict {
            form: outline.header.form.clone(),
            version: outline.header.version,
        });
    }
    Ok(outline)
}

/// What importing one file came to, as the import screen lists it.
#[derive(Clone, Debug, PartialEq)]
pub enum FileResult {
    Accepted(Box<dataset::FileEntry>),
    AlreadyImported { name: String },
    Rejected(Rejection),
}

impl From<Result<Merged, Rejection>> for FileResult {
    fn from(r: Result<Merged, Rejection>) -> FileResult {
        match r {
            Ok(Merged::Added(e)) => FileResult::Accepted(e),
            Ok(Merged::AlreadyImported { name }) => FileResult::AlreadyImported { name },
            Err(r) => FileResult::Rejected(r),
        }
    }
}

/// Checks and merges one file's bytes (the workspace screen does the same in two steps, to
/// store the file in between).
pub fn import(ds: &mut Dataset, name: &str, bytes: &[u8]) -> FileResult {
    let text = match import::text_of(bytes) {
        Ok(t) => t,
        Err(r) => return FileResult::Rejected(r),
    };
    // The canonical layout's landmarks first; anything refused after them, the full scan.
    if let Some(quick) = import::quick_frame(text) {
        if let Ok(m) = admit_frame(ds, quick, None, None).and_then(|o| ds.merge(name, o)) {
            return Ok(m).into();
        }
    }
    match admit(ds, text, None, None) {
        Err(r) => FileResult::Rejected(r),
        Ok(o) => ds.merge(name, o).into(),
    }
}
