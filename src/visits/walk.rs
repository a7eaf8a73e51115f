//! The walk list (入户走访清单): the households of a community, by building, unit and room.
//!
//! Made by hand, generated from a pattern (buildings 1–60 × units 1–3 × floors 1–18 × rooms
//! 1–4, minus exceptions), or imported from CSV. Each household has a stable id made from its
//! place (`12-1-1802`), so a list rebuilt or re-imported keeps its visits.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// `building-unit-room`, unique in the list.
    pub id: String,
    /// As people say it: `12栋`, `A座`, `3号别墅`.
    pub building: String,
    /// Empty for villas and buildings without units.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// Empty for a villa (the building is the household).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub room: String,
}

impl Household {
    pub fn new(building: &str, unit: &str, room: &str) -> Household {
        let (building, unit, room) = (building.trim(), unit.trim(), room.trim());
        Household {
            id: household_id(building, unit, room),
            building: building.to_owned(),
            unit: unit.to_owned(),
            room: room.to_owned(),
        }
    }

    /// The floor a room number names: `1802` → 18, `301` → 3 (for the coverage grid).
    pub fn floor(&self) -> Option<u32> {
        let digits: String = self.room.chars().filter(char::is_ascii_digit).collect();
        match digits.len() {
            3 | 4 => digits[..digits.len() - 2].parse().ok(),
            _ => None,
        }
    }
}

/// One part of a place as ids compare it: its digits without leading zeros where there are
/// any (`12栋` is `12`), otherwise its trimmed, lower-case text.
pub fn place_part(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        s.trim().to_lowercase()
    } else {
        digits.trim_start_matches('0').to_owned()
    }
}

/// The id of a place: its parts without the words around the numbers where there are any
/// (`12栋` and `12` are the same building), joined by `-`.
pub fn household_id(building: &str, unit: &str, room: &str) -> String {
    [building, unit, room]
        .iter()
        .map(|s| place_part(s))
        .collect::<Vec<_>>()
        .join("-")
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkList {
    pub community: String,
    pub households: Vec<Household>,
}

/// Why a list or an import was refused; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WalkError {
    /// The same place twice: its id, and where (rows of a CSV, 1-based, header included).
    Duplicate {
        id: String,
        rows: (usize, usize),
    },
    /// A CSV without the columns a walk list needs.
    MissingColumn(&'static str),
    /// A row without a building.
    EmptyBuilding {
        row: usize,
    },
    /// A pattern that makes nothing, or more than a community has.
    BadPattern(String),
    Unreadable(String),
}

impl WalkError {
    pub fn describe(&self) -> Text {
        match self {
            WalkError::Duplicate { id, rows: (a, b) } => Text::new(
                format!("第 {a} 行和第 {b} 行是同一户（{id}）。"),
                format!("Rows {a} and {b} are the same household ({id})."),
            ),
            WalkError::MissingColumn(c) => Text::new(
                format!("缺少“{c}”列：需要 楼栋(building)、单元(unit)、房号(room) 三列。"),
                format!(
                    "The column \"{c}\" is missing: a walk list needs building, unit and room."
                ),
            ),
            WalkError::EmptyBuilding { row } => Text::new(
                format!("第 {row} 行没有楼栋。"),
                format!("Row {row} has no building."),
            ),
            WalkError::BadPattern(why) => Text::new(
                format!("规则有误：{why}"),
                format!("The pattern is wrong: {why}"),
            ),
            WalkError::Unreadable(why) => Text::new(
                format!("文件无法读取：{why}"),
                format!("The file cannot be read: {why}"),
            ),
        }
    }
}

impl WalkList {
    /// A list of these households, refused whole if two are the same place.
    pub fn new(community: &str, households: Vec<Household>) -> Result<WalkList, WalkError> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, h) in households.iter().enumerate() {
            if let Some(first) = seen.insert(&h.id, i) {
                return Err(WalkError::Duplicate {
                    id: h.id.clone(),
                    rows: (first + 1, i + 1),
                });
            }
        }
        Ok(WalkList {
            community: community.to_owned(),
            households,
        })
    }

    pub fn household(&self, id: &str) -> Option<&Household> {
        self.households.iter().find(|h| h.id == id)
    }
}

