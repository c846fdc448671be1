//! The lifecycle commands: submit, status, stop, fetch, retry, run, sandbox and jobs — each builds a
//! connection (AWS or the offline sandbox), calls the application layer, and prints what happened.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use batch_app::history::{History, JobSettings, Recorded, Run, VpcSettings};
use batch_app::lifecycle::{
    Event, FetchRequest, JoinedInto, LifecycleEvents, RetryRequest, RunReport, SubmitRequest, Until, run_report,
};
use batch_app::ports::{Backend, Connector, QuotaSource};
use batch_app::start_run::{AwsOrSandbox, RunTarget, StartError, TargetField, connect_aws_or_sandbox, plan_start};
use batch_aws::connection::Connection;
use batch_aws::environment::AccessOptions;
use batch_connect::Backends;
use batch_core::prepare::prepare;
use serde::Serialize;

use crate::args::{
    AccessArgs, FetchArgs, JobArgs, JobsArgs, OutputFormat, RetryArgs, RunArgs, StatusArgs, StopArgs, SubmitArgs,
};
use crate::commands::{prepare_request, prices};
use crate::display;
use crate::display::print_json;
use crate::progress::TerminalProgress;

/// The label on everything the sandbox produces.
const SIMULATION: &str =
    "SIMULATION (offline sandbox: local S3 stand-in, Bedrock emulator, stand-in model — not real model output)";

/// Prints lifecycle events as lines on stderr, with a byte progress bar for transfers on a terminal.
struct EventLines {
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

/// The one printer of this process (its progress bar is shared by every step).
static PRINTER: std::sync::LazyLock<EventLines> = std::sync::LazyLock::new(|| EventLines { bar: Mutex::new(None) });

impl LifecycleEvents for EventLines {
    fn event(&self, event: &Event) {
        self.print(event);
    }

