//! A retry sent on demand: the failed and missing rows of a fetched run, however few (no batch minimum), recorded
//! as an on-demand run of the chain and answered into its own folder, so the next fetch merges them like a batch
//! retry's. A retry killed midway is continued by the next one: only the rows without an answer are sent.

use std::path::PathBuf;
use std::sync::Arc;

use batch_core::aws_names::JobName;
use batch_core::model::{InvocationType, ModelId};
use batch_core::prepare::{PLAN_FILE, PreparedPlan, Revision};
use batch_core::pricing::{PriceTable, TierEstimate};
use batch_core::record_id::fnv1a;
use batch_core::service_tier::Tier;
use serde::Serialize;

use super::on_demand_run::{OnDemandRequest, OnDemandRun, quote_rows};
use super::retry::{RetryRequest, RetryRows, prepare_retry};
use super::{Lifecycle, LifecycleError};
use crate::history::{Run, RunId};
use crate::on_demand::OnDemandOptions;
use crate::ports::{JobsApi, ObjectTransfer, RecordInvoker};

/// What a retry would send and cost, before anything is sent.
#[derive(Debug, Clone, Serialize)]
pub struct OnDemandQuote {
    /// The run whose rows would be sent.
    pub run: String,
    /// The model or profile.
    pub model: ModelId,
    /// InvokeModel or Converse.
    pub invocation: InvocationType,
    /// Rows, tokens and cost on the tier asked for.
    pub estimate: TierEstimate,
    /// True when an interrupted on-demand retry would be continued rather than a new retry started.
    pub continues: bool,
}

/// What an on-demand retry will send: an interrupted retry of the chain to continue, or the rows to send anew.
enum RetryScope {
    Continue(Run),
    New { rows: RetryRows, prepared: PathBuf },
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    fn on_demand_scope(&self, request: &RetryRequest) -> Result<RetryScope, LifecycleError> {
        let (_, runs) = self.chain(&request.run)?;
        if let Some(open) = runs.into_iter().find(|r| r.tier.is_on_demand() && r.state.is_unfinished()) {
            return Ok(RetryScope::Continue(open));
        }
        let rows = self.retry_rows(&request.run, request.only.as_ref())?;
        // The same rows with the same changes always make the same prepared folder.
        let mut sorted: Vec<&String> = rows.ids.iter().collect();
        sorted.sort();
        let changes = serde_json::to_vec(&request.revision).unwrap_or_default();
        let key = sorted.iter().fold(fnv1a(&changes, 0), |hash, id| fnv1a(id.as_bytes(), hash));
        let prepared = rows.root.prepared_dir.join("retries").join(format!("on-demand-{key:016x}"));
        Ok(RetryScope::New { rows, prepared })
    }

    /// What sending the failed and missing rows of `run`'s last fetch on `tier` (a batch retry's, or on demand)
    /// would send and cost — or, when an on-demand retry of its chain was interrupted, what continuing it would.
    pub fn quote_retry(&self, run: &str, tier: Tier, prices: &PriceTable) -> Result<OnDemandQuote, LifecycleError> {
        self.quote_retry_of(&RetryRequest::of(run), tier, prices)
    }

    /// Like [`Lifecycle::quote_retry`], of the request's chosen rows and with its changes (another model's price,
    /// another answer budget; a changed template is priced at the run's prompt lengths).
    pub fn quote_retry_of(
        &self,
        request: &RetryRequest,
        tier: Tier,
        prices: &PriceTable,
    ) -> Result<OnDemandQuote, LifecycleError> {
        let run = request.run.as_str();
        let (plan, rows, continues) = match self.on_demand_scope(request)? {
            RetryScope::Continue(open) => {
                let plan = PreparedPlan::read(&open.prepared_dir.join(PLAN_FILE))?;
                let rows = plan.totals.records;
                (plan, rows, true)
            }
            RetryScope::New { rows, .. } => {
                let plan = PreparedPlan::read(&rows.root.prepared_dir.join(PLAN_FILE))?;
                (revised_plan(plan, &request.revision), rows.ids.len() as u64, false)
            }
        };
        let root = self.lock().root_run(run)?;
        Ok(OnDemandQuote {
            run: root.id.to_string(),
            estimate: quote_rows(&plan, rows, tier, prices),
            model: plan.model.id,
            invocation: plan.model.invocation_type,
            continues,
        })
    }

    /// Sends the rows the last fetch of `run` found failed or missing with on-demand calls through `invoker`, as a
    /// new on-demand run of the chain — or continues the chain's interrupted one; fetch the run again to join them.
    pub async fn retry_on_demand<I: RecordInvoker + 'static>(
        &self,
        run: &str,
        invoker: Arc<I>,
        options: OnDemandOptions,
    ) -> Result<OnDemandRun, LifecycleError> {
        let retry = self.record_on_demand_retry(&RetryRequest::of(run), invoker.tier())?;
        self.answer_on_demand(retry.as_str(), invoker, options).await
    }

    /// Records an on-demand retry of the rows the last fetch of the request's run found failed or missing (or its
    /// chosen rows, with its changes), on `tier` — or finds the chain's interrupted one;
    /// [`Lifecycle::answer_on_demand`] sends it.
    pub fn record_on_demand_retry(&self, request: &RetryRequest, tier: Tier) -> Result<RunId, LifecycleError> {
        Ok(match self.on_demand_scope(request)? {
            RetryScope::Continue(open) => open.id,
            RetryScope::New { rows: RetryRows { root, runs, ids, .. }, prepared } => {
                if !prepared.join(PLAN_FILE).is_file() {
                    prepare_retry(&root.prepared_dir, &ids, &request.revision, &prepared, true)?;
                }
                let base = format!("{}-retry{}", root.job_name, runs.len());
                let job_name =
                    JobName::parse(&base[..base.len().min(63)]).map_err(|e| LifecycleError::Refused(e.to_string()))?;
                let request = OnDemandRequest {
                    prepared_dir: prepared,
                    job_name,
                    tier,
                    sandbox: root.sandbox,
                    retry_of: Some(root.id.clone()),
                    // A finished retry of the same rows has answered them all (some with errors): a new one sends
                    // them again.
                    new_run: true,
                };
                self.record_on_demand(&request)?.id().clone()
            }
        })
    }
}

/// The run's plan as a revision would make it, for quoting: its model and answer budget (the prompts' tokens are
/// the run's own).
fn revised_plan(mut plan: PreparedPlan, revision: &Revision) -> PreparedPlan {
    if let Some(model) = &revision.model {
        plan.model.id = model.clone();
    }
    if let Some(tokens) = revision.max_tokens {
        plan.model.params.max_tokens = tokens;
    }
    plan
}
