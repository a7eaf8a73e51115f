//! A project: what every worker of one survey shares so their exports fit together — the
//! forms, k, the area codes, the public key household links are sealed to and the key
//! exports are signed with — and what the coordinator hands them with it: the walk list,
//! the targets and the definitions of forms their devices may not have. Handed from device
//! to device as a project file; importing one never touches responses. The project's
//! secret key (`link::ProjectSecret`) is never in it.

use crate::i18n::{Lang, Text};
use crate::visits::indicators::{Measure, Target};
use crate::visits::walk::{Household, WalkList};
use serde::{Deserialize, Serialize};

/// The project file's format name and the version this build writes. Version 1 files
/// (a shared pseudonym key, no public key) are still read: the key is dropped.
pub const PROJECT_FORMAT: &str = "doorstep-project";
pub const PROJECT_VERSION: u32 = 2;
/// Random bytes `Project::new` takes: 16 for the id, 32 for the signing key, 32 for the
/// project's secret key.
pub const NEW_PROJECT_RANDOM: usize = 80;
/// k when the project does not say: every published combination of quasi-identifiers is
/// shared by at least five households.
pub const DEFAULT_K: u32 = 5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub format: String,
    pub format_version: u32,
    /// Random, so two projects with the same name stay apart.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub community: String,
    /// The forms this project uses, as `id` and version.
    #[serde(default)]
    pub forms: Vec<FormRef>,
    /// The k of small-group suppression where data are released (the workspace's report):
    /// every published combination of quasi-identifiers is shared by at least k households.
    /// Worker exports are not suppressed (their header says `k: null`).
    pub k: u32,
    /// Reporting areas, first match wins.
    #[serde(default)]
    pub areas: Vec<Area>,
    /// The project's X25519 public key, hex: every export seals its household links to it
    /// (`link`). Only the holder of the matching secret key opens them. `None` only for a
    /// project read from a version 1 file: its exports then carry no household links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// 32 random bytes, hex: the HMAC key every export of the project is signed with, so
    /// the workspace refuses a file edited or made outside the project. It cannot open or
    /// make a household link. `None` as for `public_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_key: Option<String>,
    /// The households to visit, from the coordinator: installed as each worker's walk list.
    /// Empty: every device keeps the list it has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub households: Vec<Household>,
    /// The contract's targets (200 visits…): installed on every device, and what the
    /// workspace's indicators measure against. Empty: devices keep their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// The definitions (as the form library exports them) of the project's forms that are
    /// not built in, so a worker's device gets the questionnaire with the project.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub definitions: Vec<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRef {
    pub id: String,
    pub version: u32,
}

/// A reporting area: a code and the buildings it covers, written as people write them:
/// `1-20, 25, 别墅区`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub code: String,
    pub buildings: String,
}

/// Why a project file was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ProjectError {
    NotJson(String),
    NotAProject,
    FormatVersion(u32),
    Invalid(Text),
}

impl ProjectError {
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            ProjectError::NotJson(d) => lang.pick(
                format!("这不是项目文件（无法读取 JSON：{d}）。"),
                format!("This is not a project file (not readable JSON: {d})."),
            ),
            ProjectError::NotAProject => lang.pick(
                "这个文件不是 Doorstep 项目文件。".into(),
                "This file is not a Doorstep project file.".into(),
            ),
            ProjectError::FormatVersion(v) => lang.pick(
                format!("项目文件的格式版本是 {v}，本程序只能读取版本 1 到 {PROJECT_VERSION}。请把 Doorstep 更新到同一版本。"),
                format!("The project file is format version {v}; this app reads versions 1 to {PROJECT_VERSION}. Update Doorstep on both devices."),
            ),
            ProjectError::Invalid(d) => lang.pick(
                format!("项目文件有误：{}", d.zh),
                format!("The project file is not valid: {}", d.en),
            ),
        }
    }
}

