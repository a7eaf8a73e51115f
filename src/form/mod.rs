//! Questionnaire definitions: the types, parsing with errors that name the question and the
//! field, and the built-in needs assessment. The format is documented in docs/form-format.md.

pub mod anonymise;
pub(crate) mod builtin;
pub mod documented;
pub mod expr;
mod kind_de;
pub mod parse;
pub mod plan;

pub use anonymise::{anonymise_rules, Anonymise, Generalise};
pub use builtin::{
    builtin_anonymise, builtin_compiled, builtin_form, builtin_rules, BUILTIN_ID, BUILTIN_TITLE,
    BUILTIN_VERSION,
};
pub use documented::documented;
pub use parse::{parse_form, FormError};

use crate::i18n::Text;
use expr::Expr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An expression as written in the form, kept with its parsed form: parsed once, at load.
#[derive(Clone, Debug, PartialEq)]
pub struct Code {
    pub source: String,
    pub expr: Expr,
}

impl Code {
    pub fn parse(source: &str) -> Result<Code, expr::ExprError> {
        Ok(Code {
            source: source.to_owned(),
            expr: Expr::parse(source)?,
        })
    }
}

impl Code {
    pub fn parse_filter(source: &str) -> Result<Code, expr::ExprError> {
        Ok(Code {
            source: source.to_owned(),
            expr: Expr::parse_filter(source)?,
        })
    }
}

/// Reads a stored `choice_filter`, where bare names are choice columns.
fn filter_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Code>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|s| Code::parse_filter(&s).map_err(serde::de::Error::custom))
        .transpose()
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let source = String::deserialize(d)?;
        Code::parse(&source).map_err(serde::de::Error::custom)
    }
}

/// A number as people read it: `3`, `2.5`, `0.1`. Whole numbers print without a fraction;
/// others through serde_json's shortest round-trip formatting, which the bundle carries
/// anyway, so core's own float formatting (about 11 KB of wasm) is never linked in.
pub fn number_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        (x as i64).to_string()
    } else {
        serde_json::to_string(&x).unwrap_or_default()
    }
}

/// Reads `YYYY-MM-DD`, as `<input type="date">` gives it. Split by hand rather than with
/// chrono's `parse_from_str`, whose format-string machinery costs the wasm bundle ~20 KB.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let mut parts = s.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The `${name}` references in a label or hint, in order.
pub fn label_refs(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.trim()))
}

/// Questions in document order, each repeat followed by its own questions.
fn flatten(questions: &[Question]) -> Vec<&Question> {
    let mut out = Vec::new();
    let mut stack: Vec<&Question> = questions.iter().rev().collect();
    while let Some(q) = stack.pop() {
        out.push(q);
        stack.extend(q.kind.children().iter().rev());
    }
    out
}

/// The only definition format this build reads.
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub format: u32,
    pub id: String,
    pub version: u32,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    pub sections: Vec<Section>,
    /// When a household goes on the worker's follow-up list (the hand-off to case
    /// management), and why. Written out with the form, but read back only by
    /// `follow_up_rules`: the survey screens never need them, and the app's first load
    /// does not carry their reader.
    #[serde(default, skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub follow_up: Vec<FollowUpRule>,
    /// How the anonymised export coarsens answers; read back, like `follow_up`, only by
    /// `anonymise_rules`.
    #[serde(
        default,
        skip_deserializing,
        skip_serializing_if = "Anonymise::is_empty"
    )]
    pub anonymise: Anonymise,
}

/// The follow-up rules of a form as stored (the JSON `Form` serialises to).
pub fn follow_up_rules(compiled: &str) -> Vec<FollowUpRule> {
    #[derive(Deserialize)]
    struct Rules {
        #[serde(default)]
        follow_up: Vec<FollowUpRule>,
    }
    serde_json::from_str::<Rules>(compiled)
        .map(|r| r.follow_up)
        .unwrap_or_default()
}

/// A rule of the follow-up list: when `when` holds for a response, its household is listed
/// with `reason` (which may quote answers, `${name}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRule {
    pub id: String,
    pub when: Code,
    pub reason: Text,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Asked of the resident.
    #[default]
    Resident,
    /// For the social worker only (visit outcome, follow-up); hidden in hand-over mode.
    Worker,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    #[serde(default)]
    pub audience: Audience,
    /// Shown only while this holds (XLSForm `relevant` on a group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Code>,
    pub questions: Vec<Question>,
}

/// How an answer may be traced back to a person; the anonymised export is driven by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    Identifier,
    QuasiIdentifier,
    Sensitive,
    FreeText,
    None,
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match unit_variant(d, &["resident", "worker"])? {
            0 => Audience::Resident,
            _ => Audience::Worker,
        })
    }
}

/// The index in `names` of a unit variant written as its name (`"worker"`). By hand: the
/// derived impls of the first load's small enums each cost a kilobyte of wasm for a
/// map form this app never writes.
pub fn unit_variant<'de, D: serde::Deserializer<'de>>(
    d: D,
    names: &'static [&'static str],
) -> Result<usize, D::Error> {
    let name = String::deserialize(d)?;
    names
        .iter()
        .position(|n| *n == name)
        .ok_or_else(|| serde::de::Error::unknown_variant(&name, names))
}

/// Marks questions the app treats specially: the household's location, and consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Building,
    Unit,
    Room,
    /// A yes/no question; "no" means the resident declined and nothing more is asked of
    /// them: only the location and the worker's own questions stay required.
    Consent,
}

