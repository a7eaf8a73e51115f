//! The report's appendix: the questionnaire as the residents were asked it, every question
//! once, in order — roster questions under their roster, choice lists with "其他", rating
//! scales with their end points, what kind of answer the others take. The worker's own
//! sections (visit outcome, follow-up) are casework, not questions put to residents, and are
//! left out as they are from the findings.

use crate::form::{Audience, Form, Kind, Question};
use crate::i18n::{Lang, Text};

/// One question of the appendix.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: String,
    pub label: String,
    /// The answers it takes: a choice list, a scale, "数字", "日期"…
    pub answers: String,
    /// A roster's questions, asked of each member.
    pub children: Vec<Item>,
}

/// The resident sections of `form`: (title, questions).
pub fn questionnaire(form: &Form, lang: Lang) -> Vec<(String, Vec<Item>)> {
    form.sections
        .iter()
        .filter(|s| s.audience == Audience::Resident)
        .map(|s| {
            let title = s.title.get(lang).to_owned();
            let items = items(&s.questions, lang);
            (title, items)
        })
        .filter(|(_, items)| !items.is_empty())
        .collect()
}

fn items(qs: &[Question], lang: Lang) -> Vec<Item> {
    qs.iter()
        .filter(|q| q.kind.takes_answer() || matches!(q.kind, Kind::Repeat { .. }))
        .map(|q| Item {
            id: q.id.clone(),
            label: q.label.get(lang).to_owned(),
            answers: answers(&q.kind, lang),
            children: items(q.kind.children(), lang),
        })
        .collect()
}

fn range<T: std::fmt::Display>(
    min: &Option<T>,
    max: &Option<T>,
    unit: &Option<Text>,
    lang: Lang,
) -> String {
    let unit = unit
        .as_ref()
        .map(|u| format!(" {}", u.get(lang)))
        .unwrap_or_default();
    let number = lang.pick("数字", "a number");
    match (min, max) {
        (Some(a), Some(b)) => {
            format!("{number}，{a}–{b}{unit}").replace('，', lang.pick("，", ", "))
        }
        (Some(a), None) => format!("{number}{}{a}{unit}", lang.pick("，不小于 ", ", at least ")),
        (None, Some(b)) => format!("{number}{}{b}{unit}", lang.pick("，不大于 ", ", at most ")),
        (None, None) => format!("{number}{unit}"),
    }
}

fn answers(kind: &Kind, lang: Lang) -> String {
    let list = |choices: &[crate::form::Choice], other: bool| {
        let mut v: Vec<&str> = choices.iter().map(|c| c.label.get(lang)).collect();
        if other {
            v.push(lang.pick("其他（请注明）", "Other (please specify)"));
        }
        v.join(" / ")
    };
    match kind {
        Kind::SingleChoice { choices, other } => list(choices, *other),
        Kind::MultipleChoice {
            choices,
            other,
            max_choices,
            ..
        } => {
            let how = match max_choices {
                Some(m) => format!(
                    "{}{m}{}",
                    lang.pick("可多选，最多 ", "choose up to "),
                    lang.pick(" 项", "")
                ),
                None => lang.pick("可多选", "choose any").to_owned(),
            };
            format!(
                "{}{how}{}{}",
                lang.pick("（", "("),
                lang.pick("）", ") "),
                list(choices, *other)
            )
        }
        Kind::YesNo => lang.pick("是 / 否", "Yes / No").to_owned(),
        Kind::Rating {
            points,
            low,
            high,
            na_label,
        } => {
            let mut s = format!("1（{}）– {points}（{}）", low.get(lang), high.get(lang));
            if lang == Lang::En {
                s = format!("1 ({}) to {points} ({})", low.get(lang), high.get(lang));
            }
            if let Some(na) = na_label {
                s.push_str(" / ");
                s.push_str(na.get(lang));
            }
            s
        }
        Kind::Integer { min, max, unit } => range(min, max, unit, lang),
        Kind::Decimal { min, max, unit } => range(min, max, unit, lang),
        Kind::Date => lang.pick("日期", "a date").to_owned(),
        Kind::ShortText { .. } | Kind::LongText { .. } => lang
            .pick("文字（不计入统计）", "text (not counted)")
            .to_owned(),
        Kind::Repeat { .. } => lang
            .pick(
                "每位家庭成员回答以下问题",
                "asked for each household member",
            )
            .to_owned(),
        Kind::Note | Kind::Calculate { .. } => String::new(),
    }
}
