//! Telling a sheet's format from its first bytes and its extension.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ImportError;

/// The file formats a sheet can be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SheetFormat {
    /// Delimited text (CSV, TSV, semicolon- or pipe-separated).
    Csv,
    /// Office Open XML workbook.
    Xlsx,
    /// Legacy Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
    /// Apache Parquet.
    Parquet,
    /// One JSON object per line.
    Jsonl,
}

impl SheetFormat {
    /// True for formats that hold several named worksheets.
    pub fn is_workbook(self) -> bool {
        matches!(self, Self::Xlsx | Self::Xls | Self::Ods)
    }

    /// A short display name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Xlsx => "XLSX",
            Self::Xls => "XLS",
            Self::Ods => "ODS",
            Self::Parquet => "Parquet",
            Self::Jsonl => "JSON Lines",
        }
    }
}

impl std::fmt::Display for SheetFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// Detects the format: binary containers by their magic bytes, text by extension (`.jsonl`/`.ndjson` → JSON Lines).
pub(crate) fn detect(path: &Path) -> Result<SheetFormat, ImportError> {
    let mut file = File::open(path).map_err(|source| ImportError::io(path, source))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(ImportError::not_a_sheet(path, "it is a folder"));
    }
    let mut head = [0u8; 8];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(source) => return Err(ImportError::io(path, source)),
        }
    }
    let head = &head[..filled];
    let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).unwrap_or_default();
    if head.starts_with(ZIP_MAGIC) {
        return Ok(if ext == "ods" { SheetFormat::Ods } else { SheetFormat::Xlsx });
    }
    if head.starts_with(OLE_MAGIC) {
        return Ok(SheetFormat::Xls);
    }
    if head.starts_with(PARQUET_MAGIC) {
        return Ok(SheetFormat::Parquet);
    }
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" | "parquet" | "pq" => Err(ImportError::not_a_sheet(
            path,
            &format!("its extension says .{ext} but its content is not a {ext} file (it may be damaged or renamed)"),
        )),
        "jsonl" | "ndjson" | "json" => Ok(SheetFormat::Jsonl),
        _ => Ok(SheetFormat::Csv),
    }
}
