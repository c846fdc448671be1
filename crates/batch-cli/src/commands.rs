//! The commands that need no AWS (prepare, preview, results, sandbox-outputs, emulator) and the argument-to-request
//! helpers the remote commands share: turn arguments into a library request, run it, print the summary.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use batch_core::answer::AnswerShape;
use batch_core::limits::Limits;
use batch_core::model::{InvocationType, ModelId};
use batch_core::model_catalogue::ModelCatalogue;
use batch_core::model_lifecycle::{LifecycleTable, today};
use batch_core::prepare::{PrepareRequest, PreviewRequest, prepare, preview};
use batch_core::pricing::PriceTable;
use batch_core::records::InferenceParams;
use batch_core::results::{ResultsRequest, join_results};
use batch_core::sandbox_model::{OutputFaults, write_sandbox_outputs};
use batch_core::sheet::SheetOptions;

use crate::args::{
    AnswerArgs, EmulatorArgs, InvocationArg, OutputFormat, PrepareArgs, PreviewArgs, ResultsArgs, SandboxOutputsArgs,
    SheetArgs, TemplateArgs,
};
use crate::display::{self, print_json};
use crate::progress::TerminalProgress;

fn read_text(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the {what} file", path.display()))
}

/// The prompt template's text and the system template's, if given.
fn read_templates(args: &TemplateArgs) -> Result<(String, Option<String>)> {
    let template = read_text(&args.template, "template")?;
    let system = args.system.as_deref().map(|p| read_text(p, "system prompt")).transpose()?;
    Ok((template, system))
}

fn sheet_options(args: &SheetArgs) -> SheetOptions {
    SheetOptions { sheet: args.sheet.clone(), delimiter: args.delimiter }
}

pub(crate) fn prices(path: Option<&Path>) -> Result<PriceTable> {
    Ok(match path {
        Some(path) => PriceTable::from_file(path)?,
        None => PriceTable::bundled(),
    })
}

/// The answer's shape the flags ask for (free text without any).
pub(crate) fn answer_shape(args: &AnswerArgs) -> Result<AnswerShape> {
    Ok(if let Some(labels) = &args.classify {
        AnswerShape::classify(labels, args.multi_label, args.other)?
    } else if !args.extract.is_empty() {
        AnswerShape::extract(&args.extract)?
    } else if let Some(path) = &args.output_schema {
        let text = read_text(path, "answer schema")?;
        AnswerShape::from_json_text(&text).with_context(|| format!("{}", path.display()))?
    } else {
        AnswerShape::FreeText
    })
}

/// The library request for `prepare`'s arguments.
pub(crate) fn prepare_request(args: &PrepareArgs) -> Result<PrepareRequest> {
    let templates = read_templates(&args.templates)?;
    let model = ModelId::parse(&args.model)?;
    // A legacy model is prepared with a warning; one past its end of life only when insisted on.
    if let Some(notice) = LifecycleTable::bundled().check(&model, &today(), args.allow_end_of_life)? {
        eprintln!("WARNING: {notice}");
    }
    // The bundled table may be behind the account's: a profile-only model's own id is warned about, not refused.
    if let Some(problem) = ModelCatalogue::bundled().route_problem(&model) {
        eprintln!("WARNING: {problem}; a job sent to the model's own id may be refused");
    }
    let (input, sheet) = match args.rows.first {
        None => (args.sheet.input.clone(), sheet_options(&args.sheet)),
        Some(count) => {
            // The sample is a sheet of its own, prepared (and later joined) like any.
            let name = args.out.file_name().map_or_else(|| "prepared".into(), |n| n.to_string_lossy().into_owned());
            let copy = args.out.with_file_name(format!("{name}-first-{count}.csv"));
            if let Some(parent) = copy.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("{}: cannot create the folder for the sample", parent.display()))?;
            }
            let selection = batch_app::row_selection::RowSelection::First { count };
            let (input, options, rows) = batch_app::row_selection::select_rows(
                &args.sheet.input,
                &sheet_options(&args.sheet),
                &selection,
                &copy,
            )?;
            eprintln!("the first {rows} rows, copied to {}", input.display());
            (input, options)
        }
    };
    Ok(PrepareRequest {
        input,
        sheet,
        template: templates.0,
        system: templates.1,
        model,
        invocation: args.invocation_type.map(|i| match i {
            InvocationArg::InvokeModel => InvocationType::InvokeModel,
            InvocationArg::Converse => InvocationType::Converse,
        }),
        params: InferenceParams {
            max_tokens: args.max_tokens,
            temperature: args.temperature,
            top_p: args.top_p,
            stop_sequences: args.stop_sequences.clone(),
        },
        answer: answer_shape(&args.answer)?,
        id_column: args.id_column.clone(),
        limits: Limits {
            min_records_per_job: args.limits.min_records,
            max_records_per_file: args.limits.max_records_per_file,
            max_records_per_job: args.limits.max_records_per_job,
            max_file_bytes: args.limits.max_file_bytes,
            max_job_bytes: args.limits.max_job_bytes,
        },
        prices: prices(args.prices.as_deref())?,
        out_dir: args.out.clone(),
    })
}

