//! Opening a batch job made elsewhere (a notebook, the console, a pipeline) as a run of the history: its
//! configuration read from the service, its input and outputs downloaded, its records joined with their own ids —
//! so the results table, exports, charts and retries of the tool's own runs serve it. Output lines already on
//! disk open the same way with no AWS at all.

use std::path::{Path, PathBuf};

use batch_core::aws_names::{JobName, RoleArn, S3Uri};
use batch_core::model::ModelId;
use batch_core::prepare::{OpenedJobRequest, OpenedPlan, SheetJoin, UNKNOWN_MODEL, line_files, prepare_opened};
use batch_core::pricing::PriceTable;
use batch_core::progress::Progress;
use batch_core::remedy::Remedy;
use batch_core::results::MANIFEST_FILE;
use serde::Serialize;

use super::events::ForwardBytes;
use super::fetch::{ChainDownloads, absolute, job_id};
use super::{FetchReport, FetchRequest, JoinedInto, Lifecycle, LifecycleError};
use crate::history::{JobSettings, NewPart, NewRun, Recorded, RunDestination, RunId, RunState, opened_submission};
use crate::ports::{Downloaded, JobSnapshot, JobsApi, ObjectTransfer};

/// The folder of an opened run's own copy of local output lines, under its outputs.
const LOCAL_OUTPUTS: &str = "opened";

/// Which job to open, and how.
#[derive(Debug, Clone)]
pub struct OpenJobRequest {
    /// Where the job is.
    pub source: JobSource,
    /// The analyst's sheet to join the records to (else each record is a row, with what it asked).
    pub sheet: Option<SheetJoin>,
    /// The job's model, when the service does not say (local files) or to price it as another.
    pub model: Option<ModelId>,
    /// The shape the job asked its answers in (labels, fields, a schema), for typed columns; free text by default.
    pub answer: batch_core::answer::AnswerShape,
    /// The run's folder: `prepared/`, `input/`, `outputs/` and the export go there.
    pub out_dir: PathBuf,
    /// Where the joined rows go.
    pub into: JoinedInto,
    /// CSV cells neutralised for spreadsheets.
    pub excel_safe: bool,
    /// Prices for the cost.
    pub prices: PriceTable,
    /// True in the offline sandbox (its jobs are the emulator's).
    pub sandbox: bool,
}

/// Where an opened job's records are.
#[derive(Debug, Clone)]
pub enum JobSource {
    /// A job of the account, by ARN or id: its configuration, input and outputs come from the service.
    Remote(String),
    /// Output lines on disk (a folder or a file), with the job's request lines when at hand.
    Local {
        /// The output lines.
        outputs: PathBuf,
        /// The request lines (the job's input file or folder).
        requests: Option<PathBuf>,
    },
}

/// What opening a job did.
#[derive(Debug, Clone, Serialize)]
pub struct OpenJobReport {
    /// The run it is in the history as.
    pub run: String,
    /// The job as the service reports it (none for local files).
    pub job: Option<JobSnapshot>,
    /// The job's input downloaded (none when it could not be read: the records then come from the outputs).
    pub input: Option<Downloaded>,
    /// How the records met the rows.
    pub opened: Option<OpenedPlan>,
    /// The join, once the job has ended (none while it runs: wait for it, then fetch the run).
    pub fetched: Option<FetchReport>,
    /// Things to look at (an input that could not be read, say).
    pub warnings: Vec<String>,
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// Opens a job made elsewhere as a run (see the module's comment): downloads its input (and, once it has
    /// ended, its outputs), prepares it, records it in the history, and joins it when it has ended (a job still
    /// running is followed like any run). A job already in the history is not opened twice.
    pub async fn open_job(
        &self,
        request: &OpenJobRequest,
        progress: &dyn Progress,
    ) -> Result<OpenJobReport, LifecycleError> {
        match &request.source {
            JobSource::Remote(job) => self.open_remote(job, request, progress).await,
            JobSource::Local { outputs, requests } => {
                self.open_local(outputs, requests.as_deref(), request, progress).await
            }
        }
    }

