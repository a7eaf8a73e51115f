//! Strings of the form library, which only the coordinator module links (src/ui/library.rs):
//! kept apart from `Msg` so that the app's first load does not carry them.

use super::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LibMsg {
    FormLibraryIntro,
    BuiltinForm,
    StartSurvey,
    ExportJson,
    ImportForm,
    ImportHelp,
    ImportReading,
    ImportFailed,
    ImportNothingChanged,
    ImportWarnings,
    ImportPrivacy,
    ImportPrivacyHelp,
    AddToLibrary,
    AddedToLibrary,
    AlreadyInLibrary,
    VersionTaken,
    PrivacyIdentifier,
    PrivacyQuasi,
    PrivacySensitive,
    PrivacyFreeText,
    PrivacyNone,
    Version,
    Questions,
}

impl LibMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            LibMsg::FormLibraryIntro => (
                "本设备上的问卷。每份回答都保留开始时所用的问卷版本，导入新版本不会影响已有草稿。",
                "The forms on this device. Every response keeps the form version it was started with: importing a new version never affects existing drafts.",
            ),
            LibMsg::BuiltinForm => ("内置", "built in"),
            LibMsg::StartSurvey => ("用此问卷开始调查", "Start a survey with this form"),
            LibMsg::ExportJson => ("导出 JSON", "Export JSON"),
            LibMsg::ImportForm => ("导入问卷", "Import a form"),
            LibMsg::ImportHelp => (
                "选择 XLSForm 问卷（KoboToolbox、ODK 使用的 .xlsx），或 survey.csv 与 choices.csv（可加 settings.csv），或 Doorstep 导出的 .json。文件只在本设备上读取。",
                "Choose an XLSForm (the .xlsx KoboToolbox and ODK use), or survey.csv with choices.csv (and settings.csv), or a .json exported from Doorstep. Files are read on this device only.",
            ),
            LibMsg::ImportReading => ("正在读取…", "Reading…"),
            LibMsg::ImportFailed => ("无法导入", "Cannot import"),
            LibMsg::ImportNothingChanged => ("问卷库没有任何改动。", "Nothing in the library was changed."),
            LibMsg::ImportWarnings => ("以下内容没有导入或有改动：", "Not imported, or changed:"),
            LibMsg::ImportPrivacy => ("请确认隐私类别", "Confirm the privacy classes"),
            LibMsg::ImportPrivacyHelp => (
                "文件没有 privacy 列，以下类别是根据题型和题目名称建议的。匿名导出按这些类别去除或概括回答。",
                "The file has no privacy column; these classes are proposed from the question types and names. The anonymised export removes or generalises answers by these classes.",
            ),
            LibMsg::AddToLibrary => ("加入问卷库", "Add to the library"),
            LibMsg::AddedToLibrary => ("已加入问卷库：", "Added to the library: "),
            LibMsg::AlreadyInLibrary => ("问卷库里已有完全相同的这一版本，没有改动。", "This very version is already in the library; nothing was changed."),
            LibMsg::VersionTaken => (
                "问卷库里已有这份问卷的同一版本，但内容不同。请在 settings 表中提高 version 后再导入。",
                "The library already holds this version of the form with different content. Raise the version in the settings sheet and import again.",
            ),
            LibMsg::PrivacyIdentifier => ("身份信息（导出时去除）", "Identifier (removed on export)"),
            LibMsg::PrivacyQuasi => ("间接识别（导出时概括）", "Quasi-identifier (generalised on export)"),
            LibMsg::PrivacySensitive => ("敏感", "Sensitive"),
            LibMsg::PrivacyFreeText => ("自由文字（默认不导出）", "Free text (left out by default)"),
            LibMsg::PrivacyNone => ("无", "None"),
            LibMsg::Version => ("版本", "version"),
            LibMsg::Questions => ("题", "questions"),
        };
        lang.pick(zh, en)
    }
}
