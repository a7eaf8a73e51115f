//! Every interface string, in zh-CN and English. One `match` arm per message returns both,
//! so a message cannot exist in one language only.

use super::Lang;
use crate::response::IssueKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    AppName,
    SwitchLanguage,
    SwitchLanguageLabel,
    Responses,
    NewSurvey,
    NoResponses,
    Draft,
    Completed,
    Started,
    Resume,
    Open,
    Delete,
    Cancel,
    ConfirmDeleteTitle,
    ConfirmDeleteBody,
    ConfirmDelete,
    StorageUsed,
    StorageNearlyFull,
    StorageUnavailable,
    StorageRefused,
    NewerSchema,
    WhereDataLives,
    Offline,
    SectionNav,
    Previous,
    Next,
    ReviewAndFinish,
    BackToList,
    Required,
    Saved,
    Saving,
    NotOnDisk,
    NotSavedFull,
    NotSavedOther,
    ConflictChanged,
    ConflictDeleted,
    LoadTheirs,
    KeepMine,
    PleaseSpecify,
    Yes,
    No,
    Other,
    ClearAnswer,
    Reopen,
    NotFound,
    UpdateReady,
    Reload,
    Synced,
    Declined,
    GoToWorker,
    SectionSkipped,
    AddItem,
    RemoveItem,
    ConfirmRemoveItem,
    MoveUp,
    MoveDown,
    FormLibrary,
    FormMissing,
    WorkerUnavailable,
    Loading,
    Visits,
    Export,
    /// The coordinator's workspace: imports, dashboard, report.
    Workspace,
    ReadAloud,
    NoVoice,
    HandOver,
    GiveBack,
    Finish,
    DeclinedHandOver,
    Receive,
}

