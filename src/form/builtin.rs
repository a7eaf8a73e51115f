//! The built-in needs assessment, embedded at compile time and parsed once.

use super::{parse::parse_trusted, Form};
use std::sync::OnceLock;

// forms/community-needs.json, minified by build.rs.
const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/community-needs.min.json"));

/// The built-in questionnaire. Its validity is a test (`builtin_form_parses`), so the
/// `expect` can only fire in a build whose tests failed.
pub fn builtin_form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    // `unwrap_or_else` + `panic!` rather than `expect`: expect would link in the Debug
    // formatting of every error type of the parser, for a case the tests rule out.
    FORM.get_or_init(|| {
        parse_trusted(SOURCE).unwrap_or_else(|_| panic!("the built-in form is invalid"))
    })
}
