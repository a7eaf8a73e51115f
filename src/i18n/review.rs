//! Strings of the review screen (src/ui/review.rs), apart from `Msg`: the screen lives in
//! the hand-back module, and `Msg`'s strings are all in the app's first load.

use super::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewMsg {
    Review,
    AllAnswered,
    MarkComplete,
    NeedsAttention,
    HandBack,
}

impl ReviewMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ReviewMsg::Review => ("检查并完成", "Review and finish"),
            ReviewMsg::AllAnswered => (
                "没有需要处理的问题，可以标记为完成。",
                "Nothing needs attention: the response can be marked as completed.",
            ),
            ReviewMsg::MarkComplete => ("标记为完成", "Mark as completed"),
            ReviewMsg::NeedsAttention => ("以下题目需要处理：", "These questions need attention:"),
            ReviewMsg::HandBack => ("交回社工（二维码）", "Hand back to the worker (QR codes)"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// "Completed at …" on the review screen.
pub fn completed_at(lang: Lang, when: &str) -> String {
    match lang {
        Lang::Zh => format!("已于 {when} 完成"),
        Lang::En => format!("Completed {when}"),
    }
}
