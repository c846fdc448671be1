//! A follow-up run of only the failed and missing rows of a fetched run; its outputs join into the
//! original run's rows (the record ids are the same).

use std::collections::HashSet;

use batch_core::aws_names::{JobName, RoleArn, S3Uri};
use batch_core::plan::PlanError;
use batch_core::prepare::{PrepareError, Revision, prepare_revised, prepare_subset};
use batch_core::pricing::PriceTable;
use batch_core::remedy::Remedy;

use super::fetch::UNFINISHED_FILE;
use super::{Lifecycle, LifecycleError, SubmitRequest};
use crate::history::{RunId, RunState};
use crate::ports::{JobsApi, ObjectTransfer};

/// The rows a retry sends, and where they come from.
pub(crate) struct RetryRows {
    /// The run the chain starts from.
    pub(crate) root: crate::history::Run,
    /// Every run of the chain, the root first.
    pub(crate) runs: Vec<crate::history::Run>,
    /// The record ids to send again.
    pub(crate) ids: HashSet<String>,
    /// The file that lists them.
    pub(crate) list: std::path::PathBuf,
}

/// What to retry.
#[derive(Debug, Clone, Default)]
pub struct RetryRequest {
    /// The run (or one of its retries).
    pub run: String,
    /// Only these record ids (rows chosen by a condition: a status, a search); by default the rows the last fetch
    /// found not answered in full.
    pub only: Option<HashSet<String>>,
    /// What the retry changes (model, answer tokens, template); by default the rows are sent as they were.
    pub revision: Revision,
}

impl RetryRequest {
    /// A retry of `run`'s rows not answered in full, sent as they were.
    pub fn of(run: &str) -> Self {
        Self { run: run.to_string(), ..Self::default() }
    }
}

