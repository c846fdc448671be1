//! Connecting, and starting a run from a prepared folder: the use cases behind the CLI's `submit` and `run`
//! and the window's Connect and Submit. Starting fills the target's defaults (the sandbox's own role and
//! locations; on AWS each must be given), names the job when no name was given, takes the concurrent-job cap
//! from the account's quotas, and says which prepared parts those quotas would refuse — so both faces
//! connect and submit the same way.

use std::path::Path;

use batch_core::aws_names::{JobName, NameError, RoleArn, S3Uri};
use batch_core::prepare::{PLAN_FILE, PrepareError, PreparedPlan};

use crate::history::JobSettings;
use crate::lifecycle::SubmitRequest;
use crate::ports::{
    AccessOptions, Backend, BatchQuotas, Connector, FailureKind, SANDBOX_INPUT, SANDBOX_OUTPUT, SANDBOX_ROLE,
    ServiceError,
};

/// The most jobs of one run this tool keeps submitted at once, whatever the account allows.
pub const MOST_CONCURRENT_JOBS: usize = 10;

/// Where and how a run is to be submitted, as the user gave it; what is absent takes its default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTarget {
    /// The service role Bedrock assumes (the sandbox's own when absent there).
    pub role_arn: Option<String>,
    /// The input prefix (the sandbox's own when absent there).
    pub input_uri: Option<String>,
    /// The output prefix (the sandbox's own when absent there).
    pub output_uri: Option<String>,
    /// The jobs' base name (the sheet's name and the time when absent).
    pub job_name: Option<String>,
    /// Timeout, tags, VPC and KMS key; its cap is replaced by `max_concurrent_jobs` or the quotas'.
    pub settings: JobSettings,
    /// The cap asked for, instead of the account's quota.
    pub max_concurrent_jobs: Option<usize>,
    /// Record a new run even when these parts were submitted to this target before.
    pub new_run: bool,
}

/// A field of [`RunTarget`], for messages each face words in its own terms (a flag, a control).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetField {
    /// The service role ARN.
    RoleArn,
    /// The input S3 location.
    InputUri,
    /// The output S3 location.
    OutputUri,
    /// The job name.
    JobName,
}

impl TargetField {
    /// The field in domain words.
    pub fn words(self) -> &'static str {
        match self {
            Self::RoleArn => "service role ARN",
            Self::InputUri => "input S3 location",
            Self::OutputUri => "output S3 location",
            Self::JobName => "job name",
        }
    }
}

/// Why a run cannot be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A field AWS needs was left empty.
    #[error("the {} is required when submitting to AWS", field.words())]
    Missing {
        /// Which.
        field: TargetField,
    },
    /// A field's value is not valid.
    #[error("{}: {source}", field.words())]
    Invalid {
        /// Which.
        field: TargetField,
        /// Why.
        source: NameError,
    },
    /// The prepared folder cannot be read.
    #[error(transparent)]
    Prepared(#[from] PrepareError),
}

/// A prepared part that the model's quotas would refuse: its job would fail validation hours later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartOutsideQuotas {
    /// The part's file.
    pub file: String,
    /// Its records.
    pub records: u64,
    /// The fewest records a job of this model takes.
    pub min: u64,
    /// The most records one part may hold.
    pub max: u64,
}

/// A run ready to be recorded: the lifecycle's request, and what the quotas said.
#[derive(Debug, Clone)]
pub struct StartPlan {
    /// What the lifecycle records and drives.
    pub request: SubmitRequest,
    /// The quotas read for the model (or the defaults, with why).
    pub quotas: BatchQuotas,
    /// True when the cap was asked for rather than taken from the quotas.
    pub cap_asked: bool,
    /// Parts the quotas would refuse.
    pub outside_quotas: Vec<PartOutsideQuotas>,
}

/// Where a connection to AWS ended up.
#[derive(Debug)]
pub enum AwsOrSandbox<B> {
    /// Connected to AWS.
    Aws(B),
    /// No credentials resolve: the caller connects to the offline sandbox; why, in domain words.
    Sandbox(String),
}

/// Connects to AWS with `options`; when no credentials resolve and `may_fall_back`, answers that the
/// offline sandbox is to be used instead (the caller starts it its own way: once per session in the window,
/// per command in the CLI). Any other failure, or no credentials without falling back, is the error.
pub async fn connect_aws_or_sandbox<C: Connector>(
    connector: &C,
    options: &AccessOptions,
    may_fall_back: bool,
) -> Result<AwsOrSandbox<C::Backend>, ServiceError> {
    match connector.aws(options).await {
        Ok(backend) => Ok(AwsOrSandbox::Aws(backend)),
        Err(error) if may_fall_back && error.kind == FailureKind::NoCredentials => {
            Ok(AwsOrSandbox::Sandbox(error.message))
        }
        Err(error) => Err(error),
    }
}

