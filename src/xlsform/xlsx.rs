//! Reads the cells of an `.xlsx` workbook: a zip of XML parts (ECMA-376). Only what an
//! XLSForm needs: sheet names, and each sheet's cells as text.
//!
//! Why not calamine: it reads every spreadsheet format and links zlib-rs and encoding_rs's
//! legacy code pages, 290 KB of gzipped wasm against 87 KB for `zip` (inflate through
//! miniz_oxide) and `quick-xml` with the ~150 lines below.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::{Cursor, Read};

/// A sheet's rows as text; cells are placed by their reference (`C7`), so rows and
/// columns Excel left out come back empty.
pub type Grid = Vec<Vec<String>>;

#[derive(Debug, PartialEq)]
pub enum XlsxError {
    /// Not a zip archive at all (or a damaged one).
    NotZip,
    /// A zip, but not a spreadsheet: a part every workbook has is missing or unreadable.
    NotWorkbook(String),
}

/// Uncompressed parts larger than this are refused (a zip bomb is small on disk).
const MAX_PART: u64 = 50 * 1024 * 1024;

pub fn read_workbook(bytes: &[u8]) -> Result<Vec<(String, Grid)>, XlsxError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| XlsxError::NotZip)?;
    let mut part = |name: &str| -> Option<String> {
        let f = zip.by_name(name).ok()?;
        if f.size() > MAX_PART {
            return None;
        }
        let mut s = String::new();
        f.take(MAX_PART).read_to_string(&mut s).ok()?;
        Some(s)
    };
    let workbook =
        part("xl/workbook.xml").ok_or_else(|| XlsxError::NotWorkbook("xl/workbook.xml".into()))?;
    let rels = part("xl/_rels/workbook.xml.rels").unwrap_or_default();
    let shared = part("xl/sharedStrings.xml")
        .map(|s| shared_strings(&s))
        .unwrap_or_default();
    let targets = relationships(&rels);
    let mut out = Vec::new();
    for (name, rid) in sheets(&workbook) {
        let target = targets
            .iter()
            .find(|(id, _)| *id == rid)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        // Targets are relative to xl/ (or absolute from the package root).
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_owned(),
            None => format!("xl/{target}"),
        };
        let xml = part(&path).ok_or_else(|| XlsxError::NotWorkbook(path.clone()))?;
        out.push((name, cells(&xml, &shared)));
    }
    Ok(out)
}

fn attr(e: &BytesStart, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key || a.key.local_name().as_ref() == key)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// `(sheet name, relationship id)` in workbook order.
fn sheets(xml: &str) -> Vec<(String, String)> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"sheet" => {
                if let (Some(name), Some(id)) = (attr(&e, b"name"), attr(&e, b"r:id")) {
                    out.push((name, id));
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

fn relationships(xml: &str) -> Vec<(String, String)> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(t)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    out.push((id, t));
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

/// The text of every `<si>`: plain (`<t>`) or rich (runs of `<r><t>`), phonetic hints
/// (`<rPh>`) left out.
fn shared_strings(xml: &str) -> Vec<String> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    let (mut current, mut in_t, mut in_phonetic) = (String::new(), false, false);
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"si" => current.clear(),
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"si" => out.push(std::mem::take(&mut current)),
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Ok(Event::Empty(e)) if e.local_name().as_ref() == b"si" => out.push(String::new()),
            Ok(Event::Text(t)) if in_t && !in_phonetic => {
                current.push_str(&t.decode().map(|c| unescape(&c)).unwrap_or_default())
            }
            Ok(Event::GeneralRef(g)) if in_t && !in_phonetic => {
                current.push_str(&entity(&g.decode().unwrap_or_default()))
            }
            Ok(Event::CData(c)) if in_t => {
                current.push_str(&String::from_utf8_lossy(&c.into_inner()))
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

fn unescape(s: &str) -> String {
    quick_xml::escape::unescape(s)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| s.to_owned())
}

/// `&amp;` and friends, and numeric references, as quick-xml reports them one by one.
fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n => {
            let code = n
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()));
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_default()
        }
    }
}

