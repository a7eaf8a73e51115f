//! A borrowed JSON value for reading export files fast: strings point into the file's text
//! where they carry no escapes, so 100,000 responses parse without a heap string per answer
//! (serde_json's `Value` would allocate every one).

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum In<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    List(Vec<In<'a>>),
    Obj(Vec<(Cow<'a, str>, In<'a>)>),
}

impl<'a> In<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            In::Str(s) => Some(s),
            _ => None,
        }
    }
}

struct InVisitor;

impl<'de> Visitor<'de> for InVisitor {
    type Value = In<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<In<'de>, E> {
        Ok(In::Null)
    }
    fn visit_none<E>(self) -> Result<In<'de>, E> {
        Ok(In::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<In<'de>, E> {
        Ok(In::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<In<'de>, E> {
        Ok(In::Num(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<In<'de>, E> {
        Ok(In::Num(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<In<'de>, E> {
        Ok(In::Num(n))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<In<'de>, E> {
        Ok(In::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<In<'de>, E> {
        Ok(In::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<In<'de>, E> {
        Ok(In::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<In<'de>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element::<In<'de>>()? {
            out.push(v);
        }
        Ok(In::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<In<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Key<'de>>()? {
            out.push((k.0, map.next_value::<In<'de>>()?));
        }
        Ok(In::Obj(out))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for In<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(InVisitor).map(|v: In<'de>| v)
    }
}

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
