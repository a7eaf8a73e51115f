//! The two interface languages and bilingual text.
//!
//! Form labels carry both languages in the form definition (`Text`); interface strings live in
//! `messages`, one `match` per language so the compiler refuses a string missing in either.

pub mod export;
pub mod handback;
pub mod handover;
pub mod library;
pub mod lock;
pub mod messages;
pub mod projects;
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

/// A text in both languages, as written in a form definition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(rename = "zh-CN")]
    pub zh: String,
    pub en: String,
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
}
