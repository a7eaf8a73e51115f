//! A project: what every worker of one survey shares so their exports fit together — the
//! forms, k, the area codes and the pseudonym key. Handed from device to device as a
//! project file; importing one never touches responses.

use crate::i18n::{Lang, Text};
use serde::{Deserialize, Serialize};

/// The project file's format name and the only version this build reads.
pub const PROJECT_FORMAT: &str = "doorstep-project";
pub const PROJECT_VERSION: u32 = 1;
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
    pub k: u32,
    /// Reporting areas, first match wins.
    #[serde(default)]
    pub areas: Vec<Area>,
    /// 32 random bytes, hex: the HMAC key of every pseudonym. Whoever holds it can link a
    /// pseudonym to a room, so it stays on the project's devices.
    pub key: String,
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
                format!("项目文件的格式版本是 {v}，本程序只能读取版本 {PROJECT_VERSION}。请把 Doorstep 更新到同一版本。"),
                format!("The project file is format version {v}; this app reads version {PROJECT_VERSION}. Update Doorstep on both devices."),
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

/// Hex of bytes, lower case.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Project {
    /// A new project; `random` comes from the browser's CSPRNG (48 bytes: 16 for the id,
    /// 32 for the key).
    pub fn new(name: &str, community: &str, random: &[u8; 48]) -> Project {
        Project {
            format: PROJECT_FORMAT.into(),
            format_version: PROJECT_VERSION,
            id: hex(&random[..16]),
            name: name.trim().to_owned(),
            community: community.trim().to_owned(),
            forms: Vec::new(),
            k: DEFAULT_K,
            areas: Vec::new(),
            key: hex(&random[16..]),
        }
    }

    /// The pseudonym key's bytes.
    pub fn key_bytes(&self) -> Vec<u8> {
        unhex(&self.key).unwrap_or_default()
    }

    /// Reads a project file, checking everything an export relies on.
    pub fn parse(text: &str) -> Result<Project, ProjectError> {
        let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| ProjectError::NotJson(e.to_string()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(PROJECT_FORMAT) {
            return Err(ProjectError::NotAProject);
        }
        match value.get("format_version").and_then(|v| v.as_u64()) {
            Some(v) if v == PROJECT_VERSION as u64 => {}
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
        if self.key.len() != 64 || unhex(&self.key).is_none() {
            return Err(Text::new(
                "key 应是 64 位十六进制数（32 字节）",
                "key must be 64 hex digits (32 bytes)",
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
        Ok(())
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