/// `C7` → (row 6, column 2), zero-based.
fn cell_ref(r: &str) -> Option<(usize, usize)> {
    let letters: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
    let row: usize = r[letters.len()..].parse().ok()?;
    let col = letters
        .bytes()
        .try_fold(0usize, |acc, b| {
            Some(acc * 26 + (b.to_ascii_uppercase().checked_sub(b'A')? as usize + 1))
        })?
        .checked_sub(1)?;
    // Bounds that no form comes near, so a hostile reference cannot allocate gigabytes.
    ((1..=100_000).contains(&row) && col < 1_000).then(|| (row - 1, col))
}

fn cells(xml: &str, shared: &[String]) -> Grid {
    let mut r = Reader::from_str(xml);
    let mut grid: Grid = Vec::new();
    let (mut row, mut col) = (0usize, 0usize);
    let mut kind = String::new();
    let mut text = String::new();
    let mut in_value = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"row" => {
                    if let Some(n) = attr(&e, b"r").and_then(|n| n.parse::<usize>().ok()) {
                        row = n.saturating_sub(1);
                    }
                    col = 0;
                }
                b"c" => {
                    if let Some((rr, cc)) = attr(&e, b"r").as_deref().and_then(cell_ref) {
                        row = rr;
                        col = cc;
                    }
                    kind = attr(&e, b"t").unwrap_or_default();
                    text.clear();
                }
                b"v" | b"t" => in_value = true,
                _ => {}
            },
            Ok(Event::Empty(e)) if e.local_name().as_ref() == b"c" => col += 1,
            Ok(Event::Text(t)) if in_value => {
                text.push_str(&t.decode().map(|c| unescape(&c)).unwrap_or_default())
            }
            Ok(Event::GeneralRef(g)) if in_value => {
                text.push_str(&entity(&g.decode().unwrap_or_default()))
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"v" | b"t" => in_value = false,
                b"c" => {
                    let value = match kind.as_str() {
                        "s" => text
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i).cloned())
                            .unwrap_or_default(),
                        "b" => if text.trim() == "1" { "TRUE" } else { "FALSE" }.into(),
                        _ => std::mem::take(&mut text),
                    };
                    if row < 100_000 && col < 1_000 {
                        if grid.len() <= row {
                            grid.resize(row + 1, Vec::new());
                        }
                        let cells = &mut grid[row];
                        if cells.len() <= col {
                            cells.resize(col + 1, String::new());
                        }
                        cells[col] = value;
                    }
                    col += 1;
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => return grid,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("C7"), Some((6, 2)));
        assert_eq!(cell_ref("AA10"), Some((9, 26)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("ZZZZ1"), None);
        assert_eq!(cell_ref("7"), None);
    }

    #[test]
    fn shared_strings_join_rich_text_runs_and_skip_phonetics() {
        let xml = r#"<sst><si><t>plain &amp; simple</t></si><si><r><t>ri</t></r><r><t>ch</t></r><rPh><t>x</t></rPh></si><si/></sst>"#;
        assert_eq!(shared_strings(xml), ["plain & simple", "rich", ""]);
    }

    #[test]
    fn cells_land_at_their_references() {
        let xml = r#"<worksheet><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>x&lt;y</t></is></c></row>
            <row r="3"><c r="B3"><v>42</v></c><c r="C3" t="b"><v>1</v></c></row>
        </sheetData></worksheet>"#;
        let grid = cells(xml, &["type".into()]);
        assert_eq!(grid[0], ["type", "", "x<y"]);
        assert!(grid[1].is_empty());
        assert_eq!(grid[2], ["", "42", "TRUE"]);
    }

    #[test]
    fn not_a_zip_is_refused() {
        assert_eq!(read_workbook(b"type,name\n"), Err(XlsxError::NotZip));
    }
}
