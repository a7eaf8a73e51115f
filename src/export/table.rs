//! The export as spreadsheets: CSV in UTF-8 with a byte-order mark (without it Excel and
//! WPS read Chinese as GBK and show mojibake). One row per response; one file per repeat
//! (the roster), keyed by the response's pseudonym; and a codebook.

use crate::form::{Anonymise, Form, Generalise, Kind, Privacy, Question};
use serde_json::{Map, Value as J};

const BOM: &str = "\u{feff}";

/// The type of a question as the form format names it.
pub fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::SingleChoice { .. } => "single_choice",
        Kind::MultipleChoice { .. } => "multiple_choice",
        Kind::ShortText { .. } => "short_text",
        Kind::LongText { .. } => "long_text",
        Kind::Integer { .. } => "integer",
        Kind::Decimal { .. } => "decimal",
        Kind::Date => "date",
        Kind::YesNo => "yes_no",
        Kind::Rating { .. } => "rating",
        Kind::Note => "note",
        Kind::Calculate { .. } => "calculate",
        Kind::Repeat { .. } => "repeat",
    }
}

/// Whether a question's answers can appear in an export at all (the CSV gets a column).
fn exported(q: &Question, rules: &Anonymise) -> bool {
    match q.kind {
        Kind::Note | Kind::Repeat { .. } => false,
        _ => {
            q.privacy != Some(Privacy::Identifier)
                && rules.generalise.get(&q.id) != Some(&Generalise::Area)
        }
    }
}

