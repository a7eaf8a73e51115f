//! Skip logic and calculations over one response: which sections and questions are shown,
//! and what the calculated fields hold.
//!
//! The whole form is evaluated in document order on every change. That is a few hundred
//! expressions for a form without repeats: microseconds. A hidden question reads as empty
//! in every expression (as in ODK), but its stored answer is kept: un-hiding it brings the
//! answer back. Hidden answers are excluded from validation and progress, and will be from
//! export.

use super::{Response, Value};
use crate::form::expr::{Env, XValue};
use crate::form::{Form, Kind, Question, OTHER};
use crate::i18n::{Lang, Msg};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Logic {
    hidden_sections: Vec<bool>,
    hidden: HashSet<String>,
    calculated: HashMap<String, XValue>,
    /// `YYYY-MM-DD`, for `today()`.
    pub today: String,
}

/// A stored answer as an expression sees it: yes/no as `'yes'`/`'no'` (XLSForm's yes_no
/// list), several choices as one space-separated text (XForms' select value).
pub fn answer_value(v: &Value) -> XValue {
    match v {
        Value::Bool(b) => XValue::Str(if *b { "yes" } else { "no" }.into()),
        Value::Int(i) => XValue::Num(*i as f64),
        Value::Decimal(d) => XValue::Num(*d),
        Value::Text(t) => XValue::Str(t.clone()),
        Value::List(vs) => XValue::Str(vs.join(" ")),
    }
}

/// What an expression reads while the form is evaluated, or afterwards.
pub struct ResponseEnv<'a> {
    pub logic: &'a Logic,
    pub response: &'a Response,
    pub current: Option<&'a Question>,
}

impl Env for ResponseEnv<'_> {
    fn value(&self, name: &str) -> XValue {
        if self.logic.hidden.contains(name) {
            return XValue::Str(String::new());
        }
        if let Some(v) = self.logic.calculated.get(name) {
            return v.clone();
        }
        self.response
            .answer(name)
            .map(answer_value)
            .unwrap_or(XValue::Str(String::new()))
    }

    fn current(&self) -> XValue {
        self.current
            .map(|q| self.value(&q.id))
            .unwrap_or(XValue::Str(String::new()))
    }

    fn today(&self) -> String {
        self.logic.today.clone()
    }
}

impl Logic {
    pub fn evaluate(form: &Form, response: &Response, today: &str) -> Logic {
        let mut logic = Logic {
            hidden_sections: vec![false; form.sections.len()],
            today: today.to_owned(),
            ..Logic::default()
        };
        for (i, s) in form.sections.iter().enumerate() {
            let shown = s
                .relevant
                .as_ref()
                .is_none_or(|c| c.expr.eval(&logic.env(response, None)).truthy());
            if !shown {
                logic.hidden_sections[i] = true;
                logic
                    .hidden
                    .extend(s.questions.iter().map(|q| q.id.clone()));
                continue;
            }
            for q in &s.questions {
                let shown = q
                    .relevant
                    .as_ref()
                    .is_none_or(|c| c.expr.eval(&logic.env(response, Some(q))).truthy());
                if !shown {
                    logic.hidden.insert(q.id.clone());
                } else if let Kind::Calculate { calculation } = &q.kind {
                    let v = calculation.expr.eval(&logic.env(response, Some(q)));
                    logic.calculated.insert(q.id.clone(), v);
                }
            }
        }
        logic
    }

    pub fn env<'a>(
        &'a self,
        response: &'a Response,
        current: Option<&'a Question>,
    ) -> ResponseEnv<'a> {
        ResponseEnv {
            logic: self,
            response,
            current,
        }
    }

    pub fn section_shown(&self, section: usize) -> bool {
        !self.hidden_sections.get(section).copied().unwrap_or(false)
    }

    pub fn shown(&self, question: &str) -> bool {
        !self.hidden.contains(question)
    }

    /// The calculated fields as answers to store: a number, a text, or nothing.
    pub fn calculated_answers(&self) -> impl Iterator<Item = (&str, Option<Value>)> {
        self.calculated.iter().map(|(id, v)| {
            let value = match v {
                XValue::Num(n) if n.is_nan() || n.is_infinite() => None,
                XValue::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(Value::Int(*n as i64)),
                XValue::Num(n) => Some(Value::Decimal(*n)),
                other => Some(Value::Text(other.text())).filter(|v| !v.is_empty()),
            };
            (id.as_str(), value)
        })
    }

    /// Writes the calculated fields into the response; true if any changed.
    pub fn apply_calculations(&self, response: &mut Response) -> bool {
        let mut changed = false;
        for (id, value) in self.calculated_answers() {
            if response.answer(id) != value.as_ref() {
                response.set_answer(id, value);
                changed = true;
            }
        }
        changed
    }
}

/// A label with each `${name}` replaced by that question's answer as the person sees it:
/// choice labels in `lang`, 是/否 or yes/no, numbers as typed. Hidden or unanswered
/// questions leave an empty place, as in ODK.
pub fn fill_in(text: &str, form: &Form, response: &Response, logic: &Logic, lang: Lang) -> String {
    if !text.contains("${") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        out.push_str(&shown_answer(form, response, logic, name, lang));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn shown_answer(form: &Form, response: &Response, logic: &Logic, name: &str, lang: Lang) -> String {
    if !logic.shown(name) {
        return String::new();
    }
    if let Some(v) = logic.calculated.get(name) {
        return v.text();
    }
    let (Some(q), Some(v)) = (form.question(name), response.answer(name)) else {
        return String::new();
    };
    let choice_label = |value: &str| {
        if value == OTHER && q.kind.has_other() {
            return response
                .other
                .get(name)
                .cloned()
                .unwrap_or_else(|| Msg::Other.get(lang).to_owned());
        }
        q.kind
            .choices()
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.label.get(lang).to_owned())
            .unwrap_or_else(|| value.to_owned())
    };
    match v {
        Value::Bool(b) => Msg::yes_no(*b).get(lang).to_owned(),
        Value::Text(t) if !q.kind.choices().is_empty() => choice_label(t),
        Value::List(vs) => vs
            .iter()
            .map(|v| choice_label(v))
            .collect::<Vec<_>>()
            .join(if lang == Lang::Zh { "、" } else { ", " }),
        other => other.display(),
    }
}
