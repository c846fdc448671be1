//! Runs in the desktop session: submit (select rows, prepare, record, drive in the background), the job
//! history with live counts, stop, fetch and index the results when a run ends, and retry.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use batch_core::answer::AnswerShape;
use batch_core::model::{InvocationType, ModelId};
use batch_core::model_lifecycle::{LifecycleTable, today};
use batch_core::prepare::{PLAN_FILE, PrepareRequest, PreparedPlan, Revision, prepare};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::records::InferenceParams;
use batch_core::service_tier::Tier;
use batch_core::sheet::SheetOptions;
use serde::{Deserialize, Serialize};

use super::results::save_summary;
use super::{RunEvents, Studio, StudioError, job_target};
use crate::history::{JobSettings, Run, RunState};
use crate::lifecycle::{
    FetchRequest, JoinedInto, OnDemandRequest, RetryRequest, RunProgress, Until, on_demand_progress, quote_rows,
    run_progress, within_spend_cap,
};
use crate::on_demand::quota_rate::{AskedRate, rate_for};
use crate::ports::{Backend, Connector};
use crate::results_table::{ResultsTable, StatusCounts};
use crate::row_selection::{RowSelection, select_rows};
use crate::settings::InvocationChoice;
use crate::start_run::{RunTarget, job_name, plan_start_under};

/// The results table's file in a run's results folder (the fetch's join feeds it directly).
pub(super) const TABLE_FILE: &str = "results.db";
/// The join's summary as saved beside the table (tokens, cost, warnings).
pub(super) const SUMMARY_FILE: &str = "summary.json";

/// Everything the wizard gathered for a run.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SubmitForm {
    /// The sheet.
    pub sheet: PathBuf,
    /// Its worksheet (workbooks).
    pub worksheet: Option<String>,
    /// The rows to send.
    pub selection: RowSelection,
    /// The prompt template.
    pub template: String,
    /// The system prompt template, if any.
    pub system: Option<String>,
    /// The model or inference profile.
    pub model: String,
    /// The request body: the model's own or Converse's (the family's default when absent).
    pub invocation: Option<InvocationChoice>,
    /// Most answer tokens per row.
    pub max_tokens: u32,
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// The service role (the sandbox's when absent there).
    pub role_arn: Option<String>,
    /// Input prefix.
    pub input_uri: Option<String>,
    /// Output prefix.
    pub output_uri: Option<String>,
    /// Job name (made from the sheet's name and the time when absent).
    pub job_name: Option<String>,
    /// Job timeout, 24–168 hours.
    pub timeout_hours: u32,
    /// Job tags.
    pub tags: Vec<(String, String)>,
    /// How the rows are sent: a batch job, or on-demand calls (Standard or Flex).
    #[serde(default)]
    pub send: Tier,
    /// Refuse to send when the most the rows can cost (every answer at its maximum) is above this, USD.
    #[serde(default)]
    pub max_cost: Option<f64>,
    /// Finish by: a time of day (18:00, local), a delay (+6h) or a date and time; the jobs not ended by then are
    /// stopped (a batch job only).
    #[serde(default)]
    pub deadline: Option<String>,
    /// Stop a job waiting in Bedrock's queue longer than this (90m, 6h).
    #[serde(default)]
    pub max_queue: Option<String>,
    /// What the rows a deadline leaves may cost on demand, approved beforehand (USD): sent at once within it.
    #[serde(default)]
    pub fallback_budget: Option<f64>,
    /// The window's time zone, minutes east of UTC (for a deadline given as a time of day).
    #[serde(default)]
    pub local_offset_minutes: i32,
    /// The answer's shape: free text, labels, fields or a JSON Schema.
    #[serde(default)]
    pub answer: AnswerShape,
}

