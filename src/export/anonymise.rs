//! The anonymisation pipeline: responses in, records fit to leave the device out. Driven by
//! the form's privacy classes and anonymisation rules and by the project's settings:
//! identifiers removed, free text removed unless the worker let an answer through,
//! quasi-identifiers coarsened (and, only when asked, suppressed to k-anonymity: a worker's
//! file goes to the coordinator unsuppressed, so the totals stay exact; suppression is the
//! release's business), ids replaced by pseudonyms, the household sealed to the project's
//! public key, times cut to dates. Plain Rust: the tests run it natively.

use super::digest::pseudonym;
use super::kanon;
use super::project::Project;
use crate::form::plan::Plan;
use crate::form::{Anonymise, Form, Generalise, Kind, Privacy, Question, Role};
use crate::response::logic::Logic;
use crate::response::{path, Response, Status, Value};
use serde_json::{Map, Value as J};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

/// What the export needs besides the responses.
pub struct Request<'a> {
    pub form: &'a Form,
    pub rules: &'a Anonymise,
    pub project: &'a Project,
    /// This device's worker code, for responses that carry none.
    pub worker: &'a str,
    /// For skip logic that reads `today()`.
    pub today: &'a str,
    /// Free-text answers the worker reviewed and let through, by `free_text_key`.
    pub include_free_text: &'a BTreeSet<String>,
    /// Seals each response's household to the project's public key.
    pub links: &'a super::link::LinkSealer,
    /// Small-group suppression to this k, if asked for; `None` (the export screen's choice)
    /// leaves it to the release.
    pub k: Option<u32>,
}

/// The key of the file's response and visit ids: the project id. Not a secret: device ids
/// are random, so this only keeps them out of the file while the same response exported
/// twice keeps its id.
pub fn id_key(project: &Project) -> &[u8] {
    project.id.as_bytes()
}

/// The key of one free-text answer in the review: response id, then the answer's path
/// (`comments`, `members[1]/m_note`), with `#other` for an "other, please specify" text.
pub fn free_text_key(response: &str, path: &str, other: bool) -> String {
    format!("{response} {path}{}", if other { "#other" } else { "" })
}

/// Why an export cannot be made at all.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// These questions take an answer but have no privacy class: nothing says whether
    /// they identify someone, so nothing is exported until the form says.
    MissingPrivacy(Vec<String>),
}

/// What anonymisation did, for the export's header and the worker's preview.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Answers left out, by question: identifiers, free text not let through, values that
    /// could not be coarsened.
    pub removed: BTreeMap<String, usize>,
    /// Free-text answers the worker let through, by question.
    pub free_text_included: BTreeMap<String, usize>,
    /// Answers coarsened, by question.
    pub generalised: BTreeMap<String, usize>,
    /// Values blanked for k-anonymity, by question (`area` for the reporting area).
    pub suppressed: BTreeMap<String, usize>,
    /// Responses that cannot be published even with every quasi-identifier blanked:
    /// left out, and left unexported on the device.
    pub withheld: Vec<String>,
    /// Buildings no area of the project covers (their area is left out).
    pub unmapped_buildings: usize,
}

/// A response made fit to leave: its source id (stays on the device) and its record.
pub struct Record {
    pub source: String,
    pub rev: u64,
    pub json: Map<String, J>,
}

/// A free-text answer the worker may review before exporting.
#[derive(Clone, Debug, PartialEq)]
pub struct FreeText {
    pub key: String,
    pub question: String,
    pub text: String,
}

/// Where an item is: the (repeat, index) chain from the top of the response.
type ItemScope = Vec<(String, usize)>;
/// One row of a table: the record's index, the item, the values by column.
type Row = (usize, ItemScope, Vec<Option<String>>);

/// The quasi-identifier columns of one table (the households, or one repeat's items), in
/// suppression order.
struct Table {
    columns: Vec<String>,
    /// The repeats directly inside this level: how many items each holds is published
    /// (the roster lists every member), so it is a quasi-identifier that cannot be blanked.
    /// Its values follow the columns' in each row.
    fixed: Vec<String>,
    /// (record index, item scope, values by column).
    rows: Vec<Row>,
}

/// The answerable questions (calculations included) with no privacy class.
pub fn missing_privacy(form: &Form) -> Vec<String> {
    form.questions()
        .map(|(_, q)| q)
        .filter(|q| !matches!(q.kind, Kind::Note | Kind::Repeat { .. }) && q.privacy.is_none())
        .map(|q| q.id.clone())
        .collect()
}

