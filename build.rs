//! Embeds the built-in questionnaire minified: the source stays readable (indented JSON in
//! forms/), the bundle carries no whitespace. Its validity is checked by the unit tests.

use std::{env, fs, path::Path};

fn main() {
    let src = "forms/community-needs.json";
    println!("cargo:rerun-if-changed={src}");
    let text = fs::read_to_string(src).expect("read forms/community-needs.json");
    // A syntax error is reported by the tests with line and column; embed as-is then.
    let out = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v.to_string(),
        Err(_) => text,
    };
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("community-needs.min.json");
    fs::write(dest, out).expect("write minified form");
}
