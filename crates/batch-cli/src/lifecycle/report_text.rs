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
