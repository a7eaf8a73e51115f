//! XLSForm import: an `.xlsx` workbook, or `survey.csv` + `choices.csv` (+ `settings.csv`),
//! becomes a Doorstep form definition (docs/form-format.md), which then goes through the
//! same checks as any definition (`form::parse_form`).
//!
//! Nothing is dropped silently: every row, column or setting not carried over is listed as a
//! warning with its sheet and row. A file that cannot be read, or a form that would not
//! work, is an `ImportError` naming the place; the caller then stores nothing.
//!
//! Linked only into the coordinator module (src/bin/coordinator.rs).

pub mod sheets;
pub mod xlsx;

use crate::form::{parse_form, Form, Privacy};
use crate::i18n::{Lang, Text};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sheets::{Book, Sheet};
use std::collections::{BTreeMap, HashMap};

/// One thing the import did not carry over, or changed, and where.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub sheet: String,
    /// 1-based, as the spreadsheet shows it; `None` for the sheet or file as a whole.
    pub row: Option<usize>,
    pub message: Text,
}

/// Why nothing was imported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportError {
    pub message: Text,
}

impl ImportError {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        ImportError {
            message: Text::new(zh, en),
        }
    }
}

/// A converted form, before the person confirms it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Converted {
    /// The definition in Doorstep's own format (what "export as JSON" gives back).
    pub source: String,
    pub form_id: String,
    pub version: u32,
    /// Whether the workbook's settings gave the version (otherwise 1).
    pub version_given: bool,
    pub title: Text,
    pub questions: usize,
    pub warnings: Vec<Warning>,
    /// Privacy classes proposed from types and names where the workbook has no `privacy`
    /// column: (question id, its label, the proposal), in form order, for the person to
    /// confirm or change.
    pub proposed: Vec<(String, Text, Privacy)>,
}

fn warn(sheet: &str, row: Option<usize>, zh: String, en: String) -> Warning {
    Warning {
        sheet: sheet.to_owned(),
        row,
        message: Text::new(zh, en),
    }
}

/// Reads the files a person picked: one `.xlsx`; or CSV files named after their sheets
/// (`survey.csv`, `choices.csv`, `settings.csv`, any prefix allowed: `myform-survey.csv`).
pub fn read_files(files: &[(String, Vec<u8>)]) -> Result<Book, ImportError> {
    let lower = |n: &str| n.to_lowercase();
    if let Some((name, bytes)) = files.iter().find(|(n, _)| lower(n).ends_with(".xlsx")) {
        if files.len() > 1 {
            return Err(ImportError::new(
                "请只选择一个 .xlsx 文件。",
                "Choose one .xlsx file on its own.",
            ));
        }
        return Book::from_xlsx(name, bytes);
    }
    if files.iter().all(|(n, _)| lower(n).ends_with(".csv")) && !files.is_empty() {
        return Book::from_csv(files);
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    Err(ImportError::new(
        format!(
            "无法识别“{}”：请选择 XLSForm 的 .xlsx 文件，或 survey.csv 与 choices.csv（可加 settings.csv），或 Doorstep 导出的 .json 问卷。",
            names.join("、")
        ),
        format!(
            "Cannot read \"{}\": choose an XLSForm .xlsx file, or survey.csv with choices.csv (and settings.csv), or a form .json exported from Doorstep.",
            names.join(", ")
        ),
    ))
}

/// A column of a sheet, by its header: `label`, `label::English (en)`…
#[derive(Clone, Debug, PartialEq)]
struct Column {
    index: usize,
    base: String,
    lang: Option<Lang>,
    /// The language part as written, for warnings about languages Doorstep lacks.
    lang_text: Option<String>,
}

fn columns(sheet: &Sheet) -> Vec<Column> {
    sheet
        .header()
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.trim().is_empty())
        .map(|(index, h)| {
            let h = h.trim();
            let (base, lang_text) = match h.split_once("::").or_else(|| h.split_once(':')) {
                Some((b, l)) => (b.trim().to_lowercase(), Some(l.trim().to_owned())),
                None => (h.to_lowercase(), None),
            };
            let lang = lang_text.as_deref().and_then(language);
            Column {
                index,
                base,
                lang,
                lang_text,
            }
        })
        .collect()
}

/// `English (en)`, `Chinese (zh)`, `中文`, `zh-CN`… → the language, if Doorstep has it.
fn language(s: &str) -> Option<Lang> {
    let code = s
        .rsplit_once('(')
        .map(|(_, c)| c.trim_end_matches(')').trim())
        .unwrap_or(s.trim());
    Lang::parse(code).or_else(|| {
        let name = s.split('(').next().unwrap_or("").trim().to_lowercase();
        match name.as_str() {
            "english" | "英文" | "英语" => Some(Lang::En),
            "chinese" | "中文" | "简体中文" | "汉语" | "mandarin" => Some(Lang::Zh),
            _ => None,
        }
    })
}

