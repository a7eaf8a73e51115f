//! The report's generated sentences: what a question's counts say, in zh-CN and English,
//! quoting only counts that are published (k or more), and nothing for a question fewer
//! than k answered.

use super::aggregate::{mean_median, Counts, Measure, Prepared};
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

fn pct(n: u32, base: u32) -> u32 {
    ((f64::from(n) * 100.0 / f64::from(base.max(1))).round()) as u32
}

/// One sentence on a question's answers, or `None` where there is nothing publishable.
pub fn sentence(q: &Prepared, c: &Counts, k: u32) -> Option<Text> {
    if c.base < k || c.base == 0 {
        return None;
    }
    // Households are counted in 户, members in 人.
    let (who_zh, who_en, unit) = if q.repeat.is_some() {
        ("家庭成员", "household members", "人")
    } else {
        ("受访住户", "households", "户")
    };
    let label = |i: usize| &q.values[i].1;
    // The largest counts that are published, largest first.
    let mut top: Vec<(usize, u32)> =
        c.n.iter()
            .enumerate()
            .filter(|(_, n)| **n >= k)
            .map(|(i, n)| (i, *n))
            .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    match q.measure {
        Measure::Categories | Measure::Months => {
            let &(i, n) = top.first()?;
            let p = pct(n, c.base);
            let rest = c.base - n;
            let (zh, en) = (&label(i).zh, &label(i).en);
            Some(if rest == 0 {
                Text::new(
                    format!("全部 {} {unit}{who_zh}都回答“{zh}”。", c.base),
                    format!("All {} {who_en} answered “{en}”.", c.base),
                )
            } else if rest < k {
                // "3 of 4" would tell the reader the fourth is alone in its answer: the
                // remainder is said only as the tables say it, under k.
                Text::new(
                    format!(
                        "{} {unit}{who_zh}中，除不足 {k} {unit}外，都回答“{zh}”。",
                        c.base
                    ),
                    format!(
                        "All but fewer than {k} of {} {who_en} answered “{en}”.",
                        c.base
                    ),
                )
            } else {
                Text::new(
                    format!(
                        "{p}% 的{who_zh}回答“{zh}”（{} {unit}中 {n} {unit}）。",
                        c.base
                    ),
                    format!("{p}% of {who_en} answered “{en}” ({n} of {}).", c.base),
                )
            })
        }
        Measure::Multiple => {
            let parts: Vec<(usize, u32)> = top
                .into_iter()
                .filter(|(i, _)| !matches!(q.values[*i].0.as_str(), "none" | "refused"))
                .take(3)
                .collect();
            if parts.is_empty() {
                return None;
            }
            let zh = parts
                .iter()
                .map(|(i, n)| format!("“{}”（{}%）", label(*i).zh, pct(*n, c.base)))
                .collect::<Vec<_>>()
                .join("、");
            let en = parts
                .iter()
                .map(|(i, n)| format!("“{}” ({}%)", label(*i).en, pct(*n, c.base)))
                .collect::<Vec<_>>()
                .join(", ");
            Some(Text::new(
                format!("在回答的 {} {unit}{who_zh}中，选得最多的是{zh}。", c.base),
                format!("Of the {} {who_en} who answered, most chose {en}.", c.base),
            ))
        }
        Measure::Rating => {
            let (mean, _) = mean_median(q, c)?;
            let points = q
                .values
                .iter()
                .filter(|(v, _)| v.parse::<u32>().is_ok())
                .count();
            Some(Text::new(
                format!(
                    "平均评分 {mean:.1}（满分 {points}），{} {unit}{who_zh}评分。",
                    c.base
                ),
                format!(
                    "Average rating {mean:.1} of {points}, from {} {who_en}.",
                    c.base
                ),
            ))
        }
        Measure::Numbers => {
            let (mean, median) = mean_median(q, c)?;
            let m = crate::form::number_text(median);
            Some(Text::new(
                format!("平均 {mean:.1}，中位数 {m}（{} {unit}{who_zh}）。", c.base),
                format!("Mean {mean:.1}, median {m} ({} {who_en}).", c.base),
            ))
        }
        Measure::Text => None,
    }
}
