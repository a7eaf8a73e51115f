//! Checking one export file before anything of it is merged: size, text, JSON, format and
//! version, the header's shape, the checksums over the responses, the visits and the form,
//! and every answer against the form it claims to follow; for a format 2 file also the
//! signature under the project's signing key, and that its household links open with the
//! project's secret key. A file either passes whole and becomes a `Checked`, or is refused
//! with one `Rejection` a coordinator can act on.

use crate::export::digest::{canonical_string, sha256_hex, signature_holds, SIGNATURE_ALG};
use crate::export::link::{LinkOpener, ProjectSecret, SCHEME};
use crate::export::{EXPORT_FORMAT, EXPORT_VERSION};
use crate::form::{Form, Kind, Question};
use crate::i18n::{Lang, Text};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

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
    /// The browser could not read the file (moved, deleted, or no permission since it was
    /// picked).
    Unreadable,
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
    /// A format 2 file of a project whose keys are not in this browser.
    NoProjectKey {
        project: String,
    },
    /// The signature does not hold: the file was changed, or made, outside the project.
    Forged,
    /// Answers no form-following app could have written: the first few, and how many.
    Answers {
        first: Vec<super::rules::BadAnswer>,
        total: usize,
    },
    /// The header's k is not a k (0 or 1: no group).
    BadK(u32),
}

/// The keys of a project this browser holds: its secret (opens household links) and its
/// signing key (checks signatures).
pub struct ProjectKeys {
    pub secret: ProjectSecret,
    pub sign_key: zeroize::Zeroizing<Vec<u8>>,
    /// The project as this browser holds it: its name is shown, not the one a file's
    /// header gives (which only the signature vouches for, and which an older file may
    /// spell otherwise).
    pub named: Option<ProjectRef>,
}

impl std::fmt::Debug for ProjectKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys themselves.
        f.write_str("ProjectKeys")
    }
}

/// The projects whose keys this browser holds, by project id.
pub type Keyring = std::collections::HashMap<String, ProjectKeys>;

/// What a checksum covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Responses,
    Visits,
    Form,
    Count,
}

