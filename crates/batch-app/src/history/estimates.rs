//! What each fetched run was estimated to take and what it was billed: the ledger the cost check learns from (a
//! model's ratio of billed to estimated input tokens; a template's answer length) and shows back to the user.

use batch_core::clock::now_rfc3339;
use rusqlite::params;
use serde::Serialize;

use super::store::{History, HistoryError};

/// A fetched run's estimate beside what was billed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PastEstimate {
    /// The run (the original of a retry chain).
    pub run_id: String,
    /// Its model or profile.
    pub model_id: String,
    /// Its templates' fingerprint (the same prompt and system template give the same key).
    pub template_key: String,
    /// Its rows.
    pub rows: u64,
    /// Input tokens `prepare` estimated.
    pub estimated_input: u64,
    /// Input tokens billed (the manifests', else the outputs').
    pub billed_input: u64,
    /// Rows answered successfully.
    pub answered_rows: u64,
    /// Output tokens billed.
    pub billed_output: u64,
    /// When it was fetched.
    pub fetched_at: String,
}

impl History {
    /// Records (or, fetched again, replaces) a run's estimate and what it was billed.
    pub fn record_estimate(&mut self, past: &PastEstimate) -> Result<(), HistoryError> {
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO estimates (run_id, model_id, template_key, rows, estimated_input, billed_input, answered_rows, billed_output, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    past.run_id,
                    past.model_id,
                    past.template_key,
                    past.rows,
                    past.estimated_input,
                    past.billed_input,
                    past.answered_rows,
                    past.billed_output,
                    now_rfc3339(),
                ],
            )
            .map_err(|source| self.database_error(source))?;
        Ok(())
    }

    /// The fetched runs of `model_id`, newest first (of `template_key` only, when given).
    pub fn past_estimates(
        &self,
        model_id: &str,
        template_key: Option<&str>,
    ) -> Result<Vec<PastEstimate>, HistoryError> {
        let mut query = self
            .connection()
            .prepare(
                "SELECT run_id, model_id, template_key, rows, estimated_input, billed_input, answered_rows, billed_output, fetched_at
                 FROM estimates WHERE model_id = ?1 AND (?2 IS NULL OR template_key = ?2) ORDER BY fetched_at DESC, run_id DESC",
            )
            .map_err(|source| self.database_error(source))?;
        let rows = query
            .query_map(params![model_id, template_key], |row| {
                Ok(PastEstimate {
                    run_id: row.get(0)?,
                    model_id: row.get(1)?,
                    template_key: row.get(2)?,
                    rows: row.get(3)?,
                    estimated_input: row.get(4)?,
                    billed_input: row.get(5)?,
                    answered_rows: row.get(6)?,
                    billed_output: row.get(7)?,
                    fetched_at: row.get(8)?,
                })
            })
            .map_err(|source| self.database_error(source))?;
        rows.collect::<Result<_, _>>().map_err(|source| self.database_error(source))
    }
}

/// The ratio of billed to estimated input tokens over `past` runs (none without any).
pub fn billed_ratio(past: &[PastEstimate]) -> Option<f64> {
    let estimated: u64 = past.iter().map(|p| p.estimated_input).sum();
    let billed: u64 = past.iter().map(|p| p.billed_input).sum();
    (estimated > 0 && billed > 0).then(|| billed as f64 / estimated as f64)
}

/// The fingerprint of a prompt template and system template.
pub fn template_key(prompt: &str, system: Option<&str>) -> String {
    let seed = batch_core::record_id::fnv1a(prompt.as_bytes(), 11);
    format!("{:016x}", batch_core::record_id::fnv1a(system.unwrap_or("").as_bytes(), seed))
}