/// A run as the Jobs step lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunRow {
    /// Run id.
    pub id: String,
    /// Job name (base).
    pub job_name: String,
    /// Model.
    pub model_id: String,
    /// uploading, submitting, running, ended, fetched.
    pub state: RunState,
    /// Batch jobs, or on-demand calls (Standard or Flex).
    pub tier: Tier,
    /// True for a sandbox run.
    pub sandbox: bool,
    /// When it was recorded.
    pub created_at: String,
    /// The run it retries.
    pub retry_of: Option<String>,
    /// Parts.
    pub parts: usize,
    /// Each job's status (`not submitted` before its create).
    pub statuses: Vec<String>,
    /// Records processed so far, over all jobs.
    pub processed: u64,
    /// Records in the run.
    pub total: u64,
    /// Seconds from recording to now (or to the last job update once ended).
    pub elapsed_seconds: i64,
    /// True while this session drives it.
    pub active: bool,
    /// True once the user stopped it (it gets no more jobs and ends when the ones it has end).
    pub stopped: bool,
    /// True when its results can be shown.
    pub has_results: bool,
    /// Queue time, the likely end and the deadline.
    pub progress: RunProgress,
    /// True for a job made elsewhere and opened here.
    pub opened: bool,
    /// The job name as a file name every platform accepts (the export's suggested name).
    pub file_name: String,
}

/// How a run ended.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunOutcome {
    /// The run (the original of a retry chain once fetched).
    pub run: String,
    /// Its job name, as the user chose it (the run id when the history cannot say).
    pub job_name: String,
    /// True when the user stopped it.
    pub stopped: bool,
    /// Rows that succeeded, failed or are missing, when fetched.
    pub counts: Option<StatusCounts>,
    /// What else to know: a deadline stopped it, and what was done with the rows it left.
    pub notice: Option<String>,
    /// Why it could not be followed or fetched.
    pub error: Option<String>,
}

impl RunOutcome {
    /// The desktop notification's title: which job ended.
    pub fn title(&self) -> String {
        let stopped = self.stopped || (self.error.is_some() && self.counts.is_none());
        format!("{} {}", self.job_name, if stopped { "stopped" } else { "ended" })
    }

    /// The notification's text: the counts, or why the run could not be followed or fetched.
    pub fn body(&self) -> String {
        match (&self.counts, &self.error) {
            (Some(c), _) => {
                let counts = c.text(|n| n.to_string());
                match &self.notice {
                    Some(notice) => format!("{counts} ({notice})"),
                    None => counts,
                }
            }
            (None, Some(error)) => error.clone(),
            (None, None) => "ended".into(),
        }
    }
}

pub(super) fn invalid(message: impl Into<String>) -> StudioError {
    StudioError::Invalid(message.into())
}

pub(super) fn blocking_error(e: tokio::task::JoinError) -> StudioError {
    invalid(format!("internal error: {e}"))
}

/// A folder of its own for a new run: `<runs>/<job name>` (as a file name every platform accepts), or
/// `<job name>-2`, `-3`… when that is taken — an earlier run's prepared parts and results are never overwritten
/// by a run given the same name.
fn new_run_folder(runs: &Path, job_name: &str) -> Result<PathBuf, StudioError> {
    let failed =
        |path: &Path, e: std::io::Error| invalid(format!("{}: cannot create the run's folder: {e}", path.display()));
    std::fs::create_dir_all(runs).map_err(|e| failed(runs, e))?;
    let base = batch_core::file_names::portable_file_name(job_name, "run");
    for attempt in 1u32.. {
        let name = if attempt == 1 { base.clone() } else { format!("{base}-{attempt}") };
        let folder = runs.join(name);
        match std::fs::create_dir(&folder) {
            Ok(()) => return Ok(folder),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(&folder, e)),
        }
    }
    unreachable!("u32 attempts run out before free folder names")
}

