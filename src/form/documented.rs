//! A form written out in the documented definition format (docs/form-format.md, read by
//! `parse_form`), so that a file carrying it (an export) can be read, and its labels and
//! codebook rebuilt, by someone who knows only the documentation, not the app's compiled
//! shape.
//!
//! Made from the compiled shape (`Form`'s serde) rather than field by field: the two spell
//! everything the same except a question's type and the few fields below, so every other
//! field, including any added later, is carried over unchanged. The tests read the result
//! back with `parse_form` and require the same `Form`.

use super::Form;
use serde_json::{Map, Value};

/// Compiled name → documented name, where they differ.
const RENAMED: [(&str, &str); 2] = [("count", "repeat_count"), ("required_if", "required")];

/// `form` in the documented format: `"type": "single_choice"` and the type's own fields
/// beside the question's, rather than the compiled `"kind": {"SingleChoice": {…}}`.
pub fn documented(form: &Form) -> Value {
    // Cannot fail: every key is a string, and no serialiser of the form returns an error.
    documented_value(serde_json::to_value(form).unwrap_or_default())
}

/// `documented` of a form's compiled JSON as stored (which carries its follow-up and
/// anonymisation rules too).
pub fn documented_value(mut doc: Value) -> Value {
    for section in doc["sections"].as_array_mut().into_iter().flatten() {
        questions(&mut section["questions"]);
    }
    doc
}

fn questions(list: &mut Value) {
    for q in list.as_array_mut().into_iter().flatten() {
        if let Value::Object(q) = q {
            question(q);
        }
    }
}

fn question(q: &mut Map<String, Value>) {
    // The compiled shape writes both; the documented one leaves out "not required", and
    // notes and repeats, which take no answer, have no class at all.
    if q.get("required") == Some(&Value::Bool(false)) {
        q.remove("required");
    }
    if q.get("privacy") == Some(&Value::Null) {
        q.remove("privacy");
    }
    // `"Date"` for a type without fields, `{"Integer": {"min": 0, …}}` for the others.
    let (name, fields) = match q.remove("kind") {
        Some(Value::Object(tagged)) => tagged.into_iter().next().unwrap_or_default(),
        Some(Value::String(name)) => (name, Value::Null),
        _ => return,
    };
    q.insert("type".into(), snake_case(&name).into());
    if let Value::Object(fields) = fields {
        q.extend(fields);
    }
    for (from, to) in RENAMED {
        if let Some(v) = q.remove(from) {
            // `required: true` alongside a condition is required whatever the condition
            // says, which is what keeping the `true` writes.
            q.entry(to).or_insert(v);
        }
    }
    if let Some(children) = q.get_mut("questions") {
        questions(children);
    }
}

/// `SingleChoice` → `single_choice`, as the documented format (and `parse`'s `RawType`)
/// spells types.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
