//! Command-line arguments.

use std::path::PathBuf;

use batch_core::limits::Limits;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run Amazon Bedrock batch inference on a spreadsheet: one prompt per row, results joined back by recordId.
#[derive(Debug, Parser)]
#[command(name = "bedrock-batch", version, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// The step to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The steps.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one prompt per row and write Bedrock batch JSONL parts, plan.json and records.csv.
    Prepare(PrepareArgs),
    /// Show the rendered prompt of one row and token estimates for the sheet.
    Preview(PreviewArgs),
    /// Join downloaded job outputs to the sheet's rows by recordId and export them.
    Results(ResultsArgs),
    /// Open any batch job, whoever made it (a notebook, the console, a pipeline) — from the account by its id, or
    /// its output lines on disk — as a run: a row per record (its own record id, prompt, answer, status, error and
    /// tokens), joined to a sheet if given, exported; `fetch`, `retry` and the window then serve it.
    Open(OpenArgs),
    /// SANDBOX: write the output files a batch job would, answered by the deterministic sandbox model
    /// (no AWS, no real model) — to try `results` offline.
    #[command(name = "sandbox-outputs", alias = "simulate")]
    SandboxOutputs(SandboxOutputsArgs),
    /// SANDBOX: serve the Bedrock batch-job API on ADDR, running jobs with the sandbox model; input and
    /// output live in the S3 that the standard AWS environment points at (e.g. AWS_ENDPOINT_URL_S3).
    Emulator(EmulatorArgs),
    /// Upload a prepared folder and create its Bedrock batch jobs (under the concurrent-job cap).
    Submit(SubmitArgs),
    /// Show runs and jobs from the local history (a run's jobs are asked for their latest status).
    Status(StatusArgs),
    /// Stop a job, or a whole run (its running jobs, and no more parts).
    Stop(StopArgs),
    /// Download a run's outputs (its retries' included) and join them to the sheet's rows.
    Fetch(FetchArgs),
    /// Submit the failed and missing rows of a fetched run as a follow-up run.
    Retry(RetryArgs),
    /// Prepare, upload and submit in one step; with --wait also follow the jobs, fetch and export.
    Run(RunArgs),
    /// What a prepared run will cost, measured: CountTokens on a sample, answers' length, each tier's cost.
    Estimate(EstimateArgs),
    /// List the jobs in the local history (or, with --remote, those Bedrock has).
    Jobs(JobsArgs),
    /// Compare fetched runs over the same rows: per answer field the agreement, a confusion matrix of labels,
    /// the rows where they disagree; tokens and cost per run.
    Compare(CompareArgs),
    /// Check the IAM access a batch job needs (service role trust and S3 access, your PassRole and job
    /// permissions), or print and create the policies that grant it.
    #[command(subcommand)]
    Iam(IamCommand),
    /// SANDBOX: the whole flow offline (prepare, upload, jobs, results) against a local S3 emulator and
    /// the Bedrock emulator, answered by the sandbox model.
    Sandbox(RunArgs),
}

/// Where AWS calls go.
#[derive(Debug, Args, Clone)]
pub struct AccessArgs {
    /// AWS profile (default: AWS_PROFILE or the default profile; SSO and credential_process work).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: the profile's or AWS_REGION).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Run offline against the local sandbox (also chosen when no AWS credentials are found).
    #[arg(long)]
    pub sandbox: bool,
    /// How often to ask about jobs: `aws` (from 15 s, backing off to 5 min) or `emulator` (milliseconds, for
    /// `bedrock-batch emulator` or another local emulator reached through AWS_ENDPOINT_URL_*).
    #[arg(long, value_enum, env = "BEDROCK_BATCH_POLLING", default_value_t = Polling::Aws)]
    pub polling: Polling,
}

/// Poll and retry timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Polling {
    /// Real Bedrock: jobs take minutes to hours.
    Aws,
    /// A local emulator: everything in milliseconds.
    Emulator,
}

