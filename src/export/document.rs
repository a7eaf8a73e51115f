//! The export document (format `doorstep-export`, version 2; schema in
//! public/schema/export-v2.json, described in docs/export-format.md): a header that says
//! what was done to the data and lets a reader check it, signed with the project's signing
//! key, then one object per response and per visit.

use super::anonymise::{Record, Report};
use super::digest::{canonical, canonical_string, sha256_hex};
use super::project::Project;
use crate::form::{Anonymise, Form};
use serde_json::{json, Map, Value as J};

pub const EXPORT_FORMAT: &str = "doorstep-export";
pub const EXPORT_VERSION: u32 = 2;

/// What the worker chose on the export screen, recorded in the header.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub from: Option<String>,
    pub to: Option<String>,
    pub completed_only: bool,
}

/// A finished export: the file's text and what a history entry keeps of it.
pub struct Written {
    pub text: String,
    pub count: usize,
    pub responses_sha256: String,
}

/// The canonical JSON (RFC 8785) of an array (the responses, the visits).
fn array_text(responses: &[J]) -> String {
    let mut s = String::with_capacity(responses.len() * 1800);
    s.push('[');
    for (i, r) in responses.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        canonical(r, &mut s);
    }
    s.push(']');
    s
}

/// SHA-256 over the canonical JSON (RFC 8785) of the `responses` array.
pub fn responses_hash(responses: &[J]) -> String {
    sha256_hex(&array_text(responses))
}

/// A stored form (its compiled JSON) in the documented form format (docs/form-format.md),
/// so a reader rebuilds labels and a codebook from the file alone, and its hash.
pub fn form_definition(compiled: &str) -> Result<(J, String), String> {
    let def: J = serde_json::from_str(compiled).map_err(|e| e.to_string())?;
    let def = crate::form::documented::documented_value(def);
    let hash = sha256_hex(&canonical_string(&def));
    Ok((def, hash))
}

/// Everything the header says besides the records themselves.
pub struct Header<'a> {
    pub form: &'a Form,
    /// The form's stored (compiled) definition: embedded, so a reader rebuilds labels and a
    /// codebook without the original.
    pub compiled: &'a str,
    pub rules: &'a Anonymise,
    pub project: &'a Project,
    pub worker: &'a str,
    /// RFC 3339, the device's offset.
    pub exported_at: &'a str,
    pub choice: &'a Choice,
    /// The device's visit log: what leaves of it is counted by `visit_records`.
    pub visits: &'a [crate::visits::log::Visit],
    /// What sealed the household links (its ephemeral public key goes in the header).
    pub links: &'a super::link::LinkSealer,
    /// The k the records were suppressed to, if they were.
    pub k: Option<u32>,
}

/// The visits of the period as the coordinator's indicators count them ("200 visits"):
/// a pseudonym (so a visit sent twice is counted once), the month, the outcome, the worker.
/// No household, no day, no note.
pub fn visit_records(h: &Header) -> Vec<J> {
    use crate::visits::log::Outcome;
    let key = super::anonymise::id_key(h.project);
    let mut out: Vec<J> = h
        .visits
        .iter()
        .filter(|v| h.choice.from.as_deref().is_none_or(|f| v.date() >= f))
        .filter(|v| h.choice.to.as_deref().is_none_or(|t| v.date() <= t))
        .map(|v| {
            let outcome = match v.outcome {
                Outcome::Completed { .. } => "completed",
                Outcome::NotHome => "not_home",
                Outcome::Refused => "refused",
                Outcome::MovedOrVacant => "moved_or_vacant",
                Outcome::ComeBack { .. } => "come_back",
                Outcome::Other { .. } => "other",
            };
            json!({
                "id": super::digest::pseudonym(key, "visit", &v.id),
                "month": v.month(),
                "outcome": outcome,
                "worker": if v.worker.is_empty() { h.worker } else { &v.worker },
            })
        })
        .collect();
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}

fn counts(m: &std::collections::BTreeMap<String, usize>) -> J {
    J::Object(m.iter().map(|(k, v)| (k.clone(), J::from(*v))).collect())
}

