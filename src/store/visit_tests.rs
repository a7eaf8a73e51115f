//! Walk list, worker profile and visit log in storage.

use super::*;
use crate::form::builtin_form;
use crate::response::sample;
use crate::visits::log::{Outcome, Visit};
use crate::visits::walk::{Household, WalkList};

fn community() -> WalkList {
    let households = crate::visits::walk::brief_community().generate().unwrap();
    WalkList::new("幸福社区", households).unwrap()
}

fn visit(n: usize, household: &str, day: u32, outcome: Outcome) -> Visit {
    Visit {
        id: format!("{n:08x}"),
        household: household.to_owned(),
        at: format!("2026-11-{day:02}T10:{:02}:00+08:00", n % 60),
        worker: "W07".into(),
        outcome,
    }
}

#[test]
fn walk_list_worker_and_visits_round_trip() {
    let kv = MemoryStore::new();
    let store = VisitStore::new(&kv);
    assert_eq!(store.walk_list().unwrap(), None);
    let list = community();
    store.save_walk_list(&list).unwrap();
    assert_eq!(store.walk_list().unwrap().as_ref(), Some(&list));
    assert_eq!(
        store.household("12-2-401").unwrap().as_ref(),
        list.household("12-2-401")
    );
    assert_eq!(
        store.household("v42").unwrap().unwrap().building,
        "42号别墅"
    );
    assert_eq!(store.household("99-9-999").unwrap(), None);
    let w = Worker {
        code: "W07".into(),
        name: "李社工".into(),
        agency: "阳光社工".into(),
        team: "一组".into(),
    };
    assert_eq!(store.worker_code().unwrap(), None);
    store.save_worker(&w).unwrap();
    assert_eq!(store.worker_code().unwrap().as_deref(), Some("W07"));
    use crate::visits::indicators::{Measure, Target};
    assert_eq!(
        store.targets().unwrap(),
        [Target {
            measure: Measure::Visits,
            goal: 200
        }]
    );
    let t = [
        Target {
            measure: Measure::Visits,
            goal: 300,
        },
        Target {
            measure: Measure::CoveragePercent,
            goal: 80,
        },
    ];
    store.save_targets(&t).unwrap();
    assert_eq!(store.targets().unwrap(), t);
    assert_eq!(store.worker().unwrap(), Some(w));
    store
        .add(&visit(1, "1-1-101", 3, Outcome::NotHome))
        .unwrap();
    store
        .add(&visit(
            2,
            "1-1-101",
            2,
            Outcome::ComeBack {
                date: "2026-11-03".into(),
            },
        ))
        .unwrap();
    store
        .add(&visit(
            3,
            "1-1-102",
            3,
            Outcome::Other {
                note: "狗很凶".into(),
            },
        ))
        .unwrap();
    let (visits, damaged) = store.visits().unwrap();
    assert!(damaged.is_empty());
    let ids: Vec<&str> = visits.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["00000002", "00000001", "00000003"], "by day");
    assert_eq!(
        kv.keys()
            .unwrap()
            .iter()
            .filter(|k| k.starts_with("doorstep.v."))
            .count(),
        2,
        "one key a day"
    );
}

#[test]
fn a_full_storage_records_nothing_and_damage_is_kept_apart() {
    let kv = MemoryStore::with_quota(200);
    let store = VisitStore::new(&kv);
    store
        .add(&visit(1, "1-1-101", 3, Outcome::NotHome))
        .unwrap();
    let big = Outcome::Other {
        note: "很长".repeat(100),
    };
    assert_eq!(
        store.add(&visit(2, "1-1-101", 3, big)),
        Err(StoreError::QuotaExceeded)
    );
    assert_eq!(
        store.visits().unwrap().0.len(),
        1,
        "the day kept its one visit"
    );
    kv.set("doorstep.v.2026-11-04", "[not json").unwrap();
    let (visits, damaged) = store.visits().unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(damaged, ["doorstep.v.2026-11-04"]);
    kv.set("doorstep.walk", "幸福社区\n1-1-101 no tabs")
        .unwrap();
    assert!(matches!(store.walk_list(), Err(StoreError::Corrupt { .. })));
}

#[test]
fn a_community_walk_list_and_3000_visits_fit_beside_2130_completed_responses() {
    // The quota Chromium gives (measured in `make bench`), in UTF-16 code units.
    let kv = MemoryStore::with_quota(QUOTA_CHARS);
    let responses = ResponseStore::open(&kv).unwrap();
    let form = builtin_form();
    for n in 0..2_130 {
        let id = format!("{:08x}-0000-4000-8000-{:012x}", n, n);
        responses.create(sample::completed(form, &id, n)).unwrap();
    }
    let store = VisitStore::new(&kv);
    let list = community();
    store.save_walk_list(&list).unwrap();
    let outcomes = [Outcome::NotHome, Outcome::Refused, Outcome::MovedOrVacant];
    for n in 0..3_000 {
        let h: &Household = &list.households[n % list.households.len()];
        let outcome = if n < 2_130 {
            Outcome::Completed {
                response: format!("{:08x}-0000-4000-8000-{:012x}", n, n),
            }
        } else {
            outcomes[n % 3].clone()
        };
        store
            .add(&visit(n, &h.id, 1 + (n % 28) as u32, outcome))
            .unwrap();
    }
    assert_eq!(store.visits().unwrap().0.len(), 3_000);
    let used = kv.chars_used().unwrap();
    println!("community_storage_chars: {used} of {QUOTA_CHARS}");
    assert!(used <= QUOTA_CHARS, "{used}");
}

#[test]
fn follow_up_statuses_are_kept_by_response() {
    use crate::visits::follow_up::Status;
    let store = VisitStore::new(MemoryStore::new());
    assert!(store.follow_ups().unwrap().is_empty());
    store.set_follow_up("r1", Status::Referred).unwrap();
    store.set_follow_up("r2", Status::Open).unwrap();
    store.set_follow_up("r1", Status::Closed).unwrap();
    let all = store.follow_ups().unwrap();
    assert_eq!(all["r1"], Status::Closed);
    assert_eq!(all.values().filter(|s| s.handled()).count(), 1);
}

#[test]
fn completed_surveys_from_households_become_visits_once() {
    let store = VisitStore::new(MemoryStore::new());
    let survey = |r: &str, h: &str, at: &str, declined: bool| crate::store::HouseholdSurvey {
        response: r.into(),
        household: h.into(),
        at: at.into(),
        declined,
    };
    let done = vec![
        survey("r-aaaaaaaa", "1-1-101", "2026-11-03T11:00:00+08:00", false),
        survey("r-bbbbbbbb", "1-1-102", "2026-11-04T11:00:00+08:00", false),
        // Declined at the consent question: a refusal, recorded once too.
        survey("r-cccccccc", "1-1-201", "2026-11-04T12:00:00+08:00", true),
    ];
    assert_eq!(store.record_completed(&done, "W07").unwrap(), 3);
    assert_eq!(
        store.record_completed(&done, "W07").unwrap(),
        0,
        "already in the log"
    );
    let (visits, _) = store.visits().unwrap();
    assert_eq!(visits.len(), 3);
    assert_eq!(visits[1].household, "1-1-102");
    assert_eq!(visits[1].date(), "2026-11-04");
    assert_eq!(visits[0].worker, "W07");
    assert_eq!(visits[2].outcome, crate::visits::log::Outcome::Refused);
    assert_eq!(visits[2].household, "1-1-201");
}
