//! `iam check` and `iam fix`: the access check of a batch job, offline from policy files or live from AWS,
//! printed as a checklist (or JSON), and the least-privilege policies that fix it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use batch_app::ports::{AccessOptions, Backend, Connector};
use batch_app::profile_routes::resolve_profile_models;
use batch_connect::{Backends, Connection};
use batch_core::aws_names::{RoleArn, S3Uri};
use batch_core::iam::{
    AccessPolicies, AccessReport, AccessSetup, CheckStatus, Known, Policy, Verdict, fixes, run_checks,
};
use batch_core::model::ModelId;
use serde::Serialize;

use crate::args::{IamCheckArgs, IamCommand, IamFixArgs, IamJobArgs, OutputFormat};
use crate::display::print_json;

/// Exit code when the input cannot be used (a check failing is 1).
const UNUSABLE: u8 = 2;

/// Runs an `iam` step; unusable input exits 2 with one error line.
pub fn run(command: IamCommand) -> Result<ExitCode> {
    let outcome = match command {
        IamCommand::Check(args) => check(args),
        IamCommand::Fix(args) => fix(args),
    };
    match outcome {
        Ok(code) => Ok(code),
        Err(error) => {
            eprintln!("error: {}", crate::display::error_line(&error));
            Ok(ExitCode::from(UNUSABLE))
        }
    }
}

fn setup(job: &IamJobArgs, region: String, account: String) -> Result<AccessSetup> {
    let valid_account = |a: &str| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit());
    if !valid_account(&account) {
        bail!("--account {account:?}: an AWS account is 12 digits");
    }
    if let Some(owner) = &job.bucket_owner
        && !valid_account(owner)
    {
        bail!("--bucket-owner {owner:?}: an AWS account is 12 digits");
    }
    Ok(AccessSetup {
        role_arn: RoleArn::parse(&job.role_arn).context("--role-arn")?,
        input: S3Uri::parse(&job.input).context("--input")?,
        output: S3Uri::parse(&job.output).context("--output")?,
        region,
        account,
        model_id: ModelId::parse(&job.model_id).context("--model-id")?,
        bucket_owner: job.bucket_owner.clone(),
        output_kms_key: job.output_kms_key.clone(),
        profile_models: None,
    })
}

fn read_policy(path: &Path) -> Result<Policy> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the policy file", path.display()))?;
    Ok(Policy::parse(&path.display().to_string(), &text)?)
}

/// The report as printed in JSON.
#[derive(Serialize)]
struct ReportView<'a> {
    #[serde(flatten)]
    report: &'a AccessReport,
    notes: &'a [String],
}

