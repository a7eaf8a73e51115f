//! Strings of the hand-over screens (src/ui/handover.rs): the settings and PIN, and the
//! hand-back screen. Linked only into the hand-back module.

use super::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoMsg {
    SetupTitle,
    SetupHelp,
    SettingsTitle,
    NewPin,
    NewPinHelp,
    PinAgain,
    CurrentPin,
    ChangePin,
    OneByOne,
    IdleMinutes,
    IdleHelp,
    Start,
    Save,
    Saved,
    Working,
    NotSaved,
    NoCrypto,
    ThankYou,
    GiveBack,
    Continue,
    WorkerPin,
    Unlock,
    WrongPin,
    Wait,
    PinDamaged,
    NotFound,
    PinIsDevice,
    LockedGiveBack,
}

impl HoMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            HoMsg::SetupTitle => ("交给居民填写", "Hand the tablet to the resident"),
            HoMsg::SetupHelp => (
                "交出后，居民只能看到这份问卷里给居民的问题，看不到别的问卷、走访记录和设置。社工部分会隐藏。要退出，需要输入您的PIN码。",
                "Once handed over, the resident sees only this survey's questions for residents: no other survey, no visits, no settings. The worker's section is hidden. Leaving needs your PIN.",
            ),
            HoMsg::SettingsTitle => ("交给居民的设置", "Hand-over settings"),
            HoMsg::NewPin => ("设置PIN码", "Choose a PIN"),
            HoMsg::NewPinHelp => (
                "6到12位数字，越长越难猜。只有您知道；忘记后无法找回。",
                "6 to 12 digits; the longer, the harder to guess. Only you should know it; it cannot be recovered if forgotten.",
            ),
            HoMsg::PinAgain => ("再输入一次PIN码", "Type the PIN again"),
            HoMsg::CurrentPin => ("现在的PIN码", "Current PIN"),
            HoMsg::ChangePin => ("更改PIN码", "Change the PIN"),
            HoMsg::OneByOne => ("一次只显示一道题", "Show one question at a time"),
            HoMsg::IdleMinutes => ("无人操作几分钟后回到交还页面", "Minutes without a touch before the hand-back screen"),
            HoMsg::IdleHelp => (
                "回答会随时保存。时间到了，屏幕回到“请交还社工”，不会显示其他人的回答。",
                "Answers are saved as they are given. When the time is up, the screen asks for the tablet back and shows no one else's answers.",
            ),
            HoMsg::Start => ("交给居民", "Hand over"),
            HoMsg::Save => ("保存设置", "Save settings"),
            HoMsg::Saved => ("设置已保存。", "Settings saved."),
            HoMsg::Working => ("正在核对…", "Checking…"),
            HoMsg::NotSaved => (
                "没能保存：存储空间可能已满。请先导出并删除已完成的问卷。",
                "Not saved: storage may be full. Export and delete completed surveys first.",
            ),
            HoMsg::NoCrypto => (
                "这个浏览器不能安全地保存PIN码（缺少WebCrypto）。请换用新版Chrome或Edge。",
                "This browser cannot keep a PIN safely (no WebCrypto). Use a recent Chrome or Edge.",
            ),
            HoMsg::LockedGiveBack => (
                "平板已锁定，您的回答都已保存。请把平板交还给社工，由社工输入PIN码。",
                "The tablet has locked itself; your answers are all saved. Please give the tablet back to the social worker, who will type the PIN.",
            ),
            HoMsg::ThankYou => ("谢谢您！", "Thank you!"),
            HoMsg::GiveBack => (
                "请把平板交还给社工。",
                "Please give the tablet back to the social worker.",
            ),
            HoMsg::Continue => ("还没填完，继续填写", "Not finished: go on answering"),
            HoMsg::WorkerPin => ("社工：输入PIN码解锁", "Worker: enter your PIN to unlock"),
            HoMsg::Unlock => ("解锁", "Unlock"),
            HoMsg::WrongPin => ("PIN码不对，请再试一次。", "That PIN is not right. Try again."),
            HoMsg::Wait => (
                "输错次数太多。请等一会儿再试，剩余秒数：",
                "Too many wrong tries. Wait before trying again; seconds left:",
            ),
            HoMsg::PinDamaged => (
                "保存的PIN码已损坏，无法核对。请联系项目协调员。",
                "The stored PIN is damaged and cannot be checked. Contact the project coordinator.",
            ),
            HoMsg::NotFound => ("找不到这份问卷。", "This survey was not found."),
            HoMsg::PinIsDevice => (
                "收回平板时输入本机的PIN码。",
                "Taking the tablet back needs this device's PIN.",
            ),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}
