//! A form's anonymisation rules: how its quasi-identifiers are coarsened before an export,
//! and which of them k-anonymity blanks first. Like the follow-up rules they are written out
//! with the form but read apart from it (`anonymise_rules`), so the survey screens never
//! carry their reader. The export (`crate::export`) applies them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anonymise {
    /// How an answer is coarsened, by question id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub generalise: BTreeMap<String, Generalise>,
    /// Quasi-identifiers in the order k-anonymity blanks them, least important first.
    /// Those not listed follow, last question of the form first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress_order: Vec<String>,
}

impl Anonymise {
    pub fn is_empty(&self) -> bool {
        self.generalise.is_empty() && self.suppress_order.is_empty()
    }
}

/// One coarsening rule. In JSON: `{"bands": {"width": 10, "top": 90}}`, `{"cap": {"at": 6}}`,
/// `"month"`, `"year"`, `"area"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Generalise {
    /// Numbers in bands `width` wide from 0 (`60-69`), everything from `top` up in one
    /// (`90+`).
    Bands { width: u32, top: i64 },
    /// Numbers from `at` up become `"<at>+"` (household size 6 and more: `6+`).
    Cap { at: i64 },
    /// A date to its month, `2026-11`.
    Month,
    /// A date to its year, `2026`.
    Year,
    /// The building to the reporting area the project maps it to; the only rule allowed on
    /// an identifier, since what leaves is the project's code, not the answer.
    Area,
}

impl Generalise {
    /// How the rule reads in the export's header and codebook.
    pub fn describe(&self) -> String {
        match self {
            Generalise::Bands { width, top } => format!("bands of {width}, {top}+ at the top"),
            Generalise::Cap { at } => format!("{at} and more as {at}+"),
            Generalise::Month => "month".into(),
            Generalise::Year => "year".into(),
            Generalise::Area => "area code".into(),
        }
    }
}

/// The anonymisation rules of a form as stored (the JSON `Form` serialises to). An error
/// (a definition this build cannot read) stops the export rather than letting answers out
/// uncoarsened.
pub fn anonymise_rules(compiled: &str) -> Result<Anonymise, String> {
    #[derive(Deserialize)]
    struct Rules {
        #[serde(default)]
        anonymise: Anonymise,
    }
    serde_json::from_str::<Rules>(compiled)
        .map(|r| r.anonymise)
        .map_err(|e| e.to_string())
}
