//! Downloading a run's outputs (`<output>/<jobId>/` of every job, its retries' jobs included) and joining
//! them to the sheet's rows by recordId.

use std::path::{Path, PathBuf};

use batch_core::aws_names::{JobStatus, S3Uri};
use batch_core::prepare::{PLAN_FILE, PreparedPlan};
use batch_core::pricing::PriceTable;
use batch_core::progress::Progress;
use batch_core::remedy::{Remedy, Setting};
use batch_core::results::{ResultsRequest, ResultsSummary, join_results, join_results_into};
use serde::Serialize;

use super::events::ForwardBytes;
use super::{Event, Lifecycle, LifecycleError};
use crate::history::{PastEstimate, Run, RunState, template_key};
use crate::ports::{Downloaded, JobsApi, ObjectTransfer};
use crate::results_table::TableWriter;

/// The file listing the record ids of rows that did not succeed, written beside the export.
pub const UNFINISHED_FILE: &str = "unfinished-records.txt";

/// What to fetch.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// The run (a retry run fetches its original, with every retry merged in).
    pub run: String,
    /// Where outputs and the export go.
    pub out_dir: PathBuf,
    /// The sheet, when it moved since prepare (default: the path recorded in the plan).
    pub input: Option<PathBuf>,
    /// Where the joined rows go.
    pub into: JoinedInto,
    /// CSV cells neutralised for spreadsheets.
    pub excel_safe: bool,
    /// Prices for the measured cost.
    pub prices: PriceTable,
}

/// Where a fetch's joined rows go.
#[derive(Debug, Clone)]
pub enum JoinedInto {
    /// An export file (default: `<out>/results.csv`); its extension picks the format.
    Export(Option<PathBuf>),
    /// The results index at this path, fed from the join's stream (the window's table; exports are then
    /// written from it).
    Index(PathBuf),
}

/// What a fetch did.
#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    /// The run whose rows were joined.
    pub run: String,
    /// True for a sandbox run: the outputs come from the sandbox model.
    pub sandbox: bool,
    /// Jobs whose outputs were downloaded.
    pub jobs: usize,
    /// What was downloaded.
    pub downloaded: Downloaded,
    /// Where the outputs are.
    pub outputs_dir: PathBuf,
    /// The list of rows to retry.
    pub unfinished_list: PathBuf,
    /// The join's summary (export path inside).
    pub summary: ResultsSummary,
}

/// What a chain's download brought, for its join.
pub(crate) struct ChainDownloads {
    /// Where the outputs are.
    pub(crate) outputs_dir: PathBuf,
    /// Files and bytes.
    downloaded: Downloaded,
    /// Jobs whose outputs were downloaded.
    jobs: usize,
    /// Each run's output folders, oldest run first.
    attempts: Vec<Vec<String>>,
}

impl ChainDownloads {
    /// Outputs already in `outputs_dir` (brought there by opening a job: `jobs` downloaded), in these attempts'
    /// folders.
    pub(crate) fn local(outputs_dir: PathBuf, downloaded: Downloaded, jobs: usize, attempts: Vec<Vec<String>>) -> Self {
        Self { outputs_dir, downloaded, jobs, attempts }
    }

    /// Adds output lines brought into the folder `folder` of the outputs as the chain's first run's.
    pub(crate) fn add_local(&mut self, brought: Downloaded, folder: &str) {
        self.downloaded.files += brought.files;
        self.downloaded.bytes += brought.bytes;
        if let Some(first) = self.attempts.first_mut() {
            first.push(folder.to_string());
        }
    }
}

