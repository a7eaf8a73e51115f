//! Questionnaire definitions: the types, parsing with errors that name the question and the
//! field, and the built-in needs assessment. The format is documented in docs/form-format.md.

mod builtin;
pub mod expr;
pub mod parse;

pub use builtin::builtin_form;
pub use parse::{parse_form, FormError};

use crate::i18n::Text;
use serde::{Deserialize, Serialize};

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
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub label: Text,
    pub hint: Option<Text>,
    pub required: bool,
    /// `None` only for notes, which take no answer.
    pub privacy: Option<Privacy>,
    pub role: Option<Role>,
    pub kind: Kind,
}

/// Value of the "other, please specify" choice and of a rating's "not applicable".
pub const OTHER: &str = "other";
pub const NOT_APPLICABLE: &str = "na";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Kind {
    SingleChoice {
        choices: Vec<Choice>,
        other: bool,
    },
    MultipleChoice {
        choices: Vec<Choice>,
        other: bool,
        max_choices: Option<u32>,
        exclusive: Vec<String>,
    },
    ShortText {
        max_length: u32,
    },
    LongText {
        max_length: u32,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        unit: Option<Text>,
    },
    Decimal {
        min: Option<f64>,
        max: Option<f64>,
        unit: Option<Text>,
    },
    Date,
    YesNo,
    Rating {
        points: u32,
        low: Text,
        high: Text,
        na_label: Option<Text>,
    },
    Note,
}

impl Kind {
    pub fn takes_answer(&self) -> bool {
        !matches!(self, Kind::Note)
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
    pub fn questions(&self) -> impl Iterator<Item = (usize, &Question)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.questions.iter().map(move |q| (i, q)))
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.id == id)
    }

    pub fn question_with_role(&self, role: Role) -> Option<&Question> {
        self.questions()
            .map(|(_, q)| q)
            .find(|q| q.role == Some(role))
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
mod tests;
