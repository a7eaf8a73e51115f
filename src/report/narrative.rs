//! The report's generated sentences: what a question's counts say, in zh-CN and English,
//! quoting only counts that are published (k or more), and nothing for a question fewer
//! than k answered.

use super::aggregate::{mean_median, Counts, Measure, Prepared};
use crate::i18n::Text;

fn pct(n: u32, base: u32) -> u32 {
    ((f64::from(n) * 100.0 / f64::from(base.max(1))).round()) as u32
}

/// One sentence on a question's answers, or `None` where there is nothing publishable.
pub fn sentence(q: &Prepared, c: &Counts, k: u32) -> Option<Text> {
    if c.base < k || c.base == 0 {
        return None;
    }
    let (who_zh, who_en) = if q.repeat.is_some() {
        ("家庭成员", "household members")
    } else {
        ("受访住户", "households")
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
            Some(Text::new(
                format!(
                    "{p}% 的{who_zh}回答“{}”（{} 个中 {n} 个）。",
                    label(i).zh,
                    c.base
                ),
                format!(
                    "{p}% of {who_en} answered “{}” ({n} of {}).",
                    label(i).en,
                    c.base
                ),
            ))
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
                format!("在回答的 {} 个{who_zh}中，选得最多的是{zh}。", c.base),
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
                    "平均评分 {mean:.1}（满分 {points}），{} 个{who_zh}评分。",
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
                format!("平均 {mean:.1}，中位数 {m}（{} 个{who_zh}）。", c.base),
                format!("Mean {mean:.1}, median {m} ({} {who_en}).", c.base),
            ))
        }
        Measure::Text => None,
    }
}
