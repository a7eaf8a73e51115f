//! The built-in needs assessment, embedded at compile time and parsed once.

use super::{parse::parse_trusted, Form};
use std::sync::OnceLock;

// forms/community-needs.json, minified by build.rs.
const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/community-needs.min.json"));

/// The built-in questionnaire. Its validity is a test (`builtin_form_parses`), so the
/// `expect` can only fire in a build whose tests failed.
pub fn builtin_form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    FORM.get_or_init(|| parse_trusted(SOURCE).expect("the built-in form is valid (tested)"))
}
