//! Pseudonyms and checksums. A pseudonym is HMAC-SHA-256 of an id under the project's key:
//! every device of the project turns the same household into the same pseudonym, and
//! without the key nobody can go back from it to a room. Checksums are SHA-256 over
//! canonical JSON (RFC 8785), so any reader can recompute them after parsing.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A pseudonym: `kind` keeps a response id and a household id that happen to be equal from
/// colliding; 128 of the 256 bits, as hex, are plenty to keep a district's households apart.
pub fn pseudonym(key: &[u8], kind: &str, id: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key");
    mac.update(kind.as_bytes());
    mac.update(b"\0");
    mac.update(id.as_bytes());
    let bytes = mac.finalize().into_bytes();
    format!("{}-{}", &kind[..1], super::project::hex(&bytes[..16]))
}

/// SHA-256 of a text, hex.
pub fn sha256_hex(text: &str) -> String {
    super::project::hex(&Sha256::digest(text.as_bytes()))
}

/// JSON as RFC 8785 writes it: no spaces, object keys in UTF-16 order, numbers as
/// JavaScript prints them (the form's numbers are integers or short decimals, where
/// serde_json's shortest form and JavaScript's agree).
pub fn canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                canonical(&map[k], out);
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
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

/// The canonical text of a value.
pub fn canonical_string(v: &serde_json::Value) -> String {
    let mut s = String::new();
    canonical(v, &mut s);
    s
}