/// Questions of the worker's own sections: their free text (notes, observations) never
/// leaves, not even reviewed.
fn worker_questions(form: &Form) -> HashSet<&str> {
    form.questions()
        .filter(|(i, _)| form.sections[*i].audience == crate::form::Audience::Worker)
        .map(|(_, q)| q.id.as_str())
        .collect()
}

/// Every free-text answer (and "other" text) the export would leave out unless let through:
/// the residents' own words; the worker's notes are not offered.
pub fn free_texts(form: &Form, responses: &[Response], today: &str) -> Vec<FreeText> {
    let plan = Arc::new(Plan::new(form));
    let worker = worker_questions(form);
    let mut out = Vec::new();
    for r in responses {
        let logic = Logic::with_plan(plan.clone(), form, r, today);
        walk(form, r, &logic, &mut |q, scope, value| {
            if worker.contains(q.id.as_str()) {
                return;
            }
            let p = &path(scope, &q.id);
            if q.privacy == Some(Privacy::FreeText) {
                if let Some(Value::Text(t)) = value {
                    out.push(FreeText {
                        key: free_text_key(&r.id, p, false),
                        question: q.id.clone(),
                        text: t.clone(),
                    });
                }
            }
            if let Some(t) = r.other.get(p) {
                out.push(FreeText {
                    key: free_text_key(&r.id, p, true),
                    question: q.id.clone(),
                    text: t.clone(),
                });
            }
        });
    }
    out
}

/// Calls `f` with every shown question of a response that takes a value (not notes, not
/// repeats), the item it is in and its answer, items in order.
fn walk(
    form: &Form,
    r: &Response,
    logic: &Logic,
    f: &mut dyn FnMut(&Question, &crate::response::Scope, Option<&Value>),
) {
    fn go<'f>(
        qs: &'f [Question],
        r: &Response,
        logic: &Logic,
        scope: &mut Vec<(&'f str, usize)>,
        f: &mut dyn FnMut(&Question, &crate::response::Scope, Option<&Value>),
    ) {
        for q in qs {
            if !logic.shown_in(scope, &q.id) {
                continue;
            }
            match &q.kind {
                Kind::Note => {}
                Kind::Repeat { questions, .. } => {
                    for i in 0..logic.items_shown(r, scope, &q.id) {
                        scope.push((&q.id, i));
                        if logic.shown_in(scope, "") {
                            go(questions, r, logic, scope, f);
                        }
                        scope.pop();
                    }
                }
                _ => f(q, scope, r.answer_in(scope, &q.id)),
            }
        }
    }
    for (i, s) in form.sections.iter().enumerate() {
        if logic.section_shown(i) {
            go(&s.questions, r, logic, &mut Vec::new(), f);
        }
    }
}

/// How a quasi-identifier's published value is compared: any text that tells values apart.
fn group_key(v: &J) -> String {
    match v {
        J::String(s) => format!("s{s}"),
        other => format!("j{other}"),
    }
}

/// A number as the rules read it.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Decimal(x) => Some(*x),
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

/// Applies a coarsening rule (not `Area`, which needs the project); `None` when the value
/// does not fit the rule, and is then left out.
pub fn generalise(rule: &Generalise, v: &Value) -> Option<String> {
    use crate::form::number_text;
    match rule {
        Generalise::Bands { width, top } => {
            let x = number(v)?;
            if x >= *top as f64 {
                return Some(format!("{top}+"));
            }
            let w = (*width).max(1) as f64;
            let lo = (x / w).floor() * w;
            Some(format!("{}-{}", number_text(lo), number_text(lo + w - 1.0)))
        }
        Generalise::Cap { at } => {
            let x = number(v)?;
            Some(if x >= *at as f64 {
                format!("{at}+")
            } else {
                number_text(x)
            })
        }
        Generalise::Month | Generalise::Year => {
            let d = crate::form::parse_date(v.as_str()?)?;
            let s = d.to_string();
            Some(s[..if *rule == Generalise::Month { 7 } else { 4 }].to_owned())
        }
        Generalise::Area => None,
    }
}

