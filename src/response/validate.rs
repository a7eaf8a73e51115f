//! Validation of answers against their questions. Never panics, whatever was stored: an
//! answer of the wrong shape (say, from an older form version) is reported, not trusted.

use super::logic::Logic;
use super::{path, Response, Scope, Value};
use crate::form::{Audience, Form, Kind, Question, Role, NOT_APPLICABLE, OTHER};
use crate::i18n::Text;

#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    pub question: String,
    /// Where, inside repeats: `members[1]/age` (just the id outside any repeat).
    pub path: String,
    pub section: usize,
    pub kind: IssueKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IssueKind {
    /// No answer to a required question; the form's message for it, if it gives one.
    Required(Option<Text>),
    NotWholeNumber,
    NotNumber,
    BelowMin(String),
    AboveMax(String),
    NotDate,
    UnknownChoice,
    /// A choice the question's `choice_filter` no longer offers (an earlier answer changed).
    NotOffered,
    TooManyChoices(u32),
    /// An exclusive choice ("none") ticked together with others.
    Exclusive,
    OtherTextMissing,
    TooLong(u32),
    /// A stored value that does not fit the question type at all.
    WrongType,
    /// The form's `constraint` does not hold; its message, if the form gives one.
    Constraint(Option<Text>),
    /// A repeat with fewer items than its `min_count`.
    TooFewItems(u32),
    /// More items than `max_count`.
    TooManyItems(u32),
}

fn fmt_num(x: f64) -> String {
    crate::form::number_text(x)
}

/// Problems with one question's answer outside any repeat (`None` when the answer is
/// fine, or optional and blank, or the question is hidden by skip logic).
pub fn validate_question(q: &Question, response: &Response, logic: &Logic) -> Option<IssueKind> {
    validate_in(q, response, logic, &[])
}

/// The same for a question inside the repeat item `scope` points at.
pub fn validate_in(
    q: &Question,
    response: &Response,
    logic: &Logic,
    scope: &Scope,
) -> Option<IssueKind> {
    if !logic.shown(&path(scope, &q.id)) {
        return None;
    }
    if let Kind::Repeat {
        min_count,
        max_count,
        ..
    } = &q.kind
    {
        let n = logic.items_shown(response, scope, &q.id);
        return if n < *min_count as usize {
            Some(IssueKind::TooFewItems(*min_count))
        } else if n > *max_count as usize {
            Some(IssueKind::TooManyItems(*max_count))
        } else {
            None
        };
    }
    if !q.kind.takes_answer() {
        return None;
    }
    let env = logic.env(response, scope, Some(q));
    let Some(value) = response.answer_in(scope, &q.id) else {
        let required = q.required
            || q.required_if
                .as_ref()
                .is_some_and(|c| c.expr.eval(&env).truthy());
        return required.then(|| IssueKind::Required(q.required_message.clone()));
    };
    let other_text = response
        .other_in(scope, &q.id)
        .is_some_and(|t| !t.trim().is_empty());
    check_shape(q, other_text, value)
        .or_else(|| {
            q.choice_filter.as_ref()?;
            let offered = logic.choices_offered(q, response, scope);
            // The form's own "other, please specify" is never filtered out; a plain choice
            // that happens to be named `other` is filtered like any other.
            let ok = |v: &String| {
                (q.kind.has_other() && v == OTHER) || offered.iter().any(|c| &c.value == v)
            };
            let fine = match value {
                Value::Text(v) => ok(v),
                Value::List(vs) => vs.iter().all(ok),
                _ => true,
            };
            (!fine).then_some(IssueKind::NotOffered)
        })
        .or_else(|| {
            // `.` reads this question's answer: it is shown, so that is the stored value.
            let c = q.constraint.as_ref()?;
            let ok = c.expr.eval(&env).truthy();
            (!ok).then(|| IssueKind::Constraint(q.constraint_message.clone()))
        })
}

