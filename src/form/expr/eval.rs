//! Evaluation with XPath 1.0's conversions, as XLSForm (JavaRosa, Enketo) applies them:
//! an unanswered question is the empty string, which is NaN as a number and false as a
//! boolean, so `${age} > 60` is simply false until age is answered. Nothing here panics.

use super::{Expr, Func, Op};

/// A value during evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum XValue {
    Num(f64),
    Str(String),
    Bool(bool),
}

/// What an expression can read. Implemented over a response (and, inside a repeat, over
/// one instance of it).
pub trait Env {
    /// `${name}`: its answer as text or number; `Str("")` when unanswered or hidden.
    fn value(&self, name: &str) -> XValue;
    /// `.`: the value of the question the expression belongs to.
    fn current(&self) -> XValue;
    /// Every instance's value of `${name}` (a field inside a repeat); one value otherwise.
    fn values(&self, name: &str) -> Vec<XValue> {
        vec![self.value(name)]
    }
    /// Number of instances of repeat `${name}`; 1 for an ordinary question.
    fn count(&self, _name: &str) -> usize {
        1
    }
    /// Today's date as `YYYY-MM-DD`.
    fn today(&self) -> String;
    /// A column of the choice a `choice_filter` is deciding on; empty elsewhere.
    fn column(&self, _name: &str) -> XValue {
        XValue::Str(String::new())
    }
}

impl XValue {
    pub fn truthy(&self) -> bool {
        match self {
            XValue::Bool(b) => *b,
            XValue::Num(n) => *n != 0.0 && !n.is_nan(),
            XValue::Str(s) => !s.is_empty(),
        }
    }

    pub fn number(&self) -> f64 {
        match self {
            XValue::Num(n) => *n,
            XValue::Bool(b) => f64::from(u8::from(*b)),
            XValue::Str(s) => str_to_number(s),
        }
    }

    pub fn text(&self) -> String {
        match self {
            XValue::Str(s) => s.clone(),
            XValue::Bool(b) => b.to_string(),
            XValue::Num(n) => number_to_text(*n),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, XValue::Str(s) if s.is_empty())
    }
}

/// XPath's number(): trimmed decimal text, else NaN. Dates (`YYYY-MM-DD`) become days since
/// 1970-01-01, as in ODK, so `${date} < today()` compares dates.
fn str_to_number(s: &str) -> f64 {
    let t = s.trim();
    if t.is_empty() {
        return f64::NAN;
    }
    if let Some(d) = crate::form::parse_date(t) {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        return (d - epoch).num_days() as f64;
    }
    let ok = t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'));
    if ok {
        t.parse().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

fn number_to_text(n: f64) -> String {
    crate::form::number_text(n)
}

fn equal(a: &XValue, b: &XValue) -> bool {
    match (a, b) {
        (XValue::Bool(_), _) | (_, XValue::Bool(_)) => a.truthy() == b.truthy(),
        (XValue::Num(_), _) | (_, XValue::Num(_)) => a.number() == b.number(),
        _ => a.text() == b.text(),
    }
}

pub fn eval(e: &Expr, env: &dyn Env) -> XValue {
    match e {
        Expr::Num(n) => XValue::Num(*n),
        Expr::Str(s) => XValue::Str(s.clone()),
        Expr::Ref(name) => env.value(name),
        Expr::Current => env.current(),
        Expr::Column(name) => env.column(name),
        Expr::Neg(inner) => XValue::Num(-eval(inner, env).number()),
        Expr::Binary(op, a, b) => binary(*op, a, b, env),
        Expr::Call(f, args) => call(*f, args, env),
    }
}

fn binary(op: Op, a: &Expr, b: &Expr, env: &dyn Env) -> XValue {
    // `and` / `or` short-circuit, as in XPath.
    match op {
        Op::Or => return XValue::Bool(eval(a, env).truthy() || eval(b, env).truthy()),
        Op::And => return XValue::Bool(eval(a, env).truthy() && eval(b, env).truthy()),
        _ => {}
    }
    let (x, y) = (eval(a, env), eval(b, env));
    match op {
        Op::Eq => XValue::Bool(equal(&x, &y)),
        Op::Ne => XValue::Bool(!equal(&x, &y)),
        Op::Lt => XValue::Bool(x.number() < y.number()),
        Op::Le => XValue::Bool(x.number() <= y.number()),
        Op::Gt => XValue::Bool(x.number() > y.number()),
        Op::Ge => XValue::Bool(x.number() >= y.number()),
        Op::Add => XValue::Num(x.number() + y.number()),
        Op::Sub => XValue::Num(x.number() - y.number()),
        Op::Mul => XValue::Num(x.number() * y.number()),
        Op::Div => XValue::Num(x.number() / y.number()),
        Op::Mod => XValue::Num(x.number() % y.number()),
        Op::Or | Op::And => unreachable!("handled above"),
    }
}

fn ref_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Ref(n) => Some(n),
        _ => None,
    }
}

fn call(f: Func, args: &[Expr], env: &dyn Env) -> XValue {
    // Arity is checked when parsing; `arg` still never indexes out of range.
    let arg = |i: usize| {
        args.get(i)
            .map(|a| eval(a, env))
            .unwrap_or(XValue::Str(String::new()))
    };
    match f {
        Func::True => XValue::Bool(true),
        Func::False => XValue::Bool(false),
        Func::Not => XValue::Bool(!arg(0).truthy()),
        Func::If => {
            if arg(0).truthy() {
                arg(1)
            } else {
                arg(2)
            }
        }
        Func::Selected => {
            let wanted = arg(1).text();
            let wanted = wanted.trim();
            XValue::Bool(arg(0).text().split_whitespace().any(|v| v == wanted))
        }
        Func::CountSelected => XValue::Num(arg(0).text().split_whitespace().count() as f64),
        Func::StringLength => XValue::Num(arg(0).text().chars().count() as f64),
        Func::Today => XValue::Str(env.today()),
        Func::Int => XValue::Num(arg(0).number().trunc()),
        Func::Round => {
            let x = arg(0).number();
            let places = if args.len() > 1 { arg(1).number() } else { 0.0 };
            if places.is_nan() {
                return XValue::Num(f64::NAN);
            }
            // Half rounds up, as XPath's round(); places kept where f64 can represent them.
            let scale = 10f64.powi(places.trunc().clamp(-15.0, 15.0) as i32);
            XValue::Num((x * scale + 0.5).floor() / scale)
        }
        Func::Count => XValue::Num(match args.first() {
            Some(e) => ref_name(e).map(|n| env.count(n)).unwrap_or(1) as f64,
            None => 0.0,
        }),
        Func::Sum => XValue::Num(match args.first().and_then(ref_name) {
            Some(n) => env.values(n).iter().map(XValue::number).sum(),
            None => arg(0).number(),
        }),
        Func::Coalesce => args
            .iter()
            .map(|a| eval(a, env))
            .find(|v| !v.text().is_empty())
            .unwrap_or(XValue::Str(String::new())),
        Func::Concat => XValue::Str(args.iter().map(|a| eval(a, env).text()).collect()),
    }
}
