//! The desktop app's session, reachable by tests without a window: one history, a connection (AWS or the
//! offline sandbox), runs driven in the background with their events forwarded, results fetched and indexed
//! when a run ends, and the access check. The Tauri shell calls these methods in a line or two each.

mod access;
mod locations;
mod model;
mod runs;
mod window;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use batch_app::history::{History, HistoryError};
use batch_app::lifecycle::{Event, LifecycleEvents};
use batch_app::ports::{FailureKind, ServiceError};
use batch_core::aws_names::{RoleArn, S3Uri};
use serde::Serialize;

pub use access::{AccessDocuments, AccessForm, AccessView};
pub use model::{TestRowForm, TestRowView};
pub use runs::{ResultsOverview, RunOutcome, RunRow, SubmitForm};
pub use window::{AppInfo, ModelList, RunBytesMessage, RunEventMessage};

use crate::connection::{Connection, SANDBOX_INPUT, SANDBOX_OUTPUT, SANDBOX_ROLE};
use crate::environment::AccessOptions;

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
    /// True for the offline sandbox (a simulation).
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
    Lifecycle(#[from] batch_app::lifecycle::LifecycleError),
    /// A remote call failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The input is unusable.
    #[error("{0}")]
    Invalid(String),
}

/// The desktop session.
pub struct Studio {
    home: PathBuf,
    history: Arc<Mutex<History>>,
    events: Arc<dyn StudioEvents>,
    current: tokio::sync::Mutex<Option<(Arc<Connection>, ConnectionInfo)>>,
    sandbox: tokio::sync::Mutex<Option<Arc<Connection>>>,
    driving: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// Held while a retry is recorded, so two at once cannot both find the chain ended and both submit.
    retrying: Mutex<()>,
}

impl Studio {
    /// A session over the history and sandbox in `home` (the CLI's `$BEDROCK_BATCH_HOME`, so both share them).
    pub fn open(home: &Path, events: Arc<dyn StudioEvents>) -> Result<Arc<Self>, StudioError> {
        std::fs::create_dir_all(home)
            .map_err(|e| StudioError::Invalid(format!("{}: cannot create the app's folder: {e}", home.display())))?;
        let history = History::open(&home.join("history.sqlite"))?;
        Ok(Arc::new(Self {
            home: home.to_path_buf(),
            history: Arc::new(Mutex::new(history)),
            events,
            current: tokio::sync::Mutex::new(None),
            sandbox: tokio::sync::Mutex::new(None),
            driving: Mutex::new(HashMap::new()),
            retrying: Mutex::new(()),
        }))
    }

    /// The app's folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    fn history(&self) -> std::sync::MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The sandbox connection (started once per session).
    async fn sandbox_connection(&self) -> Result<Arc<Connection>, StudioError> {
        let mut sandbox = self.sandbox.lock().await;
        if let Some(connection) = sandbox.as_ref() {
            return Ok(connection.clone());
        }
        let connection = Arc::new(Connection::sandbox(&self.home.join("sandbox")).await?);
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
            match Connection::aws(options, batch_app::lifecycle::Pacing::aws()).await {
                Ok(connection) => (Arc::new(connection), None),
                Err(error) if error.kind == FailureKind::NoCredentials => {
                    // The CLI's advice names its flags; the window offers the profile list and the sandbox.
                    let reason = error.message.split("; sign in").next().unwrap_or(&error.message).to_string();
                    (self.sandbox_connection().await?, Some(reason))
                }
                Err(error) => return Err(error.into()),
            }
        };
        let who = connection.identity().await?;
        let info = ConnectionInfo {
            sandbox: connection.sandbox,
            caller: who.arn,
            account: who.account,
            region: connection.config.region().map_or_else(|| "us-east-1".into(), |r| r.to_string()),
            profile: if connection.sandbox { None } else { options.profile.clone() },
            reason,
        };
        *self.current.lock().await = Some((connection, info.clone()));
        self.resume().await?;
        Ok(info)
    }

    /// The current connection, or why there is none.
    async fn connected(&self) -> Result<(Arc<Connection>, ConnectionInfo), StudioError> {
        self.current.lock().await.clone().ok_or_else(|| {
            StudioError::Invalid("not connected; choose an AWS profile or the offline sandbox first".into())
        })
    }

    /// The connection a run needs: the sandbox for sandbox runs, else the current AWS connection.
    async fn connection_for(&self, sandbox_run: bool) -> Result<Arc<Connection>, StudioError> {
        if sandbox_run {
            return self.sandbox_connection().await;
        }
        match self.current.lock().await.as_ref() {
            Some((connection, _)) if !connection.sandbox => Ok(connection.clone()),
            _ => Err(StudioError::Invalid(
                "this run was submitted to AWS; connect to AWS (Connect step) to follow it".into(),
            )),
        }
    }
}

/// A job's service role and S3 locations as the Access and Submit steps give them: each as typed, or the
/// sandbox's own when left empty there; `missing` words the error for an empty field on AWS.
fn job_target(
    role_arn: &Option<String>,
    input_uri: &Option<String>,
    output_uri: &Option<String>,
    sandbox: bool,
    missing: fn(&str) -> String,
) -> Result<(RoleArn, S3Uri, S3Uri), StudioError> {
    let pick = |given: &Option<String>, default: &str, what: &str| match given
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(value) => Ok(value.to_string()),
        None if sandbox => Ok(default.to_string()),
        None => Err(StudioError::Invalid(missing(what))),
    };
    let invalid = |what: &str, e: batch_core::aws_names::NameError| StudioError::Invalid(format!("{what}: {e}"));
    Ok((
        RoleArn::parse(&pick(role_arn, SANDBOX_ROLE, "service role ARN")?).map_err(|e| invalid("service role", e))?,
        S3Uri::parse(&pick(input_uri, SANDBOX_INPUT, "input S3 location")?)
            .map_err(|e| invalid("input location", e))?,
        S3Uri::parse(&pick(output_uri, SANDBOX_OUTPUT, "output S3 location")?)
            .map_err(|e| invalid("output location", e))?,
    ))
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
