//! Reading a form definition: JSON → checked `Form`, or an error that says where.
//!
//! Two passes: serde (with `serde_path_to_error`) catches wrong types, unknown and missing
//! fields and reports the JSON path; then `check_*` catches what serde cannot see (duplicate
//! ids, min above max, a choice question without choices…). Both end in a `FormError` that
//! names the section, the question and the field.

use super::{Audience, Choice, Code, Form, Kind, Privacy, Question, Role, Section, FORMAT};
use crate::i18n::{Lang, Text};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    /// Section id, or `#n` (1-based) when the section has no readable id.
    pub section: Option<String>,
    /// Question id, or `#n` (1-based within its section).
    pub question: Option<String>,
    pub field: Option<String>,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not JSON at all.
    Syntax {
        line: usize,
        column: usize,
        detail: String,
    },
    /// Wrong type, unknown or missing field, as serde reports it.
    Shape(String),
    Missing,
    NotUsedByType(String),
    UnsupportedFormat(u32),
    EmptyText,
    BadId(String),
    Duplicate(String),
    Empty,
    MinAboveMax(String, String),
    OutOfRange(String),
    /// An expression that does not parse: where in its text, and why.
    Expression {
        position: usize,
        message: String,
    },
    /// `${name}` names no question of the form.
    UnknownReference(String),
    /// These questions' expressions read each other in a circle.
    Cycle(Vec<String>),
    /// A `choice_filter` reads a column no choice has.
    UnknownColumn(String),
    /// An anonymisation rule that does not fit its question: why, in zh and en.
    Rule(Box<(String, String)>),
}

impl FormError {
    fn at(
        section: Option<String>,
        question: Option<String>,
        field: &str,
        problem: Problem,
    ) -> Self {
        FormError {
            section,
            question,
            field: Some(field.to_owned()),
            problem,
        }
    }