impl Msg {
    pub fn yes_no(b: bool) -> Msg {
        if b {
            Msg::Yes
        } else {
            Msg::No
        }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Msg::AppName => ("Doorstep 入户调查", "Doorstep household survey"),
            Msg::SwitchLanguage => ("English", "中文"),
            Msg::SwitchLanguageLabel => ("切换到英文", "Switch to Chinese"),
            Msg::Responses => ("走访记录", "Responses"),
            Msg::NewSurvey => ("开始新调查", "New survey"),
            Msg::FormLibrary => ("问卷库", "Form library"),
            Msg::FormMissing => (
                "找不到这份回答所用的问卷版本。请先在问卷库中导入该问卷。",
                "The form version of this response is not on this device. Import that form into the library first.",
            ),
            Msg::WorkerUnavailable => (
                "无法载入问卷库。请联网刷新页面后再试。",
                "The form library could not be loaded. Reload the page (online) and try again.",
            ),
            Msg::Loading => ("正在载入…", "Loading…"),
            Msg::Visits => ("入户走访", "Visits"),
            Msg::Export => ("导出", "Export"),
            Msg::Workspace => ("汇总分析", "Workspace"),
            Msg::ReadAloud => ("朗读这道题", "Read this question aloud"),
            Msg::HandOver => ("交给居民填写", "Hand to the resident"),
            Msg::GiveBack => ("交还社工", "Give back to the worker"),
            Msg::Finish => ("填完了", "Finished"),
            Msg::DeclinedHandOver => (
                "没关系，谢谢您。请把平板交还给社工。",
                "That is fine, thank you. Please give the tablet back to the social worker.",
            ),
            Msg::NoVoice => (
                "这台设备没有中文朗读语音。可在系统设置的“文字转语音”里添加中文语音。",
                "This device has no voice for English speech. Add one in the system's text-to-speech settings.",
            ),
            Msg::Receive => ("接收居民回传", "Receive a resident's answers"),
            Msg::NoResponses => (
                "还没有记录。点“开始新调查”开始第一户。",
                "No responses yet. Tap “New survey” to start with the first household.",
            ),
            Msg::Draft => ("草稿", "Draft"),
            Msg::Completed => ("已完成", "Completed"),
            Msg::Started => ("开始", "Started"),
            Msg::Resume => ("继续填写", "Resume"),
            Msg::Open => ("查看", "Open"),
            Msg::Delete => ("删除", "Delete"),
            Msg::Cancel => ("取消", "Cancel"),
            Msg::ConfirmDeleteTitle => ("删除这条记录？", "Delete this response?"),
            Msg::ConfirmDeleteBody => (
                "删除后所有答案都无法恢复。",
                "All its answers will be gone for good.",
            ),
            Msg::ConfirmDelete => ("确认删除", "Delete for good"),
            Msg::StorageUsed => ("本设备存储已用", "Storage used on this device"),
            Msg::StorageNearlyFull => (
                "存储空间快满了。满了以后新的答案将无法保存：请尽快删除不再需要的记录。",
                "Storage is nearly full. Once it is full, new answers cannot be saved: delete responses you no longer need soon.",
            ),
            Msg::StorageUnavailable => (
                "这个浏览器不允许本应用保存数据（可能开着无痕 / 隐私模式，或禁用了网站数据）。在这里填写的答案会丢失。请用普通窗口打开本应用后再开始调查。",
                "This browser does not let the app save anything (private browsing, or site data blocked). Answers entered here would be lost. Open the app in a normal window before you start a survey.",
            ),
            Msg::StorageRefused => (
                "浏览器现在不让本应用读取存储（可能阻止了本网站的数据）：本机的调查暂时无法显示，但没有被删除。请在浏览器设置里允许本网站保存数据，再打开本应用。",
                "The browser does not let the app read its storage now (site data blocked?): the surveys on this device cannot be shown, but are not deleted. Allow this site to keep data in the browser's settings, then open the app again.",
            ),
            Msg::NewerSchema => (
                "这台设备上的数据是由更新版本的 Doorstep 保存的。请刷新页面以载入新版本；在此之前，数据不会被改动。",
                "The data on this device was saved by a newer version of Doorstep. Reload the page to get the new version; until then the data is left untouched.",
            ),
            Msg::WhereDataLives => (
                "所有答案只保存在这台设备的浏览器里，不会上传。请勿清除浏览器的网站数据；把本应用添加到主屏幕，可避免浏览器自动清理。",
                "All answers stay in this device's browser and are never uploaded. Don't clear the browser's site data; add the app to the home screen so the browser does not clean it up.",
            ),
            Msg::Offline => ("离线：答案照常保存在本机", "Offline: answers are still saved on this device"),
            Msg::SectionNav => ("调查部分", "Survey sections"),
            Msg::Previous => ("上一部分", "Previous"),
            Msg::Next => ("下一部分", "Next"),
            Msg::ReviewAndFinish => ("检查并完成", "Review and finish"),
            Msg::BackToList => ("返回列表", "Back to list"),
            Msg::Required => ("必答", "required"),
            Msg::Saved => ("已自动保存", "Saved automatically"),
            Msg::Saving => ("正在保存…", "Saving…"),
            Msg::NotOnDisk => (
                "最新的答案还没能写入磁盘，正在重试。请不要关闭页面或关机。",
                "The latest answers are not on disk yet; trying again. Do not close the page or switch off.",
            ),
            Msg::NotSavedFull => (
                "存储空间已满：刚才的答案没有存进设备（暂时留在这个页面里），之前保存的答案都还在。请回到列表，删除不再需要的记录腾出空间，再回来继续：暂留的答案会自动保存。",
                "Storage is full: the last answer was not stored on the device (this tab holds it for now); everything saved before is safe. Go back to the list, delete responses you no longer need to make room, then come back: the held answer is saved automatically.",
            ),
            Msg::NotSavedOther => (
                "答案没有保存，之前保存的答案都还在。请不要关闭页面，再试一次。",
                "The answer was not saved; everything saved before is safe. Keep this page open and try again.",
            ),
            Msg::ConflictChanged => (
                "这份记录刚在另一个标签页里被修改了。为避免互相覆盖，本页暂停保存。请选择保留哪一份。",
                "This response was just changed in another tab. To avoid one overwriting the other, this tab has stopped saving. Choose which answers to keep.",
            ),
            Msg::ConflictDeleted => (
                "这份记录已在另一个标签页里被删除。本页暂停保存。",
                "This response was deleted in another tab. This tab has stopped saving.",
            ),
            Msg::LoadTheirs => ("使用另一个标签页的版本", "Use the other tab's version"),
            Msg::KeepMine => ("保留本页的答案", "Keep the answers in this tab"),
            Msg::PleaseSpecify => ("请注明", "Please specify"),
            Msg::Other => ("其他", "Other"),
            Msg::Yes => ("是", "Yes"),
            Msg::No => ("否", "No"),
            Msg::ClearAnswer => ("清除答案", "Clear answer"),
            Msg::Reopen => ("重新打开修改", "Reopen to change"),
            Msg::NotFound => (
                "找不到这份记录，可能已被删除。",
                "This response was not found; it may have been deleted.",
            ),
            Msg::UpdateReady => (
                "新版本已安装，刷新后生效。已保存的答案不受影响。",
                "A new version is installed and takes effect on reload. Saved answers are not affected.",
            ),
            Msg::Reload => ("刷新", "Reload"),
            Msg::Declined => (
                "居民不同意参加：不再向居民提问。请填写住址和社工部分（访问结果），然后完成。",
                "The resident declined: ask nothing more. Fill in the address and the worker section (visit outcome), then finish.",
            ),
            Msg::GoToWorker => ("去社工部分", "Go to the worker section"),
            Msg::AddItem => ("添加一项", "Add one"),
            Msg::RemoveItem => ("删除这一项", "Remove this one"),
            Msg::ConfirmRemoveItem => (
                "删除这一项和它的所有答案？",
                "Remove this one and all its answers?",
            ),
            Msg::MoveUp => ("上移", "Move up"),
            Msg::MoveDown => ("下移", "Move down"),
            Msg::SectionSkipped => (
                "根据前面的回答，这一部分不适用，可以直接进入下一部分。",
                "Given the earlier answers, this section does not apply: go on to the next one.",
            ),
            Msg::Synced => (
                "已更新为另一个标签页里的最新答案",
                "Updated with the latest answers from another tab",
            ),
        };
        lang.pick(zh, en)
    }
}

