//! Which rows of a sheet a run sends: all of them, the first N, or those whose column matches a filter. A
//! selection other than "all" is written as a CSV copy of the chosen rows, which is then prepared (and later
//! joined) like any sheet, so every chosen row is accounted for.

use std::path::{Path, PathBuf};

use batch_core::sheet::{ImportError, Row, SheetOptions, open_sheet};
use serde::{Deserialize, Serialize};

/// How a filter compares a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FilterOp {
    /// The cell contains the text (ignoring case).
    Contains,
    /// The cell equals the text exactly.
    Equals,
    /// The cell is not empty.
    NotEmpty,
}

/// The rows to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RowSelection {
    /// Every row.
    All,
    /// The first `count` rows.
    First {
        /// How many.
        count: u64,
    },
    /// Rows whose `column` matches.
    Filter {
        /// The column's header.
        column: String,
        /// The comparison.
        op: FilterOp,
        /// The text compared with (unused for `not_empty`).
        value: String,
    },
}

/// Why a selection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// The sheet could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The filter names a column the sheet lacks.
    #[error("the filter's column {column:?} is not in the sheet (its columns: {columns}); pick one of them")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The sheet's columns.
        columns: String,
    },
    /// Nothing matched.
    #[error("no row matches the selection ({0}); widen the filter or send all rows")]
    Empty(String),
    /// The copy could not be written.
    #[error("{}: cannot write the selected rows: {source}", path.display())]
    Write {
        /// The copy.
        path: PathBuf,
        /// What failed.
        source: csv::Error,
    },
}

impl RowSelection {
    /// A short description ("first 100 rows", "rows where region contains EU").
    pub fn describe(&self) -> String {
        match self {
            Self::All => "all rows".into(),
            Self::First { count } => format!("first {count} rows"),
            Self::Filter { column, op: FilterOp::NotEmpty, .. } => format!("rows where {column} is not empty"),
            Self::Filter { column, op: FilterOp::Contains, value } => format!("rows where {column} contains {value:?}"),
            Self::Filter { column, op: FilterOp::Equals, value } => format!("rows where {column} = {value:?}"),
        }
    }
}

/// The sheet to prepare for `selection`: the sheet itself for `All`, else a CSV of the chosen rows at `copy`
/// (with the same headers); returns the path and the rows chosen.
pub fn select_rows(
    sheet: &Path,
    options: &SheetOptions,
    selection: &RowSelection,
    copy: &Path,
) -> Result<(PathBuf, SheetOptions, u64), SelectionError> {
    let mut source = open_sheet(sheet, options)?;
    let headers = source.meta().headers.clone();
    let test: Box<dyn Fn(&Row) -> bool> = match selection {
        RowSelection::All => {
            let mut row = Row::new();
            let mut rows = 0;
            while source.next_row(&mut row)? {
                rows += 1;
            }
            return Ok((sheet.to_path_buf(), options.clone(), rows));
        }
        RowSelection::First { count } => {
            let count = *count;
            Box::new(move |row: &Row| row.number() <= count)
        }
        RowSelection::Filter { column, op, value } => {
            let Some(index) = headers.iter().position(|h| h == column) else {
                return Err(SelectionError::UnknownColumn { column: column.clone(), columns: headers.join(", ") });
            };
            let value = value.clone();
            let lower = value.to_lowercase();
            let op = *op;
            Box::new(move |row: &Row| {
                let cell = row.get(index);
                match op {
                    FilterOp::NotEmpty => !cell.trim().is_empty(),
                    FilterOp::Equals => cell == value,
                    FilterOp::Contains => cell.to_lowercase().contains(&lower),
                }
            })
        }
    };
    let write = |source: csv::Error| SelectionError::Write { path: copy.to_path_buf(), source };
    let mut out = csv::Writer::from_path(copy).map_err(write)?;
    out.write_record(&headers).map_err(write)?;
    let mut row = Row::new();
    let mut chosen = 0;
    while source.next_row(&mut row)? {
        if let RowSelection::First { count } = selection
            && row.number() > *count
        {
            break;
        }
        if test(&row) {
            let mut cells: Vec<&str> = row.iter().collect();
            cells.resize(headers.len(), "");
            out.write_record(&cells).map_err(write)?;
            chosen += 1;
        }
    }
    out.flush().map_err(|e| write(e.into()))?;
    if chosen == 0 {
        return Err(SelectionError::Empty(selection.describe()));
    }
    Ok((copy.to_path_buf(), SheetOptions { sheet: None, delimiter: Some(b',') }, chosen))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(dir: &Path) -> PathBuf {
        let path = dir.join("s.csv");
        let mut text = String::from("id,region,note\n");
        for i in 1..=20 {
            let region = if i % 4 == 0 { "EU-west" } else { "us" };
            let note = if i % 2 == 0 { "" } else { "a, \"b\"" };
            text.push_str(&format!("{i},{region},\"{}\"\n", note.replace('"', "\"\"")));
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    fn ids(path: &Path) -> Vec<String> {
        let mut source = open_sheet(path, &SheetOptions::default()).unwrap();
        let mut row = Row::new();
        let mut out = Vec::new();
        while source.next_row(&mut row).unwrap() {
            out.push(row.get(0).to_string());
        }
        out
    }

    #[test]
    fn selections_copy_exactly_the_chosen_rows() {
        let dir = tempfile::tempdir().unwrap();
        let input = sheet(dir.path());
        let copy = dir.path().join("selected.csv");
        let options = SheetOptions::default();

        let (path, _, rows) = select_rows(&input, &options, &RowSelection::All, &copy).unwrap();
        assert_eq!((path, rows), (input.clone(), 20));
        assert!(!copy.exists(), "all rows need no copy");

        let (path, _, rows) = select_rows(&input, &options, &RowSelection::First { count: 3 }, &copy).unwrap();
        assert_eq!((ids(&path), rows), (vec!["1".to_string(), "2".into(), "3".into()], 3));

        let eu = RowSelection::Filter { column: "region".into(), op: FilterOp::Contains, value: "eu".into() };
        let (path, _, rows) = select_rows(&input, &options, &eu, &copy).unwrap();
        assert_eq!((ids(&path), rows), (vec!["4".to_string(), "8".into(), "12".into(), "16".into(), "20".into()], 5));

        let noted = RowSelection::Filter { column: "note".into(), op: FilterOp::NotEmpty, value: String::new() };
        let (path, _, rows) = select_rows(&input, &options, &noted, &copy).unwrap();
        assert_eq!(rows, 10);
        let mut source = open_sheet(&path, &SheetOptions::default()).unwrap();
        let mut row = Row::new();
        assert!(source.next_row(&mut row).unwrap());
        assert_eq!(row.get(2), "a, \"b\"", "cells survive the copy exactly");
    }

    #[test]
    fn a_bad_filter_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let input = sheet(dir.path());
        let copy = dir.path().join("selected.csv");
        let unknown = RowSelection::Filter { column: "Region".into(), op: FilterOp::Equals, value: "us".into() };
        let error = select_rows(&input, &SheetOptions::default(), &unknown, &copy).err().unwrap();
        assert!(error.to_string().contains("its columns: id, region, note"), "{error}");
        let none = RowSelection::Filter { column: "region".into(), op: FilterOp::Equals, value: "US".into() };
        let error = select_rows(&input, &SheetOptions::default(), &none, &copy).err().unwrap();
        assert!(error.to_string().contains("no row matches"), "{error}");
    }
}