/// A structure problem (`path: reason`, the reason as the checks or serde word it) said in
/// Chinese: the path stays (it names the place in the file), the reason is translated.
fn invalid_zh(d: &str) -> String {
    let (path, reason) = match d.rsplit_once(": ") {
        Some((p, r)) => (p.trim(), r.trim()),
        None => ("", d.trim()),
    };
    // A backquoted name in a serde message: `x`.
    let named = || {
        reason
            .split('`')
            .nth(1)
            .map(|n| format!(" {n}"))
            .unwrap_or_default()
    };
    let what = if reason.contains("missing field") {
        format!("缺少字段{}", named())
    } else if reason.contains("unknown field") {
        format!("有不认识的字段{}", named())
    } else if reason.contains("duplicate field") || reason.contains("twice") {
        format!("字段重复{}", named())
    } else if reason == "missing" || reason.ends_with("missing") {
        "缺少这一项".to_owned()
    } else if reason.contains("invalid type") || reason.contains("invalid value") {
        "值的类型不对".to_owned()
    } else if reason.contains("EOF") || reason.contains("end of") {
        "文件不完整".to_owned()
    } else if reason.contains("differ") {
        "问卷编号或版本与问卷定义不一致".to_owned()
    } else if reason.contains("link or signature") {
        "缺少或多出链接、签名".to_owned()
    } else if path.is_empty() && !reason.contains(' ') {
        // A bare path ("format_version", "visits[3]"): the place itself is wrong.
        return format!("位置 {reason} 的内容不对");
    } else {
        "内容格式不对".to_owned()
    };
    if path.is_empty() {
        what
    } else {
        format!("位置 {path}：{what}")
    }
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
            Rejection::Unreadable => Text::new(
                "浏览器无法读取这个文件（可能已被移动、删除，或没有权限）。请重新选择。",
                "The browser could not read this file (moved, deleted, or not permitted?). Choose it again.",
            ),
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
                format!("导出格式版本 {v} 不认识（本应用读取版本 1 到 {EXPORT_VERSION}）。请更新应用。"),
                format!("Unknown export format version {v} (this app reads versions 1 to {EXPORT_VERSION}). Update the app."),
            ),
            Rejection::Invalid(d) => Text::new(
                format!(
                    "文件结构不对：{}。文件可能在导出后被改动或损坏，请让社工重新导出。",
                    invalid_zh(d)
                ),
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
            Rejection::NoProjectKey { project } => Text::new(
                format!("这个文件属于项目「{project}」，但本浏览器没有该项目的密钥，无法核对签名、打开住户关联。请在建立该项目的电脑上导入，或先在“项目”中恢复项目密钥的备份。"),
                format!("This file belongs to the project “{project}”, whose key is not in this browser: its signature cannot be checked nor its household links opened. Import it on the computer that made the project, or first restore the project key's backup under Projects."),
            ),
            Rejection::Forged => Text::new(
                "签名不符：这个文件在项目之外被修改过，或不是本项目的成员导出的。未导入任何内容。请让社工重新导出。",
                "The signature does not match: this file was changed outside the project, or not made by one of its members. Nothing was imported. Ask the worker to export again.",
            ),
            Rejection::Answers { first, total } => {
                let zh = lang == Lang::Zh;
                let each: Vec<String> = first
                    .iter()
                    .map(|b| {
                        let label = b.label.get(lang);
                        let q = if label.is_empty() || label == b.question {
                            b.question.clone()
                        } else {
                            format!("{label}（{}）", b.question)
                        };
                        if zh {
                            format!("第 {} 份（{}）“{q}”：{}", b.response, b.id, b.problem.describe(lang))
                        } else {
                            format!("response {} ({}), “{q}”: {}", b.response, b.id, b.problem.describe(lang))
                        }
                    })
                    .collect();
                let more = total.saturating_sub(first.len());
                Text::new(
                    format!(
                        "有 {total} 个回答不是问卷能产生的，整个文件未导入。{}{}",
                        each.join("；"),
                        if more > 0 { format!("；另有 {more} 个。") } else { "。".into() }
                    ),
                    format!(
                        "{total} answers are not ones the form can produce; nothing of the file was imported. {}{}",
                        each.join("; "),
                        if more > 0 { format!("; and {more} more.") } else { ".".into() }
                    ),
                )
            }
            Rejection::BadK(k) => Text::new(
                format!("文件头的 k = {k} 不是有效的小组规模（应为空或至少 2）。"),
                format!("The header's k = {k} is not a group size (it is null or at least 2)."),
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

/// A format 2 header's `link`: how household links are sealed, and this file's ephemeral
/// public key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkIn {
    scheme: String,
    ephemeral: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureIn {
    alg: String,
    value: String,
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
    /// Format 1: the k the device suppressed to. Format 2: `null` unless it suppressed.
    k: Option<u32>,
    #[serde(default)]
    link: Option<LinkIn>,
    #[serde(default)]
    signature: Option<SignatureIn>,
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
    /// 1: household pseudonyms made on the device with the old shared key, unsigned.
    /// 2: household links sealed to the project's key, signed.
    pub format_version: u32,
    pub project: ProjectRef,
    pub form: String,
    pub version: u32,
    pub form_sha256: String,
    pub worker: String,
    pub exported_at: String,
    pub period: Period,
    /// The k the worker's device suppressed to, if it did.
    pub k: Option<u32>,
    pub count: usize,
    pub responses_sha256: String,
    pub visits_sha256: String,
    pub visits: usize,
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

/// The form a file follows: parsed from its header, or one the dataset holds already
/// (same checksum), found by `known`.
pub enum FormSource {
    Parsed { form: Box<Form>, definition: String },
    Known(usize),
}

/// A file whose header, checksums and form passed: what `Dataset::merge` reads the
/// responses from. The responses and visits are still text; merging parses them straight
/// into the dataset's columns, checking each as it goes.
pub struct Outline<'a> {
    pub header: Header,
    /// Opens a format 2 file's household links.
    pub links: Option<LinkOpener>,
    pub form: FormSource,
    pub responses: &'a str,
    pub visits: &'a str,
}

/// A file's top level, scanned once: the format checked, its parts located.
pub struct Frame<'a> {
    version: u32,
    header: &'a str,
    responses: &'a str,
    visits: &'a str,
    /// Found by the canonical layout's landmarks rather than a full scan (see `frame`).
    pub quick: bool,
}

impl Frame<'_> {
    /// Where the responses and visits arrays sit in `text` (byte ranges), for a caller
    /// that hashes them itself: the browser's WebCrypto is several times faster than wasm.
    pub fn ranges(&self, text: &str) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let range = |raw: &str| {
            let start = raw.as_ptr() as usize - text.as_ptr() as usize;
            start..start + raw.len()
        };
        (range(self.responses), range(self.visits))
    }
}