/// Reads rows through their sheet's columns.
struct Rows<'a> {
    sheet: &'a Sheet,
    columns: Vec<Column>,
    /// Language of columns written without one (`label`): settings' default_language.
    default: Option<Lang>,
}

impl Rows<'_> {
    fn get(&self, row: &[String], base: &str) -> String {
        self.columns
            .iter()
            .find(|c| c.base == base && c.lang_text.is_none())
            .and_then(|c| row.get(c.index))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// A text column in both languages (`label`, `hint`…): each language from its own
    /// column, the plain column standing for the default language (or guessed from the
    /// text: Chinese characters mean zh-CN). `None` when every column is empty.
    fn text(&self, row: &[String], base: &str) -> Option<(Option<String>, Option<String>)> {
        let (mut zh, mut en) = (None, None);
        for c in self.columns.iter().filter(|c| c.base == base) {
            let v = row.get(c.index).map(|v| v.trim()).unwrap_or("");
            if v.is_empty() {
                continue;
            }
            let lang = match (&c.lang_text, c.lang) {
                (None, _) => self
                    .default
                    .unwrap_or(if has_cjk(v) { Lang::Zh } else { Lang::En }),
                (Some(_), Some(l)) => l,
                (Some(_), None) => continue,
            };
            let slot = if lang == Lang::Zh { &mut zh } else { &mut en };
            if slot.is_none() || c.lang_text.is_some() {
                *slot = Some(v.to_owned());
            }
        }
        (zh.is_some() || en.is_some()).then_some((zh, en))
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Columns of the survey sheet this import understands.
const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "default",
    "choice_filter",
    "repeat_count",
    "appearance",
    "privacy",
];

/// Metadata ODK records by itself; Doorstep keeps its own start and end times.
const METADATA: &[&str] = &[
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "calculate_here",
];

/// An element of the form while it is being built: questions, and groups or repeats
/// holding more.
#[derive(Debug)]
enum Item {
    Question(Map<String, Value>),
    Group {
        row: usize,
        name: String,
        label: Option<Value>,
        relevant: Option<String>,
        items: Vec<Item>,
    },
    Repeat {
        row: usize,
        json: Map<String, Value>,
        items: Vec<Item>,
    },
}

/// Keeps ids valid in Doorstep (lower-case letters, digits, `_`, starting with a letter),
/// remembering each renaming so that `${references}` follow.
#[derive(Default)]
struct Names {
    renamed: HashMap<String, String>,
    taken: HashMap<String, usize>,
}

impl Names {
    fn id(&mut self, name: &str, row: usize) -> Result<String, ImportError> {
        let mut id: String = name
            .chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_lowercase() || c.is_ascii_digit() {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
            id = format!("q_{id}");
        }
        id.truncate(64);
        if let Some(first) = self.taken.get(&id) {
            return Err(ImportError::new(
                format!("survey 第 {row} 行：名称“{name}”与第 {first} 行重复。"),
                format!("survey row {row}: the name \"{name}\" repeats row {first}."),
            ));
        }
        self.taken.insert(id.clone(), row);
        self.renamed.insert(name.to_owned(), id.clone());
        Ok(id)
    }

    /// Rewrites `${name}` references to the ids the names became.
    fn rewrite(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start + 2]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(after);
                return out;
            };
            let name = after[..end].trim();
            out.push_str(self.renamed.get(name).map_or(name, String::as_str));
            out.push('}');
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Converts a workbook into a checked Doorstep definition.
pub fn convert(book: &Book) -> Result<Converted, ImportError> {
    let mut warnings = Vec::new();
    let settings = read_settings(book, &mut warnings)?;
    let survey = &book.survey;
    let cols = columns(survey);
    if !cols.iter().any(|c| c.base == "type") || !cols.iter().any(|c| c.base == "name") {
        return Err(ImportError::new(
            "survey 表缺少 type 或 name 列：这不像 XLSForm 问卷。",
            "The survey sheet has no type or name column: this does not look like an XLSForm.",
        ));
    }
    for c in &cols {
        if !SURVEY_COLUMNS.contains(&c.base.as_str()) {
            warnings.push(warn(
                "survey",
                Some(1),
                format!("不支持“{}”列，已忽略。", survey.header()[c.index].trim()),
                format!(
                    "The column \"{}\" is not supported and was ignored.",
                    survey.header()[c.index].trim()
                ),
            ));
        } else if c.lang_text.is_some() && c.lang.is_none() {
            warnings.push(warn(
                "survey",
                Some(1),
                format!(
                    "“{}”列的语言不是中文或英文，已忽略。",
                    survey.header()[c.index].trim()
                ),
                format!(
                    "The column \"{}\" is in a language other than Chinese or English and was ignored.",
                    survey.header()[c.index].trim()
                ),
            ));
        }
    }
    let rows = Rows {
        sheet: survey,
        columns: cols,
        default: settings.default_language,
    };
    let choices = read_choices(book, settings.default_language, &mut warnings)?;

    let mut names = Names::default();
    let mut unsupported_refs: HashMap<String, (usize, String)> = HashMap::new();
    // A stack of open groups and repeats; the bottom is the form itself.
    let mut stack: Vec<Item> = vec![Item::Group {
        row: 0,
        name: String::new(),
        label: None,
        relevant: None,
        items: Vec::new(),
    }];
    let mut one_language: [usize; 2] = [0, 0];
    let mut proposals: Vec<(String, Privacy)> = Vec::new();
    let mut appearances: BTreeMap<String, usize> = BTreeMap::new();

    for (i, row) in rows.sheet.rows.iter().enumerate().skip(1) {
        let r = i + 1;
        let typ = rows.get(row, "type");
        let name = rows.get(row, "name");
        if typ.is_empty() {
            if row.iter().any(|c| !c.trim().is_empty()) {
                warnings.push(warn(
                    "survey",
                    Some(r),
                    "这一行没有 type，已跳过。".into(),
                    "This row has no type and was skipped.".into(),
                ));
            }
            continue;
        }
        let words: Vec<String> = typ.split_whitespace().map(|w| w.to_lowercase()).collect();
        let head = words[0].replace('_', " ");
        let head2 = words.get(1).map(|w| w.as_str()).unwrap_or("");
        let (begin, end) = match (head.as_str(), head2) {
            ("begin", "group") | ("begin group", _) => (Some("group"), None),
            ("begin", "repeat") | ("begin repeat", _) => (Some("repeat"), None),
            ("end", "group") | ("end group", _) => (None, Some("group")),
            ("end", "repeat") | ("end repeat", _) => (None, Some("repeat")),
            _ => (None, None),
        };
        if let Some(kind) = end {
            let closes = matches!(
                (stack.last(), kind),
                (Some(Item::Group { row: 1.., .. }), "group")
                    | (Some(Item::Repeat { .. }), "repeat")
            );
            if !closes || stack.len() < 2 {
                return Err(ImportError::new(
                    format!("survey 第 {r} 行：“{typ}”没有对应的 begin {kind}。"),
                    format!("survey row {r}: \"{typ}\" has no matching begin {kind}."),
                ));
            }
            let done = stack.pop().expect("checked above");
            push(&mut stack, done);
            continue;
        }
        if name.is_empty() {
            return Err(ImportError::new(
                format!("survey 第 {r} 行：缺少 name。"),
                format!("survey row {r}: the name is missing."),
            ));
        }
        let label = rows.text(row, "label");
        let relevant = Some(rows.get(row, "relevant")).filter(|s| !s.is_empty());
        let appearance = rows.get(row, "appearance");
        if let Some(kind) = begin {
            let id = names.id(&name, r)?;
            let label = label.map(|l| text_value(l, &mut one_language));
            if kind == "group" {
                stack.push(Item::Group {
                    row: r,
                    name: id,
                    label,
                    relevant,
                    items: Vec::new(),
                });
            } else {
                let mut json = Map::new();
                json.insert("id".into(), id.clone().into());
                json.insert("type".into(), "repeat".into());
                json.insert(
                    "label".into(),
                    label.unwrap_or_else(|| json!({"zh-CN": name, "en": name})),
                );
                if let Some(rel) = relevant {
                    json.insert("relevant".into(), rel.into());
                }
                let count = rows.get(row, "repeat_count");
                if !count.is_empty() {
                    json.insert("repeat_count".into(), count.into());
                }
                stack.push(Item::Repeat {
                    row: r,
                    json,
                    items: Vec::new(),
                });
            }
            if !appearance.is_empty() {
                *appearances.entry(appearance).or_default() += 1;
            }
            continue;
        }
        // A question.
        let base = words[0].as_str();
        let doorstep_type = match base {
            "text" if appearance.contains("multiline") => "long_text",
            "text" | "string" => "short_text",
            "integer" | "int" => "integer",
            "decimal" => "decimal",
            "date" => "date",
            "note" => "note",
            "calculate" => "calculate",
            "acknowledge" => "acknowledge",
            "select_one" | "select1" => "single_choice",
            "select_multiple" => "multiple_choice",
            _ => {
                let (zh, en) = if METADATA.contains(&base) {
                    (
                        format!("“{typ}”是 ODK 自动记录的元数据，Doorstep 自行记录开始和结束时间，已跳过。"),
                        format!("\"{typ}\" is metadata ODK records by itself; Doorstep records its own start and end times. Skipped."),
                    )
                } else {
                    (
                        format!("Doorstep 不支持“{typ}”类型的题目，已跳过。"),
                        format!("Doorstep does not support questions of type \"{typ}\". Skipped."),
                    )
                };
                unsupported_refs.insert(name.clone(), (r, typ.clone()));
                warnings.push(warn("survey", Some(r), zh, en));
                continue;
            }
        };
        let id = names.id(&name, r)?;
        let mut q = Map::new();
        q.insert("id".into(), id.clone().into());
        let label_value = match label {
            Some(l) => text_value(l, &mut one_language),
            None if matches!(doorstep_type, "calculate") => json!({"zh-CN": name, "en": name}),
            None => {
                return Err(ImportError::new(
                    format!("survey 第 {r} 行（{name}）：缺少题目文字 label。"),
                    format!("survey row {r} ({name}): the label is missing."),
                ))
            }
        };
        q.insert("label".into(), label_value.clone());
        if let Some(h) = rows.text(row, "hint") {
            if doorstep_type != "calculate" {
                q.insert("hint".into(), text_value(h, &mut one_language));
            }
        }
        match doorstep_type {
            "acknowledge" => {
                q.insert("type".into(), "single_choice".into());
                q.insert(
                    "choices".into(),
                    json!([{"value": "OK", "label": {"zh-CN": "确认", "en": "OK"}}]),
                );
            }
            "single_choice" | "multiple_choice" => {
                q.insert("type".into(), doorstep_type.into());
                let Some(list) = words.get(1) else {
                    return Err(ImportError::new(
                        format!("survey 第 {r} 行（{name}）：“{typ}”后面缺少选项列表名。"),
                        format!("survey row {r} ({name}): \"{typ}\" names no choice list."),
                    ));
                };
                let list_name = typ.split_whitespace().nth(1).unwrap_or(list);
                let Some(list) = choices.get(list_name) else {
                    return Err(ImportError::new(
                        format!("survey 第 {r} 行（{name}）：choices 表里没有选项列表“{list_name}”。"),
                        format!("survey row {r} ({name}): the choices sheet has no list \"{list_name}\"."),
                    ));
                };
                q.insert("choices".into(), Value::Array(list.clone()));
                if words.get(2).is_some_and(|w| w == "or_other") {
                    q.insert("other".into(), true.into());
                } else if let Some(extra) = words.get(2) {
                    warnings.push(warn(
                        "survey",
                        Some(r),
                        format!("类型中的“{extra}”不受支持，已忽略。"),
                        format!("\"{extra}\" in the type is not supported and was ignored."),
                    ));
                }
                let filter = rows.get(row, "choice_filter");
                if !filter.is_empty() {
                    q.insert("choice_filter".into(), filter.into());
                }
            }
            t => {
                q.insert("type".into(), t.into());
            }
        }
        if let Some(rel) = relevant {
            q.insert("relevant".into(), rel.into());
        }
        if doorstep_type == "calculate" {
            let calc = rows.get(row, "calculation");
            if calc.is_empty() {
                return Err(ImportError::new(
                    format!("survey 第 {r} 行（{name}）：calculate 题缺少 calculation。"),
                    format!("survey row {r} ({name}): a calculate row needs a calculation."),
                ));
            }
            q.insert("calculation".into(), calc.into());
        }
        if doorstep_type != "note" && doorstep_type != "calculate" {
            let required = rows.get(row, "required");
            match required.to_lowercase().as_str() {
                "" | "no" | "false" | "false()" => {}
                "yes" | "true" | "true()" => {
                    q.insert("required".into(), true.into());
                }
                _ => {
                    q.insert("required".into(), required.into());
                }
            }
            if let Some(m) = rows.text(row, "required_message") {
                q.insert("required_message".into(), text_value(m, &mut one_language));
            }
            let constraint = rows.get(row, "constraint");
            if !constraint.is_empty() {
                q.insert("constraint".into(), constraint.into());
            }
            if let Some(m) = rows.text(row, "constraint_message") {
                q.insert(
                    "constraint_message".into(),
                    text_value(m, &mut one_language),
                );
            }
            let default = rows.get(row, "default");
            if !default.is_empty() {
                q.insert("default".into(), default.into());
            }
        }
        if !(appearance.is_empty() || base == "text" && appearance == "multiline") {
            *appearances.entry(appearance).or_default() += 1;
        }
        if doorstep_type != "note" {
            let written = rows.get(row, "privacy").to_lowercase();
            let privacy = match written.as_str() {
                "identifier" => Some(Privacy::Identifier),
                "quasi_identifier" => Some(Privacy::QuasiIdentifier),
                "sensitive" => Some(Privacy::Sensitive),
                "free_text" => Some(Privacy::FreeText),
                "none" => Some(Privacy::None),
                "" => None,
                other => {
                    warnings.push(warn(
                        "survey",
                        Some(r),
                        format!("隐私类别“{other}”无效，已改为建议的类别，请确认。"),
                        format!("The privacy class \"{other}\" is not valid; a proposed class is used instead, for you to confirm."),
                    ));
                    None
                }
            };
            let privacy = privacy.unwrap_or_else(|| {
                let p = propose(&name, doorstep_type, &label_value);
                proposals.push((id.clone(), p));
                p
            });
            q.insert("privacy".into(), privacy_name(privacy).into());
        }
        push(&mut stack, Item::Question(q));
    }
    if stack.len() > 1 {
        let (row, what) = match stack.last() {
            Some(Item::Repeat { row, .. }) => (*row, "repeat"),
            Some(Item::Group { row, .. }) => (*row, "group"),
            _ => (0, "group"),
        };
        return Err(ImportError::new(
            format!("survey 第 {row} 行的 begin {what} 没有对应的 end {what}。"),
            format!("survey row {row}: begin {what} has no matching end {what}."),
        ));
    }
    for (appearance, n) in appearances {
        warnings.push(warn(
            "survey",
            None,
            format!("appearance“{appearance}”（{n} 行）不受支持，按默认样式显示。"),
            format!("The appearance \"{appearance}\" ({n} rows) is not supported; the default look is used."),
        ));
    }
    if one_language[0] > 0 {
        warnings.push(warn(
            "survey",
            None,
            format!("{} 处文字只有英文，中文界面也将显示英文。", one_language[0]),
            format!(
                "{} texts have no Chinese; the Chinese interface shows them in English.",
                one_language[0]
            ),
        ));
    }
    if one_language[1] > 0 {
        warnings.push(warn(
            "survey",
            None,
            format!("{} 处文字只有中文，英文界面也将显示中文。", one_language[1]),
            format!(
                "{} texts have no English; the English interface shows them in Chinese.",
                one_language[1]
            ),
        ));
    }

    let Some(Item::Group { items, .. }) = stack.pop() else {
        unreachable!("the form itself is the bottom of the stack")
    };
    let sections = sections(items, &names, &settings.title, &mut warnings);
    if sections.is_empty() {
        return Err(ImportError::new(
            "survey 表里没有可导入的题目。",
            "The survey sheet holds no question Doorstep can import.",
        ));
    }
    let source = json!({
        "format": crate::form::FORMAT,
        "id": settings.form_id,
        "version": settings.version.unwrap_or(1),
        "title": settings.title,
        "sections": sections,
    });
    let source = serde_json::to_string_pretty(&source).unwrap_or_default();
    let form = parse_form(&source).map_err(|e| {
        let row = e
            .question
            .as_deref()
            .and_then(|q| names.taken.get(q))
            .copied();
        if let crate::form::parse::Problem::UnknownReference(n) = &e.problem {
            if let Some((r, typ)) = unsupported_refs.get(n.as_str()) {
                return ImportError::new(
                    format!(
                        "{}引用了 ${{{n}}}，但第 {r} 行的“{typ}”题 Doorstep 不支持。",
                        row.map(|r| format!("survey 第 {r} 行")).unwrap_or_default()
                    ),
                    format!(
                        "{}refers to ${{{n}}}, but Doorstep does not support row {r}'s \"{typ}\" question.",
                        row.map(|r| format!("survey row {r} ")).unwrap_or_default()
                    ),
                );
            }
        }
        let place = |zh: bool| match row {
            Some(r) if zh => format!("survey 第 {r} 行："),
            Some(r) => format!("survey row {r}: "),
            None => String::new(),
        };
        ImportError::new(
            format!("{}{}", place(true), e.describe(Lang::Zh)),
            format!("{}{}", place(false), e.describe(Lang::En)),
        )
    })?;
    let proposed = proposals
        .into_iter()
        .filter_map(|(id, p)| form.question(&id).map(|q| (id, q.label.clone(), p)))
        .collect();
    Ok(Converted {
        questions: form
            .questions()
            .filter(|(_, q)| q.kind.takes_answer())
            .count(),
        form_id: form.id.clone(),
        version: form.version,
        version_given: settings.version.is_some(),
        title: form.title.clone(),
        source,
        warnings,
        proposed,
    })
}

/// Sets the privacy classes the person confirmed, and checks the result: the definition
/// to store.
pub fn confirm(
    source: &str,
    privacy: &[(String, Privacy)],
    version: u32,
) -> Result<(String, Form), ImportError> {
    let mut v: Value = serde_json::from_str(source).map_err(|e| {
        ImportError::new(
            format!("问卷定义无法读取：{e}"),
            format!("The definition cannot be read: {e}"),
        )
    })?;
    fn visit(qs: &mut Value, privacy: &[(String, Privacy)]) {
        for q in qs.as_array_mut().into_iter().flatten() {
            let id = q["id"].as_str().unwrap_or("").to_owned();
            if let Some((_, p)) = privacy.iter().find(|(i, _)| *i == id) {
                q["privacy"] = privacy_name(*p).into();
            }
            if q.get("questions").is_some() {
                visit(&mut q["questions"], privacy);
            }
        }
    }
    for s in v["sections"].as_array_mut().into_iter().flatten() {
        visit(&mut s["questions"], privacy);
    }
    v["version"] = version.into();
    let source = serde_json::to_string_pretty(&v).unwrap_or_default();
    let form = parse_form(&source).map_err(|e| ImportError {
        message: Text::new(e.describe(Lang::Zh), e.describe(Lang::En)),
    })?;
    Ok((source, form))
}

/// Adds a finished item to the group or repeat it belongs to.
fn push(stack: &mut [Item], item: Item) {
    match stack.last_mut() {
        Some(Item::Group { items, .. } | Item::Repeat { items, .. }) => items.push(item),
        _ => unreachable!("the form itself is never popped"),
    }
}

/// A bilingual text, one language filling in for a missing other (counted for a warning).
fn text_value((zh, en): (Option<String>, Option<String>), one: &mut [usize; 2]) -> Value {
    match (zh, en) {
        (Some(zh), Some(en)) => json!({"zh-CN": zh, "en": en}),
        (None, Some(en)) => {
            one[0] += 1;
            json!({"zh-CN": en, "en": en})
        }
        (Some(zh), None) => {
            one[1] += 1;
            json!({"zh-CN": zh, "en": zh})
        }
        (None, None) => json!({"zh-CN": "", "en": ""}),
    }
}

fn and(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("({a}) and ({b})")),
        (Some(x), None) | (None, Some(x)) => Some(x.to_owned()),
        (None, None) => None,
    }
}

