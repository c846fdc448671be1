//! The start-run use case's plan for a prepared folder, with the job flags as its target and its warnings
//! printed.

use std::path::Path;

use anyhow::{Result, bail};
use batch_app::history::{JobSettings, VpcSettings};
use batch_app::lifecycle::SubmitRequest;
use batch_app::ports::{Backend, QuotaSource};
use batch_app::start_run::{RunTarget, StartError, TargetField, plan_start};
use batch_connect::Connection;

use crate::args::JobArgs;

/// The run target as the flags give it.
fn run_target(job: &JobArgs) -> Result<RunTarget> {
    let vpc = match (job.subnet_ids.is_empty(), job.security_group_ids.is_empty()) {
        (true, true) => None,
        (false, false) => {
            Some(VpcSettings { subnet_ids: job.subnet_ids.clone(), security_group_ids: job.security_group_ids.clone() })
        }
        _ => bail!("a VPC configuration needs both --subnet-id and --security-group-id"),
    };
    let now = batch_core::clock::unix_now();
    let local_offset = i64::from(chrono::Local::now().offset().local_minus_utc());
    let deadline = match &job.deadline {
        Some(text) => {
            let at = batch_core::deadline::resolve_deadline(text, now, local_offset)
                .map_err(|e| anyhow::anyhow!("--deadline: {e}"))?;
            eprintln!("deadline: {} (UTC)", batch_core::clock::rfc3339_from_unix(at));
            Some(batch_core::clock::rfc3339_from_unix(at))
        }
        None => None,
    };
    let max_queue_minutes = match &job.max_queue {
        Some(text) => {
            Some(batch_core::deadline::duration_minutes(text).map_err(|e| anyhow::anyhow!("--max-queue: {e}"))?)
        }
        None => None,
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
            deadline,
            max_queue_minutes,
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
pub async fn start_plan(connection: &Connection, prepared: &Path, job: &JobArgs) -> Result<SubmitRequest> {
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
