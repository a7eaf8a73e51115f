//! Strings of the device lock screen (src/ui/lock.rs). Linked only into the worker
//! module; the PIN rules' own messages are `handover::pin::PinProblem`'s.

use super::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockMsg {
    SetupTitle,
    SetupHelp,
    LockedTitle,
    LockedHelp,
    SettingsTitle,
    IdleMinutes,
    Start,
    Unlock,
    LockNow,
    ChangePin,
    Changed,
    Forgot,
    ForgotHelp,
    Wipe,
    WipeConfirm,
    WipeConfirmAgain,
    Full,
    ExportToMakeRoom,
    JournalMissing,
    Unrestored,
    KindLegend,
    KindPin,
    KindPhrase,
    NewPhrase,
    NewPhraseHelp,
    PhraseAgain,
    CurrentPhrase,
    EnterPhrase,
    WrongPhrase,
    PinExpected,
    PhraseExpected,
    RewrapFailed,
    GoOn,
}

impl LockMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            LockMsg::SetupTitle => ("设置本机PIN码", "Choose this device's PIN"),
            LockMsg::SetupHelp => (
                "居民的姓名、电话、门牌、健康情况和文字回答会加密保存在本机，只有输入PIN码才能打开。平板丢了，别人也看不到。已经保存的问卷会一起加密。",
                "Residents' names, phones, flats, health answers and written answers are stored encrypted on this device and open only with the PIN. A lost tablet shows no one's details. Surveys already on the device are encrypted too.",
            ),
            LockMsg::LockedTitle => ("平板已锁定", "This tablet is locked"),
            LockMsg::LockedHelp => (
                "输入社工的PIN码继续。",
                "Enter the worker's PIN to go on.",
            ),
            LockMsg::SettingsTitle => ("本机锁定", "Device lock"),
            LockMsg::IdleMinutes => (
                "无人操作几分钟后自动锁定",
                "Minutes without a touch before the tablet locks itself",
            ),
            LockMsg::Start => ("设置并加密", "Set the PIN and encrypt"),
            LockMsg::JournalMissing => (
                "本浏览器不能立即把答案写入磁盘：突然关机时，最后几秒的答案可能丢失。",
                "This browser cannot write answers to disk at once: a sudden shutdown may lose the last seconds of answers.",
            ),
            LockMsg::Unrestored => (
                "存储已满，浏览器意外关闭时丢失的部分更改还没能恢复。请删除不需要的记录，再重新打开本应用。",
                "Storage is full: some changes lost when the browser closed unexpectedly are not back yet. Delete responses you no longer need, then open the app again.",
            ),
            LockMsg::Unlock => ("解锁", "Unlock"),
            LockMsg::LockNow => ("立即锁定", "Lock now"),
            LockMsg::ChangePin => ("更改PIN码", "Change the PIN"),
            LockMsg::Changed => (
                "PIN码已更改，所有加密数据已用新密钥重新加密。",
                "PIN changed: all encrypted data is now under a new key.",
            ),
            LockMsg::Forgot => ("忘记PIN码？", "Forgot the PIN?"),
            LockMsg::ForgotHelp => (
                "PIN码无法找回，这是为了保护居民：没有PIN码，谁也打不开本机的问卷、走访记录和项目密钥，也无法导出。有备份文件的话，清空本机、设置新PIN码后可以用备份恢复（需要当时的PIN码）。清空后，本机所有问卷和走访记录都会删除。",
                "The PIN cannot be recovered; that protects residents: without it no one can open this device's surveys, visits or project keys, nor export them. With a backup file, wipe this device, choose a new PIN and restore the backup (it needs the PIN of its day). Wiping deletes every survey and visit on this device.",
            ),
            LockMsg::Wipe => ("清空本机", "Wipe this device"),
            LockMsg::WipeConfirm => (
                "确定清空本机？所有问卷和走访记录都会删除，无法恢复。",
                "Wipe this device? Every survey and visit on it is deleted, for good.",
            ),
            LockMsg::WipeConfirmAgain => (
                "最后确认：现在清空？",
                "Last check: wipe now?",
            ),
            LockMsg::Full => (
                "存储空间不够，无法加密（加密后的中文回答占用更多空间）。什么都没有改变。请先导出，再清除已导出的问卷，腾出空间后重新设置PIN码。",
                "Not enough storage to encrypt (encrypted Chinese answers take more room). Nothing was changed. Export, clear the exported surveys to make room, then set the PIN again.",
            ),
            LockMsg::ExportToMakeRoom => ("去导出", "Go to the export"),
            LockMsg::KindLegend => ("用什么解锁", "Unlock with"),
            LockMsg::KindPin => ("PIN码：6到12位数字", "A PIN: 6 to 12 digits"),
            LockMsg::KindPhrase => (
                "密码短语：一句话，更难猜到",
                "A passphrase: a sentence, much harder to guess",
            ),
            LockMsg::NewPhrase => ("设置密码短语", "Choose a passphrase"),
            LockMsg::NewPhraseHelp => (
                "至少12个字母或6个汉字，可以有空格，例如一句只有您知道的话。常用密码、重复或连续的字母不行。忘记后无法找回。",
                "At least 12 letters or 6 Chinese characters, spaces allowed: a sentence only you know. Common passwords and repeated or consecutive letters are refused. It cannot be recovered if forgotten.",
            ),
            LockMsg::PhraseAgain => ("再输入一次密码短语", "Type the passphrase again"),
            LockMsg::CurrentPhrase => ("现在的密码短语", "Current passphrase"),
            LockMsg::EnterPhrase => (
                "社工：输入密码短语解锁",
                "Worker: enter your passphrase to unlock",
            ),
            LockMsg::WrongPhrase => (
                "密码短语不对，请再试一次。",
                "That passphrase is not right. Try again.",
            ),
            LockMsg::PinExpected => (
                "本机用PIN码解锁，只有数字。请输入PIN码（没有算作输错）。",
                "This device unlocks with a PIN: digits only. Type the PIN (this did not count as a wrong try).",
            ),
            LockMsg::PhraseExpected => (
                "本机用密码短语解锁，不是PIN码。请输入密码短语（没有算作输错）。",
                "This device unlocks with a passphrase, not a PIN. Type the passphrase (this did not count as a wrong try).",
            ),
            LockMsg::RewrapFailed => (
                "已解锁，数据都在。更强的PIN码保护没能保存（存储空间可能已满），原来的保护照样有效；下次解锁时会再试。",
                "Unlocked; nothing is lost. The stronger protection for the PIN could not be saved (storage may be full); the old one still works, and it is tried again at the next unlock.",
            ),
            LockMsg::GoOn => ("继续", "Go on"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}
