//! What a form allows an export file to carry, answer by answer: the import's check that
//! every value in a file is one the app could have written for that question after the
//! export's anonymisation (docs/workspace.md, "What is refused").
//!
//! A question's rule comes from its kind and limits, its privacy class and the form's
//! anonymisation rules, and the file's header (which free texts it says it carries):
//!
//! - an `identifier` question, a note, or a free text the header does not declare: no
//!   answer at all (the export removes them; one present was added after it);
//! - a choice: one of its codes ("other" where the question offers it); several choices:
//!   codes, each once, no more than `max_choices`, an exclusive one alone;
//! - a number: finite, integral for an integer, within the question's `min`/`max`;
//! - a rating: 1 to its points, or "na" where it offers "not applicable";
//! - a date: a real calendar date; a text: at most `max_length` characters;
//! - a generalised answer: the shape its rule writes (`60-69`/`90+`, `6+`, `2026-11`, `2026`);
//! - a calculated value: a number, a yes/no or a text of at most `MAX_CALCULATED` characters.
//!
//! Required answers are not demanded: a partial response is a legitimate one.

use super::dataset::Atoms;
use crate::form::anonymise::Generalise;
use crate::form::{Form, Kind, Privacy, Question, NOT_APPLICABLE, OTHER};
use crate::i18n::{Lang, Text};
use std::collections::BTreeMap;

/// One answer the import refuses: which response (1-based, and its id), which question.
#[derive(Clone, Debug, PartialEq)]
pub struct BadAnswer {
    pub response: usize,
    pub id: String,
    pub question: String,
    /// The question's label, for the message.
    pub label: Text,
    pub problem: Problem,
}

/// The longest calculated value or "other, please specify" text taken.
pub const MAX_CALCULATED: usize = 1_000;
pub const MAX_OTHER: usize = 1_000;

/// Why an answer cannot be one the app wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not a text, number or yes/no as the question takes.
    WrongType,
    NotAChoice(String),
    TooManyChoices(u32),
    RepeatedChoice(String),
    /// An exclusive choice ("none") with others.
    NotAlone(String),
    TooLong(usize),
    OutOfRange,
    NotADate,
    /// Not the shape the question's generalisation writes.
    NotGeneralised,
    /// An identifier: the export removes it.
    Identifier,
    /// Free text the file's header does not say it carries.
    Undeclared,
    /// A question that takes no answer (a note).
    NoAnswer,
    TooManyItems(u32),
    /// The same question twice in one set of answers.
    Twice,
    /// "Other, please specify" text for an answer that is not "other", or not a question
    /// that offers it.
    StrayOther,
}

impl Problem {
    pub fn describe(&self, lang: Lang) -> String {
        let t = match self {
            Problem::WrongType => Text::new("类型不对", "not of the question's type"),
            Problem::NotAChoice(v) => Text::new(
                format!("“{}”不是选项之一", short(v)),
                format!("“{}” is not one of its choices", short(v)),
            ),
            Problem::TooManyChoices(n) => {
                Text::new(format!("选了超过 {n} 项"), format!("more than {n} choices"))
            }
            Problem::RepeatedChoice(v) => Text::new(
                format!("选项“{}”重复", short(v)),
                format!("the choice “{}” twice", short(v)),
            ),
            Problem::NotAlone(v) => Text::new(
                format!("“{}”只能单独选", short(v)),
                format!("“{}” can only be chosen alone", short(v)),
            ),
            Problem::TooLong(n) => Text::new(
                format!("超过 {n} 个字"),
                format!("longer than {n} characters"),
            ),
            Problem::OutOfRange => Text::new("超出允许范围", "outside the allowed range"),
            Problem::NotADate => Text::new("不是有效日期", "not a valid date"),
            Problem::NotGeneralised => Text::new(
                "不是导出时概括后的形式（如年龄段）",
                "not in the generalised form the export writes (such as an age band)",
            ),
            Problem::Identifier => Text::new(
                "是身份信息（如门牌），导出时应已删除",
                "is identifying (such as a room number) and is removed on export",
            ),
            Problem::Undeclared => Text::new(
                "是文件头未声明的自由文本",
                "is free text the file's header does not declare",
            ),
            Problem::NoAnswer => Text::new("这道题不接受回答", "this question takes no answer"),
            Problem::TooManyItems(n) => {
                Text::new(format!("超过 {n} 项（人）"), format!("more than {n} items"))
            }
            Problem::Twice => Text::new("同一题出现两次", "the same question twice"),
            Problem::StrayOther => Text::new(
                "“其他”说明没有对应的“其他”选项",
                "an “other” text without the “other” choice",
            ),
        };
        t.get(lang).to_owned()
    }
}

