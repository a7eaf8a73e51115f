//! `documented`: a form written in the documented format reads back, through the checking
//! parser, as the same form; and what it writes satisfies public/schema/form-v1.json.

use super::*;
use serde_json::{json, Value};

const SOURCE: &str = include_str!("../../forms/community-needs.json");
const SCHEMA: &str = include_str!("../../public/schema/form-v1.json");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

/// The property the export relies on: the documented form is the same form.
fn round_trips(form: &Form) {
    let doc = documented(form);
    let back = parse_form(&doc.to_string()).unwrap_or_else(|e| panic!("{}: {e}", form.id));
    assert_eq!(&back, form, "{}", form.id);
    assert_eq!(
        documented(&back),
        doc,
        "{}: written the same twice",
        form.id
    );
}

/// The built-in form with everything its source has, follow-up and anonymisation rules
/// included (the app's own copy reads those apart).
fn builtin_full() -> Form {
    parse_form(SOURCE).unwrap()
}

fn csv_form(survey: &str, choices: &str, settings: &str) -> Form {
    let mut files = vec![("survey.csv".to_owned(), survey.as_bytes().to_vec())];
    for (name, text) in [("choices.csv", choices), ("settings.csv", settings)] {
        if !text.is_empty() {
            files.push((name.to_owned(), text.as_bytes().to_vec()));
        }
    }
    let book = crate::xlsform::read_files(&files).unwrap();
    parse_form(&crate::xlsform::convert(&book).unwrap().source).unwrap()
}

/// Forms as the XLSForm importer makes them: the committed fixtures (workbook and CSV), and
/// a CSV book using what the fixtures do not (or_other, decimals, a required condition,
/// nested repeats, a choice filter inside a repeat, defaults of every kind).
fn imported_forms() -> Vec<Form> {
    let file = |name: &str| {
        (
            name.to_owned(),
            std::fs::read(format!("{FIXTURES}{name}")).unwrap(),
        )
    };
    let mut forms = Vec::new();
    for files in [
        vec![file("household-visit.xlsx")],
        vec![
            file("household-visit-survey.csv"),
            file("household-visit-choices.csv"),
            file("household-visit-settings.csv"),
        ],
    ] {
        let c = crate::xlsform::convert(&crate::xlsform::read_files(&files).unwrap()).unwrap();
        forms.push(parse_form(&c.source).unwrap());
    }
    forms.push(csv_form(
        "type,name,label::Chinese (zh),label::English (en),hint,required,required_message,relevant,constraint,constraint_message,calculation,default,choice_filter,repeat_count,appearance,privacy\n\
         begin group,about,关于,About,,,,,,,,,,,,\n\
         select_one city or_other,city,城市,City,,yes,请选择,,,,,sz,,,,quasi_identifier\n\
         select_multiple help,help,帮助,Help,可多选,${city} = 'sz',,,,,,meals visits,,,,none\n\
         decimal,income,收入,Income,,,,,. >= 0,不能为负,,1.5,,,,sensitive\n\
         integer,n,人数,People,,,,,,,,2,,,,quasi_identifier\n\
         date,when,日期,Date,,,,,,,,2026-01-31,,,,quasi_identifier\n\
         text,notes,备注,Notes,,,,,,,,none,,,multiline,free_text\n\
         end group,,,,,,,,,,,,,,,\n\
         begin group,people,成员,People,,,,${n} > 0,,,,,,,,\n\
         begin repeat,kids,孩子,Child,,,,,,,,,,${n},,\n\
         text,kid_name,名字,Name,,yes,,,,,,,,,,identifier\n\
         select_one city,kid_city,城市,City,,,,,,,,,name != ${city},,,quasi_identifier\n\
         begin repeat,toys,玩具,Toy,,,,,,,,,,,,\n\
         integer,toy_age,玩具年限,Toy age,,,,,,,,,,,,none\n\
         end repeat,,,,,,,,,,,,,,,\n\
         end repeat,,,,,,,,,,,,,,,\n\
         calculate,toy_years,,,,,,,,,sum(${toy_age}),,,,,none\n\
         note,done,共 ${toy_years} 年,${toy_years} years,,,,,,,,,,,,\n\
         end group,,,,,,,,,,,,,,,\n",
        "list_name,name,label::Chinese (zh),label::English (en),area\n\
         city,sz,深圳,Shenzhen,south\n\
         city,gz,广州,Guangzhou,south\n\
         help,meals,助餐,Meals,\n\
         help,visits,探访,Visits,\n",
        "form_title::Chinese (zh),form_title::English (en),form_id,version\n\
         导入测试,Import test,import_test,4\n",
    ));
    forms
}

