//! Skip logic and calculations over one response: which sections and questions are shown,
//! and what the calculated fields hold.
//!
//! Evaluated whole when a response opens, in the order of the form's dependency graph
//! (`form::plan`); after that, a change re-evaluates only what reads the changed answer,
//! directly or through other expressions. A hidden question reads as empty
//! in every expression (as in ODK), but its stored answer is kept: un-hiding it brings the
//! answer back. Hidden answers are excluded from validation and progress, and will be from
//! export.

use super::{Response, Scope, Value};
use crate::form::expr::{Env, XValue};
use crate::form::plan::{Node, Plan};
use crate::form::{Choice, Form, Kind, Question, OTHER};
use crate::i18n::{Lang, Msg};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the skip logic found for one question, over all its instances. An instance is
/// named by the item indices of the repeats around the question, outermost first (empty
/// outside repeats).
#[derive(Clone, Debug, Default)]
struct NodeState {
    hidden: ByInstance<()>,
    calculated: ByInstance<XValue>,
    /// Repeats: the items a `repeat_count` asks for.
    counts: ByInstance<usize>,
    /// Repeats: items hidden (past the count, or inside a hidden repeat), by instance and
    /// item index.
    hidden_items: ByInstance<()>,
}

/// Values by instance, in instance order (the sorted order `instances` yields), found by
/// binary search: what a BTreeMap would do, for a fraction of its wasm code.
#[derive(Clone, Debug, PartialEq)]
struct ByInstance<T>(Vec<(Vec<usize>, T)>);

impl<T> Default for ByInstance<T> {
    fn default() -> Self {
        ByInstance(Vec::new())
    }
}

impl<T> ByInstance<T> {
    fn get(&self, inst: &[usize]) -> Option<&T> {
        self.0
            .binary_search_by(|(k, _)| k.as_slice().cmp(inst))
            .ok()
            .map(|i| &self.0[i].1)
    }

    fn contains(&self, inst: &[usize]) -> bool {
        self.get(inst).is_some()
    }