    async fn open_remote(
        &self,
        job: &str,
        request: &OpenJobRequest,
        progress: &dyn Progress,
    ) -> Result<OpenJobReport, LifecycleError> {
        let snapshot = self.jobs.get(job).await?;
        if let Ok(known) = self.lock().job(&snapshot.job_arn) {
            return Err(LifecycleError::Blocked {
                message: format!(
                    "job {} is already run {} of this tool's history; fetch that run to read its results",
                    job_id(&snapshot.job_arn),
                    known.run_id
                ),
                remedy: Remedy::FetchRun { run: known.run_id.to_string() },
            });
        }
        let config = &snapshot.config;
        let missing = |what: &str| {
            LifecycleError::Refused(format!(
                "job {} has no {what} the tool can read (only S3 input and output are supported)",
                job_id(&snapshot.job_arn)
            ))
        };
        let refused = |e: batch_core::aws_names::NameError| LifecycleError::Refused(e.to_string());
        let input_uri =
            S3Uri::parse(config.input_uri.as_deref().ok_or_else(|| missing("S3 input"))?).map_err(refused)?;
        let output_uri =
            S3Uri::parse(config.output_uri.as_deref().ok_or_else(|| missing("S3 output"))?).map_err(refused)?;
        let role =
            RoleArn::parse(config.role_arn.as_deref().ok_or_else(|| missing("service role"))?).map_err(refused)?;
        let model = request.model.clone().or_else(|| config.model_id.as_deref().and_then(|m| ModelId::parse(m).ok()));
        // A retry's parts go beside the job's input (below the folder holding the file, or the folder's parent),
        // never into a folder the job read from.
        let run_input = S3Uri::parse(&format!("s3://{}/{}", input_uri.bucket(), input_uri.key().trim_end_matches('/')))
            .map_err(refused)?;
        let job_name = JobName::parse(&snapshot.job_name)
            .or_else(|_| JobName::parse(&format!("opened-{}", job_id(&snapshot.job_arn))))
            .map_err(refused)?;
        let outputs_prefix = output_uri.clone();
        let mut run = NewRun {
            prepared_dir: absolute(&request.out_dir.join("prepared")),
            model_id: model.as_ref().map_or(UNKNOWN_MODEL, ModelId::as_str).to_string(),
            destination: RunDestination::Batch { role_arn: role, input_uri: run_input, output_uri },
            job_name,
            sandbox: request.sandbox,
            retry_of: None,
            parts: vec![NewPart { file: "part-001.jsonl".into(), records: 0, bytes: 0, input_uri: input_uri.clone() }],
            settings: JobSettings::default(),
            submission: opened_submission(&snapshot.job_arn),
            parts_fingerprint: String::new(),
        };
        let mut warnings = Vec::new();
        let input_dir = request.out_dir.join("input");
        let _ = std::fs::remove_dir_all(&input_dir);
        let (requests, input) = match self.transfer.download_folder(&input_uri, &input_dir, &NoBytes).await {
            Ok(got) if got.files > 0 => (Some(input_dir), Some(got)),
            Ok(_) => {
                warnings.push(format!("{input_uri}: the job's input is not there any more"));
                (None, None)
            }
            Err(e) => {
                warnings.push(format!("{input_uri}: the job's input could not be read ({e})"));
                (None, None)
            }
        };
        let ended = snapshot.status.is_terminal();
        if !ended && requests.is_none() {
            return Err(LifecycleError::Refused(format!(
                "job {} is {} and its input cannot be read, so its records are known only from its outputs; open it \
                 again once it has ended",
                job_id(&snapshot.job_arn),
                snapshot.status.as_str()
            )));
        }
        // The outputs so far (none while the job runs), then the prepared folder — before anything is recorded,
        // so a job that cannot be read leaves no run behind.
        let outputs_dir = request.out_dir.join("outputs");
        let id_of_job = job_id(&snapshot.job_arn).to_string();
        let mut downloaded = Downloaded::default();
        if ended && snapshot.status.may_have_outputs() {
            let folder = outputs_prefix.join(&id_of_job);
            downloaded = self
                .transfer
                .download_folder(&folder, &outputs_dir.join(&id_of_job), &ForwardBytes(self.events))
                .await?;
        }
        let opened = prepare(request, requests, &outputs_dir, model)?;
        // The job's one part, as the service read it: its records and bytes as prepared here.
        for part in &mut run.parts {
            part.records = snapshot.counts.total.unwrap_or(opened.records);
            part.bytes = opened.plan.totals.bytes;
        }
        let id = self.record_opened(&run, &snapshot)?;
        let mut report = OpenJobReport {
            run: id.to_string(),
            job: Some(snapshot.clone()),
            input,
            opened: Some(opened),
            fetched: None,
            warnings,
        };
        if ended {
            let (root, runs) = self.chain(id.as_str())?;
            let attempts = vec![vec![id_of_job, id.to_string()]];
            let downloads = ChainDownloads::local(outputs_dir, downloaded, 1, attempts);
            report.fetched = Some(self.join_chain(&fetch_request(request, &id), (root, runs), downloads, progress)?);
        }
        Ok(report)
    }