/// The job id at the end of a job ARN.
pub(crate) fn job_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// The run a retry chain starts from, and every run of the chain (itself first).
    pub(crate) fn chain(&self, run_id: &str) -> Result<(Run, Vec<Run>), LifecycleError> {
        let history = self.lock();
        let root = history.root_run(run_id)?;
        let mut runs = vec![root.clone()];
        runs.extend(history.runs()?.into_iter().filter(|r| r.retry_of.as_ref() == Some(&root.id)));
        Ok((root, runs))
    }

    /// Downloads the outputs of every ended job of the run's chain and joins them to the sheet.
    pub async fn fetch(&self, request: &FetchRequest, progress: &dyn Progress) -> Result<FetchReport, LifecycleError> {
        let (root, runs) = self.chain(&request.run)?;
        let downloads = self.download_chain(&runs, &request.out_dir.join("outputs")).await?;
        self.join_chain(request, (root, runs), downloads, progress)
    }

    /// Downloads the outputs of every job of `runs` (a chain, its root first) into `outputs_dir`; refuses while
    /// one has not ended.
    pub(crate) async fn download_chain(
        &self,
        runs: &[Run],
        outputs_dir: &Path,
    ) -> Result<ChainDownloads, LifecycleError> {
        let outputs_dir = outputs_dir.to_path_buf();
        let mut downloaded = Downloaded::default();
        let mut jobs = 0;
        // Each run's output folders, oldest run first: among answers of the same standing the newest wins.
        let mut attempts: Vec<Vec<String>> = Vec::new();
        for run in runs {
            let report = self.report(run.id.as_str())?;
            let mut names: Vec<String> =
                report.jobs.iter().filter_map(|j| j.job_arn.as_deref().map(|arn| job_id(arn).to_string())).collect();
            names.push(run.id.to_string());
            attempts.push(names);
            if !report.ended() && run.tier.is_on_demand() {
                return Err(LifecycleError::Blocked {
                    message: format!(
                        "run {} is answered on demand and was interrupted before every row had an answer",
                        run.id
                    ),
                    remedy: Remedy::ContinueOnDemand { run: run.id.to_string() },
                });
            }
            if !report.ended() {
                let running: Vec<String> = report
                    .jobs
                    .iter()
                    .filter(|j| !j.status.as_ref().is_some_and(JobStatus::is_terminal))
                    .map(|j| {
                        format!("part {} ({})", j.part, j.status.as_ref().map_or("not created", JobStatus::as_str))
                    })
                    .collect();
                return Err(LifecycleError::Blocked {
                    message: format!(
                        "run {} has not ended: {}{}; wait for its jobs to end, then fetch",
                        run.id,
                        running.join(", "),
                        if report.waiting_parts > 0 {
                            format!(", {} parts not submitted", report.waiting_parts)
                        } else {
                            String::new()
                        },
                    ),
                    remedy: Remedy::WaitForRun { run: run.id.to_string() },
                });
            }
            if run.tier.is_on_demand() {
                let got = super::on_demand_run::copy_answers(run, &outputs_dir)?;
                downloaded.files += got.files;
                downloaded.bytes += got.bytes;
                continue;
            }
            let output = S3Uri::parse(&run.output_uri).map_err(|e| LifecycleError::Refused(e.to_string()))?;
            for job in &report.jobs {
                let (Some(arn), Some(status)) = (&job.job_arn, &job.status) else { continue };
                if !status.may_have_outputs() {
                    continue;
                }
                let id = job_id(arn);
                let got = self
                    .transfer
                    .download_folder(&output.join(id), &outputs_dir.join(id), &ForwardBytes(self.events))
                    .await?;
                self.events.event(&Event::Downloaded { job_id: id.to_string(), files: got.files, bytes: got.bytes });
                downloaded.files += got.files;
                downloaded.bytes += got.bytes;
                jobs += 1;
            }
        }
        Ok(ChainDownloads { outputs_dir, downloaded, jobs, attempts })
    }

    /// Joins the downloaded outputs of a chain (`root` and its `runs`) to the sheet, as `request` asks, and
    /// marks its runs fetched.
    pub(crate) fn join_chain(
        &self,
        request: &FetchRequest,
        (root, runs): (Run, Vec<Run>),
        ChainDownloads { outputs_dir, downloaded, jobs, attempts }: ChainDownloads,
        progress: &dyn Progress,
    ) -> Result<FetchReport, LifecycleError> {
        let plan = PreparedPlan::read(&root.prepared_dir.join(PLAN_FILE))?;
        let input = request.input.clone().unwrap_or_else(|| PathBuf::from(&plan.input.path));
        if !input.is_file() {
            return Err(LifecycleError::Blocked {
                message: format!(
                    "{}: the sheet this run was prepared from is not there any more; give its new location",
                    input.display()
                ),
                remedy: Remedy::change(Setting::Sheet),
            });
        }
        let export = match &request.into {
            JoinedInto::Export(path) => path.clone().unwrap_or_else(|| request.out_dir.join("results.csv")),
            JoinedInto::Index(table) => table.clone(),
        };
        let unfinished_list = request.out_dir.join(UNFINISHED_FILE);
        let join = ResultsRequest {
            input,
            sheet: None,
            prepared: root.prepared_dir.clone(),
            outputs: outputs_dir.clone(),
            export,
            excel_safe: request.excel_safe,
            prices: request.prices.clone(),
            unfinished_list: Some(unfinished_list.clone()),
            // A run whose jobs stopped or expired before writing anything still accounts for every row.
            allow_no_outputs: true,
        };
        std::fs::create_dir_all(&outputs_dir).map_err(|e| {
            LifecycleError::Refused(format!("{}: cannot create the outputs folder: {e}", outputs_dir.display()))
        })?;
        batch_core::results::write_attempts(&outputs_dir, &attempts).map_err(|e| {
            LifecycleError::Refused(format!("{}: cannot list the run's attempts: {e}", outputs_dir.display()))
        })?;
        let mut summary = match &request.into {
            JoinedInto::Export(_) => join_results(&join, progress)?,
            JoinedInto::Index(table) => {
                join_results_into(&join, progress, "results index", TableWriter::opener(table.clone()))?
            }
        };
        // Retries with another model: the join prices every row at the run's own model.
        let others: Vec<&str> = runs.iter().map(|r| r.model_id.as_str()).filter(|m| *m != root.model_id).collect();
        if let Some(other) = others.first() {
            summary.warnings.push(format!(
                "some rows were retried with {other}; the cost prices every row at {}'s price, so it is approximate \
                 (each row's attempts name their model)",
                root.model_id
            ));
        }
        {
            // Every run of the chain was joined: each is fetched now, so a later retry knows no run of the chain
            // ended after this fetch.
            let mut history = self.lock();
            // Tokens of other models' answers would skew this model's calibration, and a job made elsewhere
            // had no estimate.
            if others.is_empty() && !plan.record_ids.listed {
                history.record_estimate(&PastEstimate {
                    run_id: root.id.to_string(),
                    model_id: plan.model.id.as_str().to_string(),
                    template_key: template_key(&plan.templates.prompt, plan.templates.system.as_deref()),
                    rows: plan.totals.records,
                    estimated_input: plan.totals.input_tokens,
                    billed_input: summary.tokens.input_from_manifests.unwrap_or(summary.tokens.input_from_outputs),
                    answered_rows: summary.succeeded,
                    billed_output: summary.tokens.output_from_manifests.unwrap_or(summary.tokens.output_from_outputs),
                    fetched_at: String::new(),
                })?;
            }
            history.set_results_dir(&root.id, &absolute(&request.out_dir))?;
            for run in &runs {
                history.set_run_state(&run.id, RunState::Fetched)?;
            }
        }
        Ok(FetchReport {
            run: root.id.to_string(),
            sandbox: root.sandbox,
            jobs,
            downloaded,
            outputs_dir,
            unfinished_list,
            summary,
        })
    }
}

/// `path` made absolute (as given when it cannot be), for the folders the history records.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
