use super::*;
use std::collections::HashMap;

/// Answers by name; `.` is `current`. Repeat fields are lists.
#[derive(Default)]
struct Answers {
    values: HashMap<&'static str, XValue>,
    repeats: HashMap<&'static str, Vec<XValue>>,
    current: Option<XValue>,
}

impl Answers {
    fn with(mut self, name: &'static str, v: XValue) -> Self {
        self.values.insert(name, v);
        self
    }
    fn current(mut self, v: XValue) -> Self {
        self.current = Some(v);
        self
    }
}

impl Env for Answers {
    fn value(&self, name: &str) -> XValue {
        self.values
            .get(name)
            .cloned()
            .unwrap_or(XValue::Str(String::new()))
    }
    fn current(&self) -> XValue {
        self.current.clone().unwrap_or(XValue::Str(String::new()))
    }
    fn values(&self, name: &str) -> Vec<XValue> {
        self.repeats
            .get(name)
            .cloned()
            .unwrap_or_else(|| vec![self.value(name)])
    }
    fn count(&self, name: &str) -> usize {
        self.repeats.get(name).map_or(1, Vec::len)
    }
    fn today(&self) -> String {
        "2026-11-24".into()
    }
}

fn num(n: f64) -> XValue {
    XValue::Num(n)
}
fn s(t: &str) -> XValue {
    XValue::Str(t.into())
}

fn eval(text: &str, env: &Answers) -> XValue {
    Expr::parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .eval(env)
}

fn truth(text: &str, env: &Answers) -> bool {
    eval(text, env).truthy()
}

#[test]
fn xlsform_documentation_examples() {
    // relevant
    let env = Answers::default().with("has_children", s("yes"));
    assert!(truth("${has_children} = 'yes'", &env));
    assert!(!truth("${has_children} != 'yes'", &env));
    // constraint on the question's own value
    let adult = Answers::default().current(num(35.0));
    assert!(truth(". >= 18 and . <= 120", &adult));
    assert!(!truth(
        ". >= 18 and . <= 120",
        &Answers::default().current(num(130.0))
    ));
    // calculation
    let env = Answers::default().with("a", num(2.0)).with("b", s("3"));
    assert_eq!(eval("${a} + ${b}", &env), num(5.0));
    let env = Answers::default().with("age", num(12.0));
    assert_eq!(eval("if(${age} > 18, 'adult', 'child')", &env), s("child"));
    let env = Answers::default().with("bmi", num(22.456));
    assert_eq!(eval("round(${bmi}, 2)", &env), num(22.46));
    // multiple choice
    let env = Answers::default().with("colors", s("red blue"));
    assert!(truth("selected(${colors}, 'red')", &env));
    assert!(!truth("selected(${colors}, 'green')", &env));
    assert_eq!(eval("count-selected(${colors})", &env), num(2.0));
    let none_alone = Answers::default().current(s("none lunch"));
    assert!(!truth(
        "not(selected(., 'none') and count-selected(.) > 1)",
        &none_alone
    ));
    // text length, dates
    let phone = Answers::default().current(s("13800000000"));
    assert!(truth("string-length(.) = 11", &phone));
    let env = Answers::default().with("d", s("2026-11-01"));
    assert!(truth("${d} <= today()", &env));
    assert!(!truth("${d} > today()", &env));
}

#[test]
fn unanswered_is_empty_false_and_nan() {
    let env = Answers::default();
    assert!(!truth("${age} > 60", &env));
    assert!(!truth("${age} <= 60", &env), "NaN compares false both ways");
    assert!(truth("${age} = ''", &env));
    assert!(eval("${age} + 1", &env).number().is_nan());
    assert_eq!(eval("coalesce(${age}, 0)", &env), num(0.0));
    assert_eq!(eval("concat('a', ${x}, 'b')", &env), s("ab"));
    assert!(!truth("selected(${q}, 'v')", &env));
    assert_eq!(eval("count-selected(${q})", &env), num(0.0));
}

#[test]
fn arithmetic_precedence_and_operators() {
    let env = Answers::default();
    assert_eq!(eval("1 + 2 * 3", &env), num(7.0));
    assert_eq!(eval("(1 + 2) * 3", &env), num(9.0));
    assert_eq!(eval("7 div 2", &env), num(3.5));
    assert_eq!(eval("7 mod 3", &env), num(1.0));
    assert_eq!(eval("-7 mod 3", &env), num(-1.0));
    assert_eq!(eval("-3 + 2", &env), num(-1.0));
    assert_eq!(eval("- - 2", &env), num(2.0));
    assert_eq!(eval("int(37 div 10) * 10", &env), num(30.0));
    assert_eq!(eval("int(-2.7)", &env), num(-2.0));
    assert_eq!(eval("round(2.5)", &env), num(3.0));
    assert_eq!(eval("round(-2.5)", &env), num(-2.0));
    assert!(eval("1 div 0", &env).number().is_infinite());
    assert!(truth("1 < 2 and 2 < 3 or 0", &env));
    assert!(
        truth("1 = 1 = true()", &env),
        "left to right: (1 = 1) = true()"
    );
    assert!(
        truth("2 > 1 = 1", &env),
        "relational binds tighter than equality"
    );
    assert!(truth("not(false())", &env));
    assert_eq!(eval("string-length('社区食堂')", &env), num(4.0));
}

