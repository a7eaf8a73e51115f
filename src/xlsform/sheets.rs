//! The three sheets of an XLSForm, from an `.xlsx` workbook or from CSV files.

use super::{xlsx, ImportError};

/// A sheet's rows as text; row 0 is the header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    pub fn header(&self) -> &[String] {
        self.rows.first().map_or(&[], Vec::as_slice)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Book {
    pub survey: Sheet,
    pub choices: Option<Sheet>,
    pub settings: Option<Sheet>,
}

impl Book {
    pub fn from_xlsx(file: &str, bytes: &[u8]) -> Result<Book, ImportError> {
        let sheets = xlsx::read_workbook(bytes).map_err(|e| match e {
            xlsx::XlsxError::NotZip => ImportError::new(
                format!("“{file}”不是有效的 .xlsx 文件（可能已损坏，或是旧的 .xls 格式：请在 Excel 中另存为 .xlsx）。"),
                format!("\"{file}\" is not a valid .xlsx file (it may be damaged, or an old .xls: save it as .xlsx in Excel)."),
            ),
            xlsx::XlsxError::NotWorkbook(part) => ImportError::new(
                format!("“{file}”不是 Excel 工作簿（缺少 {part}）。"),
                format!("\"{file}\" is not an Excel workbook ({part} is missing)."),
            ),
        })?;
        let mut book = Book::default();
        let mut found = false;
        for (name, grid) in sheets {
            let sheet = Sheet { rows: grid };
            match name.trim().to_lowercase().as_str() {
                "survey" => {
                    book.survey = sheet;
                    found = true;
                }
                "choices" => book.choices = Some(sheet),
                "settings" => book.settings = Some(sheet),
                _ => {}
            }
        }
        if !found {
            return Err(ImportError::new(
                format!("“{file}”里没有名为 survey 的工作表：这不像 XLSForm 问卷。"),
                format!(
                    "\"{file}\" has no sheet named survey: this does not look like an XLSForm."
                ),
            ));
        }
        Ok(book)
    }

    /// CSV files, each named after its sheet (`survey.csv`, `xyz-choices.csv`…).
    pub fn from_csv(files: &[(String, Vec<u8>)]) -> Result<Book, ImportError> {
        let mut book = Book::default();
        let mut found = false;
        for (name, bytes) in files {
            let lower = name.to_lowercase();
            let stem = lower.trim_end_matches(".csv");
            let sheet = read_csv(name, bytes)?;
            if stem.ends_with("survey") {
                book.survey = sheet;
                found = true;
            } else if stem.ends_with("choices") {
                book.choices = Some(sheet);
            } else if stem.ends_with("settings") {
                book.settings = Some(sheet);
            } else {
                return Err(ImportError::new(
                    format!("不知道“{name}”是哪张表：CSV 文件名应以 survey、choices 或 settings 结尾。"),
                    format!("Which sheet is \"{name}\"? CSV file names must end in survey, choices or settings."),
                ));
            }
        }
        if !found {
            return Err(ImportError::new(
                "缺少 survey.csv。",
                "survey.csv is missing.",
            ));
        }
        Ok(book)
    }
}

fn read_csv(name: &str, bytes: &[u8]) -> Result<Sheet, ImportError> {
    // Excel on a Chinese system saves "CSV" in GBK; only "CSV UTF-8" can be read here.
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::new(
            format!("“{name}”不是 UTF-8 编码：请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”。"),
            format!(
                "\"{name}\" is not UTF-8: in Excel, use Save As → \"CSV UTF-8 (Comma delimited)\"."
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            ImportError::new(
                format!("“{name}”第 {} 行无法读取：{e}", i + 1),
                format!("\"{name}\" row {}: cannot be read: {e}", i + 1),
            )
        })?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(Sheet { rows })
}