impl<C: Connector> Studio<C> {
    /// Selects the rows, prepares the parts within the model's quotas, and starts the run through the
    /// start-run use case (the CLI's: defaults, name, cap from the quotas), driving it in the background.
    pub async fn submit(self: &Arc<Self>, form: SubmitForm) -> Result<RunRow, StudioError> {
        let (connection, info) = self.connected().await?;
        let sandbox = connection.sandbox();
        let (deadline, max_queue_minutes) = super::deadline::deadline_settings(
            form.deadline.as_deref(),
            form.max_queue.as_deref(),
            form.local_offset_minutes,
        )?;
        let target = RunTarget {
            role_arn: form.role_arn.clone(),
            input_uri: form.input_uri.clone(),
            output_uri: form.output_uri.clone(),
            job_name: form.job_name.clone(),
            settings: JobSettings {
                timeout_hours: form.timeout_hours,
                tags: form.tags.clone(),
                deadline,
                max_queue_minutes,
                ..JobSettings::default()
            },
            max_concurrent_jobs: None,
            // Every desktop submit prepares into a folder of its own: it is a new run by construction.
            new_run: true,
        };
        // Refuse an incomplete target before any row is read (rows sent on demand need no role nor S3).
        if !form.send.is_on_demand() {
            job_target(&target.role_arn, &target.input_uri, &target.output_uri, sandbox, |what| {
                format!("the {what} is required when submitting to AWS")
            })?;
        }
        let job_name = job_name(&target, &form.sheet).map_err(|e| invalid(e.to_string()))?;
        let model = ModelId::parse(&form.model).map_err(|e| invalid(format!("model: {e}")))?;
        LifecycleTable::bundled().check(&model, &today(), false)?;
        let invocation = form.invocation.map(InvocationType::from);
        let quotas = self.model_quotas(&connection, &info, model.as_str()).await;
        // On demand, no batch minimum applies (the file limits still cut the parts).
        let limits = if form.send.is_on_demand() { quotas.limits.on_demand() } else { quotas.limits };
        let folder = new_run_folder(&self.home.join("runs"), job_name.as_str())?;
        let prepared_dir = folder.join("prepared");
        let request_folder = folder.clone();
        let form_for_prepare = form.clone();
        let prepared = prepared_dir.clone();
        tokio::task::spawn_blocking(move || -> Result<(), StudioError> {
            let form = form_for_prepare;
            let options = SheetOptions { sheet: form.worksheet.clone(), delimiter: None };
            let (input, options, _) =
                select_rows(&form.sheet, &options, &form.selection, &request_folder.join("selected.csv"))
                    .map_err(|e| invalid(e.to_string()))?;
            let request = PrepareRequest {
                input,
                sheet: options,
                template: form.template.clone(),
                system: form.system.clone().filter(|s| !s.trim().is_empty()),
                model,
                invocation,
                params: InferenceParams {
                    max_tokens: form.max_tokens.max(1),
                    temperature: form.temperature,
                    top_p: form.top_p,
                    stop_sequences: Vec::new(),
                },
                answer: form.answer.clone(),
                id_column: None,
                limits,
                prices: PriceTable::bundled(),
                out_dir: prepared,
            };
            prepare(&request, &NoProgress)?;
            Ok(())
        })
        .await
        .map_err(blocking_error)??;
        let plan = PreparedPlan::read(&prepared_dir.join(PLAN_FILE))?;
        within_spend_cap(&quote_rows(&plan, plan.totals.records, form.send, &PriceTable::bundled()), form.max_cost)?;
        let cancel = AtomicBool::new(false);
        let events = RunEvents { run: String::new(), sink: self.events.clone() };
        let lifecycle = connection.lifecycle(&self.history, &events, &cancel);
        let run = if form.send.is_on_demand() {
            let request = OnDemandRequest {
                prepared_dir,
                job_name,
                tier: Tier::on_demand_for(&plan.model.id, Some(form.send == Tier::Flex)),
                sandbox,
                retry_of: None,
                new_run: true,
            };
            lifecycle.record_on_demand(&request)?.id().clone()
        } else {
            let target = RunTarget { job_name: Some(job_name.as_str().to_string()), ..target };
            let request =
                plan_start_under(&prepared_dir, &target, sandbox, quotas).map_err(|e| invalid(e.to_string()))?.request;
            lifecycle.record_run(&request)?.id().clone()
        };
        // The spend cap bounds the budget approved for the deadline's fallback too.
        if let Some(budget) = form.fallback_budget.map(|b| form.max_cost.map_or(b, |cap| b.min(cap))) {
            self.fallback_budgets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(run.to_string(), budget);
        }
        self.drive_in_background(run.to_string(), sandbox);
        self.run_row(run.as_str())
    }

