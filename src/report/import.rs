//! Checking one export file before anything of it is merged: size, text, JSON, format and
//! version, the header's shape, the checksums over the responses, the visits and the form,
//! and every answer against the form it claims to follow. A file either passes whole and
//! becomes a `Checked`, or is refused with one `Rejection` a coordinator can act on.

use super::json::In;
use crate::export::digest::{canonical_string, sha256_hex};
use crate::export::{EXPORT_FORMAT, EXPORT_VERSION};
use crate::form::{Form, Kind, Question};
use crate::i18n::{Lang, Text};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The largest file read. A worker's export of a whole 2,130-household community is about
/// 4 MB; a file many times that is not one worker's export, and reading it would take the
/// coordinator's tab down with it.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file was refused. Nothing of a refused file is merged.
#[derive(Clone, Debug, PartialEq)]
pub enum Rejection {
    TooLarge {
        bytes: u64,
    },
    Empty,
    NotText,
    NotJson {
        line: usize,
        column: usize,
    },
    Truncated,
    TooDeep,
    NotAnExport,
    FormatVersion(u64),
    /// The file's shape is not the format's: where, and what.
    Invalid(String),
    /// A checksum does not match: the file was edited or damaged after it was written.
    Edited(Part),
    /// The file belongs to another project than the workspace's.
    OtherProject {
        file: String,
        workspace: String,
    },
    /// The same form id and version as a file already imported, with another definition.
    FormConflict {
        form: String,
        version: u32,
    },
}

/// What a checksum covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Responses,
    Visits,
    Form,
    Count,
}