/// Where the parts go and how the jobs are made.
#[derive(Debug, Args, Clone)]
pub struct JobArgs {
    /// The service role Bedrock assumes (sandbox: a sandbox role).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Input prefix; each run's parts go under <prefix>/<run id>/ (sandbox: s3://sandbox-input/batch).
    #[arg(long, value_name = "S3_URI")]
    pub input_uri: Option<String>,
    /// Output prefix; each job writes <prefix>/<job id>/ (sandbox: s3://sandbox-output/results).
    #[arg(long, value_name = "S3_URI")]
    pub output_uri: Option<String>,
    /// Job name (default: the sheet's name and the time, to the second); parts get -001, -002, …
    #[arg(long, value_name = "NAME")]
    pub job_name: Option<String>,
    /// Hours before an unfinished job expires, 24–168.
    #[arg(long, default_value_t = 24, value_name = "H")]
    pub timeout_hours: u32,
    /// A tag on every job (repeatable).
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,
    /// Submitted plus in-progress jobs of this model at once (default: the account's quota, at most 10).
    #[arg(long, value_name = "N")]
    pub max_concurrent_jobs: Option<usize>,
    /// VPC subnet for the job's S3 access (repeatable; needs --security-group-id).
    #[arg(long = "subnet-id", value_name = "ID")]
    pub subnet_ids: Vec<String>,
    /// VPC security group (repeatable; needs --subnet-id).
    #[arg(long = "security-group-id", value_name = "ID")]
    pub security_group_ids: Vec<String>,
    /// KMS key that encrypts the output.
    #[arg(long, value_name = "KEY")]
    pub output_kms_key: Option<String>,
    /// Submit as a new run even when these prepared parts were submitted to this target before (by default
    /// that run is continued: no second job for any part).
    #[arg(long)]
    pub new_run: bool,
    /// Finish by: a time of day (18:00, local), a delay (+6h) or a date and time (2026-12-03T18:00:00Z). Jobs
    /// not ended by then are stopped, their written records kept, and the rows left sent on demand (see
    /// --fallback-budget).
    #[arg(long, value_name = "WHEN")]
    pub deadline: Option<String>,
    /// Stop a job that waits in Bedrock's queue (Submitted, Validating, Scheduled) longer than this (90m, 6h),
    /// as at the deadline.
    #[arg(long, value_name = "DURATION")]
    pub max_queue: Option<String>,
    /// After a deadline (or queue limit) stopped the jobs: send the rows left on demand at once when the most
    /// they can cost is within this many US dollars; otherwise the cost is printed with the command that sends them.
    #[arg(long, value_name = "USD")]
    pub fallback_budget: Option<f64>,
}

/// Arguments of `submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The folder `prepare` wrote.
    #[arg(long, value_name = "DIR")]
    pub prepared: PathBuf,
    #[command(flatten)]
    pub job: JobArgs,
    /// Follow the jobs until they end.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Summary format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// A run id, or a job ARN or id (default: every run).
    pub target: Option<String>,
    /// Keep following until the run's jobs end (submitting waiting parts as slots free); without a run,
    /// take up every unfinished run (after a crash or a reboot) and follow each to its end.
    #[arg(long)]
    pub watch: bool,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `stop`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// A job's ARN or id, or a run id (every job of the run, and no more parts).
    pub job: String,
    #[command(flatten)]
    pub access: AccessArgs,
}

/// Arguments of `fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The run id.
    pub run: String,
    /// Folder for the outputs, the export and the list of unfinished rows.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The sheet, if it moved since prepare.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Export file: .csv, .xlsx, .parquet or .jsonl (default: <out>/results.csv).
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// CSV: prefix ' to cells (headers included) starting with = + - @, tab or CR, so spreadsheets do not run
    /// them as formulas.
    #[arg(long)]
    pub excel_safe: bool,
    /// Price table replacing the bundled one (for the measured cost).
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Summary format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `estimate`.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// The folder `prepare` wrote.
    #[arg(long, value_name = "DIR")]
    pub prepared: PathBuf,
    /// Records counted with the model's CountTokens (free; spread over the prompts' lengths).
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub sample: usize,
    /// Also answer N records on demand (billed at the on-demand price) to measure how long the answers are.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub test_rows: usize,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `retry`.
#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The run id (fetched first).
    pub run: String,
    /// Retry the rows with these statuses (comma-separated: succeeded, failed, missing, invalid, truncated,
    /// empty) instead of every row not answered in full.
    #[arg(long, value_name = "STATUSES", value_delimiter = ',', value_parser = parse_status)]
    pub status: Vec<batch_core::results::Status>,
    /// Retry the rows whose answer field has this value, FIELD=VALUE (a list field: holds it), e.g. label=bug;
    /// with --status, the rows of both.
    #[arg(long = "where", value_name = "FIELD=VALUE", value_parser = parse_field_value)]
    pub field: Option<batch_app::results_table::FieldValue>,
    /// Send the rows to this model (or inference profile) instead of the run's; their answers join into the
    /// same rows and columns.
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
    /// Most tokens generated per record, instead of the run's (e.g. more for truncated answers).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_tokens: Option<u32>,
    /// Render the rows with this prompt template instead of the run's (same sheet, same columns).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Follow the retry's jobs until they end.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub on_demand: OnDemandArgs,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Summary format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// The on-demand tier asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServiceTierArg {
    /// Full on-demand price.
    Standard,
    /// Discounted and slower; only some models offer it (Standard is used for the others).
    Flex,
}