    async fn open_local(
        &self,
        outputs: &Path,
        requests: Option<&Path>,
        request: &OpenJobRequest,
        progress: &dyn Progress,
    ) -> Result<OpenJobReport, LifecycleError> {
        let outputs_dir = request.out_dir.join("outputs");
        let copied = link_outputs(outputs, &outputs_dir.join(LOCAL_OUTPUTS))?;
        let opened = prepare(request, requests.map(Path::to_path_buf), &outputs_dir, request.model.clone())?;
        let name = outputs.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let job_name = JobName::parse(&format!("opened-{name}"))
            .or_else(|_| JobName::parse("opened-outputs"))
            .map_err(|e| LifecycleError::Refused(e.to_string()))?;
        let run = NewRun {
            prepared_dir: absolute(&request.out_dir.join("prepared")),
            model_id: opened.plan.model.id.as_str().to_string(),
            destination: RunDestination::OnDemand(batch_core::service_tier::Tier::OnDemand),
            job_name,
            sandbox: request.sandbox,
            retry_of: None,
            parts: Vec::new(),
            settings: JobSettings::default(),
            submission: opened_submission(&absolute(outputs).display().to_string()),
            parts_fingerprint: String::new(),
        };
        // Opened again into the same folder: the same run, refreshed (its retries' answers merged again).
        let recorded = self.lock().record_run(&RunId::generate(), &run, true)?;
        let id = match recorded {
            Recorded::New(id) => {
                self.lock().set_run_state(&id, RunState::Ended)?;
                id
            }
            Recorded::Continued(earlier) if earlier.prepared_dir == run.prepared_dir => earlier.id,
            Recorded::Continued(earlier) => {
                return Err(LifecycleError::Blocked {
                    message: format!(
                        "{}: these output lines were opened before as run {}, into {}; open them into that folder \
                         again (--out) to refresh it, or fetch that run",
                        outputs.display(),
                        earlier.id,
                        earlier.prepared_dir.parent().unwrap_or(&earlier.prepared_dir).display()
                    ),
                    remedy: Remedy::FetchRun { run: earlier.id.to_string() },
                });
            }
        };
        let (root, runs) = self.chain(id.as_str())?;
        let mut downloads = self.download_chain(&runs, &outputs_dir).await?;
        downloads.add_local(copied, LOCAL_OUTPUTS);
        let fetched = self.join_chain(&fetch_request(request, &id), (root, runs), downloads, progress)?;
        Ok(OpenJobReport {
            run: id.to_string(),
            job: None,
            input: None,
            opened: Some(opened),
            fetched: Some(fetched),
            warnings: Vec::new(),
        })
    }