/// A value as it is shown in a message: short, and on one line.
fn short(v: &str) -> String {
    let one: String = v.chars().filter(|c| !c.is_control()).take(24).collect();
    if v.chars().count() > 24 {
        format!("{one}…")
    } else {
        one
    }
}

/// One question's rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    Refused(Problem),
    /// Choice codes as atoms (`Rules::new` interns them).
    Choice(Vec<u32>),
    Choices {
        codes: Vec<u32>,
        max: Option<u32>,
        exclusive: Vec<u32>,
    },
    Text(usize),
    Number {
        min: Option<f64>,
        max: Option<f64>,
        integral: bool,
    },
    Rating {
        points: u32,
        na: Option<u32>,
    },
    Date,
    YesNo,
    Generalised(Generalise),
    Calculated,
    Repeat(u32),
}

/// The rules of one form for one file, by question id.
pub struct Rules {
    pub by_id: BTreeMap<String, Rule>,
    /// Questions whose "other, please specify" text the file may carry: the form offers
    /// one and the header declares it.
    pub other_declared: Vec<String>,
    /// Questions that offer "other, please specify".
    pub other_offered: Vec<String>,
}

impl Rules {
    /// `declared`: the header's `free_text_included` (question id, or `id#other`);
    /// `generalised`: the header's descriptions of the rules applied (a format 1 file's form
    /// does not carry them).
    pub fn new(
        form: &Form,
        declared: &BTreeMap<String, u64>,
        generalised: &BTreeMap<String, String>,
        atoms: &mut Atoms,
    ) -> Rules {
        let mut by_id = BTreeMap::new();
        let mut other_declared = Vec::new();
        let mut other_offered = Vec::new();
        for (_, q) in form.questions() {
            let offers = matches!(
                q.kind,
                Kind::SingleChoice { other: true, .. } | Kind::MultipleChoice { other: true, .. }
            );
            if offers {
                other_offered.push(q.id.clone());
            }
            if offers
                && declared
                    .get(&format!("{}#other", q.id))
                    .is_some_and(|n| *n > 0)
            {
                other_declared.push(q.id.clone());
            }
            let rule = form
                .anonymise
                .generalise
                .get(&q.id)
                .cloned()
                .or_else(|| generalised.get(&q.id).and_then(|d| from_describe(d)));
            by_id.insert(q.id.clone(), rule_of(q, rule, declared, atoms));
        }
        Rules {
            by_id,
            other_declared,
            other_offered,
        }
    }
}

fn rule_of(
    q: &Question,
    generalise: Option<Generalise>,
    declared: &BTreeMap<String, u64>,
    atoms: &mut Atoms,
) -> Rule {
    if let Kind::Repeat { max_count, .. } = q.kind {
        return Rule::Repeat(max_count);
    }
    match q.privacy {
        None => return Rule::Refused(Problem::NoAnswer),
        Some(Privacy::Identifier) => return Rule::Refused(Problem::Identifier),
        Some(Privacy::FreeText) if declared.get(&q.id).is_none_or(|n| *n == 0) => {
            return Rule::Refused(Problem::Undeclared)
        }
        _ => {}
    }
    if let Some(g) = generalise {
        return match g {
            // The building leaves as the response's area code, never as an answer.
            Generalise::Area => Rule::Refused(Problem::Identifier),
            g => Rule::Generalised(g),
        };
    }
    let mut codes = |choices: &[crate::form::Choice], other: bool| -> Vec<u32> {
        let mut c: Vec<u32> = choices.iter().map(|c| atoms.text(&c.value)).collect();
        if other {
            c.push(atoms.text(OTHER));
        }
        c
    };
    match &q.kind {
        Kind::SingleChoice { choices, other } => Rule::Choice(codes(choices, *other)),
        Kind::MultipleChoice {
            choices,
            other,
            max_choices,
            exclusive,
        } => Rule::Choices {
            codes: codes(choices, *other),
            max: *max_choices,
            exclusive: exclusive.iter().map(|e| atoms.text(e)).collect(),
        },
        Kind::ShortText { max_length } | Kind::LongText { max_length } => {
            Rule::Text(*max_length as usize)
        }
        Kind::Integer { min, max, .. } => Rule::Number {
            min: min.map(|m| m as f64),
            max: max.map(|m| m as f64),
            integral: true,
        },
        Kind::Decimal { min, max, .. } => Rule::Number {
            min: *min,
            max: *max,
            integral: false,
        },
        Kind::Rating {
            points, na_label, ..
        } => Rule::Rating {
            points: *points,
            na: na_label.as_ref().map(|_| atoms.text(NOT_APPLICABLE)),
        },
        Kind::Date => Rule::Date,
        Kind::YesNo => Rule::YesNo,
        Kind::Calculate { .. } => Rule::Calculated,
        Kind::Note => Rule::Refused(Problem::NoAnswer),
        Kind::Repeat { max_count, .. } => Rule::Repeat(*max_count),
    }
}

