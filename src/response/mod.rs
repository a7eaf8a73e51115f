//! Answers to a form: the `Response` record, its validation and its progress.
//! Pure functions over a `Form` and a `Response`; the UI and the store only call them.

pub mod logic;
pub mod sample;
pub mod validate;

pub use validate::{
    declined, validate_question, validate_response, validate_section, Issue, IssueKind,
};

use crate::form::{Form, Kind, Question, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Completed,
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(
            match crate::form::unit_variant(d, &["draft", "completed"])? {
                0 => Status::Draft,
                _ => Status::Completed,
            },
        )
    }
}

/// One answer. Stored untagged so a saved response reads like the form's answers:
/// `"hh_size": 3`, `"needs": ["lunch", "repair"]`, `"consent": true`.
/// Text typed into a number box that is not (yet) a number is kept as `Text`: the user's
/// keystrokes are never thrown away, and validation says what is wrong.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Decimal(f64),
    Text(String),
    List(Vec<String>),
    /// The items of a repeat, each its own answers by question id.
    Rows(Vec<Row>),
}

/// Read by hand rather than with `#[serde(untagged)]`: untagged enums buffer every value
/// through serde's generic `Content` tree, slower and about 5 KB more wasm. The JSON
/// shape alone says which kind of answer it is.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an answer: true/false, a number, a text, a list of texts or of items")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
                Ok(Value::Int(i))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
                i64::try_from(u)
                    .map(Value::Int)
                    .or(Ok(Value::Decimal(u as f64)))
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Value, E> {
                Ok(Value::Decimal(x))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
                Ok(Value::Text(s.to_owned()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
                Ok(Value::Text(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                // A list of texts (choices) or of objects (repeat items); empty is a list.
                let mut texts = Vec::new();
                let mut rows = Vec::new();
                while let Some(item) = seq.next_element::<Element>()? {
                    match item {
                        Element::Text(t) if rows.is_empty() => texts.push(t),
                        Element::Row(r) if texts.is_empty() => rows.push(r),
                        _ => return Err(de::Error::custom("a list mixes texts and items")),
                    }
                }
                Ok(if rows.is_empty() {
                    Value::List(texts)
                } else {
                    Value::Rows(rows)
                })
            }
        }
        enum Element {
            Text(String),
            Row(Row),
        }
        impl<'de> Deserialize<'de> for Element {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Element, D::Error> {
                struct E;
                impl<'de> Visitor<'de> for E {
                    type Value = Element;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a text or an item")
                    }
                    fn visit_str<Er: de::Error>(self, s: &str) -> Result<Element, Er> {
                        Ok(Element::Text(s.to_owned()))
                    }
                    fn visit_string<Er: de::Error>(self, s: String) -> Result<Element, Er> {
                        Ok(Element::Text(s))
                    }
                    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Element, M::Error> {
                        let mut row = Row::new();
                        while let Some((k, v)) = map.next_entry::<String, Value>()? {
                            row.insert(k, v);
                        }
                        Ok(Element::Row(row))
                    }
                }
                d.deserialize_any(E)
            }
        }
        d.deserialize_any(V)
    }
}

/// One item of a repeat: its answers by question id.
pub type Row = BTreeMap<String, Value>;

/// Where a question is answered: the (repeat id, item index) chain from the top of the
/// response; empty outside any repeat.
pub type Scope<'a> = [(&'a str, usize)];