/// Writes the document. The file is canonical JSON too, so its bytes are the same
/// wherever it is written. A project without keys (read from a version 1 project file)
/// cannot sign or seal: refused.
pub fn write(h: &Header, records: Vec<Record>, report: &Report) -> Result<Written, String> {
    let sign_key = h.project.sign_key_bytes();
    if sign_key.is_empty() || h.project.public_key.is_none() {
        return Err("the project has no keys (an old project file)".into());
    }
    let (definition, form_hash) = form_definition(h.compiled)?;
    let responses: Vec<J> = records.into_iter().map(|r| J::Object(r.json)).collect();
    // Written once: hashed, then placed into the document as it is.
    let body = array_text(&responses);
    let hash = sha256_hex(&body);
    let visit_list = visit_records(h);
    let visit_count = visit_list.len();
    let visits = array_text(&visit_list);
    let visits_hash = sha256_hex(&visits);
    let count = responses.len();
    let members: usize = responses
        .iter()
        .filter_map(|r| r.get("answers")?.as_object())
        .flat_map(|a| a.values())
        .filter_map(J::as_array)
        .filter(|items| items.first().is_some_and(J::is_object))
        .map(Vec::len)
        .sum();
    let generalised: Map<String, J> = h
        .rules
        .generalise
        .iter()
        .map(|(q, g)| {
            (
                q.clone(),
                json!({"rule": serde_json::to_value(g).unwrap_or(J::Null),
                       "describe": g.describe(),
                       "answers": report.generalised.get(q).copied().unwrap_or(0)}),
            )
        })
        .collect();
    let mut period = Map::new();
    if let Some(f) = &h.choice.from {
        period.insert("from".into(), J::String(f.clone()));
    }
    if let Some(t) = &h.choice.to {
        period.insert("to".into(), J::String(t.clone()));
    }
    let mut header = json!({
            "project": {"id": h.project.id, "name": h.project.name, "community": h.project.community},
            "form": {
                "id": h.form.id,
                "version": h.form.version,
                "sha256": form_hash,
                "definition": definition,
            },
            "worker": h.worker,
            "exported_at": h.exported_at,
            "period": period,
            "status": if h.choice.completed_only { "completed" } else { "all" },
            "k": h.k,
            "link": {"scheme": super::link::SCHEME, "ephemeral": h.links.ephemeral},
            "count": count,
            "items": members,
            "responses_sha256": hash,
            "visits": visit_count,
            "visits_sha256": visits_hash,
            "removed": counts(&report.removed),
            "free_text_included": counts(&report.free_text_included),
            "generalised": generalised,
            "suppressed": counts(&report.suppressed),
            "withheld": report.withheld.len(),
            "unmapped_buildings": report.unmapped_buildings,
    });
    let signature = super::digest::signature(&sign_key, &header);
    if let J::Object(m) = &mut header {
        m.insert(
            "signature".into(),
            json!({"alg": super::digest::SIGNATURE_ALG, "value": signature}),
        );
    }
    // The document's keys in canonical order: format, format_version, header, responses.
    let mut text = String::with_capacity(body.len() + 64 * 1024);
    text.push_str("{\"format\":");
    canonical(&J::String(EXPORT_FORMAT.into()), &mut text);
    text.push_str(&format!(",\"format_version\":{EXPORT_VERSION},\"header\":"));
    canonical(&header, &mut text);
    text.push_str(",\"responses\":");
    text.push_str(&body);
    text.push_str(",\"visits\":");
    text.push_str(&visits);
    text.push('}');
    Ok(Written {
        text,
        count,
        responses_sha256: hash,
    })
}

/// `doorstep-<form>-<worker>-<date>.json`, with only characters every file system takes.
pub fn file_name(form: &str, worker: &str, date: &str, ext: &str) -> String {
    let clean = |s: &str| -> String {
        let s: String = s
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if s.is_empty() {
            "x".into()
        } else {
            s
        }
    };
    format!(
        "doorstep-{}-{}-{}.{ext}",
        clean(form),
        clean(worker),
        clean(date)
    )
}