    /// Follows `run` to its end in the background (once), then fetches and indexes its results.
    pub fn drive_in_background(self: &Arc<Self>, run: String, sandbox: bool) {
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut driving = self.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if driving.contains_key(&run) {
                return;
            }
            driving.insert(run.clone(), cancel.clone());
        }
        let studio = self.clone();
        tokio::spawn(async move {
            let outcome = studio.follow(&run, sandbox, &cancel).await;
            studio.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&run);
            let (ended, counts, notice, error) = match outcome {
                Ok((root, counts, notice)) => (root, Some(counts), notice, None),
                Err(error) => (run.clone(), None, None, Some(error.to_string())),
            };
            let (job_name, stopped) = {
                let history = studio.history();
                let job_name = history.run(&ended).map_or_else(|_| ended.clone(), |r| r.job_name);
                (job_name, history.run(&run).is_ok_and(|r| r.stop_requested))
            };
            let outcome = RunOutcome { run: ended, job_name, stopped, counts, notice, error };
            studio.events.run_ended(&run, &outcome);
        });
    }

    /// Stops following runs in the background, as when the app quits: each driver stops at its next step with
    /// everything it did recorded (the next launch takes the runs up again); returns once all have stopped, or
    /// after `within`.
    pub async fn stop_background(&self, within: std::time::Duration) {
        let started = std::time::Instant::now();
        let flags: Vec<_> =
            self.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().cloned().collect();
        for flag in flags {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        while !self.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_empty()
            && started.elapsed() < within
        {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Follows `run` to its end, then fetches and indexes it (and, when its deadline stopped it, deals with the
    /// rows left); returns the run the results belong to (the original of a retry chain), its counts and what
    /// else to tell.
    async fn follow(
        &self,
        run: &str,
        sandbox: bool,
        cancel: &AtomicBool,
    ) -> Result<(String, StatusCounts, Option<String>), StudioError> {
        let connection = self.connection_for(sandbox).await?;
        let events = RunEvents { run: run.to_string(), sink: self.events.clone() };
        let lifecycle = connection.lifecycle(&self.history, &events, cancel);
        let record = self.history().run(run)?;
        let mut deadline_stop = None;
        if record.tier.is_on_demand() {
            let plan = PreparedPlan::read(&record.prepared_dir.join(PLAN_FILE))?;
            let invoker = Arc::new(connection.invoker(&plan.model.id, plan.model.invocation_type, record.tier));
            let options = rate_for(connection.as_ref(), &plan, AskedRate::default()).await.options;
            let sent = lifecycle.answer_on_demand(run, invoker, options).await?;
            if sent.stopped && self.history().run(run)?.state.is_unfinished() {
                // Cancelled (the app is closing): taken up again at the next launch.
                return Err(crate::lifecycle::LifecycleError::Cancelled.into());
            }
        } else {
            deadline_stop = lifecycle.drive(run, Until::Ended).await?.deadline_stop;
        }
        let root = self.root_run(run)?;
        let results = self.results_dir(&root);
        let request = FetchRequest {
            run: root.id.to_string(),
            out_dir: results.clone(),
            input: None,
            into: JoinedInto::Index(results.join(TABLE_FILE)),
            excel_safe: false,
            prices: PriceTable::bundled(),
        };
        let mut report = lifecycle.fetch(&request, &NoProgress).await?;
        let mut notice = None;
        if let Some(reason) = deadline_stop {
            let budget = self.fallback_budgets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(run);
            let (latest, told) = super::deadline::after_deadline(
                connection.as_ref(),
                &lifecycle,
                &record,
                &reason,
                (&request, report),
                budget,
            )
            .await?;
            report = latest;
            notice = Some(told);
        }
        let counts = tokio::task::spawn_blocking(move || -> Result<StatusCounts, StudioError> {
            save_summary(&results, &report.summary)?;
            let table = ResultsTable::open(&results.join(TABLE_FILE)).map_err(|e| invalid(e.to_string()))?;
            table.counts().map_err(|e| invalid(e.to_string()))
        })
        .await
        .map_err(blocking_error)??;
        Ok((root.id.to_string(), counts, notice))
    }

    /// Takes up every unfinished run this connection can follow (after a restart), and fetches ended runs
    /// whose results were never fetched.
    pub(super) async fn resume(self: &Arc<Self>) -> Result<usize, StudioError> {
        let (connection, _) = self.connected().await?;
        let runs = self.history().runs()?;
        let mut taken = 0;
        for run in runs {
            let needs_work = run.state.is_unfinished() || run.state == RunState::Ended;
            if needs_work && (run.sandbox || !connection.sandbox()) {
                self.drive_in_background(run.id.to_string(), run.sandbox);
                taken += 1;
            }
        }
        Ok(taken)
    }

    pub(super) fn root_run(&self, run: &str) -> Result<Run, StudioError> {
        Ok(self.history().root_run(run)?)
    }

    /// Where a run's results go: beside its prepared folder.
    pub(super) fn results_dir(&self, run: &Run) -> PathBuf {
        run.results_dir.clone().unwrap_or_else(|| {
            run.prepared_dir.parent().map_or_else(|| self.home.join("results"), |p| p.join("results"))
        })
    }

    /// Every run, newest first, with live counts.
    pub fn runs(&self) -> Result<Vec<RunRow>, StudioError> {
        let ids: Vec<String> = self.history().runs()?.into_iter().map(|r| r.id.to_string()).collect();
        let mut rows = ids.iter().map(|id| self.run_row(id)).collect::<Result<Vec<_>, _>>()?;
        rows.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        Ok(rows)
    }

    pub(super) fn run_row(&self, id: &str) -> Result<RunRow, StudioError> {
        let (run, parts, jobs, backlog) = {
            let history = self.history();
            let run = history.run(id)?;
            let parts = history.parts(&run.id)?;
            let jobs = history.run_jobs(&run.id)?;
            let backlog = history.backlog(&run.id)?;
            (run, parts, jobs, backlog)
        };
        let statuses = parts
            .iter()
            .map(|p| {
                jobs.iter()
                    .find(|j| j.part == p.part)
                    .and_then(|j| j.status.as_ref())
                    .map_or_else(|| "not submitted".to_string(), |s| s.as_str().to_string())
            })
            .collect();
        let (processed, total) = if run.tier.is_on_demand() {
            on_demand_progress(&run)
        } else {
            (jobs.iter().filter_map(|j| j.processed_records).sum(), parts.iter().map(|p| p.records).sum())
        };
        let started = batch_core::clock::unix_from_rfc3339(&run.created_at).unwrap_or(0);
        let ended = if run.state.is_unfinished() {
            batch_core::clock::unix_now()
        } else {
            jobs.iter().filter_map(|j| batch_core::clock::unix_from_rfc3339(&j.updated_at)).max().unwrap_or(started)
        };
        let active = self.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(id);
        let has_results = self
            .root_run(id)
            .is_ok_and(|root| root.state == RunState::Fetched || self.results_dir(&root).join(TABLE_FILE).is_file());
        Ok(RunRow {
            id: run.id.to_string(),
            file_name: batch_core::file_names::portable_file_name(&run.job_name, "results"),
            job_name: run.job_name.clone(),
            model_id: run.model_id.clone(),
            state: run.state,
            tier: run.tier,
            sandbox: run.sandbox,
            created_at: run.created_at.clone(),
            retry_of: run.retry_of.as_ref().map(ToString::to_string),
            parts: parts.len(),
            statuses,
            processed,
            total,
            elapsed_seconds: (ended - started).max(0),
            active,
            stopped: run.stop_requested,
            has_results,
            progress: run_progress(&run, &jobs, backlog, batch_core::clock::unix_now()),
            opened: run.opened,
        })
    }

    /// Stops `run`: no more uploads or new jobs, and each job that has not ended is stopped; the run is still
    /// followed to its end and fetched, with the rows of parts never submitted counted as missing.
    pub async fn stop(self: &Arc<Self>, run: &str) -> Result<RunRow, StudioError> {
        let record = self.history().run(run)?;
        if record.state.is_unfinished() {
            let connection = self.connection_for(record.sandbox).await?;
            let cancel = AtomicBool::new(false);
            let events = RunEvents { run: run.to_string(), sink: self.events.clone() };
            connection.lifecycle(&self.history, &events, &cancel).stop_run(run).await?;
            if record.tier.is_on_demand() {
                // Its calls are made by this session: no call is started after this, and it ends with its answers.
                if let Some(flag) = self.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(run) {
                    flag.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }
            // Followed to its end (and fetched) like any run; a no-op when it is being followed already.
            self.drive_in_background(run.to_string(), record.sandbox);
        }
        self.run_row(run)
    }

    /// Records a retry of `run`'s rows — those not answered in full, or with `matching` the rows of its results
    /// table that filter shows — with `revision`'s changes (model, answer tokens, template), as a batch job or on
    /// demand on `send`'s tier (Flex where asked for and offered), and drives it.
    pub async fn retry(
        self: &Arc<Self>,
        run: &str,
        send: Tier,
        matching: Option<crate::results_table::RowFilter>,
        revision: Revision,
    ) -> Result<RunRow, StudioError> {
        let record = self.history().run(run)?;
        let only = match &matching {
            Some(filter) => Some(self.matching_record_ids(run, filter)?),
            None => None,
        };
        let connection = self.connection_for(record.sandbox).await?;
        let cancel = AtomicBool::new(false);
        let events = RunEvents { run: run.to_string(), sink: self.events.clone() };
        if let Some(model) = &revision.model {
            LifecycleTable::bundled().check(model, &today(), false)?;
        }
        let request = RetryRequest { run: run.to_string(), only, revision };
        let retry = {
            let _one_at_a_time = self.retrying.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let lifecycle = connection.lifecycle(&self.history, &events, &cancel);
            if send.is_on_demand() {
                let model = match &request.revision.model {
                    Some(model) => model.clone(),
                    None => ModelId::parse(&record.model_id).map_err(|e| invalid(e.to_string()))?,
                };
                lifecycle.record_on_demand_retry(&request, Tier::on_demand_for(&model, Some(send == Tier::Flex)))?
            } else {
                lifecycle.record_retry(&request)?
            }
        };
        self.drive_in_background(retry.to_string(), record.sandbox);
        self.run_row(retry.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_names_the_job_and_says_how_it_ended() {
        let failed = RunOutcome {
            run: "run-1".into(),
            job_name: "tickets-eu".into(),
            stopped: false,
            counts: None,
            notice: None,
            error: Some("the job expired: resubmit the missing rows".into()),
        };
        assert_eq!(failed.title(), "tickets-eu stopped");
        assert_eq!(failed.body(), "the job expired: resubmit the missing rows");
        let counts = StatusCounts { succeeded: 7, failed: 2, missing: 1, ..StatusCounts::default() };
        let ended = RunOutcome { counts: Some(counts.clone()), error: None, ..failed };
        assert_eq!(
            (ended.title().as_str(), ended.body().as_str()),
            ("tickets-eu ended", "7 succeeded, 2 failed, 1 missing")
        );
        let checked = StatusCounts { invalid: 3, empty: 1, ..counts };
        let shaped = RunOutcome { counts: Some(checked), ..ended.clone() };
        assert_eq!(shaped.body(), "7 succeeded, 2 failed, 1 missing, 3 invalid, 1 empty");
        let stopped = RunOutcome { stopped: true, ..ended };
        assert_eq!(stopped.title(), "tickets-eu stopped");
        let late = RunOutcome { notice: Some("stopped: its deadline has passed".into()), ..stopped };
        assert_eq!(late.body(), "7 succeeded, 2 failed, 1 missing (stopped: its deadline has passed)");
    }
}