impl Rejection {
    pub fn describe(&self, lang: Lang) -> String {
        let t = match self {
            Rejection::TooLarge { bytes } => {
                let mb = (*bytes as f64 / 1048576.0).round();
                let max = MAX_FILE_BYTES / 1048576;
                Text::new(
                    format!("文件太大（{mb} MB），一个导出文件最多 {max} MB。这不像社工导出的文件；请让社工按日期分批导出。"),
                    format!("The file is too large ({mb} MB); an export file may be at most {max} MB. This is not a worker's export; ask for exports by date range."),
                )
            }
            Rejection::Empty => Text::new("文件是空的。", "The file is empty."),
            Rejection::NotText => Text::new(
                "不是文本文件（不是 UTF-8）。请选择 Doorstep 导出的 .json 文件。",
                "Not a text file (not UTF-8). Choose a .json file exported by Doorstep.",
            ),
            Rejection::NotJson { line, column } => Text::new(
                format!("不是 JSON 文件（第 {line} 行第 {column} 列出错）。"),
                format!("Not a JSON file (error at line {line}, column {column})."),
            ),
            Rejection::Truncated => Text::new(
                "文件不完整（在中途截断了），可能没有传完。请让社工重新发送。",
                "The file is incomplete (cut off part way), perhaps not fully sent. Ask the worker to send it again.",
            ),
            Rejection::TooDeep => Text::new(
                "文件嵌套过深，不是 Doorstep 导出的文件。",
                "The file is nested too deeply; it is not a Doorstep export.",
            ),
            Rejection::NotAnExport => Text::new(
                "这是 JSON 文件，但不是 Doorstep 匿名导出文件。",
                "This is JSON, but not a Doorstep anonymised export.",
            ),
            Rejection::FormatVersion(v) => Text::new(
                format!("导出格式版本 {v} 不认识（本应用读取版本 {EXPORT_VERSION}）。请更新应用。"),
                format!("Unknown export format version {v} (this app reads version {EXPORT_VERSION}). Update the app."),
            ),
            Rejection::Invalid(d) => Text::new(
                format!("文件结构不对：{d}"),
                format!("The file's structure is wrong: {d}"),
            ),
            Rejection::Edited(part) => {
                let (zh, en) = match part {
                    Part::Responses => ("回答", "responses"),
                    Part::Visits => ("走访记录", "visits"),
                    Part::Form => ("问卷定义", "form definition"),
                    Part::Count => ("回答数", "response count"),
                };
                Text::new(
                    format!("校验和不符：导出后{zh}被修改或损坏了。请让社工重新导出。"),
                    format!("Checksum mismatch: the {en} were edited or damaged after export. Ask the worker to export again."),
                )
            }
            Rejection::OtherProject { file, workspace } => Text::new(
                format!("这个文件属于另一个项目（{file}），当前项目是「{workspace}」。"),
                format!("This file belongs to another project ({file}); the workspace's project is “{workspace}”."),
            ),
            Rejection::FormConflict { form, version } => Text::new(
                format!("问卷 {form} 第 {version} 版与已导入的同版本定义不同。问卷改动后应升版本号。"),
                format!("Form {form} version {version} differs from the same version already imported. A changed form needs a new version."),
            ),
        };
        t.get(lang).to_owned()
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
    pub community: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormIn<'a> {
    id: String,
    version: u32,
    sha256: String,
    #[serde(borrow)]
    definition: &'a RawValue,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderIn<'a> {
    project: ProjectRef,
    #[serde(borrow)]
    form: FormIn<'a>,
    worker: String,
    exported_at: String,
    period: Period,
    status: StatusFilter,
    k: u32,
    count: usize,
    items: usize,
    responses_sha256: String,
    visits: usize,
    visits_sha256: String,
    removed: BTreeMap<String, u64>,
    free_text_included: BTreeMap<String, u64>,
    generalised: BTreeMap<String, serde_json::Value>,
    suppressed: BTreeMap<String, u64>,
    withheld: usize,
    unmapped_buildings: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusFilter {
    Completed,
    All,
}

/// What the coordinator keeps of a file's header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub project: ProjectRef,
    pub form: String,
    pub version: u32,
    pub form_sha256: String,
    pub worker: String,
    pub exported_at: String,
    pub period: Period,
    pub k: u32,
    pub count: usize,
    pub responses_sha256: String,
    pub visits_sha256: String,
    pub completed_only: bool,
    pub items: usize,
    pub removed: BTreeMap<String, u64>,
    pub free_text_included: BTreeMap<String, u64>,
    /// How each coarsened question was coarsened, as the file describes it.
    pub generalised: BTreeMap<String, String>,
    pub suppressed: BTreeMap<String, u64>,
    pub withheld: usize,
    pub unmapped_buildings: usize,
}

impl Header {
    /// One file's identity: the same responses and visits are the same file, whatever its
    /// name.
    pub fn key(&self) -> String {
        format!(
            "{}{}",
            &self.responses_sha256[..32],
            &self.visits_sha256[..32]
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Completed,
    Draft,
}

/// One response of a file, its strings borrowed from the file's text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(default, borrow)]
    pub household: Option<Cow<'a, str>>,
    pub status: Status,
    #[serde(borrow)]
    pub started: Cow<'a, str>,
    #[serde(default, borrow)]
    pub completed: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub worker: Cow<'a, str>,
    #[serde(default, borrow)]
    pub area: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub answers: In<'a>,
    #[serde(default, borrow)]
    pub other: Option<In<'a>>,
}

/// One visit as the indicators count it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitIn<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub month: Cow<'a, str>,
    pub outcome: Outcome,
    #[serde(borrow)]
    pub worker: Cow<'a, str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    NotHome,
    Refused,
    MovedOrVacant,
    ComeBack,
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Completed,
        Outcome::NotHome,
        Outcome::Refused,
        Outcome::MovedOrVacant,
        Outcome::ComeBack,
        Outcome::Other,
    ];
}

/// A file that passed every check, ready to merge.
pub struct Checked<'a> {
    pub header: Header,
    pub form: Form,
    /// The form's definition as canonical JSON, for the merged export and the appendix.
    pub definition: String,
    pub records: Vec<Record<'a>>,
    pub visits: Vec<VisitIn<'a>>,
}

fn json_error(e: &serde_json::Error) -> Rejection {
    use serde_json::error::Category;
    if e.to_string().contains("recursion limit") {
        return Rejection::TooDeep;
    }
    match e.classify() {
        Category::Eof => Rejection::Truncated,
        Category::Syntax | Category::Io => Rejection::NotJson {
            line: e.line(),
            column: e.column(),
        },
        Category::Data => Rejection::Invalid(e.to_string()),
    }
}

/// The text of a file's bytes (a byte-order mark dropped), or why there is none.
pub fn text_of(bytes: &[u8]) -> Result<&str, Rejection> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Rejection::TooLarge {
            bytes: bytes.len() as u64,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Rejection::NotText)?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(Rejection::Empty);
    }
    Ok(text)
}

