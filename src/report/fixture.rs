//! Export files as workers' devices write them, for the tests and the benchmarks: the real
//! export pipeline over synthetic households of a form.

use crate::export::document::{write, Choice, Header};
use crate::export::link::{LinkSealer, ProjectSecret};
use crate::export::project::NEW_PROJECT_RANDOM;
use crate::export::{anonymise, Area, Project, Request};
use crate::form::Form;
use crate::report::import::{Keyring, ProjectKeys};
use crate::response::{sample, Response, Status, Value};
use crate::visits::log::{Outcome, Visit};
use std::collections::BTreeSet;

/// A project with areas A (buildings 1–20), B (21–40) and C (41–60).
pub fn project(seed: u8) -> Project {
    project_and_secret(seed).0
}

/// The coordinator's keyring for `project(seed)`.
pub fn keyring(seed: u8) -> Keyring {
    let (p, secret) = project_and_secret(seed);
    [(
        p.id.clone(),
        ProjectKeys {
            secret,
            sign_key: p.sign_key_bytes(),
            named: None,
        },
    )]
    .into_iter()
    .collect()
}

/// `project(seed)` and its secret key.
pub fn project_and_secret(seed: u8) -> (Project, ProjectSecret) {
    let mut random = [0u8; NEW_PROJECT_RANDOM];
    for (i, b) in random.iter_mut().enumerate() {
        *b = seed
            .wrapping_mul(37)
            .wrapping_add((i as u8).wrapping_mul(7));
    }
    let (mut p, secret) = Project::new("东区入户调查", "幸福社区", &random);
    p.areas = ["1-20", "21-40", "41-60"]
        .iter()
        .zip(["A", "B", "C"])
        .map(|(b, c)| Area {
            code: c.into(),
            buildings: (*b).into(),
        })
        .collect();
    (p, secret)
}

/// A sealer for one export, its ephemeral key drawn from `worker` (the fixtures are
/// reproducible).
fn sealer(p: &Project, worker: &str) -> LinkSealer {
    let mut random = [0u8; 32];
    let h = crate::export::digest::hmac_sha256(worker.as_bytes(), &[p.id.as_bytes()]);
    random.copy_from_slice(&h);
    LinkSealer::new(&p.id, p.public_key.as_deref().unwrap_or(""), random).expect("a project key")
}

/// Household `i` of a worker: a completed response with its place, worker and a date in
/// October or November 2026.
pub fn household(form: &Form, worker: &str, i: usize) -> Response {
    let mut r = sample::completed(form, &format!("{worker}-resp-{i}"), i as u64 * 7919 + 13);
    r.set_answer("building", Some(Value::Text(format!("{}", 1 + i % 60))));
    r.set_answer("unit", Some(Value::Text(format!("{}", 1 + i % 3))));
    r.set_answer("room", Some(Value::Text(format!("{}", 101 + i % 1800))));
    r.household = Some(format!("{}-{}-{}", 1 + i % 60, 1 + i % 3, 101 + i % 1800));
    r.worker = worker.into();
    let day = format!("2026-{:02}-{:02}", 10 + i % 2, 1 + i % 28);
    r.started = format!("{day}T10:00:00+08:00");
    r.completed = Some(format!("{day}T10:30:00+08:00"));
    r.status = Status::Completed;
    r
}

fn visits(worker: &str, n: usize) -> Vec<Visit> {
    (0..n)
        .map(|i| Visit {
            id: format!("{worker}-visit-{i}"),
            household: format!("{}-1-{}", 1 + i % 60, 101 + i),
            at: format!("2026-{:02}-{:02}T10:00:00+08:00", 10 + i % 2, 1 + i % 28),
            worker: worker.into(),
            outcome: if i % 3 == 0 {
                Outcome::NotHome
            } else {
                Outcome::Completed {
                    response: format!("{worker}-resp-{i}"),
                }
            },
        })
        .collect()
}