/// Buildings × units × floors × rooms, as a community's estate office describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pattern {
    pub buildings: (u32, u32),
    pub units: (u32, u32),
    pub floors: (u32, u32),
    pub rooms: (u32, u32),
    /// Places that do not exist (`13` a whole building, `12-2` a unit, `12-1-1804` a room),
    /// written as ids are.
    #[serde(default)]
    pub except: Vec<String>,
    /// Villas added after the buildings: `1` to `n`, as `n号别墅`.
    #[serde(default)]
    pub villas: u32,
}

/// More households than any one community holds: a typing mistake, not a list.
pub const MAX_HOUSEHOLDS: usize = 20_000;

impl Pattern {
    pub fn generate(&self) -> Result<Vec<Household>, WalkError> {
        let ranges = [self.buildings, self.units, self.floors, self.rooms];
        if ranges.iter().any(|(a, b)| a > b) {
            return Err(WalkError::BadPattern(
                "a range ends before it starts".into(),
            ));
        }
        if self.floors.1 > 99 || self.rooms.1 > 99 {
            return Err(WalkError::BadPattern("floors and rooms go up to 99".into()));
        }
        let count: u64 = ranges
            .iter()
            .map(|(a, b)| u64::from(b - a + 1))
            .product::<u64>()
            + u64::from(self.villas);
        if count as usize > MAX_HOUSEHOLDS {
            return Err(WalkError::BadPattern(format!(
                "{count} households is more than {MAX_HOUSEHOLDS}"
            )));
        }
        let skipped = |id: &str| {
            self.except
                .iter()
                .any(|e| id == e || id.starts_with(&format!("{e}-")))
        };
        let mut out = Vec::with_capacity(count as usize);
        for b in self.buildings.0..=self.buildings.1 {
            for u in self.units.0..=self.units.1 {
                for f in self.floors.0..=self.floors.1 {
                    for r in self.rooms.0..=self.rooms.1 {
                        let h = Household::new(
                            &format!("{b}栋"),
                            &format!("{u}单元"),
                            &format!("{f}{r:02}"),
                        );
                        if !skipped(&h.id) {
                            out.push(h);
                        }
                    }
                }
            }
        }
        for v in 1..=self.villas {
            let h = Household::new(&format!("{v}号别墅"), "", "");
            let h = Household {
                id: format!("v{v}"),
                ..h
            };
            if !skipped(&h.id) {
                out.push(h);
            }
        }
        if out.is_empty() {
            return Err(WalkError::BadPattern("it leaves no household".into()));
        }
        Ok(out)
    }
}

/// Reads a walk list from CSV: a header naming `building`, `unit`, `room` (or 楼栋, 单元,
/// 房号 / 门牌), then one household a row. All or nothing.
pub fn from_csv(text: &str) -> Result<Vec<Household>, WalkError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(WalkError::MissingColumn("building"));
    };
    let cells = |line: &str| -> Vec<String> {
        line.split([',', '\t', '，'])
            .map(|c| c.trim().trim_matches('"').trim().to_owned())
            .collect()
    };
    let head = cells(header);
    let find = |names: &[&str]| {
        head.iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let building =
        find(&["building", "楼栋", "楼号", "栋"]).ok_or(WalkError::MissingColumn("building"))?;
    let unit = find(&["unit", "单元", "单元号"]).ok_or(WalkError::MissingColumn("unit"))?;
    let room =
        find(&["room", "房号", "门牌", "室号", "户"]).ok_or(WalkError::MissingColumn("room"))?;
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, line) in lines {
        let row = i + 1;
        let c = cells(line);
        let get = |k: usize| c.get(k).map(String::as_str).unwrap_or("");
        if get(building).is_empty() {
            return Err(WalkError::EmptyBuilding { row });
        }
        let h = Household::new(get(building), get(unit), get(room));
        if let Some(first) = seen.insert(h.id.clone(), row) {
            return Err(WalkError::Duplicate {
                id: h.id,
                rows: (first, row),
            });
        }
        out.push(h);
    }
    Ok(out)
}

/// The community of the domain brief: 60 buildings (the first six with two units, the rest
/// three, six floors of two rooms) and 42 villas, 2,130 households. For tests and benchmarks.
pub fn brief_community() -> Pattern {
    Pattern {
        buildings: (1, 60),
        units: (1, 3),
        floors: (1, 6),
        rooms: (1, 2),
        except: (1..=6).map(|b| format!("{b}-3")).collect(),
        villas: 42,
    }
}
