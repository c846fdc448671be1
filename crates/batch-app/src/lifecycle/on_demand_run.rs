//! A run answered by on-demand calls instead of batch jobs: a sheet below the batch minimum, a retry of a few
//! rows, or a deadline's fallback. It is recorded in the history like a batch run — listed, never forgotten,
//! continued after a crash — but nothing is uploaded: its parts are the prepared plan's, answered from this
//! machine into `<prepared>/on-demand/<run id>/<part>/` as a batch job writes its outputs, and a fetch joins them
//! like a job's outputs (each row marked with the tier that answered it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use batch_core::aws_names::JobName;
use batch_core::prepare::{PLAN_FILE, PreparedPlan};
use batch_core::pricing::{PriceTable, TierEstimate, tier_estimate};
use batch_core::remedy::Remedy;
use batch_core::results::MANIFEST_FILE;
use batch_core::service_tier::Tier;
use serde::Serialize;

use super::{Lifecycle, LifecycleError};
use crate::history::{JobSettings, NewRun, Recorded, Run, RunDestination, RunId, RunState};
use crate::on_demand::{OnDemandError, OnDemandOptions, OnDemandReport, answer_part};
use crate::ports::{Downloaded, JobsApi, ObjectTransfer, RecordInvoker};

/// What to send on demand.
#[derive(Debug, Clone)]
pub struct OnDemandRequest {
    /// The folder `prepare` wrote.
    pub prepared_dir: PathBuf,
    /// The run's name (as a batch run's jobs are named).
    pub job_name: JobName,
    /// Standard or Flex.
    pub tier: Tier,
    /// True in the offline sandbox.
    pub sandbox: bool,
    /// The run this one retries.
    pub retry_of: Option<RunId>,
    /// Record a new run even when these prepared parts were sent on this tier before (otherwise that run is
    /// continued, and no answered row is sent again).
    pub new_run: bool,
}

/// What answering an on-demand run did.
#[derive(Debug, Clone, Serialize)]
pub struct OnDemandRun {
    /// The run.
    pub run: String,
    /// The tier its calls were answered on.
    pub tier: Tier,
    /// Rows the run sends.
    pub rows: u64,
    /// Rows answered successfully so far (earlier attempts included).
    pub succeeded: u64,
    /// Rows whose call failed (their error lines are written).
    pub failed: u64,
    /// Calls made by this attempt (throttled and retried ones included).
    pub calls: u64,
    /// Throttled calls of this attempt.
    pub throttled: u64,
    /// Rows an earlier, interrupted attempt had already answered (not sent again).
    pub already_answered: u64,
    /// True when a stop ended it early: continue it to send the rest.
    pub stopped: bool,
}

/// Where an on-demand run's answers are written, one folder per part.
pub fn answers_dir(run: &Run) -> PathBuf {
    run.prepared_dir.join("on-demand").join(run.id.as_str())
}

/// What sending `rows` records of `plan` on `tier` costs: their estimated input, every answer at most its maximum.
pub fn quote_rows(plan: &PreparedPlan, rows: u64, tier: Tier, prices: &PriceTable) -> TierEstimate {
    let per_record = plan.totals.input_tokens / plan.totals.records.max(1);
    let max_output = u64::from(plan.model.params.max_tokens) * rows;
    tier_estimate(prices, &plan.model.id, tier, rows, per_record * rows, max_output)
}

/// Refuses to start spending when the most it can cost is above `cap` (USD), with the numbers.
pub fn within_spend_cap(estimate: &TierEstimate, cap: Option<f64>) -> Result<(), LifecycleError> {
    let Some(cap) = cap else { return Ok(()) };
    let blocked = |message: String| LifecycleError::Blocked {
        message,
        remedy: Remedy::change(batch_core::remedy::Setting::SpendCap),
    };
    match estimate.most_usd {
        Some(most) if most <= cap => Ok(()),
        Some(most) => Err(blocked(format!(
            "{} rows on {} may cost up to ${most:.4} (every answer at its maximum of tokens), more than the spend cap of ${cap:.4}; raise the cap, lower the maximum tokens or send fewer rows",
            estimate.rows,
            estimate.tier.as_str()
        ))),
        None => Err(blocked(format!(
            "the cost of {} rows cannot be estimated (the price table has no price for this model), so the spend cap of ${cap:.4} cannot be honoured; give a price table that lists the model, or remove the cap",
            estimate.rows
        ))),
    }
}