/// One cell: lists space-separated (as XLSForm writes multiple choice), yes/no as words.
fn cell(v: Option<&J>) -> String {
    match v {
        None | Some(J::Null) => String::new(),
        Some(J::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        Some(J::String(s)) => s.clone(),
        Some(J::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(" "),
        Some(J::Number(n)) => match n.as_f64() {
            Some(x) if n.is_f64() => crate::form::number_text(x),
            _ => n.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

fn csv_text(rows: Vec<Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(&r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("{BOM}{}", String::from_utf8(bytes).unwrap_or_default())
}

/// Columns of one level (the top, or one repeat's items): each question that can leave,
/// followed by its "other" text where it has one.
fn columns<'f>(qs: &'f [Question], rules: &Anonymise) -> Vec<(&'f Question, bool)> {
    let mut out = Vec::new();
    for q in qs.iter().filter(|q| exported(q, rules)) {
        out.push((q, false));
        if q.kind.has_other() {
            out.push((q, true));
        }
    }
    out
}

fn value_cells(
    cols: &[(&Question, bool)],
    answers: &Map<String, J>,
    other: Option<&Map<String, J>>,
    path: &str,
) -> Vec<String> {
    cols.iter()
        .map(|(q, is_other)| {
            if *is_other {
                cell(other.and_then(|o| o.get(&format!("{path}{}", q.id))))
            } else {
                cell(answers.get(&q.id))
            }
        })
        .collect()
}

/// The responses, one row each.
pub fn responses_csv(form: &Form, rules: &Anonymise, responses: &[J]) -> String {
    table_csv(
        form,
        rules,
        responses,
        &[
            "id",
            "household_link",
            "status",
            "started",
            "completed",
            "worker",
            "area",
        ],
    )
}

/// The publication dataset's CSV (report/release.rs): a fresh id and the area, then the
/// answers.
pub fn release_csv(form: &Form, rules: &Anonymise, responses: &[J]) -> String {
    table_csv(form, rules, responses, &["id", "area"])
}

fn table_csv(form: &Form, rules: &Anonymise, responses: &[J], fixed: &[&str]) -> String {
    let top: Vec<Question> = form
        .sections
        .iter()
        .flat_map(|s| s.questions.iter().cloned())
        .collect();
    let cols = columns(&top, rules);
    let mut rows = vec![fixed
        .iter()
        .map(|s| s.to_string())
        .chain(cols.iter().map(|(q, o)| {
            if *o {
                format!("{}_other", q.id)
            } else {
                q.id.clone()
            }
        }))
        .collect::<Vec<_>>()];
    for r in responses {
        let empty = Map::new();
        let answers = r.get("answers").and_then(J::as_object).unwrap_or(&empty);
        let mut row: Vec<String> = fixed.iter().map(|f| cell(r.get(*f))).collect();
        row.extend(value_cells(
            &cols,
            answers,
            r.get("other").and_then(J::as_object),
            "",
        ));
        rows.push(row);
    }
    csv_text(rows)
}

/// Every repeat of the form with its questions, outermost first.
pub fn repeats(form: &Form) -> Vec<&Question> {
    form.questions()
        .map(|(_, q)| q)
        .filter(|q| matches!(q.kind, Kind::Repeat { .. }))
        .collect()
}

/// The items of one repeat, one row each: the response's pseudonym, the item's number
/// (`2`, or `2.1` inside an outer repeat), its answers.
pub fn repeat_csv(form: &Form, rules: &Anonymise, repeat: &str, responses: &[J]) -> String {
    let Some(q) = form.question(repeat) else {
        return csv_text(Vec::new());
    };
    let cols = columns(q.kind.children(), rules);
    let mut rows = vec![["response", "item"]
        .iter()
        .map(|s| s.to_string())
        .chain(cols.iter().map(|(q, o)| {
            if *o {
                format!("{}_other", q.id)
            } else {
                q.id.clone()
            }
        }))
        .collect::<Vec<_>>()];
    fn items<'a>(
        map: &'a Map<String, J>,
        repeat: &str,
        number: &str,
        path: &str,
        out: &mut Vec<(String, String, &'a Map<String, J>)>,
    ) {
        for (k, v) in map {
            let Some(list) = v.as_array() else { continue };
            for (i, item) in list.iter().enumerate() {
                let Some(m) = item.as_object() else { continue };
                let n = if number.is_empty() {
                    (i + 1).to_string()
                } else {
                    format!("{number}.{}", i + 1)
                };
                let p = format!("{path}{k}[{i}]/");
                if k == repeat {
                    out.push((n.clone(), p.clone(), m));
                }
                items(m, repeat, &n, &p, out);
            }
        }
    }
    for r in responses {
        let Some(answers) = r.get("answers").and_then(J::as_object) else {
            continue;
        };
        let mut found = Vec::new();
        items(answers, repeat, "", "", &mut found);
        for (n, p, m) in found {
            let mut row = vec![cell(r.get("id")), n];
            row.extend(value_cells(
                &cols,
                m,
                r.get("other").and_then(J::as_object),
                &p,
            ));
            rows.push(row);
        }
    }
    csv_text(rows)
}

/// What the export does with a question, in words for the codebook.
pub fn treatment(q: &Question, rules: &Anonymise) -> String {
    if let Some(g) = rules.generalise.get(&q.id) {
        return format!("generalised: {}", g.describe());
    }
    match q.privacy {
        Some(Privacy::Identifier) | None => "removed".into(),
        Some(Privacy::FreeText) => "removed unless the worker included it".into(),
        Some(Privacy::QuasiIdentifier) => "kept; may be suppressed for k-anonymity".into(),
        Some(Privacy::Sensitive) | Some(Privacy::None) => "kept".into(),
    }
}

/// The codebook: every question with its labels, type, privacy class, what the export does
/// with it, and its choices.
pub fn codebook_csv(form: &Form, rules: &Anonymise) -> String {
    let mut rows = vec![[
        "name", "section", "repeat", "type", "privacy", "export", "label_zh", "label_en", "choices",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    fn go(
        qs: &[Question],
        section: &str,
        repeat: &str,
        rules: &Anonymise,
        rows: &mut Vec<Vec<String>>,
    ) {
        for q in qs {
            let privacy = q
                .privacy
                .and_then(|p| serde_json::to_value(p).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let choices = q
                .kind
                .choices()
                .iter()
                .map(|c| format!("{}={} / {}", c.value, c.label.zh, c.label.en))
                .collect::<Vec<_>>()
                .join("; ");
            rows.push(vec![
                q.id.clone(),
                section.to_owned(),
                repeat.to_owned(),
                kind_name(&q.kind).into(),
                privacy,
                if matches!(q.kind, Kind::Note | Kind::Repeat { .. }) {
                    String::new()
                } else {
                    treatment(q, rules)
                },
                q.label.zh.clone(),
                q.label.en.clone(),
                choices,
            ]);
            if let Kind::Repeat { questions, .. } = &q.kind {
                go(questions, section, &q.id, rules, rows);
            }
        }
    }
    for s in &form.sections {
        go(&s.questions, &s.id, "", rules, &mut rows);
    }
    csv_text(rows)
}