fn text(en: &str) -> Value {
    json!({"zh-CN": format!("中{en}"), "en": en})
}

/// A form in the documented format with every question type, and every optional field at
/// least once, not at its default.
fn every_type_source() -> Value {
    let choices = json!([
        {"value": "a", "label": text("A"), "columns": {"zone": "north"}},
        {"value": "b-2", "label": text("B")},
        {"value": "none", "label": text("None")}
    ]);
    json!({
        "format": 1, "id": "every-type_1", "version": 7, "title": text("Every type"),
        "description": text("All of them"),
        "sections": [
            {"id": "first", "title": text("First"), "intro": text("Intro\nline two"),
             "questions": [
                {"id": "consent", "type": "yes_no", "label": text("Consent"), "privacy": "none",
                 "role": "consent", "required": true, "required_message": text("Ask")},
                {"id": "intro", "type": "note", "label": text("Note ${consent}"),
                 "relevant": "${consent} = 'yes'"},
                {"id": "building", "type": "short_text", "label": text("Building"),
                 "privacy": "identifier", "role": "building", "max_length": 20, "default": "A 1"},
                {"id": "unit", "type": "short_text", "label": text("Unit"), "privacy": "identifier",
                 "role": "unit"},
                {"id": "room", "type": "integer", "label": text("Room"), "privacy": "identifier",
                 "role": "room", "min": -5, "max": 9999, "unit": text("no."), "default": "101"},
                {"id": "story", "type": "long_text", "label": text("Story"), "hint": text("Free"),
                 "privacy": "free_text", "max_length": 500, "required": "${consent} = 'yes'"},
                {"id": "weight", "type": "decimal", "label": text("Weight"), "privacy": "sensitive",
                 "min": 0.5, "max": 300, "unit": text("kg"), "default": "2.25",
                 "constraint": ". != 13", "constraint_message": text("Not 13")},
                {"id": "born", "type": "date", "label": text("Born"), "privacy": "quasi_identifier",
                 "default": "today()", "constraint": ". <= today()"},
                {"id": "pick", "type": "single_choice", "label": text("Pick"), "privacy": "none",
                 "choices": choices, "other": true, "default": "b-2",
                 "choice_filter": "zone = 'north' or name != 'a'"},
                {"id": "many", "type": "multiple_choice", "label": text("Many"), "privacy": "none",
                 "choices": choices, "other": true, "max_choices": 2, "exclusive": ["none"],
                 "default": "a b-2", "choice_filter": "name != ${pick}"},
                {"id": "plain", "type": "multiple_choice", "label": text("Plain"), "privacy": "none",
                 "choices": choices},
                {"id": "score", "type": "rating", "label": text("Score"), "privacy": "none",
                 "points": 7, "low": text("Low"), "high": text("High"), "na_label": text("N/A"),
                 "default": "4"},
                {"id": "bare_score", "type": "rating", "label": text("Bare"), "privacy": "none",
                 "points": 2, "low": text("Low"), "high": text("High")},
                {"id": "age", "type": "integer", "label": text("Age"), "privacy": "quasi_identifier"}
            ]},
            {"id": "members", "title": text("Members"), "audience": "worker",
             "relevant": "${consent} = 'yes'",
             "questions": [
                {"id": "count_members", "type": "integer", "label": text("How many"),
                 "privacy": "quasi_identifier", "min": 0, "max": 20},
                {"id": "people", "type": "repeat", "label": text("Person"), "hint": text("Each"),
                 "relevant": "${count_members} > 0", "repeat_count": "${count_members}",
                 "min_count": 1, "max_count": 20, "questions": [
                    {"id": "p_age", "type": "integer", "label": text("Age"),
                     "privacy": "quasi_identifier"},
                    {"id": "pets", "type": "repeat", "label": text("Pet"), "questions": [
                        {"id": "pet_kind", "type": "short_text", "label": text("Kind"),
                         "privacy": "none"}
                    ]}
                 ]},
                {"id": "ages", "type": "calculate", "label": text("Ages"), "privacy": "sensitive",
                 "calculation": "sum(${p_age})", "relevant": "count(${people}) > 0"},
                {"id": "spare", "type": "repeat", "label": text("Spare"), "max_count": 3,
                 "questions": [
                    {"id": "spare_note", "type": "note", "label": text("Spare ${p_age}")}
                 ]}
            ]}
        ],
        "follow_up": [
            {"id": "alone", "when": "${count_members} = 0", "reason": text("Alone ${building}")}
        ],
        "anonymise": {
            "generalise": {
                "building": "area", "age": {"bands": {"width": 10, "top": 90}},
                "count_members": {"cap": {"at": 6}}, "born": "year", "ages": {"cap": {"at": 200}}
            },
            "suppress_order": ["age", "born", "building"]
        }
    })
}