/// Copies the answers of an on-demand run (each part's `.jsonl.out` and manifest) into `into/<run id>-<part>/`.
pub(crate) fn copy_answers(run: &Run, into: &Path) -> Result<Downloaded, LifecycleError> {
    let mut copied = Downloaded::default();
    let failed = |path: &Path, e: std::io::Error| {
        LifecycleError::Refused(format!("{}: cannot copy the on-demand answers: {e}", path.display()))
    };
    for part in answer_parts(run) {
        let name = part.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let target = into.join(format!("{}-{name}", run.id));
        std::fs::create_dir_all(&target).map_err(|e| failed(&target, e))?;
        for (name, file) in answer_files(&part).map_err(|e| failed(&part, e))? {
            copied.bytes += std::fs::copy(&file, target.join(&name)).map_err(|e| failed(&file, e))?;
            copied.files += 1;
        }
    }
    Ok(copied)
}

/// The part folders of an on-demand run's answers (none yet: empty).
fn answer_parts(run: &Run) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(answers_dir(run)) else { return Vec::new() };
    entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect()
}

/// The answer files of one part folder (its `.jsonl.out` files and manifest), by name.
fn answer_files(part: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for file in std::fs::read_dir(part)?.flatten() {
        let name = file.file_name().to_string_lossy().into_owned();
        if name == MANIFEST_FILE || name.ends_with(".jsonl.out") {
            files.push((name, file.path()));
        }
    }
    Ok(files)
}

/// Rows an on-demand run has answered so far, and its rows (the plan's). An ended run's part manifests say it
/// (each written as its part ends); a run still sending has its answer lines counted.
pub fn on_demand_progress(run: &Run) -> (u64, u64) {
    let total = PreparedPlan::read(&run.prepared_dir.join(PLAN_FILE)).map_or(0, |plan| plan.totals.records);
    let ended = !run.state.is_unfinished();
    let part_answered = |part: &PathBuf| -> u64 {
        let files = answer_files(part).unwrap_or_default();
        let manifest = files
            .iter()
            .find(|(name, _)| name == MANIFEST_FILE)
            .and_then(|(_, path)| std::fs::read(path).ok())
            .and_then(|bytes| serde_json::from_slice::<batch_core::results::Manifest>(&bytes).ok());
        match manifest {
            Some(manifest) if ended => manifest.processed_record_count,
            _ => files
                .iter()
                .filter(|(name, _)| name != MANIFEST_FILE)
                .filter_map(|(_, path)| std::fs::read(path).ok())
                .map(|bytes| bytes.iter().filter(|&&b| b == b'\n').count() as u64)
                .sum(),
        }
    };
    let answered: u64 = answer_parts(run).iter().map(part_answered).sum();
    (answered.min(total), total)
}