/// The SHA-256 of an array as written, falling back to its canonical form (RFC 8785) when a
/// file was re-indented by some tool but not changed.
fn array_hash_matches(raw: &RawValue, expected: &str) -> bool {
    if sha256_hex(raw.get()) == expected {
        return true;
    }
    match serde_json::from_str::<serde_json::Value>(raw.get()) {
        Ok(v) => sha256_hex(&canonical_string(&v)) == expected,
        Err(_) => false,
    }
}

fn hex_id(s: &str, prefix: &str) -> bool {
    s.len() == prefix.len() + 32
        && s.starts_with(prefix)
        && s[prefix.len()..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_date(s: &str) -> bool {
    crate::form::parse_date(s).is_some() && s.len() == 10
}

/// Checks one file. `project` is the workspace's project id and name, if it has one yet.
pub fn check<'a>(text: &'a str, project: Option<(&str, &str)>) -> Result<Checked<'a>, Rejection> {
    let top: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(|e| {
        match json_error(&e) {
            // JSON, but not an object of values: not ours.
            Rejection::Invalid(_) => Rejection::NotAnExport,
            r => r,
        }
    })?;
    let format = top.get("format").map(|r| r.get());
    if format != Some(&format!("\"{EXPORT_FORMAT}\"")[..]) {
        return Err(Rejection::NotAnExport);
    }
    match top.get("format_version").map(|r| r.get().parse::<u64>()) {
        Some(Ok(v)) if v == EXPORT_VERSION as u64 => {}
        Some(Ok(v)) => return Err(Rejection::FormatVersion(v)),
        _ => return Err(Rejection::Invalid("format_version".into())),
    }
    for key in top.keys() {
        if !["format", "format_version", "header", "responses", "visits"].contains(&key.as_str()) {
            return Err(Rejection::Invalid(format!("{key}: unknown field")));
        }
    }
    let part = |k: &str| {
        top.get(k)
            .copied()
            .ok_or_else(|| Rejection::Invalid(format!("{k}: missing")))
    };
    let (header_raw, responses_raw, visits_raw) =
        (part("header")?, part("responses")?, part("visits")?);
    let mut de = serde_json::Deserializer::from_str(header_raw.get());
    let h: HeaderIn = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        if let Rejection::TooDeep = json_error(e.inner()) {
            return Rejection::TooDeep;
        }
        Rejection::Invalid(format!("header.{}: {}", e.path(), e.inner()))
    })?;
    if let Some((id, name)) = project {
        if h.project.id != id {
            return Err(Rejection::OtherProject {
                file: h.project.name.clone(),
                workspace: name.to_owned(),
            });
        }
    }
    if !array_hash_matches(responses_raw, &h.responses_sha256) {
        return Err(Rejection::Edited(Part::Responses));
    }
    if !array_hash_matches(visits_raw, &h.visits_sha256) {
        return Err(Rejection::Edited(Part::Visits));
    }
    let definition: serde_json::Value =
        serde_json::from_str(h.form.definition.get()).map_err(|e| json_error(&e))?;
    let definition = canonical_string(&definition);
    if sha256_hex(&definition) != h.form.sha256 {
        return Err(Rejection::Edited(Part::Form));
    }
    let form: Form = serde_json::from_str(&definition)
        .map_err(|e| Rejection::Invalid(format!("header.form.definition: {e}")))?;
    if form.id != h.form.id || form.version != h.form.version {
        return Err(Rejection::Invalid(
            "header.form: id or version differ from the definition".into(),
        ));
    }
    let records: Vec<Record<'a>> =
        serde_json::from_str(responses_raw.get()).map_err(|e| match json_error(&e) {
            Rejection::Invalid(d) => Rejection::Invalid(format!("responses: {d}")),
            r => r,
        })?;
    if records.len() != h.count {
        return Err(Rejection::Edited(Part::Count));
    }
    let visits: Vec<VisitIn<'a>> =
        serde_json::from_str(visits_raw.get()).map_err(|e| match json_error(&e) {
            Rejection::Invalid(d) => Rejection::Invalid(format!("visits: {d}")),
            r => r,
        })?;
    if visits.len() != h.visits {
        return Err(Rejection::Edited(Part::Count));
    }
    let shapes = Shapes::of(&form);
    for (i, r) in records.iter().enumerate() {
        check_record(r, &shapes).map_err(|d| Rejection::Invalid(format!("responses[{i}]{d}")))?;
    }
    for (i, v) in visits.iter().enumerate() {
        let month_ok = v.month.len() == 7 && is_date(&format!("{}-01", v.month));
        if !hex_id(&v.id, "v-") || !month_ok || v.worker.is_empty() {
            return Err(Rejection::Invalid(format!("visits[{i}]")));
        }
    }
    Ok(Checked {
        header: Header {
            project: h.project,
            form: h.form.id,
            version: h.form.version,
            form_sha256: h.form.sha256,
            worker: h.worker,
            exported_at: h.exported_at,
            period: h.period,
            k: h.k,
            count: h.count,
            responses_sha256: h.responses_sha256,
            visits_sha256: h.visits_sha256,
            completed_only: h.status == StatusFilter::Completed,
            items: h.items,
            removed: h.removed,
            free_text_included: h.free_text_included,
            generalised: h
                .generalised
                .iter()
                .map(|(q, g)| {
                    let d = g.get("describe").and_then(|d| d.as_str()).unwrap_or("");
                    (q.clone(), d.to_owned())
                })
                .collect(),
            suppressed: h.suppressed,
            withheld: h.withheld,
            unmapped_buildings: h.unmapped_buildings,
        },
        form,
        definition,
        records,
        visits,
    })
}

