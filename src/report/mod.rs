//! The coordinator's side: many workers' export files in, one dataset, the dashboard's
//! aggregates and the survey report out.
//!
//! - `import`: checking one file (format, checksums, answers against its form);
//! - `dataset`: the merged responses, by column, with duplicates skipped;
//! - `aggregate`: distributions, cross-tabs and needs over a filter, small counts hidden.
//!
//! Plain Rust with no browser in it: the workspace screens (ui/workspace.rs) only call it.

pub mod aggregate;
pub mod dataset;
#[cfg(any(test, feature = "bench"))]
pub mod fixture;
pub mod import;
pub mod json;

pub use aggregate::{Filter, View};
pub use dataset::{Dataset, Merged};
pub use import::{check, Rejection};

#[cfg(test)]
mod tests;

/// Checks a file against the workspace: the checks of `import::check`, the project (the
/// coordinator's own, or else the one the first merged file named) and the form version.
pub fn admit<'a>(
    ds: &Dataset,
    text: &'a str,
    project: Option<(&str, &str)>,
) -> Result<import::Checked<'a>, Rejection> {
    let checked = check(text, project.or(ds.project_of()))?;
    if ds.form_conflict(&checked.header) {
        return Err(Rejection::FormConflict {
            form: checked.header.form.clone(),
            version: checked.header.version,
        });
    }
    Ok(checked)
}

/// What importing one file came to, as the import screen lists it.
#[derive(Clone, Debug, PartialEq)]
pub enum FileResult {
    Accepted(Box<dataset::FileEntry>),
    AlreadyImported { name: String },
    Rejected(Rejection),
}

/// Checks and merges one file's bytes (for tests and the benchmarks; the workspace screen
/// stores the file between the two steps).
pub fn import(ds: &mut Dataset, name: &str, bytes: &[u8]) -> FileResult {
    let text = match import::text_of(bytes) {
        Ok(t) => t,
        Err(r) => return FileResult::Rejected(r),
    };
    match admit(ds, text, None) {
        Err(r) => FileResult::Rejected(r),
        Ok(c) => match ds.merge(name, c) {
            Merged::Added(e) => FileResult::Accepted(e),
            Merged::AlreadyImported { name } => FileResult::AlreadyImported { name },
        },
    }
}
