//! Hostile export files: a good worker export of `fixture::project(seed)` changed the way a
//! careless or hostile sender would, then given matching checksums and signed again with
//! the project's signing key (the sender is a member: the signature cannot be what stops
//! them). The import must refuse every one whole (tests in `report::tests`; the end-to-end
//! test feeds some to the workspace screen).

use super::fixture::{project, resign, worker_export};
use super::rules::Problem;
use crate::export::digest::{canonical_string, sha256_hex};
use serde_json::{json, Value as J};

/// What a hostile file must be refused for.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// A bad answer to this question, with this problem (compared by kind).
    Answer(String, Problem),
    /// The file's shape (a field, a key twice, a header that disagrees with its form).
    Invalid,
    BadK,
}

/// One hostile file.
pub struct Hostile {
    pub name: &'static str,
    pub text: String,
    pub expect: Expect,
}

/// Checksums, count and signature made to match `doc` again, as a member of the project
/// would after changing it.
pub fn reseal(doc: &mut J, seed: u8) {
    for (part, field) in [
        ("responses", "responses_sha256"),
        ("visits", "visits_sha256"),
    ] {
        let text = canonical_string(&doc[part]);
        doc["header"][field] = J::String(sha256_hex(&text));
    }
    let n = doc["responses"].as_array().map_or(0, Vec::len);
    doc["header"]["count"] = json!(n);
    resign(doc, seed);
}