    fn bytes_moved(&self, bytes: u64) {
        if let Some(bar) = self.bar().as_ref() {
            bar.inc(bytes);
        }
    }
}

impl EventLines {
    fn bar(&self) -> std::sync::MutexGuard<'_, Option<indicatif::ProgressBar>> {
        self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn print(&self, event: &Event) {
        match event {
            Event::UploadStarted { bytes, .. } if std::io::IsTerminal::is_terminal(&std::io::stderr()) => {
                let bar = indicatif::ProgressBar::new(*bytes).with_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar.set_message("uploading");
                *self.bar() = Some(bar);
            }
            Event::Uploaded { .. } | Event::Downloaded { .. } => {
                if let Some(bar) = self.bar().take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
        let line = match event {
            Event::UploadStarted { part, target, bytes } => {
                format!("part {part}: uploading {} to {target}", display::bytes(*bytes))
            }
            Event::Uploaded { part, sent: true } => format!("part {part}: uploaded"),
            Event::Uploaded { part, sent: false } => format!("part {part}: already uploaded"),
            Event::JobCreated { part, job_arn, repeated } => {
                let again = if *repeated { " (found again with its recorded token; no second job)" } else { "" };
                format!("part {part}: job {job_arn}{again}")
            }
            Event::JobStatus { part, status, message, processed, total, .. } => {
                let counts = match (processed, total) {
                    (Some(p), Some(t)) => format!(" {p}/{t} records"),
                    _ => String::new(),
                };
                let why = message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default();
                format!("part {part}: {status}{counts}{why}")
            }
            Event::Waiting { reason, seconds } if *seconds > 0.0 => format!("waiting {seconds:.1} s: {reason}"),
            Event::Waiting { reason, .. } => format!("waiting: {reason}"),
            Event::Downloaded { job_id, files, bytes } => {
                format!("job {job_id}: downloaded {files} file(s), {}", display::bytes(*bytes))
            }
        };
        match self.bar().as_ref() {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Runtime::new().context("cannot start the async runtime")
}

fn open_history() -> Result<Mutex<History>> {
    Ok(Mutex::new(History::open(&History::default_path())?))
}

/// The sandbox's folder, beside the history.
fn sandbox_dir() -> PathBuf {
    History::default_path().parent().map_or_else(|| PathBuf::from("sandbox"), |p| p.join("sandbox"))
}

/// Connects: the sandbox when asked (or when the run is a sandbox run), else AWS — falling back to the
/// sandbox, loudly, when no credentials are found and nothing AWS-specific was asked for.
async fn connect(access: &AccessArgs, sandbox_run: bool, may_fall_back: bool) -> Result<Connection> {
    let pacing = match access.polling {
        crate::args::Polling::Aws => batch_app::lifecycle::Pacing::aws(),
        crate::args::Polling::Emulator => batch_app::lifecycle::Pacing::local(),
    };
    let backends = Backends { pacing };
    if access.sandbox || sandbox_run {
        eprintln!("{SIMULATION}");
        return Ok(backends.sandbox(&sandbox_dir()).await?);
    }
    let options = AccessOptions { profile: access.profile.clone(), region: access.region.clone(), endpoint_url: None };
    match connect_aws_or_sandbox(&backends, &options, may_fall_back).await {
        Ok(AwsOrSandbox::Aws(connection)) => {
            let who = connection.identity().await?;
            eprintln!("AWS account {} as {}", who.account, who.arn);
            Ok(connection)
        }
        Ok(AwsOrSandbox::Sandbox(why)) => {
            eprintln!("{why}: using the offline sandbox");
            eprintln!("{SIMULATION}");
            Ok(backends.sandbox(&sandbox_dir()).await?)
        }
        Err(error) if error.kind == batch_app::ports::FailureKind::NoCredentials => Err(anyhow::anyhow!(
            "{error}; sign in (e.g. `aws sso login --profile NAME`), set AWS_PROFILE, or use --sandbox to try everything offline"
        )),
        Err(error) => Err(error.into()),
    }
}

/// The run target as the flags give it.
fn run_target(job: &JobArgs) -> Result<RunTarget> {
    let vpc = match (job.subnet_ids.is_empty(), job.security_group_ids.is_empty()) {
        (true, true) => None,
        (false, false) => {
            Some(VpcSettings { subnet_ids: job.subnet_ids.clone(), security_group_ids: job.security_group_ids.clone() })
        }
        _ => bail!("a VPC configuration needs both --subnet-id and --security-group-id"),
    };
    Ok(RunTarget {
        role_arn: job.role_arn.clone(),
        input_uri: job.input_uri.clone(),
        output_uri: job.output_uri.clone(),
        job_name: job.job_name.clone(),
        settings: JobSettings {
            timeout_hours: job.timeout_hours,
            tags: job.tags.clone(),
            vpc,
            output_kms_key: job.output_kms_key.clone(),
            ..JobSettings::default()
        },
        max_concurrent_jobs: job.max_concurrent_jobs,
        new_run: job.new_run,
    })
}

/// The flag of a target field.
fn flag(field: TargetField) -> &'static str {
    match field {
        TargetField::RoleArn => "--role-arn",
        TargetField::InputUri => "--input-uri",
        TargetField::OutputUri => "--output-uri",
        TargetField::JobName => "--job-name",
    }
}

/// The start-run use case's plan for `prepared`, its refusals worded with the flags, and what the quotas said
/// printed: where the cap came from, and each part the quotas would refuse.
async fn start_plan(connection: &Connection, prepared: &Path, job: &JobArgs) -> Result<SubmitRequest> {
    let plan = match plan_start(connection, prepared, &run_target(job)?).await {
        Ok(plan) => plan,
        Err(StartError::Missing { field }) => bail!("{} is required when submitting to AWS", flag(field)),
        Err(StartError::Invalid { field, source }) => bail!("{}: {source}", flag(field)),
        Err(other) => return Err(other.into()),
    };
    for part in &plan.outside_quotas {
        eprintln!(
            "WARNING: {} has {} records; this model's jobs take {} to {} (Service Quotas or defaults) — prepare again with --min-records/--max-records-per-file within that range, or expect the job to fail validation",
            part.file, part.records, part.min, part.max
        );
    }
    let cap = plan.request.settings.max_concurrent_jobs;
    if !connection.sandbox() && !plan.cap_asked {
        match &plan.quotas.source {
            QuotaSource::ServiceQuotas { matched } => eprintln!(
                "quotas for {matched} from Service Quotas: up to {} concurrent jobs; using {cap}",
                plan.quotas.max_concurrent_jobs
            ),
            QuotaSource::Defaults { reason } => eprintln!("quotas: defaults ({reason}); using {cap} concurrent jobs"),
        }
    }
    Ok(plan.request)
}

/// A run's report as printed.
#[derive(Serialize)]
struct RunView<'a> {
    simulation: bool,
    #[serde(flatten)]
    report: &'a RunReport,
}

fn print_report(report: &RunReport, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Json => print_json(&RunView { simulation: report.run.sandbox, report }),
        OutputFormat::Text => {
            print!("{}", run_text(report));
            Ok(())
        }
    }
}

fn run_text(report: &RunReport) -> String {
    let run = &report.run;
    let mut out = String::new();
    if run.sandbox {
        out.push_str(&format!("{SIMULATION}\n"));
    }
    out.push_str(&format!("run {}  {:?}  {}  model {}\n", run.id, run.state, run.created_at, run.model_id));
    for part in &report.parts {
        let job = report.jobs.iter().find(|j| j.part == part.part);
        let status = job.and_then(|j| j.status.as_ref()).map_or("not submitted", |s| s.as_str());
        let counts = job
            .and_then(|j| j.processed_records.zip(j.total_records))
            .map(|(p, t)| format!("  {p}/{t} records"))
            .unwrap_or_default();
        let arn = job.and_then(|j| j.job_arn.as_deref()).unwrap_or("-");
        out.push_str(&format!("  part {:>3}  {:<18} {}{counts}\n", part.part, status, arn));
        if let Some(message) = job.and_then(|j| j.message.as_deref()) {
            out.push_str(&format!("            {message}\n"));
        }
    }
    if report.waiting_parts > 0 {
        out.push_str(&format!(
            "  {} part(s) wait for a free job slot; `bedrock-batch status {} --watch` submits them as jobs end\n",
            report.waiting_parts, run.id
        ));
    }
    if let Some(dir) = &run.results_dir {
        out.push_str(&format!("  results in {}\n", dir.display()));
    }
    out
}

/// `submit`.
pub fn submit(args: SubmitArgs) -> Result<ExitCode> {
    let history = open_history()?;
    runtime()?.block_on(async {
        let connection = connect(&args.access, false, true).await?;
        let request = start_plan(&connection, &args.prepared, &args.job).await?;
        let report = drive_new(&history, &connection, &request, args.wait).await?;
        print_report(&report, args.format)?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn drive_new(
    history: &Mutex<History>,
    connection: &Connection,
    request: &SubmitRequest,
    wait: bool,
) -> Result<RunReport> {
    let cancel = AtomicBool::new(false);
    let lifecycle = connection.lifecycle(history, &*PRINTER, &cancel);
    let run = match lifecycle.record_run(request)? {
        Recorded::New(run) => {
            eprintln!("run {run} recorded");
            run
        }
        Recorded::Continued(run) => {
            eprintln!(
                "continuing run {} ({}, recorded {}): these prepared parts were submitted to this target before, \
                 so no part gets a second job; pass --new-run to submit them again as a new run",
                run.id, run.job_name, run.created_at
            );
            run.id
        }
    };
    let until = if wait { Until::Ended } else { Until::Submitted };
    Ok(lifecycle.drive(run.as_str(), until).await?)
}

/// The run a target names (a run id, or a job ARN or id).
fn find_run(history: &Mutex<History>, target: &str) -> Result<Run> {
    let history = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Ok(run) = history.run(target) {
        return Ok(run);
    }
    let job = history.job(target)?;
    Ok(history.run(job.run_id.as_str())?)
}

/// `status`.
pub fn status(args: StatusArgs) -> Result<ExitCode> {
    let history = open_history()?;
    let Some(target) = &args.target else {
        if args.watch {
            return resume_all(&history, &args);
        }
        let runs = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner).runs()?;
        match args.format {
            OutputFormat::Json => print_json(&runs)?,
            OutputFormat::Text if runs.is_empty() => {
                println!("no runs yet; `bedrock-batch submit` or `bedrock-batch sandbox` starts one")
            }
            OutputFormat::Text => {
                for run in runs {
                    let label = if run.sandbox { "  [SIMULATION]" } else { "" };
                    println!("{}  {:?}  {}  {}{label}", run.id, run.state, run.created_at, run.job_name);
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let run = find_run(&history, target)?;
    runtime()?.block_on(async {
        let report = if run.state.is_unfinished() {
            let connection = connect(&args.access, run.sandbox, false).await?;
            let cancel = AtomicBool::new(false);
            let lifecycle = connection.lifecycle(&history, &*PRINTER, &cancel);
            let until = if args.watch { Until::Ended } else { Until::Submitted };
            lifecycle.drive(run.id.as_str(), until).await?
        } else {
            run_report(&history.lock().unwrap_or_else(std::sync::PoisonError::into_inner), run.id.as_str())?
        };
        print_report(&report, args.format)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `status --watch` without a run: every unfinished run (uploads, waiting parts, running jobs) is taken up
/// again and followed to its end — what to run after a crash or a reboot.
fn resume_all(history: &Mutex<History>, args: &StatusArgs) -> Result<ExitCode> {
    let unfinished = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner).unfinished_runs()?;
    if unfinished.is_empty() {
        println!("no unfinished runs");
        return Ok(ExitCode::SUCCESS);
    }
    runtime()?.block_on(async {
        let mut reports = Vec::new();
        let mut broken = 0;
        for sandbox in [false, true] {
            if !unfinished.iter().any(|r| r.sandbox == sandbox) {
                continue;
            }
            let connection = connect(&args.access, sandbox, false).await?;
            let cancel = AtomicBool::new(false);
            let lifecycle = connection.lifecycle(history, &*PRINTER, &cancel);
            let resumed = lifecycle.resume(sandbox, Until::Ended).await?;
            reports.extend(resumed.reports);
            for (run, error) in resumed.broken {
                broken += 1;
                eprintln!(
                    "error: run {run} cannot be followed: {}",
                    crate::display::error_line(&anyhow::Error::from(error))
                );
            }
        }
        match args.format {
            OutputFormat::Json => {
                let views: Vec<RunView<'_>> =
                    reports.iter().map(|r| RunView { simulation: r.run.sandbox, report: r }).collect();
                print_json(&views)?;
            }
            OutputFormat::Text => reports.iter().for_each(|r| print!("{}", run_text(r))),
        }
        if broken > 0 {
            eprintln!(
                "{broken} run(s) could not be followed (see above); the others were followed to their end. \
                 `bedrock-batch status RUN` shows one; a job the service does not know was often submitted in \
                 another region or account (--region, --profile)"
            );
            return Ok(ExitCode::FAILURE);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `stop`.
pub fn stop(args: StopArgs) -> Result<ExitCode> {
    let history = open_history()?;
    let run = find_run(&history, &args.job)?;
    runtime()?.block_on(async {
        let connection = connect(&args.access, run.sandbox, false).await?;
        let cancel = AtomicBool::new(false);
        let lifecycle = connection.lifecycle(&history, &*PRINTER, &cancel);
        if run.id.as_str() == args.job {
            let stopped = lifecycle.stop_run(&args.job).await?;
            println!(
                "{}: stopped ({stopped} running jobs stopped; parts not yet submitted never will be); \
                 `bedrock-batch status {} --watch` follows it to its end, then fetch it",
                run.id, run.id
            );
            return Ok(ExitCode::SUCCESS);
        }
        let job = lifecycle.stop(&args.job).await?;
        println!(
            "{}: {}",
            job.job_arn.as_deref().unwrap_or(&args.job),
            job.status.as_ref().map_or("unknown", |s| s.as_str())
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `fetch`.
pub fn fetch(args: FetchArgs) -> Result<ExitCode> {
    let history = open_history()?;
    let run = find_run(&history, &args.run)?;
    runtime()?.block_on(async {
        let connection = connect(&args.access, run.sandbox, false).await?;
        let request = FetchRequest {
            run: run.id.to_string(),
            out_dir: args.out.clone(),
            input: args.input.clone(),
            into: JoinedInto::Export(args.export.clone()),
            excel_safe: args.excel_safe,
            prices: prices(args.prices.as_deref())?,
        };
        fetch_and_print(&history, &connection, &request, args.format).await
    })
}

async fn fetch_and_print(
    history: &Mutex<History>,
    connection: &Connection,
    request: &FetchRequest,
    format: OutputFormat,
) -> Result<ExitCode> {
    let cancel = AtomicBool::new(false);
    let lifecycle = connection.lifecycle(history, &*PRINTER, &cancel);
    let report = lifecycle.fetch(request, &TerminalProgress::new()).await?;
    match format {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Text => {
            if report.sandbox {
                println!("{SIMULATION}");
            }
            println!(
                "run {}: {} job(s), {} file(s) downloaded to {}",
                report.run,
                report.jobs,
                report.downloaded.files,
                report.outputs_dir.display()
            );
            print!("{}", display::results_text(&report.summary));
            if report.summary.failed + report.summary.missing > 0 {
                println!("  `bedrock-batch retry {}` submits the failed and missing rows again", report.run);
            }
        }
    }
    display::print_warnings(&report.summary.warnings);
    Ok(ExitCode::SUCCESS)
}

/// `retry`.
pub fn retry(args: RetryArgs) -> Result<ExitCode> {
    let history = open_history()?;
    let run = find_run(&history, &args.run)?;
    runtime()?.block_on(async {
        let connection = connect(&args.access, run.sandbox, false).await?;
        let cancel = AtomicBool::new(false);
        let lifecycle = connection.lifecycle(&history, &*PRINTER, &cancel);
        let retry = lifecycle.record_retry(&RetryRequest { run: run.id.to_string() })?;
        eprintln!("retry run {retry} recorded");
        let until = if args.wait { Until::Ended } else { Until::Submitted };
        let report = lifecycle.drive(retry.as_str(), until).await?;
        print_report(&report, args.format)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `run` and `sandbox`.
pub fn run(args: RunArgs, sandbox: bool) -> Result<ExitCode> {
    let history = open_history()?;
    let mut access = args.access.clone();
    access.sandbox |= sandbox;
    let format = args.prepare.format;
    runtime()?.block_on(async {
        let connection = connect(&access, false, true).await?;
        let plan = prepare(&prepare_request(&args.prepare)?, &TerminalProgress::new())?;
        eprintln!(
            "prepared {} records in {} part(s) under {}",
            plan.totals.records,
            plan.parts.len(),
            args.prepare.out.display()
        );
        let request = start_plan(&connection, &args.prepare.out, &args.job).await?;
        let wait = args.wait || sandbox;
        let report = drive_new(&history, &connection, &request, wait).await?;
        if !wait {
            print_report(&report, format)?;
            return Ok(ExitCode::SUCCESS);
        }
        if format == OutputFormat::Text {
            print!("{}", run_text(&report));
        }
        let out_dir = args.prepare.out.join("results");
        let fetch = FetchRequest {
            run: report.run.id.to_string(),
            out_dir: out_dir.clone(),
            input: None,
            into: JoinedInto::Export(args.export.clone()),
            excel_safe: args.excel_safe,
            prices: prices(args.prepare.prices.as_deref())?,
        };
        fetch_and_print(&history, &connection, &fetch, format).await
    })
}

/// A job as `jobs` prints it.
#[derive(Serialize)]
struct JobView {
    job_arn: Option<String>,
    job_name: String,
    status: Option<String>,
    run_id: String,
    part: usize,
    submitted_at: Option<String>,
    processed_records: Option<u64>,
    total_records: Option<u64>,
    message: Option<String>,
    simulation: bool,
}

/// `jobs --remote`: what the service lists.
fn remote_jobs(args: &JobsArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let connection = connect(&args.access, false, false).await?;
        let filter = batch_app::ports::JobFilter {
            status: args.status.clone().map(batch_core::aws_names::JobStatus::from),
            name_contains: args.name_contains.clone(),
            limit: Some(args.limit.max(1)),
        };
        let listed = batch_app::ports::JobsApi::list(connection.jobs(), &filter).await?;
        match args.format {
            OutputFormat::Json => print_json(&listed)?,
            OutputFormat::Text if listed.is_empty() => println!("no jobs"),
            OutputFormat::Text => {
                for job in &listed {
                    let when = job.submit_time.as_deref().unwrap_or("-");
                    println!("{:<18} {:<24} {when}  {}", job.status.as_str(), job.job_name, job.job_arn);
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `jobs`.
pub fn jobs(args: JobsArgs) -> Result<ExitCode> {
    if args.remote {
        return remote_jobs(&args);
    }
    let history = open_history()?;
    let history = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let sandbox_runs: std::collections::HashSet<String> =
        history.runs()?.into_iter().filter(|r| r.sandbox).map(|r| r.id.to_string()).collect();
    let views: Vec<JobView> = history
        .jobs()?
        .into_iter()
        .map(|j| JobView {
            simulation: sandbox_runs.contains(j.run_id.as_str()),
            job_arn: j.job_arn,
            job_name: j.job_name,
            status: j.status.map(|s| s.as_str().to_string()),
            run_id: j.run_id.to_string(),
            part: j.part,
            submitted_at: j.submitted_at,
            processed_records: j.processed_records,
            total_records: j.total_records,
            message: j.message,
        })
        .collect();
    match args.format {
        OutputFormat::Json => print_json(&views)?,
        OutputFormat::Text if views.is_empty() => println!("no jobs yet"),
        OutputFormat::Text => {
            for v in &views {
                let label = if v.simulation { "  [SIMULATION]" } else { "" };
                println!(
                    "{:<14} {:<24} {}  {}{label}",
                    v.status.as_deref().unwrap_or("creating"),
                    v.job_name,
                    v.job_arn.as_deref().unwrap_or("-"),
                    v.run_id
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
