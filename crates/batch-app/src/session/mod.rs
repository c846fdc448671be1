//! The desktop app's session, reachable by tests without a window: one history, a backend (AWS or the
//! offline sandbox, made by the program's [`Connector`]), runs driven in the background with their events
//! forwarded, results fetched and indexed when a run ends, and the access check. The Tauri shell calls these
//! methods in a line or two each.

mod access;
mod answer;
mod choices;
mod cost;
mod deadline;
mod diagnostics;
mod locations;
mod model;
mod model_runs;
mod opened_jobs;
mod results;
mod runs;
mod send_ways;
mod sheet;
mod window;
mod window_fix;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use batch_core::aws_names::{RoleArn, S3Uri};
use batch_core::model_lifecycle::LifecycleNotice;
use batch_core::prepare::PrepareError;
use batch_core::remedy::{HasRemedy, Remedy};
use batch_core::results::ResultsError;
use serde::Serialize;

use crate::error::{AppError, ErrorCode};
use crate::history::{History, HistoryError};
use crate::lifecycle::{Event, LifecycleError, LifecycleEvents};
use crate::ports::{AccessOptions, Backend, BatchQuotas, Connector, QuotaSource, ServiceError};
use crate::settings::Settings;
use crate::sheet_pages::SheetPagesError;
use crate::start_run::{AwsOrSandbox, RunTarget, StartError, connect_aws_or_sandbox, target_locations};

pub use access::{AccessDocuments, AccessForm, AccessView};
pub use cost::MeasureForm;
pub use diagnostics::LogFacts;
pub use model::{JobPlan, TestRowForm, TestRowView};
pub use opened_jobs::{AccountJobFilter, AccountJobRow, OpenJobForm};
pub use results::{ResultsOverview, RowAttempt, RunAsked, SavedSummary};
pub use runs::{RunOutcome, RunRow, SubmitForm};
pub use send_ways::{SendWays, send_ways};
pub use window::{AppInfo, ModelList, RunBytesMessage, RunEventMessage};
use window_fix::window_fix;

/// What the session reports while runs are driven in the background.
pub trait StudioEvents: Send + Sync {
    /// A lifecycle event of `run`.
    fn run_event(&self, run: &str, event: &Event);
    /// `bytes` more of `run` were uploaded or downloaded.
    fn run_bytes(&self, _run: &str, _bytes: u64) {}
    /// `run` ended (and, when it could, its results were fetched).
    fn run_ended(&self, run: &str, outcome: &RunOutcome);
}

/// Where the session's calls go.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectionInfo {
    /// True for the offline sandbox (answers from the sandbox model).
    pub sandbox: bool,
    /// The caller's ARN.
    pub caller: String,
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The profile used, when one was named.
    pub profile: Option<String>,
    /// Why the sandbox was chosen, when it was.
    pub reason: Option<String>,
}

/// Why a session step failed; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    /// The history could not be read or written.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A lifecycle step failed.
    #[error(transparent)]
    Lifecycle(#[from] crate::lifecycle::LifecycleError),
    /// A remote call failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The sheet, template or settings cannot be prepared.
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    /// A run's outputs cannot be joined to its sheet.
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// The model is past its end of life.
    #[error(transparent)]
    Model(#[from] LifecycleNotice),
    /// Runs cannot be compared.
    #[error(transparent)]
    Compare(#[from] crate::run_comparison::CompareError),
    /// The input is unusable.
    #[error("{0}")]
    Invalid(String),
    /// No connection was chosen yet, or not the one a run needs; says which.
    #[error("{0}")]
    NotConnected(String),
    /// The sheet could not be opened or paged.
    #[error(transparent)]
    Sheet(#[from] SheetPagesError),
    /// No sheet is open.
    #[error("no sheet is open")]
    NoSheet,
    /// A newer request replaced this one (an estimate while typing).
    #[error("{0}")]
    Superseded(String),
    /// The app's own files could not be written.
    #[error("{0}")]
    Internal(String),
}

impl StudioError {
    /// The stable code a face switches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::History(_) => ErrorCode::Internal,
            Self::Lifecycle(LifecycleError::Service(error)) | Self::Service(error) => error.kind.into(),
            Self::Lifecycle(LifecycleError::Cancelled) => ErrorCode::Cancelled,
            Self::Lifecycle(LifecycleError::Refused(_)) => ErrorCode::Conflict,
            Self::Lifecycle(LifecycleError::Blocked { remedy, .. }) => match remedy {
                Remedy::Change { .. } | Remedy::Clear { .. } | Remedy::UseInvocation { .. } => ErrorCode::InvalidInput,
                _ => ErrorCode::Conflict,
            },
            Self::Prepare(_) | Self::Results(_) | Self::Model(_) => ErrorCode::InvalidInput,
            Self::Lifecycle(LifecycleError::Prepare(_) | LifecycleError::Results(_)) => ErrorCode::InvalidInput,
            Self::Lifecycle(LifecycleError::History(_)) => ErrorCode::Internal,
            Self::Invalid(_) => ErrorCode::InvalidInput,
            Self::Compare(error) if error.unfetched_run().is_some() => ErrorCode::Conflict,
            Self::Compare(crate::run_comparison::CompareError::Rows(_)) => ErrorCode::Internal,
            Self::Compare(_) => ErrorCode::InvalidInput,
            Self::NotConnected(_) => ErrorCode::NotConnected,
            Self::Sheet(SheetPagesError::Cancelled { .. }) | Self::Superseded(_) => ErrorCode::Cancelled,
            Self::Sheet(SheetPagesError::Import(_)) => ErrorCode::InvalidInput,
            Self::Sheet(_) | Self::Internal(_) => ErrorCode::Internal,
            Self::NoSheet => ErrorCode::NotFound,
        }
    }
}

impl HasRemedy for StudioError {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::History(error) => error.remedy(),
            Self::Lifecycle(error) => error.remedy(),
            Self::Prepare(error) => error.remedy(),
            Self::Results(error) => error.remedy(),
            Self::Model(notice) => notice.remedy(),
            Self::Compare(error) => error.remedy(),
            Self::Sheet(SheetPagesError::Import(error)) => error.remedy(),
            _ => None,
        }
    }
}

