//! The two interface languages and bilingual text.
//!
//! Form labels carry both languages in the form definition (`Text`); interface strings live in
//! `messages`, one `match` per language so the compiler refuses a string missing in either.

pub mod backup;
pub mod export;
pub mod handback;
pub mod handover;
pub mod library;
pub mod lock;
pub mod messages;
pub mod projects;
pub mod review;
pub mod visits;
pub mod workspace;

pub use messages::Msg;
use serde::{Deserialize, Serialize};

/// Interface language. zh-CN first: it is the default everywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// BCP 47 tag, for `<html lang>` and speech.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads `zh`, `zh-CN`, `en`, `en-GB`…; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language asked for by a `?lang=` query string, if any.
    pub fn from_query(query: &str) -> Option<Lang> {
        query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    }

    /// The one of a pair of texts written in this language.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// A text in both languages, as written in a form definition: `{"zh-CN": …, "en": …}`,
/// both required, nothing else.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    #[serde(rename = "zh-CN")]
    pub zh: String,
    pub en: String,
}

/// Read by hand: every label of a form is one, and the derived reader (map and list
/// forms, a field enum) cost the first load twice this one's wasm. Same JSON, same errors.
impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        const FIELDS: &[&str] = &["zh-CN", "en"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("struct Text")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let (mut zh, mut en) = (None, None);
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let slot = match &*key {
                        "zh-CN" => &mut zh,
                        "en" => &mut en,
                        other => return Err(A::Error::unknown_field(other, FIELDS)),
                    };
                    if slot.is_some() {
                        return Err(A::Error::duplicate_field(if key == "en" {
                            "en"
                        } else {
                            "zh-CN"
                        }));
                    }
                    *slot = Some(map.next_value::<String>()?);
                }
                Ok(Text {
                    zh: zh.ok_or_else(|| A::Error::missing_field("zh-CN"))?,
                    en: en.ok_or_else(|| A::Error::missing_field("en"))?,
                })
            }
        }
        d.deserialize_struct("Text", FIELDS, V)
    }
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }

    pub fn is_complete(&self) -> bool {
        !self.zh.trim().is_empty() && !self.en.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_selects_language() {
        assert_eq!(Lang::from_query("?lang=en"), Some(Lang::En));
        assert_eq!(Lang::from_query("?x=1&lang=zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_query("?lang=fr"), None);
        assert_eq!(Lang::from_query(""), None);
    }

    #[test]
    fn text_picks_language() {
        let t = Text::new("是", "Yes");
        assert_eq!(t.get(Lang::Zh), "是");
        assert_eq!(t.get(Lang::En), "Yes");
        assert!(t.is_complete());
        assert!(!Text::new("是", " ").is_complete());
    }

    #[test]
    fn text_reads_both_languages_and_nothing_else() {
        let t: Text = serde_json::from_str(r#"{"en":"Yes","zh-CN":"是"}"#).unwrap();
        assert_eq!(t, Text::new("是", "Yes"));
        assert_eq!(
            serde_json::from_str::<Text>(&serde_json::to_string(&t).unwrap()).unwrap(),
            t
        );
        // Escaped keys and texts too (keys then arrive owned, not borrowed).
        let t: Text = serde_json::from_str(r#"{"zh\u002dCN":"\"是\"","en":"a\nb"}"#).unwrap();
        assert_eq!(t, Text::new("\"是\"", "a\nb"));
        for (json, error) in [
            (r#"{"zh-CN":"是"}"#, "missing field `en`"),
            (r#"{"en":"Yes"}"#, "missing field `zh-CN`"),
            (
                r#"{"zh-CN":"是","en":"Yes","fr":"Oui"}"#,
                "unknown field `fr`",
            ),
            (
                r#"{"zh-CN":"是","zh-CN":"否","en":"Yes"}"#,
                "duplicate field `zh-CN`",
            ),
            (r#"{"zh-CN":"是","en":3}"#, "invalid type"),
            (r#""是""#, "invalid type"),
        ] {
            let e = serde_json::from_str::<Text>(json).unwrap_err().to_string();
            assert!(e.contains(error), "{json}: {e}");
        }
    }
}
