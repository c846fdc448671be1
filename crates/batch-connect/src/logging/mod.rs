//! The programs' log: a daily-rotating file in the platform's log folder (seven days kept), with levels, every
//! line redacted of secrets; and the recent warnings and errors kept for the diagnostics. The CLI and the
//! desktop shell each start it once, first thing.

mod recent_problems;
mod redact;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tracing::Level;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

pub use recent_problems::RecentProblems;
use recent_problems::RecentProblemsLayer;
pub use redact::{REDACTED, Secrets};

/// The environment variable that sets what is logged, as `level` or `target=level,…` (default: `info`).
pub const LOG_LEVEL_VARIABLE: &str = "BEDROCK_BATCH_LOG";

/// How many daily files are kept.
const DAYS_KEPT: usize = 7;

/// Why the log file could not be set up (the program goes on without one).
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// The log folder cannot be made or written.
    #[error("cannot write logs in {}: {source}; check the folder is writable, or set BEDROCK_BATCH_HOME to another folder", dir.display())]
    Folder {
        /// The log folder.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `BEDROCK_BATCH_LOG` is not a level filter.
    #[error(
        "BEDROCK_BATCH_LOG={value:?} is not a log level: use error, warn, info, debug or trace (or target=level,…)"
    )]
    Level {
        /// The value found.
        value: String,
    },
    /// Logging was already set up in this process.
    #[error("logging is already set up in this process")]
    AlreadySet,
}

/// A started log: where its files are and the recent problems.
#[derive(Debug, Clone)]
pub struct Logging {
    dir: PathBuf,
    prefix: String,
    problems: RecentProblems,
}

impl Logging {
    /// Starts logging for `program` (`studio`, `cli`: the files' prefix) into `dir`, once per process.
    pub fn start(program: &str, dir: &Path) -> Result<Self, LoggingError> {
        let folder = |source| LoggingError::Folder { dir: dir.to_path_buf(), source };
        std::fs::create_dir_all(dir).map_err(folder)?;
        let files = RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix(program)
            .filename_suffix("log")
            .max_log_files(DAYS_KEPT)
            .build(dir)
            .map_err(|e| folder(std::io::Error::other(e)))?;
        let secrets = Secrets::from_environment();
        let problems = RecentProblems::default();
        let writer = RedactingFiles { files: Arc::new(files), secrets: secrets.clone() };
        let levels = filter()?;
        let file_layer =
            tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer).with_filter(levels.clone());
        let problems_layer = RecentProblemsLayer { problems: problems.clone(), secrets }.with_filter(levels);
        Registry::default().with(file_layer).with(problems_layer).try_init().map_err(|_| LoggingError::AlreadySet)?;
        Ok(Self { dir: dir.to_path_buf(), prefix: program.to_string(), problems })
    }

    /// Today's log file (the newest of the folder with this program's prefix).
    pub fn current_file(&self) -> PathBuf {
        let newest = std::fs::read_dir(&self.dir).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&self.prefix)))
                .max()
        });
        newest.unwrap_or_else(|| self.dir.clone())
    }

    /// This process's recent warnings and errors, oldest first.
    pub fn recent_problems(&self) -> Vec<String> {
        self.problems.lines()
    }
}

/// What is logged: `BEDROCK_BATCH_LOG`, else `info` for the programs, `warn` for the libraries below them (the
/// AWS SDK and its HTTP stack are chatty at `info`) and `error` for aws-config, which warns at every launch without
/// credentials (no instance metadata, no profile) while the programs say what matters of that themselves.
fn filter() -> Result<Targets, LoggingError> {
    const QUIETER: [&str; 7] =
        ["aws_smithy_runtime", "aws_smithy_http_client", "aws_sdk_s3", "hyper", "hyper_util", "rustls", "h2"];
    match std::env::var(LOG_LEVEL_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => {
            value.trim().parse::<Targets>().map_err(|_| LoggingError::Level { value })
        }
        _ => Ok(Targets::new()
            .with_default(Level::INFO)
            .with_targets(QUIETER.map(|target| (target, Level::WARN)))
            .with_target("aws_config", Level::ERROR)),
    }
}

/// The rotating files behind a writer that redacts every line first.
#[derive(Clone)]
struct RedactingFiles {
    files: Arc<RollingFileAppender>,
    secrets: Secrets,
}

/// One event's writer: redacts what it is given, then writes it to today's file.
struct RedactingWriter<'a> {
    file: tracing_appender::rolling::RollingWriter<'a>,
    secrets: &'a Secrets,
}

impl<'a> MakeWriter<'a> for RedactingFiles {
    type Writer = RedactingWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { file: self.files.make_writer(), secrets: &self.secrets }
    }
}

impl Write for RedactingWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // The formatter hands over one whole event per call: redact it as text.
        let text = String::from_utf8_lossy(bytes);
        self.file.write_all(self.secrets.redact(&text).as_bytes())?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
