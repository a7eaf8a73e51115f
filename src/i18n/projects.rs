//! Strings of the coordinator's projects (src/ui/projects.rs), linked only into the
//! workspace module.

use super::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrMsg {
    Title,
    Intro,
    None,
    New,
    Open,
    OpenHelp,
    Edit,
    Download,
    Delete,
    DeleteConfirm,
    Save,
    Close,
    Saved,
    Name,
    Community,
    K,
    KHelp,
    Areas,
    AreasHelp,
    Forms,
    FormsHelp,
    WalkList,
    WalkListHelp,
    WalkCsv,
    WalkNone,
    WalkRemove,
    Households,
    Targets,
    TargetsHelp,
    Visits,
    Surveys,
    Coverage,
    FollowUps,
    KeyNote,
    Damaged,
    Used,
    NotSaved,
    Unnamed,
    Upgraded,
    KeyHere,
    NoKeyHere,
}

impl PrMsg {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            PrMsg::Title => ("项目", "Projects"),
            PrMsg::Intro => (
                "在这里建立和修改项目：问卷、走访清单、指标目标、k 值、片区和化名密钥。把项目文件发给每位社工，他们在“导出”页面导入后，设备上就有同样的问卷、清单和目标，导出的文件也能合并在一起。",
                "Create and edit projects here: forms, walk list, targets, k, areas and the pseudonym key. Send the project file to every worker; once they import it on the Export screen their devices have the same forms, list and targets, and their exports merge.",
            ),
            PrMsg::None => ("还没有项目。", "No project yet."),
            PrMsg::New => ("新建项目", "New project"),
            PrMsg::Open => ("打开项目文件", "Open a project file"),
            PrMsg::OpenHelp => (
                "已有项目（例如社工设备上建立的）可以打开后在这里修改；化名密钥保持不变。",
                "A project made elsewhere (on a worker's device, say) can be opened and edited here; its pseudonym key stays the same.",
            ),
            PrMsg::Edit => ("修改", "Edit"),
            PrMsg::Download => ("下载项目文件", "Download the project file"),
            PrMsg::Delete => ("删除", "Delete"),
            PrMsg::DeleteConfirm => (
                "再点一次“删除”确认。删除只影响这个浏览器里的项目记录，已发出的项目文件和导入的数据不受影响。",
                "Tap Delete again to confirm. Only this browser's copy of the project goes; project files already sent and imported data stay.",
            ),
            PrMsg::Save => ("保存项目", "Save the project"),
            PrMsg::Close => ("关闭", "Close"),
            PrMsg::Saved => ("项目已保存。请把新的项目文件发给社工。", "Project saved. Send the new project file to the workers."),
            PrMsg::Name => ("项目名称", "Project name"),
            PrMsg::Community => ("社区", "Community"),
            PrMsg::K => ("k（每个公开组合至少几户）", "k (households every published combination must have)"),
            PrMsg::KHelp => ("2 到 100，常用 5。", "2 to 100; 5 is usual."),
            PrMsg::Areas => ("片区", "Areas"),
            PrMsg::AreasHelp => (
                "每行一个片区：代码、冒号、楼号，例如 A: 1-20, 25",
                "One area a line: code, colon, buildings, e.g. A: 1-20, 25",
            ),
            PrMsg::Forms => ("问卷", "Forms"),
            PrMsg::FormsHelp => (
                "选中的问卷会随项目文件一起发给社工（内置问卷每台设备都有）。",
                "The chosen forms travel in the project file to the workers (every device has the built-in one).",
            ),
            PrMsg::WalkList => ("走访清单", "Walk list"),
            PrMsg::WalkListHelp => (
                "CSV 文件，表头含 楼栋、单元、房号（或 building, unit, room），每行一户。导入后替换社工设备上的清单；已记录的走访按门牌保留。",
                "A CSV file with the columns building, unit and room (or 楼栋, 单元, 房号), a household a row. It replaces the list on the workers' devices; visits already recorded stay with their door.",
            ),
            PrMsg::WalkCsv => ("选择 CSV 文件", "Choose a CSV file"),
            PrMsg::WalkNone => ("没有清单：社工设备保留各自的清单。", "No list: workers' devices keep their own."),
            PrMsg::WalkRemove => ("去掉清单", "Remove the list"),
            PrMsg::Households => ("户", "households"),
            PrMsg::Targets => ("指标目标", "Targets"),
            PrMsg::TargetsHelp => (
                "合同要求的数量，留空表示不设。汇总页的指标和社工设备上的进度都按这些目标计算。",
                "What the contract asks for; leave empty for none. The workspace's indicators and the workers' progress bars measure against these.",
            ),
            PrMsg::Visits => ("走访人次", "Visits"),
            PrMsg::Surveys => ("完成问卷", "Completed surveys"),
            PrMsg::Coverage => ("覆盖率（%）", "Coverage (%)"),
            PrMsg::FollowUps => ("已处理的跟进", "Follow-ups handled"),
            PrMsg::KeyNote => (
                "项目文件含有化名密钥，只应发给本项目的社工，不要发给资助方或公开。",
                "The project file holds the pseudonym key: send it only to this project's workers, never to the funder or the public.",
            ),
            PrMsg::Damaged => (
                "有项目记录无法读取，已保留原样：",
                "A stored project could not be read and was left as it is:",
            ),
            PrMsg::Used => ("汇总数据属于这个项目，指标按它的目标计算。", "The merged data belongs to this project; the indicators use its targets."),
            PrMsg::NotSaved => ("项目没有保存：", "The project was not saved: "),
            PrMsg::Unnamed => ("新项目", "New project"),
            PrMsg::Upgraded => (
                "这是旧版项目文件：其中共用的化名密钥已丢弃，本浏览器为项目生成了新的密钥。请下载新的项目文件发给社工；旧文件导出的化名与新文件的对不上。",
                "This is an older project file: its shared pseudonym key was dropped and this browser made new keys for the project. Download the new project file for the workers; pseudonyms of files made under the old one will not match the new ones.",
            ),
            PrMsg::KeyHere => ("本浏览器持有项目密钥", "This browser holds the project's key"),
            PrMsg::NoKeyHere => (
                "本浏览器没有项目密钥：无法导入该项目的导出文件",
                "This browser does not hold the project's key: its exports cannot be imported here",
            ),
        };
        lang.pick(zh, en)
    }
}