impl Rule {
    /// Whether the one value `a` (an atom) may be this question's answer.
    pub fn scalar(&self, atoms: &Atoms, a: u32) -> Result<(), Problem> {
        let atom = atoms.get(a);
        let text = || (!atom.boolean && atom.number.is_none()).then_some(&*atom.text);
        match self {
            Rule::Refused(p) => Err(p.clone()),
            Rule::Choice(codes) => match text() {
                Some(_) if codes.contains(&a) => Ok(()),
                Some(t) => Err(Problem::NotAChoice(t.to_owned())),
                None => Err(Problem::WrongType),
            },
            Rule::Choices { .. } | Rule::Repeat(_) => Err(Problem::WrongType),
            Rule::Text(max) => match text() {
                Some(t) if t.chars().count() > *max => Err(Problem::TooLong(*max)),
                Some(_) => Ok(()),
                None => Err(Problem::WrongType),
            },
            Rule::Number { min, max, integral } => {
                let x = atom.number.ok_or(Problem::WrongType)?;
                if !x.is_finite() || (*integral && x.fract() != 0.0) {
                    return Err(Problem::WrongType);
                }
                if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                    return Err(Problem::OutOfRange);
                }
                Ok(())
            }
            Rule::Rating { points, na } => match atom.number {
                Some(x) if x.fract() == 0.0 && x >= 1.0 && x <= f64::from(*points) => Ok(()),
                Some(_) => Err(Problem::OutOfRange),
                None if na.is_some_and(|n| n == a) => Ok(()),
                None => match text() {
                    Some(t) => Err(Problem::NotAChoice(t.to_owned())),
                    None => Err(Problem::WrongType),
                },
            },
            Rule::Date => match text() {
                Some(t) if crate::form::parse_date(t).is_some_and(|d| d.to_string() == t) => Ok(()),
                Some(_) => Err(Problem::NotADate),
                None => Err(Problem::WrongType),
            },
            Rule::YesNo => {
                if atom.boolean {
                    Ok(())
                } else {
                    Err(Problem::WrongType)
                }
            }
            Rule::Generalised(g) => match text() {
                Some(t) if generalised(g, t) => Ok(()),
                _ => Err(Problem::NotGeneralised),
            },
            Rule::Calculated => match text() {
                Some(t) if t.chars().count() > MAX_CALCULATED => {
                    Err(Problem::TooLong(MAX_CALCULATED))
                }
                _ if atom.number.is_some_and(|x| !x.is_finite()) => Err(Problem::WrongType),
                _ => Ok(()),
            },
        }
    }

    /// Whether the values `list` (atoms, in the file's order) may be this question's answer.
    pub fn multi(&self, atoms: &Atoms, list: &[u32]) -> Result<(), Problem> {
        let Rule::Choices {
            codes,
            max,
            exclusive,
        } = self
        else {
            return match self {
                Rule::Refused(p) => Err(p.clone()),
                _ => Err(Problem::WrongType),
            };
        };
        for (i, a) in list.iter().enumerate() {
            let atom = atoms.get(*a);
            if atom.boolean || atom.number.is_some() {
                return Err(Problem::WrongType);
            }
            if !codes.contains(a) {
                return Err(Problem::NotAChoice(atom.text.to_string()));
            }
            if list[..i].contains(a) {
                return Err(Problem::RepeatedChoice(atom.text.to_string()));
            }
            if list.len() > 1 && exclusive.contains(a) {
                return Err(Problem::NotAlone(atom.text.to_string()));
            }
        }
        match max {
            Some(m) if list.len() > *m as usize => Err(Problem::TooManyChoices(*m)),
            _ => Ok(()),
        }
    }
}

