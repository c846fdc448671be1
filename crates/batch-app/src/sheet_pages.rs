//! What the wizard shows of a sheet: a summary (format, worksheets, columns with their kind and empty
//! cells, row count) and pages of rows, read on demand so the window never receives the whole table.

use std::path::Path;

use batch_core::sheet::{ImportError, Row, SheetMeta, SheetOptions, open_sheet, sheet_names};
use serde::Serialize;

/// What a column holds, judged from its non-empty cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Every non-empty cell is a number.
    Number,
    /// Every non-empty cell is a date (`YYYY-MM-DD…`).
    Date,
    /// `TRUE`/`FALSE`.
    Boolean,
    /// Anything else.
    Text,
    /// No non-empty cell.
    Empty,
}

/// One column of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnSummary {
    /// Its header.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
    /// Empty cells.
    pub empty_cells: u64,
}

/// A sheet as the wizard first shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetSummary {
    /// File, format, worksheet, delimiter and headers.
    pub meta: SheetMeta,
    /// The worksheets of a workbook (empty for single-table formats).
    pub sheets: Vec<String>,
    /// Data rows.
    pub rows: u64,
    /// The columns.
    pub columns: Vec<ColumnSummary>,
}

fn kind_of(cell: &str) -> ColumnKind {
    let bytes = cell.as_bytes();
    if cell.eq_ignore_ascii_case("true") || cell.eq_ignore_ascii_case("false") {
        ColumnKind::Boolean
    } else if cell.parse::<f64>().is_ok() {
        ColumnKind::Number
    } else if bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-' && bytes[..4].iter().all(u8::is_ascii_digit) {
        ColumnKind::Date
    } else {
        ColumnKind::Text
    }
}

/// Reads the whole sheet once (streaming) to count rows and judge each column.
pub fn summarize(path: &Path, options: &SheetOptions) -> Result<SheetSummary, ImportError> {
    let mut source = open_sheet(path, options)?;
    let meta = source.meta().clone();
    let mut kinds = vec![ColumnKind::Empty; meta.headers.len()];
    let mut empty = vec![0u64; meta.headers.len()];
    let mut row = Row::new();
    let mut rows = 0;
    while source.next_row(&mut row)? {
        rows += 1;
        for (index, cell) in row.iter().enumerate().take(kinds.len()) {
            if cell.is_empty() {
                empty[index] += 1;
                continue;
            }
            kinds[index] = match (kinds[index], kind_of(cell)) {
                (ColumnKind::Empty, found) => found,
                (seen, found) if seen == found => seen,
                _ => ColumnKind::Text,
            };
        }
    }
    let columns = meta
        .headers
        .iter()
        .zip(kinds)
        .zip(empty)
        .map(|((name, kind), empty_cells)| ColumnSummary { name: name.clone(), kind, empty_cells })
        .collect();
    Ok(SheetSummary { sheets: sheet_names(path)?, meta, rows, columns })
}

/// Rows `offset..offset + limit` (0-based, data rows only), each as its cells.
pub fn page(path: &Path, options: &SheetOptions, offset: u64, limit: u64) -> Result<Vec<Vec<String>>, ImportError> {
    let mut source = open_sheet(path, options)?;
    let mut row = Row::new();
    let mut skipped = 0;
    while skipped < offset {
        if !source.next_row(&mut row)? {
            return Ok(Vec::new());
        }
        skipped += 1;
    }
    let mut rows = Vec::new();
    while (rows.len() as u64) < limit && source.next_row(&mut row)? {
        rows.push(row.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_is_summarized_and_paged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let mut text = String::from("id,score,when,ok,note\n");
        for i in 1..=25 {
            let note = if i % 5 == 0 { "" } else { "text, \"quoted\"" };
            text.push_str(&format!("{i},{}.5,2026-01-{:02},TRUE,\"{}\"\n", i, i, note.replace('"', "\"\"")));
        }
        std::fs::write(&path, text).unwrap();
        let summary = summarize(&path, &SheetOptions::default()).unwrap();
        assert_eq!(summary.rows, 25);
        let kinds: Vec<ColumnKind> = summary.columns.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ColumnKind::Number, ColumnKind::Number, ColumnKind::Date, ColumnKind::Boolean, ColumnKind::Text]
        );
        assert_eq!(summary.columns[4].empty_cells, 5);
        let rows = page(&path, &SheetOptions::default(), 20, 10).unwrap();
        assert_eq!(rows.len(), 5, "the last page is short");
        assert_eq!(rows[0][0], "21");
        assert_eq!(rows[0][4], "text, \"quoted\"");
        assert!(page(&path, &SheetOptions::default(), 100, 10).unwrap().is_empty());
    }
}
