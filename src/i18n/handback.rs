//! Strings of the hand-back screens (src/ui/handback.rs), linked only into the coordinator
//! module.

use super::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HbMsg {
    ReturnTitle,
    ReturnHelp,
    NotFinished,
    NotFound,
    Code,
    Previous,
    Next,
    Cycle,
    Stop,
    AsFile,
    AsFileHelp,
    ShareUnavailable,
    ReceiveTitle,
    ReceiveHelp,
    Camera,
    CameraStop,
    CameraRefused,
    CameraNone,
    Photo,
    Read,
    Missing,
    NothingFound,
    Imported,
    AlreadyImported,
    Open,
    NotSaved,
    Again,
}

impl HbMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            HbMsg::ReturnTitle => ("交回社工", "Hand back to the worker"),
            HbMsg::ReturnHelp => (
                "请社工用平板扫描下面的二维码。姓名、电话、门牌等身份信息不会包含在内。二维码不止一个时，按“下一个”或“自动轮播”。",
                "Let the worker scan the codes below with the tablet. Names, phone numbers and the flat are not included. If there is more than one code, tap Next, or Cycle.",
            ),
            HbMsg::NotFinished => (
                "这份问卷还没有完成。请先完成问卷，再交回。",
                "This survey is not finished yet. Finish it first, then hand it back.",
            ),
            HbMsg::NotFound => ("找不到这份问卷。", "This survey was not found."),
            HbMsg::Code => ("二维码", "Code"),
            HbMsg::Previous => ("上一个", "Previous"),
            HbMsg::Next => ("下一个", "Next"),
            HbMsg::Cycle => ("自动轮播", "Cycle"),
            HbMsg::Stop => ("停止轮播", "Stop cycling"),
            HbMsg::AsFile => ("以文件发送", "Send as a file"),
            HbMsg::AsFileHelp => (
                "也可以把文件通过微信等应用发给社工，或保存下来。",
                "Or send the file to the worker through a messaging app, or save it.",
            ),
            HbMsg::ShareUnavailable => (
                "这个浏览器不能直接分享文件，已改为下载。",
                "This browser cannot share files directly; the file was downloaded instead.",
            ),
            HbMsg::ReceiveTitle => ("接收居民回传", "Receive a resident's answers"),
            HbMsg::ReceiveHelp => (
                "居民在自己手机上填完后，会显示一组二维码。用摄像头逐个扫描，顺序不限；也可以选择二维码的照片或居民发来的文件。",
                "When residents finish on their own phone, it shows a set of codes. Scan them with the camera, in any order; or choose photos of the codes, or the file the resident sent.",
            ),
            HbMsg::Camera => ("打开摄像头扫描", "Scan with the camera"),
            HbMsg::CameraStop => ("关闭摄像头", "Stop the camera"),
            HbMsg::CameraRefused => (
                "无法使用摄像头（没有授权，或页面不是 https）。可以改为选择二维码照片或文件。",
                "The camera cannot be used (not allowed, or the page is not https). Choose photos of the codes, or the file, instead.",
            ),
            HbMsg::CameraNone => ("这台设备没有摄像头。", "This device has no camera."),
            HbMsg::Photo => ("选择照片或文件", "Choose photos or a file"),
            HbMsg::Read => ("已读取二维码", "Codes read"),
            HbMsg::Missing => ("还差", "still to scan"),
            HbMsg::NothingFound => (
                "照片里没有找到二维码。请拍得更近、更清楚些。",
                "No code was found in the photo. Take it closer and sharper.",
            ),
            HbMsg::Imported => ("已导入居民的问卷。", "The resident's answers were imported."),
            HbMsg::AlreadyImported => (
                "这份问卷以前已经导入过，没有改动。",
                "These answers were imported before; nothing changed.",
            ),
            HbMsg::Open => ("查看问卷", "Open the survey"),
            HbMsg::NotSaved => ("没有保存：", "Not saved: "),
            HbMsg::Again => ("重新开始扫描", "Start again"),
        };
        lang.pick(zh, en)
    }
}
