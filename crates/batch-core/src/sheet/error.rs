//! Import errors: each names the file, the place and what to do.

use std::path::{Path, PathBuf};

use super::SheetFormat;
use crate::remedy::{HasRemedy, Remedy, Setting};

/// Why a sheet could not be read. Messages are one line: what, where, how to fix.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("{}: cannot read the file: {source}; check the path and that you may read it", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The file is not a sheet this tool can read.
    #[error("{}: not a sheet: {detail}; open a CSV, XLSX, XLS, ODS, Parquet or JSON Lines file", path.display())]
    NotASheet {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },
    /// Text that is not UTF-8.
    #[error("{}: {location}: the text is not valid UTF-8 ({detail}); re-save the file as UTF-8 (in Excel: \"CSV UTF-8\")", path.display())]
    Encoding {
        /// The file.
        path: PathBuf,
        /// Line or row.
        location: String,
        /// What was found.
        detail: String,
    },
    /// A header cell is empty.
    #[error("{}: column {column} has an empty header; give every column a name in the first row", path.display())]
    EmptyHeader {
        /// The file.
        path: PathBuf,
        /// 1-based column position.
        column: usize,
    },
    /// Two header cells have the same name.
    #[error("{}: the header \"{name}\" appears twice (columns {first} and {second}); rename one so every column name is unique", path.display())]
    DuplicateHeader {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        name: String,
        /// 1-based position of the first occurrence.
        first: usize,
        /// 1-based position of the second occurrence.
        second: usize,
    },
    /// A row has a different number of cells than the header.
    #[error("{}: {location} has {found} cells but the header has {expected}; {hint}", path.display())]
    Ragged {
        /// The file.
        path: PathBuf,
        /// Line or row.
        location: String,
        /// Header width.
        expected: usize,
        /// Cells found.
        found: usize,
        /// How to fix it, for this format.
        hint: String,
        /// The setting that may be wrong (the delimiter of a text file).
        setting: Option<Setting>,
    },
    /// The sheet has a header but no data rows.
    #[error("{}: the sheet has a header row but no data rows; add rows below the header{hint}", path.display())]
    NoDataRows {
        /// The file.
        path: PathBuf,
        /// Extra advice (e.g. which other worksheets have data).
        hint: String,
        /// The worksheet, when the workbook has others to choose.
        setting: Option<Setting>,
    },
    /// The sheet is entirely empty.
    #[error("{}: the {what} is empty; it needs a header row and at least one data row", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// "file", "worksheet \"X\"" …
        what: String,
    },
    /// The requested worksheet does not exist.
    #[error("{}: there is no worksheet named \"{name}\"; available: {available}", path.display())]
    NoSuchSheet {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// The names that exist, quoted and comma-separated.
        available: String,
    },
    /// A worksheet was chosen for a format without worksheets.
    #[error("{}: only XLSX, XLS and ODS workbooks have worksheets to choose, but this is a {format} file", path.display())]
    SheetOptionNotApplicable {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: SheetFormat,
    },
    /// The content is malformed at a known place.
    #[error("{}: {location}: {detail}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Line or row.
        location: String,
        /// What is wrong and how to fix it.
        detail: String,
    },
}

impl HasRemedy for ImportError {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::Ragged { setting, .. } | Self::NoDataRows { setting, .. } => setting.map(Remedy::change),
            Self::NoSuchSheet { .. } => Some(Remedy::change(Setting::Worksheet)),
            Self::SheetOptionNotApplicable { .. } => Some(Remedy::Clear { setting: Setting::Worksheet }),
            _ => None,
        }
    }
}

impl ImportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn not_a_sheet(path: &Path, detail: &str) -> Self {
        Self::NotASheet { path: path.to_path_buf(), detail: detail.to_string() }
    }

    pub(crate) fn malformed(path: &Path, location: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Malformed { path: path.to_path_buf(), location: location.into(), detail: detail.into() }
    }
}
