//! Pseudonyms and checksums. A pseudonym is HMAC-SHA-256 of an id under the project's key:
//! every device of the project turns the same household into the same pseudonym, and
//! without the key nobody can go back from it to a room. Checksums are SHA-256 over
//! canonical JSON (RFC 8785), so any reader can recompute them after parsing.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A pseudonym: `kind` keeps a response id and a household id that happen to be equal from
/// colliding; 128 of the 256 bits, as hex, are plenty to keep a district's households apart.
pub fn pseudonym(key: &[u8], kind: &str, id: &str) -> String {
    let bytes = hmac_sha256(key, &[kind.as_bytes(), b"\0", id.as_bytes()]);
    format!("{}-{}", &kind[..1], super::project::hex(&bytes[..16]))
}

/// HMAC-SHA-256 of the parts, one after the other.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// How export headers are signed (the header's `signature.alg`).
pub const SIGNATURE_ALG: &str = "HMAC-SHA-256";
/// Goes before the header in what is signed, so a signature over anything else never
/// passes for one.
const SIGNED_CONTEXT: &[u8] = b"doorstep-export signature v2\0";

/// The header's signature, hex: HMAC-SHA-256 under the project's signing key over the
/// canonical JSON (RFC 8785) of the header without its `signature`. The header holds the
/// checksums of the responses, the visits and the form, so it covers the whole file.
pub fn signature(key: &[u8], header: &serde_json::Value) -> String {
    super::project::hex(&signing_mac(key, header).finalize().into_bytes())
}

/// Whether `value` (hex) is the header's signature under `key`, compared in constant time.
pub fn signature_holds(key: &[u8], header: &serde_json::Value, value: &str) -> bool {
    super::project::unhex(value)
        .is_some_and(|given| signing_mac(key, header).verify_slice(&given).is_ok())
}

/// The MAC over what is signed: the context, then the header without its signature.
fn signing_mac(key: &[u8], header: &serde_json::Value) -> Hmac<Sha256> {
    let mut unsigned = header.clone();
    if let Some(m) = unsigned.as_object_mut() {
        m.remove("signature");
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key");
    mac.update(SIGNED_CONTEXT);
    mac.update(canonical_string(&unsigned).as_bytes());
    mac
}

/// SHA-256 of a text, hex.
pub fn sha256_hex(text: &str) -> String {
    super::project::hex(&Sha256::digest(text.as_bytes()))
}

/// A JSON string as RFC 8785 (and JavaScript's `JSON.stringify`) writes it: `"` and `\\`
/// escaped, control characters as `\\n` and friends or `\\u00xx`, everything else as is.
fn string(s: &str, out: &mut String) {
    out.push('"');
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// JSON as RFC 8785 writes it: no spaces, object keys in UTF-16 order, numbers as
/// JavaScript prints them (the form's numbers are integers or short decimals, where
/// serde_json's shortest form and JavaScript's agree).
pub fn canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            out.push('{');
            // serde_json's map is ordered by bytes, which is UTF-16 order too unless a key
            // holds characters beyond U+E000: only then sort again.
            let mut entries: Vec<(&String, &J)> = map.iter().collect();
            if entries
                .iter()
                .any(|(k, _)| k.chars().any(|c| c as u32 >= 0xE000))
            {
                entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            }
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(k, out);
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        J::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => out.push_str(&crate::form::number_text(x)),
            _ => out.push_str(&n.to_string()),
        },
        J::String(s) => string(s, out),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Null => out.push_str("null"),
    }
}

/// The canonical text of a value.
pub fn canonical_string(v: &serde_json::Value) -> String {
    let mut s = String::new();
    canonical(v, &mut s);
    s
}