/// Questions of a group or repeat as Doorstep questions: nested groups are opened up into
/// their parent, their `relevant` joined onto each question inside.
fn flatten(
    items: Vec<Item>,
    outer: Option<&str>,
    names: &Names,
    warnings: &mut Vec<Warning>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Question(mut json) => {
                finish(&mut json, outer, names);
                out.push(Value::Object(json));
            }
            Item::Repeat {
                mut json, items, ..
            } => {
                finish(&mut json, outer, names);
                // Inside the repeat, the outer condition is already on the repeat itself.
                json.insert(
                    "questions".into(),
                    Value::Array(flatten(items, None, names, warnings)),
                );
                out.push(Value::Object(json));
            }
            Item::Group {
                row,
                name,
                relevant,
                items,
                ..
            } => {
                warnings.push(warn(
                    "survey",
                    Some(row),
                    format!("组“{name}”在另一个组或重复组之内：它的题目直接放在外层，条件合并保留。"),
                    format!("The group \"{name}\" sits inside another group or repeat: its questions are placed in the outer one, keeping its condition."),
                ));
                let cond = and(outer, relevant.as_deref());
                out.extend(flatten(items, cond.as_deref(), names, warnings));
            }
        }
    }
    out
}

/// Rewrites references and joins an outer group's condition onto a question's own.
fn finish(json: &mut Map<String, Value>, outer: Option<&str>, names: &Names) {
    let own = json
        .get("relevant")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(rel) = and(outer, own.as_deref()) {
        json.insert("relevant".into(), rel.into());
    }
    for field in [
        "relevant",
        "constraint",
        "calculation",
        "required",
        "repeat_count",
        "default",
        "choice_filter",
    ] {
        if let Some(Value::String(s)) = json.get(field) {
            let s = names.rewrite(s);
            json.insert(field.into(), s.into());
        }
    }
    for field in ["label", "hint", "constraint_message", "required_message"] {
        if let Some(Value::Object(t)) = json.get_mut(field) {
            for v in t.values_mut() {
                if let Value::String(s) = v {
                    *s = names.rewrite(s);
                }
            }
        }
    }
}