/// Whether a stored answer fits its question's type, choices and bounds.
fn check_shape(q: &Question, has_other_text: bool, value: &Value) -> Option<IssueKind> {
    let other_text = || has_other_text;
    match (&q.kind, value) {
        (Kind::SingleChoice { choices, other }, Value::Text(v)) => {
            if *other && v == OTHER {
                (!other_text()).then_some(IssueKind::OtherTextMissing)
            } else if choices.iter().any(|c| &c.value == v) {
                None
            } else {
                Some(IssueKind::UnknownChoice)
            }
        }
        (
            Kind::MultipleChoice {
                choices,
                other,
                max_choices,
                exclusive,
            },
            Value::List(vs),
        ) => {
            let known =
                |v: &String| (*other && v == OTHER) || choices.iter().any(|c| &c.value == v);
            if !vs.iter().all(known) {
                Some(IssueKind::UnknownChoice)
            } else if max_choices.is_some_and(|m| vs.len() > m as usize) {
                Some(IssueKind::TooManyChoices(max_choices.unwrap_or(0)))
            } else if vs.len() > 1 && vs.iter().any(|v| exclusive.contains(v)) {
                Some(IssueKind::Exclusive)
            } else if *other && vs.iter().any(|v| v == OTHER) && !other_text() {
                Some(IssueKind::OtherTextMissing)
            } else {
                None
            }
        }
        (Kind::ShortText { max_length } | Kind::LongText { max_length }, Value::Text(t)) => {
            (t.chars().count() > *max_length as usize).then_some(IssueKind::TooLong(*max_length))
        }
        (Kind::Integer { min, max, .. }, Value::Int(i)) => {
            if min.is_some_and(|m| *i < m) {
                Some(IssueKind::BelowMin(min.unwrap_or_default().to_string()))
            } else if max.is_some_and(|m| *i > m) {
                Some(IssueKind::AboveMax(max.unwrap_or_default().to_string()))
            } else {
                None
            }
        }
        (Kind::Integer { .. }, Value::Decimal(_) | Value::Text(_)) => {
            Some(IssueKind::NotWholeNumber)
        }
        (Kind::Decimal { min, max, .. }, Value::Decimal(_) | Value::Int(_)) => {
            let x = match value {
                Value::Decimal(d) => *d,
                Value::Int(i) => *i as f64,
                _ => unreachable!("matched above"),
            };
            if min.is_some_and(|m| x < m) {
                Some(IssueKind::BelowMin(fmt_num(min.unwrap_or_default())))
            } else if max.is_some_and(|m| x > m) {
                Some(IssueKind::AboveMax(fmt_num(max.unwrap_or_default())))
            } else {
                None
            }
        }
        (Kind::Decimal { .. }, Value::Text(_)) => Some(IssueKind::NotNumber),
        (Kind::Date, Value::Text(t)) => crate::form::parse_date(t)
            .is_none()
            .then_some(IssueKind::NotDate),
        (Kind::YesNo, Value::Bool(_)) => None,
        (Kind::Rating { points, .. }, Value::Int(i)) => {
            (*i < 1 || *i > i64::from(*points)).then_some(IssueKind::UnknownChoice)
        }
        (Kind::Rating { na_label, .. }, Value::Text(t)) => {
            (!(na_label.is_some() && t == NOT_APPLICABLE)).then_some(IssueKind::UnknownChoice)
        }
        _ => Some(IssueKind::WrongType),
    }
}

/// Whether the resident said no to the consent question.
pub fn declined(form: &Form, response: &Response) -> bool {
    form.consent_question()
        .is_some_and(|q| response.answer(&q.id) == Some(&Value::Bool(false)))
}

pub fn validate_section(
    form: &Form,
    section: usize,
    response: &Response,
    logic: &Logic,
) -> Vec<Issue> {
    let Some(s) = form.sections.get(section) else {
        return Vec::new();
    };
    if !logic.section_shown(section) {
        return Vec::new();
    }
    // Without consent nothing more is asked of the resident: their questions are no longer
    // required, nor is a roster's least number of members (answers already given are still
    // checked).
    let declined = declined(form, response);
    let still_required = |q: &Question| {
        s.audience == Audience::Worker
            || q.role
                .is_some_and(|r| r.is_location() || r == Role::Consent)
    };
    let mut issues = Vec::new();
    let mut visit = |q: &Question, scope: &Scope| {
        if let Some(kind) = validate_in(q, response, logic, scope) {
            let asks = matches!(kind, IssueKind::Required(_) | IssueKind::TooFewItems(_));
            if declined && asks && !still_required(q) {
                return;
            }
            issues.push(Issue {
                question: q.id.clone(),
                path: path(scope, &q.id),
                section,
                kind,
            });
        }
    };
    walk_items(response, logic, &s.questions, &mut Vec::new(), &mut visit);
    issues
}

/// Calls `visit` for every question, once per shown item of the repeats it sits in.
pub fn walk_items<'f>(
    response: &Response,
    logic: &Logic,
    questions: &'f [Question],
    scope: &mut Vec<(&'f str, usize)>,
    visit: &mut dyn FnMut(&'f Question, &Scope),
) {
    for q in questions {
        visit(q, scope);
        if let Kind::Repeat {
            questions: inner, ..
        } = &q.kind
        {
            if !logic.shown(&path(scope, &q.id)) {
                continue;
            }
            for i in 0..logic.items_shown(response, scope, &q.id) {
                scope.push((&q.id, i));
                walk_items(response, logic, inner, scope, visit);
                scope.pop();
            }
        }
    }
}

pub fn validate_response(form: &Form, response: &Response, logic: &Logic) -> Vec<Issue> {
    (0..form.sections.len())
        .flat_map(|i| validate_section(form, i, response, logic))
        .collect()
}
