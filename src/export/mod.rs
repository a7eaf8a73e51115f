//! The anonymised export: what leaves the tablet, and nothing more.
//!
//! - `project`: the settings every worker of a survey shares (k, area codes, the public key
//!   and the signing key), handed over as a project file;
//! - `link`: household links sealed to the project's public key, opened and pseudonymised
//!   by the holder of its secret key;
//! - `anonymise`: responses in, anonymous records out (identifiers and free text removed,
//!   quasi-identifiers coarsened, pseudonyms, dates; suppression to k-anonymity on request);
//! - `kanon`: the suppression itself;
//! - `document`, `table`: the JSON document (schema in public/schema/export-v2.json) and
//!   the CSV files;
//! - `digest`: HMAC pseudonyms, signatures and SHA-256 checksums.
//!
//! Plain Rust with no browser in it; the export screen (ui/export.rs) only calls it.

pub mod anonymise;
pub mod digest;
pub mod document;
pub mod kanon;
pub mod key_file;
pub mod link;
pub mod project;
pub mod table;

pub use anonymise::{anonymise, free_texts, FreeText, Record, Refusal, Report, Request};
pub use document::{file_name, Choice, Header, Written, EXPORT_FORMAT, EXPORT_VERSION};
pub use project::{Area, Edits, FormRef, Project, ProjectError};

use crate::response::{Response, Status};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which responses an export takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub form: String,
    pub version: u32,
    /// Dates (`YYYY-MM-DD`), inclusive, of completion (of the last change for a draft).
    pub from: Option<String>,
    pub to: Option<String>,
    pub completed_only: bool,
    pub include_exported: bool,
}

impl Filter {
    /// Whether the export takes `r`. `exported` holds each exported response's revision
    /// at export: a response changed since counts as not exported.
    pub fn admits(&self, r: &Response, exported: &HashMap<String, u64>) -> bool {
        if r.form != self.form || r.form_version != self.version {
            return false;
        }
        if self.completed_only && r.status != Status::Completed {
            return false;
        }
        let date = r.completed.as_deref().unwrap_or(&r.updated);
        let date = date.get(..10).unwrap_or(date);
        if self.from.as_deref().is_some_and(|f| date < f)
            || self.to.as_deref().is_some_and(|t| date > t)
        {
            return false;
        }
        self.include_exported || exported.get(&r.id) != Some(&r.rev)
    }
}

/// One export as the device remembers it: when, what, how many, the checksum, and which
/// responses (with their revision) went into it, so they can be cleared afterwards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub form: String,
    #[serde(rename = "v")]
    pub version: u32,
    pub file: String,
    #[serde(rename = "n")]
    pub count: usize,
    pub sha256: String,
    /// `id` → revision; emptied once the responses are cleared from the device.
    #[serde(default)]
    pub responses: Vec<(String, u64)>,
    #[serde(default)]
    pub cleared: bool,
}

#[cfg(test)]
mod tests;