/// Top-level groups become sections; questions outside any group are gathered into
/// sections of their own, in order.
fn sections(
    items: Vec<Item>,
    names: &Names,
    title: &Value,
    warnings: &mut Vec<Warning>,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut loose: Vec<Item> = Vec::new();
    let flush = |loose: &mut Vec<Item>, out: &mut Vec<Value>, warnings: &mut Vec<Warning>| {
        if loose.is_empty() {
            return;
        }
        let questions = flatten(std::mem::take(loose), None, names, warnings);
        let n = out.len() + 1;
        out.push(json!({"id": format!("section_{n}"), "title": title, "questions": questions}));
    };
    for item in items {
        match item {
            Item::Group {
                name,
                label,
                relevant,
                items,
                ..
            } => {
                flush(&mut loose, &mut out, warnings);
                let questions = flatten(items, None, names, warnings);
                if questions.is_empty() {
                    continue;
                }
                let mut s = json!({
                    "id": name,
                    "title": label.unwrap_or_else(|| json!({"zh-CN": name, "en": name})),
                    "questions": questions,
                });
                if let Some(rel) = relevant {
                    s["relevant"] = names.rewrite(&rel).into();
                }
                out.push(s);
            }
            other => loose.push(other),
        }
    }
    flush(&mut loose, &mut out, warnings);
    out
}

