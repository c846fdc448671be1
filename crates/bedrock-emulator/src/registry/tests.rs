//! Emulator tests: the API's answers and error shapes, idempotency, quotas, the status walk, outputs in
//! Bedrock's layout, stop, and each injected fault.

use batch_core::model::{InvocationType, ModelId};
use batch_core::records::{InferenceParams, RecordBuilder};
use batch_core::results::{Manifest, Status, parse_line};

use super::*;
use crate::api::{InputDataConfig, OutputDataConfig, S3Config, Tag};
use crate::store::MemoryStore;

const MODEL: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";

/// Puts `records` Claude records at s3://in/run/part-001.jsonl (record 3's body is malformed when `bad`).
fn input(store: &MemoryStore, records: usize, bad: bool) {
    let builder = RecordBuilder::new(
        &ModelId::parse(MODEL).unwrap(),
        Some(InvocationType::InvokeModel),
        InferenceParams::default(),
        false,
    )
    .unwrap();
    let mut jsonl = Vec::new();
    for i in 1..=records {
        if bad && i == 3 {
            jsonl.extend_from_slice(b"{\"recordId\":\"ABC00000003\",\"modelInput\":{\"messages\":[]}}\n");
            continue;
        }
        builder.write_line(&format!("ABC{i:08}"), &format!("Review {i}"), None, &mut jsonl);
    }
    store.put("in-bucket", "run/part-001.jsonl", jsonl).unwrap();
}

fn request(name: &str) -> CreateJobRequest {
    let s3 = |uri: &str| S3Config {
        s3_uri: uri.into(),
        s3_input_format: None,
        s3_encryption_key_id: None,
        s3_bucket_owner: None,
    };
    CreateJobRequest {
        job_name: name.into(),
        role_arn: "arn:aws:iam::123456789012:role/BedrockBatchRole".into(),
        model_id: MODEL.into(),
        input_data_config: InputDataConfig { s3_input_data_config: s3("s3://in-bucket/run/") },
        output_data_config: OutputDataConfig { s3_output_data_config: s3("s3://out-bucket/results/") },
        client_request_token: None,
        timeout_duration_in_hours: Some(24),
        tags: None,
        vpc_config: None,
        model_invocation_type: None,
    }
}

fn with_fault(name: &str, fault: &str) -> CreateJobRequest {
    CreateJobRequest { tags: Some(vec![Tag { key: "emulator-fault".into(), value: fault.into() }]), ..request(name) }
}

fn registry() -> Registry {
    Registry::new(RegistryConfig::default())
}

fn job_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap()
}

#[test]
fn a_job_walks_every_status_and_writes_bedrocks_output_layout() {
    let store = MemoryStore::new();
    input(&store, 120, true);
    let mut registry = registry();
    let arn = registry.create(request("reviews-p001")).unwrap();
    let id = job_id(&arn);
    assert!(arn.starts_with("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/"));
    assert!(id.len() == 12 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{id}");
    let mut seen = vec![registry.get(&arn).unwrap().status];
    while !registry.get(id).unwrap().status.contains("Completed") {
        registry.tick(&store);
        seen.push(registry.get(id).unwrap().status);
    }
    assert_eq!(seen, ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]);
    let detail = registry.get(id).unwrap();
    assert_eq!(
        (detail.total_record_count, detail.success_record_count, detail.error_record_count),
        (Some(120), Some(119), Some(1))
    );
    assert!(detail.end_time.is_some());
    let out = String::from_utf8(store.get("out-bucket", &format!("results/{id}/part-001.jsonl.out")).unwrap()).unwrap();
    let lines: Vec<_> = out.lines().map(|l| parse_line(l.as_bytes()).unwrap()).collect();
    assert_eq!(lines.len(), 120);
    assert_eq!(lines[0].record_id.as_deref(), Some("ABC00000001"));
    assert!(lines[0].outcome.output.contains("sandbox answer"));
    assert_eq!(lines[2].status, Status::Failed, "a malformed body is a per-record error");
    assert!(lines[2].outcome.error.starts_with("400: Malformed input request"));
    let manifest: Manifest =
        serde_json::from_slice(&store.get("out-bucket", &format!("results/{id}/manifest.json.out")).unwrap()).unwrap();
    assert_eq!(
        (manifest.total_record_count, manifest.success_record_count, manifest.error_record_count),
        (120, 119, 1)
    );
    assert!(manifest.input_token_count > 0 && manifest.output_token_count > 0);
}

