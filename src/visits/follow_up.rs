//! The follow-up list (the hand-off to case management): households whose answers meet one
//! of the form's follow-up rules (someone over 80 living alone, say) or that the worker
//! flagged. It holds identifiers (where the household lives), so it stays on the device:
//! never part of an anonymised export.

use crate::form::{FollowUpRule, Form};
use crate::i18n::{Lang, Text};
use crate::response::logic::{fill_in, Logic};
use crate::response::Response;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Open,
    /// Handed to a case worker or another service.
    Referred,
    Closed,
}

impl Status {
    /// Counted by the "follow-ups handled" indicator.
    pub fn handled(self) -> bool {
        self != Status::Open
    }
}

/// Why a response is on the list: each rule that holds, its reason with answers filled in.
pub fn reasons(
    form: &Form,
    rules: &[FollowUpRule],
    response: &Response,
    today: &str,
) -> Vec<(String, Text)> {
    if rules.is_empty() {
        return Vec::new();
    }
    let logic = Logic::evaluate(form, response, today);
    rules
        .iter()
        .filter(|r| r.when.expr.eval(&logic.env(response, &[], None)).truthy())
        .map(|r| {
            let text = |lang| fill_in(r.reason.get(lang), form, response, &logic, lang);
            (r.id.clone(), Text::new(text(Lang::Zh), text(Lang::En)))
        })
        .collect()
}
