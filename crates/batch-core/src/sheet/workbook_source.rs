//! XLSX, XLS and ODS workbooks through calamine: one worksheet, first row as header.
//!
//! calamine materialises a worksheet's used range, so a workbook is held in memory once while it is read;
//! spreadsheets cap out near a million rows, which keeps this bounded.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, Ods, Range, Reader, Sheets, Xls, Xlsx, open_workbook};

use super::cell_text::{format_duration_days, format_number};
use super::{ImportError, Row, RowSource, SheetFormat, SheetMeta, headers};
use crate::remedy::Setting;

type Workbook = Sheets<BufReader<File>>;

/// Rows of one worksheet.
pub(crate) struct WorkbookSource {
    meta: SheetMeta,
    range: Range<Data>,
    /// Index into `range` of the next row to read (row 0 is the header).
    next: usize,
    rows_read: u64,
}

fn open(path: &Path, format: SheetFormat) -> Result<Workbook, ImportError> {
    let damaged = |e: &dyn std::fmt::Display| {
        ImportError::not_a_sheet(
            path,
            &format!("the {format} workbook could not be opened ({e}); re-save it from your spreadsheet program"),
        )
    };
    // calamine reads an ODS workbook's content and an XLSX workbook's shared strings whole: bound them first.
    let read_whole = if format == SheetFormat::Ods { "content.xml" } else { "sharedStrings.xml" };
    super::container::check(path, super::container::text_budget(path)?, read_whole)?;
    match format {
        SheetFormat::Xls => open_workbook::<Xls<_>, _>(path).map(Sheets::Xls).map_err(|e| damaged(&e)),
        SheetFormat::Ods => open_workbook::<Ods<_>, _>(path).map(Sheets::Ods).map_err(|e| damaged(&e)),
        _ => open_workbook::<Xlsx<_>, _>(path).map(Sheets::Xlsx).map_err(|e| damaged(&e)),
    }
}

/// Names of the worksheets in file order.
pub(crate) fn sheet_names(path: &Path) -> Result<Vec<String>, ImportError> {
    let format = super::format::detect(path)?;
    super::guard::guarded(path, format, || Ok(open(path, format)?.sheet_names()))
}

fn read_range(workbook: &mut Workbook, path: &Path, name: &str) -> Result<Range<Data>, ImportError> {
    workbook
        .worksheet_range(name)
        .map_err(|e| ImportError::not_a_sheet(path, &format!("worksheet \"{name}\" could not be read ({e})")))
}

fn has_data(range: &Range<Data>) -> bool {
    range.rows().any(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
}

impl WorkbookSource {
    /// Opens the named worksheet, or the first one with data (calamine's panics on damaged files become
    /// errors).
    pub(crate) fn open(path: &Path, format: SheetFormat, sheet: Option<&str>) -> Result<Self, ImportError> {
        super::guard::guarded(path, format, || Self::open_unguarded(path, format, sheet))
    }

    fn open_unguarded(path: &Path, format: SheetFormat, sheet: Option<&str>) -> Result<Self, ImportError> {
        let mut workbook = open(path, format)?;
        let names = workbook.sheet_names();
        let quoted = || names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        let (name, range) = match sheet {
            Some(wanted) => {
                if !names.iter().any(|n| n == wanted) {
                    return Err(ImportError::NoSuchSheet {
                        path: path.to_path_buf(),
                        name: wanted.to_string(),
                        available: quoted(),
                    });
                }
                let range = read_range(&mut workbook, path, wanted)?;
                if !has_data(&range) {
                    return Err(ImportError::Empty {
                        path: path.to_path_buf(),
                        what: format!("worksheet \"{wanted}\""),
                    });
                }
                (wanted.to_string(), range)
            }
            None => {
                let mut found = None;
                for name in &names {
                    let range = read_range(&mut workbook, path, name)?;
                    if has_data(&range) {
                        found = Some((name.clone(), range));
                        break;
                    }
                }
                found.ok_or_else(|| ImportError::Empty { path: path.to_path_buf(), what: "workbook".into() })?
            }
        };
        let mut rows = range.rows();
        let header_cells = rows.next().unwrap_or(&[]);
        let mut names_row: Vec<String> = header_cells.iter().map(cell_text).collect();
        // Trailing empty header cells are fine when no data sits under them; checked per row.
        while names_row.last().is_some_and(|n| n.is_empty()) {
            names_row.pop();
        }
        let headers = headers::validate(path, names_row)?;
        let meta = SheetMeta { path: path.to_path_buf(), format, sheet: Some(name.clone()), delimiter: None, headers };
        let data_rows = range.rows().skip(1).filter(|r| r.iter().any(|c| !matches!(c, Data::Empty))).count();
        if data_rows == 0 {
            let others: Vec<String> = names.iter().filter(|n| **n != name).map(|n| format!("\"{n}\"")).collect();
            let hint = if others.is_empty() {
                String::new()
            } else {
                format!(", or choose another worksheet ({})", others.join(", "))
            };
            let setting = (!others.is_empty()).then_some(Setting::Worksheet);
            return Err(ImportError::NoDataRows { path: path.to_path_buf(), hint, setting });
        }
        Ok(Self { meta, range, next: 1, rows_read: 0 })
    }

    fn sheet_row_number(&self, index: usize) -> u64 {
        self.range.start().map(|(r, _)| r as u64).unwrap_or(0) + index as u64 + 1
    }
}

impl RowSource for WorkbookSource {
    fn meta(&self) -> &SheetMeta {
        &self.meta
    }

    fn count_hint(&mut self) -> Option<u64> {
        Some(self.range.rows().skip(1).filter(|r| r.iter().any(|c| !matches!(c, Data::Empty))).count() as u64)
    }

    fn next_row(&mut self, row: &mut Row) -> Result<bool, ImportError> {
        let width = self.meta.headers.len();
        let (height, full_width) = self.range.get_size();
        let empty = Data::Empty;
        loop {
            let index = self.next;
            if index >= height {
                return Ok(false);
            }
            self.next += 1;
            let cell = |col: usize| self.range.get((index, col)).unwrap_or(&empty);
            if (0..full_width).all(|col| matches!(cell(col), Data::Empty)) {
                continue; // blank spacer rows are not data
            }
            if let Some(extra) = (width..full_width).find(|&col| !matches!(cell(col), Data::Empty)) {
                return Err(ImportError::Ragged {
                    path: self.meta.path.clone(),
                    location: format!(
                        "worksheet \"{}\" row {}",
                        self.meta.sheet.as_deref().unwrap_or(""),
                        self.sheet_row_number(index)
                    ),
                    expected: width,
                    found: extra + 1,
                    hint: "a cell holds data in a column without a header; name that column or clear the cell".into(),
                    setting: None,
                });
            }
            row.clear();
            for col in 0..width {
                row.push(&cell_text(cell(col)));
            }
            self.rows_read += 1;
            row.number = self.rows_read;
            return Ok(true);
        }
    }
}

/// The text a spreadsheet shows for a cell.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_duration() => format_duration_days(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            match (h, mi, s, ms) {
                (0, 0, 0, 0) => format!("{y:04}-{mo:02}-{d:02}"),
                (_, _, _, 0) => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
                _ => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}"),
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}
