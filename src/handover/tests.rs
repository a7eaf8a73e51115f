use super::pin::{check_new, Backoff, PinProblem};
use super::*;
use crate::form::builtin_form;

const ID: &str = "0b6c1f7e-8a5d-4c1e-9f1a-3d2b7c9e0a11";

#[test]
fn the_stored_value_round_trips() {
    let mut h = Handover::new(ID, 5);
    h.one_by_one = true;
    assert_eq!(Handover::parse(&h.to_value()), Some(h.clone()));
    h.one_by_one = false;
    assert_eq!(Handover::parse(&h.to_value()), Some(h));
}

#[test]
fn a_damaged_value_still_locks_to_its_response() {
    let h = Handover::parse(&format!("{ID} x")).unwrap();
    assert_eq!(h.id, ID);
    assert!(!h.one_by_one);
    assert_eq!(h.idle_minutes, DEFAULT_IDLE_MINUTES);
    assert_eq!(Handover::parse("   "), None);
    assert_eq!(
        Handover::parse(&format!("{ID} 1 0")).unwrap().idle_minutes,
        1
    );
    assert_eq!(
        Handover::parse(&format!("{ID} 1 999"))
            .unwrap()
            .idle_minutes,
        MAX_IDLE_MINUTES
    );
}

#[test]
fn the_guard_keeps_the_resident_on_their_own_response() {
    let h = Handover::new(ID, 3);
    let unlock = Route::Unlock { id: ID.into() };
    let own = Route::Survey {
        id: ID.into(),
        section: 2,
    };
    assert_eq!(h.guard(own.clone()), own);
    let question = Route::Question {
        id: ID.into(),
        section: 1,
        question: "room".into(),
    };
    assert_eq!(h.guard(question.clone()), question);
    assert_eq!(h.guard(unlock.clone()), unlock);
    let other = "11111111-2222-3333-4444-555555555555".to_string();
    for r in [
        Route::List,
        Route::New,
        Route::Forms,
        Route::Visits,
        Route::Export,
        Route::Workspace,
        Route::Receive,
        Route::Review { id: ID.into() },
        Route::HandBack { id: ID.into() },
        Route::HandOver { id: ID.into() },
        Route::HandOverSettings,
        Route::Survey {
            id: other.clone(),
            section: 0,
        },
        Route::Unlock { id: other.clone() },
    ] {
        assert_eq!(h.guard(r.clone()), unlock, "{r:?}");
    }
    assert_eq!(
        unguarded(Route::Unlock { id: other.clone() }),
        Route::Survey {
            id: other,
            section: 0
        }
    );
    assert_eq!(unguarded(Route::List), Route::List);
}

#[test]
fn the_worker_section_is_not_for_residents() {
    let form = builtin_form();
    let worker = form.worker_section().unwrap();
    assert!(!for_resident(form, worker));
    assert!(for_resident(form, 0));
    assert!(!for_resident(form, form.sections.len()));
}

#[test]
fn one_by_one_steps_skip_calculations_and_hidden_questions() {
    let form = builtin_form();
    let members = form.sections.iter().find(|s| s.id == "members").unwrap();
    let all = steps(members, |_| true);
    assert!(all.contains(&"members"));
    assert!(!all.contains(&"hh_size"), "a calculation has no screen");
    let shown = steps(members, |id| id != "dis_types");
    assert!(!shown.contains(&"dis_types"));
    assert_eq!(shown.len() + 1, all.len());

    let s = ["a", "b", "c"];
    assert_eq!(step_after(&s, None), Some("a"));
    assert_eq!(step_after(&s, Some("a")), Some("b"));
    assert_eq!(step_after(&s, Some("c")), None);
    assert_eq!(step_after(&s, Some("gone")), Some("a"));
    assert_eq!(step_before(&s, Some("b")), Some("a"));
    assert_eq!(step_before(&s, Some("a")), None);
    assert_eq!(step_before(&s, None), None);
    assert_eq!(current_step(&s, Some("c")), Some("c"));
    assert_eq!(current_step(&s, Some("gone")), Some("a"));
    assert_eq!(current_step(&[], None), None);
}

#[test]
fn new_pins_must_be_six_digits_and_not_the_obvious_ones() {
    assert_eq!(check_new("12a456", "12a456"), Err(PinProblem::NotDigits));
    assert_eq!(
        check_new("１２３４５６", "１２３４５６"),
        Err(PinProblem::NotDigits)
    );
    assert_eq!(check_new("58213", "58213"), Err(PinProblem::TooShort));
    assert_eq!(
        check_new("5821358213582", "5821358213582"),
        Err(PinProblem::TooLong)
    );
    for simple in ["000000", "123456", "987654", "4567890"] {
        assert_eq!(
            check_new(simple, simple),
            Err(PinProblem::TooSimple),
            "{simple}"
        );
    }
    assert_eq!(check_new("582139", "582193"), Err(PinProblem::Mismatch));
    assert_eq!(check_new("582139", "582139"), Ok(()));
    assert_eq!(check_new("135791", "135791"), Ok(()), "steps of 2 are fine");
}

#[test]
fn wrong_pins_wait_longer_and_longer() {
    let mut b = Backoff::default();
    let now = 1_000_000.0;
    b = b.failed(now);
    assert_eq!(b.wait(now), 0.0);
    b = b.failed(now);
    assert_eq!(b.wait(now), 0.0);
    b = b.failed(now);
    assert_eq!(b.wait(now), 30_000.0);
    assert_eq!(b.wait(now + 10_000.0), 20_000.0);
    b = b.failed(now);
    assert_eq!(b.wait(now), 60_000.0);
    for _ in 0..20 {
        b = b.failed(now);
    }
    assert_eq!(b.wait(now), 960_000.0, "capped at 16 minutes");
    assert_eq!(Backoff::parse(&b.to_value()), b);
    assert_eq!(Backoff::parse("junk"), Backoff::default());
}