/// A file's top level as every export writes it (canonical JSON: format, format_version,
/// header, responses, visits, in that order, no spaces), located by its landmarks instead
/// of a scan of 170 MB: `,"responses":[` first appears where the header ends (inside a
/// string a quote is escaped, and no object of a header has such a key) and `,"visits":[`
/// last appears where the responses end (a visit has no such key). A wrong guess cannot
/// pass: the parts' checksums and parsing follow, and a file refused after a quick framing
/// is checked again with the full scan (`report::admit` callers do so).
pub fn quick_frame(text: &str) -> Option<Frame<'_>> {
    let (version, rest) = (1..=EXPORT_VERSION).find_map(|v| {
        let head = format!("{{\"format\":\"{EXPORT_FORMAT}\",\"format_version\":{v},\"header\":");
        Some((v, text.strip_prefix(head.as_str())?))
    })?;
    let body = rest.trim_end().strip_suffix('}')?;
    let r = body.find(",\"responses\":[")?;
    let v = body.rfind(",\"visits\":[")?;
    (v > r).then(|| Frame {
        version,
        header: &body[..r],
        responses: &body[r + 13..v],
        visits: &body[v + 10..],
        quick: true,
    })
}

/// Scans a file's top level: JSON, the format and its version, the parts it must have.
pub fn frame(text: &str) -> Result<Frame<'_>, Rejection> {
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
    let version = match top.get("format_version").map(|r| r.get().parse::<u64>()) {
        Some(Ok(v)) if (1..=EXPORT_VERSION as u64).contains(&v) => v as u32,
        Some(Ok(v)) => return Err(Rejection::FormatVersion(v)),
        _ => return Err(Rejection::Invalid("format_version".into())),
    };
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
    Ok(Frame {
        version,
        header: part("header")?.get(),
        responses: part("responses")?.get(),
        visits: part("visits")?.get(),
        quick: false,
    })
}

pub fn json_error(e: &serde_json::Error) -> Rejection {
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

/// Whether an array's canonical form (RFC 8785) hashes to `expected`: a file re-indented by
/// some tool but not changed still passes.
fn canonical_hash_matches(raw: &str, expected: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => sha256_hex(&canonical_string(&v)) == expected,
        Err(_) => false,
    }
}

pub fn hex_id(s: &str, prefix: &str) -> bool {
    s.len() == prefix.len() + 32
        && s.starts_with(prefix)
        && s[prefix.len()..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn is_date(s: &str) -> bool {
    crate::form::parse_date(s).is_some() && s.len() == 10
}

/// What a file's outline is checked against: the workspace's project id and name, if it
/// has one yet; `known` finds a form already held by its checksum; `keys` holds the
/// projects whose keys this browser has.
pub struct Context<'c> {
    pub project: Option<(&'c str, &'c str)>,
    pub known: &'c dyn Fn(&str) -> Option<usize>,
    pub keys: &'c Keyring,
}

/// Checks a file's outline: everything but the responses one by one. `digests` are the
/// SHA-256 of the responses and visits arrays as written, if the caller computed them
/// (otherwise they are computed here).
pub fn outline<'a>(
    text: &'a str,
    cx: &Context,
    digests: Option<(String, String)>,
) -> Result<Outline<'a>, Rejection> {
    outline_of(frame(text)?, cx, digests)
}