/// A job name from `source`'s file name (a sheet, or a prepared folder) and the time, to the second.
pub fn default_job_name(source: &Path) -> JobName {
    let stem = source.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stamp: String = batch_core::clock::now_rfc3339().chars().filter(char::is_ascii_digit).take(14).collect();
    JobName::derive(&stem, &stamp)
}

/// The target's job name as given (trimmed), or the default from `sheet`'s name and the time.
pub fn job_name(target: &RunTarget, sheet: &Path) -> Result<JobName, StartError> {
    match target.job_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => {
            JobName::parse(name).map_err(|source| StartError::Invalid { field: TargetField::JobName, source })
        }
        None => Ok(default_job_name(sheet)),
    }
}

/// The value of `field`: as given, the sandbox's `sandbox_default`, or missing on AWS.
fn pick(given: Option<&str>, sandbox_default: &str, sandbox: bool, field: TargetField) -> Result<String, StartError> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(value) => Ok(value.to_string()),
        None if sandbox => Ok(sandbox_default.to_string()),
        None => Err(StartError::Missing { field }),
    }
}

/// The target's role and locations, with the sandbox's own for those left empty there.
pub fn target_locations(target: &RunTarget, sandbox: bool) -> Result<(RoleArn, S3Uri, S3Uri), StartError> {
    let invalid = |field| move |source| StartError::Invalid { field, source };
    let role = pick(target.role_arn.as_deref(), SANDBOX_ROLE, sandbox, TargetField::RoleArn)?;
    let input = pick(target.input_uri.as_deref(), SANDBOX_INPUT, sandbox, TargetField::InputUri)?;
    let output = pick(target.output_uri.as_deref(), SANDBOX_OUTPUT, sandbox, TargetField::OutputUri)?;
    Ok((
        RoleArn::parse(&role).map_err(invalid(TargetField::RoleArn))?,
        S3Uri::parse(&input).map_err(invalid(TargetField::InputUri))?,
        S3Uri::parse(&output).map_err(invalid(TargetField::OutputUri))?,
    ))
}

/// Plans the start of a run of the parts in `prepared` on `backend`, reading the model's quotas.
pub async fn plan_start<B: Backend>(backend: &B, prepared: &Path, target: &RunTarget) -> Result<StartPlan, StartError> {
    let (role_arn, input_uri, output_uri) = target_locations(target, backend.sandbox())?;
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    let quotas = backend.quotas(plan.model.id.as_str()).await;
    plan_with_quotas(prepared, &plan, target, (role_arn, input_uri, output_uri), backend.sandbox(), quotas)
}

/// Plans the start of a run of the parts in `prepared` under `quotas`, already read for its model.
pub fn plan_start_under(
    prepared: &Path,
    target: &RunTarget,
    sandbox: bool,
    quotas: BatchQuotas,
) -> Result<StartPlan, StartError> {
    let locations = target_locations(target, sandbox)?;
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    plan_with_quotas(prepared, &plan, target, locations, sandbox, quotas)
}

fn plan_with_quotas(
    prepared: &Path,
    plan: &PreparedPlan,
    target: &RunTarget,
    (role_arn, input_uri, output_uri): (RoleArn, S3Uri, S3Uri),
    sandbox: bool,
    quotas: BatchQuotas,
) -> Result<StartPlan, StartError> {
    let job_name = job_name(target, Path::new(&plan.input.path))?;
    let (min, max) = (quotas.limits.min_records_per_job, quotas.limits.max_records_per_part());
    let outside_quotas = plan
        .parts
        .iter()
        .filter(|part| part.records < min || part.records > max)
        .map(|part| PartOutsideQuotas { file: part.file.clone(), records: part.records, min, max })
        .collect();
    let cap = match target.max_concurrent_jobs {
        Some(asked) => asked.max(1),
        None => (quotas.max_concurrent_jobs as usize).clamp(1, MOST_CONCURRENT_JOBS),
    };
    let request = SubmitRequest {
        prepared_dir: prepared.to_path_buf(),
        role_arn,
        input_uri,
        output_uri,
        job_name,
        settings: JobSettings { max_concurrent_jobs: cap, ..target.settings.clone() },
        sandbox,
        retry_of: None,
        new_run: target.new_run,
    };
    Ok(StartPlan { request, quotas, cap_asked: target.max_concurrent_jobs.is_some(), outside_quotas })
}

#[cfg(test)]
mod tests;