/// A privacy class for a question without one, from its type and name: what names,
/// phones, ID numbers, addresses and rooms look like, in English and Chinese.
pub fn propose(name: &str, doorstep_type: &str, label: &Value) -> Privacy {
    let text = format!(
        "{} {} {}",
        name.to_lowercase(),
        label["zh-CN"].as_str().unwrap_or(""),
        label["en"].as_str().unwrap_or("").to_lowercase()
    );
    let any = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if any(&[
        "name",
        "姓名",
        "名字",
        "phone",
        "mobile",
        "tel",
        "电话",
        "手机",
        "id_number",
        "idcard",
        "id card",
        "身份证",
        "passport",
        "address",
        "地址",
        "住址",
        "room",
        "房号",
        "门牌",
        "户号",
        "wechat",
        "微信",
        "email",
        "邮箱",
    ]) {
        Privacy::Identifier
    } else if matches!(doorstep_type, "short_text" | "long_text") {
        Privacy::FreeText
    } else if any(&[
        "health", "disab", "illness", "disease", "income", "medic", "健康", "疾病", "残疾", "收入",
        "病", "药",
    ]) {
        Privacy::Sensitive
    } else if doorstep_type == "date"
        || any(&[
            "age", "sex", "gender", "birth", "年龄", "性别", "出生", "building", "楼",
        ])
    {
        Privacy::QuasiIdentifier
    } else {
        Privacy::None
    }
}

