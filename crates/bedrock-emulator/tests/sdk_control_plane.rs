//! The emulator through the real aws-sdk-bedrock client, over HTTP on a free loopback port.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_bedrock::types::{
    ModelInvocationJobInputDataConfig, ModelInvocationJobOutputDataConfig, ModelInvocationJobS3InputDataConfig,
    ModelInvocationJobS3OutputDataConfig, ModelInvocationJobStatus, ModelInvocationType, S3InputFormat, SortOrder,
};
use batch_core::model::{InvocationType, ModelId};
use batch_core::records::{InferenceParams, RecordBuilder};
use bedrock_emulator::{EmulatorHandle, Faults, MemoryStore, ObjectStore, Registry, RegistryConfig, spawn};

const MODEL: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";
const ROLE: &str = "arn:aws:iam::123456789012:role/BedrockBatchRole";

fn start(faults: Faults) -> (EmulatorHandle, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    let builder = RecordBuilder::new(
        &ModelId::parse(MODEL).unwrap(),
        Some(InvocationType::InvokeModel),
        InferenceParams::default(),
        false,
    )
    .unwrap();
    let mut jsonl = Vec::new();
    for i in 1..=150 {
        builder.write_line(&format!("ABC{i:08}"), &format!("Review {i}"), None, &mut jsonl);
    }
    store.put("in-bucket", "run/part-001.jsonl", jsonl).unwrap();
    let registry = Registry::new(RegistryConfig { faults, ..RegistryConfig::default() });
    let shared: Arc<dyn ObjectStore> = store.clone();
    let handle =
        spawn("127.0.0.1:0".parse().unwrap(), registry, shared, "us-east-1", Duration::from_millis(20)).unwrap();
    (handle, store)
}

async fn client(endpoint: &str) -> aws_sdk_bedrock::Client {
    aws_sdk_bedrock::Client::new(&test_servers::sdk_config(endpoint).await)
}

fn create(
    client: &aws_sdk_bedrock::Client,
    name: &str,
) -> aws_sdk_bedrock::operation::create_model_invocation_job::builders::CreateModelInvocationJobFluentBuilder {
    client
        .create_model_invocation_job()
        .job_name(name)
        .role_arn(ROLE)
        .model_id(MODEL)
        .input_data_config(ModelInvocationJobInputDataConfig::S3InputDataConfig(
            ModelInvocationJobS3InputDataConfig::builder()
                .s3_uri("s3://in-bucket/run/")
                .s3_input_format(S3InputFormat::Jsonl)
                .build()
                .unwrap(),
        ))
        .output_data_config(ModelInvocationJobOutputDataConfig::S3OutputDataConfig(
            ModelInvocationJobS3OutputDataConfig::builder().s3_uri("s3://out-bucket/results/").build().unwrap(),
        ))
        .timeout_duration_in_hours(24)
}

