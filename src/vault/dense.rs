//! Bytes as text for localStorage, 15 bits to a character.
//!
//! localStorage counts its quota in UTF-16 code units. Base64 spends one unit on 6 bits, so
//! encrypted records would take a third more room than the bytes; here every unit carries 15
//! bits, one code point of `U+3400..U+B3FF` (CJK, Yi and Hangul blocks: all assigned or
//! reserved BMP code points, no surrogates, nothing JSON must escape). Ciphertext of an
//! ASCII record then takes about half the units its plain text did, which is why the
//! encrypted store holds more responses, not fewer. It also means a raw dump can never
//! show an ASCII run such as a phone number or a room by chance.

const BASE: u32 = 0x3400;

/// `bytes` as characters, and whether the last character carries a whole spare byte of
/// padding (then `decode` must drop one byte).
pub fn encode(bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len() * 8 / 15 * 3 + 6);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        if bits >= 15 {
            bits -= 15;
            push(&mut out, (acc >> bits) & 0x7FFF);
            acc &= (1 << bits) - 1;
        }
    }
    let mut spare = false;
    if bits > 0 {
        push(&mut out, (acc << (15 - bits)) & 0x7FFF);
        spare = 15 - bits >= 8;
    }
    (out, spare)
}

fn push(out: &mut String, v: u32) {
    // In range by construction: BASE + 0x7FFF stays below the surrogates.
    if let Some(c) = char::from_u32(BASE + v) {
        out.push(c);
    }
}

/// The bytes back, or `None` for a character outside the alphabet.
pub fn decode(text: &str, spare: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 3 * 15 / 8 + 1);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in text.chars() {
        let v = (c as u32).checked_sub(BASE).filter(|v| *v < 0x8000)?;
        acc = (acc << 15) | v;
        bits += 15;
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    // Padding is zeros: one text for one byte string, so an edit anywhere is an edit.
    if acc != 0 || (spare && out.pop()? != 0) {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_round_trips() {
        for n in 0..70usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let (text, spare) = encode(&bytes);
            assert_eq!(
                decode(&text, spare).as_deref(),
                Some(&bytes[..]),
                "length {n}"
            );
            // One unit per 15 bits, rounded up.
            assert_eq!(text.chars().count(), (n * 8).div_ceil(15));
        }
    }

    #[test]
    fn stays_in_its_alphabet() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        let (text, _) = encode(&bytes);
        assert!(text.chars().all(|c| (0x3400..0xB400).contains(&(c as u32))));
        assert!(!text.contains(['"', '\\']));
    }

    #[test]
    fn refuses_other_characters() {
        assert_eq!(decode("abc", false), None);
        assert_eq!(decode("\u{B400}", false), None);
    }
}