/// The class as the definition format writes it.
pub fn privacy_name(p: Privacy) -> &'static str {
    match p {
        Privacy::Identifier => "identifier",
        Privacy::QuasiIdentifier => "quasi_identifier",
        Privacy::Sensitive => "sensitive",
        Privacy::FreeText => "free_text",
        Privacy::None => "none",
    }
}

struct Settings {
    title: Value,
    form_id: String,
    version: Option<u32>,
    default_language: Option<Lang>,
}

fn read_settings(book: &Book, warnings: &mut Vec<Warning>) -> Result<Settings, ImportError> {
    let mut out = Settings {
        title: json!({"zh-CN": "导入的问卷", "en": "Imported form"}),
        form_id: "imported".into(),
        version: None,
        default_language: None,
    };
    let Some(sheet) = &book.settings else {
        warnings.push(warn(
            "settings",
            None,
            "没有 settings 表：问卷标题为“导入的问卷”，编号 imported，版本 1。".into(),
            "No settings sheet: the form is titled \"Imported form\", id imported, version 1."
                .into(),
        ));
        return Ok(out);
    };
    let cols = columns(sheet);
    let Some(values) = sheet.rows.get(1) else {
        return Ok(out);
    };
    let get = |base: &str| -> String {
        cols.iter()
            .find(|c| c.base == base && c.lang_text.is_none())
            .and_then(|c| values.get(c.index))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    out.default_language = {
        let d = get("default_language");
        if d.is_empty() {
            None
        } else {
            let l = language(&d);
            if l.is_none() {
                warnings.push(warn(
                    "settings",
                    Some(2),
                    format!("default_language“{d}”不是中文或英文，没有语言标记的列按其文字判断语言。"),
                    format!("default_language \"{d}\" is neither Chinese nor English; columns without a language are judged by their text."),
                ));
            }
            l
        }
    };
    let rows = Rows {
        sheet,
        columns: cols.clone(),
        default: out.default_language,
    };
    let mut one = [0; 2];
    if let Some(t) = rows.text(values, "form_title") {
        out.title = text_value(t, &mut one);
    }
    let id = get("form_id");
    if !id.is_empty() {
        let clean: String = id
            .to_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        if clean != id {
            warnings.push(warn(
                "settings",
                Some(2),
                format!("form_id“{id}”改写为“{clean}”（只用小写字母、数字、_ 和 -）。"),
                format!("form_id \"{id}\" became \"{clean}\" (lower-case letters, digits, _ and - only)."),
            ));
        }
        out.form_id = clean;
    }
    let version = get("version");
    if !version.is_empty() {
        match version.parse::<u32>() {
            Ok(v) if v > 0 => out.version = Some(v),
            _ => warnings.push(warn(
                "settings",
                Some(2),
                format!("version“{version}”不是正整数，将作为新版本加入问卷库。"),
                format!("version \"{version}\" is not a positive whole number; the form is added as a new version."),
            )),
        }
    }
    for c in &cols {
        if !matches!(
            c.base.as_str(),
            "form_title" | "form_id" | "version" | "default_language"
        ) {
            warnings.push(warn(
                "settings",
                Some(1),
                format!("不支持设置“{}”，已忽略。", sheet.header()[c.index].trim()),
                format!(
                    "The setting \"{}\" is not supported and was ignored.",
                    sheet.header()[c.index].trim()
                ),
            ));
        }
    }
    Ok(out)
}

/// Choice lists by name, each as Doorstep choices (`value`, `label`, other columns).
fn read_choices(
    book: &Book,
    default: Option<Lang>,
    warnings: &mut Vec<Warning>,
) -> Result<HashMap<String, Vec<Value>>, ImportError> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    let Some(sheet) = &book.choices else {
        return Ok(out);
    };
    let cols = columns(sheet);
    let list_col = cols
        .iter()
        .find(|c| c.base == "list_name" || c.base == "list name")
        .map(|c| c.index);
    let Some(list_col) = list_col else {
        return Err(ImportError::new(
            "choices 表缺少 list_name 列。",
            "The choices sheet has no list_name column.",
        ));
    };
    let rows = Rows {
        sheet,
        columns: cols.clone(),
        default,
    };
    let mut one = [0; 2];
    let skip = [
        "list_name",
        "list name",
        "name",
        "label",
        "image",
        "audio",
        "video",
        "media",
    ];
    for (i, row) in sheet.rows.iter().enumerate().skip(1) {
        let r = i + 1;
        let list = row.get(list_col).map(|s| s.trim()).unwrap_or("");
        let name = rows.get(row, "name");
        if list.is_empty() && name.is_empty() {
            continue;
        }
        if list.is_empty() || name.is_empty() {
            warnings.push(warn(
                "choices",
                Some(r),
                "这一行缺少 list_name 或 name，已跳过。".into(),
                "This row has no list_name or no name and was skipped.".into(),
            ));
            continue;
        }
        let label = rows
            .text(row, "label")
            .map(|l| text_value(l, &mut one))
            .unwrap_or_else(|| json!({"zh-CN": name, "en": name}));
        let mut extra = Map::new();
        for c in cols
            .iter()
            .filter(|c| c.lang_text.is_none() && !skip.contains(&c.base.as_str()))
        {
            if let Some(v) = row.get(c.index).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                extra.insert(c.base.clone(), v.into());
            }
        }
        let mut choice = json!({"value": name, "label": label});
        if !extra.is_empty() {
            choice["columns"] = Value::Object(extra);
        }
        let entry = out.entry(list.to_owned()).or_default();
        if entry.iter().any(|c| c["value"] == name.as_str()) {
            return Err(ImportError::new(
                format!("choices 第 {r} 行：列表“{list}”中的选项“{name}”重复。"),
                format!("choices row {r}: the list \"{list}\" has \"{name}\" twice."),
            ));
        }
        entry.push(choice);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

/// What the import worker answers (as JSON text, through `postMessage`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// Converted, waiting for the person to confirm the privacy classes.
    Converted(Box<Converted>),
    /// Confirmed and checked: the definition as written and as the app loads it.
    Confirmed {
        source: String,
        compiled: String,
        form_id: String,
        version: u32,
    },
    Failed(ImportError),
}

