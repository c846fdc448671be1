//! The shapes only the window receives: the build's description, the model list with its provenance, and
//! the run events the shell forwards.

use batch_core::pricing::PriceTable;
use serde::Serialize;

use super::Studio;
use crate::lifecycle::Event;
use crate::ports::{Connector, ModelChoice};

/// What the window shows about this build (the header, Help → About).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The licence it is distributed under.
    pub licence: String,
    /// The date of the bundled price table.
    pub prices_as_of: String,
    /// How many models the bundled price table covers.
    pub priced_models: usize,
    /// The app's folder (history, sandbox, runs).
    pub home: String,
    /// Today's log file, when the log could be written.
    pub log_file: Option<String>,
}

impl AppInfo {
    /// This build, over `studio`'s folder, logging to `log_file`.
    pub fn of<C: Connector>(studio: &Studio<C>, log_file: Option<&str>) -> Self {
        let prices = PriceTable::bundled();
        Self {
            version: env!("CARGO_PKG_VERSION").to_string(),
            licence: env!("CARGO_PKG_LICENSE").to_string(),
            prices_as_of: prices.as_of,
            priced_models: prices.models.len(),
            home: studio.home().display().to_string(),
            log_file: log_file.map(ToOwned::to_owned),
        }
    }
}

/// The Model step's choices, and why they are the bundled ones when they are.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ModelList {
    /// Models and profiles.
    pub models: Vec<ModelChoice>,
    /// Set when the list is the bundled one.
    pub note: Option<String>,
}

/// A run's lifecycle event (the `run-event` message).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct RunEventMessage {
    /// The run.
    pub run: String,
    /// What happened.
    pub event: Event,
}

/// Bytes moved for a run (the `run-bytes` message).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct RunBytesMessage {
    /// The run.
    pub run: String,
    /// Bytes uploaded or downloaded since the last message.
    pub bytes: u64,
}
