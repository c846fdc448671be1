//! Why a prepare (or preview) failed.

use std::path::{Path, PathBuf};

use crate::limits::LimitsError;
use crate::plan::PlanError;
use crate::records::RecordError;
use crate::remedy::{HasRemedy, Remedy, Setting};
use crate::sheet::ImportError;
use crate::template::TemplateError;

/// Every way the prepare step can fail; each message says what, where and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The sheet could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A template is invalid or failed on a row.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The model, invocation type or parameters do not fit.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The rows cannot be split into valid jobs.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The limits contradict each other.
    #[error(transparent)]
    Limits(#[from] LimitsError),
    /// The record-id column names no column.
    #[error("record-id column: unknown column \"{name}\"{}", suggestion.as_ref().map(|s| format!(" — did you mean \"{s}\"?")).unwrap_or_default())]
    UnknownIdColumn {
        /// The name given.
        name: String,
        /// The closest header.
        suggestion: Option<String>,
    },
    /// More rows than record ids can number.
    #[error("the sheet has more than {max} data rows; split it into several files")]
    TooManyRows {
        /// The largest row count.
        max: u64,
    },
    /// The requested preview row does not exist.
    #[error("row {row} does not exist: the sheet has {rows} data rows (rows are numbered from 1, below the header)")]
    NoSuchRow {
        /// The row asked for.
        row: u64,
        /// Rows available.
        rows: u64,
    },
    /// Writing the output folder failed.
    #[error("{}: cannot write: {source}; check the folder exists, is writable and the disk has room", path.display())]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// A prepared part file could not be read.
    #[error("{}: cannot read this prepared part ({source}); prepare the sheet into that folder again", path.display())]
    PartFile {
        /// The part file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The sheet a run was prepared from changed (or went) since, so its rows cannot be rendered again.
    #[error(
        "{}: {detail} since the run was prepared, so its rows cannot be rendered again with changes; put the original \
         sheet back there, or retry without changes (the prepared records are sent as they were)",
        path.display()
    )]
    SheetChanged {
        /// The sheet.
        path: PathBuf,
        /// What happened to it.
        detail: String,
    },
    /// A job opened from elsewhere has no template to render its rows with.
    #[error(
        "this run is a job opened from elsewhere: its records have no template here to render again with {change}; \
         retry them as they were sent (without changes)"
    )]
    NoTemplate {
        /// The change asked for.
        change: String,
    },
    /// Two rows of a sheet joined to an opened job hold the same record id.
    #[error(
        "record-id column \"{column}\": rows {first} and {second} both hold \"{value}\"; a record id names one row, \
         so choose a column whose values are unique (or join by row number)"
    )]
    DuplicateRecordId {
        /// The column.
        column: String,
        /// The value held twice.
        value: String,
        /// The first row holding it.
        first: u64,
        /// The next row holding it.
        second: u64,
    },
    /// A job's request or output lines could not be read.
    #[error("{}: cannot read the job's lines ({source}); give the folder or file of its lines, readable by you", path.display())]
    JobLines {
        /// The file or folder.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// An existing `plan.json` could not be read.
    #[error("{}: not a readable plan ({detail}); prepare the sheet again to recreate it", path.display())]
    PlanFile {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
}

impl HasRemedy for PrepareError {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::Import(error) => error.remedy(),
            Self::Record(error) => error.remedy(),
            Self::Plan(error) => error.remedy(),
            Self::UnknownIdColumn { .. } | Self::DuplicateRecordId { .. } => Some(Remedy::change(Setting::IdColumn)),
            Self::PartFile { .. } | Self::PlanFile { .. } => Some(Remedy::PrepareAgain),
            Self::Template(_) | Self::Limits(_) | Self::TooManyRows { .. } | Self::NoSuchRow { .. } => None,
            Self::Output { .. } | Self::SheetChanged { .. } | Self::NoTemplate { .. } | Self::JobLines { .. } => None,
        }
    }
}

impl PrepareError {
    pub(crate) fn output(path: &Path, source: std::io::Error) -> Self {
        Self::Output { path: path.to_path_buf(), source }
    }

    pub(crate) fn job_lines(path: &Path, source: std::io::Error) -> Self {
        Self::JobLines { path: path.to_path_buf(), source }
    }
}
