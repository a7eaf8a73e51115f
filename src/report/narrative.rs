//! The report's generated sentences: what a question's published counts say, in zh-CN and
//! English, and nothing for a question fewer than k answered.

use super::aggregate::{Measure, Prepared};
use super::publish::{Published, Row, Table};
use crate::i18n::Text;

/// The survey's period as a reader says it: one day (2026年12月2日), one month (2026年12月),
/// months of one year (2026年11月至12月) or across years; `first` and `last` are dates
/// (YYYY-MM-DD, or longer timestamps starting with one).
pub fn period_text(first: &str, last: &str) -> Text {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parse = |s: &str| -> Option<(u32, u32, u32)> {
        let d = crate::form::parse_date(s.get(..10)?)?;
        use chrono::Datelike;
        Some((d.year() as u32, d.month(), d.day()))
    };
    let (Some((y1, m1, d1)), Some((y2, m2, d2))) = (parse(first), parse(last)) else {
        return Text::new(format!("{first} – {last}"), format!("{first} – {last}"));
    };
    let month = |m: u32| MONTHS[(m as usize).clamp(1, 12) - 1];
    if (y1, m1, d1) == (y2, m2, d2) {
        Text::new(
            format!("{y1}年{m1}月{d1}日"),
            format!("{d1} {} {y1}", month(m1)),
        )
    } else if (y1, m1) == (y2, m2) {
        Text::new(format!("{y1}年{m1}月"), format!("{} {y1}", month(m1)))
    } else if y1 == y2 {
        Text::new(
            format!("{y1}年{m1}月至{m2}月"),
            format!("{} to {} {y1}", month(m1), month(m2)),
        )
    } else {
        Text::new(
            format!("{y1}年{m1}月至{y2}年{m2}月"),
            format!("{} {y1} to {} {y2}", month(m1), month(m2)),
        )
    }
}

/// One sentence on a question's published answers, or `None` where there is nothing
/// publishable. It quotes only what the tables show (the ledger decided): a count, a share
/// of a shown base, a published mean. Nothing it says can be worked out into a count the
/// tables hide, because every number in it is one of theirs.
pub fn sentence(q: &Prepared, t: &Table, p: &Published) -> Option<Text> {
    let k = p.k();
    let base = p.shown(t.base).count().filter(|b| *b >= k)?;
    // Households are counted in 户, members in 人.
    let (who_zh, who_en, unit) = if q.repeat.is_some() {
        ("家庭成员", "household members", "人")
    } else {
        ("受访住户", "households", "户")
    };
    // The largest published counts, largest first.
    let mut top: Vec<(&Row, u32)> = t
        .rows
        .iter()
        .filter_map(|r| Some((r, p.shown(r.cell).count().filter(|n| *n > 0)?)))
        .collect();
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    match q.measure {
        Measure::Categories | Measure::Months => {
            let &(row, n) = top.first()?;
            let share = p.percent(t, row)?;
            let (zh, en) = (&row.label.zh, &row.label.en);
            Some(if n == base {
                Text::new(
                    format!("全部 {base} {unit}{who_zh}都回答“{zh}”。"),
                    format!("All {base} {who_en} answered “{en}”."),
                )
            } else {
                Text::new(
                    format!("{share}% 的{who_zh}回答“{zh}”（{base} {unit}中 {n} {unit}）。"),
                    format!("{share}% of {who_en} answered “{en}” ({n} of {base})."),
                )
            })
        }
        Measure::Multiple => {
            let parts: Vec<(&Row, u32)> = top
                .into_iter()
                .filter(|(r, _)| !matches!(r.value.as_str(), "none" | "refused" | "dont_know"))
                .take(3)
                .collect();
            if parts.is_empty() {
                return None;
            }
            let list = |zh: bool| {
                parts
                    .iter()
                    .filter_map(|(r, _)| {
                        let share = p.percent(t, r)?;
                        Some(if zh {
                            format!("“{}”（{share}%）", r.label.zh)
                        } else {
                            format!("“{}” ({share}%)", r.label.en)
                        })
                    })
                    .collect::<Vec<_>>()
            };
            Some(Text::new(
                format!(
                    "在回答的 {base} {unit}{who_zh}中，选得最多的是{}。",
                    list(true).join("、")
                ),
                format!(
                    "Of the {base} {who_en} who answered, most chose {}.",
                    list(false).join(", ")
                ),
            ))
        }
        Measure::Rating => {
            let mean = t.mean?;
            let points = q
                .values
                .iter()
                .filter(|(v, _)| v.parse::<u32>().is_ok())
                .count();
            Some(Text::new(
                format!("平均评分 {mean:.1}（满分 {points}），{base} {unit}{who_zh}回答。"),
                format!("Average rating {mean:.1} of {points}, from {base} {who_en}."),
            ))
        }
        Measure::Numbers => {
            let (mean, median) = (t.mean?, t.median?);
            let m = crate::form::number_text((median * 100.0).round() / 100.0);
            Some(Text::new(
                format!("平均 {mean:.1}，中位数 {m}（{base} {unit}{who_zh}回答）。"),
                format!("Mean {mean:.1}, median {m} ({base} {who_en})."),
            ))
        }
        Measure::Text => None,
    }
}