/// How rows are sent on demand, and the most they may cost.
#[derive(Debug, Clone, Args)]
pub struct OnDemandArgs {
    /// Send the rows with on-demand calls instead of a batch job: no minimum of records and no queue, at the
    /// on-demand price (Flex where the model offers it). The rows and their cost are printed before sending.
    #[arg(long)]
    pub on_demand: bool,
    /// With --on-demand: the service tier (default: Flex where the model offers it, else Standard).
    #[arg(long, value_enum, requires = "on_demand")]
    pub service_tier: Option<ServiceTierArg>,
    /// On-demand calls (--on-demand, or a deadline's fallback): the most requests a minute (default 100 on AWS;
    /// lowered further while throttled).
    #[arg(long)]
    pub requests_per_minute: Option<f64>,
    /// On-demand calls: the most tokens a minute (each record's input estimate plus its answer budget), instead
    /// of the account's quota.
    #[arg(long)]
    pub tokens_per_minute: Option<f64>,
    /// On-demand calls: calls in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Refuse to send anything when the most the rows can cost (every answer at its maximum of tokens) is above
    /// this many US dollars.
    #[arg(long, value_name = "USD")]
    pub max_cost: Option<f64>,
}

/// Arguments of `run` and `sandbox`.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub prepare: PrepareArgs,
    #[command(flatten)]
    pub job: JobArgs,
    #[command(flatten)]
    pub on_demand: OnDemandArgs,
    /// Follow the jobs until they end, then fetch and export (always on for `sandbox`).
    #[arg(long)]
    pub wait: bool,
    /// With --wait: the export file (default: <out>/results/results.csv).
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Also send the same rows to this model, a run each (repeatable), and compare their answers once all are
    /// fetched (needs --classify, --extract or --output-schema). Each model's folder is <out>/<model>.
    #[arg(long, value_name = "ID")]
    pub compare_with: Vec<String>,
    /// CSV: prefix ' to cells (headers included) starting with = + - @, tab or CR, so spreadsheets do not run
    /// them as formulas.
    #[arg(long)]
    pub excel_safe: bool,
    #[command(flatten)]
    pub access: AccessArgs,
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more run ids (fetched runs whose answers have fields); the first is the reference.
    #[arg(required = true, num_args = 2.., value_name = "RUN")]
    pub runs: Vec<String>,
    /// Write the rows where the runs disagree to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Price table replacing the bundled one (for each run's cost).
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `jobs`.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// List the jobs Bedrock has (ListModelInvocationJobs, newest first) instead of the local history.
    #[arg(long)]
    pub remote: bool,
    /// With --remote: only jobs with this status (e.g. InProgress, Failed).
    #[arg(long, value_name = "STATUS", requires = "remote")]
    pub status: Option<String>,
    /// With --remote: only jobs whose name contains this.
    #[arg(long, value_name = "TEXT", requires = "remote")]
    pub name_contains: Option<String>,
    /// With --remote: at most this many jobs.
    #[arg(long, default_value_t = 100, value_name = "N", requires = "remote")]
    pub limit: usize,
    /// With --remote: only jobs submitted at or after this time (RFC 3339, e.g. 2026-11-01T00:00:00Z).
    #[arg(long, value_name = "TIME", requires = "remote")]
    pub submitted_after: Option<String>,
    /// With --remote: only jobs submitted before this time (RFC 3339).
    #[arg(long, value_name = "TIME", requires = "remote")]
    pub submitted_before: Option<String>,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Parses `--where FIELD=VALUE`.
fn parse_field_value(text: &str) -> Result<batch_app::results_table::FieldValue, String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok(batch_app::results_table::FieldValue { name: name.trim().to_string(), value: value.to_string() })
        }
        _ => Err(format!("{text:?} is not FIELD=VALUE; write it as label=bug")),
    }
}

/// Parses `--tag KEY=VALUE`.
pub fn parse_tag(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() && key.len() <= 128 && value.len() <= 256 => {
            Ok((key.to_string(), value.to_string()))
        }
        _ => Err(format!("\"{raw}\" is not a tag; write KEY=VALUE (key 1–128 characters, value up to 256)")),
    }
}