/// First step: the picked files, converted. A `.json` file is a Doorstep definition (as
/// the form library exports it) and is only checked.
pub fn import(files: &[(String, Vec<u8>)]) -> Reply {
    let result = match files {
        [(name, bytes)] if name.to_lowercase().ends_with(".json") => definition(name, bytes),
        _ => read_files(files).and_then(|book| convert(&book)),
    };
    match result {
        Ok(c) => Reply::Converted(Box::new(c)),
        Err(e) => Reply::Failed(e),
    }
}

fn definition(name: &str, bytes: &[u8]) -> Result<Converted, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::new(
            format!("“{name}”不是 UTF-8 文本。"),
            format!("\"{name}\" is not UTF-8 text."),
        )
    })?;
    let form = parse_form(text.trim_start_matches('\u{feff}')).map_err(|e| {
        ImportError::new(
            format!("“{name}”：{}", e.describe(Lang::Zh)),
            format!("\"{name}\": {}", e.describe(Lang::En)),
        )
    })?;
    Ok(Converted {
        source: text.to_owned(),
        form_id: form.id.clone(),
        version: form.version,
        version_given: true,
        title: form.title.clone(),
        questions: form.answerable_count(),
        warnings: Vec::new(),
        proposed: Vec::new(),
    })
}

/// Second step: the person's privacy classes and the version to store it as.
pub fn finish_import(source: &str, privacy: &[(String, Privacy)], version: u32) -> Reply {
    match confirm(source, privacy, version) {
        Ok((source, form)) => Reply::Confirmed {
            compiled: serde_json::to_string(&form).unwrap_or_default(),
            form_id: form.id.clone(),
            version: form.version,
            source,
        },
        Err(e) => Reply::Failed(e),
    }
}
