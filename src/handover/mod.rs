//! Hand-over mode: the worker hands the tablet to the resident, who answers one response's
//! resident sections alone and cannot reach anything else on the device.
//!
//! While a hand-over is on, every route is passed through [`Handover::guard`]: the
//! response's own survey screens stay, anything else (the list, other responses, visits,
//! exports, settings, a typed address) becomes the hand-back screen, which asks for the
//! worker's PIN. The state lives in localStorage (`store::HandoverStore`), so a reload, a
//! second tab or the back button leave the tablet where it was.

pub mod pin;

use crate::form::{Audience, Form, Kind, Section};
use crate::route::Route;

/// Minutes without a touch or a key after which the screen goes to the hand-back screen.
pub const DEFAULT_IDLE_MINUTES: u32 = 3;
/// The longest idle time a worker can set: a longer one would leave a tablet open on a
/// table for most of an hour.
pub const MAX_IDLE_MINUTES: u32 = 30;

/// A hand-over in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    /// The response the resident answers: the only one reachable.
    pub id: String,
    /// One question per screen instead of a whole section.
    pub one_by_one: bool,
    pub idle_minutes: u32,
}

impl Handover {
    pub fn new(id: &str, idle_minutes: u32) -> Handover {
        Handover {
            id: id.to_owned(),
            one_by_one: false,
            idle_minutes: idle_minutes.clamp(1, MAX_IDLE_MINUTES),
        }
    }

    /// The stored form: `<id> <one-by-one 0|1> <idle minutes>`. Plain words rather than JSON:
    /// read on every screen change by the app's first load, which then needs no parser.
    pub fn to_value(&self) -> String {
        format!(
            "{} {} {}",
            self.id, self.one_by_one as u8, self.idle_minutes
        )
    }

    /// Reads a stored value. Anything unreadable still locks the device to its id when one
    /// is there: a damaged value must not open the tablet to a resident.
    pub fn parse(value: &str) -> Option<Handover> {
        let mut words = value.split_whitespace();
        let id = words.next()?;
        let one_by_one = words.next() == Some("1");
        let idle = words
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(DEFAULT_IDLE_MINUTES);
        Some(Handover {
            one_by_one,
            ..Handover::new(id, idle)
        })
    }

    /// Where `route` may go while the tablet is handed over: the response's own survey
    /// screens stay; everything else becomes the hand-back screen. The survey screen itself
    /// refuses the worker's sections (it knows the form; this does not).
    pub fn guard(&self, route: Route) -> Route {
        match &route {
            Route::Survey { id, .. } | Route::Question { id, .. } | Route::Unlock { id }
                if *id == self.id =>
            {
                route
            }
            _ => Route::Unlock {
                id: self.id.clone(),
            },
        }
    }

    /// The idle limit in milliseconds.
    pub fn idle_ms(&self) -> f64 {
        f64::from(self.idle_minutes) * 60_000.0
    }
}

/// Without a hand-over, the hand-back screen has nothing to unlock: the response itself.
pub fn unguarded(route: Route) -> Route {
    match route {
        Route::Unlock { id } => Route::Survey { id, section: 0 },
        r => r,
    }
}

/// Whether the resident may see section `i`.
pub fn for_resident(form: &Form, i: usize) -> bool {
    form.sections
        .get(i)
        .is_some_and(|s| s.audience == Audience::Resident)
}

/// The questions of a section that take a screen of their own in one-by-one mode, in
/// order: every question the skip logic shows (`shown`, by id), calculations excepted
/// (they have nothing to show).
pub fn steps(section: &Section, shown: impl Fn(&str) -> bool) -> Vec<&str> {
    section
        .questions
        .iter()
        .filter(|q| !matches!(q.kind, Kind::Calculate { .. }) && shown(&q.id))
        .map(|q| q.id.as_str())
        .collect()
}

/// The step after `current` (the first when `current` is none or no longer shown), or
/// `None` at the section's end.
pub fn step_after<'a>(steps: &[&'a str], current: Option<&str>) -> Option<&'a str> {
    match current.and_then(|c| steps.iter().position(|s| *s == c)) {
        Some(i) => steps.get(i + 1).copied(),
        None => steps.first().copied(),
    }
}

/// The step before `current`, or `None` at the section's start.
pub fn step_before<'a>(steps: &[&'a str], current: Option<&str>) -> Option<&'a str> {
    let i = current.and_then(|c| steps.iter().position(|s| *s == c))?;
    i.checked_sub(1).map(|j| steps[j])
}

/// The question one-by-one mode shows: the one asked for while it is a step, else the
/// section's first.
pub fn current_step<'a>(steps: &[&'a str], asked: Option<&str>) -> Option<&'a str> {
    asked
        .and_then(|a| steps.iter().find(|s| **s == a).copied())
        .or_else(|| steps.first().copied())
}

#[cfg(test)]
mod tests;
