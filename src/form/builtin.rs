//! The built-in needs assessment.
//!
//! Its source is `forms/community-needs.json` (the documented format, checked by
//! `parse_form`). The app embeds `community-needs.compiled.json` beside this file instead:
//! the same form already checked and converted, read with plain serde. That keeps the
//! checking parser, its error messages and serde_path_to_error out of the wasm bundle
//! (about 7 KB gzip) while forms from outside still get every check. A test keeps the
//! compiled file equal to what the source compiles to.

use super::Form;
use std::sync::OnceLock;

pub(super) const COMPILED: &str = include_str!("community-needs.compiled.json");

/// The built-in questionnaire's id, version and title, known without reading the form:
/// screens that only name it (the workspace's project editor) then leave its 13 KB of
/// compiled JSON out of their module. A test keeps these equal to the form.
pub const BUILTIN_ID: &str = "community-needs";
pub const BUILTIN_VERSION: u32 = 1;
pub const BUILTIN_TITLE: (&str, &str) = ("社区居民需求调查", "Community resident needs survey");

/// The built-in questionnaire's follow-up rules (see `Form::follow_up`).
pub fn builtin_rules() -> &'static [super::FollowUpRule] {
    static RULES: OnceLock<Vec<super::FollowUpRule>> = OnceLock::new();
    RULES.get_or_init(|| super::follow_up_rules(COMPILED))
}

/// The built-in questionnaire as stored: what an export embeds and hashes.
pub fn builtin_compiled() -> &'static str {
    COMPILED
}

/// The built-in questionnaire's anonymisation rules (see `Form::anonymise`).
pub fn builtin_anonymise() -> super::Anonymise {
    super::anonymise_rules(COMPILED).unwrap_or_default()
}

/// The built-in questionnaire.
pub fn builtin_form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    // `unwrap_or_else` + `panic!` rather than `expect`: expect would link in the Debug
    // formatting of serde's errors, for a case the tests rule out.
    FORM.get_or_init(|| {
        serde_json::from_str(COMPILED).unwrap_or_else(|_| panic!("the built-in form is invalid"))
    })
}