/// The export file a worker's device writes for `responses`.
pub fn export_of(
    p: &Project,
    form: &Form,
    compiled: &str,
    worker: &str,
    responses: &[Response],
) -> String {
    let rules = crate::form::anonymise_rules(compiled).expect("rules");
    let none = BTreeSet::new();
    let links = sealer(p, worker);
    let req = Request {
        form,
        rules: &rules,
        project: p,
        worker,
        today: "2026-11-24",
        include_free_text: &none,
        links: &links,
        k: None,
    };
    let (records, report) = anonymise(&req, responses).expect("exportable");
    let log = visits(worker, responses.len() * 3 / 2);
    let header = Header {
        form,
        compiled,
        rules: &rules,
        project: p,
        worker,
        exported_at: "2026-11-24T18:00:00+08:00",
        choice: &Choice {
            from: None,
            to: None,
            completed_only: true,
        },
        visits: &log,
        links: &links,
        k: None,
    };
    write(&header, records, &report).expect("written").text
}

/// A worker's export of households `range` of the built-in form.
pub fn worker_export(p: &Project, worker: &str, range: std::ops::Range<usize>) -> String {
    let form = crate::form::builtin_form();
    let responses: Vec<Response> = range.map(|i| household(form, worker, i)).collect();
    export_of(p, form, crate::form::builtin_compiled(), worker, &responses)
}

/// Another worker's file made from `text` by giving every response, household and visit
/// new pseudonyms (for benchmarks that need 100,000 distinct responses without running the
/// export 100,000 times): each household link is opened with the project's secret and
/// sealed again for the new household and id, and the checksums and the signature are
/// made again, so it passes every check. `seed` is the project's, as `project(seed)`.
pub fn variant(text: &str, n: usize, seed: u8) -> String {
    use crate::export::digest::{canonical, sha256_hex};
    use serde_json::Value as J;
    let (p, secret) = project_and_secret(seed);
    let mut doc: J = serde_json::from_str(text).expect("json");
    let opener = secret
        .opener(
            &p.id,
            doc["header"]["link"]["ephemeral"].as_str().expect("a link"),
        )
        .expect("the project's file");
    let links = sealer(&p, &format!("variant {n}"));
    let worker = format!("W{n:03}");
    let relabel = |s: &str| -> String {
        let h = sha256_hex(&format!("{n}/{s}"));
        format!("{}{}", &s[..2], &h[..32])
    };
    let array = |items: &[J]| -> String {
        let mut s = String::from("[");
        for (i, r) in items.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            canonical(r, &mut s);
        }
        s.push(']');
        s
    };
    for key in ["responses", "visits"] {
        if let Some(items) = doc[key].as_array_mut() {
            for r in items.iter_mut() {
                let old = r["id"].as_str().expect("an id").to_owned();
                let id = relabel(&old);
                if let Some(link) = r.get("household_link").and_then(J::as_str) {
                    let flat = opener.open(&old, link).expect("a link that opens");
                    r["household_link"] = J::String(links.seal(&id, &format!("{}/{n}", *flat)));
                }
                r["id"] = J::String(id);
                r["worker"] = J::String(worker.clone());
            }
            items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        }
    }
    let responses = array(doc["responses"].as_array().expect("responses"));
    let visits = array(doc["visits"].as_array().expect("visits"));
    doc["header"]["worker"] = J::String(worker);
    doc["header"]["responses_sha256"] = J::String(sha256_hex(&responses));
    doc["header"]["visits_sha256"] = J::String(sha256_hex(&visits));
    doc["header"]["link"]["ephemeral"] = J::String(links.ephemeral.clone());
    let signature = crate::export::digest::signature(&p.sign_key_bytes(), &doc["header"]);
    doc["header"]["signature"]["value"] = J::String(signature);
    let mut out = String::new();
    canonical(&doc, &mut out);
    out
}

/// Signs `doc`'s header again with the signing key of `project(seed)`: what a member of the
/// project (or a test playing one) does after changing a file.
pub fn resign(doc: &mut serde_json::Value, seed: u8) {
    let p = project(seed);
    let signature = crate::export::digest::signature(&p.sign_key_bytes(), &doc["header"]);
    doc["header"]["signature"]["value"] = serde_json::Value::String(signature);
}