impl From<StudioError> for AppError {
    fn from(error: StudioError) -> Self {
        let code = error.code();
        let remedy = error.remedy();
        let fix = match (&remedy, code) {
            (Some(remedy), _) => Some(window_fix(remedy)),
            (None, ErrorCode::NotConnected) => {
                Some("choose an AWS profile or the offline sandbox in the Connect step".to_string())
            }
            (None, ErrorCode::NotFound) if matches!(error, StudioError::NoSheet) => {
                Some("open one in the Data step".to_string())
            }
            (None, ErrorCode::NoCredentials) => {
                Some("sign in (aws sso login or aws configure), or use the offline sandbox".to_string())
            }
            (None, ErrorCode::Throttled | ErrorCode::Unavailable) => Some("try again in a moment".to_string()),
            (None, _) => None,
        };
        AppError { code, message: error.to_string(), fix, remedy }
    }
}

/// The desktop session over the backends `C` makes.
pub struct Studio<C: Connector> {
    home: PathBuf,
    connector: C,
    desk: sheet::SheetDesk,
    settings: Mutex<Settings>,
    history: Arc<Mutex<History>>,
    events: Arc<dyn StudioEvents>,
    current: tokio::sync::Mutex<Option<(Arc<C::Backend>, ConnectionInfo)>>,
    sandbox: tokio::sync::Mutex<Option<Arc<C::Backend>>>,
    driving: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// Quotas Service Quotas answered, by account, region and model: read once a session.
    quotas: Mutex<HashMap<(String, String, String), BatchQuotas>>,
    /// Held while a retry is recorded, so two at once cannot both find the chain ended and both submit.
    retrying: Mutex<()>,
    /// The budget approved at submit for sending on demand what a run's deadline leaves unanswered, by run (kept
    /// for this session only: after a restart the cost is shown instead).
    fallback_budgets: Mutex<HashMap<String, f64>>,
}

impl<C: Connector> Studio<C> {
    /// A session over the history and sandbox in `home` (the CLI's `$BEDROCK_BATCH_HOME`, so both share them),
    /// connecting through `connector`.
    pub fn open(home: &Path, connector: C, events: Arc<dyn StudioEvents>) -> Result<Arc<Self>, StudioError> {
        std::fs::create_dir_all(home)
            .map_err(|e| StudioError::Internal(format!("{}: cannot create the app's folder: {e}", home.display())))?;
        let history = History::open(&home.join("history.sqlite"))?;
        Ok(Arc::new(Self {
            home: home.to_path_buf(),
            connector,
            desk: sheet::SheetDesk::new(home),
            settings: Mutex::new(Settings::load(&Settings::path_in(home))),
            history: Arc::new(Mutex::new(history)),
            events,
            current: tokio::sync::Mutex::new(None),
            sandbox: tokio::sync::Mutex::new(None),
            driving: Mutex::new(HashMap::new()),
            quotas: Mutex::new(HashMap::new()),
            retrying: Mutex::new(()),
            fallback_budgets: Mutex::new(HashMap::new()),
        }))
    }