fn to_json(v: &Value) -> J {
    match v {
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Decimal(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        Value::Text(s) => J::String(s.clone()),
        Value::List(l) => J::Array(l.iter().cloned().map(J::String).collect()),
        // Repeats are written item by item.
        Value::Rows(_) => J::Null,
    }
}

/// The date part of an RFC 3339 time, as the device wrote it (its local date).
fn date_of(t: &str) -> String {
    t.get(..10).unwrap_or(t).to_owned()
}

/// The household a response is about, as the walk list names it: the household it was
/// started from, or the address its answers give.
pub fn household_of(form: &Form, r: &Response) -> Option<String> {
    if let Some(h) = &r.household {
        return Some(h.clone());
    }
    let answer = |role| {
        form.question_with_role(role)
            .and_then(|q| r.answer(&q.id))
            .map(Value::display)
    };
    let building = answer(Role::Building)?;
    let room = answer(Role::Room)?;
    let unit = answer(Role::Unit).unwrap_or_default();
    Some(crate::visits::walk::household_id(&building, &unit, &room))
}

/// Anonymises `responses` (already chosen by the caller). The records come out sorted by
/// pseudonym: the order a worker walked the stairwell must not survive into the file.
pub fn anonymise(req: &Request, responses: &[Response]) -> Result<(Vec<Record>, Report), Refusal> {
    let missing = missing_privacy(req.form);
    if !missing.is_empty() {
        return Err(Refusal::MissingPrivacy(missing));
    }
    let form = req.form;
    let key = id_key(req.project);
    let plan = Arc::new(Plan::new(form));
    let mut report = Report::default();
    let worker_only = worker_questions(form);
    let area_rule = req
        .rules
        .generalise
        .iter()
        .find(|(_, g)| **g == Generalise::Area)
        .map(|(q, _)| q.clone());
    // Quasi-identifier columns per table, in suppression order: the form's order first,
    // then the rest, last question of the form first.
    let rank = |id: &str| {
        req.rules
            .suppress_order
            .iter()
            .position(|x| x == id)
            .unwrap_or(usize::MAX)
    };
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let qs: Vec<(&Question, Option<&str>)> = {
        let mut out = Vec::new();
        fn go<'f>(
            qs: &'f [Question],
            repeat: Option<&'f str>,
            out: &mut Vec<(&'f Question, Option<&'f str>)>,
        ) {
            for q in qs {
                out.push((q, repeat));
                if let Kind::Repeat { questions, .. } = &q.kind {
                    go(questions, Some(&q.id), out);
                }
            }
        }
        for s in &form.sections {
            go(&s.questions, None, &mut out);
        }
        out
    };
    for (q, repeat) in &qs {
        let quasi = q.privacy == Some(Privacy::QuasiIdentifier)
            || area_rule.as_deref() == Some(q.id.as_str());
        let is_repeat = matches!(q.kind, Kind::Repeat { .. });
        if !quasi && !is_repeat {
            continue;
        }
        let table = tables
            .entry(repeat.unwrap_or("").to_owned())
            .or_insert(Table {
                columns: Vec::new(),
                fixed: Vec::new(),
                rows: Vec::new(),
            });
        if is_repeat {
            table.fixed.push(q.id.clone());
        } else {
            table.columns.push(q.id.clone());
        }
    }
    let order: BTreeMap<&str, usize> = qs
        .iter()
        .enumerate()
        .map(|(i, (q, _))| (q.id.as_str(), i))
        .collect();
    for t in tables.values_mut() {
        t.columns
            .sort_by_key(|c| (rank(c), std::cmp::Reverse(order.get(c.as_str()).copied())));
    }

    let mut records = Vec::with_capacity(responses.len());
    for (ri, r) in responses.iter().enumerate() {
        let logic = Logic::with_plan(plan.clone(), form, r, req.today);
        let mut answers = Map::new();
        let mut other = Map::new();
        let mut area: Option<String> = None;
        // Quasi-identifier values per table and item scope.
        let mut qi: BTreeMap<(String, ItemScope), BTreeMap<String, String>> = BTreeMap::new();
        walk(form, r, &logic, &mut |q, at, value| {
            let scope: ItemScope = at.iter().map(|(rep, i)| ((*rep).to_owned(), *i)).collect();
            let repeat = scope.last().map(|(rep, _)| rep.clone()).unwrap_or_default();
            // The path is built only where a text may be looked up by it.
            let p = if r.other.is_empty() && q.privacy != Some(Privacy::FreeText) {
                String::new()
            } else {
                path(at, &q.id)
            };
            let p = p.as_str();
            if let Some(t) = r.other.get(p) {
                let k = free_text_key(&r.id, p, true);
                if req.include_free_text.contains(&k) && !worker_only.contains(q.id.as_str()) {
                    other.insert(p.to_owned(), J::String(t.clone()));
                    *report
                        .free_text_included
                        .entry(format!("{}#other", q.id))
                        .or_default() += 1;
                } else {
                    *report.removed.entry(format!("{}#other", q.id)).or_default() += 1;
                }
            }
            // The item exists in the file even if nothing of it leaves: counts stay true.
            item_mut(&mut answers, &scope);
            let Some(value) = value else { return };
            let rule = req.rules.generalise.get(&q.id);
            let out: Option<J> = match (q.privacy, rule) {
                (_, Some(Generalise::Area)) => {
                    match req.project.area_of(&value.display()) {
                        Some(code) => {
                            area = Some(code.to_owned());
                            *report.generalised.entry(q.id.clone()).or_default() += 1;
                            qi.entry((repeat.clone(), scope.clone()))
                                .or_default()
                                .insert(q.id.clone(), group_key(&J::String(code.into())));
                        }
                        None => report.unmapped_buildings += 1,
                    }
                    *report.removed.entry(q.id.clone()).or_default() += 1;
                    None
                }
                (Some(Privacy::Identifier), _) | (None, _) => {
                    *report.removed.entry(q.id.clone()).or_default() += 1;
                    None
                }
                (Some(Privacy::FreeText), _) => {
                    let k = free_text_key(&r.id, p, false);
                    if req.include_free_text.contains(&k) && !worker_only.contains(q.id.as_str()) {
                        *report.free_text_included.entry(q.id.clone()).or_default() += 1;
                        Some(to_json(value))
                    } else {
                        *report.removed.entry(q.id.clone()).or_default() += 1;
                        None
                    }
                }
                (Some(_), Some(rule)) => match generalise(rule, value) {
                    Some(g) => {
                        *report.generalised.entry(q.id.clone()).or_default() += 1;
                        Some(J::String(g))
                    }
                    None => {
                        *report.removed.entry(q.id.clone()).or_default() += 1;
                        None
                    }
                },
                (Some(_), None) => Some(to_json(value)),
            };
            let Some(out) = out else { return };
            if q.privacy == Some(Privacy::QuasiIdentifier) {
                qi.entry((repeat.clone(), scope.clone()))
                    .or_default()
                    .insert(q.id.clone(), group_key(&out));
            }
            insert_at(&mut answers, &scope, &q.id, out);
        });
        // Every item of every repeat is a row of its table, answered or not; every
        // response a row of the households' table.
        let mut scopes: BTreeSet<(String, Vec<(String, usize)>)> = qi.keys().cloned().collect();
        scopes.insert((String::new(), Vec::new()));
        collect_items(&answers, &mut Vec::new(), &mut scopes);
        for (repeat, scope) in scopes {
            let Some(table) = tables.get_mut(&repeat) else {
                continue;
            };
            let values = qi.get(&(repeat.clone(), scope.clone()));
            let item = item_ref(&answers, &scope);
            let row = table
                .columns
                .iter()
                .map(|c| values.and_then(|v| v.get(c)).cloned())
                .chain(table.fixed.iter().map(|child| {
                    let n = item
                        .and_then(|m| m.get(child))
                        .and_then(J::as_array)
                        .map_or(0, Vec::len);
                    Some(n.to_string())
                }))
                .collect();
            table.rows.push((ri, scope, row));
        }
        let mut json = Map::new();
        let id = pseudonym(key, "response", &r.id);
        if let Some(h) = household_of(form, r) {
            json.insert("household_link".into(), J::String(req.links.seal(&id, &h)));
        }
        json.insert("id".into(), J::String(id));
        json.insert(
            "status".into(),
            J::String(match r.status {
                Status::Completed => "completed".into(),
                Status::Draft => "draft".into(),
            }),
        );
        json.insert("started".into(), J::String(date_of(&r.started)));
        if let Some(c) = &r.completed {
            json.insert("completed".into(), J::String(date_of(c)));
        }
        let worker = if r.worker.is_empty() {
            req.worker
        } else {
            &r.worker
        };
        json.insert("worker".into(), J::String(worker.to_owned()));
        if let Some(a) = area {
            json.insert("area".into(), J::String(a));
        }
        json.insert("answers".into(), J::Object(answers));
        if !other.is_empty() {
            json.insert("other".into(), J::Object(other));
        }
        records.push(Record {
            source: r.id.clone(),
            rev: r.rev,
            json,
        });
    }

    // k-anonymity. Withholding a response takes its items out of the other tables too,
    // which can shrink their groups: repeat until no table withholds anything new.
    let mut withheld: HashSet<usize> = HashSet::new();
    let mut blank: Vec<(usize, ItemScope, String)> = Vec::new();
    while let Some(k) = req.k.map(|k| k as usize) {
        blank = Vec::new();
        let mut grew = false;
        report.suppressed.clear();
        for table in tables.values() {
            let kept: Vec<&Row> = table
                .rows
                .iter()
                .filter(|(ri, _, _)| !withheld.contains(ri))
                .collect();
            let mut rows: Vec<Vec<Option<String>>> =
                kept.iter().map(|(_, _, v)| v.clone()).collect();
            let s = kanon::suppress(&mut rows, k, table.columns.len());
            for i in s.unmet {
                grew |= withheld.insert(kept[i].0);
            }
            for (row, (ri, scope, before)) in rows.iter().zip(&kept) {
                for (c, (now, was)) in row.iter().zip(before).enumerate() {
                    if now.is_none() && was.is_some() {
                        blank.push((*ri, scope.clone(), table.columns[c].clone()));
                    }
                }
            }
        }
        if !grew {
            break;
        }
    }
    for (ri, scope, column) in blank {
        if withheld.contains(&ri) {
            continue;
        }
        let json = &mut records[ri].json;
        let removed = if area_rule.as_deref() == Some(column.as_str()) {
            json.remove("area").is_some()
        } else {
            match json.get_mut("answers") {
                Some(J::Object(answers)) => remove_at(answers, &scope, &column),
                _ => false,
            }
        };
        if removed {
            let name = if area_rule.as_deref() == Some(column.as_str()) {
                "area".to_owned()
            } else {
                column
            };
            *report.suppressed.entry(name).or_default() += 1;
        }
    }
    let mut kept = Vec::with_capacity(records.len());
    for (i, rec) in records.into_iter().enumerate() {
        if withheld.contains(&i) {
            report.withheld.push(rec.source);
        } else {
            kept.push(rec);
        }
    }
    kept.sort_by(|a, b| {
        a.json
            .get("id")
            .and_then(J::as_str)
            .cmp(&b.json.get("id").and_then(J::as_str))
    });
    Ok((kept, report))
}