/// The `prepare` command.
pub(crate) fn run_prepare(args: PrepareArgs) -> Result<ExitCode> {
    let request = prepare_request(&args)?;
    let plan = prepare(&request, &TerminalProgress::new())?;
    match args.format {
        OutputFormat::Json => print_json(&plan)?,
        OutputFormat::Text => print!("{}", display::plan_text(&plan, &args.out)),
    }
    display::print_warnings(&plan.warnings);
    Ok(ExitCode::SUCCESS)
}

/// The `preview` command.
pub(crate) fn run_preview(args: PreviewArgs) -> Result<ExitCode> {
    let templates = read_templates(&args.templates)?;
    let request = PreviewRequest {
        input: args.sheet.input.clone(),
        sheet: sheet_options(&args.sheet),
        template: templates.0,
        system: templates.1,
        row: args.row,
    };
    let shown = preview(&request)?;
    match args.format {
        OutputFormat::Json => print_json(&shown)?,
        OutputFormat::Text => print!("{}", display::preview_text(&shown)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The `results` command.
pub(crate) fn run_results(args: ResultsArgs) -> Result<ExitCode> {
    let overrides = args.sheet.sheet.is_some() || args.sheet.delimiter.is_some();
    let request = ResultsRequest {
        input: args.sheet.input.clone(),
        sheet: overrides.then(|| sheet_options(&args.sheet)),
        prepared: args.prepared,
        outputs: args.outputs,
        export: args.export,
        excel_safe: args.excel_safe,
        prices: prices(args.prices.as_deref())?,
        unfinished_list: None,
        allow_no_outputs: false,
    };
    let summary = join_results(&request, &TerminalProgress::new())?;
    match args.format {
        OutputFormat::Json => print_json(&summary)?,
        OutputFormat::Text => {
            print!("{}", display::results_text(&summary));
            if args.summary {
                print!("{}", display::insights_text(&summary));
            }
        }
    }
    display::print_warnings(&summary.warnings);
    Ok(ExitCode::SUCCESS)
}

/// The `sandbox-outputs` command.
pub(crate) fn run_sandbox_outputs(args: SandboxOutputsArgs) -> Result<ExitCode> {
    let faults = OutputFaults {
        fail_every: args.fail_every,
        drop_every: args.drop_every,
        shuffle: !args.in_order,
        bad_answers: args.bad_answers,
    };
    let jobs = write_sandbox_outputs(&args.prepared, &args.out, faults)?;
    println!(
        "SANDBOX (the sandbox model, no AWS): wrote the outputs of {} job(s) under {}",
        jobs.len(),
        args.out.display()
    );
    for job in &jobs {
        let m = &job.manifest;
        println!(
            "  {}  {} records: {} succeeded, {} failed, {} not processed",
            job.job_id,
            m.total_record_count,
            m.success_record_count,
            m.error_record_count,
            m.total_record_count - m.processed_record_count
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The `emulator` command.
pub(crate) fn run_emulator(args: EmulatorArgs) -> Result<ExitCode> {
    use std::sync::Arc;

    use bedrock_emulator::{ObjectStore, Registry, RegistryConfig, S3Store};

    for address in std::iter::once(&args.listen).chain(args.s3_listen.as_ref()) {
        if !address.ip().is_loopback() {
            eprintln!(
                "WARNING: listening on {address}, which is not a loopback address: the emulator checks no \
                 signatures, so anyone who can reach it can create jobs and read and write its S3 objects. \
                 Use 127.0.0.1 unless every machine that can reach this address is yours."
            );
        }
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut servers = Vec::new();
    let mut s3_note = "; S3 from the AWS environment".to_string();
    let store: Arc<dyn ObjectStore> = match (&args.s3_listen, &args.s3_dir) {
        (Some(listen), Some(dir)) => {
            let disk = Arc::new(
                bedrock_emulator::s3::DiskBuckets::open(dir)
                    .with_context(|| format!("{}: cannot open the S3 emulator's folder", dir.display()))?,
            );
            let s3 = bedrock_emulator::s3::spawn_s3_over(*listen, disk.clone(), Default::default())
                .with_context(|| format!("cannot listen on {listen}"))?;
            s3_note = format!("; S3 emulator on {} (objects under {})", s3.endpoint(), dir.display());
            servers.push(s3);
            disk
        }
        _ => {
            let client = runtime.block_on(S3Store::client_from_env());
            Arc::new(S3Store::new(client, runtime.handle().clone()))
        }
    };
    let config = RegistryConfig {
        region: args.region.clone(),
        max_concurrent_per_model: args.max_concurrent_jobs,
        limits: Limits { min_records_per_job: args.min_records, ..Limits::default() },
        ..RegistryConfig::default()
    };
    let tick = std::time::Duration::from_millis(args.tick_ms.max(1));
    let emulator = bedrock_emulator::spawn(args.listen, Registry::new(config), store, &args.region, tick)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!(
        "SANDBOX: Bedrock batch emulator listening on {} (the sandbox model, no real inference){s3_note}",
        emulator.endpoint()
    );
    // Serve until the process is stopped (Ctrl-C).
    let _servers = servers;
    loop {
        std::thread::park();
    }
}
