//! Answers to a form: the `Response` record, its validation and its progress.
//! Pure functions over a `Form` and a `Response`; the UI and the store only call them.

pub mod logic;
pub mod sample;
pub mod validate;

pub use validate::{
    declined, validate_question, validate_response, validate_section, Issue, IssueKind,
};

use crate::form::{Form, Kind, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Completed,
}

/// One answer. Stored untagged so a saved response reads like the form's answers:
/// `"hh_size": 3`, `"needs": ["lunch", "repair"]`, `"consent": true`.
/// Text typed into a number box that is not (yet) a number is kept as `Text`: the user's
/// keystrokes are never thrown away, and validation says what is wrong.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Decimal(f64),
    Text(String),
    List(Vec<String>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_list(&self) -> &[String] {
        match self {
            Value::List(v) => v,
            _ => &[],
        }
    }

    /// Empty text and empty lists count as no answer.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Text(s) => s.trim().is_empty(),
            Value::List(v) => v.is_empty(),
            _ => false,
        }
    }

    /// How the value reads in a list or a summary.
    pub fn display(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Decimal(d) => d.to_string(),
            Value::Text(s) => s.clone(),
            Value::List(v) => v.join(", "),
        }
    }
}

/// A response as stored. Field names are short on purpose: a whole community's responses
/// (2,130) must fit in localStorage's ~5.24 million characters with room to spare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub id: String,
    pub form: String,
    #[serde(rename = "v")]
    pub form_version: u32,
    pub status: Status,
    /// RFC 3339 with the device's offset, to the second.
    pub started: String,
    pub updated: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    /// Bumped on every save; lets a second tab see that its copy is stale.
    #[serde(default)]
    pub rev: u64,
    #[serde(rename = "a", default)]
    pub answers: BTreeMap<String, Value>,
    /// "Other, please specify" texts, by question id.
    #[serde(rename = "o", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, String>,
}

impl Response {
    pub fn new(id: String, form: &Form, now: String) -> Response {
        Response {
            id,
            form: form.id.clone(),
            form_version: form.version,
            status: Status::Draft,
            started: now.clone(),
            updated: now,
            completed: None,
            rev: 0,
            answers: BTreeMap::new(),
            other: BTreeMap::new(),
        }
    }

    /// A new response with the form's `default` answers filled in; `today` (`YYYY-MM-DD`)
    /// stands for a `today()` default.
    pub fn with_defaults(id: String, form: &Form, now: String) -> Response {
        let today = now.get(..10).unwrap_or("").to_owned();
        let mut r = Response::new(id, form, now);
        for (_, q) in form.questions() {
            let Some(d) = q.default.as_deref().map(str::trim) else {
                continue;
            };
            let value = match &q.kind {
                Kind::MultipleChoice { .. } => {
                    Value::List(d.split_whitespace().map(str::to_owned).collect())
                }
                Kind::Integer { .. } | Kind::Rating { .. } => match d.parse() {
                    Ok(i) => Value::Int(i),
                    Err(_) => continue,
                },
                Kind::Decimal { .. } => match d.parse() {
                    Ok(x) => Value::Decimal(x),
                    Err(_) => continue,
                },
                Kind::YesNo => Value::Bool(matches!(d, "yes" | "true")),
                Kind::Date if d == "today()" => Value::Text(today.clone()),
                _ => Value::Text(d.to_owned()),
            };
            r.set_answer(&q.id, Some(value));
        }
        r
    }

    pub fn answer(&self, question: &str) -> Option<&Value> {
        self.answers.get(question).filter(|v| !v.is_empty())
    }

