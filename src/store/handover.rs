//! Hand-over in storage: the hand-over in progress (`doorstep.handover`), the worker's PIN
//! check (`doorstep.pin`), the settings chosen (`doorstep.handover.idle`,
//! `doorstep.handover.one`) and the wrong-PIN wait (`doorstep.pin.fails`). Small plain values: the app's first load reads the first on
//! every screen change without a JSON parser.

use super::{KvStore, StoreError};
use crate::handover::pin::Backoff;
use crate::handover::{Handover, DEFAULT_IDLE_MINUTES, MAX_IDLE_MINUTES};

pub const HANDOVER_KEY: &str = "doorstep.handover";
/// Where the hand-over PIN's check was kept before the device PIN replaced it: removed
/// by the device's first lock.
pub(super) const LEGACY_PIN_KEY: &str = "doorstep.pin";
const IDLE_KEY: &str = "doorstep.handover.idle";
/// "1" when hand-overs show one question per screen.
const ONE_KEY: &str = "doorstep.handover.one";
pub(super) const FAILS_KEY: &str = "doorstep.pin.fails";
/// In sessionStorage: the survey screen the resident was on when the hand-back screen came
/// up, for "continue answering".
pub const RESUME_KEY: &str = "doorstep.handover.at";

pub struct HandoverStore<S: KvStore> {
    kv: S,
}

impl<S: KvStore> HandoverStore<S> {
    pub fn new(kv: S) -> Self {
        HandoverStore { kv }
    }

    /// The hand-over in progress. A value that cannot be read is storage failing, and then
    /// nothing is locked: there is nothing the resident could see either.
    pub fn current(&self) -> Option<Handover> {
        self.kv
            .get(HANDOVER_KEY)
            .ok()
            .flatten()
            .and_then(|v| Handover::parse(&v))
    }

    /// Hands response `id` over, the way the worker chose in the settings.
    pub fn begin(&self, id: &str) -> Result<Handover, StoreError> {
        let h = Handover {
            one_by_one: self.one_by_one(),
            ..Handover::new(id, self.idle_minutes())
        };
        self.kv.set(HANDOVER_KEY, &h.to_value())?;
        Ok(h)
    }

    pub fn stop(&self) -> Result<(), StoreError> {
        self.kv.remove(HANDOVER_KEY)
    }

    /// Whether the hand-over settings were saved once: the first hand-over shows them
    /// (the PIN is the device's, chosen on first use: `store::vault`).
    pub fn is_set_up(&self) -> bool {
        matches!(self.kv.get(IDLE_KEY), Ok(Some(_)))
    }

    pub fn idle_minutes(&self) -> u32 {
        self.kv
            .get(IDLE_KEY)
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok())
            .map_or(DEFAULT_IDLE_MINUTES, |m: u32| m.clamp(1, MAX_IDLE_MINUTES))
    }

    pub fn set_idle_minutes(&self, minutes: u32) -> Result<(), StoreError> {
        self.kv
            .set(IDLE_KEY, &minutes.clamp(1, MAX_IDLE_MINUTES).to_string())
    }

    pub fn one_by_one(&self) -> bool {
        matches!(
            self.kv.get(ONE_KEY).as_ref().map(|v| v.as_deref()),
            Ok(Some("1"))
        )
    }

    pub fn set_one_by_one(&self, on: bool) -> Result<(), StoreError> {
        self.kv.set(ONE_KEY, if on { "1" } else { "0" })
    }

    pub fn backoff(&self) -> Backoff {
        self.kv
            .get(FAILS_KEY)
            .ok()
            .flatten()
            .map(|v| Backoff::parse(&v))
            .unwrap_or_default()
    }

    pub fn set_backoff(&self, b: &Backoff) -> Result<(), StoreError> {
        if b.failures == 0 {
            self.kv.remove(FAILS_KEY)
        } else {
            self.kv.set(FAILS_KEY, &b.to_value())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn a_hand_over_is_kept_until_stopped() {
        let kv = MemoryStore::new();
        let s = HandoverStore::new(&kv);
        assert_eq!(s.current(), None);
        let h = s.begin("abc-1").unwrap();
        assert_eq!(h.idle_minutes, DEFAULT_IDLE_MINUTES);
        assert!(!h.one_by_one);
        assert_eq!(HandoverStore::new(&kv).current(), Some(h));
        s.stop().unwrap();
        assert_eq!(s.current(), None);
        // The settings chosen apply to the next hand-over.
        s.set_one_by_one(true).unwrap();
        s.set_idle_minutes(7).unwrap();
        let h = s.begin("abc-2").unwrap();
        assert!(h.one_by_one);
        assert_eq!(h.idle_minutes, 7);
        assert_eq!(s.current(), Some(h));
    }

    #[test]
    fn the_idle_time_and_the_wait_are_kept() {
        let kv = MemoryStore::new();
        let s = HandoverStore::new(&kv);
        assert!(!s.is_set_up());
        s.set_idle_minutes(10).unwrap();
        assert!(s.is_set_up());
        assert_eq!(s.idle_minutes(), 10);
        s.set_idle_minutes(0).unwrap();
        assert_eq!(s.idle_minutes(), 1);
        kv.set(IDLE_KEY, "soon").unwrap();
        assert_eq!(s.idle_minutes(), DEFAULT_IDLE_MINUTES);

        let b = Backoff::default().failed(5.0).failed(5.0).failed(5.0);
        s.set_backoff(&b).unwrap();
        assert_eq!(s.backoff(), b);
        s.set_backoff(&Backoff::default()).unwrap();
        assert_eq!(kv.get(FAILS_KEY), Ok(None));
    }
}