    /// Adds an entry after every present one (instances arrive in order).
    fn push(&mut self, inst: Vec<usize>, value: T) {
        debug_assert!(self.0.last().is_none_or(|(k, _)| *k < inst));
        self.0.push((inst, value));
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Skip logic and calculated values of one response. Built whole by `evaluate`, then kept
/// current by `update`, which re-evaluates only what the change reaches (`Plan`).
#[derive(Clone, Debug, Default)]
pub struct Logic {
    plan: Arc<Plan>,
    hidden_sections: Vec<bool>,
    /// By question id; a question with nothing hidden or calculated may have no entry.
    states: BTreeMap<String, NodeState>,
    /// `YYYY-MM-DD`, for `today()`.
    pub today: String,
    /// Whether an update since the last `take_changed` changed anything: the screens redraw
    /// only then (most answers change no skip logic at all).
    changed: bool,
}

impl PartialEq for NodeState {
    fn eq(&self, other: &NodeState) -> bool {
        // NaN (a sum over nothing, a division by zero) is the same result as NaN here.
        let same = |a: &XValue, b: &XValue| match (a, b) {
            (XValue::Num(x), XValue::Num(y)) => x == y || (x.is_nan() && y.is_nan()),
            _ => a == b,
        };
        self.hidden == other.hidden
            && self.counts == other.counts
            && self.hidden_items == other.hidden_items
            && self.calculated.0.len() == other.calculated.0.len()
            && self
                .calculated
                .0
                .iter()
                .zip(&other.calculated.0)
                .all(|((i, a), (j, b))| i == j && same(a, b))
    }
}

impl PartialEq for Logic {
    fn eq(&self, other: &Logic) -> bool {
        let strip = |s: &BTreeMap<String, NodeState>| -> BTreeMap<String, NodeState> {
            s.iter()
                .filter(|(_, st)| **st != NodeState::default())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        self.hidden_sections == other.hidden_sections
            && self.today == other.today
            && strip(&self.states) == strip(&other.states)
    }
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

fn indices(scope: &Scope) -> Vec<usize> {
    scope.iter().map(|(_, i)| *i).collect()
}

/// What an expression reads while the form is evaluated, or afterwards: answers seen from
/// one item (`scope`) of the repeats around the expression.
pub struct ResponseEnv<'a> {
    pub logic: &'a Logic,
    pub response: &'a Response,
    pub scope: &'a Scope<'a>,
    pub current: Option<&'a Question>,
}

impl<'a> ResponseEnv<'a> {
    /// The scope in which `name` is read from here: the same item for repeats we are in,
    /// the first item for repeats we are not (XPath gives the first node of a set).
    fn scope_of(&self, name: &str) -> Vec<(&'a str, usize)> {
        self.logic
            .plan
            .chain(name)
            .iter()
            .map(|r| {
                let i = self
                    .scope
                    .iter()
                    .find(|(s, _)| *s == r)
                    .map_or(0, |(_, i)| *i);
                (r.as_str(), i)
            })
            .collect()
    }

    fn value_at(&self, scope: &Scope, name: &str) -> XValue {
        if let Some(st) = self.logic.states.get(name) {
            let inst = indices(scope);
            if st.hidden.contains(&inst) {
                return XValue::Str(String::new());
            }
            if let Some(v) = st.calculated.get(&inst) {
                return v.clone();
            }
        }
        self.response
            .answer_in(scope, name)
            .map(answer_value)
            .unwrap_or(XValue::Str(String::new()))
    }

    /// Every item's value of `name`, over the repeats around it not fixed by our scope.
    fn collect<'c>(
        &self,
        chain: &'c [String],
        scope: &mut Vec<(&'c str, usize)>,
        name: &str,
        out: &mut Vec<XValue>,
    ) {
        let Some((first, rest)) = chain.split_first() else {
            out.push(self.value_at(scope, name));
            return;
        };
        let fixed = self.scope.iter().find(|(s, _)| s == first).map(|(_, i)| *i);
        let items = match fixed {
            Some(i) => vec![i],
            None => {
                let mut inst = indices(scope);
                (0..self.response.items(scope, first))
                    .filter(|&i| {
                        inst.push(i);
                        let hidden = self.logic.item_hidden(first, &inst);
                        inst.pop();
                        !hidden
                    })
                    .collect()
            }
        };
        for i in items {
            scope.push((first.as_str(), i));
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
        let chain = self.logic.plan.chain(name);
        let mut out = Vec::new();
        self.collect(chain, &mut Vec::new(), name, &mut out);
        out
    }

    fn count(&self, name: &str) -> usize {
        // Items of repeat `name` seen from here (its enclosing items fixed by our scope).
        let scope = self.scope_of(name);
        let inst = indices(&scope);
        let st = self.logic.states.get(name);
        if st.is_some_and(|st| st.hidden.contains(&inst)) {
            return 0;
        }
        let n = self.response.items(&scope, name);
        st.and_then(|st| st.counts.get(&inst))
            .map_or(n, |c| n.min(*c))
    }

    fn today(&self) -> String {
        self.logic.today.clone()
    }
}

/// What a `choice_filter` reads: the answers, and the columns of one choice.
struct ChoiceEnv<'a> {
    inner: &'a dyn Env,
    choice: &'a Choice,
}

impl Env for ChoiceEnv<'_> {
    fn value(&self, name: &str) -> XValue {
        self.inner.value(name)
    }
    fn current(&self) -> XValue {
        self.inner.current()
    }
    fn values(&self, name: &str) -> Vec<XValue> {
        self.inner.values(name)
    }
    fn count(&self, name: &str) -> usize {
        self.inner.count(name)
    }
    fn today(&self) -> String {
        self.inner.today()
    }
    fn column(&self, name: &str) -> XValue {
        let v = if name == "name" {
            Some(&self.choice.value)
        } else {
            self.choice.columns.get(name)
        };
        XValue::Str(v.cloned().unwrap_or_default())
    }
}

/// The instances of a question in a response: every combination of stored items of the
/// repeats around it (one empty instance outside repeats).
fn instances(response: &Response, chain: &[String]) -> Vec<Vec<usize>> {
    fn go<'c>(
        response: &Response,
        chain: &'c [String],
        scope: &mut Vec<(&'c str, usize)>,
        out: &mut Vec<Vec<usize>>,
    ) {
        let Some(repeat) = chain.get(scope.len()) else {
            out.push(indices(scope));
            return;
        };
        for i in 0..response.items(scope, repeat) {
            scope.push((repeat.as_str(), i));
            go(response, chain, scope, out);
            scope.pop();
        }
    }
    let mut out = Vec::new();
    go(response, chain, &mut Vec::new(), &mut out);
    out
}

impl Logic {
    /// Evaluates the whole form. Builds the form's plan; a screen that keeps a response
    /// open builds it once and calls `with_plan`.
    pub fn evaluate(form: &Form, response: &Response, today: &str) -> Logic {
        Logic::with_plan(Arc::new(Plan::new(form)), form, response, today)
    }

    pub fn with_plan(plan: Arc<Plan>, form: &Form, response: &Response, today: &str) -> Logic {
        let mut logic = Logic {
            hidden_sections: vec![false; form.sections.len()],
            today: today.to_owned(),
            states: BTreeMap::new(),
            changed: true,
            plan,
        };
        for node in 0..logic.plan.len() {
            logic.eval_node(form, node, response);
        }
        logic
    }

    /// After the answers of `changed` (question ids) changed: re-evaluates the nodes that
    /// read them, directly or not, and nothing else. Returns how many were re-evaluated.
    pub fn update(&mut self, form: &Form, response: &Response, changed: &[&str]) -> usize {
        let nodes = self.plan.affected(changed.iter().copied());
        for &node in &nodes {
            self.eval_node(form, node, response);
        }
        nodes.len()
    }

    /// After items of `repeat` were added, removed or moved: the repeat and every question
    /// inside it have new instances.
    pub fn update_items(&mut self, form: &Form, response: &Response, repeat: &str) -> usize {
        let plan = Arc::clone(&self.plan);
        let mut changed: Vec<&str> = vec![repeat];
        changed.extend(
            form.questions()
                .map(|(_, q)| q.id.as_str())
                .filter(|id| plan.chain(id).iter().any(|r| r == repeat)),
        );
        self.update(form, response, &changed)
    }

    fn eval_node(&mut self, form: &Form, node: usize, response: &Response) {
        let plan = Arc::clone(&self.plan);
        let Some(q) = plan.question(form, node) else {
            if let Some(Node::Section(i)) = plan.nodes().get(node) {
                let shown = form.sections[*i]
                    .relevant
                    .as_ref()
                    .is_none_or(|c| c.expr.eval(&self.env(response, &[], None)).truthy());
                self.changed |= self.hidden_sections[*i] == shown;
                self.hidden_sections[*i] = !shown;
            }
            return;
        };
        let Some(Node::Question { section, .. }) = plan.nodes().get(node) else {
            return;
        };
        let section_hidden = self.hidden_sections[*section];
        // The old state goes first: while this node is evaluated, `.` reads the answer.
        let old = self.states.remove(&q.id).unwrap_or_default();
        let chain = plan.chain(&q.id);
        let mut state = NodeState::default();
        for inst in instances(response, chain) {
            let scope: Vec<(&str, usize)> = chain
                .iter()
                .map(String::as_str)
                .zip(inst.iter().copied())
                .collect();
            let parent_hidden = chain.last().is_some_and(|r| self.item_hidden(r, &inst));
            let shown = !section_hidden
                && !parent_hidden
                && q.relevant
                    .as_ref()
                    .is_none_or(|c| c.expr.eval(&self.env(response, &scope, Some(q))).truthy());
            let n = if matches!(q.kind, Kind::Repeat { .. }) {
                response.items(&scope, &q.id)
            } else {
                0
            };
            let mut item = inst.clone();
            if !shown {
                // Hidden with everything inside: its items too.
                for i in 0..n {
                    item.push(i);
                    state.hidden_items.push(item.clone(), ());
                    item.pop();
                }
                state.hidden.push(inst, ());
                continue;
            }
            match &q.kind {
                Kind::Calculate { calculation } => {
                    let v = calculation.expr.eval(&self.env(response, &scope, Some(q)));
                    state.calculated.push(inst, v);
                }
                Kind::Repeat { count, .. } => {
                    let wanted = count.as_ref().map(|c| {
                        let v = c.expr.eval(&self.env(response, &scope, Some(q))).number();
                        if v.is_finite() && v > 0.0 {
                            (v as usize).min(crate::form::parse::MAX_ITEMS as usize)
                        } else {
                            0
                        }
                    });
                    // Items past a repeat_count are hidden, not deleted: lowering the count
                    // by mistake loses nothing.
                    for i in wanted.unwrap_or(n).min(n)..n {
                        item.push(i);
                        state.hidden_items.push(item.clone(), ());
                        item.pop();
                    }
                    if let Some(w) = wanted {
                        state.counts.push(inst, w);
                    }
                }
                _ => {}
            }
        }
        self.changed |= state != old;
        if !(state.hidden.is_empty()
            && state.calculated.is_empty()
            && state.counts.is_empty()
            && state.hidden_items.is_empty())
        {
            self.states.insert(q.id.clone(), state);
        }
    }

    /// Whether anything changed since the last call (and forgets it).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Whether item `inst` (the indices of the repeats around `repeat`, then the item's
    /// own) of `repeat` is hidden, with the repeat or on its own.
    fn item_hidden(&self, repeat: &str, inst: &[usize]) -> bool {
        self.states.get(repeat).is_some_and(|st| {
            st.hidden_items.contains(inst)
                || inst
                    .split_last()
                    .is_some_and(|(_, outer)| st.hidden.contains(outer))
        })
    }

    /// The choices question `q` offers in the item `scope` points at: all of them, or
    /// those its `choice_filter` lets through.
    pub fn choices_offered<'f>(
        &self,
        q: &'f Question,
        response: &Response,
        scope: &Scope,
    ) -> Vec<&'f Choice> {
        let all = q.kind.choices();
        let Some(filter) = &q.choice_filter else {
            return all.iter().collect();
        };
        let inner = self.env(response, scope, Some(q));
        all.iter()
            .filter(|choice| {
                filter
                    .expr
                    .eval(&ChoiceEnv {
                        inner: &inner,
                        choice,
                    })
                    .truthy()
            })
            .collect()
    }

