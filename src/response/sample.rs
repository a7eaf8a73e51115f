//! Realistic completed responses of a form, for capacity figures, benchmarks and tests.
//! Deterministic (a seed in, the same response out) so figures can be compared between runs.

use super::{Response, Status, Value};
use crate::form::{Form, Kind, Question, Role, NOT_APPLICABLE, OTHER};

/// A small xorshift generator: enough to vary answers, and no crate for it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Free text as residents and workers write it: a sentence or two of Chinese.
const PHRASES: &[&str] = &[
    "希望小区多组织一些老年人活动",
    "楼道灯经常坏，晚上上下楼不安全",
    "老伴腿脚不便，需要有人帮忙买菜",
    "孩子放学后没人照看，希望有四点半课堂",
    "社区食堂的饭菜偏咸，价格还可以",
    "想学用智能手机挂号和视频通话",
    "电梯经常停，住高层的老人很难出门",
    "需要定期上门量血压",
];

/// Answers `questions` in the item `scope` points at; a repeat gets three items (a
/// typical household), each answered the same way.
fn fill<'f>(
    r: &mut Response,
    questions: &[&'f Question],
    scope: &mut Vec<(&'f str, usize)>,
    rng: &mut Rng,
) {
    for q in questions {
        if let Kind::Repeat {
            questions: inner,
            max_count,
            ..
        } = &q.kind
        {
            let inner: Vec<&Question> = inner.iter().collect();
            for _ in 0..3.min(*max_count) {
                let Some(i) = r.add_item(scope, &q.id) else {
                    break;
                };
                scope.push((&q.id, i));
                fill(r, &inner, scope, rng);
                scope.pop();
            }
        } else if let Some(v) = value_for(q, rng) {
            r.set_answer_in(scope, &q.id, Some(v));
        }
    }
}

fn value_for(q: &Question, rng: &mut Rng) -> Option<Value> {
    Some(match (&q.kind, q.role) {
        (_, Some(Role::Building)) => Value::Text(format!("{}", 1 + rng.below(60))),
        (_, Some(Role::Unit)) => Value::Text(format!("{}", 1 + rng.below(3))),
        (_, Some(Role::Room)) => Value::Text(format!("{}0{}", 1 + rng.below(18), 1 + rng.below(4))),
        (Kind::SingleChoice { choices, .. }, _) => {
            Value::Text(choices[rng.below(choices.len())].value.clone())
        }
        (
            Kind::MultipleChoice {
                choices,
                max_choices,
                exclusive,
                ..
            },
            _,
        ) => {
            let pool: Vec<&str> = choices
                .iter()
                .map(|c| c.value.as_str())
                .filter(|v| !exclusive.iter().any(|x| x == v))
                .collect();
            let limit = max_choices.map(|m| m as usize).unwrap_or(3).min(pool.len());
            let n = 1 + rng.below(limit.max(1));
            let mut picked: Vec<String> = Vec::new();
            while picked.len() < n && !pool.is_empty() {
                let v = pool[rng.below(pool.len())].to_owned();
                if !picked.contains(&v) {
                    picked.push(v);
                }
            }
            Value::List(picked)
        }
        (Kind::ShortText { max_length }, _) => Value::Text(
            PHRASES[rng.below(PHRASES.len())]
                .chars()
                .take((*max_length as usize).min(12))
                .collect(),
        ),
        (Kind::LongText { max_length }, _) => {
            let text = format!(
                "{}，{}。",
                PHRASES[rng.below(PHRASES.len())],
                PHRASES[rng.below(PHRASES.len())]
            );
            Value::Text(text.chars().take(*max_length as usize).collect())
        }
        (Kind::Integer { min, max, .. }, _) => {
            let lo = min.unwrap_or(0);
            let hi = max.unwrap_or(lo + 10).min(lo + 5);
            Value::Int(lo + rng.below((hi - lo + 1) as usize) as i64)
        }
        (Kind::Decimal { min, max, .. }, _) => {
            let lo = min.unwrap_or(0.0);
            let hi = max.unwrap_or(lo + 1000.0).min(lo + 1000.0);
            let x = lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0);
            Value::Decimal((x * 10.0).round() / 10.0)
        }
        (Kind::Date, _) => Value::Text(format!(
            "20{:02}-{:02}-{:02}",
            10 + rng.below(16),
            1 + rng.below(12),
            1 + rng.below(28)
        )),
        (Kind::YesNo, _) => Value::Bool(rng.below(2) == 0),
        (
            Kind::Rating {
                points, na_label, ..
            },
            _,
        ) => {
            if na_label.is_some() && rng.below(4) == 0 {
                Value::Text(NOT_APPLICABLE.into())
            } else {
                Value::Int(1 + rng.below(*points as usize) as i64)
            }
        }
        // Repeats are filled item by item by `fill`.
        (Kind::Note | Kind::Calculate { .. } | Kind::Repeat { .. }, _) => return None,
    })
}

/// A completed response answering every question of `form`, as a worker would leave it.
pub fn completed(form: &Form, id: &str, seed: u64) -> Response {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let now = "2026-11-24T10:15:00+08:00".to_string();
    let mut r = Response::new(id.to_owned(), form, now.clone());
    fill(
        &mut r,
        &form
            .sections
            .iter()
            .flat_map(|s| s.questions.iter())
            .collect::<Vec<_>>(),
        &mut Vec::new(),
        &mut rng,
    );
    // Consent is given in a completed survey.
    if let Some(q) = form.question("consent") {
        if q.kind == Kind::YesNo {
            r.set_answer(&q.id, Some(Value::Bool(true)));
        }
    }
    // One "other, please specify" per response, where the form has one.
    if let Some((_, q)) = form.questions().find(|(_, q)| q.kind.has_other()) {
        let v = match q.kind {
            Kind::SingleChoice { .. } => Value::Text(OTHER.into()),
            _ => Value::List(vec![OTHER.into()]),
        };
        r.set_answer(&q.id, Some(v));
        r.set_other(&q.id, "想要法律咨询");
    }
    // Whole numbers the form constrains (people over 60 ≤ household size ≥ members listed)
    // are moved, a step at a time, to the nearest value that satisfies their question, so
    // the sample is a response a worker could complete.
    for _ in 0..25 {
        let mut logic = super::logic::Logic::evaluate(form, &r, "2026-11-24");
        logic.settle(form, &mut r);
        let issues = super::validate_response(form, &r, &logic);
        if issues.is_empty() {
            break;
        }
        for issue in issues {
            let Some(Value::Int(n)) = r.answer(&issue.question).cloned() else {
                continue;
            };
            let Some(q) = form.question(&issue.question) else {
                continue;
            };
            for step in [1, -1, 2, -2, 3, -3, 4, -4, 5, -5] {
                r.set_answer(&issue.question, Some(Value::Int((n + step).max(0))));
                let l = super::logic::Logic::evaluate(form, &r, "2026-11-24");
                if super::validate_question(q, &r, &l).is_none() {
                    break;
                }
                r.set_answer(&issue.question, Some(Value::Int(n)));
            }
        }
    }
    r.status = Status::Completed;
    r.completed = Some(now);
    r.rev = 40 + rng.below(60) as u64;
    r
}
