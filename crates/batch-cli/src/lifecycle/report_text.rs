//! A run's report as printed: text lines per part, or JSON.

use anyhow::Result;
use batch_app::lifecycle::RunReport;
use serde::Serialize;

use super::connect::SANDBOX_LABEL;
use crate::args::OutputFormat;
use crate::display::{self, print_json};

/// A run's report as printed.
#[derive(Serialize)]
pub struct RunView<'a> {
    pub sandbox: bool,
    #[serde(flatten)]
    pub report: &'a RunReport,
}

pub fn print_report(report: &RunReport, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Json => print_json(&RunView { sandbox: report.run.sandbox, report }),
        OutputFormat::Text => {
            print!("{}", run_text(report));
            Ok(())
        }
    }
}

pub fn run_text(report: &RunReport) -> String {
    let run = &report.run;
    let mut out = String::new();
    if run.sandbox {
        out.push_str(&format!("{SANDBOX_LABEL}\n"));
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
    let progress = &report.progress;
    let mut when = Vec::new();
    if progress.queued_jobs > 0 {
        when.push(format!("{} job(s) queued for {}", progress.queued_jobs, display::duration(progress.queued_seconds)));
    } else if progress.queued_seconds > 0 {
        when.push(format!("waited {} in Bedrock's queue", display::duration(progress.queued_seconds)));
    }
    if let Some(eta) = &progress.eta {
        when.push(format!("likely to end about {eta} at its pace so far"));
    }
    if let Some(deadline) = &progress.deadline {
        when.push(format!("deadline {deadline}"));
    }
    if !when.is_empty() {
        out.push_str(&format!("  {}\n", when.join("; ")));
    }
    if let Some(reading) = &progress.backlog {
        out.push_str(&backlog_text(reading));
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

/// The model's backlog as CloudWatch last told it, in a line (or why it could not be read, and the fix).
fn backlog_text(reading: &batch_app::history::BacklogReading) -> String {
    let Some(backlog) = &reading.backlog else {
        let reason = reading.unreadable.as_deref().unwrap_or("no reading");
        let fix = if reason.contains("AccessDenied") {
            "; allow cloudwatch:GetMetricData to see the model's backlog"
        } else {
            ""
        };
        return format!("  Bedrock's batch metrics: not readable ({reason}){fix}\n");
    };
    let count = |v: Option<f64>| v.map(|v| display::thousands(v.round().max(0.0) as u64));
    let mut parts = Vec::new();
    if let Some(records) = count(backlog.records_pending) {
        parts.push(format!("{records} records pending"));
    }
    if let Some(tokens) = count(backlog.tokens_pending) {
        parts.push(format!("{tokens} tokens pending"));
    }
    if let Some(pace) = count(backlog.input_tokens_per_minute) {
        parts.push(format!("{pace} input tokens a minute"));
    }
    let clears = reading.clears_at.as_deref().map_or_else(
        || "no pace yet to tell when it clears".to_string(),
        |at| format!("the backlog clears about {at}"),
    );
    format!(
        "  Bedrock's backlog for this model, all jobs of the account (CloudWatch, {}): {}; {clears}\n",
        reading.read_at,
        parts.join(", ")
    )
}
