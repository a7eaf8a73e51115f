//! Strings of the backup offer and the restore (src/ui/backup.rs). Linked only into the
//! worker module.

use super::Lang;
use crate::store::backup::{BackupError, Summary};
use crate::store::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupMsg {
    Title,
    Never,
    NothingSince,
    Download,
    Help,
    Locked,
    NotDownloaded,
    RestoreTitle,
    RestoreNew,
    RestoreInUse,
    File,
    Pin,
    Phrase,
    WrongPhrase,
    Open,
    Apply,
    Working,
    Restored,
}

impl BackupMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            BackupMsg::Title => ("备份", "Backup"),
            BackupMsg::Never => ("这台平板还没有做过备份。", "This tablet has never been backed up."),
            BackupMsg::NothingSince => ("上次备份以后没有改动。", "Nothing has changed since the last backup."),
            BackupMsg::Download => ("下载加密备份", "Download an encrypted backup"),
            BackupMsg::Help => (
                "平板坏了或丢了，用备份文件和PIN码就能在新平板上恢复全部数据。文件用PIN码加密；请存到电脑或U盘上，不要只留在这台平板里。",
                "If this tablet breaks or is lost, the backup file and the PIN bring everything back on a new one. The file is encrypted with the PIN: keep it on a computer or a USB stick, not only on this tablet.",
            ),
            BackupMsg::Locked => ("平板已锁定：请先解锁再备份。", "The tablet is locked: unlock it first."),
            BackupMsg::NotDownloaded => (
                "浏览器没有下载备份文件，请再试一次。",
                "The browser did not download the backup file; try again.",
            ),
            BackupMsg::RestoreTitle => ("从备份恢复", "Restore from a backup"),
            BackupMsg::RestoreNew => (
                "换了新平板？选择备份文件，输入做备份时的PIN码：全部数据就回来了，以后用同一个PIN码解锁。",
                "A new tablet? Choose the backup file and type the PIN the old tablet had when it was made: everything comes back, and the same PIN unlocks this tablet.",
            ),
            BackupMsg::RestoreInUse => (
                "备份里的问卷、走访记录和名单会合并到这台平板：已有的不会重复，较新的版本会保留。",
                "The backup's surveys, visits and walk list are merged into this tablet: nothing is doubled, and the later version of a survey is kept.",
            ),
            BackupMsg::File => ("备份文件", "Backup file"),
            BackupMsg::Pin => ("做备份时的PIN码", "The PIN when the backup was made"),
            BackupMsg::Phrase => (
                "做备份时的密码短语",
                "The passphrase when the backup was made",
            ),
            BackupMsg::WrongPhrase => (
                "密码短语不对：请输入做备份时那台平板使用的密码短语。",
                "Wrong passphrase: type the passphrase the tablet had when the backup was made.",
            ),
            BackupMsg::Open => ("打开备份", "Open the backup"),
            BackupMsg::Apply => ("恢复到这台平板", "Restore onto this tablet"),
            BackupMsg::Working => ("正在处理…", "Working…"),
            BackupMsg::Restored => ("已恢复。", "Restored."),
        };
        lang.pick(zh, en)
    }
}

/// "Last backup: … ; n surveys changed since."
pub fn since(lang: Lang, when: &str, changed: usize) -> String {
    lang.pick(
        format!("上次备份：{when}。之后有 {changed} 份问卷有改动。"),
        format!("Last backup: {when}. {changed} surveys changed since."),
    )
}

pub fn downloaded(lang: Lang, file: &str) -> String {
    lang.pick(
        format!("备份已下载：{file}。请把它存到电脑或U盘上。"),
        format!("Backup downloaded: {file}. Keep it on a computer or a USB stick."),
    )
}

pub fn made_at(lang: Lang, when: &str) -> String {
    lang.pick(format!("备份时间：{when}"), format!("Made on {when}"))
}

/// What a restore will do, before the worker confirms it.
pub fn summary(lang: Lang, s: &Summary) -> String {
    let mut text = lang.pick(
        format!(
            "将新增 {} 份问卷、更新 {} 份；{} 份本机已有同样或更新的版本，保留本机的。走访记录新增 {} 条，名单新增 {} 户，问卷模板新增 {} 份。",
            s.responses_added, s.responses_updated, s.responses_kept, s.visits_added, s.households_added, s.forms_added
        ),
        format!(
            "{} surveys will be added and {} updated; {} are here already as recent or more recent, and are kept. {} visits, {} walk-list households and {} forms will be added.",
            s.responses_added, s.responses_updated, s.responses_kept, s.visits_added, s.households_added, s.forms_added
        ),
    );
    if let Some(w) = &s.other_worker {
        text.push(' ');
        text.push_str(&lang.pick(
            format!("注意：这个备份来自社工 {w} 的平板，与本机的社工编号不同。"),
            format!("Note: this backup comes from worker {w}'s tablet, not this tablet's worker."),
        ));
    }
    text
}

/// Why a backup was not made or not restored, and that nothing changed.
pub fn problem(lang: Lang, e: &BackupError) -> String {
    let (zh, en) = match e {
        BackupError::NotABackup => ("这不是 Doorstep 的备份文件。", "This is not a Doorstep backup file."),
        BackupError::Newer => (
            "这个备份由更新版本的 Doorstep 制作：请先更新本应用（联网打开一次）。",
            "This backup was made by a newer version of Doorstep: update the app first (open it once online).",
        ),
        BackupError::Truncated => (
            "备份文件不完整（可能没有下载或复制完）。本机什么都没有改。",
            "The backup file is incomplete (not fully downloaded or copied?). Nothing on this tablet was changed.",
        ),
        BackupError::WrongPin => (
            "PIN码不对：请输入做备份时那台平板使用的PIN码。",
            "Wrong PIN: type the PIN the tablet had when the backup was made.",
        ),
        BackupError::Damaged => (
            "备份文件已损坏或被改动过，无法打开。本机什么都没有改。",
            "The backup file is damaged or was altered and cannot be opened. Nothing on this tablet was changed.",
        ),
        BackupError::SetPinFirst => (
            "这台平板上已有调查，但还没有PIN码：请先设置PIN码，再到“锁定与PIN码”里恢复。",
            "This tablet holds surveys but has no PIN yet: set one first, then restore from the lock settings.",
        ),
        BackupError::Locked => (
            "平板已锁定，或正在更改PIN码：请解锁后再试。",
            "The tablet is locked, or its PIN is being changed: unlock it and try again.",
        ),
        BackupError::NoCrypto => (
            "这个浏览器不能检查PIN码（没有 WebCrypto）：请用最新的 Chrome 或 Safari 打开。",
            "This browser cannot check the PIN (no WebCrypto): open the app in a current Chrome or Safari.",
        ),
        BackupError::Store(StoreError::QuotaExceeded) => (
            "存储空间不够：备份没有恢复，本机什么都没有改。请先导出并清理已导出的问卷。",
            "Not enough storage: the backup was not restored and nothing on this tablet was changed. Export, then clear exported surveys first.",
        ),
        BackupError::Store(_) => (
            "存储出错：什么都没有改。请再试一次。",
            "Storage failed: nothing was changed. Try again.",
        ),
    };
    lang.pick(zh, en).to_owned()
}