/// The object an item's answers go in, created on the way (items keep their positions:
/// an item with nothing exported is an empty object).
fn item_mut<'m>(
    answers: &'m mut Map<String, J>,
    scope: &[(String, usize)],
) -> &'m mut Map<String, J> {
    let mut map = answers;
    for (rep, i) in scope {
        let items = map
            .entry(rep.clone())
            .or_insert_with(|| J::Array(Vec::new()));
        if !items.is_array() {
            *items = J::Array(Vec::new());
        }
        let J::Array(items) = items else {
            unreachable!()
        };
        while items.len() <= *i {
            items.push(J::Object(Map::new()));
        }
        let J::Object(m) = &mut items[*i] else {
            unreachable!()
        };
        map = m;
    }
    map
}

/// The object of an item's answers, if the item is there.
fn item_ref<'m>(
    answers: &'m Map<String, J>,
    scope: &[(String, usize)],
) -> Option<&'m Map<String, J>> {
    let mut map = answers;
    for (rep, i) in scope {
        map = map.get(rep)?.as_array()?.get(*i)?.as_object()?;
    }
    Some(map)
}

fn insert_at(answers: &mut Map<String, J>, scope: &[(String, usize)], id: &str, v: J) {
    item_mut(answers, scope).insert(id.to_owned(), v);
}

fn remove_at(answers: &mut Map<String, J>, scope: &[(String, usize)], id: &str) -> bool {
    item_mut(answers, scope).remove(id).is_some()
}

/// Every item scope present in the answers, by repeat.
fn collect_items(
    map: &Map<String, J>,
    scope: &mut Vec<(String, usize)>,
    out: &mut BTreeSet<(String, Vec<(String, usize)>)>,
) {
    for (k, v) in map {
        if let J::Array(items) = v {
            for (i, item) in items.iter().enumerate() {
                if let J::Object(m) = item {
                    scope.push((k.clone(), i));
                    out.insert((k.clone(), scope.clone()));
                    collect_items(m, scope, out);
                    scope.pop();
                }
            }
        }
    }
}