    /// Records an opened job's run, its one part as uploaded and the job as created with its status.
    fn record_opened(&self, run: &NewRun, snapshot: &JobSnapshot) -> Result<RunId, LifecycleError> {
        let mut history = self.lock();
        let id = history.create_run(run)?;
        history.intend_upload(&id, 1)?;
        history.complete_upload(&id, 1, "")?;
        let intent = history.intend_job(&id, 1, run.job_name.as_str())?;
        history.record_job_created(&intent.request_token, &snapshot.job_arn)?;
        history.record_job_status(&snapshot.job_arn, &snapshot.status, snapshot.message.as_deref(), snapshot.counts)?;
        let state = if snapshot.status.is_terminal() { RunState::Ended } else { RunState::Running };
        history.set_run_state(&id, state)?;
        Ok(id)
    }
}

/// Opens output lines on disk as a run of `history` with no connection at all (see [`Lifecycle::open_job`]);
/// `request.source` must be [`JobSource::Local`].
pub async fn open_local_job(
    history: &std::sync::Mutex<crate::history::History>,
    request: &OpenJobRequest,
    events: &dyn super::LifecycleEvents,
    progress: &dyn Progress,
) -> Result<OpenJobReport, LifecycleError> {
    let JobSource::Local { outputs, requests } = &request.source else {
        return Err(LifecycleError::Refused("a job of the account is opened with a connection to AWS".into()));
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let none = crate::ports::NoService;
    let lifecycle = Lifecycle::new(history, &none, &none, events, super::Pacing::local(), &cancel);
    lifecycle.open_local(outputs, requests.as_deref(), request, progress).await
}

/// The prepared folder of an opened job, from its request lines (else its outputs).
fn prepare(
    request: &OpenJobRequest,
    requests: Option<PathBuf>,
    outputs: &Path,
    model: Option<ModelId>,
) -> Result<OpenedPlan, LifecycleError> {
    Ok(prepare_opened(&OpenedJobRequest {
        requests,
        outputs: outputs.to_path_buf(),
        sheet: request.sheet.clone(),
        model,
        answer: request.answer.clone(),
        out_dir: request.out_dir.join("prepared"),
        prices: request.prices.clone(),
    })?)
}

/// The fetch an opened run's join stands for.
fn fetch_request(request: &OpenJobRequest, run: &RunId) -> FetchRequest {
    FetchRequest {
        run: run.to_string(),
        out_dir: request.out_dir.clone(),
        input: None,
        into: request.into.clone(),
        excel_safe: request.excel_safe,
        prices: request.prices.clone(),
    }
}

/// Brings local output lines into the run's folder `to` (hard links where the disk allows, else copies), so the
/// run keeps them whatever happens to the downloads; renamed downloads get their `.jsonl.out` ending back, and
/// nothing else (exports, notes) is brought.
fn link_outputs(from: &Path, to: &Path) -> Result<Downloaded, LifecycleError> {
    let failed = |path: &Path, e: std::io::Error| {
        LifecycleError::Refused(format!("{}: cannot bring the output lines into the run ({e})", path.display()))
    };
    if !from.exists() {
        return Err(LifecycleError::Refused(format!(
            "{}: no such file or folder; give the folder (or file) of the job's output lines",
            from.display()
        )));
    }
    let mut files = line_files(from, ".jsonl.out")?;
    if from.is_dir() {
        files.extend(batch_core::results::scan(from).map_err(|e| failed(from, e))?.manifests);
    }
    let _ = std::fs::remove_dir_all(to);
    let mut got = Downloaded::default();
    for source in files {
        let relative = match source.strip_prefix(from) {
            Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
            _ => PathBuf::from(source.file_name().unwrap_or_default()),
        };
        let mut target = to.join(relative);
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !name.ends_with(".jsonl.out") && name != MANIFEST_FILE {
            target.set_file_name(format!("{name}.jsonl.out"));
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
        }
        if std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target).map_err(|e| failed(&target, e))?;
        }
        got.files += 1;
        got.bytes += source.metadata().map(|m| m.len()).unwrap_or(0);
    }
    Ok(got)
}

/// Bytes of an input download are not reported.
struct NoBytes;

impl crate::ports::TransferProgress for NoBytes {
    fn moved(&self, _bytes: u64) {}
}