fn every_type() -> Form {
    parse_form(&every_type_source().to_string()).unwrap()
}

#[test]
fn the_built_in_form_round_trips_through_the_documented_format() {
    let full = builtin_full();
    assert!(!full.follow_up.is_empty() && !full.anonymise.is_empty());
    round_trips(&full);
    // The app's own copy, which leaves the rules out, too.
    round_trips(builtin_form());
}

#[test]
fn imported_xlsforms_round_trip_through_the_documented_format() {
    let forms = imported_forms();
    let rich = forms.last().unwrap();
    assert!(rich.question("city").unwrap().kind.has_other());
    assert!(rich.question("help").unwrap().required_if.is_some());
    assert!(rich.question("kid_city").unwrap().choice_filter.is_some());
    assert!(matches!(
        &rich.question("kids").unwrap().kind,
        Kind::Repeat { count: Some(_), .. }
    ));
    assert!(rich.sections[1].relevant.is_some());
    for form in &forms {
        round_trips(form);
    }
}

#[test]
fn every_question_type_round_trips_with_every_field() {
    let form = every_type();
    let kinds: std::collections::HashSet<_> = form
        .questions()
        .map(|(_, q)| std::mem::discriminant(&q.kind))
        .collect();
    assert_eq!(kinds.len(), 12, "every question type");
    round_trips(&form);
    // Written as the documentation spells it, not as the app stores it.
    let doc = documented(&form);
    let q = |s: usize, i: usize| doc["sections"][s]["questions"][i].clone();
    assert_eq!(q(0, 8)["type"], "single_choice");
    assert_eq!(q(0, 8)["other"], true);
    assert_eq!(q(0, 9)["exclusive"], json!(["none"]));
    assert_eq!(q(0, 5)["required"], "${consent} = 'yes'");
    assert_eq!(q(0, 0)["required"], true);
    assert_eq!(q(0, 2)["privacy"], "identifier");
    assert_eq!(q(1, 1)["repeat_count"], "${count_members}");
    assert_eq!(
        q(1, 1)["questions"][1]["questions"][0]["type"],
        "short_text"
    );
    let mut types: Vec<&str> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["questions"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(flatten_doc)
        })
        .map(|q| q["type"].as_str().unwrap())
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(
        types,
        [
            "calculate",
            "date",
            "decimal",
            "integer",
            "long_text",
            "multiple_choice",
            "note",
            "rating",
            "repeat",
            "short_text",
            "single_choice",
            "yes_no"
        ]
    );
    let text = doc.to_string();
    for compiled_only in [
        "\"kind\"",
        "\"count\"",
        "\"required_if\"",
        "null",
        "\"required\":false",
    ] {
        assert!(!text.contains(compiled_only), "{compiled_only} in {text}");
    }
}

/// A question and, after it, the questions of its repeats, as documented JSON.
fn flatten_doc(q: &Value) -> Vec<&Value> {
    let mut out = vec![q];
    for child in q["questions"].as_array().into_iter().flatten() {
        out.extend(flatten_doc(child));
    }
    out
}

/// A question that is required whatever its condition says stays required: the stored
/// shape could hold both, the documented one says `true`.
#[test]
fn always_required_wins_over_a_condition() {
    let mut form = every_type();
    let Section { questions, .. } = &mut form.sections[0];
    questions[0].required_if = Some(Code::parse("1 = 2").unwrap());
    let back = parse_form(&documented(&form).to_string()).unwrap();
    assert!(back.sections[0].questions[0].required);
}

