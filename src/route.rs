//! Screens as URL fragments (`#/r/<id>/3`). Fragments need no server support, so a reload on
//! any screen works from a plain static server and from the service worker's cache alike.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The response list (home).
    List,
    /// Start a new response, then replace this route with the response's own.
    New,
    /// The same, with a form of the library: `#/new/<form>/<version>`.
    NewOf { form: String, version: u32 },
    /// The form library: forms on this device, import and export.
    Forms,
    /// Door-to-door visits: walk list, visit log, coverage, indicators.
    Visits,
    /// The anonymised export, the project settings and the export history.
    Export,
    /// The coordinator's workspace: imported exports, dashboard, indicators, report.
    Workspace,
    /// A response, at one section.
    Survey { id: String, section: usize },
    /// A response at one question (links from the review screen): its section, scrolled
    /// to and focused on the question.
    Question {
        id: String,
        section: usize,
        question: String,
    },
    /// The check-and-complete screen of a response.
    Review { id: String },
    /// A completed response handed back from a resident's own phone as QR codes or a
    /// file (`#/r/<id>/return`, in the coordinator module).
    HandBack { id: String },
    /// The worker's tablet receiving a resident's hand-back: camera, photo or file.
    Receive,
    /// Handing the tablet to the resident the first time, or changing how: the worker's
    /// PIN and the idle time (`#/r/<id>/hand-over`, in the hand-back module).
    HandOver { id: String },
    /// The same settings without a response to hand over (`#/hand-over`, linked from the
    /// export screen's settings).
    HandOverSettings,
    /// The hand-back screen of a hand-over: "please give the tablet back", and the worker's
    /// PIN to leave (`#/r/<id>/unlock`, in the hand-back module).
    Unlock { id: String },
    /// The device lock (`#/lock`, in the hand-back module): the worker's PIN, chosen
    /// there the first time; every route leads here while the device is locked.
    Lock,
}

impl Route {
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            ["new"] => Route::New,
            ["new", form, v] if valid_form(form) => match v.parse() {
                Ok(version) => Route::NewOf {
                    form: (*form).to_owned(),
                    version,
                },
                Err(_) => Route::List,
            },
            ["forms"] => Route::Forms,
            ["visits"] => Route::Visits,
            ["export"] => Route::Export,
            ["workspace"] => Route::Workspace,
            ["receive"] => Route::Receive,
            ["hand-over"] => Route::HandOverSettings,
            ["lock"] => Route::Lock,
            ["r", id] if valid_id(id) => Route::Survey {
                id: (*id).to_owned(),
                section: 0,
            },
            ["r", id, "review"] if valid_id(id) => Route::Review {
                id: (*id).to_owned(),
            },
            ["r", id, "return"] if valid_id(id) => Route::HandBack {
                id: (*id).to_owned(),
            },
            ["r", id, "hand-over"] if valid_id(id) => Route::HandOver {
                id: (*id).to_owned(),
            },
            ["r", id, "unlock"] if valid_id(id) => Route::Unlock {
                id: (*id).to_owned(),
            },
            ["r", id, n, q] if valid_id(id) && valid_question(q) => match n.parse() {
                Ok(section) => Route::Question {
                    id: (*id).to_owned(),
                    section,
                    question: (*q).to_owned(),
                },
                Err(_) => Route::List,
            },
            ["r", id, n] if valid_id(id) => match n.parse() {
                Ok(section) => Route::Survey {
                    id: (*id).to_owned(),
                    section,
                },
                Err(_) => Route::List,
            },
            _ => Route::List,
        }
    }

    pub fn to_hash(&self) -> String {
        match self {
            Route::List => "#/".into(),
            Route::New => "#/new".into(),
            Route::NewOf { form, version } => format!("#/new/{form}/{version}"),
            Route::Forms => "#/forms".into(),
            Route::Visits => "#/visits".into(),
            Route::Export => "#/export".into(),
            Route::Workspace => "#/workspace".into(),
            Route::Survey { id, section } => format!("#/r/{id}/{section}"),
            Route::Question {
                id,
                section,
                question,
            } => format!("#/r/{id}/{section}/{question}"),
            Route::Review { id } => format!("#/r/{id}/review"),
            Route::HandBack { id } => format!("#/r/{id}/return"),
            Route::Receive => "#/receive".into(),
            Route::HandOver { id } => format!("#/r/{id}/hand-over"),
            Route::HandOverSettings => "#/hand-over".into(),
            Route::Unlock { id } => format!("#/r/{id}/unlock"),
            Route::Lock => "#/lock".into(),
        }
    }
}

/// Question ids: lower-case letters, digits and `_` (see the form format).
fn valid_question(q: &str) -> bool {
    !q.is_empty()
        && q.len() <= 64
        && q.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Form ids: lower-case letters, digits, `_` and `-` (see the form format).
fn valid_form(f: &str) -> bool {
    !f.is_empty()
        && f.len() <= 64
        && f.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Response ids are UUIDs; anything else in a URL is not one of ours.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let id = "0b6c1f7e-8a5d-4c1e-9f1a-3d2b7c9e0a11".to_string();
        for r in [
            Route::List,
            Route::New,
            Route::Forms,
            Route::NewOf {
                form: "household_visit".into(),
                version: 3,
            },
            Route::Visits,
            Route::Export,
            Route::Workspace,
            Route::Survey {
                id: id.clone(),
                section: 3,
            },
            Route::Question {
                id: id.clone(),
                section: 2,
                question: "hh_size".into(),
            },
            Route::Review { id: id.clone() },
            Route::HandBack { id: id.clone() },
            Route::Receive,
            Route::HandOver { id: id.clone() },
            Route::HandOverSettings,
            Route::Unlock { id },
        ] {
            assert_eq!(Route::parse(&r.to_hash()), r);
        }
    }

    #[test]
    fn unknown_or_hostile_fragments_go_home() {
        assert_eq!(Route::parse(""), Route::List);
        assert_eq!(Route::parse("#/r/<script>/1"), Route::List);
        assert_eq!(Route::parse("#/r/abc/x"), Route::List);
        assert_eq!(Route::parse("#/r/abc/1/<b>"), Route::List);
        assert_eq!(Route::parse("#/elsewhere"), Route::List);
        assert_eq!(Route::parse("#/new/<x>/1"), Route::List);
        assert_eq!(Route::parse("#/new/visit/v2"), Route::List);
        assert_eq!(
            Route::parse("#/r/abc"),
            Route::Survey {
                id: "abc".into(),
                section: 0
            }
        );
    }
}