fn check(args: IamCheckArgs) -> Result<ExitCode> {
    let (report, notes) = if args.offline {
        let (Some(region), Some(account)) = (args.job.region.clone(), args.job.account.clone()) else {
            bail!("--offline needs --region and --account (the job's)");
        };
        let Some(trust) = &args.trust_policy else {
            bail!("--offline needs --trust-policy FILE (the role's trust policy)")
        };
        let setup = setup(&args.job, region, account)?;
        let policies = AccessPolicies {
            trust: Known::Yes(read_policy(trust)?),
            role: if args.role_policies.is_empty() {
                Known::No("no --role-policy was given".into())
            } else {
                Known::Yes(args.role_policies.iter().map(|p| read_policy(p)).collect::<Result<_>>()?)
            },
            caller_arn: args.caller_arn.clone(),
            caller: if args.caller_policies.is_empty() {
                Known::No("no --caller-policy was given".into())
            } else {
                Known::Yes(args.caller_policies.iter().map(|p| read_policy(p)).collect::<Result<_>>()?)
            },
        };
        (run_checks(&setup, &policies), vec!["offline: evaluated the given policy files".to_string()])
    } else {
        tokio::runtime::Runtime::new().context("cannot start the async runtime")?.block_on(live_check(&args.job))?
    };
    match args.format {
        OutputFormat::Json => print_json(&ReportView { report: &report, notes: &notes })?,
        OutputFormat::Text => print!("{}", checklist(&report, &notes)),
    }
    Ok(if report.verdict == Verdict::Fail { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The AWS account and region the job's flags and profile name, with the connection to them; a profile's
/// destination models are the account's (a note says when they could not be read).
async fn connect(job: &IamJobArgs) -> Result<(Connection, AccessSetup, Option<String>)> {
    let options = AccessOptions { profile: job.profile.clone(), region: job.region.clone(), endpoint_url: None };
    let connection = Backends::default().aws(&options).await?;
    let account = match job.account.clone() {
        Some(account) => account,
        None => connection.identity().await?.account,
    };
    let mut setup = setup(job, connection.region(), account)?;
    let note = resolve_profile_models(&connection, &mut setup).await;
    Ok((connection, setup, note))
}

async fn live_check(job: &IamJobArgs) -> Result<(AccessReport, Vec<String>)> {
    let (connection, setup, note) = connect(job).await?;
    let (report, notes) = connection.check_access(&setup).await?;
    Ok((report, note.into_iter().chain(notes).collect()))
}

fn mark(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "[PASS]",
        CheckStatus::Fail => "[FAIL]",
        CheckStatus::Warn => "[WARN]",
        CheckStatus::Unknown => "[ ?? ]",
    }
}

fn checklist(report: &AccessReport, notes: &[String]) -> String {
    let mut out = String::new();
    for note in notes {
        out.push_str(&format!("{note}\n"));
    }
    for check in &report.checks {
        out.push_str(&format!("{} {:<24} {}\n", mark(check.status), check.id, check.summary));
        if !check.detail.is_empty() {
            out.push_str(&format!("       {}\n", check.detail));
        }
        if let Some(aws) = &check.aws_simulator {
            out.push_str(&format!("       AWS policy simulator: {aws}\n"));
        }
        if let Some(fix) = check.fix.as_ref().filter(|_| check.status != CheckStatus::Pass) {
            out.push_str("       fix:\n");
            for line in fix.lines() {
                out.push_str(&format!("         {line}\n"));
            }
        }
    }
    let count = |s: CheckStatus| report.checks.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "Verdict: {} ({} pass, {} fail, {} warn, {} unknown)\n",
        match report.verdict {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
        },
        count(CheckStatus::Pass),
        count(CheckStatus::Fail),
        count(CheckStatus::Warn),
        count(CheckStatus::Unknown)
    ));
    out
}

/// The generated policies as printed.
#[derive(Serialize)]
struct Fixes {
    trust_policy: serde_json::Value,
    role_policy: serde_json::Value,
    caller_policy: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_role: Option<String>,
}

fn fix(args: IamFixArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let (setup, created_role) = match (args.job.region.clone(), args.job.account.clone(), args.create_role) {
        (Some(region), Some(account), false) => (setup(&args.job, region, account)?, None),
        (_, _, create) => runtime.block_on(async {
            let (connection, setup, note) = connect(&args.job).await?;
            if let Some(note) = note {
                eprintln!("note: {note}");
            }
            let created = match create {
                true => Some(connection.create_service_role(&setup).await?),
                false => None,
            };
            anyhow::Ok((setup, created))
        })?,
    };
    let fixes = Fixes {
        trust_policy: fixes::trust_policy(&setup),
        role_policy: fixes::role_policy(&setup),
        caller_policy: fixes::caller_policy(&setup),
        created_role,
    };
    match args.format {
        OutputFormat::Json => print_json(&fixes)?,
        OutputFormat::Text => {
            println!("# Trust policy of {} (who may assume it: Bedrock, for this account's jobs)", setup.role_arn);
            println!("{}", fixes::pretty(&fixes.trust_policy));
            println!("\n# Permission policy of {} (exactly these buckets and prefixes)", setup.role_arn);
            println!("{}", fixes::pretty(&fixes.role_policy));
            println!("\n# Your policy (pass the role to Bedrock only, run jobs, move the files)");
            println!("{}", fixes::pretty(&fixes.caller_policy));
            if let Some(arn) = &fixes.created_role {
                println!("\nCreated the service role {arn} with the trust policy and the permission policy above.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
