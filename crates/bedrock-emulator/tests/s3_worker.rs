//! The emulator's worker against a real S3-protocol server (moto): input read from S3, outputs and the
//! manifest written to `<output>/<jobId>/`, all through aws-sdk-s3 and aws-sdk-bedrock on loopback.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_bedrock::types::{
    ModelInvocationJobInputDataConfig, ModelInvocationJobOutputDataConfig, ModelInvocationJobS3InputDataConfig,
    ModelInvocationJobS3OutputDataConfig, ModelInvocationJobStatus,
};
use aws_sdk_s3::primitives::ByteStream;
use batch_core::model::{InvocationType, ModelId};
use batch_core::records::{InferenceParams, RecordBuilder};
use batch_core::results::{Manifest, parse_line};
use bedrock_emulator::{ObjectStore, Registry, RegistryConfig, S3Store, spawn};
use test_servers::{Moto, sdk_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_reads_its_input_from_s3_and_writes_outputs_there() {
    let moto = Moto::start();
    let s3_config = sdk_config(&moto.endpoint()).await;
    let s3 =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&s3_config).force_path_style(true).build());
    for bucket in ["in-bucket", "out-bucket"] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let model = "amazon.nova-lite-v1:0";
    let builder = RecordBuilder::new(
        &ModelId::parse(model).unwrap(),
        Some(InvocationType::InvokeModel),
        InferenceParams::default(),
        false,
    )
    .unwrap();
    let mut jsonl = Vec::new();
    for i in 1..=120 {
        builder.write_line(&format!("ABC{i:08}"), &format!("Review \"{i}\"\nline two"), None, &mut jsonl);
    }
    s3.put_object()
        .bucket("in-bucket")
        .key("runs/r1/part-001.jsonl")
        .body(ByteStream::from(jsonl))
        .send()
        .await
        .unwrap();

    let store: Arc<dyn ObjectStore> = Arc::new(S3Store::new(s3.clone(), tokio::runtime::Handle::current()));
    let emulator = spawn(
        "127.0.0.1:0".parse().unwrap(),
        Registry::new(RegistryConfig::default()),
        store,
        "us-east-1",
        Duration::from_millis(20),
    )
    .unwrap();
    let bedrock = aws_sdk_bedrock::Client::new(&sdk_config(&emulator.endpoint()).await);
    let arn = bedrock
        .create_model_invocation_job()
        .job_name("reviews-p001")
        .role_arn("arn:aws:iam::123456789012:role/BedrockBatchRole")
        .model_id(model)
        .input_data_config(ModelInvocationJobInputDataConfig::S3InputDataConfig(
            ModelInvocationJobS3InputDataConfig::builder().s3_uri("s3://in-bucket/runs/r1/").build().unwrap(),
        ))
        .output_data_config(ModelInvocationJobOutputDataConfig::S3OutputDataConfig(
            ModelInvocationJobS3OutputDataConfig::builder().s3_uri("s3://out-bucket/outputs").build().unwrap(),
        ))
        .send()
        .await
        .unwrap()
        .job_arn()
        .to_string();
    let mut status = None;
    for _ in 0..300 {
        status = bedrock.get_model_invocation_job().job_identifier(&arn).send().await.unwrap().status().cloned();
        if status
            .as_ref()
            .is_some_and(|s| *s == ModelInvocationJobStatus::Completed || *s == ModelInvocationJobStatus::Failed)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, Some(ModelInvocationJobStatus::Completed));
    let id = arn.rsplit('/').next().unwrap();
    let listed = s3.list_objects_v2().bucket("out-bucket").prefix(format!("outputs/{id}/")).send().await.unwrap();
    let mut keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    keys.sort();
    assert_eq!(keys, [format!("outputs/{id}/manifest.json.out"), format!("outputs/{id}/part-001.jsonl.out")]);
    let read = |key: String| {
        let s3 = s3.clone();
        async move {
            s3.get_object()
                .bucket("out-bucket")
                .key(key)
                .send()
                .await
                .unwrap()
                .body
                .collect()
                .await
                .unwrap()
                .into_bytes()
        }
    };
    let out = read(format!("outputs/{id}/part-001.jsonl.out")).await;
    let lines: Vec<_> = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| parse_line(l).unwrap()).collect();
    assert_eq!(lines.len(), 120);
    assert!(lines.iter().all(|l| l.outcome.output.contains("sandbox answer")));
    let manifest: Manifest = serde_json::from_slice(&read(format!("outputs/{id}/manifest.json.out")).await).unwrap();
    assert_eq!((manifest.total_record_count, manifest.success_record_count), (120, 120));
}
