//! What the user can do about a refusal, said once in domain terms. Messages never name a command-line flag
//! or a window control: an error points at a [`Remedy`], and each face words it (the CLI with its flags and
//! commands, the window with its steps and buttons).

use serde::Serialize;

use crate::model::{InvocationType, ModelError};

/// A choice the user makes that a fix can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// The sheet file itself.
    Sheet,
    /// The model or inference profile.
    Model,
    /// The worksheet of a workbook.
    Worksheet,
    /// The field delimiter of a delimited text file.
    Delimiter,
    /// The column whose values become record ids.
    IdColumn,
    /// InvokeModel (the model's native body) or Converse.
    InvocationType,
    /// The records each job part takes (the batch minimum and the per-file maximum).
    RecordsPerJob,
    /// How long a job may run before Bedrock ends it.
    JobTimeout,
    /// How many jobs of a run may run at once.
    ConcurrentJobs,
    /// The most a run may cost before it is sent.
    SpendCap,
    /// The most tokens each answer may take.
    MaxTokens,
}

/// What to do about a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Remedy {
    /// Change `setting`.
    Change {
        /// The setting.
        setting: Setting,
    },
    /// Leave `setting` unset: it does not apply here.
    Clear {
        /// The setting.
        setting: Setting,
    },
    /// Send the records with `invocation` instead.
    UseInvocation {
        /// The invocation that serves this model and these settings.
        invocation: InvocationType,
    },
    /// Wait until the run's jobs have ended, then do it again.
    WaitForRun {
        /// The run.
        run: String,
    },
    /// Fetch the run's results first.
    FetchRun {
        /// The run.
        run: String,
    },
    /// Stop the run, then submit anew.
    StopRun {
        /// The run.
        run: String,
    },
    /// Send the run's failed and missing rows with on-demand calls instead of a batch job.
    RetryOnDemand {
        /// The run.
        run: String,
    },
    /// Send the rows with on-demand calls instead of a batch job (no minimum of records, full or Flex price).
    SendOnDemand,
    /// Continue sending an on-demand run that was interrupted (answered rows are not sent again).
    ContinueOnDemand {
        /// The run.
        run: String,
    },
    /// Look the runs up in the job history.
    ListRuns,
    /// Prepare the sheet again, which writes the prepared folder anew.
    PrepareAgain,
}

impl Remedy {
    /// Change `setting`.
    pub fn change(setting: Setting) -> Self {
        Self::Change { setting }
    }
}

/// An error that may point at a remedy.
pub trait HasRemedy {
    /// What the user can do about it, when this error knows.
    fn remedy(&self) -> Option<Remedy>;
}

// Here rather than in `model`, which the remedies name (for the invocation to use instead).
impl HasRemedy for ModelError {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::Invalid(_) => None,
            Self::NoInvokeFormat(_) => Some(Remedy::UseInvocation { invocation: InvocationType::Converse }),
            Self::NoConverse(_) => Some(Remedy::UseInvocation { invocation: InvocationType::InvokeModel }),
        }
    }
}
