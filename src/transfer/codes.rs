//! A payload as a series of QR codes, each one a line of text a camera can read in any
//! order: `DS1:<i>/<n>:<set>:<crc>:<data>`.
//!
//! - the payload is deflated, then written in base45 (RFC 9285), whose 45 characters are
//!   exactly QR's alphanumeric mode: 5.5 bits a character instead of byte mode's 8, the
//!   scheme the EU's COVID certificates used;
//! - `<set>` is the first 4 bytes of the payload's SHA-256, in upper-case hex: it ties the
//!   codes of one payload together and checks the whole once assembled;
//! - `<crc>` is the CRC-32 of the code's `<data>`: a misread code is refused on its own,
//!   and the screen can ask for that one again.
//!
//! Every field is in the alphanumeric set too (digits, upper case, `:`, `/`), so a whole
//! code stays in the compact mode.

use crate::i18n::Text;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// What every code begins with: the format and its version.
pub const PREFIX: &str = "DS1:";
/// Characters of payload per code: at most a version-20 code (97 × 97 modules) at error
/// correction level M (a test holds it to that). The end-to-end camera test reads such
/// codes; how far a real tablet camera can be held from a phone is not measured.
pub const CHUNK: usize = 600;
/// More codes than this is not a resident's answers: a typing slip or a hostile code.
pub const MAX_CODES: usize = 40;
/// Inflated size cap, against a small code that inflates to gigabytes.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// Not one of ours (another app's QR code, a URL…).
    NotOurs,
    /// Ours, but a field cannot be read: the camera misread it.
    Damaged,
    /// The code's checksum does not match its data: misread.
    Checksum { index: usize },
    /// A code of another series than the one being scanned.
    OtherSeries,
    /// All codes read, but together they are not what was sent.
    Corrupt,
}

impl CodeError {
    pub fn describe(&self) -> Text {
        match self {
            CodeError::NotOurs => Text::new(
                "这不是 Doorstep 的回传二维码。",
                "This is not a Doorstep return code.",
            ),
            CodeError::Damaged => Text::new(
                "二维码没有读清楚，请再扫一次。",
                "The code was not read cleanly; scan it again.",
            ),
            CodeError::Checksum { index } => Text::new(
                format!("第 {index} 个二维码校验不符（读错了），没有导入。请再扫这一个。"),
                format!("Code {index} fails its checksum (misread) and was not taken. Scan that one again."),
            ),
            CodeError::OtherSeries => Text::new(
                "这个二维码属于另一组回传。请先扫完当前这一组，或重新开始。",
                "This code belongs to another return. Finish the current one first, or start again.",
            ),
            CodeError::Corrupt => Text::new(
                "二维码都读到了，但合起来校验不符，没有导入任何内容。请让居民重新生成二维码。",
                "Every code was read but together they fail the checksum; nothing was imported. Ask the resident to make the codes again.",
            ),
        }
    }
}

fn set_of(payload: &[u8]) -> String {
    Sha256::digest(payload)[..4]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The codes' texts for `payload`, in order.
pub fn encode(payload: &[u8]) -> Vec<String> {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = z.write_all(payload);
    let packed = z.finish().unwrap_or_default();
    let text = base45::encode(packed);
    let set = set_of(payload);
    // base45 is ASCII: splitting by bytes splits by characters.
    let chunks: Vec<&str> = text
        .as_bytes()
        .chunks(CHUNK)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let n = chunks.len().max(1);
    let chunks = if chunks.is_empty() { vec![""] } else { chunks };
    chunks
        .iter()
        .enumerate()
        .map(|(i, data)| {
            let crc = crc32fast::hash(data.as_bytes());
            format!("{PREFIX}{}/{n}:{set}:{crc:08X}:{data}", i + 1)
        })
        .collect()
}

/// One code, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    /// 1-based.
    pub index: usize,
    pub count: usize,
    pub set: String,
    pub data: String,
}

/// Reads one code's text, checking its own checksum.
pub fn read(text: &str) -> Result<Code, CodeError> {
    let rest = text.trim().strip_prefix(PREFIX).ok_or(CodeError::NotOurs)?;
    let mut parts = rest.splitn(4, ':');
    let (Some(pos), Some(set), Some(crc), Some(data)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CodeError::Damaged);
    };
    let (i, n) = pos.split_once('/').ok_or(CodeError::Damaged)?;
    let index: usize = i.parse().map_err(|_| CodeError::Damaged)?;
    let count: usize = n.parse().map_err(|_| CodeError::Damaged)?;
    if index == 0 || index > count || count > MAX_CODES {
        return Err(CodeError::Damaged);
    }
    let hex8 = |s: &str| s.len() == 8 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex8(set) || !hex8(crc) {
        return Err(CodeError::Damaged);
    }
    let crc = u32::from_str_radix(crc, 16).map_err(|_| CodeError::Damaged)?;
    if crc32fast::hash(data.as_bytes()) != crc {
        return Err(CodeError::Checksum { index });
    }
    Ok(Code {
        index,
        count,
        set: set.to_owned(),
        data: data.to_owned(),
    })
}

/// Codes being collected, in whatever order the camera sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    codes: Vec<Option<String>>,
    set: String,
}

impl Series {
    /// Takes one code's text: `Ok(true)` when it was new, `Ok(false)` when already held.
    pub fn add(&mut self, text: &str) -> Result<bool, CodeError> {
        let code = read(text)?;
        if self.codes.is_empty() {
            self.codes = vec![None; code.count];
            self.set = code.set.clone();
        } else if code.set != self.set || code.count != self.codes.len() {
            return Err(CodeError::OtherSeries);
        }
        let slot = &mut self.codes[code.index - 1];
        let new = slot.is_none();
        *slot = Some(code.data);
        Ok(new)
    }

    /// How many codes are held, of how many.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.codes.iter().filter(|c| c.is_some()).count(),
            self.codes.len(),
        )
    }

    /// The codes not yet read, 1-based.
    pub fn missing(&self) -> Vec<usize> {
        self.codes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_none())
            .map(|(i, _)| i + 1)
            .collect()
    }

    /// The payload, once every code is held and the whole checks out.
    pub fn payload(&self) -> Option<Result<Vec<u8>, CodeError>> {
        if self.codes.is_empty() || self.codes.iter().any(Option::is_none) {
            return None;
        }
        let text: String = self.codes.iter().flatten().map(String::as_str).collect();
        Some(unpack(&text, &self.set))
    }
}

fn unpack(text: &str, set: &str) -> Result<Vec<u8>, CodeError> {
    let packed = base45::decode(text).map_err(|_| CodeError::Corrupt)?;
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(&packed[..])
        .take(MAX_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|_| CodeError::Corrupt)?;
    if out.len() as u64 > MAX_BYTES || set_of(&out) != set {
        return Err(CodeError::Corrupt);
    }
    Ok(out)
}
