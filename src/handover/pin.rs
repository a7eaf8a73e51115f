//! The worker's PIN: what makes a new PIN acceptable, how its check value is stored, and the
//! growing wait after wrong tries.
//!
//! The PIN itself is never stored. The record keeps a random salt and PBKDF2-HMAC-SHA-256
//! of the PIN with it (the derivation runs in the browser's WebCrypto, at native speed;
//! see `ui::handover`). Comparing two derived values takes the same time whatever they hold.

use crate::i18n::Lang;

pub const MIN_DIGITS: usize = 6;
pub const MAX_DIGITS: usize = 12;

/// Why a new PIN is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinProblem {
    NotDigits,
    TooShort,
    TooLong,
    /// `111111`, `123456`, `987654`: the first PINs anyone tries.
    TooSimple,
    Mismatch,
}

impl PinProblem {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            PinProblem::NotDigits => ("PIN码只能是数字。", "The PIN can only contain digits."),
            PinProblem::TooShort => ("PIN码至少要6位数字。", "The PIN needs at least 6 digits."),
            PinProblem::TooLong => ("PIN码最多12位数字。", "The PIN can have at most 12 digits."),
            PinProblem::TooSimple => (
                "这个PIN码太容易猜到（重复或连续的数字），请换一个。",
                "This PIN is too easy to guess (repeated or consecutive digits). Choose another.",
            ),
            PinProblem::Mismatch => (
                "两次输入的PIN码不一样，请重新输入。",
                "The two PINs are not the same. Type them again.",
            ),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Checks a new PIN and its confirmation.
pub fn check_new(pin: &str, again: &str) -> Result<(), PinProblem> {
    let digits: Vec<u8> = pin.bytes().collect();
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(PinProblem::NotDigits);
    }
    if digits.len() < MIN_DIGITS {
        return Err(PinProblem::TooShort);
    }
    if digits.len() > MAX_DIGITS {
        return Err(PinProblem::TooLong);
    }
    // Each digit's step from the one before, round the dial (`890` counts as `+1 +1`).
    let steps: Vec<u8> = digits.windows(2).map(|w| (w[1] + 10 - w[0]) % 10).collect();
    if steps.iter().all(|&s| s == steps[0]) && matches!(steps[0], 0 | 1 | 9) {
        return Err(PinProblem::TooSimple);
    }
    if pin != again {
        return Err(PinProblem::Mismatch);
    }
    Ok(())
}

/// Wrong tries so far and when the next one is allowed (ms since the epoch). Stored, so a
/// reload does not reset the wait.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Backoff {
    pub failures: u32,
    pub until: f64,
}

/// Tries allowed before the first wait.
pub const FREE_TRIES: u32 = 3;

impl Backoff {
    pub fn to_value(&self) -> String {
        format!("{} {}", self.failures, self.until as u64)
    }

    pub fn parse(value: &str) -> Backoff {
        let mut words = value.split_whitespace();
        let failures = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
        let until = words
            .next()
            .and_then(|w| w.parse::<u64>().ok())
            .unwrap_or(0) as f64;
        Backoff { failures, until }
    }

    /// Milliseconds to wait before another try at `now`; 0 when one is allowed.
    pub fn wait(&self, now: f64) -> f64 {
        (self.until - now).max(0.0)
    }

    /// After a wrong PIN at `now`: two free tries, then 30 s from the third, doubling each
    /// time up to 16 minutes.
    pub fn failed(self, now: f64) -> Backoff {
        let failures = self.failures + 1;
        let wait = if failures < FREE_TRIES {
            0.0
        } else {
            let doublings = (failures - FREE_TRIES).min(5);
            30_000.0 * f64::from(1u32 << doublings)
        };
        Backoff {
            failures,
            until: now + wait,
        }
    }
}