#[test]
fn comparisons_follow_xpath_types() {
    let env = Answers::default().with("n", s("10")).with("t", s("abc"));
    assert!(
        truth("${n} = 10", &env),
        "text compared with a number as a number"
    );
    assert!(truth("${n} = '10'", &env));
    assert!(!truth("${n} = '10.0'", &env), "text with text as text");
    assert!(truth("${n} > 9", &env));
    assert!(!truth("${t} > 1", &env));
    assert!(truth("${t} = 'abc' and true()", &env));
    assert!(truth("${n} = true()", &env), "non-empty is true");
}

#[test]
fn repeats_count_and_sum() {
    let mut env = Answers::default();
    env.repeats
        .insert("age", vec![num(30.0), num(62.0), s("8")]);
    env.repeats.insert("members", vec![s(""), s(""), s("")]);
    assert_eq!(eval("count(${members})", &env), num(3.0));
    assert_eq!(eval("sum(${age})", &env), num(100.0));
    env.repeats.insert("age", vec![num(30.0), s("")]);
    assert!(
        eval("sum(${age})", &env).number().is_nan(),
        "a blank makes sum NaN, as in XPath"
    );
}

#[test]
fn refs_are_collected() {
    let e = Expr::parse("${a} + ${b} * ${a} > count(${m}) and . = 1").unwrap();
    let refs: Vec<_> = e.refs().into_iter().collect();
    assert_eq!(refs, ["a", "b", "m"]);
    assert!(e.uses_current());
    assert!(!Expr::parse("${a}").unwrap().uses_current());
}

fn error_at(text: &str) -> (usize, String) {
    let e = Expr::parse(text).expect_err(text);
    (e.position, e.message)
}

#[test]
fn mistakes_are_reported_with_their_position() {
    assert_eq!(error_at("${age > 3").0, 1);
    let (pos, msg) = error_at("${a} >");
    assert_eq!(pos, 7, "{msg}");
    assert!(msg.contains("ends too early"));
    let (pos, msg) = error_at("1 + foo(2)");
    assert_eq!(pos, 5);
    assert!(msg.contains("unknown function"));
    let (pos, msg) = error_at("age > 3");
    assert_eq!(pos, 1);
    assert!(msg.contains("${age}"), "{msg}");
    let (pos, msg) = error_at("if(1, 2)");
    assert_eq!(pos, 1);
    assert!(msg.contains("3 argument"), "{msg}");
    assert_eq!(error_at("'abc").0, 1);
    assert_eq!(error_at("1 + + 2").0, 5);
    assert_eq!(error_at("(1 + 2").0, 7);
    assert_eq!(error_at("1 2").0, 3);
    assert_eq!(error_at("1 ! 2").0, 3);
    assert_eq!(error_at("selected('a b', 'a')").0, 1);
    assert_eq!(error_at("").0, 1);
    assert_eq!(error_at("${}").0, 1);
    let (pos, _) = error_at("${a} = 1 and # 2");
    assert_eq!(pos, 14);
}

#[test]
fn absurd_nesting_and_length_are_refused_not_crashed() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(Expr::parse(&deep).is_err());
    let minus = format!("{}1", "-".repeat(10_000));
    assert!(Expr::parse(&minus).is_err());
    let nested_calls = format!("{}1{}", "not(".repeat(100), ")".repeat(100));
    assert!(Expr::parse(&nested_calls).is_err());
    let fine = format!("{}1{}", "(".repeat(30), ")".repeat(30));
    assert!(Expr::parse(&fine).is_ok());
}

#[cfg(not(target_arch = "wasm32"))]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "${a}",
        "${b}",
        "${rep}",
        ".",
        "1",
        "0",
        "-",
        "2.5",
        "'x'",
        "\"y\"",
        "'2026-01-02'",
        "(",
        ")",
        ",",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "*",
        " div ",
        " mod ",
        " and ",
        " or ",
        "not(",
        "if(",
        "selected(",
        "count-selected(",
        "string-length(",
        "today()",
        "int(",
        "round(",
        "count(",
        "sum(",
        "coalesce(",
        "concat(",
        "true()",
        "false()",
        " ",
        "$",
        "{",
        "}",
        "'",
        "!",
        "é",
        "社",
    ];

    fn env_from(a: f64, b: String, current: bool) -> Answers {
        let mut env = Answers::default()
            .with("a", num(a))
            .with("b", XValue::Str(b));
        if current {
            env = env.current(XValue::Bool(true));
        }
        env.repeats.insert("rep", vec![num(a), s("")]);
        env
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Any text at all: parse returns, never panics.
        #[test]
        fn parsing_arbitrary_text_never_panics(text in ".{0,80}") {
            let _ = Expr::parse(&text);
        }

        /// Token soup close to the grammar (most of it invalid, some valid): parse and, when
        /// it parses, evaluate with odd values; neither panics.
        #[test]
        fn grammar_soup_never_panics(
            parts in proptest::collection::vec(0..PIECES.len(), 1..40),
            a in proptest::num::f64::ANY,
            b in ".{0,12}",
            current in any::<bool>(),
        ) {
            let text: String = parts.iter().map(|&i| PIECES[i]).collect();
            if let Ok(e) = Expr::parse(&text) {
                let v = e.eval(&env_from(a, b, current));
                let _ = (v.truthy(), v.number(), v.text());
            }
        }
    }
}