/// What an answer of each question may look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One value: a text, a number or true/false.
    Scalar,
    /// The values of a multiple choice.
    Multi,
    /// Items of a repeat, each an object of answers.
    Repeat,
}

pub fn shape_of(q: &Question) -> Option<Shape> {
    match q.kind {
        Kind::Note => None,
        Kind::MultipleChoice { .. } => Some(Shape::Multi),
        Kind::Repeat { .. } => Some(Shape::Repeat),
        _ => Some(Shape::Scalar),
    }
}

/// Every question of a form by id with its shape.
pub struct Shapes(HashMap<String, Shape>);

impl Shapes {
    pub fn of(form: &Form) -> Shapes {
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
        Shapes(out)
    }

    pub fn get(&self, id: &str) -> Option<Shape> {
        self.0.get(id).copied()
    }
}

/// An answer that is not a question of the form, or not of its shape, is refused: a file
/// that says more than its form asks may carry what should not have left the device.
fn check_answers(a: &In, shapes: &Shapes, at: &str) -> Result<(), String> {
    let In::Obj(fields) = a else {
        return Err(format!("{at}: not an object"));
    };
    for (k, v) in fields {
        let ok = match (shapes.get(k), v) {
            (Some(Shape::Scalar), In::Str(_) | In::Num(_) | In::Bool(_)) => true,
            (Some(Shape::Multi), In::List(items)) => items.iter().all(|i| i.as_str().is_some()),
            (Some(Shape::Repeat), In::List(items)) => {
                for (n, item) in items.iter().enumerate() {
                    check_answers(item, shapes, &format!("{at}.{k}[{n}]"))?;
                }
                true
            }
            (None, _) => return Err(format!("{at}.{k}: not a question of the form")),
            _ => false,
        };
        if !ok {
            return Err(format!("{at}.{k}: not an answer of this question's type"));
        }
    }
    Ok(())
}

fn check_record(r: &Record, shapes: &Shapes) -> Result<(), String> {
    if !hex_id(&r.id, "r-") {
        return Err(".id".into());
    }
    if r.household.as_deref().is_some_and(|h| !hex_id(h, "h-")) {
        return Err(".household".into());
    }
    if !is_date(&r.started) || r.completed.as_deref().is_some_and(|c| !is_date(c)) {
        return Err(".started/completed: not a date".into());
    }
    if r.worker.is_empty() || r.area.as_deref().is_some_and(str::is_empty) {
        return Err(".worker/area: empty".into());
    }
    check_answers(&r.answers, shapes, ".answers")?;
    if let Some(o) = &r.other {
        match o {
            In::Obj(f) if f.iter().all(|(_, v)| v.as_str().is_some()) => {}
            _ => return Err(".other".into()),
        }
    }
    Ok(())
}
