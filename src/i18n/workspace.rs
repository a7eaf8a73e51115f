//! Strings of the coordinator's workspace (src/ui/workspace.rs), linked only into the
//! workspace module.

use super::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WsMsg {
    Title,
    Intro,
    Opening,
    Import,
    ImportHelp,
    Drop,
    Checking,
    Accepted,
    AlreadyImported,
    Rejected,
    NotSaved,
    StorageFull,
    StorageUnavailable,
    Empty,
    Files,
    Responses,
    Workers,
    Areas,
    Visits,
    Clear,
    ClearConfirm,
    Cleared,
    Dashboard,
    Answered,
    Mean,
    Median,
    Items,
    HiddenNote,
    OnlySomeVersions,
    AllAreas,
    AllWorkers,
    Area,
    Worker,
    Needs,
    NoAnswers,
    TextAnswers,
    Project,
    Download,
    DownloadHelp,
    Codebook,
    DownloadFailed,
}

impl WsMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            WsMsg::Title => ("汇总分析", "Coordinator workspace"),
            WsMsg::Intro => (
                "导入各位社工的匿名导出文件，合并后查看统计结果。所有数据只保存在这个浏览器里。",
                "Import every worker's anonymised export files, merged into one dataset with its results. Everything stays in this browser.",
            ),
            WsMsg::Opening => ("正在打开已导入的数据……", "Opening the imported data…"),
            WsMsg::Import => ("导入导出文件", "Import export files"),
            WsMsg::ImportHelp => (
                "可一次选择多个 .json 文件，或拖放到下面。每个文件都会先检查；有问题的文件不会合并。重复导入不会改变数据。",
                "Choose several .json files at once, or drop them below. Each file is checked first; a file with a problem is not merged. Importing a file twice changes nothing.",
            ),
            WsMsg::Drop => ("把文件拖放到这里", "Drop files here"),
            WsMsg::Checking => ("正在检查", "Checking"),
            WsMsg::Accepted => ("已接受", "Accepted"),
            WsMsg::AlreadyImported => ("以前导入过（同一文件），未做改动：", "Imported before (the same file); nothing changed:"),
            WsMsg::Rejected => ("未接受", "Rejected"),
            WsMsg::NotSaved => (
                "未能保存到浏览器，这个文件没有合并。",
                "Could not be stored in the browser; this file was not merged.",
            ),
            WsMsg::StorageFull => (
                "浏览器存储已满。请先导出汇总数据，清空工作区后再导入。",
                "The browser's storage is full. Export the merged data, clear the workspace, then import again.",
            ),
            WsMsg::StorageUnavailable => (
                "这个浏览器不能保存汇总数据（可能是无痕模式）。请用普通窗口打开。",
                "This browser cannot store the workspace (private browsing?). Open it in a normal window.",
            ),
            WsMsg::Empty => ("还没有导入任何文件。", "No files imported yet."),
            WsMsg::Files => ("文件", "Files"),
            WsMsg::Responses => ("问卷", "Responses"),
            WsMsg::Workers => ("社工", "Workers"),
            WsMsg::Areas => ("片区", "Areas"),
            WsMsg::Visits => ("走访人次", "Visits"),
            WsMsg::Clear => ("清空工作区", "Clear the workspace"),
            WsMsg::ClearConfirm => (
                "确定清空？所有已导入的文件都会从这个浏览器删除（社工设备上的数据不受影响）。再点一次确认。",
                "Clear it? Every imported file is deleted from this browser (the workers' devices keep theirs). Tap again to confirm.",
            ),
            WsMsg::Cleared => ("工作区已清空。", "The workspace was cleared."),
            WsMsg::Dashboard => ("统计结果", "Results"),
            WsMsg::Answered => ("人回答", "answered"),
            WsMsg::Mean => ("平均", "mean"),
            WsMsg::Median => ("中位数", "median"),
            WsMsg::Items => ("（按家庭成员计）", "(counted per household member)"),
            WsMsg::HiddenNote => (
                "少于 k 的数字显示为“<k”，以免认出具体住户。",
                "Counts under k show as “<k”, so no household can be singled out.",
            ),
            WsMsg::OnlySomeVersions => (
                "以下问题只在部分问卷版本中出现，未合并统计：",
                "These questions are in some versions of the form only and are not merged:",
            ),
            WsMsg::AllAreas => ("全部片区", "All areas"),
            WsMsg::AllWorkers => ("全部社工", "All workers"),
            WsMsg::Area => ("片区", "Area"),
            WsMsg::Worker => ("社工", "Worker"),
            WsMsg::Needs => ("最迫切的需要", "Most pressing needs"),
            WsMsg::NoAnswers => ("没有回答", "No answers"),
            WsMsg::TextAnswers => ("条文字回答（见导出文件）", "text answers (see the export)"),
            WsMsg::Project => ("项目", "Project"),
            WsMsg::Download => ("下载汇总数据", "Download the merged data"),
            WsMsg::DownloadHelp => (
                "NDJSON 每行一份问卷，可直接用 DuckDB 或 Spark 读取（见 docs/workspace.md）；CSV 带 BOM，可用 Excel 或 WPS 打开，另附编码表。",
                "NDJSON has one response per line, for DuckDB or Spark (see docs/workspace.md); the CSV carries a byte-order mark for Excel and WPS, with a codebook.",
            ),
            WsMsg::Codebook => ("编码表", "Codebook"),
            WsMsg::DownloadFailed => (
                "浏览器没有保存文件。请再试一次，或检查下载设置。",
                "The browser did not save the file. Try again, or check its download settings.",
            ),
        };
        lang.pick(zh, en)
    }
}
