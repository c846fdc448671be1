//! `open`: a batch job made elsewhere, from the account or from output lines on disk, opened as a run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::{Result, bail};
use batch_app::lifecycle::{JobSource, JoinedInto, OpenJobReport, OpenJobRequest, open_local_job};
use batch_app::ports::Backend;
use batch_core::model::ModelId;
use batch_core::prepare::{RowKey, SheetJoin};
use batch_core::sheet::SheetOptions;

use super::connect::{SANDBOX_LABEL, connect, open_history, runtime};
use super::event_lines::PRINTER;
use crate::args::{OpenArgs, OutputFormat};
use crate::commands::prices;
use crate::display::{self, print_json};
use crate::progress::TerminalProgress;

/// `open`.
pub fn open(args: OpenArgs) -> Result<ExitCode> {
    let sheet = sheet_join(&args)?;
    let (source, default_out) = match (&args.job, &args.outputs) {
        (Some(job), _) => {
            let id = job.rsplit('/').next().unwrap_or(job);
            (JobSource::Remote(job.clone()), PathBuf::from(format!("opened-{id}")))
        }
        (None, Some(outputs)) => {
            let name = outputs.file_stem().map_or_else(|| "outputs".into(), |n| n.to_string_lossy().into_owned());
            let out = outputs.with_file_name(format!("{name}-opened"));
            (JobSource::Local { outputs: outputs.clone(), requests: args.requests.clone() }, out)
        }
        (None, None) => bail!("give a job (its ARN or id; `bedrock-batch jobs --remote` lists them) or --outputs PATH"),
    };
    let out_dir = args.out.clone().unwrap_or(default_out);
    let request = OpenJobRequest {
        source,
        sheet,
        model: args.model.as_deref().map(ModelId::parse).transpose()?,
        answer: crate::commands::answer_shape(&args.answer)?,
        out_dir,
        into: JoinedInto::Export(args.export.clone()),
        excel_safe: args.excel_safe,
        prices: prices(args.prices.as_deref())?,
        sandbox: args.access.sandbox,
    };
    let history = open_history()?;
    let report = match &request.source {
        JobSource::Local { .. } => {
            runtime()?.block_on(open_local_job(&history, &request, &*PRINTER, &TerminalProgress::new()))?
        }
        JobSource::Remote(_) => runtime()?.block_on(async {
            let connection = connect(&args.access, false, false).await?;
            let cancel = AtomicBool::new(false);
            let lifecycle = connection.lifecycle(&history, &*PRINTER, &cancel);
            anyhow::Ok(lifecycle.open_job(&request, &TerminalProgress::new()).await?)
        })?,
    };
    match args.format {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Text => print_text(&report, args.access.sandbox),
    }
    let mut warnings: Vec<String> = Vec::new();
    let all = report.warnings.iter().chain(report.opened.iter().flat_map(|o| &o.warnings));
    for warning in all.chain(report.fetched.iter().flat_map(|f| &f.summary.warnings)) {
        if !warnings.contains(warning) {
            warnings.push(warning.clone());
        }
    }
    display::print_warnings(&warnings);
    Ok(ExitCode::SUCCESS)
}

/// The sheet to join to, from `--input` with `--id-column` or `--row-number`.
fn sheet_join(args: &OpenArgs) -> Result<Option<SheetJoin>> {
    let Some(path) = &args.input else { return Ok(None) };
    let key = match (&args.id_column, args.row_number) {
        (Some(column), _) => RowKey::Column(column.clone()),
        (None, Some(first)) => RowKey::RowNumber { first },
        (None, None) => bail!(
            "--input {}: say where each row's record id is: --id-column COLUMN, or --row-number 0 (a DataFrame's \
             index) or 1",
            path.display()
        ),
    };
    let options = SheetOptions { sheet: args.sheet.clone(), delimiter: args.delimiter };
    Ok(Some(SheetJoin { path: path.clone(), options, key }))
}

fn print_text(report: &OpenJobReport, sandbox: bool) {
    if sandbox {
        println!("{SANDBOX_LABEL}");
    }
    match &report.job {
        Some(job) => println!(
            "job {} ({}, {}): opened as run {}",
            job.job_name,
            job.status.as_str(),
            job.config.model_id.as_deref().unwrap_or("model not reported"),
            report.run
        ),
        None => println!("output lines opened as run {}", report.run),
    }
    if let Some(opened) = &report.opened {
        print!("{}", display::opened_text(opened));
    }
    match &report.fetched {
        Some(fetched) => {
            print!("{}", display::results_text(&fetched.summary));
            if fetched.summary.failed + fetched.summary.missing > 0 {
                let how = if report.job.is_some() { "" } else { " --on-demand" };
                println!("  `bedrock-batch retry {}{how}` sends the failed and missing records again", report.run);
            }
        }
        None => println!(
            "  the job has not ended: `bedrock-batch status {} --watch` follows it, then `bedrock-batch fetch {}`",
            report.run, report.run
        ),
    }
}