/// The key of a question in one item, as used for hidden questions and "other" texts:
/// `members[2]/age`; just `age` outside any repeat.
pub fn path(scope: &Scope, qid: &str) -> String {
    let mut p = String::new();
    for (rep, i) in scope {
        p.push_str(&format!("{rep}[{i}]/"));
    }
    p.push_str(qid);
    p
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

    /// Whether "other, please specify" is among the chosen values.
    pub fn chooses_other(&self) -> bool {
        match self {
            Value::Text(v) => v == crate::form::OTHER,
            Value::List(vs) => vs.iter().any(|v| v == crate::form::OTHER),
            _ => false,
        }
    }

    /// Empty text and empty lists count as no answer.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Text(s) => s.trim().is_empty(),
            Value::List(v) => v.is_empty(),
            Value::Rows(v) => v.is_empty(),
            _ => false,
        }
    }

    /// How the value reads in a list or a summary.
    pub fn display(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Decimal(d) => crate::form::number_text(*d),
            Value::Text(s) => s.clone(),
            Value::List(v) => v.join(", "),
            Value::Rows(v) => v.len().to_string(),
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
    /// The walk-list household this survey was started from: completing it records the
    /// visit. An identifier, so never exported.
    #[serde(rename = "hh", default, skip_serializing_if = "Option::is_none")]
    pub household: Option<String>,
    /// The code of the worker who started it (the device's worker profile).
    #[serde(rename = "w", default, skip_serializing_if = "String::is_empty")]
    pub worker: String,
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
            household: None,
            worker: String::new(),
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
        let keeps_other = value.as_ref().is_some_and(Value::chooses_other);
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

    fn row(&self, scope: &Scope) -> Option<&Row> {
        let mut map = &self.answers;
        for (rep, i) in scope {
            match map.get(*rep) {
                Some(Value::Rows(rows)) => map = rows.get(*i)?,
                _ => return None,
            }
        }
        Some(map)
    }

    fn row_mut(&mut self, scope: &Scope) -> Option<&mut Row> {
        let mut map = &mut self.answers;
        for (rep, i) in scope {
            match map.get_mut(*rep) {
                Some(Value::Rows(rows)) => map = rows.get_mut(*i)?,
                _ => return None,
            }
        }
        Some(map)
    }

    /// The answer to `qid` in the item `scope` points at.
    pub fn answer_in(&self, scope: &Scope, qid: &str) -> Option<&Value> {
        if scope.is_empty() {
            return self.answer(qid);
        }
        self.row(scope)?.get(qid).filter(|v| !v.is_empty())
    }

    /// Sets or clears one answer inside an item. An item that does not exist is not
    /// created: answers go to items the person added.
    pub fn set_answer_in(&mut self, scope: &Scope, qid: &str, value: Option<Value>) {
        if scope.is_empty() {
            return self.set_answer(qid, value);
        }
        let keeps_other = value.as_ref().is_some_and(Value::chooses_other);
        if !keeps_other {
            self.other.remove(&path(scope, qid));
        }
        if let Some(row) = self.row_mut(scope) {
            match value.filter(|v| !v.is_empty()) {
                Some(v) => {
                    row.insert(qid.to_owned(), v);
                }
                None => {
                    row.remove(qid);
                }
            }
        }
    }

    pub fn other_in(&self, scope: &Scope, qid: &str) -> Option<&String> {
        self.other.get(&path(scope, qid))
    }

    pub fn set_other_in(&mut self, scope: &Scope, qid: &str, text: &str) {
        let key = path(scope, qid);
        if text.trim().is_empty() {
            self.other.remove(&key);
        } else {
            self.other.insert(key, text.to_owned());
        }
    }

    /// Number of items of `repeat` in the item `scope` points at.
    pub fn items(&self, scope: &Scope, repeat: &str) -> usize {
        match self.row(scope).and_then(|r| r.get(repeat)) {
            Some(Value::Rows(rows)) => rows.len(),
            _ => 0,
        }
    }

    /// Adds an empty item at the end; returns its index, or `None` where the scope does
    /// not exist.
    pub fn add_item(&mut self, scope: &Scope, repeat: &str) -> Option<usize> {
        let row = self.row_mut(scope)?;
        let entry = row
            .entry(repeat.to_owned())
            .or_insert_with(|| Value::Rows(Vec::new()));
        if !matches!(entry, Value::Rows(_)) {
            *entry = Value::Rows(Vec::new());
        }
        let Value::Rows(rows) = entry else {
            return None;
        };
        rows.push(Row::new());
        Some(rows.len() - 1)
    }

    /// Removes one item with everything in it, "other" texts included. Later items move up.
    pub fn remove_item(&mut self, scope: &Scope, repeat: &str, index: usize) {
        let n = self.items(scope, repeat);
        if index >= n {
            return;
        }
        // "Other" texts are keyed by position: drop the removed item's, renumber the rest.
        self.renumber_other(scope, repeat, |i| match i.cmp(&index) {
            std::cmp::Ordering::Less => Some(i),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(i - 1),
        });
        if let Some(Value::Rows(rows)) = self.row_mut(scope).and_then(|r| r.get_mut(repeat)) {
            rows.remove(index);
            if rows.is_empty() {
                if let Some(r) = self.row_mut(scope) {
                    r.remove(repeat);
                }
            }
        }
    }

    /// Moves an item to another position (reordering a roster).
    pub fn move_item(&mut self, scope: &Scope, repeat: &str, from: usize, to: usize) {
        let n = self.items(scope, repeat);
        if from >= n || to >= n || from == to {
            return;
        }
        if let Some(Value::Rows(rows)) = self.row_mut(scope).and_then(|r| r.get_mut(repeat)) {
            let item = rows.remove(from);
            rows.insert(to, item);
        }
        self.renumber_other(scope, repeat, |i| {
            Some(if i == from {
                to
            } else if from < to && i > from && i <= to {
                i - 1
            } else if to < from && i >= to && i < from {
                i + 1
            } else {
                i
            })
        });
    }

    /// Re-keys the "other" texts inside `repeat`'s items after items moved: `new_index`
    /// maps an old index to the new one, or to `None` for an item that is gone.
    fn renumber_other(
        &mut self,
        scope: &Scope,
        repeat: &str,
        new_index: impl Fn(usize) -> Option<usize>,
    ) {
        let prefix = format!("{}[", path(scope, repeat));
        let keyed: Vec<(String, String)> = self
            .other
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // All out first, then back under their new keys: a key freed by one item may be
        // the new key of another.
        for (k, _) in &keyed {
            self.other.remove(k);
        }
        for (k, v) in keyed {
            let Some((i, tail)) = k[prefix.len()..].split_once(']') else {
                continue;
            };
            if let Some(j) = i.parse().ok().and_then(&new_index) {
                self.other.insert(format!("{prefix}{j}]{tail}"), v);
            }
        }
    }

    /// The text answer of the question with this role (building, unit, room).
    /// Fills the location questions (roles building, unit, room) from a walk-list household
    /// and remembers it.
    pub fn start_at(&mut self, form: &Form, h: &crate::visits::walk::Household) {
        for (role, value) in [
            (Role::Building, &h.building),
            (Role::Unit, &h.unit),
            (Role::Room, &h.room),
        ] {
            if let (Some(q), false) = (form.question_with_role(role), value.is_empty()) {
                self.set_answer(&q.id, Some(Value::Text(value.clone())));
            }
        }
        self.household = Some(h.id.clone());
    }

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
        // Every item of a repeat counts its questions: a roster of five is five times.
        let mut count = |q: &Question, scope: &Scope| {
            if q.kind.takes_answer() && logic.shown(&path(scope, &q.id)) {
                p.total += 1;
                if response.answer_in(scope, &q.id).is_some() {
                    p.answered += 1;
                }
            }
        };
        validate::walk_items(response, logic, &s.questions, &mut Vec::new(), &mut count);
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

#[cfg(test)]
mod repeat_tests;

#[cfg(test)]
mod plan_tests;
