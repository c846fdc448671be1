//! The start-run use case against the in-memory backend: defaults, names, the cap from quotas and the
//! parts the quotas would refuse.

use batch_core::limits::Limits;

use super::*;
use crate::lifecycle::fakes::{FakeBackend, prepared};
use crate::ports::QuotaSource;

fn backend(sandbox: bool, quotas: BatchQuotas) -> FakeBackend {
    FakeBackend::new(sandbox, quotas)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
}

fn account_quotas(concurrent: u64, min_records: u64) -> BatchQuotas {
    BatchQuotas {
        limits: Limits { min_records_per_job: min_records, ..Limits::default() },
        max_concurrent_jobs: concurrent,
        source: QuotaSource::ServiceQuotas { matched: "Nova Lite V1".into() },
    }
}

#[test]
fn the_sandbox_fills_its_own_target_and_aws_names_each_missing_field() {
    let dir = tempfile::tempdir().unwrap();
    let parts = prepared(dir.path(), "reviews", 60);
    let sandbox = block_on(plan_start(&backend(true, BatchQuotas::defaults("sandbox")), &parts, &RunTarget::default()));
    let request = sandbox.unwrap().request;
    assert_eq!(
        (request.role_arn.as_str(), request.input_uri.to_string(), request.output_uri.to_string()),
        (SANDBOX_ROLE, SANDBOX_INPUT.to_string(), SANDBOX_OUTPUT.to_string())
    );
    assert!(request.sandbox);

    let aws = backend(false, account_quotas(20, 5));
    let missing = block_on(plan_start(&aws, &parts, &RunTarget::default())).unwrap_err();
    assert!(matches!(missing, StartError::Missing { field: TargetField::RoleArn }), "{missing}");
    assert_eq!(missing.to_string(), "the service role ARN is required when submitting to AWS");
    let target = RunTarget {
        role_arn: Some("arn:aws:iam::111122223333:role/BatchRole".into()),
        input_uri: Some("s3://in-bucket/batch".into()),
        output_uri: Some("not a location".into()),
        ..RunTarget::default()
    };
    let invalid = block_on(plan_start(&aws, &parts, &target)).unwrap_err();
    assert!(matches!(invalid, StartError::Invalid { field: TargetField::OutputUri, .. }), "{invalid}");
}

#[test]
fn the_job_is_named_after_the_sheet_to_the_second_unless_named() {
    let dir = tempfile::tempdir().unwrap();
    // Prepared from reviews.csv into a folder of another name.
    let parts = dir.path().join("parts-for-eu");
    std::fs::rename(prepared(dir.path(), "reviews", 60), &parts).unwrap();
    let sandbox = backend(true, BatchQuotas::defaults("sandbox"));
    let named = block_on(plan_start(&sandbox, &parts, &RunTarget::default())).unwrap().request.job_name;
    let name = named.as_str();
    // `reviews-YYYYMMDDhhmmss`: the sheet's stem (not the prepared folder's) and 14 digits of time.
    let (stem, stamp) = name.rsplit_once('-').unwrap();
    assert_eq!((stem, stamp.len()), ("reviews", 14), "{name}");
    assert!(stamp.chars().all(|c| c.is_ascii_digit()), "{name}");
    let given = RunTarget { job_name: Some(" tickets-eu ".into()), ..RunTarget::default() };
    assert_eq!(block_on(plan_start(&sandbox, &parts, &given)).unwrap().request.job_name.as_str(), "tickets-eu");
}

#[test]
fn the_cap_is_the_account_s_quota_at_most_ten_unless_one_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let parts = prepared(dir.path(), "reviews", 60);
    let cap = |quotas: BatchQuotas, asked: Option<usize>| {
        let target = RunTarget {
            role_arn: Some("arn:aws:iam::111122223333:role/BatchRole".into()),
            input_uri: Some("s3://in-bucket/batch".into()),
            output_uri: Some("s3://out-bucket/results".into()),
            max_concurrent_jobs: asked,
            ..RunTarget::default()
        };
        let plan = block_on(plan_start(&backend(false, quotas), &parts, &target)).unwrap();
        (plan.request.settings.max_concurrent_jobs, plan.cap_asked)
    };
    assert_eq!(cap(account_quotas(3, 5), None), (3, false));
    assert_eq!(cap(account_quotas(50, 5), None), (MOST_CONCURRENT_JOBS, false));
    assert_eq!(cap(account_quotas(0, 5), None), (1, false));
    assert_eq!(cap(account_quotas(3, 5), Some(7)), (7, true));
}

#[test]
fn parts_the_quotas_would_refuse_are_named_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    // 60 rows in parts of at most 40: two parts of 30 records; this model's jobs take at least 35.
    let parts = prepared(dir.path(), "reviews", 60);
    let sandbox = backend(true, account_quotas(10, 35));
    let plan = block_on(plan_start(&sandbox, &parts, &RunTarget::default())).unwrap();
    let outside: Vec<(String, u64, u64)> =
        plan.outside_quotas.iter().map(|p| (p.file.clone(), p.records, p.min)).collect();
    let expected = [("part-001.jsonl".to_string(), 30, 35), ("part-002.jsonl".to_string(), 30, 35)];
    assert_eq!(outside, expected, "{:?}", plan.outside_quotas);
    let fits = block_on(plan_start(&backend(true, account_quotas(10, 30)), &parts, &RunTarget::default())).unwrap();
    assert!(fits.outside_quotas.is_empty(), "{:?}", fits.outside_quotas);
    assert_eq!(plan.quotas.source, QuotaSource::ServiceQuotas { matched: "Nova Lite V1".into() });
}

#[test]
fn without_credentials_the_sandbox_is_used_only_where_falling_back_is_allowed() {
    use crate::lifecycle::fakes::FakeConnector;
    use crate::ports::{AccessOptions, FailureKind};
    let options = AccessOptions::default();
    match block_on(connect_aws_or_sandbox(&FakeConnector, &options, true)).unwrap() {
        AwsOrSandbox::Sandbox(why) => assert_eq!(why, "no AWS credentials found (none set)"),
        AwsOrSandbox::Aws(_) => panic!("the fake has no credentials"),
    }
    let refused = block_on(connect_aws_or_sandbox(&FakeConnector, &options, false));
    assert!(matches!(refused, Err(ref e) if e.kind == FailureKind::NoCredentials), "no fallback: {:?}", refused.err());
}