/// A building as the walk list and the area codes compare it: the digits without leading
/// zeros where there are any (`12栋` is `12`), otherwise the trimmed, lower-case text.
pub fn building_key(s: &str) -> String {
    crate::visits::walk::place_part(s)
}

impl Area {
    /// Whether `building` (an answer) is one of this area's buildings.
    pub fn covers(&self, building: &str) -> bool {
        let b = building_key(building);
        if b.is_empty() {
            return false;
        }
        let n: Option<u64> = b.parse().ok();
        area_items(&self.buildings).any(|item| match item {
            Item::Range(lo, hi) => n.is_some_and(|n| lo <= n && n <= hi),
            Item::One(one) => one == b,
        })
    }

    /// Why the buildings cannot be read, if they cannot.
    fn problem(&self) -> Option<Text> {
        let code = &self.code;
        if code.trim().is_empty() {
            return Some(Text::new("有片区没有代码", "an area has no code"));
        }
        if area_items(&self.buildings).next().is_none() {
            return Some(Text::new(
                format!("片区 {code} 没有列出楼号"),
                format!("area {code} lists no buildings"),
            ));
        }
        area_items(&self.buildings).find_map(|i| match i {
            Item::Range(lo, hi) if lo > hi => Some(Text::new(
                format!("片区 {code}：{lo}-{hi} 应从小写到大"),
                format!("area {code}: {lo}-{hi} runs backwards"),
            )),
            _ => None,
        })
    }
}

/// Areas as the settings screen edits them: a line each, `A: 1-20, 25`.
pub fn areas_text(areas: &[Area]) -> String {
    areas
        .iter()
        .map(|a| format!("{}: {}", a.code, a.buildings))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the settings screen's lines back; the line that cannot be read is named.
pub fn parse_areas(text: &str) -> Result<Vec<Area>, Text> {
    let mut out: Vec<Area> = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let Some((code, buildings)) = line.split_once([':', '：']) else {
            return Err(Text::new(
                format!("第 {} 行：先写片区代码，再写冒号和楼号", n + 1),
                format!(
                    "line {}: write the code, a colon, then the buildings",
                    n + 1
                ),
            ));
        };
        let area = Area {
            code: code.trim().to_owned(),
            buildings: buildings.trim().to_owned(),
        };
        if let Some(p) = area.problem() {
            return Err(Text::new(
                format!("第 {} 行：{}", n + 1, p.zh),
                format!("line {}: {}", n + 1, p.en),
            ));
        }
        if out.iter().any(|a| a.code == area.code) {
            return Err(Text::new(
                format!("第 {} 行：片区 {} 重复", n + 1, area.code),
                format!("line {}: area {} is listed twice", n + 1, area.code),
            ));
        }
        out.push(area);
    }
    Ok(out)
}

enum Item {
    Range(u64, u64),
    One(String),
}

fn area_items(spec: &str) -> impl Iterator<Item = Item> + '_ {
    spec.split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| {
            let range = part
                .split_once(['-', '–', '~', '～'])
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
            match range {
                Some((lo, hi)) => Item::Range(lo, hi),
                None => Item::One(building_key(part)),
            }
        })
}

/// Hex of bytes, lower case. A table, not `format!` per byte: the workspace writes 100,000
/// pseudonyms on an import.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Bytes of lower- or upper-case hex; `None` for anything else.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