/// What identifies an on-demand send: the prepared folder and its parts as they are now, the model, the tier.
fn submission_key(prepared_dir: &Path, plan: &PreparedPlan, parts: &str, tier: Tier, sandbox: bool) -> String {
    let text = format!(
        "on-demand\u{1}{}\u{1}{parts}\u{1}{}\u{1}{}\u{1}{sandbox}",
        prepared_dir.display(),
        plan.model.id,
        tier.as_str()
    );
    let hash = |seed| batch_core::record_id::fnv1a(text.as_bytes(), seed);
    format!("{:016x}{:016x}", hash(1), hash(2))
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// Records an on-demand run of a prepared folder (nothing is sent yet) — or finds the one recorded before for
    /// the same parts and tier, so that sending again continues it.
    pub fn record_on_demand(&self, request: &OnDemandRequest) -> Result<Recorded, LifecycleError> {
        if !request.tier.is_on_demand() {
            return Err(LifecycleError::Refused("an on-demand run is sent on the Standard or the Flex tier".into()));
        }
        let plan = PreparedPlan::read(&request.prepared_dir.join(PLAN_FILE))?;
        super::submit::check_part_files(&request.prepared_dir, &plan)?;
        let prepared_dir = std::path::absolute(&request.prepared_dir).unwrap_or_else(|_| request.prepared_dir.clone());
        let parts_fingerprint = plan.parts_fingerprint(&prepared_dir)?;
        let run = NewRun {
            submission: submission_key(&prepared_dir, &plan, &parts_fingerprint, request.tier, request.sandbox),
            prepared_dir,
            model_id: plan.model.id.as_str().to_string(),
            destination: RunDestination::OnDemand(request.tier),
            job_name: request.job_name.clone(),
            sandbox: request.sandbox,
            retry_of: request.retry_of.clone(),
            parts: Vec::new(),
            settings: JobSettings::default(),
            parts_fingerprint,
        };
        Ok(self.lock().record_run(&RunId::generate(), &run, !request.new_run)?)
    }

    /// Sends the rows of on-demand run `run_id` not yet answered through `invoker` (which must answer on the run's
    /// tier), part by part; the run ends when every row has an answer or an error line. A crash or a cancel leaves
    /// it unfinished — calling this again sends only what has no answer — while a run the user stopped
    /// ([`Lifecycle::stop_run`]) ends with the answers it has.
    pub async fn answer_on_demand<I: RecordInvoker + 'static>(
        &self,
        run_id: &str,
        invoker: Arc<I>,
        options: OnDemandOptions,
    ) -> Result<OnDemandRun, LifecycleError> {
        let run = self.lock().run(run_id)?;
        if !run.tier.is_on_demand() {
            return Err(LifecycleError::Refused(format!("run {} is sent by batch jobs, not on demand", run.id)));
        }
        if invoker.tier() != run.tier {
            return Err(LifecycleError::Refused(format!(
                "run {} is answered on {}, not {}",
                run.id,
                run.tier.as_str(),
                invoker.tier().as_str()
            )));
        }
        let plan = PreparedPlan::read(&run.prepared_dir.join(PLAN_FILE))?;
        let stopped_by_user = |history: &mut crate::history::History| -> Result<bool, LifecycleError> {
            // A stopped run ends with what it has: its unanswered rows count as missing.
            let stop = history.run(run_id)?.stop_requested;
            if stop && history.run(run_id)?.state.is_unfinished() {
                history.set_run_state(&run.id, RunState::Ended)?;
            }
            Ok(stop)
        };
        let mut report = OnDemandRun {
            run: run.id.to_string(),
            tier: run.tier,
            rows: plan.totals.records,
            succeeded: 0,
            failed: 0,
            calls: 0,
            throttled: 0,
            already_answered: 0,
            stopped: false,
        };
        if stopped_by_user(&mut self.lock())? {
            report.stopped = true;
            return Ok(report);
        }
        self.check_parts_unchanged(&run)?;
        let answers = answers_dir(&run);
        for part in &plan.parts {
            let stem = part.file.strip_suffix(".jsonl").unwrap_or(&part.file);
            let answered = answer_part(
                invoker.clone(),
                &run.prepared_dir.join(&part.file),
                &answers.join(stem),
                options,
                self.cancel,
            )
            .await
            .map_err(|error| match error {
                OnDemandError::Refused { error, .. } => LifecycleError::Service(error),
                other => LifecycleError::Refused(other.to_string()),
            })?;
            let OnDemandReport { manifest, calls, throttled, already_answered, stopped, .. } = answered;
            report.succeeded += manifest.success_record_count;
            report.failed += manifest.error_record_count;
            report.calls += calls;
            report.throttled += throttled;
            report.already_answered += already_answered;
            if stopped {
                report.stopped = true;
                stopped_by_user(&mut self.lock())?;
                return Ok(report);
            }
        }
        let mut history = self.lock();
        if history.run(run_id)?.state.is_unfinished() {
            history.set_run_state(&run.id, RunState::Ended)?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{JobSettings, RunState};
    use crate::lifecycle::fakes::{prepared, recorded_run};

    #[test]
    fn progress_counts_answer_lines_while_sending_and_trusts_the_manifests_once_ended() {
        let dir = tempfile::tempdir().unwrap();
        let mut run = recorded_run(JobSettings::default());
        run.prepared_dir = prepared(dir.path(), "prepared", 40);
        run.tier = Tier::OnDemand;
        assert_eq!(on_demand_progress(&run), (0, 40), "nothing answered yet");
        let part = answers_dir(&run).join("part-001");
        std::fs::create_dir_all(&part).unwrap();
        std::fs::write(part.join("part-001.jsonl.out"), "{}\n{}\n{}\n").unwrap();
        // The manifest a stopped send wrote before this one resumed: behind the lines being added.
        let manifest = batch_core::results::Manifest { processed_record_count: 2, ..Default::default() };
        std::fs::write(part.join(MANIFEST_FILE), serde_json::to_string(&manifest).unwrap()).unwrap();
        assert_eq!(on_demand_progress(&run), (3, 40), "a run still sending: its lines");
        run.state = RunState::Ended;
        assert_eq!(on_demand_progress(&run), (2, 40), "an ended run: its manifests, without reading its answers");
        let copied = copy_answers(&run, &dir.path().join("outputs")).unwrap();
        assert_eq!(copied.files, 2);
        assert!(dir.path().join("outputs/run-1-part-001/part-001.jsonl.out").is_file());
    }
}