    /// The app's folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    fn history(&self) -> std::sync::MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The sandbox backend (started once per session).
    async fn sandbox_connection(&self) -> Result<Arc<C::Backend>, StudioError> {
        let mut sandbox = self.sandbox.lock().await;
        if let Some(connection) = sandbox.as_ref() {
            return Ok(connection.clone());
        }
        let connection = Arc::new(self.connector.sandbox(&self.home.join("sandbox")).await?);
        *sandbox = Some(connection.clone());
        Ok(connection)
    }

    /// Connects to AWS with `options` — or, with `sandbox`, or when no credentials resolve, to the offline
    /// sandbox (the answer says why) — and takes up the runs this connection can follow that were left
    /// unfinished (a restart, a crash) or ended without being fetched.
    pub async fn connect(
        self: &Arc<Self>,
        sandbox: bool,
        options: &AccessOptions,
    ) -> Result<ConnectionInfo, StudioError> {
        let (connection, reason) = if sandbox {
            (self.sandbox_connection().await?, Some("chosen".to_string()))
        } else {
            match connect_aws_or_sandbox(&self.connector, options, true).await? {
                AwsOrSandbox::Aws(connection) => (Arc::new(connection), None),
                // The window offers the profile list and the sandbox, and says how to sign in.
                AwsOrSandbox::Sandbox(why) => (self.sandbox_connection().await?, Some(why)),
            }
        };
        let who = connection.identity().await?;
        let info = ConnectionInfo {
            sandbox: connection.sandbox(),
            caller: who.arn,
            account: who.account,
            region: connection.region(),
            profile: if connection.sandbox() { None } else { options.profile.clone() },
            reason,
        };
        *self.current.lock().await = Some((connection, info.clone()));
        self.resume().await?;
        Ok(info)
    }

    /// The batch quotas of `model` on this connection. The account's answer is kept for the session (the
    /// window's job plan asks at every change of model or rows, and Submit asks again); defaults, which may
    /// stand for a read that failed, are asked for again.
    async fn model_quotas(&self, connection: &C::Backend, info: &ConnectionInfo, model: &str) -> BatchQuotas {
        let key = (info.account.clone(), info.region.clone(), model.to_string());
        if let Some(known) = self.quotas.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key) {
            return known.clone();
        }
        let quotas = connection.quotas(model).await;
        if matches!(quotas.source, QuotaSource::ServiceQuotas { .. }) {
            self.quotas.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key, quotas.clone());
        }
        quotas
    }

    /// The current connection, or why there is none.
    async fn connected(&self) -> Result<(Arc<C::Backend>, ConnectionInfo), StudioError> {
        self.current.lock().await.clone().ok_or_else(|| StudioError::NotConnected("not connected".into()))
    }

    /// The connection a run needs: the sandbox for sandbox runs, else the current AWS connection.
    async fn connection_for(&self, sandbox_run: bool) -> Result<Arc<C::Backend>, StudioError> {
        if sandbox_run {
            return self.sandbox_connection().await;
        }
        match self.current.lock().await.as_ref() {
            Some((connection, _)) if !connection.sandbox() => Ok(connection.clone()),
            _ => Err(StudioError::NotConnected("this run was submitted to AWS; connect to AWS to follow it".into())),
        }
    }
}

/// The Access and Submit steps' role and locations, with the sandbox's own for those left empty there; an
/// empty one on AWS is refused in the window's words (`missing` names the field as the step shows it).
fn job_target(
    role_arn: &Option<String>,
    input_uri: &Option<String>,
    output_uri: &Option<String>,
    sandbox: bool,
    missing: fn(&str) -> String,
) -> Result<(RoleArn, S3Uri, S3Uri), StudioError> {
    let target = RunTarget {
        role_arn: role_arn.clone(),
        input_uri: input_uri.clone(),
        output_uri: output_uri.clone(),
        ..RunTarget::default()
    };
    target_locations(&target, sandbox).map_err(|error| match error {
        StartError::Missing { field } => StudioError::Invalid(missing(field.words())),
        other => StudioError::Invalid(other.to_string()),
    })
}

/// Forwards one run's lifecycle events to the session's events.
struct RunEvents {
    run: String,
    sink: Arc<dyn StudioEvents>,
}

impl LifecycleEvents for RunEvents {
    fn event(&self, event: &Event) {
        self.sink.run_event(&self.run, event);
    }

    fn bytes_moved(&self, bytes: u64) {
        self.sink.run_bytes(&self.run, bytes);
    }
}

#[cfg(test)]
mod tests;