/// Section position, "第 2/13 部分" / "Section 2 of 13".
pub fn section_of(lang: Lang, i: usize, n: usize) -> String {
    match lang {
        Lang::Zh => format!("第 {i}/{n} 部分"),
        Lang::En => format!("Section {i} of {n}"),
    }
}

/// "已答 12/58 题" / "12 of 58 answered".
pub fn answered_of(lang: Lang, a: usize, t: usize) -> String {
    match lang {
        Lang::Zh => format!("已答 {a}/{t} 题"),
        Lang::En => format!("{a} of {t} answered"),
    }
}

/// "已用 12%（约 610 KB）" / "12% used (about 610 KB)".
pub fn storage_share(lang: Lang, percent: f64, chars: usize) -> String {
    let kb = chars * 2 / 1024;
    // One decimal, by integer arithmetic: no float formatting in the bundle.
    let tenths = (percent * 10.0).round().max(0.0) as u64;
    let p = format!("{}.{}", tenths / 10, tenths % 10);
    match lang {
        Lang::Zh => format!("{p}%（约 {kb} KB）"),
        Lang::En => format!("{p}% (about {kb} KB)"),
    }
}

pub fn damaged_entries(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("有 {n} 条记录无法读取，已原样保留，没有删除。"),
        Lang::En => format!(
            "{n} stored responses could not be read; they were left as they are, not deleted."
        ),
    }
}

/// "家庭成员 2" / "Household member 2": an item of a repeat, by the repeat's label.
pub fn item_title(lang: Lang, label: &str, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{label} {n}"),
        Lang::En => format!("{label} {n}"),
    }
}

pub fn more_rows(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("显示更多（还有 {n} 条）"),
        Lang::En => format!("Show more ({n} not shown)"),
    }
}

pub fn issue_count(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("本部分有 {n} 道题需要处理。"),
        Lang::En => format!("{n} questions in this section need attention."),
    }
}

/// What is wrong with an answer, in the interface language.
pub fn issue(lang: Lang, kind: &IssueKind) -> String {
    let zh = lang == Lang::Zh;
    match kind {
        IssueKind::Required(Some(message)) => message.get(lang).to_owned(),
        IssueKind::Required(None) => pick(zh, "此题必答。", "This question is required.").into(),
        IssueKind::NotWholeNumber => pick(zh, "请输入整数。", "Enter a whole number.").into(),
        IssueKind::NotNumber => pick(zh, "请输入数字。", "Enter a number.").into(),
        IssueKind::BelowMin(m) => {
            if zh {
                format!("不能小于 {m}。")
            } else {
                format!("Must be at least {m}.")
            }
        }
        IssueKind::AboveMax(m) => {
            if zh {
                format!("不能大于 {m}。")
            } else {
                format!("Must be at most {m}.")
            }
        }
        IssueKind::NotDate => pick(
            zh,
            "请输入有效的日期（年-月-日）。",
            "Enter a valid date (year-month-day).",
        )
        .into(),
        IssueKind::NotOffered => pick(
            zh,
            "根据前面的回答，这个选项已不适用，请重新选择。",
            "After an earlier answer changed, this choice no longer applies: choose again.",
        )
        .into(),
        IssueKind::UnknownChoice => pick(
            zh,
            "请从列出的选项中选择。",
            "Choose one of the listed options.",
        )
        .into(),
        IssueKind::TooManyChoices(n) => {
            if zh {
                format!("最多只能选 {n} 项。")
            } else {
                format!("Choose at most {n}.")
            }
        }
        IssueKind::Exclusive => pick(
            zh,
            "“没有”之类的选项不能和其他选项同时选。",
            "An option like “none” cannot be combined with other options.",
        )
        .into(),
        IssueKind::OtherTextMissing => pick(
            zh,
            "选了“其他”，请注明具体内容。",
            "You chose “other”: please specify.",
        )
        .into(),
        IssueKind::TooLong(n) => {
            if zh {
                format!("不能超过 {n} 个字。")
            } else {
                format!("At most {n} characters.")
            }
        }
        IssueKind::TooFewItems(n) => {
            if zh {
                format!("至少要填 {n} 项。")
            } else {
                format!("Add at least {n}.")
            }
        }
        IssueKind::TooManyItems(n) => {
            if zh {
                format!("最多只能填 {n} 项。")
            } else {
                format!("At most {n}.")
            }
        }
        IssueKind::Constraint(Some(message)) => message.get(lang).to_owned(),
        IssueKind::Constraint(None) => pick(
            zh,
            "这个答案不符合本题的要求，请检查。",
            "This answer is not accepted for this question; please check it.",
        )
        .into(),
        IssueKind::WrongType => pick(
            zh,
            "这个答案的格式与题目不符，请重新作答。",
            "This answer does not fit the question; please answer it again.",
        )
        .into(),
    }
}

fn pick(zh: bool, a: &'static str, b: &'static str) -> &'static str {
    if zh {
        a
    } else {
        b
    }
}