// ---- the JSON Schema ----

/// A draft 2020-12 checker for exactly the keywords public/schema/form-v1.json uses. No
/// validator crate is a dependency (the e2e tests use Ajv, in Node); a keyword or pattern
/// this checker does not know fails the test, so the schema cannot outgrow what is checked.
struct Checker {
    root: Value,
}

impl Checker {
    fn new() -> Checker {
        Checker {
            root: serde_json::from_str(SCHEMA).unwrap(),
        }
    }

    /// The places and keywords `value` fails, empty when it is valid.
    fn errors(&self, value: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.check(&self.root, value, "", &mut out);
        out
    }

    fn valid(&self, schema: &Value, value: &Value) -> bool {
        let mut out = Vec::new();
        self.check(schema, value, "", &mut out);
        out.is_empty()
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
        let schema = match schema {
            // `true`: anything (the schema declares a field it requires, for Ajv's strict mode).
            Value::Bool(true) => return,
            s => s.as_object().expect("schemas here are objects or `true`"),
        };
        let mut fail = |keyword: &str| out.push(format!("{at}: {keyword}"));
        let mut sub = Vec::new();
        for (keyword, s) in schema {
            let ok = match keyword.as_str() {
                "$schema" | "$id" | "title" | "description" | "$defs" => true,
                // `if` is read with `then`; draft 2020-12 ignores a `then` without `if`.
                "if" => true,
                "then" => {
                    if self.valid(&schema["if"], v) {
                        self.check(s, v, at, &mut sub);
                    }
                    true
                }
                "$ref" => {
                    let name = s.as_str().unwrap().strip_prefix("#/$defs/").unwrap();
                    self.check(&self.root["$defs"][name], v, at, &mut sub);
                    true
                }
                "type" => match s.as_str().unwrap() {
                    "object" => v.is_object(),
                    "array" => v.is_array(),
                    "string" => v.is_string(),
                    "boolean" => v.is_boolean(),
                    "number" => v.is_number(),
                    "integer" => v.as_f64().is_some_and(|x| x.fract() == 0.0),
                    t => panic!("type {t}"),
                },
                "const" => v == s,
                "enum" => s.as_array().unwrap().contains(v),
                "minimum" => v.as_f64().is_none_or(|x| x >= s.as_f64().unwrap()),
                "maximum" => v.as_f64().is_none_or(|x| x <= s.as_f64().unwrap()),
                "minLength" => v
                    .as_str()
                    .is_none_or(|t| t.chars().count() as u64 >= s.as_u64().unwrap()),
                "pattern" => v.as_str().is_none_or(|t| pattern(s.as_str().unwrap(), t)),
                "minItems" => v
                    .as_array()
                    .is_none_or(|a| a.len() as u64 >= s.as_u64().unwrap()),
                "uniqueItems" => v
                    .as_array()
                    .is_none_or(|a| a.iter().enumerate().all(|(i, x)| !a[..i].contains(x))),
                "items" => {
                    for (i, x) in v.as_array().into_iter().flatten().enumerate() {
                        self.check(s, x, &format!("{at}/{i}"), &mut sub);
                    }
                    true
                }
                "required" => s.as_array().unwrap().iter().all(|k| {
                    v.as_object()
                        .is_none_or(|o| o.contains_key(k.as_str().unwrap()))
                }),
                "properties" => {
                    for (k, x) in v.as_object().into_iter().flatten() {
                        if let Some(p) = s.get(k) {
                            self.check(p, x, &format!("{at}/{k}"), &mut sub);
                        }
                    }
                    true
                }
                "additionalProperties" => {
                    let known =
                        |k: &String| schema.get("properties").is_some_and(|p| p.get(k).is_some());
                    for (k, x) in v.as_object().into_iter().flatten() {
                        match s {
                            _ if known(k) => {}
                            Value::Bool(false) => sub.push(format!("{at}/{k}: not allowed")),
                            _ => self.check(s, x, &format!("{at}/{k}"), &mut sub),
                        }
                    }
                    true
                }
                "propertyNames" => {
                    for k in v.as_object().into_iter().flatten().map(|(k, _)| k) {
                        self.check(s, &Value::from(k.as_str()), &format!("{at}/{k}"), &mut sub);
                    }
                    true
                }
                "allOf" => {
                    for s in s.as_array().unwrap() {
                        self.check(s, v, at, &mut sub);
                    }
                    true
                }
                "oneOf" => {
                    s.as_array()
                        .unwrap()
                        .iter()
                        .filter(|s| self.valid(s, v))
                        .count()
                        == 1
                }
                k => panic!("the schema uses {k}, which this checker does not know"),
            };
            if !ok {
                fail(keyword);
            }
        }
        out.extend(sub);
    }
}