/// Every class of hostile file, from one good export of 6 households.
pub fn hostile_files(seed: u8) -> Vec<Hostile> {
    let p = project(seed);
    let good = worker_export(&p, "W09", 0..6);
    let base: J = serde_json::from_str(&good).expect("json");
    let mut out = Vec::new();
    let mut one = |name: &'static str, expect: Expect, change: &dyn Fn(&mut J)| {
        let mut doc = base.clone();
        change(&mut doc);
        reseal(&mut doc, seed);
        out.push(Hostile {
            name,
            text: doc.to_string(),
            expect,
        });
    };
    let answer = |q: &'static str, v: J| {
        move |d: &mut J| {
            d["responses"][0]["answers"][q] = v.clone();
        }
    };
    let a = |q: &str, p: Problem| Expect::Answer(q.to_owned(), p);
    use Problem as P;
    one(
        "a number far too large",
        a("med_spend", P::OutOfRange),
        &answer("med_spend", json!(1e308)),
    );
    one(
        "a negative amount",
        a("med_spend", P::OutOfRange),
        &answer("med_spend", json!(-5)),
    );
    one(
        "NaN as a text",
        a("med_spend", P::WrongType),
        &answer("med_spend", json!("NaN")),
    );
    one(
        "a rating of 9",
        a("safe_feel", P::OutOfRange),
        &answer("safe_feel", json!(9)),
    );
    one(
        "a rating half way",
        a("safe_feel", P::OutOfRange),
        &answer("safe_feel", json!(2.5)),
    );
    one(
        "not applicable where the rating has none",
        a("safe_feel", P::NotAChoice(String::new())),
        &answer("safe_feel", json!("na")),
    );
    one(
        "a value that is not a choice",
        a("house_type", P::NotAChoice(String::new())),
        &answer("house_type", json!("castle")),
    );
    one(
        "a number for a choice",
        a("house_type", P::WrongType),
        &answer("house_type", json!(3)),
    );
    one(
        "text for a yes/no",
        a("reg_meds", P::WrongType),
        &answer("reg_meds", json!("yes")),
    );
    one(
        "more choices than allowed",
        a("top_needs", P::TooManyChoices(3)),
        &answer("top_needs", json!(["jobs", "legal", "lunch", "health"])),
    );
    one(
        "a choice twice",
        a("top_needs", P::RepeatedChoice(String::new())),
        &answer("top_needs", json!(["jobs", "jobs"])),
    );
    one(
        "\"none\" with another choice",
        a("station", P::NotAlone(String::new())),
        &answer("station", json!(["none", "bp"])),
    );
    one(
        "a choice not in a multiple choice",
        a("station", P::NotAChoice(String::new())),
        &answer("station", json!(["castle"])),
    );
    one(
        "not a date",
        a("last_check", P::NotGeneralised),
        &answer("last_check", json!("2026-02-30")),
    );
    one(
        "an exact check-up date where the month is exported",
        a("last_check", P::NotGeneralised),
        &answer("last_check", json!("2026-02-03")),
    );
    one(
        "an exact household size",
        a("hh_size", P::NotGeneralised),
        &answer("hh_size", json!("9")),
    );
    one(
        "a room number",
        a("room", P::Identifier),
        &answer("room", json!("1203")),
    );
    one(
        "a building",
        a("building", P::Identifier),
        &answer("building", json!("12")),
    );
    one(
        "a comment the header does not declare",
        a("comments", P::Undeclared),
        &answer("comments", json!("王秀英 13812345678")),
    );
    one(
        "a worker's note with a phone number",
        a("fu_notes", P::Undeclared),
        &answer("fu_notes", json!("call 13812345678")),
    );
    one(
        "a declared comment longer than the form allows",
        a("comments", P::TooLong(300)),
        &|d: &mut J| {
            d["header"]["free_text_included"] = json!({"comments": 1});
            d["responses"][0]["answers"]["comments"] = J::String("很".repeat(301));
        },
    );
    one(
        "a 2 MB comment",
        a("comments", P::TooLong(300)),
        &|d: &mut J| {
            d["header"]["free_text_included"] = json!({"comments": 1});
            d["responses"][0]["answers"]["comments"] = J::String("x".repeat(2 << 20));
        },
    );
    one(
        "an answer to a note",
        Expect::Invalid,
        &answer("thanks", json!("hi")),
    );
    one(
        "an exact age in the roster",
        a("m_age", P::NotGeneralised),
        &|d: &mut J| d["responses"][0]["answers"]["members"][0]["m_age"] = json!("34"),
    );
    one(
        "an age band that is not one",
        a("m_age", P::NotGeneralised),
        &|d: &mut J| d["responses"][0]["answers"]["members"][0]["m_age"] = json!("35-44"),
    );
    one(
        "a name in the roster",
        a("m_rel", P::NotAChoice(String::new())),
        &|d: &mut J| d["responses"][0]["answers"]["members"][0]["m_rel"] = json!("张伟"),
    );
    one(
        "more members than the roster takes",
        a("members", P::TooManyItems(20)),
        &|d: &mut J| {
            let item = d["responses"][0]["answers"]["members"][0].clone();
            d["responses"][0]["answers"]["members"] = J::Array(vec![item; 21]);
        },
    );
    one(
        "an \"other\" text the header does not declare",
        a("resp_rel", P::Undeclared),
        &|d: &mut J| d["responses"][0]["other"] = json!({"resp_rel": "邻居王阿姨"}),
    );
    one(
        "an \"other\" text on a question without \"other\"",
        a("house_type", P::StrayOther),
        &|d: &mut J| {
            d["header"]["free_text_included"] = json!({"house_type#other": 1});
            d["responses"][0]["other"] = json!({"house_type": "x"});
        },
    );
    one(
        "a __proto__ path",
        a("__proto__", P::StrayOther),
        &|d: &mut J| d["responses"][0]["other"] = json!({"__proto__": "x"}),
    );
    one(
        "a __proto__ answer",
        Expect::Invalid,
        &answer("__proto__", json!({"polluted": true})),
    );
    one("k = 0", Expect::BadK, &|d: &mut J| {
        d["header"]["k"] = json!(0)
    });
    one("k = 1", Expect::BadK, &|d: &mut J| {
        d["header"]["k"] = json!(1)
    });
    one(
        "a header form id unlike its definition",
        Expect::Invalid,
        &|d: &mut J| d["header"]["form"]["id"] = json!("another-form"),
    );
    one(
        "a header form version unlike its definition",
        Expect::Invalid,
        &|d: &mut J| d["header"]["form"]["version"] = json!(99),
    );
    one("a response field unknown", Expect::Invalid, &|d: &mut J| {
        d["responses"][0]["note"] = json!("13812345678")
    });
    // Keys twice: written into the text, as no JSON library writes them.
    let twice = |name: &'static str, expect: Expect, find: &str, with: &str| {
        let mut doc = base.clone();
        reseal(&mut doc, seed);
        let text = doc.to_string().replacen(find, with, 1);
        assert_ne!(text, doc.to_string(), "{name}: nothing replaced");
        Hostile { name, text, expect }
    };
    let q = base["responses"][0]["answers"]
        .as_object()
        .and_then(|m| m.keys().next())
        .expect("an answer")
        .clone();
    let v = base["responses"][0]["answers"][&q].to_string();
    // Canonically the same answers: the checksum still holds, the signature too.
    out.push(twice(
        "an answer twice",
        Expect::Answer(q.clone(), Problem::Twice),
        &format!("\"answers\":{{\"{q}\":"),
        &format!("\"answers\":{{\"{q}\":{v},\"{q}\":"),
    ));
    out.push(twice(
        "a header key twice",
        Expect::Invalid,
        "\"header\":{",
        "\"header\":{\"k\":3,",
    ));
    out
}
