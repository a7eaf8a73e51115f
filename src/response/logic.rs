//! Skip logic and calculations over one response: which sections and questions are shown,
//! and what the calculated fields hold.
//!
//! The whole form is evaluated in document order on every change. That is a few hundred
//! expressions for a form without repeats: microseconds. A hidden question reads as empty
//! in every expression (as in ODK), but its stored answer is kept: un-hiding it brings the
//! answer back. Hidden answers are excluded from validation and progress, and will be from
//! export.

use super::{path, Response, Scope, Value};
use crate::form::expr::{Env, XValue};
use crate::form::{Form, Kind, Question, OTHER};
use crate::i18n::{Lang, Msg};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Logic {
    hidden_sections: Vec<bool>,
    /// Paths (`age`, `members[2]/age`) of hidden questions, repeats' items included.
    hidden: BTreeSet<String>,
    /// Calculated values by path.
    calculated: BTreeMap<String, XValue>,
    /// Items a `repeat_count` asks for, by the repeat's path.
    counts: BTreeMap<String, usize>,
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
        Value::Rows(_) => XValue::Str(String::new()),
    }
}

/// What an expression reads while the form is evaluated, or afterwards: answers seen from
/// one item (`scope`) of the repeats around the expression.
pub struct ResponseEnv<'a> {
    pub form: &'a Form,
    pub logic: &'a Logic,
    pub response: &'a Response,
    pub scope: &'a Scope<'a>,
    pub current: Option<&'a Question>,
}

impl ResponseEnv<'_> {
    /// The scope in which `name` is read from here: the same item for repeats we are in,
    /// the first item for repeats we are not (XPath gives the first node of a set).
    fn scope_of(&self, name: &str) -> Vec<(&str, usize)> {
        self.form
            .repeats_around(name)
            .into_iter()
            .map(|r| {
                let i = self
                    .scope
                    .iter()
                    .find(|(s, _)| *s == r)
                    .map_or(0, |(_, i)| *i);
                (r, i)
            })
            .collect()
    }

    fn value_at(&self, scope: &Scope, name: &str) -> XValue {
        let p = path(scope, name);
        if self.logic.hidden.contains(&p) {
            return XValue::Str(String::new());
        }
        if let Some(v) = self.logic.calculated.get(&p) {
            return v.clone();
        }
        self.response
            .answer_in(scope, name)
            .map(answer_value)
            .unwrap_or(XValue::Str(String::new()))
    }

    /// Every item's value of `name`, over the repeats around it not fixed by our scope.
    fn collect(
        &self,
        chain: &[&str],
        scope: &mut Vec<(String, usize)>,
        name: &str,
        out: &mut Vec<XValue>,
    ) {
        let Some((first, rest)) = chain.split_first() else {
            let s: Vec<(&str, usize)> = scope.iter().map(|(r, i)| (r.as_str(), *i)).collect();
            out.push(self.value_at(&s, name));
            return;
        };
        let fixed = self.scope.iter().find(|(s, _)| s == first).map(|(_, i)| *i);
        let s: Vec<(&str, usize)> = scope.iter().map(|(r, i)| (r.as_str(), *i)).collect();
        let items = match fixed {
            Some(i) => vec![i],
            None => (0..self.response.items(&s, first))
                .filter(|i| self.logic.shown(&path(&s, &format!("{first}[{i}]/"))))
                .collect(),
        };
        for i in items {
            scope.push(((*first).to_owned(), i));
            self.collect(rest, scope, name, out);
            scope.pop();
        }
    }
}