/// The schema's patterns, by their text, as Rust predicates (no regex crate here).
fn pattern(p: &str, t: &str) -> bool {
    let n = t.chars().count();
    match p {
        // A form id.
        "^[a-z0-9_-]{1,64}$" => {
            (1..=64).contains(&n)
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))
        }
        // A section, question or rule id.
        "^[a-z][a-z0-9_]{0,63}$" => {
            (1..=64).contains(&n)
                && t.starts_with(|c: char| c.is_ascii_lowercase())
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        }
        // A choice value.
        r#"^[^\s'"]{1,64}$"# => {
            (1..=64).contains(&n) && !t.chars().any(|c| c.is_whitespace() || "'\"".contains(c))
        }
        // A text with something in it.
        r"\S" => t.chars().any(|c| !c.is_whitespace()),
        p => panic!("the schema uses the pattern {p}, which this checker does not know"),
    }
}

fn all_forms() -> Vec<Form> {
    let mut forms = vec![builtin_full(), builtin_form().clone(), every_type()];
    forms.extend(imported_forms());
    forms
}

#[test]
fn documented_forms_satisfy_the_json_schema() {
    let checker = Checker::new();
    for form in all_forms() {
        let doc = documented(&form);
        assert_eq!(checker.errors(&doc), Vec::<String>::new(), "{}", form.id);
    }
    // So does the hand-written source the built-in form is made from.
    let source: Value = serde_json::from_str(SOURCE).unwrap();
    assert_eq!(checker.errors(&source), Vec::<String>::new());
}

/// The schema is not vacuous: what the parser refuses, it refuses too, and the stored
/// (compiled) shape is not the documented one.
#[test]
fn the_schema_refuses_malformed_forms() {
    let checker = Checker::new();
    let good = documented(&every_type());
    assert!(checker.errors(&good).is_empty());
    let compiled: Value = serde_json::from_str(builtin::COMPILED).unwrap();
    assert!(!checker.errors(&compiled).is_empty(), "the compiled shape");
    // (where, what is put there; `None` takes the field away). Section 0's questions: 1 a
    // note, 2 short text, 4 integer, 8 single choice, 11 rating; section 1's: 1 a repeat,
    // 2 a calculation.
    let q = "/sections/0/questions";
    let r = "/sections/1/questions";
    let cases = [
        ("/format".to_owned(), Some(json!(2))),
        ("/id".into(), Some(json!("Upper"))),
        ("/version".into(), Some(json!(0))),
        ("/title/en".into(), Some(json!(" "))),
        ("/title".into(), Some(json!({"zh-CN": "中"}))),
        ("/sections".into(), Some(json!([]))),
        ("/kind".into(), Some(json!(1))),
        ("/sections/0/audience".into(), Some(json!("x"))),
        (format!("{q}/2/type"), Some(json!("geopoint"))),
        (format!("{q}/2/privacy"), Some(json!("secret"))),
        (format!("{q}/2/role"), Some(json!("consent"))),
        (format!("{q}/4/privacy"), None),
        (format!("{q}/4/min"), Some(json!(0.5))),
        (format!("{q}/4/choices"), Some(json!([]))),
        (format!("{q}/1/privacy"), Some(json!("none"))),
        (format!("{q}/1/hint"), Some(text("H"))),
        (format!("{q}/8/choices/0/value"), Some(json!("a b"))),
        (format!("{q}/8/max_choices"), Some(json!(1))),
        (format!("{q}/11/points"), Some(json!(11))),
        (format!("{q}/11/low"), None),
        (format!("{r}/1/required"), Some(json!(true))),
        (format!("{r}/1/max_count"), Some(json!(101))),
        (format!("{r}/2/calculation"), None),
        ("/follow_up/0/when".into(), Some(json!(true))),
        (
            "/anonymise/generalise/age".into(),
            Some(json!({"bands": {"width": 0, "top": 90}})),
        ),
        (
            "/anonymise/suppress_order".into(),
            Some(json!(["age", "age"])),
        ),
    ];
    for (pointer, value) in cases {
        let mut doc = good.clone();
        let (parent, field) = pointer.rsplit_once('/').unwrap();
        let parent = doc.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        match value {
            Some(v) => parent.insert(field.into(), v),
            None => parent.remove(field),
        };
        let errors = checker.errors(&doc);
        // Said at the field, at the object missing it, or at a sibling it conflicts with.
        let (question, _) = pointer.rsplit_once('/').unwrap();
        let here = |e: &String| {
            let place = e.split(": ").next().unwrap();
            !place.is_empty() && (pointer.starts_with(place) || place.starts_with(question))
        };
        assert!(errors.iter().any(here), "{pointer}: {errors:?}");
        assert!(
            parse_form(&doc.to_string()).is_err(),
            "{pointer}: the parser refuses it too"
        );
    }
}