impl Role {
    pub fn is_location(self) -> bool {
        matches!(self, Role::Building | Role::Unit | Role::Room)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Text,
    /// Further columns (XLSForm's choices sheet), read by a question's `choice_filter`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub columns: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    pub required: bool,
    /// Required while this holds (XLSForm `required` written as an expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Code>,
    /// Shown when a required answer is missing (XLSForm `required_message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_message: Option<Text>,
    /// Shown (and checked, and exported) only while this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Code>,
    /// Must hold for an answer to be accepted; `.` is the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<Code>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<Text>,
    /// The answer a new response starts with (XLSForm `default`): a literal of the
    /// question's type, or `today()` for a date. Checked against the type at load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `None` only for notes, which take no answer.
    pub privacy: Option<Privacy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Offers only the choices for which this holds (XLSForm `choice_filter`); bare names
    /// are the choice's columns, `name` its value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "filter_code"
    )]
    pub choice_filter: Option<Code>,
    pub kind: Kind,
}

/// Value of the "other, please specify" choice and of a rating's "not applicable".
pub const OTHER: &str = "other";
pub const NOT_APPLICABLE: &str = "na";

/// Read by the hand-written `Deserialize` in `kind_de.rs` (the derived one cost ~17 KB of
/// wasm), which accepts exactly what `#[derive(Deserialize)]` would.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Kind {
    SingleChoice {
        choices: Vec<Choice>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        other: bool,
    },
    MultipleChoice {
        choices: Vec<Choice>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        other: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_choices: Option<u32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        exclusive: Vec<String>,
    },
    ShortText {
        max_length: u32,
    },
    LongText {
        max_length: u32,
    },
    Integer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<Text>,
    },
    Decimal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<Text>,
    },
    Date,
    YesNo,
    Rating {
        points: u32,
        low: Text,
        high: Text,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        na_label: Option<Text>,
    },
    Note,
    /// A value computed from other answers (XLSForm `calculate`): never typed, never shown.
    Calculate {
        calculation: Code,
    },
    /// A group asked once per item, such as a household member roster (XLSForm `begin
    /// repeat`). Its questions' ids are unique in the whole form; inside an item, `${id}`
    /// means that item's answer. Repeats nest.
    Repeat {
        questions: Vec<Question>,
        /// Number of items taken from an answer (XLSForm `repeat_count`); otherwise the
        /// person adds and removes items.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<Code>,
        min_count: u32,
        max_count: u32,
    },
}

impl Kind {
    /// Whether the person answering fills this in (notes and calculations they do not).
    pub fn takes_answer(&self) -> bool {
        !matches!(
            self,
            Kind::Note | Kind::Calculate { .. } | Kind::Repeat { .. }
        )
    }

    /// The questions inside a repeat (empty for every other kind).
    pub fn children(&self) -> &[Question] {
        match self {
            Kind::Repeat { questions, .. } => questions,
            _ => &[],
        }
    }

    pub fn choices(&self) -> &[Choice] {
        match self {
            Kind::SingleChoice { choices, .. } | Kind::MultipleChoice { choices, .. } => choices,
            _ => &[],
        }
    }

    pub fn has_other(&self) -> bool {
        matches!(
            self,
            Kind::SingleChoice { other: true, .. } | Kind::MultipleChoice { other: true, .. }
        )
    }
}

impl Form {
    /// Every question, in order, with the index of its section.
    /// Every question, in order, with the index of its section; the questions inside a
    /// repeat follow the repeat itself.
    pub fn questions(&self) -> impl Iterator<Item = (usize, &Question)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(i, s)| flatten(&s.questions).into_iter().map(move |q| (i, q)))
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.id == id)
    }

    pub fn question_with_role(&self, role: Role) -> Option<&Question> {
        self.questions()
            .map(|(_, q)| q)
            .find(|q| q.role == Some(role))
    }

    /// Every expression of the form with where it is: (section, question or `None` for the
    /// section's own, field, code).
    pub fn codes(&self) -> Vec<(&str, Option<&str>, &'static str, &Code)> {
        let mut out = Vec::new();
        for s in &self.sections {
            if let Some(c) = &s.relevant {
                out.push((s.id.as_str(), None, "relevant", c));
            }
            for q in flatten(&s.questions) {
                let qid = Some(q.id.as_str());
                for (field, code) in [
                    ("relevant", &q.relevant),
                    ("required", &q.required_if),
                    ("constraint", &q.constraint),
                ] {
                    if let Some(c) = code {
                        out.push((s.id.as_str(), qid, field, c));
                    }
                }
                if let Kind::Calculate { calculation } = &q.kind {
                    out.push((s.id.as_str(), qid, "calculation", calculation));
                }
                if let Some(c) = &q.choice_filter {
                    out.push((s.id.as_str(), qid, "choice_filter", c));
                }
                if let Kind::Repeat { count: Some(c), .. } = &q.kind {
                    out.push((s.id.as_str(), qid, "repeat_count", c));
                }
            }
        }
        for r in &self.follow_up {
            out.push(("follow_up", Some(r.id.as_str()), "when", &r.when));
        }
        out
    }

    /// The consent question, if the form has one.
    pub fn consent_question(&self) -> Option<&Question> {
        self.question_with_role(Role::Consent)
    }

    /// Index of the first section for the worker only.
    pub fn worker_section(&self) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| s.audience == Audience::Worker)
    }

    /// Number of questions that take an answer (notes excluded).
    pub fn answerable_count(&self) -> usize {
        self.questions()
            .filter(|(_, q)| q.kind.takes_answer())
            .count()
    }
}

#[cfg(test)]
mod documented_tests;
#[cfg(test)]
mod tests;
