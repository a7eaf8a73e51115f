//! What a resident's phone hands back: their response with every identifying answer taken
//! out before it leaves the phone (names, phones, the flat — questions classed
//! `identifier`, and any without a class, as the export treats them), as a small JSON
//! document the worker's tablet imports as a response of its own.

use crate::form::{Form, Privacy};
use crate::i18n::Text;
use crate::response::{Response, Status, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const FORMAT: &str = "doorstep-handback";
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    format_version: u32,
    response: Response,
}

#[derive(Clone, Debug, PartialEq)]
pub enum HandbackError {
    NotOurs,
    FormatVersion(u32),
    /// The form (id, version) is not on this device.
    UnknownForm(String, u32),
    /// An answer the form does not have, or one that should never have left the phone.
    Invalid(String),
}

impl HandbackError {
    pub fn describe(&self) -> Text {
        match self {
            HandbackError::NotOurs => Text::new(
                "读到的内容不是居民回传的问卷。",
                "What was read is not a resident's returned answers.",
            ),
            HandbackError::FormatVersion(v) => Text::new(
                format!("回传格式版本是 {v}，本程序只能读取版本 {VERSION}。请把两台设备上的 Doorstep 更新到同一版本。"),
                format!("The return is format version {v}; this app reads version {VERSION}. Update Doorstep on both devices."),
            ),
            HandbackError::UnknownForm(id, v) => Text::new(
                format!("本设备没有问卷 {id} 第 {v} 版。请先在问卷库导入它。"),
                format!("Form {id} version {v} is not on this device. Import it in the form library first."),
            ),
            HandbackError::Invalid(why) => Text::new(
                format!("回传的问卷有误（{why}），没有导入。"),
                format!("The returned answers are not valid ({why}) and were not imported."),
            ),
        }
    }
}

/// Ids of the questions whose answers may leave a resident's phone.
fn shareable(form: &Form) -> BTreeSet<&str> {
    form.questions()
        .map(|(_, q)| q)
        .filter(|q| !matches!(q.privacy, Some(Privacy::Identifier) | None))
        .map(|q| q.id.as_str())
        .collect()
}

/// Keeps only the shareable answers, repeat items included.
fn keep(answers: &mut std::collections::BTreeMap<String, Value>, ok: &BTreeSet<&str>) {
    answers.retain(|id, v| {
        if let Value::Rows(rows) = v {
            rows.iter_mut().for_each(|r| keep(r, ok));
            return true;
        }
        ok.contains(id.as_str())
    });
}

/// The document a phone sends for `r` (a response of `form`).
pub fn pack(form: &Form, r: &Response) -> Vec<u8> {
    let ok = shareable(form);
    let mut response = r.clone();
    keep(&mut response.answers, &ok);
    response.other.retain(|id, _| ok.contains(id.as_str()));
    response.household = None;
    response.worker = String::new();
    let doc = Document {
        format: FORMAT.into(),
        format_version: VERSION,
        response,
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}

fn document(bytes: &[u8]) -> Result<serde_json::Value, HandbackError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| HandbackError::NotOurs)?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(HandbackError::NotOurs);
    }
    match value.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => Ok(value),
        Some(v) => Err(HandbackError::FormatVersion(v as u32)),
        None => Err(HandbackError::NotOurs),
    }
}

/// The form (id and version) a returned document answers: what the tablet must have to
/// read it.
pub fn form_of(bytes: &[u8]) -> Result<(String, u32), HandbackError> {
    let doc = document(bytes)?;
    let r = doc.get("response");
    let id = r.and_then(|r| r.get("form")).and_then(|f| f.as_str());
    let v = r.and_then(|r| r.get("v")).and_then(|v| v.as_u64());
    match (id, v) {
        (Some(id), Some(v)) => Ok((id.to_owned(), v as u32)),
        _ => Err(HandbackError::Invalid("form".into())),
    }
}

/// Reads a returned document: the response, checked against `form` (the one `form_of`
/// named, from this device).
pub fn unpack(bytes: &[u8], form: &Form) -> Result<Response, HandbackError> {
    let value = document(bytes)?;
    let doc: Document =
        serde_json::from_value(value).map_err(|e| HandbackError::Invalid(e.to_string()))?;
    let r = doc.response;
    if r.form != form.id || r.form_version != form.version {
        return Err(HandbackError::UnknownForm(r.form.clone(), r.form_version));
    }
    let ok = shareable(form);
    let repeats: BTreeSet<&str> = form
        .questions()
        .filter(|(_, q)| matches!(q.kind, crate::form::Kind::Repeat { .. }))
        .map(|(_, q)| q.id.as_str())
        .collect();
    fn check(
        answers: &std::collections::BTreeMap<String, Value>,
        ok: &BTreeSet<&str>,
        repeats: &BTreeSet<&str>,
    ) -> Result<(), String> {
        for (id, v) in answers {
            match v {
                Value::Rows(rows) if repeats.contains(id.as_str()) => {
                    rows.iter().try_for_each(|r| check(r, ok, repeats))?;
                }
                _ if ok.contains(id.as_str()) => {}
                _ => return Err(id.clone()),
            }
        }
        Ok(())
    }
    check(&r.answers, &ok, &repeats).map_err(HandbackError::Invalid)?;
    if let Some(id) = r.other.keys().find(|id| !ok.contains(id.as_str())) {
        return Err(HandbackError::Invalid(id.clone()));
    }
    if r.household.is_some() || !r.worker.is_empty() || r.id.is_empty() {
        return Err(HandbackError::Invalid("household / worker / id".into()));
    }
    if r.status == Status::Completed && r.completed.is_none() {
        return Err(HandbackError::Invalid("completed".into()));
    }
    Ok(r)
}

/// What importing a returned response did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imported {
    New,
    /// The same response was imported before (the codes scanned twice): nothing changed.
    AlreadyThere,
}

/// Stores a returned response on this device, once: its id is the phone's, so scanning the
/// same codes again changes nothing.
pub fn import<S: crate::store::KvStore>(
    store: &crate::store::ResponseStore<S>,
    r: Response,
) -> Result<Imported, crate::store::StoreError> {
    if store.open_response(&r.id)?.is_some() {
        return Ok(Imported::AlreadyThere);
    }
    store.create(r).map(|_| Imported::New)
}
