//! A string read from an export file, borrowed from the file's text where it carries no
//! escapes: 100,000 responses' keys and choices parse without a heap string each.

use serde::de::{Deserialize, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A map key, borrowed where it can be.
pub struct Key<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Whether `text` (one JSON value) has an object with the same key twice, anywhere: most
/// readers keep one of the two silently, so a file could say one thing to this app and
/// another to the next reader. The key found twice, if any.
pub fn duplicate_key(text: &str) -> Option<String> {
    use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess};
    struct Any;
    impl<'de> DeserializeSeed<'de> for Any {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Any {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Any)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys: Vec<Key<'de>> = Vec::new();
            while let Some(k) = map.next_key::<Key<'de>>()? {
                if keys.iter().any(|seen| seen.0 == k.0) {
                    return Err(A::Error::custom(format!("\u{0}{}", k.0)));
                }
                map.next_value_seed(Any)?;
                keys.push(k);
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    match Any.deserialize(&mut de) {
        Err(e) => {
            let m = e.to_string();
            m.strip_prefix('\u{0}')
                .map(|k| k.split(" at line ").next().unwrap_or(k).to_owned())
        }
        Ok(()) => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_a_key_twice_at_any_depth() {
        use super::duplicate_key as d;
        assert_eq!(d(r#"{"a":1,"b":{"c":[{"x":1,"y":2}]}}"#), None);
        assert_eq!(d(r#"{"a":1,"a":2}"#).as_deref(), Some("a"));
        assert_eq!(d(r#"{"b":{"c":[{"x":1,"x":1}]}}"#).as_deref(), Some("x"));
        assert_eq!(
            d(r#"{"\u0061":1,"a":2}"#).as_deref(),
            Some("a"),
            "escapes read first"
        );
    }
}