/// A format 2 header's signature checked and its links' opener made, with the keys of
/// its project.
fn keys_of(header_raw: &str, h: &HeaderIn, keys: &Keyring) -> Result<LinkOpener, Rejection> {
    let (Some(link), Some(sig)) = (&h.link, &h.signature) else {
        return Err(Rejection::Invalid(
            "header: link or signature missing".into(),
        ));
    };
    if link.scheme != SCHEME || sig.alg != SIGNATURE_ALG {
        return Err(Rejection::Invalid(format!(
            "header: unknown scheme {} / {}",
            link.scheme, sig.alg
        )));
    }
    let k = keys
        .get(&h.project.id)
        .ok_or_else(|| Rejection::NoProjectKey {
            project: h.project.name.clone(),
        })?;
    let value: serde_json::Value = serde_json::from_str(header_raw).map_err(|e| json_error(&e))?;
    if !signature_holds(&k.sign_key, &value, &sig.value) {
        return Err(Rejection::Forged);
    }
    // Signed by a member, yet not opening: sealed to another key (a forged project file).
    k.secret
        .opener(&h.project.id, &link.ephemeral)
        .map_err(|_| Rejection::Forged)
}

/// `outline` of a file already framed.
pub fn outline_of<'a>(
    frame: Frame<'a>,
    cx: &Context,
    digests: Option<(String, String)>,
) -> Result<Outline<'a>, Rejection> {
    let Context { project, known, .. } = *cx;
    let Frame {
        version,
        header: header_raw,
        responses,
        visits,
        ..
    } = frame;
    // A key twice anywhere in the header (the form definition included) is refused: the
    // signature and this reader could otherwise each take a different one.
    if let Some(k) = super::json::duplicate_key(header_raw) {
        return Err(Rejection::Invalid(format!("header: the key {k:?} twice")));
    }
    let mut de = serde_json::Deserializer::from_str(header_raw);
    let h: HeaderIn = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        if let Rejection::TooDeep = json_error(e.inner()) {
            return Rejection::TooDeep;
        }
        Rejection::Invalid(format!("header.{}: {}", e.path(), e.inner()))
    })?;
    let links = match version {
        1 if h.link.is_some() || h.signature.is_some() => {
            return Err(Rejection::Invalid(
                "header: link or signature in format 1".into(),
            ))
        }
        1 => None,
        _ => Some(keys_of(header_raw, &h, cx.keys)?),
    };
    if h.k.is_some_and(|k| k < 2) {
        return Err(Rejection::BadK(h.k.unwrap_or_default()));
    }
    if let Some((id, name)) = project {
        if h.project.id != id {
            return Err(Rejection::OtherProject {
                file: h.project.name.clone(),
                workspace: name.to_owned(),
            });
        }
    }
    let (responses_hash, visits_hash) = match digests {
        Some(d) => d,
        None => (sha256_hex(responses), sha256_hex(visits)),
    };
    if responses_hash != h.responses_sha256
        && !canonical_hash_matches(responses, &h.responses_sha256)
    {
        return Err(Rejection::Edited(Part::Responses));
    }
    if visits_hash != h.visits_sha256 && !canonical_hash_matches(visits, &h.visits_sha256) {
        return Err(Rejection::Edited(Part::Visits));
    }
    // A form the dataset holds is not parsed again: its definition as written hashes to
    // the same checksum.
    let raw_def = h.form.definition.get();
    let form = match known(&h.form.sha256) {
        Some(i) if sha256_hex(raw_def) == h.form.sha256 => FormSource::Known(i),
        _ => {
            let definition: serde_json::Value =
                serde_json::from_str(raw_def).map_err(|e| json_error(&e))?;
            let definition = canonical_string(&definition);
            if sha256_hex(&definition) != h.form.sha256 {
                return Err(Rejection::Edited(Part::Form));
            }
            // Format 2 carries the documented form format, read by the checking parser;
            // format 1 the app's compiled shape.
            let form: Form = if version == 1 {
                serde_json::from_str(&definition)
                    .map_err(|e| Rejection::Invalid(format!("header.form.definition: {e}")))?
            } else {
                crate::form::parse::parse_form(&definition).map_err(|e| {
                    Rejection::Invalid(format!("header.form.definition: {}", e.describe(Lang::En)))
                })?
            };
            if form.id != h.form.id || form.version != h.form.version {
                return Err(Rejection::Invalid(
                    "header.form: id or version differ from the definition".into(),
                ));
            }
            FormSource::Parsed {
                form: Box::new(form),
                definition,
            }
        }
    };
    Ok(Outline {
        links,
        header: Header {
            format_version: version,
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
            visits: h.visits,
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
        responses,
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
