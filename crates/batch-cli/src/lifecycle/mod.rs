//! The lifecycle commands: submit, status, stop, fetch, retry, run, sandbox and jobs — each connects (AWS
//! or the offline sandbox), calls the application layer, and prints what happened.

mod connect;
mod estimate;
mod event_lines;
mod model_runs;
mod on_demand;
mod open;
mod report_text;
mod start;

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use anyhow::Result;
use batch_app::history::{History, Recorded, Run};
use batch_app::lifecycle::{
    FetchRequest, JoinedInto, OnDemandRequest, OnDemandRun, RetryRequest, RunReport, SubmitRequest, Until, quote_rows,
    run_report, within_spend_cap,
};
use batch_app::ports::Backend;
use batch_connect::Connection;
use batch_core::model::ModelId;
use batch_core::model_lifecycle::{LifecycleTable, today};
use batch_core::prepare::{Revision, prepare};
use batch_core::service_tier::Tier;
use serde::Serialize;

use crate::args::{FetchArgs, JobsArgs, OutputFormat, RetryArgs, RunArgs, StatusArgs, StopArgs, SubmitArgs};
use crate::commands::{prepare_request, prices};
use crate::display;
use crate::display::print_json;
use crate::progress::TerminalProgress;
use connect::{SANDBOX_LABEL, connect, open_history, runtime};
pub use estimate::estimate;
use event_lines::PRINTER;
pub use open::open;
use report_text::{RunView, print_report, run_text};
use start::start_plan;

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
    Ok(history.lock().unwrap_or_else(std::sync::PoisonError::into_inner).run_of(target)?)
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
                    let label = if run.sandbox { "  [SANDBOX]" } else { "" };
                    println!("{}  {:?}  {}  {}{label}", run.id, run.state, run.created_at, run.job_name);
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let run = find_run(&history, target)?;
    runtime()?.block_on(async {
        if run.tier.is_on_demand() && run.state.is_unfinished() && args.watch {
            let connection = connect(&args.access, run.sandbox, false).await?;
            let sent = on_demand::continue_run(&history, &connection, &run).await?;
            on_demand::print_sent(&sent, args.format)?;
            return Ok(ExitCode::SUCCESS);
        }
        let report = if run.state.is_unfinished() && !run.tier.is_on_demand() {
            let connection = connect(&args.access, run.sandbox, false).await?;
            let cancel = AtomicBool::new(false);
            let lifecycle = connection.lifecycle(&history, &*PRINTER, &cancel);
            let until = if args.watch { Until::Ended } else { Until::Submitted };
            let report = lifecycle.drive(run.id.as_str(), until).await?;
            if let Some(reason) = &report.deadline_stop {
                eprintln!(
                    "the run's jobs were stopped: {reason}; `bedrock-batch fetch {0} --out DIR` takes what they wrote, then `bedrock-batch retry {0} --on-demand` sends the rest",
                    run.id
                );
            }
            report
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
            for run in &resumed.on_demand {
                match on_demand::continue_run(history, &connection, run).await {
                    Ok(sent) if args.format == OutputFormat::Text => on_demand::print_sent(&sent, args.format)?,
                    Ok(_) => {}
                    Err(error) => {
                        broken += 1;
                        eprintln!("error: run {} cannot be continued: {}", run.id, crate::display::error_line(&error));
                    }
                }
            }
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
                    reports.iter().map(|r| RunView { sandbox: r.run.sandbox, report: r }).collect();
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
                println!("{SANDBOX_LABEL}");
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

/// The changes `retry` was asked to make (none: the rows are sent as they were).
fn revision(args: &RetryArgs) -> Result<Revision> {
    let model = args.model.as_deref().map(ModelId::parse).transpose()?;
    if let Some(model) = &model {
        LifecycleTable::bundled().check(model, &today(), false)?;
    }
    let template = match &args.template {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the template; check the path", path.display()))?,
        ),
        None => None,
    };
    Ok(Revision { model, max_tokens: args.max_tokens, template })
}

/// `retry`.
pub fn retry(args: RetryArgs) -> Result<ExitCode> {
    let history = open_history()?;
    let run = find_run(&history, &args.run)?;
    // Rows of the statuses (and field value) asked for, read from the run's fetched outputs; by default the rows not
    // answered in full.
    let only = if args.status.is_empty() && args.field.is_none() {
        None
    } else {
        let fetched = batch_app::fetched_rows::FetchedRun::find(&history, run.id.as_str())?;
        let ids = fetched.record_ids_where(&args.status, args.field.as_ref())?;
        let mut what: Vec<String> = Vec::new();
        if !args.status.is_empty() {
            what.push(args.status.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "));
        }
        if let Some(field) = &args.field {
            what.push(format!("{} {}", field.name, field.value));
        }
        eprintln!("{} rows are {}", ids.len(), what.join(", with "));
        Some(ids)
    };
    let request = RetryRequest { run: run.id.to_string(), only, revision: revision(&args)? };
    if !request.revision.is_empty() {
        eprintln!("the rows are rendered anew with {}", request.revision.describe());
    }
    if args.on_demand.on_demand {
        return on_demand::retry(&args, &history, &request);
    }
    runtime()?.block_on(async {
        let connection = connect(&args.access, run.sandbox, false).await?;
        let cancel = AtomicBool::new(false);
        let lifecycle = connection.lifecycle(&history, &*PRINTER, &cancel);
        if let Some(cap) = args.on_demand.max_cost {
            let quote = lifecycle.quote_retry_of(&request, Tier::Batch, &prices(None)?)?;
            within_spend_cap(&quote.estimate, Some(cap))?;
        }
        let retry = lifecycle.record_retry(&request)?;
        eprintln!("retry run {retry} recorded");
        let until = if args.wait { Until::Ended } else { Until::Submitted };
        let report = lifecycle.drive(retry.as_str(), until).await?;
        print_report(&report, args.format)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `run` and `sandbox`.
pub fn run(args: RunArgs, sandbox: bool) -> Result<ExitCode> {
    if args.compare_with.is_empty() { run_one(args, sandbox) } else { model_runs::run_models(args, sandbox) }
}

/// `run` of one model.
fn run_one(args: RunArgs, sandbox: bool) -> Result<ExitCode> {
    let history = open_history()?;
    let mut access = args.access.clone();
    access.sandbox |= sandbox;
    let format = args.prepare.format;
    runtime()?.block_on(async {
        let connection = connect(&access, false, true).await?;
        let mut prepare_with = prepare_request(&args.prepare)?;
        if args.on_demand.on_demand {
            prepare_with.limits = prepare_with.limits.on_demand();
        }
        let plan = prepare(&prepare_with, &TerminalProgress::new())?;
        eprintln!(
            "prepared {} records in {} part(s) under {}",
            plan.totals.records,
            plan.parts.len(),
            args.prepare.out.display()
        );
        let prices = prices(args.prepare.prices.as_deref())?;
        let out_dir = args.prepare.out.join("results");
        let fetch = |run: String| FetchRequest {
            run,
            out_dir: out_dir.clone(),
            input: None,
            into: JoinedInto::Export(args.export.clone()),
            excel_safe: args.excel_safe,
            prices: prices.clone(),
        };
        if args.on_demand.on_demand {
            let sent = send_on_demand(&history, &connection, &args, &plan, &prices).await?;
            if sent.stopped {
                on_demand::print_sent(&sent, format)?;
                return Ok(ExitCode::FAILURE);
            }
            if format == OutputFormat::Text {
                on_demand::print_sent(&sent, format)?;
            }
            return fetch_and_print(&history, &connection, &fetch(sent.run), format).await;
        }
        let batch = quote_rows(&plan, plan.totals.records, Tier::Batch, &prices);
        within_spend_cap(&batch, args.on_demand.max_cost)?;
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
        let Some(reason) = &report.deadline_stop else {
            return fetch_and_print(&history, &connection, &fetch(report.run.id.to_string()), format).await;
        };
        // The deadline stopped the jobs: take what they wrote, then the rows left go on demand when approved.
        eprintln!("the run's jobs were stopped: {reason}");
        let cancel = AtomicBool::new(false);
        let lifecycle = connection.lifecycle(&history, &*PRINTER, &cancel);
        let run = report.run.id.to_string();
        let fetched = lifecycle.fetch(&fetch(run.clone()), &TerminalProgress::new()).await?;
        if fetched.summary.failed + fetched.summary.missing == 0 {
            return fetch_and_print(&history, &connection, &fetch(run), format).await;
        }
        let model = batch_core::model::ModelId::parse(&report.run.model_id)?;
        let tier = Tier::on_demand_for(&model, None);
        // The spend cap bounds the approved budget too.
        let budget = args.job.fallback_budget.map(|b| args.on_demand.max_cost.map_or(b, |cap| b.min(cap)));
        let fallback = lifecycle.deadline_fallback(&run, tier, &prices, budget)?;
        let what = format!("deadline fallback of run {run}");
        let estimate = &fallback.quote.estimate;
        if !fallback.approved {
            on_demand::price_and_check(&what, &fallback.quote.model, estimate, None)?;
            eprintln!(
                "not sent: {} (`bedrock-batch retry {run} --on-demand` sends them; --fallback-budget approves a cost beforehand)",
                match budget {
                    Some(budget) => format!("the most they can cost is above the approved budget of ${budget:.4}"),
                    None => "no budget was approved beforehand".to_string(),
                }
            );
            return fetch_and_print(&history, &connection, &fetch(run), format).await;
        }
        on_demand::price_and_check(&what, &fallback.quote.model, estimate, budget)?;
        let invoker = Arc::new(connection.invoker(&fallback.quote.model, fallback.quote.invocation, tier));
        let options = on_demand::options(Some(&args.on_demand), &connection, &plan).await;
        let sent = lifecycle.retry_on_demand(&run, invoker, options).await?;
        if format == OutputFormat::Text {
            on_demand::print_sent(&sent, format)?;
        }
        fetch_and_print(&history, &connection, &fetch(run), format).await
    })
}

/// `run --on-demand`: the prepared rows priced on their tier, refused above the cap, recorded as an on-demand run
/// (or the earlier one of the same parts continued) and answered.
async fn send_on_demand(
    history: &Mutex<History>,
    connection: &Connection,
    args: &RunArgs,
    plan: &batch_core::prepare::PreparedPlan,
    prices: &batch_core::pricing::PriceTable,
) -> Result<OnDemandRun> {
    let tier = on_demand::tier_for(&plan.model.id, &args.on_demand);
    let estimate = quote_rows(plan, plan.totals.records, tier, prices);
    on_demand::price_and_check("run", &plan.model.id, &estimate, args.on_demand.max_cost)?;
    let target = batch_app::start_run::RunTarget { job_name: args.job.job_name.clone(), ..Default::default() };
    let job_name = batch_app::start_run::job_name(&target, &args.prepare.sheet.input)?;
    let request = OnDemandRequest {
        prepared_dir: args.prepare.out.clone(),
        job_name,
        tier,
        sandbox: connection.sandbox(),
        retry_of: None,
        new_run: args.job.new_run,
    };
    let cancel = AtomicBool::new(false);
    let lifecycle = connection.lifecycle(history, &*PRINTER, &cancel);
    let run = match lifecycle.record_on_demand(&request)? {
        Recorded::New(run) => {
            eprintln!("run {run} recorded (on demand, {})", tier.as_str());
            run
        }
        Recorded::Continued(run) => {
            eprintln!(
                "continuing run {} (recorded {}): these prepared parts were sent on {} before, so answered rows are \
                 not sent again; pass --new-run to send them all again",
                run.id,
                run.created_at,
                tier.as_str()
            );
            run.id
        }
    };
    let invoker = Arc::new(connection.invoker(&plan.model.id, plan.model.invocation_type, tier));
    let options = on_demand::options(Some(&args.on_demand), connection, plan).await;
    Ok(lifecycle.answer_on_demand(run.as_str(), invoker, options).await?)
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
    sandbox: bool,
}

/// `jobs --remote`: what the service lists, each job marked as this tool's own, opened here, or made elsewhere.
fn remote_jobs(args: &JobsArgs) -> Result<ExitCode> {
    use batch_app::lifecycle::JobOrigin;
    let history = open_history()?;
    runtime()?.block_on(async {
        let connection = connect(&args.access, false, false).await?;
        let filter = batch_app::ports::JobFilter {
            status: args.status.clone().map(batch_core::aws_names::JobStatus::from),
            name_contains: args.name_contains.clone(),
            limit: Some(args.limit.max(1)),
            submitted_after: args.submitted_after.clone(),
            submitted_before: args.submitted_before.clone(),
        };
        let cancel = AtomicBool::new(false);
        let listed = connection.lifecycle(&history, &*PRINTER, &cancel).account_jobs(&filter).await?;
        match args.format {
            OutputFormat::Json => print_json(&listed)?,
            OutputFormat::Text if listed.is_empty() => println!("no jobs"),
            OutputFormat::Text => {
                for listed in &listed {
                    let job = &listed.job;
                    let whose = match (listed.origin, &listed.run) {
                        (JobOrigin::Own, Some(run)) => format!("run {run}"),
                        (JobOrigin::Opened, Some(run)) => format!("opened as {run}"),
                        _ => "made elsewhere: `bedrock-batch open JOB` reads it".to_string(),
                    };
                    let counts = match (job.counts.processed, job.counts.total) {
                        (Some(done), Some(total)) => format!("{done}/{total} records"),
                        _ => "-".to_string(),
                    };
                    println!(
                        "{:<18} {:<28} {:<40} {:<16} {}  {}",
                        job.status.as_str(),
                        job.job_name,
                        job.config.model_id.as_deref().unwrap_or("-"),
                        counts,
                        job.submit_time.as_deref().unwrap_or("-"),
                        job.job_arn.rsplit('/').next().unwrap_or(&job.job_arn),
                    );
                    println!("{:<18} {whose}", "");
                    if let Some(message) = &job.message {
                        println!("{:<18} {message}", "");
                    }
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
            sandbox: sandbox_runs.contains(j.run_id.as_str()),
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
                let label = if v.sandbox { "  [SANDBOX]" } else { "" };
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

/// `compare`.
pub fn compare(args: crate::args::CompareArgs) -> Result<ExitCode> {
    use batch_app::run_comparison::{CompareRequest, compare_runs};
    let history = open_history()?;
    let request = CompareRequest { runs: args.runs, prices: prices(args.prices.as_deref())? };
    let compared = compare_runs(&history, &request)?;
    let exported = match &args.export {
        Some(path) => Some(batch_core::frame::compare::write_disagreements(path, &compared.comparison)?),
        None => None,
    };
    match args.format {
        OutputFormat::Json => print_json(&compared)?,
        OutputFormat::Text => print!("{}", display::comparison_text(&compared)),
    }
    if let (Some(rows), Some(path)) = (exported, &args.export) {
        eprintln!("wrote the {rows} rows where the runs disagree to {}", path.display());
    }
    display::print_warnings(&compared.warnings);
    Ok(ExitCode::SUCCESS)
}