#[test]
fn a_repeated_token_returns_the_same_job() {
    let mut registry = registry();
    let first =
        registry.create(CreateJobRequest { client_request_token: Some("run1-p0001".into()), ..request("a") }).unwrap();
    let again =
        registry.create(CreateJobRequest { client_request_token: Some("run1-p0001".into()), ..request("a") }).unwrap();
    assert_eq!(first, again);
    assert_eq!(registry.list(&ListJobsRequest::default()).unwrap().invocation_job_summaries.len(), 1);
}

#[test]
fn invalid_requests_get_validation_errors_naming_the_field() {
    let mut registry = registry();
    let cases = [
        (CreateJobRequest { job_name: "bad name".into(), ..request("x") }, "jobName"),
        (CreateJobRequest { role_arn: "BedrockBatchRole".into(), ..request("x") }, "roleArn"),
        (CreateJobRequest { timeout_duration_in_hours: Some(12), ..request("x") }, "between 24 and 168"),
        (CreateJobRequest { model_invocation_type: Some("Chat".into()), ..request("x") }, "supported enum values"),
        (CreateJobRequest { client_request_token: Some("bad_token".into()), ..request("x") }, "clientRequestToken"),
    ];
    for (bad, field) in cases {
        let err = registry.create(bad).unwrap_err();
        assert_eq!((err.kind, err.kind.http_status()), (ErrorKind::Validation, 400), "{err}");
        assert!(err.message.contains(field), "{err}");
        assert_eq!(err.kind.type_name(), "ValidationException");
    }
    let mut bad_uri = request("x");
    bad_uri.input_data_config.s3_input_data_config.s3_uri = "s3://in-bucket/with space/".into();
    assert!(registry.create(bad_uri).unwrap_err().message.contains("s3InputDataConfig.s3Uri"));
    let missing = registry.get("nope00000000").unwrap_err();
    assert_eq!((missing.kind.type_name(), missing.kind.http_status()), ("ResourceNotFoundException", 404));
    assert_eq!(
        missing.body(),
        "{\"message\":\"The specified resource ARN was not found. Check the ARN and try your request again.\"}"
    );
}

#[test]
fn the_concurrent_job_quota_and_throttling() {
    let store = MemoryStore::new();
    input(&store, 120, false);
    let mut registry = Registry::new(RegistryConfig { max_concurrent_per_model: 2, ..RegistryConfig::default() });
    registry.create(request("a")).unwrap();
    registry.create(request("b")).unwrap();
    let err = registry.create(request("c")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ServiceQuotaExceeded);
    assert!(registry.run_to_end(&store, 20));
    registry.create(request("c")).unwrap();
    registry.throttle_next_creates(2);
    assert_eq!(registry.create(request("d")).unwrap_err().kind.http_status(), 429);
    assert_eq!(registry.create(request("d")).unwrap_err().kind, ErrorKind::Throttling);
    assert!(registry.create(request("d")).is_ok());
}

#[test]
fn stop_keeps_the_records_processed_so_far() {
    let store = MemoryStore::new();
    input(&store, 120, false);
    let mut registry = registry();
    let early = registry.create(request("early")).unwrap();
    registry.stop(&early).unwrap();
    assert_eq!(registry.get(&early).unwrap().status, "Stopping");
    registry.tick(&store);
    assert_eq!(registry.get(&early).unwrap().status, "Stopped");
    assert!(store.list("out-bucket", &format!("results/{}/", job_id(&early))).unwrap().is_empty());
    assert_eq!(registry.stop(&early).unwrap_err().kind, ErrorKind::Conflict);

    let late = registry.create(request("late")).unwrap();
    for _ in 0..3 {
        registry.tick(&store); // Validating, Scheduled, InProgress
    }
    registry.stop(job_id(&late)).unwrap();
    registry.tick(&store);
    let detail = registry.get(&late).unwrap();
    assert_eq!((detail.status.as_str(), detail.processed_record_count), ("Stopped", Some(60)));
    assert!(store.get("out-bucket", &format!("results/{}/part-001.jsonl.out", job_id(&late))).is_ok());
}

#[test]
fn injected_faults() {
    let store = MemoryStore::new();
    input(&store, 120, false);
    let mut registry = registry();
    let fail = registry.create(with_fault("f", "fail")).unwrap();
    let partial = registry.create(with_fault("p", "partial")).unwrap();
    let expire = registry.create(with_fault("e", "expire")).unwrap();
    let slow = registry.create(with_fault("s", "slow")).unwrap();
    let normal = registry.create(request("n")).unwrap();
    for _ in 0..4 {
        registry.tick(&store);
    }
    assert_eq!(registry.get(&normal).unwrap().status, "Completed");
    assert_ne!(registry.get(&slow).unwrap().status, "Completed", "slow jobs take longer");
    assert!(registry.run_to_end(&store, 40));
    let failed = registry.get(&fail).unwrap();
    assert_eq!(failed.status, "Failed");
    assert!(failed.message.unwrap().contains("Emulated failure"));
    let part = registry.get(&partial).unwrap();
    assert_eq!((part.status.as_str(), part.processed_record_count), ("PartiallyCompleted", Some(60)));
    assert_eq!(registry.get(&expire).unwrap().status, "Expired");
    assert_eq!(registry.get(&slow).unwrap().status, "Completed");
}