impl Project {
    /// A new project and its secret key; `random` comes from the browser's CSPRNG.
    pub fn new(
        name: &str,
        community: &str,
        random: &[u8; NEW_PROJECT_RANDOM],
    ) -> (Project, super::link::ProjectSecret) {
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&random[48..]);
        let secret = super::link::ProjectSecret::from_bytes(*secret);
        let project = Project {
            format: PROJECT_FORMAT.into(),
            format_version: PROJECT_VERSION,
            id: hex(&random[..16]),
            name: name.trim().to_owned(),
            community: community.trim().to_owned(),
            forms: Vec::new(),
            k: DEFAULT_K,
            areas: Vec::new(),
            public_key: Some(secret.public_hex()),
            sign_key: Some(hex(&random[16..48])),
            households: Vec::new(),
            targets: Vec::new(),
            definitions: Vec::new(),
        };
        (project, secret)
    }

    /// A project read from a version 1 file, given a key pair and a signing key of its own
    /// (`random` as for `new`; its id bytes are unused): the same id, so its earlier
    /// exports still belong to it.
    pub fn with_new_keys(
        &self,
        random: &[u8; NEW_PROJECT_RANDOM],
    ) -> (Project, super::link::ProjectSecret) {
        let (fresh, secret) = Project::new(&self.name, &self.community, random);
        let p = Project {
            format_version: PROJECT_VERSION,
            public_key: fresh.public_key,
            sign_key: fresh.sign_key,
            ..self.clone()
        };
        (p, secret)
    }

    /// Whether exports of this project can link households and be signed: false for a
    /// project from a version 1 file.
    pub fn has_keys(&self) -> bool {
        self.public_key.is_some() && self.sign_key.is_some()
    }

    /// The settings alone, without what is installed elsewhere on a device (the walk list
    /// and the form definitions): what a worker's device keeps as its project.
    pub fn settings(&self) -> Project {
        Project {
            households: Vec::new(),
            definitions: Vec::new(),
            ..self.clone()
        }
    }

    /// The walk list the project hands out, if it has one.
    pub fn walk_list(&self) -> Option<WalkList> {
        (!self.households.is_empty()).then(|| WalkList {
            community: self.community.clone(),
            households: self.households.clone(),
        })
    }

    /// The goal set for one measure, if the project sets one.
    pub fn goal(&self, measure: Measure) -> Option<u32> {
        self.targets
            .iter()
            .find(|t| t.measure == measure)
            .map(|t| t.goal)
    }

    /// Sets (or, with `None`, drops) the goal of one measure.
    pub fn set_goal(&mut self, measure: Measure, goal: Option<u32>) {
        self.targets.retain(|t| t.measure != measure);
        if let Some(goal) = goal {
            self.targets.push(Target { measure, goal });
            self.targets.sort_by_key(|t| t.measure);
        }
    }

    /// The signing key's bytes (empty for a project without one).
    pub fn sign_key_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        zeroize::Zeroizing::new(self.sign_key.as_deref().and_then(unhex).unwrap_or_default())
    }

    /// Reads a project file, checking everything an export relies on.
    pub fn parse(text: &str) -> Result<Project, ProjectError> {
        let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| ProjectError::NotJson(e.to_string()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(PROJECT_FORMAT) {
            return Err(ProjectError::NotAProject);
        }
        let mut value = value;
        match value.get("format_version").and_then(|v| v.as_u64()) {
            Some(v) if v == PROJECT_VERSION as u64 => {
                if value.get("public_key").is_none() || value.get("sign_key").is_none() {
                    return Err(ProjectError::Invalid(Text::new(
                        "缺少 public_key 或 sign_key",
                        "public_key or sign_key is missing",
                    )));
                }
            }
            Some(1) => {
                // The shared pseudonym key of version 1 is what let a lost tablet name
                // every household: it is dropped here and never stored again. The project
                // stays version 1 (no keys) until it gets keys of its own.
                if let Some(o) = value.as_object_mut() {
                    o.remove("key");
                    if o.contains_key("public_key") || o.contains_key("sign_key") {
                        return Err(ProjectError::Invalid(Text::new(
                            "版本 1 的项目文件没有 public_key 和 sign_key",
                            "a version 1 project file has no public_key or sign_key",
                        )));
                    }
                }
            }
            Some(v) => return Err(ProjectError::FormatVersion(v as u32)),
            None => {
                return Err(ProjectError::Invalid(Text::new(
                    "缺少 format_version",
                    "format_version is missing",
                )))
            }
        }
        let p: Project = serde_json::from_value(value)
            .map_err(|e| ProjectError::Invalid(Text::new(e.to_string(), e.to_string())))?;
        p.check().map_err(ProjectError::Invalid)?;
        Ok(p)
    }

    /// What is wrong with the settings, if anything.
    pub fn check(&self) -> Result<(), Text> {
        if self.name.trim().is_empty() {
            return Err(Text::new("项目没有名称", "the project has no name"));
        }
        if self.id.len() != 32 || unhex(&self.id).is_none() {
            return Err(Text::new(
                "id 应是 32 位十六进制数",
                "id must be 32 hex digits",
            ));
        }
        if self
            .public_key
            .as_deref()
            .is_some_and(|k| !super::link::valid_public_key(k))
        {
            return Err(Text::new(
                "public_key 应是 64 位十六进制数（X25519 公钥）",
                "public_key must be 64 hex digits (an X25519 public key)",
            ));
        }
        if self
            .sign_key
            .as_deref()
            .is_some_and(|k| k.len() != 64 || unhex(k).is_none())
        {
            return Err(Text::new(
                "sign_key 应是 64 位十六进制数（32 字节）",
                "sign_key must be 64 hex digits (32 bytes)",
            ));
        }
        if !(2..=100).contains(&self.k) {
            return Err(Text::new(
                format!("k 是 {}，应在 2 到 100 之间", self.k),
                format!("k is {}; it must be between 2 and 100", self.k),
            ));
        }
        if let Some(p) = self.areas.iter().find_map(Area::problem) {
            return Err(p);
        }
        if let Err(e) = WalkList::new(&self.community, self.households.clone()) {
            let d = e.describe();
            return Err(Text::new(
                format!("走访清单：{}", d.zh),
                format!("walk list: {}", d.en),
            ));
        }
        if self.households.len() > crate::visits::walk::MAX_HOUSEHOLDS {
            return Err(Text::new(
                format!("走访清单超过 {} 户", crate::visits::walk::MAX_HOUSEHOLDS),
                format!(
                    "the walk list has more than {} households",
                    crate::visits::walk::MAX_HOUSEHOLDS
                ),
            ));
        }
        for (i, t) in self.targets.iter().enumerate() {
            if self.targets[..i].iter().any(|o| o.measure == t.measure) {
                return Err(Text::new(
                    "同一项指标有两个目标",
                    "one measure has two targets",
                ));
            }
            if t.goal == 0 || t.goal > 1_000_000 {
                return Err(Text::new(
                    format!("目标 {} 应在 1 到 1000000 之间", t.goal),
                    format!("a target of {} must be from 1 to 1,000,000", t.goal),
                ));
            }
        }
        for d in &self.definitions {
            if !self.forms.iter().any(|f| names(d, f)) {
                let id = d.get("id").and_then(|v| v.as_str()).unwrap_or_default();
                let version = d.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
                return Err(Text::new(
                    format!("附带的问卷定义 {id} 第 {version} 版不在项目的问卷中"),
                    format!(
                        "the included form definition {id} version {version} is not one of the project's forms"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The included form definitions, each read by the form parser that checks every
    /// question and expression: `(compiled, definition)` as the form library stores them.
    /// One that cannot be read refuses the whole project, named.
    pub fn checked_forms(&self) -> Result<Vec<(String, String)>, Text> {
        self.definitions
            .iter()
            .map(|d| {
                let source = serde_json::to_string_pretty(d).unwrap_or_default();
                let form = crate::form::parse::parse_form(&source).map_err(|e| {
                    let id = d.get("id").and_then(|v| v.as_str()).unwrap_or("?");
                    Text::new(
                        format!("附带的问卷 {id} 有误：{}", e.describe(Lang::Zh)),
                        format!(
                            "the included form {id} is not valid: {}",
                            e.describe(Lang::En)
                        ),
                    )
                })?;
                Ok((serde_json::to_string(&form).unwrap_or_default(), source))
            })
            .collect()
    }

    /// The reporting area of a building answer, if one covers it.
    pub fn area_of(&self, building: &str) -> Option<&str> {
        self.areas
            .iter()
            .find(|a| a.covers(building))
            .map(|a| a.code.as_str())
    }

    /// The project file's text.
    pub fn to_file(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Whether an included form definition is the one `f` names.
fn names(definition: &serde_json::Value, f: &FormRef) -> bool {
    definition.get("id").and_then(|v| v.as_str()) == Some(f.id.as_str())
        && definition.get("version").and_then(|v| v.as_u64()) == Some(u64::from(f.version))
}

/// A project's settings as the coordinator types them, before they are checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edits {
    pub name: String,
    pub community: String,
    pub k: String,
    pub areas: String,
    pub forms: Vec<FormRef>,
    /// Each measure's goal as typed; empty for none.
    pub goals: Vec<(Measure, String)>,
    pub households: Vec<Household>,
}

impl Edits {
    /// The fields of `p`, to edit.
    pub fn of(p: &Project) -> Edits {
        Edits {
            name: p.name.clone(),
            community: p.community.clone(),
            k: p.k.to_string(),
            areas: areas_text(&p.areas),
            forms: p.forms.clone(),
            goals: MEASURES
                .iter()
                .map(|&m| (m, p.goal(m).map(|g| g.to_string()).unwrap_or_default()))
                .collect(),
            households: p.households.clone(),
        }
    }
}

/// The measures a project can set a target for, in the order the editor shows them.
pub const MEASURES: [Measure; 4] = [
    Measure::Visits,
    Measure::CompletedSurveys,
    Measure::CoveragePercent,
    Measure::FollowUpsHandled,
];

impl Project {
    /// `self` with the edits, checked. The id and the keys never change: a new key pair
    /// would split every household's pseudonym in two. A chosen form that is not built in travels
    /// with its definition: from `library` (this browser's form library) where it is there,
    /// else the one the project already carried.
    pub fn edited(
        &self,
        e: &Edits,
        builtin: &FormRef,
        library: impl Fn(&FormRef) -> Option<serde_json::Value>,
    ) -> Result<Project, Text> {
        let mut p = self.clone();
        p.name = e.name.trim().to_owned();
        p.community = e.community.trim().to_owned();
        p.k = e.k.trim().parse().map_err(|_| {
            Text::new(
                format!("k 应是 2 到 100 之间的整数，不是“{}”", e.k.trim()),
                format!(
                    "k must be a whole number from 2 to 100, not \"{}\"",
                    e.k.trim()
                ),
            )
        })?;
        p.areas = parse_areas(&e.areas)?;
        p.households = e.households.clone();
        p.targets.clear();
        for (m, typed) in &e.goals {
            let typed = typed.trim();
            if typed.is_empty() {
                continue;
            }
            let goal = typed.parse().map_err(|_| {
                Text::new(
                    format!("目标应是整数，不是“{typed}”"),
                    format!("a target must be a whole number, not \"{typed}\""),
                )
            })?;
            p.set_goal(*m, Some(goal));
        }
        p.forms = e.forms.clone();
        p.definitions = Vec::new();
        for f in e.forms.iter().filter(|f| *f != builtin) {
            let carried = || self.definitions.iter().find(|d| names(d, f)).cloned();
            let def = library(f).or_else(carried).ok_or_else(|| {
                Text::new(
                    format!("找不到问卷 {} 第 {} 版的定义", f.id, f.version),
                    format!(
                        "the definition of form {} version {} is not here",
                        f.id, f.version
                    ),
                )
            })?;
            p.definitions.push(def);
        }
        p.check()?;
        Ok(p)
    }
}