/// Arguments of `emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 picks a free one). It checks no signatures: keep it on loopback.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Region in job ARNs.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// How often jobs advance one status, in milliseconds.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub tick_ms: u64,
    /// Submitted plus in-progress jobs allowed per model (AWS's default quota).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub max_concurrent_jobs: usize,
    /// Fewest records a job accepts (the emulated quota).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub min_records: u64,
    /// Also serve an S3 emulator on this address (loopback, e.g. 127.0.0.1:0), storing objects under --s3-dir
    /// (the worker then uses it instead of the S3 of the AWS environment).
    #[arg(long, value_name = "ADDR", requires = "s3_dir")]
    pub s3_listen: Option<std::net::SocketAddr>,
    /// Folder of the S3 emulator's buckets.
    #[arg(long, value_name = "DIR", requires = "s3_listen")]
    pub s3_dir: Option<PathBuf>,
}

/// Arguments of `sandbox-outputs`.
#[derive(Debug, Args)]
pub struct SandboxOutputsArgs {
    /// The folder `prepare` wrote.
    #[arg(long, value_name = "DIR")]
    pub prepared: PathBuf,
    /// Where to write `<jobId>/<part>.jsonl.out` and `manifest.json.out`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Make every N-th record of each job fail.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub fail_every: Option<u64>,
    /// Leave out every N-th record of each job (as if not processed).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_every: Option<u64>,
    /// Write output lines in input order (by default they are scrambled, as Bedrock does not keep order).
    #[arg(long)]
    pub in_order: bool,
    /// Spoil some answers as real models sometimes do: every 11th cut off at the token limit, every other 7th
    /// prose instead of the JSON asked for.
    #[arg(long)]
    pub bad_answers: bool,
}

/// Output format of the printed summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// Readable text.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// How Bedrock calls the model for each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InvocationArg {
    /// The model's native request body.
    InvokeModel,
    /// The Converse API request body.
    Converse,
}