    /// Sets or clears (`None`, empty text, empty list) one answer. An "other, please
    /// specify" text goes with "other": it is dropped once "other" is no longer chosen, so
    /// no hidden free text (names, phone numbers) stays behind.
    pub fn set_answer(&mut self, question: &str, value: Option<Value>) {
        let keeps_other = match &value {
            Some(Value::Text(v)) => v == crate::form::OTHER,
            Some(Value::List(vs)) => vs.iter().any(|v| v == crate::form::OTHER),
            _ => false,
        };
        if !keeps_other {
            self.other.remove(question);
        }
        match value.filter(|v| !v.is_empty()) {
            Some(v) => {
                self.answers.insert(question.to_owned(), v);
            }
            None => {
                self.answers.remove(question);
            }
        }
    }

    pub fn set_other(&mut self, question: &str, text: &str) {
        if text.trim().is_empty() {
            self.other.remove(question);
        } else {
            self.other.insert(question.to_owned(), text.to_owned());
        }
    }

    /// The text answer of the question with this role (building, unit, room).
    pub fn location(&self, form: &Form, role: Role) -> Option<String> {
        let q = form.question_with_role(role)?;
        self.answer(&q.id).map(Value::display)
    }

    /// Marks complete when nothing in the form is wrong or missing; otherwise the issues.
    pub fn complete(&mut self, form: &Form, now: String) -> Result<(), Vec<Issue>> {
        let logic = logic::Logic::evaluate(form, self, now.get(..10).unwrap_or(""));
        let issues = validate_response(form, self, &logic);
        if !issues.is_empty() {
            return Err(issues);
        }
        self.status = Status::Completed;
        self.completed = Some(now);
        Ok(())
    }

    /// Back to draft (the worker wants to change something after completing).
    pub fn reopen(&mut self) {
        self.status = Status::Draft;
        self.completed = None;
    }
}

/// Answered and answerable questions, for the whole form or one section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub answered: usize,
    pub total: usize,
}

impl Progress {
    pub fn percent(self) -> u32 {
        (self.answered * 100)
            .checked_div(self.total)
            .map_or(100, |p| p as u32)
    }
}

/// Answered and answerable questions of a section; questions hidden by skip logic count
/// neither way.
pub fn section_progress(
    form: &Form,
    section: usize,
    response: &Response,
    logic: &logic::Logic,
) -> Progress {
    let mut p = Progress::default();
    if !logic.section_shown(section) {
        return p;
    }
    if let Some(s) = form.sections.get(section) {
        for q in s
            .questions
            .iter()
            .filter(|q| q.kind.takes_answer() && logic.shown(&q.id))
        {
            p.total += 1;
            if response.answer(&q.id).is_some() {
                p.answered += 1;
            }
        }
    }
    p
}

pub fn progress(form: &Form, response: &Response, logic: &logic::Logic) -> Progress {
    (0..form.sections.len()).fold(Progress::default(), |acc, i| {
        let p = section_progress(form, i, response, logic);
        Progress {
            answered: acc.answered + p.answered,
            total: acc.total + p.total,
        }
    })
}

/// `2026-11-24T09:15:00+08:00`: RFC 3339 to the second, with the offset of the device that
/// wrote it. Written by hand: chrono's strftime machinery adds ~20 KB of wasm for one format.
pub fn rfc3339<Tz: chrono::TimeZone>(t: &chrono::DateTime<Tz>) -> String {
    use chrono::{Datelike, Offset, Timelike};
    let off = t.offset().fix().local_minus_utc();
    let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        off / 3600,
        off % 3600 / 60
    )
}

/// Parses what was typed into a number box: a number when it is one, else the raw text.
pub fn number_from_input(kind: &Kind, input: &str) -> Option<Value> {
    let t = input.trim();
    if t.is_empty() {
        return None;
    }
    // Full-width digits come from Chinese input methods: read them as ASCII.
    let ascii: String = t
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '－' => '-',
            other => other,
        })
        .collect();
    Some(match kind {
        Kind::Integer { .. } => ascii
            .parse::<i64>()
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Text(input.to_owned())),
        _ => match ascii.parse::<f64>() {
            Ok(f) if f.is_finite() => Value::Decimal(f),
            _ => Value::Text(input.to_owned()),
        },
    })
}

#[cfg(test)]
mod tests;