/// The rule a header's description names (`Generalise::describe`, read back).
pub fn from_describe(d: &str) -> Option<Generalise> {
    match d {
        "month" => return Some(Generalise::Month),
        "year" => return Some(Generalise::Year),
        "area code" => return Some(Generalise::Area),
        _ => {}
    }
    if let Some(rest) = d.strip_prefix("bands of ") {
        let (width, top) = rest.strip_suffix("+ at the top")?.split_once(", ")?;
        return Some(Generalise::Bands {
            width: width.parse().ok()?,
            top: top.parse().ok()?,
        });
    }
    let (at, again) = d.split_once(" and more as ")?;
    (again.strip_suffix('+')? == at).then_some(Generalise::Cap {
        at: at.parse().ok()?,
    })
}

/// Whether `t` is a value generalisation rule `g` writes (`export::anonymise::generalise`).
pub fn generalised(g: &Generalise, t: &str) -> bool {
    let int = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match g {
        Generalise::Bands { width, top } => {
            if t.strip_suffix('+').and_then(int) == Some(*top) {
                return true;
            }
            let w = i64::from((*width).max(1));
            let Some((lo, hi)) = t.split_once('-') else {
                return false;
            };
            match (int(lo), int(hi)) {
                (Some(lo), Some(hi)) => lo % w == 0 && hi == lo + w - 1 && lo < *top,
                _ => false,
            }
        }
        Generalise::Cap { at } => match t.strip_suffix('+') {
            Some(n) => int(n) == Some(*at),
            None => int(t).is_some_and(|n| n < *at),
        },
        Generalise::Month => t.len() == 7 && crate::form::parse_date(&format!("{t}-01")).is_some(),
        Generalise::Year => t.len() == 4 && int(t).is_some(),
        Generalise::Area => false,
    }
}

/// The question a well-formed answer path names (`q`, `rep[2]/q`, nested), every repeat in
/// it being one: `question` says whether an id is a question, and whether a repeat.
pub fn other_path_question<'p>(
    question: &dyn Fn(&str) -> Option<bool>,
    path: &'p str,
) -> Option<&'p str> {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return (question(part) == Some(false)).then_some(part);
        }
        let (rep, index) = part.strip_suffix(']')?.split_once('[')?;
        if question(rep) != Some(true)
            || index.is_empty()
            || index.len() > 4
            || !index.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_read_back_from_its_description_is_the_rule() {
        for g in [
            Generalise::Bands { width: 10, top: 90 },
            Generalise::Cap { at: 6 },
            Generalise::Month,
            Generalise::Year,
            Generalise::Area,
        ] {
            assert_eq!(from_describe(&g.describe()), Some(g));
        }
        assert_eq!(from_describe("bands of x, 9+ at the top"), None);
        assert_eq!(from_describe("6 and more as 7+"), None);
    }

    /// What `export::anonymise::generalise` writes passes; nothing else does.
    #[test]
    fn generalised_values_are_the_shapes_the_export_writes() {
        use crate::export::anonymise::generalise;
        use crate::response::Value;
        let bands = Generalise::Bands { width: 10, top: 90 };
        for age in [0, 9, 10, 34, 89, 90, 120] {
            let g = generalise(&bands, &Value::Int(age)).unwrap();
            assert!(generalised(&bands, &g), "{g}");
        }
        for bad in ["34", "35-44", "30-40", "90-99", "80+", "-10-1", "", "0-9 "] {
            assert!(!generalised(&bands, bad), "{bad}");
        }
        let cap = Generalise::Cap { at: 6 };
        for n in [1, 5, 6, 9] {
            assert!(generalised(
                &cap,
                &generalise(&cap, &Value::Int(n)).unwrap()
            ));
        }
        for bad in ["7", "6", "5+", "x", "-1"] {
            assert!(!generalised(&cap, bad), "{bad}");
        }
        assert!(generalised(&Generalise::Month, "2026-11"));
        assert!(!generalised(&Generalise::Month, "2026-13"));
        assert!(!generalised(&Generalise::Month, "2026-11-03"));
        assert!(generalised(&Generalise::Year, "2026"));
        assert!(!generalised(&Generalise::Year, "26"));
    }

    #[test]
    fn an_other_path_names_a_question_through_repeats_only() {
        let q = |id: &str| match id {
            "members" => Some(true),
            "m_rel" | "resp_rel" => Some(false),
            _ => None,
        };
        assert_eq!(other_path_question(&q, "resp_rel"), Some("resp_rel"));
        assert_eq!(other_path_question(&q, "members[2]/m_rel"), Some("m_rel"));
        for bad in [
            "__proto__",
            "members",
            "resp_rel[0]/m_rel",
            "members[x]/m_rel",
            "members[]/m_rel",
            "members[0]/",
            "constructor",
        ] {
            assert_eq!(other_path_question(&q, bad), None, "{bad}");
        }
    }
}