    pub fn env<'a>(
        &'a self,
        response: &'a Response,
        scope: &'a Scope<'a>,
        current: Option<&'a Question>,
    ) -> ResponseEnv<'a> {
        ResponseEnv {
            logic: self,
            response,
            scope,
            current,
        }
    }

    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    pub fn section_shown(&self, section: usize) -> bool {
        !self.hidden_sections.get(section).copied().unwrap_or(false)
    }

    /// Whether the question at `path` (see `response::path`) is shown; for an item's path
    /// (`members[3]/`), whether that item is.
    pub fn shown(&self, path: &str) -> bool {
        let (scope, qid) = split_path(path);
        self.shown_in(&scope, qid)
    }

    /// `shown` for question `qid` (or, empty, the item itself) in the item `scope` points
    /// at, without a path to build and read back.
    pub fn shown_in(&self, scope: &Scope, qid: &str) -> bool {
        let inst = indices(scope);
        if qid.is_empty() {
            return scope
                .last()
                .is_none_or(|(repeat, _)| !self.item_hidden(repeat, &inst));
        }
        !self
            .states
            .get(qid)
            .is_some_and(|st| st.hidden.contains(&inst))
    }

    /// The value calculated for question `qid` in instance `scope`, if shown.
    pub fn calculated(&self, scope: &Scope, qid: &str) -> Option<&XValue> {
        self.states.get(qid)?.calculated.get(&indices(scope))
    }

    /// Items of a repeat to show: those stored, up to its `repeat_count` if it has one.
    pub fn items_shown(&self, response: &Response, scope: &Scope, repeat: &str) -> usize {
        let n = response.items(scope, repeat);
        self.wanted_items(scope, repeat).map_or(n, |c| n.min(c))
    }

    /// Items a repeat's `repeat_count` asks for, if it has one.
    pub fn wanted_items(&self, scope: &Scope, repeat: &str) -> Option<usize> {
        self.states
            .get(repeat)?
            .counts
            .get(&indices(scope))
            .copied()
    }

    /// Writes the calculated fields into the response and adds the empty items a
    /// `repeat_count` asks for (re-evaluating what the new items reach), until nothing
    /// more changes; true if the response changed.
    pub fn settle(&mut self, form: &Form, response: &mut Response) -> bool {
        let mut changed = false;
        // Each round can only grow repeats up to their count: a few rounds at most.
        for _ in 0..8 {
            let (wrote, grown) = self.apply_calculations(response);
            changed |= wrote || !grown.is_empty();
            if grown.is_empty() {
                break;
            }
            for repeat in grown {
                self.update_items(form, response, &repeat);
            }
        }
        changed
    }

    /// One round of `settle`: whether a value was written, and the repeats that grew.
    fn apply_calculations(&self, response: &mut Response) -> (bool, Vec<String>) {
        let mut changed = false;
        let mut grown = Vec::new();
        for (qid, st) in &self.states {
            let chain = self.plan.chain(qid);
            let scope_of = |inst: &[usize]| -> Vec<(&str, usize)> {
                chain
                    .iter()
                    .map(String::as_str)
                    .zip(inst.iter().copied())
                    .collect()
            };
            for (inst, v) in &st.calculated.0 {
                let value = match v {
                    XValue::Num(n) if n.is_nan() || n.is_infinite() => None,
                    XValue::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                        Some(Value::Int(*n as i64))
                    }
                    XValue::Num(n) => Some(Value::Decimal(*n)),
                    other => Some(Value::Text(other.text())).filter(|v| !v.is_empty()),
                };
                let scope = scope_of(inst);
                if response.answer_in(&scope, qid) != value.as_ref() {
                    response.set_answer_in(&scope, qid, value);
                    changed = true;
                }
            }
            for (inst, want) in &st.counts.0 {
                let scope = scope_of(inst);
                let before = response.items(&scope, qid);
                while response.items(&scope, qid) < *want {
                    if response.add_item(&scope, qid).is_none() {
                        break;
                    }
                }
                if response.items(&scope, qid) != before && !grown.contains(qid) {
                    grown.push(qid.clone());
                }
            }
        }
        (changed, grown)
    }
}

/// `members[2]/age` → ([("members", 2)], "age").
fn split_path(p: &str) -> (Vec<(&str, usize)>, &str) {
    let mut scope = Vec::new();
    let mut rest = p;
    while let Some((head, tail)) = rest.split_once("]/") {
        if let Some((rep, i)) = head.split_once('[') {
            if let Ok(i) = i.parse() {
                scope.push((rep, i));
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
    if let Some(v) = logic.calculated(&[], name) {
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
