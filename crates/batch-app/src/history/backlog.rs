//! The last reading of Bedrock's batch backlog for each followed run's model (CloudWatch's `AWS/Bedrock/Batch`),
//! kept so that the Jobs step and `status` show it without a remote call.

use batch_core::batch_backlog::ModelBacklog;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::RunId;
use super::store::{History, HistoryError};

/// What CloudWatch said of a run's model when its jobs were last followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BacklogReading {
    /// When it was read (RFC 3339, UTC).
    pub read_at: String,
    /// The metrics' latest values (none when they could not be read).
    pub backlog: Option<ModelBacklog>,
    /// When the model's backlog, this run's records included, is likely cleared at the pace read (RFC 3339).
    pub clears_at: Option<String>,
    /// Why the metrics could not be read, when they could not.
    pub unreadable: Option<String>,
}

impl History {
    /// Keeps `reading` as the run's latest backlog reading.
    pub fn record_backlog(&mut self, run: &RunId, reading: &BacklogReading) -> Result<(), HistoryError> {
        let text = serde_json::to_string(reading).unwrap_or_default();
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO backlog_readings (run_id, reading) VALUES (?1, ?2)",
                params![run.as_str(), text],
            )
            .map_err(|source| self.database_error(source))?;
        Ok(())
    }

    /// The run's latest backlog reading, if any (one this build cannot read counts as none).
    pub fn backlog(&self, run: &RunId) -> Result<Option<BacklogReading>, HistoryError> {
        let text: Option<String> = self
            .connection()
            .query_row("SELECT reading FROM backlog_readings WHERE run_id = ?1", params![run.as_str()], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|source| self.database_error(source))?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }
}