/// Where rows come from.
#[derive(Debug, Args, Clone)]
pub struct SheetArgs {
    /// The sheet: .csv/.tsv/.txt, .xlsx, .xls, .ods, .parquet or .jsonl.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Worksheet of a workbook (default: the first sheet with data).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// CSV delimiter: a character, or comma, semicolon, tab, pipe (default: sniffed).
    #[arg(long, value_name = "C", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

/// Which of the sheet's rows are sent.
#[derive(Debug, Args, Clone)]
pub struct RowArgs {
    /// Send only the first N rows of the sheet (a sample); they are copied beside the output folder
    /// (<out>-first-N.csv) and prepared from there.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub first: Option<u64>,
}

/// The prompt templates.
#[derive(Debug, Args, Clone)]
pub struct TemplateArgs {
    /// Prompt template with {{column}} placeholders.
    #[arg(long, value_name = "FILE")]
    pub template: PathBuf,
    /// System-prompt template.
    #[arg(long, value_name = "FILE")]
    pub system: Option<PathBuf>,
}

/// Arguments of `prepare`.
#[derive(Debug, Args, Clone)]
pub struct PrepareArgs {
    #[command(flatten)]
    pub sheet: SheetArgs,
    #[command(flatten)]
    pub rows: RowArgs,
    #[command(flatten)]
    pub templates: TemplateArgs,
    /// Model id or inference profile id (e.g. us.anthropic.claude-haiku-4-5-20251001-v1:0).
    #[arg(long, value_name = "ID")]
    pub model: String,
    /// Request body format (default: converse for chat models, invoke-model for embeddings).
    #[arg(long, value_enum)]
    pub invocation_type: Option<InvocationArg>,
    /// Prepare for a model past its end of life anyway (Bedrock no longer serves it; for an extension AWS granted).
    #[arg(long)]
    pub allow_end_of_life: bool,
    /// Most tokens generated per record.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub max_tokens: u32,
    /// Sampling temperature, 0–1.
    #[arg(long, value_name = "T")]
    pub temperature: Option<f64>,
    /// Nucleus sampling, 0–1.
    #[arg(long, value_name = "P")]
    pub top_p: Option<f64>,
    /// A stop sequence (repeatable).
    #[arg(long = "stop", value_name = "TEXT")]
    pub stop_sequences: Vec<String>,
    #[command(flatten)]
    pub answer: AnswerArgs,
    /// A column that identifies rows; kept beside each recordId in records.csv.
    #[arg(long, value_name = "COL")]
    pub id_column: Option<String>,
    /// Output folder for the parts, plan.json and records.csv.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Price table replacing the bundled one (same JSON format).
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Summary format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// The answer's shape (default: free text).
#[derive(Debug, Args, Clone)]
pub struct AnswerArgs {
    /// Answer with one of these labels, comma-separated (e.g. billing,shipping,other).
    #[arg(long, value_name = "LABELS", conflicts_with_all = ["extract", "output_schema"])]
    pub classify: Option<String>,
    /// With --classify: every label that fits, not just one.
    #[arg(long, requires = "classify")]
    pub multi_label: bool,
    /// With --classify: allow "other" when no label fits.
    #[arg(long, requires = "classify")]
    pub other: bool,
    /// Answer with this field, `name:type[:description]`, type text, number, integer, boolean, date, list or
    /// one-of(a|b|c) (repeatable; each field becomes a column).
    #[arg(long, value_name = "FIELD", conflicts_with = "output_schema")]
    pub extract: Vec<String>,
    /// Answer as this JSON Schema file describes (an object; its properties become columns).
    #[arg(long, value_name = "FILE")]
    pub output_schema: Option<PathBuf>,
}

/// Job limits (defaults: AWS's default quotas, batch_core::limits::Limits::default()).
#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// Fewest records one job accepts.
    #[arg(long, default_value_t = Limits::default().min_records_per_job, value_name = "N")]
    pub min_records: u64,
    /// Most records per input file.
    #[arg(long, default_value_t = Limits::default().max_records_per_file, value_name = "N")]
    pub max_records_per_file: u64,
    /// Most records per job.
    #[arg(long, default_value_t = Limits::default().max_records_per_job, value_name = "N")]
    pub max_records_per_job: u64,
    /// Largest input file, in bytes (1 GB).
    #[arg(long, default_value_t = Limits::default().max_file_bytes, value_name = "BYTES")]
    pub max_file_bytes: u64,
    /// Largest job input, in bytes (5 GB).
    #[arg(long, default_value_t = Limits::default().max_job_bytes, value_name = "BYTES")]
    pub max_job_bytes: u64,
}

/// Arguments of `preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    #[command(flatten)]
    pub sheet: SheetArgs,
    #[command(flatten)]
    pub templates: TemplateArgs,
    /// Data row to show, counted from 1 below the header.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub row: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `results`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    #[command(flatten)]
    pub sheet: SheetArgs,
    /// The folder `prepare` wrote (with plan.json).
    #[arg(long, value_name = "DIR")]
    pub prepared: PathBuf,
    /// The downloaded job outputs (searched recursively for *.jsonl.out and manifest.json.out).
    #[arg(long, value_name = "DIR")]
    pub outputs: PathBuf,
    /// Export file: .csv, .xlsx, .parquet or .jsonl.
    #[arg(long, value_name = "FILE")]
    pub export: PathBuf,
    /// CSV: prefix ' to cells (headers included) starting with = + - @, tab or CR, so spreadsheets do not run
    /// them as formulas.
    #[arg(long)]
    pub excel_safe: bool,
    /// Price table replacing the bundled one.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Also print what the answers' fields hold: label counts, numeric spread, top values.
    #[arg(long)]
    pub summary: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// A job of the account, by ARN or id (`jobs --remote` lists them): its configuration is read, its input and
    /// outputs downloaded from S3, and it becomes a run of the history (fetch, retry and the window then serve it).
    #[arg(value_name = "JOB", required_unless_present = "outputs", conflicts_with = "outputs")]
    pub job: Option<String>,
    /// Or output lines on disk, with no AWS: a folder (searched for *.jsonl.out, or any file of output lines when
    /// renamed) or one file.
    #[arg(long, value_name = "PATH")]
    pub outputs: Option<PathBuf>,
    /// With --outputs: the job's request lines (its input file or folder), so records the job wrote no line for
    /// are known too (default: the records are those the outputs name).
    #[arg(long, value_name = "PATH", requires = "outputs")]
    pub requests: Option<PathBuf>,
    /// A sheet to join the records to (the one the requests were made from); needs --id-column or --row-number.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// The sheet's column holding each row's record id.
    #[arg(long, value_name = "COLUMN", requires = "input", conflicts_with = "row_number")]
    pub id_column: Option<String>,
    /// Or: a row's record id is its number among the data rows, counted from 0 (a DataFrame's index) or 1.
    #[arg(long, value_name = "FIRST", requires = "input", value_parser = clap::value_parser!(u64).range(0..=1))]
    pub row_number: Option<u64>,
    /// Worksheet of a workbook sheet (default: the first sheet with data).
    #[arg(long, value_name = "NAME", requires = "input")]
    pub sheet: Option<String>,
    /// CSV delimiter of the sheet: a character, or comma, semicolon, tab, pipe (default: sniffed).
    #[arg(long, value_name = "C", value_parser = parse_delimiter, requires = "input")]
    pub delimiter: Option<u8>,
    /// The opened run's folder: its prepared records, input, outputs and export (default: ./opened-<job id>, or
    /// <outputs>-opened beside the outputs).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Export file: .csv, .xlsx, .parquet or .jsonl (default: <out>/results.csv).
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// The job's model or inference profile (default: the one the job names; with --outputs, none: no cost, and
    /// retries need one).
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
    /// The shape the job asked its answers in, for checked answers and typed columns (default: free text).
    #[command(flatten)]
    pub answer: AnswerArgs,
    /// CSV: prefix ' to cells (headers included) starting with = + - @, tab or CR, so spreadsheets do not run
    /// them as formulas.
    #[arg(long)]
    pub excel_safe: bool,
    /// Price table replacing the bundled one.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Summary format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Parses a row status (`--status`).
pub fn parse_status(raw: &str) -> Result<batch_core::results::Status, String> {
    use batch_core::results::Status;
    Status::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or_else(|| {
        let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("\"{raw}\" is not a row status; use one of {}", known.join(", "))
    })
}

/// Parses `--delimiter`: one ASCII character or a name.
pub fn parse_delimiter(raw: &str) -> Result<u8, String> {
    match raw.to_ascii_lowercase().as_str() {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        _ if raw.len() == 1 && raw.is_ascii() && raw != "\"" && raw != "\n" => Ok(raw.as_bytes()[0]),
        _ => Err(format!("\"{raw}\" is not a delimiter; give one character such as , ; | or the word tab")),
    }
}

/// The `iam` steps.
#[derive(Debug, Subcommand)]
pub enum IamCommand {
    /// Evaluate every access check (live from AWS, or --offline from policy files); exit 1 when one fails.
    Check(IamCheckArgs),
    /// Print least-privilege policies for this job (and with --create-role, create the service role).
    Fix(IamFixArgs),
}

/// The job an access check is about.
#[derive(Debug, Args, Clone)]
pub struct IamJobArgs {
    /// The service role.
    #[arg(long, value_name = "ARN")]
    pub role_arn: String,
    /// The input prefix.
    #[arg(long, value_name = "S3_URI")]
    pub input: String,
    /// The output prefix.
    #[arg(long, value_name = "S3_URI")]
    pub output: String,
    /// The model or inference profile.
    #[arg(long, value_name = "ID")]
    pub model_id: String,
    /// The job's region (live: default the profile's).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The job's account (live: the caller's).
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// The buckets' owner, when another account owns them.
    #[arg(long, value_name = "ACCOUNT")]
    pub bucket_owner: Option<String>,
    /// The KMS key that encrypts the output.
    #[arg(long, value_name = "KEY")]
    pub output_kms_key: Option<String>,
    /// AWS profile for live reads.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Arguments of `iam check`.
#[derive(Debug, Args)]
pub struct IamCheckArgs {
    #[command(flatten)]
    pub job: IamJobArgs,
    /// Evaluate policy files instead of reading AWS (needs --trust-policy, --region and --account).
    #[arg(long)]
    pub offline: bool,
    /// Offline: the role's trust policy.
    #[arg(long, value_name = "FILE", requires = "offline")]
    pub trust_policy: Option<PathBuf>,
    /// Offline: a permission policy of the role (repeatable).
    #[arg(long = "role-policy", value_name = "FILE", requires = "offline")]
    pub role_policies: Vec<PathBuf>,
    /// Offline: your ARN (user or role).
    #[arg(long, value_name = "ARN", requires = "offline")]
    pub caller_arn: Option<String>,
    /// Offline: a policy that applies to you (repeatable).
    #[arg(long = "caller-policy", value_name = "FILE", requires = "offline")]
    pub caller_policies: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Arguments of `iam fix`.
#[derive(Debug, Args)]
pub struct IamFixArgs {
    #[command(flatten)]
    pub job: IamJobArgs,
    /// Create the service role with the generated trust policy and S3 permissions (live).
    #[arg(long)]
    pub create_role: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}