/// The schema allows a field on a type exactly when the parser does: every field the
/// schema knows, tried on every type.
#[test]
fn the_schema_allows_the_fields_the_parser_allows() {
    let checker = Checker::new();
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let question = &schema["$defs"]["question"];
    let fields: Vec<&String> = question["properties"].as_object().unwrap().keys().collect();
    let samples = json!({
        "hint": text("H"), "required": true, "required_message": text("R"), "relevant": "1 = 1",
        "constraint": ". != ''", "constraint_message": text("C"), "privacy": "none",
        "role": "building", "calculation": "1", "repeat_count": "2", "min_count": 0,
        "max_count": 5, "choice_filter": "name = 'a'", "other": true, "max_choices": 1,
        "exclusive": ["a"], "min": 0, "max": 1, "unit": text("U"), "max_length": 5,
        "points": 5, "low": text("L"), "high": text("H"), "na_label": text("N"),
        "questions": [{"id": "child", "type": "yes_no", "label": text("C"), "privacy": "none"}],
        "choices": [{"value": "a", "label": text("A")}], "default": "1"
    });
    let minimal = |t: &str| -> Value {
        let mut q = json!({"id": "q", "type": t, "label": text("Q")});
        let needs: &[&str] = match t {
            "note" => &[],
            "repeat" => &["questions"],
            "calculate" => &["privacy", "calculation"],
            "single_choice" | "multiple_choice" => &["privacy", "choices"],
            "rating" => &["privacy", "points", "low", "high"],
            _ => &["privacy"],
        };
        for f in needs {
            q[*f] = samples[*f].clone();
        }
        q
    };
    let form = |q: Value| {
        json!({"format": 1, "id": "f", "version": 1, "title": text("F"),
               "sections": [{"id": "s", "title": text("S"), "questions": [q]}]})
    };
    for t in question["properties"]["type"]["enum"].as_array().unwrap() {
        let t = t.as_str().unwrap();
        let base = form(minimal(t));
        assert!(checker.errors(&base).is_empty(), "{t}");
        parse_form(&base.to_string()).unwrap_or_else(|e| panic!("{t}: {e}"));
        for field in &fields {
            if ["id", "type", "label"].contains(&field.as_str()) {
                continue;
            }
            assert!(!samples[field.as_str()].is_null(), "a sample {field}");
            let mut q = minimal(t);
            q[field.as_str()] = samples[field.as_str()].clone();
            let doc = form(q);
            let schema_allows = checker.errors(&doc).is_empty();
            let parser_allows = match parse_form(&doc.to_string()) {
                Ok(_) => true,
                Err(e) => !matches!(e.problem, parse::Problem::NotUsedByType(_)),
            };
            assert_eq!(schema_allows, parser_allows, "{t}.{field}");
        }
    }
    // And the schema names every field the parser reads: serde lists them when it meets
    // one it does not know.
    let e = parse_form(
        &form(json!({"id": "q", "type": "note", "label": text("Q"), "zzz": 1})).to_string(),
    )
    .unwrap_err();
    let message = e.to_string();
    let mut listed: Vec<&str> = message.split('`').skip(3).step_by(2).collect();
    listed.sort_unstable();
    let mut known: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    known.sort_unstable();
    assert_eq!(listed, known);
}
