//! A passphrase instead of a PIN: what the worker may choose, how it is typed the same way
//! every time, and what a typed text can be.
//!
//! A 6-digit PIN is a million guesses: Argon2id makes each one costly, but a file or a
//! copied localStorage can still be exhausted offline (docs/encryption.md gives the
//! figures). A passphrase (letters in any script, Chinese included) has a space too large
//! to exhaust, if it is not one of the first guesses anyone makes. So the rules are a
//! length, counted so that a Chinese character (thousands in common use) weighs as two
//! letters (26), and a short screen for the guesses that come first: one character over
//! and over, runs like `abcd` or `qwerty`, common passwords. It is a floor, not a meter.

use crate::i18n::Lang;

/// 12 letters, or 6 Chinese characters (each counts 2); spaces do not count.
pub const MIN_UNITS: usize = 12;
/// Long enough for a sentence; a limit so that the text box and the derivation stay sane.
pub const MAX_CHARS: usize = 64;
/// What must be left once the common fragments are taken out: a third word, say.
const MIN_UNITS_LEFT: usize = 8;
/// Fewer different characters than this is a repetition whatever the length.
const MIN_DISTINCT: usize = 5;

/// First guesses (lower case, spaces removed). Kept short: each is taken out of the
/// phrase before its length is counted again.
const COMMON: &[&str] = &[
    "password",
    "passwort",
    "passw0rd",
    "iloveyou",
    "woaini",
    "woaini1314",
    "letmein",
    "welcome",
    "admin",
    "doorstep",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "qwerty",
    "asdfgh",
    "zxcvbn",
    "qazwsx",
    "1qaz2wsx",
    "mima",
    "密码",
    "我爱你",
    "一生一世",
    "社工",
    "社区",
    "abc",
    "xyz",
];
/// Keyboard rows: four keys along one count as a run.
const ROWS: &[&str] = &["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhraseProblem {
    TooShort,
    TooLong,
    /// Digits (and punctuation) only: that is a PIN, the other choice.
    NoLetters,
    /// Repeated characters, runs, common passwords.
    TooSimple,
    Mismatch,
}

impl PhraseProblem {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            PhraseProblem::TooShort => (
                "密码短语太短：至少要12个字母或6个汉字（空格不算）。",
                "The passphrase is too short: it needs at least 12 letters or 6 Chinese characters (spaces do not count).",
            ),
            PhraseProblem::TooLong => (
                "密码短语最多64个字符。",
                "The passphrase can have at most 64 characters.",
            ),
            PhraseProblem::NoLetters => (
                "密码短语要有文字。只用数字的话，请选“PIN码”。",
                "A passphrase needs letters or characters. For digits only, choose “PIN”.",
            ),
            PhraseProblem::TooSimple => (
                "这个密码短语太容易猜到（常用密码、重复或连续的字母），请换一句只有您知道的话。",
                "This passphrase is too easy to guess (a common password, repeated or consecutive letters). Choose a sentence only you know.",
            ),
            PhraseProblem::Mismatch => (
                "两次输入的密码短语不一样，请重新输入。",
                "The two passphrases are not the same. Type them again.",
            ),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The text the key is derived from: spaces at either end dropped and runs of spaces
/// made one, so that a keyboard's added space or a double tap does not lock the worker
/// out. (The screens put it in Unicode NFC first, with the browser's `normalize`: an
/// accented letter is the same bytes from every keyboard.)
pub fn normalise(typed: &str) -> String {
    let mut out = String::with_capacity(typed.len());
    for word in typed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A Chinese (CJK) ideograph: thousands in common use, so it weighs as two letters.
fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn units(chars: &[char]) -> usize {
    chars
        .iter()
        .map(|&c| match c {
            c if c.is_whitespace() => 0,
            c if is_ideograph(c) => 2,
            _ => 1,
        })
        .sum()
}

/// A letter, in the sense of these rules: any character but ASCII digits, punctuation and
/// spaces (Chinese, Cyrillic, accented Latin all count). Said without Unicode's letter
/// tables, which would cost the worker module ~15 KB.
fn is_letter(c: char) -> bool {
    !c.is_ascii_digit() && !c.is_ascii_punctuation() && !c.is_whitespace()
}

/// Whether `typed` could be a passphrase at all: something but digits. What the lock
/// screen checks before it spends a derivation (and a wrong try) on it.
pub fn could_be(typed: &str) -> bool {
    typed
        .chars()
        .any(|c| !c.is_ascii_digit() && !c.is_whitespace())
}

/// Checks a new passphrase and its confirmation (both as typed; compared normalised).
pub fn check_new(phrase: &str, again: &str) -> Result<(), PhraseProblem> {
    let phrase = normalise(phrase);
    if phrase.chars().count() > MAX_CHARS {
        return Err(PhraseProblem::TooLong);
    }
    if !phrase.chars().any(is_letter) {
        return Err(PhraseProblem::NoLetters);
    }
    // Lower case for ASCII only (the common passwords and keyboard rows are ASCII; full
    // Unicode case tables would cost ~11 KB of the worker module).
    let chars: Vec<char> = phrase.chars().map(|c| c.to_ascii_lowercase()).collect();
    if units(&chars) < MIN_UNITS {
        return Err(PhraseProblem::TooShort);
    }
    let solid: Vec<char> = chars
        .iter()
        .copied()
        .filter(|c| !c.is_whitespace())
        .collect();
    // At most 64 characters: a linear search is enough (a sort would cost code).
    let mut distinct: Vec<char> = Vec::new();
    for &c in &solid {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    if distinct.len() < MIN_DISTINCT || units(&without_common(&solid)) < MIN_UNITS_LEFT {
        return Err(PhraseProblem::TooSimple);
    }
    if phrase != normalise(again) {
        return Err(PhraseProblem::Mismatch);
    }
    Ok(())
}

/// `chars` without what a guesser tries first: common passwords, four keys along a
/// keyboard row (either way), the same character three times or more, and runs of three or
/// more characters one code point apart (`abc`, `cba`, `789`).
fn without_common(chars: &[char]) -> Vec<char> {
    let mut taken = vec![false; chars.len()];
    let mut take_all = |word: &[char]| {
        if word.is_empty() || word.len() > chars.len() {
            return;
        }
        for at in 0..=chars.len() - word.len() {
            if chars[at..at + word.len()] == *word {
                taken[at..at + word.len()].fill(true);
            }
        }
    };
    for word in COMMON {
        take_all(&word.chars().collect::<Vec<_>>());
    }
    for row in ROWS {
        let forth: Vec<char> = row.chars().collect();
        let back: Vec<char> = forth.iter().rev().copied().collect();
        for part in forth.windows(4).chain(back.windows(4)) {
            take_all(part);
        }
    }
    // Runs: steps of +1, -1 or 0 between neighbours, three characters or more.
    let step = |a: char, b: char| (b as i64) - (a as i64);
    let mut start = 0;
    while start + 2 < chars.len() {
        let d = step(chars[start], chars[start + 1]);
        let mut end = start + 1;
        if (-1..=1).contains(&d) {
            while end + 1 < chars.len() && step(chars[end], chars[end + 1]) == d {
                end += 1;
            }
        }
        if end - start >= 2 {
            taken[start..=end].fill(true);
            start = end + 1;
        } else {
            start += 1;
        }
    }
    chars
        .iter()
        .zip(taken)
        .filter(|(_, t)| !t)
        .map(|(&c, _)| c)
        .collect()
}