#[tokio::test]
async fn a_job_runs_to_completion_through_the_sdk() {
    let (emulator, store) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    let created = create(&client, "reviews-p001")
        .client_request_token("run1-p0001")
        .model_invocation_type(ModelInvocationType::Converse)
        .send()
        .await
        .unwrap();
    let arn = created.job_arn().to_string();
    let again = create(&client, "reviews-p001").client_request_token("run1-p0001").send().await.unwrap();
    assert_eq!(again.job_arn(), arn, "the same token gives the same job");
    let id = arn.rsplit('/').next().unwrap().to_string();
    let mut status = ModelInvocationJobStatus::Submitted;
    for _ in 0..200 {
        let job = client.get_model_invocation_job().job_identifier(&arn).send().await.unwrap();
        status = job.status().cloned().unwrap();
        if status == ModelInvocationJobStatus::Completed {
            assert_eq!((job.total_record_count(), job.success_record_count()), (Some(150), Some(150)));
            assert_eq!(job.model_invocation_type(), Some(&ModelInvocationType::Converse));
            assert!(job.end_time().is_some() && job.submit_time().secs() > 1_700_000_000);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, ModelInvocationJobStatus::Completed);
    let by_id = client.get_model_invocation_job().job_identifier(&id).send().await.unwrap();
    assert_eq!(by_id.job_arn(), arn, "a bare job id finds the job too");
    assert!(store.get("out-bucket", &format!("results/{id}/part-001.jsonl.out")).is_ok());
    assert!(store.get("out-bucket", &format!("results/{id}/manifest.json.out")).is_ok());
    let stop = client.stop_model_invocation_job().job_identifier(&arn).send().await.unwrap_err();
    assert!(stop.into_service_error().is_conflict_exception());
}

#[tokio::test]
async fn errors_arrive_as_the_sdks_typed_exceptions() {
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    let err = create(&client, "bad").timeout_duration_in_hours(12).send().await.unwrap_err().into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert!(err.to_string().contains("between 24 and 168") || format!("{err:?}").contains("between 24 and 168"));
    let missing =
        client.get_model_invocation_job().job_identifier("nope00000000").send().await.unwrap_err().into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");
    // An identifier the service model's pattern refuses is a ValidationException, not "not found".
    for malformed in ["NOPE00000000", "nope", "arn:aws:bedrock:us-east-1:12345:model-invocation-job/nope00000000"] {
        let refused =
            client.get_model_invocation_job().job_identifier(malformed).send().await.unwrap_err().into_service_error();
        assert!(refused.is_validation_exception(), "{malformed}: {refused:?}");
        let refused =
            client.stop_model_invocation_job().job_identifier(malformed).send().await.unwrap_err().into_service_error();
        assert!(refused.is_validation_exception(), "{malformed}: {refused:?}");
    }
    let arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/nope00000000";
    let unknown = client.get_model_invocation_job().job_identifier(arn).send().await.unwrap_err().into_service_error();
    assert!(unknown.is_resource_not_found_exception(), "a well-formed ARN of no job: {unknown:?}");
}

#[tokio::test]
async fn every_answer_carries_a_request_id_as_bedrock_s_do() {
    use aws_sdk_bedrock::operation::RequestId;
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    let listed = client.list_model_invocation_jobs().send().await.unwrap();
    let first = listed.request_id().expect("a request id on a success").to_string();
    let uuid = |id: &str| {
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        groups == [8, 4, 4, 4, 12] && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
    };
    assert!(uuid(&first), "{first}");
    let again = client.list_foundation_models().send().await.unwrap();
    assert_ne!(again.request_id(), Some(first.as_str()), "each answer its own id");
    let failed = client.get_model_invocation_job().job_identifier("nope00000000").send().await.unwrap_err();
    assert!(failed.request_id().is_some_and(uuid), "errors carry one too: {failed:?}");
}

#[tokio::test]
async fn throttled_creates_are_retried_by_the_sdk() {
    let (emulator, _) = start(Faults { throttle_creates: 1, ..Faults::default() });
    let client = client(&emulator.endpoint()).await;
    assert!(create(&client, "after-throttle").send().await.is_ok(), "the SDK retries ThrottlingException");
}

#[tokio::test]
async fn list_pages_and_foundation_models() {
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    for name in ["alpha-1", "alpha-2", "alpha-3", "beta-1"] {
        create(&client, name).send().await.unwrap();
    }
    let pages: Vec<_> = client
        .list_model_invocation_jobs()
        .name_contains("alpha")
        .sort_order(SortOrder::Ascending)
        .max_results(2)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 2);
    let names: Vec<String> = pages
        .into_iter()
        .flat_map(|p| {
            p.unwrap().invocation_job_summaries().iter().map(|j| j.job_name().to_string()).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(names, ["alpha-1", "alpha-2", "alpha-3"]);
    let models = client.list_foundation_models().send().await.unwrap();
    assert!(models.model_summaries().iter().any(|m| m.model_id() == MODEL));
}

#[tokio::test]
async fn foundation_models_are_filtered_as_the_service_model_says() {
    use aws_sdk_bedrock::types::{InferenceType, ModelModality};
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    let all = client.list_foundation_models().send().await.unwrap().model_summaries().len();
    let anthropic = client.list_foundation_models().by_provider("anthropic").send().await.unwrap();
    assert!(!anthropic.model_summaries().is_empty() && anthropic.model_summaries().len() < all);
    assert!(anthropic.model_summaries().iter().all(|m| m.provider_name() == Some("Anthropic")));
    let embeddings = client.list_foundation_models().by_output_modality(ModelModality::Embedding).send().await.unwrap();
    let ids: Vec<&str> = embeddings.model_summaries().iter().map(|m| m.model_id()).collect();
    assert!(ids.contains(&"amazon.titan-embed-text-v2:0") && !ids.contains(&MODEL), "{ids:?}");
    let provisioned =
        client.list_foundation_models().by_inference_type(InferenceType::Provisioned).send().await.unwrap();
    assert!(provisioned.model_summaries().is_empty(), "the catalogue's models are on-demand only");
    let refused = client
        .list_foundation_models()
        .by_output_modality(ModelModality::from("AUDIO"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(refused.is_validation_exception(), "{refused:?}");
}

#[tokio::test]
async fn an_operation_it_does_not_serve_is_an_unknown_operation_never_a_missing_resource() {
    use aws_sdk_bedrock::error::ProvideErrorMetadata;
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    let err = client.list_custom_models().send().await.unwrap_err().into_service_error();
    assert_eq!(err.code(), Some("UnknownOperationException"), "{err:?}");
    assert!(!err.is_validation_exception() && !err.is_throttling_exception(), "{err:?}");
}

#[tokio::test]
async fn job_lists_honour_and_validate_every_filter() {
    use aws_smithy_types::DateTime;
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    create(&client, "listed-1").send().await.unwrap();
    let now = std::time::SystemTime::now();
    let hour = std::time::Duration::from_secs(3600);
    let list = || client.list_model_invocation_jobs();
    let count = |out: aws_sdk_bedrock::operation::list_model_invocation_jobs::ListModelInvocationJobsOutput| {
        out.invocation_job_summaries().len()
    };
    assert_eq!(count(list().submit_time_after(DateTime::from(now - hour)).send().await.unwrap()), 1);
    assert_eq!(count(list().submit_time_after(DateTime::from(now + hour)).send().await.unwrap()), 0);
    assert_eq!(count(list().submit_time_before(DateTime::from(now - hour)).send().await.unwrap()), 0);
    let sorted = list().sort_by(aws_sdk_bedrock::types::SortJobsBy::CreationTime).send().await.unwrap();
    assert_eq!(count(sorted), 1);
    for refused in [
        list().status_equals(ModelInvocationJobStatus::from("Running")).send().await,
        list().sort_by(aws_sdk_bedrock::types::SortJobsBy::from("Name")).send().await,
        list().name_contains("two words").send().await,
    ] {
        let err = refused.unwrap_err().into_service_error();
        assert!(err.is_validation_exception(), "{err:?}");
    }
}

#[tokio::test]
async fn every_create_member_is_checked_against_the_service_model() {
    use aws_sdk_bedrock::types::{Tag, VpcConfig};
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    let output = |key: Option<&str>, owner: Option<&str>| {
        ModelInvocationJobOutputDataConfig::S3OutputDataConfig(
            ModelInvocationJobS3OutputDataConfig::builder()
                .s3_uri("s3://out-bucket/results/")
                .set_s3_encryption_key_id(key.map(str::to_string))
                .set_s3_bucket_owner(owner.map(str::to_string))
                .build()
                .unwrap(),
        )
    };
    let vpc = |subnet: &str| VpcConfig::builder().subnet_ids(subnet).security_group_ids("sg-0abc").build().unwrap();
    let tag = |key: &str| Tag::builder().key(key).value("v").build().unwrap();
    let accepted = create(&client, "well-formed")
        .output_data_config(output(Some("alias/batch-outputs"), Some("123456789012")))
        .vpc_config(vpc("subnet-0abc"))
        .tags(tag("team"))
        .client_request_token("run1-p0001")
        .send()
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");
    let refusals = [
        (
            "a KMS key that is neither id, alias nor ARN",
            create(&client, "k").output_data_config(output(Some("my key"), None)),
        ),
        ("a bucket owner that is not 12 digits", create(&client, "o").output_data_config(output(None, Some("1234")))),
        ("a subnet id with a space", create(&client, "v").vpc_config(vpc("subnet 1"))),
        ("a tag key with a comma", create(&client, "t").tags(tag("a,b"))),
        ("a client token with an underscore", create(&client, "c").client_request_token("run_1")),
    ];
    for (what, request) in refusals {
        let err = request.send().await.unwrap_err().into_service_error();
        assert!(err.is_validation_exception(), "{what}: {err:?}");
    }
}

#[tokio::test]
async fn one_model_and_one_profile_are_read_by_id_or_arn() {
    let (emulator, _) = start(Faults::default());
    let client = client(&emulator.endpoint()).await;
    let by_id = client.get_foundation_model().model_identifier(MODEL).send().await.unwrap();
    let details = by_id.model_details().expect("details");
    assert_eq!((details.model_id(), details.provider_name()), (MODEL, Some("Anthropic")));
    let arn = details.model_arn().to_string();
    let by_arn = client.get_foundation_model().model_identifier(&arn).send().await.unwrap();
    assert_eq!(by_arn.model_details().map(|d| d.model_id()), Some(MODEL));
    let missing = client.get_foundation_model().model_identifier("acme.nothing-v1:0").send().await.unwrap_err();
    assert!(missing.into_service_error().is_resource_not_found_exception());

    let profile = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    let got = client.get_inference_profile().inference_profile_identifier(profile).send().await.unwrap();
    assert_eq!(got.inference_profile_id(), profile);
    assert!(got.models().iter().any(|m| m.model_arn().is_some_and(|a| a.ends_with(MODEL))), "{got:?}");
    let by_arn = client.get_inference_profile().inference_profile_identifier(got.inference_profile_arn()).send().await;
    assert_eq!(by_arn.unwrap().inference_profile_id(), profile);
    let none = client.get_inference_profile().inference_profile_identifier("us.acme.nothing-v1:0").send().await;
    assert!(none.unwrap_err().into_service_error().is_resource_not_found_exception());
}