/// Prepares the follow-up of `ids` from `prepared` into `out_dir`: the same lines re-cut, or rendered anew with
/// the request's revision; `on_demand` lifts the batch minimum.
pub(crate) fn prepare_retry(
    prepared: &std::path::Path,
    ids: &HashSet<String>,
    revision: &Revision,
    out_dir: &std::path::Path,
    on_demand: bool,
) -> Result<(), PrepareError> {
    match (revision.is_empty(), on_demand) {
        (true, false) => prepare_subset(prepared, ids, out_dir).map(drop),
        (true, true) => batch_core::prepare::prepare_subset_on_demand(prepared, ids, out_dir).map(drop),
        (false, _) => prepare_revised(prepared, ids, revision, out_dir, (&PriceTable::bundled(), on_demand)).map(drop),
    }
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// Records a retry run of the rows the last fetch found failed or missing (or the request's chosen rows, with
    /// its changes); upload and submit it with [`Lifecycle::drive`].
    pub fn record_retry(&self, request: &RetryRequest) -> Result<RunId, LifecycleError> {
        let RetryRows { root, runs, ids, list, .. } = self.retry_rows(&request.run, request.only.as_ref())?;
        let attempt = runs.len();
        let out_dir = root.prepared_dir.join("retries").join(format!("retry-{attempt}"));
        match prepare_retry(&root.prepared_dir, &ids, &request.revision, &out_dir, false) {
            Ok(_) => {}
            Err(PrepareError::Plan(PlanError::TooFewRecords { rows, min })) => {
                let which = match (&request.only, rows) {
                    (Some(_), 1) => "1 row was chosen".to_string(),
                    (Some(_), _) => format!("{rows} rows were chosen"),
                    (None, 1) => "1 row failed or is missing".to_string(),
                    (None, _) => format!("{rows} rows failed or are missing"),
                };
                return Err(LifecycleError::Blocked {
                    message: format!(
                        "{which}, fewer than the {min} records a Bedrock batch job accepts; send them with on-demand \
                         calls, or add them to a larger batch (their record ids are listed in {})",
                        list.display()
                    ),
                    remedy: Remedy::RetryOnDemand { run: root.id.to_string() },
                });
            }
            Err(e) => return Err(e.into()),
        }
        if root.role_arn.is_empty() {
            // Answered on demand, or opened from files: no service role or S3 location for a batch job.
            return Err(LifecycleError::Blocked {
                message: format!(
                    "run {} has no service role or S3 locations for a batch job ({}); send its rows on demand",
                    root.id,
                    if root.opened { "it was opened from files" } else { "it was answered on demand" }
                ),
                remedy: Remedy::RetryOnDemand { run: root.id.to_string() },
            });
        }
        let refused = |e: batch_core::aws_names::NameError| LifecycleError::Refused(e.to_string());
        let base = format!("{}-retry{attempt}", root.job_name);
        let keep = base.len().min(55);
        let submit = SubmitRequest {
            prepared_dir: out_dir,
            role_arn: RoleArn::parse(&root.role_arn).map_err(refused)?,
            input_uri: parent_prefix(&root.input_uri).map_err(refused)?,
            output_uri: S3Uri::parse(&root.output_uri).map_err(refused)?,
            job_name: JobName::parse(&base[..keep]).map_err(refused)?,
            settings: root.settings.clone(),
            sandbox: root.sandbox,
            retry_of: Some(root.id.clone()),
            new_run: true,
        };
        Ok(self.record_run(&submit)?.id().clone())
    }

    /// The run a retry of `run` starts from, its chain, and the record ids to send: `only` those, or the ones the
    /// last fetch found failed or missing (listed in `list`, in the chain's results folder); refused while a run
    /// of the chain is unfinished or not fetched since it ended, and when there is nothing to send.
    pub(crate) fn retry_rows(&self, run: &str, only: Option<&HashSet<String>>) -> Result<RetryRows, LifecycleError> {
        let (root, runs) = self.chain(run)?;
        if let Some(open) = runs.iter().find(|r| r.state.is_unfinished()) {
            return Err(LifecycleError::Blocked {
                message: format!("run {} of this chain has not ended; wait for it and fetch before retrying", open.id),
                remedy: Remedy::WaitForRun { run: open.id.to_string() },
            });
        }
        let not_fetched = || LifecycleError::Blocked {
            message: format!(
                "run {} has not been fetched since its last jobs ended; fetch it first, so the retry knows which rows failed",
                root.id
            ),
            remedy: Remedy::FetchRun { run: root.id.to_string() },
        };
        if root.state != RunState::Fetched || runs.iter().any(|r| r.state == RunState::Ended) {
            return Err(not_fetched());
        }
        let results_dir = root.results_dir.clone().ok_or_else(not_fetched)?;
        if let Some(only) = only {
            if only.is_empty() {
                return Err(LifecycleError::Refused("no row matches the condition; nothing to retry".into()));
            }
            // The chosen ids are listed too, for the messages that point at them.
            let list = results_dir.join(CHOSEN_FILE);
            let mut sorted: Vec<&String> = only.iter().collect();
            sorted.sort();
            let text: String = sorted.iter().map(|id| format!("{id}\n")).collect();
            std::fs::write(&list, text).map_err(|e| {
                LifecycleError::Refused(format!("{}: cannot list the chosen rows ({e})", list.display()))
            })?;
            return Ok(RetryRows { root, runs, ids: only.clone(), list });
        }
        let list = results_dir.join(UNFINISHED_FILE);
        let text = std::fs::read_to_string(&list).map_err(|e| {
            LifecycleError::Refused(format!("{}: cannot read ({e}); fetch the run again", list.display()))
        })?;
        let ids: HashSet<String> = text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
        if ids.is_empty() {
            return Err(LifecycleError::Refused(format!("nothing to retry: every row of run {} succeeded", root.id)));
        }
        Ok(RetryRows { root, runs, ids, list })
    }
}

/// The file in a results folder listing the record ids a retry by condition sends.
pub const CHOSEN_FILE: &str = "retry-chosen-records.txt";

/// The input prefix a run was given (its recorded prefix ends with its own id).
fn parent_prefix(run_prefix: &str) -> Result<S3Uri, batch_core::aws_names::NameError> {
    let trimmed = run_prefix.trim_end_matches('/');
    let parent = trimmed.rsplit_once('/').map_or(trimmed, |(p, _)| p);
    S3Uri::parse(parent)
}