#[test]
fn a_held_job_waits_in_progress_until_released_or_stopped() {
    let store = MemoryStore::new();
    input(&store, 120, false);
    let mut registry = registry();
    let held = registry.create(with_fault("h", "hold")).unwrap();
    let stopped = registry.create(with_fault("s", "hold")).unwrap();
    // However long it runs, a held job never ends by itself.
    assert!(!registry.run_to_end(&store, 500));
    assert_eq!(registry.get(&held).unwrap().status, "InProgress");
    registry.stop(job_id(&stopped)).unwrap();
    registry.tick(&store);
    let detail = registry.get(&stopped).unwrap();
    assert_eq!((detail.status.as_str(), detail.processed_record_count), ("Stopped", Some(60)));
    assert_eq!(registry.release(Some(job_id(&held))).unwrap(), 1);
    assert_eq!(registry.release(None).unwrap(), 0, "nothing else is held");
    assert!(registry.run_to_end(&store, 10));
    assert_eq!(registry.get(&held).unwrap().status, "Completed");
    assert_eq!(registry.release(Some("nope00000000")).unwrap_err().kind, ErrorKind::ResourceNotFound);
    assert_eq!(registry.release(Some("nope")).unwrap_err().kind, ErrorKind::Validation, "not a job identifier");
}

#[test]
fn validation_failures_say_what_is_wrong() {
    let store = MemoryStore::new();
    let mut registry = registry();
    let empty = registry.create(request("empty")).unwrap();
    store.put("in-bucket", "few/part-001.jsonl", b"{\"recordId\":\"A\",\"modelInput\":{}}\n".to_vec()).unwrap();
    let mut few_request = request("few");
    few_request.input_data_config.s3_input_data_config.s3_uri = "s3://in-bucket/few/part-001.jsonl".into();
    let few = registry.create(few_request).unwrap();
    store.put("in-bucket", "broken/x.jsonl", b"{not json\n".to_vec()).unwrap();
    let mut broken_request = request("broken");
    broken_request.input_data_config.s3_input_data_config.s3_uri = "s3://in-bucket/broken/".into();
    let broken = registry.create(broken_request).unwrap();
    assert!(registry.run_to_end(&store, 10));
    assert!(registry.get(&empty).unwrap().message.unwrap().contains("No JSONL files"));
    assert!(registry.get(&few).unwrap().message.unwrap().contains("fewer than the minimum of 100"));
    assert!(registry.get(&broken).unwrap().message.unwrap().contains("line 1: not valid JSON"));
}

#[test]
fn list_filters_and_pages() {
    let mut registry = registry();
    for name in ["alpha-1", "beta-1", "alpha-2", "alpha-3"] {
        registry.create(request(name)).unwrap();
    }
    let page = |token: Option<String>| ListJobsRequest {
        name_contains: Some("alpha".into()),
        max_results: Some(2),
        next_token: token,
        ..ListJobsRequest::default()
    };
    let first = registry.list(&page(None)).unwrap();
    assert_eq!(
        first.invocation_job_summaries.iter().map(|j| j.job_name.as_str()).collect::<Vec<_>>(),
        ["alpha-1", "alpha-2"]
    );
    let second = registry.list(&page(first.next_token.clone())).unwrap();
    assert_eq!(second.invocation_job_summaries.len(), 1);
    assert!(second.next_token.is_none());
    let newest = registry
        .list(&ListJobsRequest { descending: true, max_results: Some(1), ..ListJobsRequest::default() })
        .unwrap();
    assert_eq!(newest.invocation_job_summaries[0].job_name, "alpha-3");
    let submitted = ListJobsRequest { status_equals: Some("Completed".into()), ..ListJobsRequest::default() };
    assert!(registry.list(&submitted).unwrap().invocation_job_summaries.is_empty());
    assert_eq!(
        registry.list(&ListJobsRequest { max_results: Some(0), ..ListJobsRequest::default() }).unwrap_err().kind,
        ErrorKind::Validation
    );
    let json = serde_json::to_value(&first).unwrap();
    assert!(json["invocationJobSummaries"][0]["jobArn"].is_string() && json["nextToken"] == "2", "{json}");
}