impl Env for ResponseEnv<'_> {
    fn value(&self, name: &str) -> XValue {
        let scope = self.scope_of(name);
        self.value_at(&scope, name)
    }

    fn current(&self) -> XValue {
        self.current
            .map(|q| self.value_at(self.scope, &q.id))
            .unwrap_or(XValue::Str(String::new()))
    }

    fn values(&self, name: &str) -> Vec<XValue> {
        let chain = self.form.repeats_around(name);
        let mut out = Vec::new();
        self.collect(&chain, &mut Vec::new(), name, &mut out);
        out
    }

    fn count(&self, name: &str) -> usize {
        // Items of repeat `name` seen from here (its enclosing items fixed by our scope).
        let scope = self.scope_of(name);
        let p = path(&scope, name);
        if self.logic.hidden.contains(&p) {
            return 0;
        }
        let n = self.response.items(&scope, name);
        self.logic.counts.get(&p).map_or(n, |c| n.min(*c))
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
                .is_none_or(|c| c.expr.eval(&logic.env(form, response, &[], None)).truthy());
            if !shown {
                logic.hidden_sections[i] = true;
                logic.hide_all(response, &s.questions, &mut Vec::new());
                continue;
            }
            logic.walk(form, response, &s.questions, &mut Vec::new());
        }
        logic
    }

    fn walk<'f>(
        &mut self,
        form: &'f Form,
        response: &Response,
        questions: &'f [Question],
        scope: &mut Vec<(&'f str, usize)>,
    ) {
        for q in questions {
            let shown = q.relevant.as_ref().is_none_or(|c| {
                c.expr
                    .eval(&self.env(form, response, scope, Some(q)))
                    .truthy()
            });
            if !shown {
                self.hidden.insert(path(scope, &q.id));
                if let Kind::Repeat { questions, .. } = &q.kind {
                    self.hide_items(response, &q.id, questions, scope, 0);
                }
                continue;
            }
            match &q.kind {
                Kind::Calculate { calculation } => {
                    let v = calculation
                        .expr
                        .eval(&self.env(form, response, scope, Some(q)));
                    self.calculated.insert(path(scope, &q.id), v);
                }
                Kind::Repeat {
                    questions, count, ..
                } => {
                    let n = response.items(scope, &q.id);
                    let wanted = count.as_ref().map(|c| {
                        let v = c
                            .expr
                            .eval(&self.env(form, response, scope, Some(q)))
                            .number();
                        if v.is_finite() && v > 0.0 {
                            (v as usize).min(crate::form::parse::MAX_ITEMS as usize)
                        } else {
                            0
                        }
                    });
                    if let Some(w) = wanted {
                        self.counts.insert(path(scope, &q.id), w);
                    }
                    // Items past a repeat_count are hidden, not deleted: lowering the count
                    // by mistake loses nothing.
                    let shown_items = wanted.map_or(n, |w| n.min(w));
                    for i in 0..shown_items {
                        scope.push((&q.id, i));
                        self.walk(form, response, questions, scope);
                        scope.pop();
                    }
                    self.hide_items(response, &q.id, questions, scope, shown_items);
                }
                _ => {}
            }
        }
    }

    /// Hides every question of a section (or of an item), items of repeats included.
    fn hide_all<'f>(
        &mut self,
        response: &Response,
        questions: &'f [Question],
        scope: &mut Vec<(&'f str, usize)>,
    ) {
        for q in questions {
            self.hidden.insert(path(scope, &q.id));
            if let Kind::Repeat { questions, .. } = &q.kind {
                self.hide_items(response, &q.id, questions, scope, 0);
            }
        }
    }

    /// Hides the items of `repeat` from index `from` on, marking each item itself too.
    fn hide_items<'f>(
        &mut self,
        response: &Response,
        repeat: &'f str,
        questions: &'f [Question],
        scope: &mut Vec<(&'f str, usize)>,
        from: usize,
    ) {
        let n = response.items(scope, repeat);
        for i in from..n {
            // The item itself is marked too ("members[3]/"), for whoever lists items.
            self.hidden.insert(format!("{}[{i}]/", path(scope, repeat)));
            scope.push((repeat, i));
            self.hide_all(response, questions, scope);
            scope.pop();
        }
    }

    pub fn env<'a>(
        &'a self,
        form: &'a Form,
        response: &'a Response,
        scope: &'a Scope<'a>,
        current: Option<&'a Question>,
    ) -> ResponseEnv<'a> {
        ResponseEnv {
            form,
            logic: self,
            response,
            scope,
            current,
        }
    }

    pub fn section_shown(&self, section: usize) -> bool {
        !self.hidden_sections.get(section).copied().unwrap_or(false)
    }

    /// Whether the question at `path` (see `response::path`) is shown.
    pub fn shown(&self, path: &str) -> bool {
        !self.hidden.contains(path)
    }

    /// Items of a repeat to show: those stored, up to its `repeat_count` if it has one.
    pub fn items_shown(&self, response: &Response, scope: &Scope, repeat: &str) -> usize {
        let n = response.items(scope, repeat);
        self.counts
            .get(&path(scope, repeat))
            .map_or(n, |c| n.min(*c))
    }

    /// Items a repeat's `repeat_count` asks for, if it has one.
    pub fn wanted_items(&self, scope: &Scope, repeat: &str) -> Option<usize> {
        self.counts.get(&path(scope, repeat)).copied()
    }

    /// Writes the calculated fields into the response, and adds the empty items a
    /// `repeat_count` asks for; true if anything changed.
    pub fn apply_calculations(&self, form: &Form, response: &mut Response) -> bool {
        let mut changed = false;
        for (p, v) in &self.calculated {
            let value = match v {
                XValue::Num(n) if n.is_nan() || n.is_infinite() => None,
                XValue::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(Value::Int(*n as i64)),
                XValue::Num(n) => Some(Value::Decimal(*n)),
                other => Some(Value::Text(other.text())).filter(|v| !v.is_empty()),
            };
            let (scope, qid) = split_path(p);
            let scope: Vec<(&str, usize)> = scope.iter().map(|(r, i)| (r.as_str(), *i)).collect();
            if response.answer_in(&scope, qid) != value.as_ref() {
                response.set_answer_in(&scope, qid, value);
                changed = true;
            }
        }
        for (p, want) in &self.counts {
            let (scope, repeat) = split_path(p);
            let scope: Vec<(&str, usize)> = scope.iter().map(|(r, i)| (r.as_str(), *i)).collect();
            if form.question(repeat).is_none() {
                continue;
            }
            while response.items(&scope, repeat) < *want {
                if response.add_item(&scope, repeat).is_none() {
                    break;
                }
                changed = true;
            }
        }
        changed
    }
}

/// `members[2]/age` → ([("members", 2)], "age").
fn split_path(p: &str) -> (Vec<(String, usize)>, &str) {
    let mut scope = Vec::new();
    let mut rest = p;
    while let Some((head, tail)) = rest.split_once("]/") {
        if let Some((rep, i)) = head.split_once('[') {
            if let Ok(i) = i.parse() {
                scope.push((rep.to_owned(), i));
            }
        }
        rest = tail;
    }
    (scope, rest)
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
