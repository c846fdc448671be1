//! A retry sent on demand: the failed and missing rows of a fetched run, however few (no batch minimum), answered
//! by on-demand calls into the run's outputs folder as batch answers, so the next fetch merges them like a batch
//! retry's. A retry killed midway is taken up where it stopped: the same rows go to the same folder, and only the
//! records without an answer are sent.

use std::path::PathBuf;
use std::sync::Arc;

use batch_core::model::{InvocationType, ModelId};
use batch_core::prepare::{PLAN_FILE, PreparedPlan, prepare_subset_on_demand};
use batch_core::pricing::{CostEstimate, PriceTable, estimate_cost};
use batch_core::record_id::fnv1a;
use serde::Serialize;

use super::retry::RetryRows;
use super::{Lifecycle, LifecycleError};
use crate::on_demand::{OnDemandError, OnDemandOptions, OnDemandReport, answer_part};
use crate::ports::{JobsApi, ObjectTransfer, RecordInvoker};

/// What an on-demand retry did.
#[derive(Debug, Clone, Serialize)]
pub struct OnDemandRetry {
    /// The run whose rows were sent.
    pub run: String,
    /// Rows sent (the failed and missing ones of the last fetch).
    pub rows: u64,
    /// Rows answered successfully, over every part.
    pub succeeded: u64,
    /// Rows whose call failed (their error lines are written).
    pub failed: u64,
    /// Calls made by this retry (throttled and retried ones included).
    pub calls: u64,
    /// Rows an earlier, interrupted attempt had already answered.
    pub already_answered: u64,
    /// Where the answers are (beside the run's batch outputs).
    pub folders: Vec<PathBuf>,
    /// True when a stop ended it early (run it again to finish).
    pub stopped: bool,
}

/// What an on-demand retry would send and cost, before anything is sent.
#[derive(Debug, Clone, Serialize)]
pub struct OnDemandQuote {
    /// The run whose rows would be sent.
    pub run: String,
    /// Rows to send.
    pub rows: u64,
    /// The model or profile, and how its records are written.
    pub model: ModelId,
    /// InvokeModel or Converse.
    pub invocation: InvocationType,
    /// The estimate at on-demand (full) prices: estimated input tokens, every answer at its maximum.
    pub estimate: CostEstimate,
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// What sending the failed and missing rows of `run`'s last fetch on demand would send and cost.
    pub fn quote_on_demand_retry(&self, run: &str, prices: &PriceTable) -> Result<OnDemandQuote, LifecycleError> {
        let RetryRows { root, ids, .. } = self.retry_rows(run)?;
        let plan = PreparedPlan::read(&root.prepared_dir.join(PLAN_FILE))?;
        let rows = ids.len() as u64;
        let per_record = plan.totals.input_tokens / plan.totals.records.max(1);
        let max_output = u64::from(plan.model.params.max_tokens) * rows;
        Ok(OnDemandQuote {
            run: root.id.to_string(),
            rows,
            estimate: estimate_cost(prices, &plan.model.id, per_record * rows, max_output),
            model: plan.model.id,
            invocation: plan.model.invocation_type,
        })
    }

    /// Sends the rows the last fetch of `run` found failed or missing with on-demand calls through `invoker`, into
    /// `<results>/outputs/on-demand-<rows>-<n>/`; fetch the run again to join them.
    pub async fn retry_on_demand<I: RecordInvoker + 'static>(
        &self,
        run: &str,
        invoker: Arc<I>,
        options: OnDemandOptions,
    ) -> Result<OnDemandRetry, LifecycleError> {
        let RetryRows { root, ids, results_dir, .. } = self.retry_rows(run)?;
        // The same rows always make the same folders, so an interrupted retry resumes instead of sending again.
        let mut sorted: Vec<&String> = ids.iter().collect();
        sorted.sort();
        let key = sorted.iter().fold(0u64, |hash, id| fnv1a(id.as_bytes(), hash));
        let tag = format!("on-demand-{key:016x}");
        let prepared = root.prepared_dir.join("retries").join(&tag);
        if !prepared.join(PLAN_FILE).is_file() {
            prepare_subset_on_demand(&root.prepared_dir, &ids, &prepared)?;
        }
        let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
        let mut report = OnDemandRetry {
            run: root.id.to_string(),
            rows: ids.len() as u64,
            succeeded: 0,
            failed: 0,
            calls: 0,
            already_answered: 0,
            folders: Vec::new(),
            stopped: false,
        };
        for (index, part) in plan.parts.iter().enumerate() {
            let folder = results_dir.join("outputs").join(format!("{tag}-{:03}", index + 1));
            let answered = answer_part(invoker.clone(), &prepared.join(&part.file), &folder, options, self.cancel)
                .await
                .map_err(|error| match error {
                    OnDemandError::Refused { error, .. } => LifecycleError::Service(error),
                    other => LifecycleError::Refused(other.to_string()),
                })?;
            let OnDemandReport { manifest, calls, already_answered, stopped, .. } = answered;
            report.succeeded += manifest.success_record_count;
            report.failed += manifest.error_record_count;
            report.calls += calls;
            report.already_answered += already_answered;
            report.folders.push(folder);
            if stopped {
                report.stopped = true;
                break;
            }
        }
        Ok(report)
    }
}