    /// The message in the interface language.
    pub fn describe(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let mut place = Vec::new();
        if let Some(q) = &self.question {
            place.push(if zh {
                format!("题目“{q}”")
            } else {
                format!("question \"{q}\"")
            });
        }
        if let Some(s) = &self.section {
            place.push(if zh {
                format!("（部分“{s}”）")
            } else {
                format!("(section \"{s}\")")
            });
        }
        if let Some(f) = &self.field {
            place.push(if zh {
                format!("字段“{f}”")
            } else {
                format!("field \"{f}\"")
            });
        }
        let what = match (&self.problem, zh) {
            (Problem::Syntax { line, column, detail }, true) => {
                format!("不是有效的 JSON（第 {line} 行第 {column} 列）：{detail}")
            }
            (Problem::Syntax { line, column, detail }, false) => {
                format!("not valid JSON (line {line}, column {column}): {detail}")
            }
            (Problem::Shape(d), true) => format!("格式不对：{d}"),
            (Problem::Shape(d), false) => d.clone(),
            (Problem::Missing, true) => "缺少此字段".into(),
            (Problem::Missing, false) => "is missing".into(),
            (Problem::NotUsedByType(t), true) => format!("“{t}”类型的题目不使用此字段"),
            (Problem::NotUsedByType(t), false) => format!("is not used by type {t}"),
            (Problem::UnsupportedFormat(v), true) => {
                format!("格式版本 {v} 不受支持（本程序读取版本 {FORMAT}），请更新 Doorstep")
            }
            (Problem::UnsupportedFormat(v), false) => {
                format!("format {v} is not supported (this app reads format {FORMAT}); update Doorstep")
            }
            (Problem::EmptyText, true) => "中文（zh-CN）和英文（en）都必须填写".into(),
            (Problem::EmptyText, false) => "needs both a zh-CN and an en text".into(),
            (Problem::BadId(id), true) => {
                format!("“{id}”不合规：只能用小写字母、数字和下划线，并以字母开头")
            }
            (Problem::BadId(id), false) => format!(
                "\"{id}\" is not valid: use lower-case letters, digits and _, starting with a letter"
            ),
            (Problem::Duplicate(id), true) => format!("“{id}”重复出现"),
            (Problem::Duplicate(id), false) => format!("\"{id}\" is used twice"),
            (Problem::Empty, true) => "不能为空".into(),
            (Problem::Empty, false) => "must not be empty".into(),
            (Problem::MinAboveMax(a, b), true) => format!("最小值 {a} 大于最大值 {b}"),
            (Problem::MinAboveMax(a, b), false) => format!("min {a} is greater than max {b}"),
            (Problem::OutOfRange(d), _) => d.clone(),
            (Problem::Expression { position, message }, true) => {
                format!("表达式第 {position} 个字符处有误：{message}")
            }
            (Problem::Expression { position, message }, false) => {
                format!("expression error at character {position}: {message}")
            }
            (Problem::UnknownReference(n), true) => format!("表达式引用的 ${{{n}}} 不是本问卷的题目"),
            (Problem::UnknownReference(n), false) => {
                format!("${{{n}}} is not a question of this form")
            }
            (Problem::Rule(t), true) => t.0.clone(),
            (Problem::Rule(t), false) => t.1.clone(),
            (Problem::UnknownColumn(c), true) => format!("选项没有“{c}”这一列"),
            (Problem::UnknownColumn(c), false) => format!("no choice has a column “{c}”"),
            (Problem::Cycle(ids), true) => format!(
                "这些题目的条件或计算互相引用，形成循环：{}",
                ids.join("、")
            ),
            (Problem::Cycle(ids), false) => format!(
                "these questions' conditions or calculations refer to each other in a circle: {}",
                ids.join(", ")
            ),
        };
        if place.is_empty() {
            what
        } else if zh {
            format!("{}：{what}", place.join(""))
        } else {
            format!("{}: {what}", place.join(", ").replace(", (", " ("))
        }
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl std::error::Error for FormError {}

// ---- pass 1: the shape, as serde sees it ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    format: u32,
    id: String,
    version: u32,
    title: Text,
    #[serde(default)]
    description: Option<Text>,
    sections: Vec<RawSection>,
    #[serde(default)]
    follow_up: Vec<RawRule>,
    #[serde(default)]
    anonymise: super::Anonymise,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    when: String,
    reason: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    title: Text,
    #[serde(default)]
    intro: Option<Text>,
    #[serde(default)]
    audience: Audience,
    #[serde(default)]
    relevant: Option<String>,
    questions: Vec<RawQuestion>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawType {
    SingleChoice,
    MultipleChoice,
    ShortText,
    LongText,
    Integer,
    Decimal,
    Date,
    YesNo,
    Rating,
    Note,
    Calculate,
    Repeat,
}

/// `required` is `true`/`false`, or an expression.
enum RawRequired {
    Always(bool),
    When(String),
}

/// By hand, not `#[serde(untagged)]`: see `response::Value` for why.
impl<'de> Deserialize<'de> for RawRequired {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawRequired, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawRequired;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false or an expression")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<RawRequired, E> {
                Ok(RawRequired::Always(b))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RawRequired, E> {
                Ok(RawRequired::When(s.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

impl RawType {
    fn name(self) -> &'static str {
        match self {
            RawType::SingleChoice => "single_choice",
            RawType::MultipleChoice => "multiple_choice",
            RawType::ShortText => "short_text",
            RawType::LongText => "long_text",
            RawType::Integer => "integer",
            RawType::Decimal => "decimal",
            RawType::Date => "date",
            RawType::YesNo => "yes_no",
            RawType::Rating => "rating",
            RawType::Note => "note",
            RawType::Calculate => "calculate",
            RawType::Repeat => "repeat",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    #[serde(rename = "type")]
    kind: RawType,
    label: Text,
    hint: Option<Text>,
    required: Option<RawRequired>,
    required_message: Option<Text>,
    relevant: Option<String>,
    constraint: Option<String>,
    constraint_message: Option<Text>,
    calculation: Option<String>,
    choice_filter: Option<String>,
    default: Option<String>,
    questions: Option<Vec<RawQuestion>>,
    repeat_count: Option<String>,
    min_count: Option<u32>,
    max_count: Option<u32>,
    privacy: Option<Privacy>,
    role: Option<Role>,
    choices: Option<Vec<Choice>>,
    other: Option<bool>,
    max_choices: Option<u32>,
    exclusive: Option<Vec<String>>,
    min: Option<f64>,
    max: Option<f64>,
    unit: Option<Text>,
    max_length: Option<u32>,
    points: Option<u32>,
    low: Option<Text>,
    high: Option<Text>,
    na_label: Option<Text>,
}

/// Parses and checks a form definition.
pub fn parse_form(json: &str) -> Result<Form, FormError> {
    let value: Value = serde_json::from_str(json).map_err(|e| FormError {
        section: None,
        question: None,
        field: None,
        problem: Problem::Syntax {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        },
    })?;
    // The format number first, so that a newer format gets "update the app" rather than a
    // confusing complaint about some field this build does not know.
    if let Some(f) = value.get("format").and_then(Value::as_u64) {
        if f != u64::from(FORMAT) {
            return Err(FormError::at(
                None,
                None,
                "format",
                Problem::UnsupportedFormat(f as u32),
            ));
        }
    }
    let raw: RawForm =
        serde_path_to_error::deserialize(&value).map_err(|e| shape_error(&value, e))?;
    check_form(raw)
}

/// Whether a `default` literal is an answer this question could have.
fn default_fits(kind: &Kind, d: &str) -> Result<(), String> {
    let d = d.trim();
    let known = |v: &str| kind.choices().iter().any(|c| c.value == v);
    let ok = match kind {
        Kind::SingleChoice { .. } => known(d),
        Kind::MultipleChoice { .. } => d.split_whitespace().all(known),
        Kind::Integer { .. } => d.parse::<i64>().is_ok(),
        Kind::Decimal { .. } => d.parse::<f64>().is_ok_and(f64::is_finite),
        Kind::Date => d == "today()" || super::parse_date(d).is_some(),
        Kind::YesNo => matches!(d, "yes" | "no" | "true" | "false"),
        Kind::Rating { points, .. } => d.parse::<u32>().is_ok_and(|p| (1..=*points).contains(&p)),
        Kind::ShortText { .. } | Kind::LongText { .. } => true,
        Kind::Note | Kind::Calculate { .. } | Kind::Repeat { .. } => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("\"{d}\" is not a possible answer to this question"))
    }
}

/// Turns serde's path (`sections[2].questions[4].max`) into section id, question id, field.
fn shape_error(root: &Value, e: serde_path_to_error::Error<serde_json::Error>) -> FormError {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = e.path().iter().collect();
    let mut section = None;
    let mut question = None;
    let mut field_parts = Vec::new();
    let mut node = Some(root);
    let mut i = 0;
    while i < segments.len() {
        match (segments[i], segments.get(i + 1)) {
            (Segment::Map { key }, Some(Segment::Seq { index }))
                if key == "sections" && section.is_none() =>
            {
                node = node
                    .and_then(|n| n.get("sections"))
                    .and_then(|s| s.get(*index));
                section = Some(name_of(node, *index));
                i += 2;
            }
            (Segment::Map { key }, Some(Segment::Seq { index }))
                if key == "questions" && section.is_some() && question.is_none() =>
            {
                node = node
                    .and_then(|n| n.get("questions"))
                    .and_then(|q| q.get(*index));
                question = Some(name_of(node, *index));
                i += 2;
            }
            (seg, _) => {
                field_parts.push(seg.to_string());
                i += 1;
            }
        }
    }
    let inner = e.into_inner().to_string();
    // serde's message ends with " at line 0 column 0" when read from a Value: drop it.
    let detail = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
    // serde names a missing or unknown field only in its message: "missing field `label`".
    if let Some(name) = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| detail.split_once(p))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name.to_owned())
    {
        if field_parts.last() != Some(&name) {
            field_parts.push(name);
        }
    }
    let field = if field_parts.is_empty() {
        None
    } else {
        Some(field_parts.join(".").trim_start_matches('.').to_owned())
    };
    FormError {
        section,
        question,
        field,
        problem: Problem::Shape(detail),
    }
}

fn name_of(node: Option<&Value>, index: usize) -> String {
    node.and_then(|n| n.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("#{}", index + 1))
}

// ---- pass 2: what serde cannot see ----

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && id.len() <= 64
}

/// Choice values: any text without spaces (several choices are stored space-separated, as
/// in XForms), so that values of imported XLSForms (`Yes`, `1`, `sz-01`) keep working in
/// their expressions.
fn valid_value(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\'' || c == '"')
}

fn valid_form_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn check_text(
    t: &Text,
    s: &Option<String>,
    q: &Option<String>,
    field: &str,
) -> Result<(), FormError> {
    if t.is_complete() {
        Ok(())
    } else {
        Err(FormError::at(
            s.clone(),
            q.clone(),
            field,
            Problem::EmptyText,
        ))
    }
}

fn code(
    source: &str,
    section: &Option<String>,
    question: &Option<String>,
    field: &str,
) -> Result<Code, FormError> {
    let parsed = if field == "choice_filter" {
        Code::parse_filter(source)
    } else {
        Code::parse(source)
    };
    parsed.map_err(|e| {
        FormError::at(
            section.clone(),
            question.clone(),
            field,
            Problem::Expression {
                position: e.position,
                message: e.message,
            },
        )
    })
}

fn check_form(raw: RawForm) -> Result<Form, FormError> {
    let top = |field: &str, p: Problem| FormError::at(None, None, field, p);
    if !valid_form_id(&raw.id) {
        return Err(top("id", Problem::BadId(raw.id)));
    }
    if raw.version == 0 {
        return Err(top(
            "version",
            Problem::OutOfRange("version must be 1 or more".into()),
        ));
    }
    check_text(&raw.title, &None, &None, "title")?;
    if let Some(d) = &raw.description {
        check_text(d, &None, &None, "description")?;
    }
    if raw.sections.is_empty() {
        return Err(top("sections", Problem::Empty));
    }
    let mut section_ids = HashSet::new();
    let mut question_ids = HashSet::new();
    let mut sections = Vec::with_capacity(raw.sections.len());
    for raw_section in raw.sections {
        let sid = Some(raw_section.id.clone());
        if !valid_id(&raw_section.id) {
            return Err(FormError::at(
                sid,
                None,
                "id",
                Problem::BadId(raw_section.id),
            ));
        }
        if !section_ids.insert(raw_section.id.clone()) {
            return Err(FormError::at(
                sid,
                None,
                "id",
                Problem::Duplicate(raw_section.id),
            ));
        }
        check_text(&raw_section.title, &sid, &None, "title")?;
        if let Some(t) = &raw_section.intro {
            check_text(t, &sid, &None, "intro")?;
        }
        if raw_section.questions.is_empty() {
            return Err(FormError::at(sid, None, "questions", Problem::Empty));
        }
        let relevant = match &raw_section.relevant {
            Some(src) => Some(code(src, &sid, &None, "relevant")?),
            None => None,
        };
        let mut questions = Vec::with_capacity(raw_section.questions.len());
        for rq in raw_section.questions {
            let q = check_question(rq, &sid)?;
            // Ids are unique in the whole form, repeats' questions included.
            let mut ids = vec![q.id.as_str()];
            let mut stack: Vec<&Question> = q.kind.children().iter().collect();
            while let Some(c) = stack.pop() {
                ids.push(&c.id);
                stack.extend(c.kind.children());
            }
            if let Some(dup) = ids
                .into_iter()
                .find(|id| !question_ids.insert((*id).to_owned()))
            {
                return Err(FormError::at(
                    sid,
                    Some(dup.to_owned()),
                    "id",
                    Problem::Duplicate(dup.to_owned()),
                ));
            }
            questions.push(q);
        }
        sections.push(Section {
            id: raw_section.id,
            title: raw_section.title,
            intro: raw_section.intro,
            audience: raw_section.audience,
            relevant,
            questions,
        });
    }
    let mut roles = HashSet::new();
    for s in &sections {
        for q in &s.questions {
            if let Some(r) = q.role {
                if !roles.insert(r) {
                    return Err(FormError::at(
                        Some(s.id.clone()),
                        Some(q.id.clone()),
                        "role",
                        Problem::Duplicate(format!("{r:?}").to_lowercase()),
                    ));
                }
            }
        }
    }
    // Every ${name} must be a question of this form.
    let mut follow_up = Vec::with_capacity(raw.follow_up.len());
    for r in raw.follow_up {
        let place = Some("follow_up".to_owned());
        let rid = Some(r.id.clone());
        if !valid_id(&r.id) {
            return Err(FormError::at(place, rid, "id", Problem::BadId(r.id)));
        }
        if follow_up.iter().any(|x: &super::FollowUpRule| x.id == r.id) {
            return Err(FormError::at(place, rid, "id", Problem::Duplicate(r.id)));
        }
        check_text(&r.reason, &place, &rid, "reason")?;
        follow_up.push(super::FollowUpRule {
            when: code(&r.when, &place, &rid, "when")?,
            id: r.id,
            reason: r.reason,
        });
    }
    let form = Form {
        format: raw.format,
        id: raw.id,
        version: raw.version,
        title: raw.title,
        description: raw.description,
        sections,
        follow_up,
        anonymise: Default::default(),
    };
    for s in &form.sections {
        for q in &s.questions {
            let texts = [("label", Some(&q.label)), ("hint", q.hint.as_ref())];
            for (field, text) in texts {
                let Some(text) = text else { continue };
                let unknown = [&text.zh, &text.en]
                    .into_iter()
                    .flat_map(|t| super::label_refs(t))
                    .find(|n| !question_ids.contains(*n));
                if let Some(name) = unknown {
                    return Err(FormError::at(
                        Some(s.id.clone()),
                        Some(q.id.clone()),
                        field,
                        Problem::UnknownReference(name.to_owned()),
                    ));
                }
            }
        }
    }
    for (section, question, field, c) in form.codes() {
        if let Some(name) = c
            .expr
            .refs()
            .into_iter()
            .find(|n| !question_ids.contains(n))
        {
            return Err(FormError::at(
                Some(section.to_owned()),
                question.map(str::to_owned),
                field,
                Problem::UnknownReference(name),
            ));
        }
    }
    // Calculations and conditions that read each other in a circle have no order to be
    // evaluated in (ODK refuses such forms too).
    let plan = super::plan::Plan::new(&form);
    if let Some(first) = plan.cycle().first() {
        let section = form
            .questions()
            .find(|(_, q)| &q.id == first)
            .map(|(i, _)| form.sections[i].id.clone());
        return Err(FormError {
            section,
            question: Some(first.clone()),
            field: None,
            problem: Problem::Cycle(plan.cycle().to_vec()),
        });
    }
    let mut form = form;
    form.anonymise = check_anonymise(raw.anonymise, &form)?;
    Ok(form)
}

/// The anonymisation rules must name questions of the form, and each rule must fit its
/// question's type and privacy class: a rule that silently did nothing would let an answer
/// leave uncoarsened.
fn check_anonymise(a: super::Anonymise, form: &Form) -> Result<super::Anonymise, FormError> {
    use super::Generalise as G;
    let place = Some("anonymise".to_owned());
    let fail = |q: &str, field: &str, p: Problem| {
        Err(FormError::at(place.clone(), Some(q.to_owned()), field, p))
    };
    for (id, rule) in &a.generalise {
        let Some(q) = form.question(id) else {
            return fail(id, "generalise", Problem::UnknownReference(id.clone()));
        };
        let numeric = matches!(
            q.kind,
            Kind::Integer { .. }
                | Kind::Decimal { .. }
                | Kind::Calculate { .. }
                | Kind::Rating { .. }
        );
        let fits = match rule {
            G::Bands { width, top } => numeric && *width > 0 && *top > 0,
            G::Cap { at } => numeric && *at > 0,
            G::Month | G::Year => matches!(q.kind, Kind::Date | Kind::Calculate { .. }),
            G::Area => q.role == Some(super::Role::Building),
        };
        if !fits {
            return fail(
                id,
                "generalise",
                Problem::Rule(Box::new((
                    format!("规则“{}”不适用于这道题的类型", rule.describe()),
                    format!(
                        "the rule \"{}\" does not fit this question's type",
                        rule.describe()
                    ),
                ))),
            );
        }
        let class_ok = match rule {
            G::Area => matches!(
                q.privacy,
                Some(Privacy::Identifier | Privacy::QuasiIdentifier)
            ),
            _ => matches!(
                q.privacy,
                Some(Privacy::QuasiIdentifier | Privacy::Sensitive)
            ),
        };
        if !class_ok {
            return fail(
                id,
                "generalise",
                Problem::Rule(Box::new((
                    "只有准标识信息和敏感信息（quasi_identifier、sensitive）才按规则概括".into(),
                    "only quasi_identifier and sensitive answers are generalised".into(),
                ))),
            );
        }
    }
    let mut seen = HashSet::new();
    for id in &a.suppress_order {
        let Some(q) = form.question(id) else {
            return fail(id, "suppress_order", Problem::UnknownReference(id.clone()));
        };
        if !seen.insert(id) {
            return fail(id, "suppress_order", Problem::Duplicate(id.clone()));
        }
        let quasi =
            q.privacy == Some(Privacy::QuasiIdentifier) || a.generalise.get(id) == Some(&G::Area);
        if !quasi {
            return fail(
                id,
                "suppress_order",
                Problem::Rule(Box::new((
                    "只有准标识信息（quasi_identifier）参与 k-匿名".into(),
                    "only quasi_identifier answers take part in k-anonymity".into(),
                ))),
            );
        }
    }
    Ok(a)
}

/// Items one repeat may hold: generous for a household roster, and a bound on storage.
pub const MAX_ITEMS: u32 = 100;

fn check_question(mut rq: RawQuestion, sid: &Option<String>) -> Result<Question, FormError> {
    let qid = Some(rq.id.clone());
    let err = |field: &str, p: Problem| FormError::at(sid.clone(), qid.clone(), field, p);
    if !valid_id(&rq.id) {
        return Err(err("id", Problem::BadId(rq.id.clone())));
    }
    check_text(&rq.label, sid, &qid, "label")?;
    if let Some(h) = &rq.hint {
        check_text(h, sid, &qid, "hint")?;
    }
    let t = rq.kind;
    // Fields that only some types use: present on another type is a mistake worth naming.
    let uses = |field: &str| -> bool {
        use RawType::*;
        match field {
            "choices" | "other" | "choice_filter" => matches!(t, SingleChoice | MultipleChoice),
            "max_choices" | "exclusive" => t == MultipleChoice,
            "min" | "max" | "unit" => matches!(t, Integer | Decimal),
            "max_length" => matches!(t, ShortText | LongText),
            "points" | "low" | "high" | "na_label" => t == Rating,
            "calculation" => t == Calculate,
            "questions" | "repeat_count" | "min_count" | "max_count" => t == Repeat,
            "required" | "required_message" | "constraint" | "constraint_message" | "default" => {
                !matches!(t, Note | Calculate | Repeat)
            }
            "hint" => !matches!(t, Note | Calculate),
            "privacy" => !matches!(t, Note | Repeat),
            _ => true,
        }
    };
    let present = [
        ("choices", rq.choices.is_some()),
        ("other", rq.other.is_some()),
        ("max_choices", rq.max_choices.is_some()),
        ("exclusive", rq.exclusive.is_some()),
        ("min", rq.min.is_some()),
        ("max", rq.max.is_some()),
        ("unit", rq.unit.is_some()),
        ("max_length", rq.max_length.is_some()),
        ("points", rq.points.is_some()),
        ("low", rq.low.is_some()),
        ("high", rq.high.is_some()),
        ("na_label", rq.na_label.is_some()),
        ("required", rq.required.is_some()),
        ("required_message", rq.required_message.is_some()),
        ("constraint", rq.constraint.is_some()),
        ("constraint_message", rq.constraint_message.is_some()),
        ("calculation", rq.calculation.is_some()),
        ("choice_filter", rq.choice_filter.is_some()),
        ("default", rq.default.is_some()),
        ("questions", rq.questions.is_some()),
        ("repeat_count", rq.repeat_count.is_some()),
        ("min_count", rq.min_count.is_some()),
        ("max_count", rq.max_count.is_some()),
        ("privacy", rq.privacy.is_some()),
        ("hint", rq.hint.is_some()),
    ];
    if let Some((field, _)) = present.iter().find(|(f, p)| *p && !uses(f)) {
        return Err(err(field, Problem::NotUsedByType(t.name().into())));
    }
    if rq.role == Some(Role::Consent) && t != RawType::YesNo {
        return Err(err(
            "role",
            Problem::OutOfRange("the consent question must be yes_no".into()),
        ));
    }
    if !matches!(t, RawType::Note | RawType::Repeat) && rq.privacy.is_none() {
        return Err(err("privacy", Problem::Missing));
    }
    // Bounds and unit, shared by integer and decimal questions.
    if let (Some(a), Some(b)) = (rq.min, rq.max) {
        if a > b {
            return Err(err(
                "max",
                Problem::MinAboveMax(super::number_text(a), super::number_text(b)),
            ));
        }
    }
    if let Some(u) = &rq.unit {
        check_text(u, sid, &qid, "unit")?;
    }
    let kind = match t {
        RawType::SingleChoice | RawType::MultipleChoice => {
            let choices = rq.choices.unwrap_or_default();
            if choices.is_empty() {
                return Err(err("choices", Problem::Empty));
            }
            let mut seen = HashSet::new();
            for c in &choices {
                if !valid_value(&c.value) {
                    return Err(err("choices", Problem::BadId(c.value.clone())));
                }
                if !seen.insert(c.value.as_str()) {
                    return Err(err("choices", Problem::Duplicate(c.value.clone())));
                }
                check_text(&c.label, sid, &qid, &format!("choices.{}.label", c.value))?;
            }
            let other = rq.other.unwrap_or(false);
            if other && seen.contains(super::OTHER) {
                return Err(err("choices", Problem::Duplicate(super::OTHER.into())));
            }
            if t == RawType::SingleChoice {
                Kind::SingleChoice { choices, other }
            } else {
                let options = choices.len() + usize::from(other);
                if let Some(m) = rq.max_choices {
                    if m == 0 || m as usize > options {
                        return Err(err(
                            "max_choices",
                            Problem::OutOfRange(format!(
                                "max_choices must be between 1 and {options}"
                            )),
                        ));
                    }
                }
                let exclusive = rq.exclusive.unwrap_or_default();
                if let Some(x) = exclusive.iter().find(|x| !seen.contains(x.as_str())) {
                    return Err(err(
                        "exclusive",
                        Problem::OutOfRange(format!("\"{x}\" is not one of the choices")),
                    ));
                }
                Kind::MultipleChoice {
                    choices,
                    other,
                    max_choices: rq.max_choices,
                    exclusive,
                }
            }
        }
        RawType::ShortText | RawType::LongText => {
            let default = if t == RawType::ShortText { 200 } else { 2000 };
            let max_length = rq.max_length.unwrap_or(default);
            if max_length == 0 {
                return Err(err(
                    "max_length",
                    Problem::OutOfRange("max_length must be 1 or more".into()),
                ));
            }
            if t == RawType::ShortText {
                Kind::ShortText { max_length }
            } else {
                Kind::LongText { max_length }
            }
        }
        RawType::Integer => {
            let whole = |field: &str, v: Option<f64>| -> Result<Option<i64>, FormError> {
                match v {
                    Some(x) if x.fract() != 0.0 || x.abs() > 1e15 => Err(err(
                        field,
                        Problem::OutOfRange(format!(
                            "{} is not a whole number",
                            super::number_text(x)
                        )),
                    )),
                    Some(x) => Ok(Some(x as i64)),
                    None => Ok(None),
                }
            };
            let (min, max) = (whole("min", rq.min)?, whole("max", rq.max)?);
            Kind::Integer {
                min,
                max,
                unit: rq.unit,
            }
        }
        RawType::Decimal => Kind::Decimal {
            min: rq.min,
            max: rq.max,
            unit: rq.unit,
        },
        RawType::Date => Kind::Date,
        RawType::YesNo => Kind::YesNo,
        RawType::Rating => {
            let points = rq.points.ok_or_else(|| err("points", Problem::Missing))?;
            if !(2..=10).contains(&points) {
                return Err(err(
                    "points",
                    Problem::OutOfRange(format!("points must be between 2 and 10, not {points}")),
                ));
            }
            let low = rq.low.ok_or_else(|| err("low", Problem::Missing))?;
            let high = rq.high.ok_or_else(|| err("high", Problem::Missing))?;
            check_text(&low, sid, &qid, "low")?;
            check_text(&high, sid, &qid, "high")?;
            if let Some(na) = &rq.na_label {
                check_text(na, sid, &qid, "na_label")?;
            }
            Kind::Rating {
                points,
                low,
                high,
                na_label: rq.na_label,
            }
        }
        RawType::Note => Kind::Note,
        RawType::Repeat => {
            let raw_children = rq.questions.take().unwrap_or_default();
            if raw_children.is_empty() {
                return Err(err("questions", Problem::Empty));
            }
            let mut questions = Vec::with_capacity(raw_children.len());
            for child in raw_children {
                questions.push(check_question(child, sid)?);
            }
            let min_count = rq.min_count.unwrap_or(0);
            let max_count = rq.max_count.unwrap_or(MAX_ITEMS);
            if max_count == 0 || max_count > MAX_ITEMS {
                return Err(err(
                    "max_count",
                    Problem::OutOfRange(format!("max_count must be between 1 and {MAX_ITEMS}")),
                ));
            }
            if min_count > max_count {
                return Err(err(
                    "max_count",
                    Problem::MinAboveMax(min_count.to_string(), max_count.to_string()),
                ));
            }
            let count = match &rq.repeat_count {
                Some(src) => Some(code(src, sid, &qid, "repeat_count")?),
                None => None,
            };
            Kind::Repeat {
                questions,
                count,
                min_count,
                max_count,
            }
        }
        RawType::Calculate => {
            let src = rq
                .calculation
                .as_deref()
                .ok_or_else(|| err("calculation", Problem::Missing))?;
            Kind::Calculate {
                calculation: code(src, sid, &qid, "calculation")?,
            }
        }
    };
    let (required, required_if) = match &rq.required {
        None | Some(RawRequired::Always(false)) => (false, None),
        Some(RawRequired::Always(true)) => (true, None),
        Some(RawRequired::When(src)) => match src.trim() {
            // XLSForm spreadsheets write yes/no; accept them as constants.
            "yes" | "true" | "true()" => (true, None),
            "no" | "false" | "false()" | "" => (false, None),
            src => (false, Some(code(src, sid, &qid, "required")?)),
        },
    };
    let relevant = match &rq.relevant {
        Some(src) => Some(code(src, sid, &qid, "relevant")?),
        None => None,
    };
    let constraint = match &rq.constraint {
        Some(src) => Some(code(src, sid, &qid, "constraint")?),
        None => None,
    };
    if let Some(m) = &rq.constraint_message {
        check_text(m, sid, &qid, "constraint_message")?;
    }
    if let Some(m) = &rq.required_message {
        check_text(m, sid, &qid, "required_message")?;
    }
    let choice_filter = match &rq.choice_filter {
        Some(src) => {
            let c = code(src, sid, &qid, "choice_filter")?;
            // Every column it reads must be one the choices have (or `name`, the value).
            let known = |col: &str| {
                col == "name" || kind.choices().iter().any(|ch| ch.columns.contains_key(col))
            };
            if let Some(col) = c.expr.columns().into_iter().find(|col| !known(col)) {
                return Err(err("choice_filter", Problem::UnknownColumn(col)));
            }
            Some(c)
        }
        None => None,
    };
    if let Some(d) = &rq.default {
        if let Err(why) = default_fits(&kind, d) {
            return Err(err("default", Problem::OutOfRange(why)));
        }
    }
    Ok(Question {
        id: rq.id,
        label: rq.label,
        hint: rq.hint,
        required,
        required_if,
        required_message: rq.required_message,
        relevant,
        constraint,
        constraint_message: rq.constraint_message,
        default: rq.default,
        privacy: rq.privacy,
        role: rq.role,
        choice_filter,
        kind,
    })
}
