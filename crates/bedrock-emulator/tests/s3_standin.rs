//! The S3 stand-in through the real aws-sdk-s3 client: what uploads, listings and downloads need, S3's
//! integrity checks and error codes, and state that survives a restart.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use bedrock_emulator::s3::{S3Faults, request_log, spawn_s3};

const MIB: usize = 1024 * 1024;

async fn client(endpoint: &str) -> Client {
    let config = test_servers::sdk_config(endpoint).await;
    Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build())
}

fn error_code<E: aws_sdk_s3::error::ProvideErrorMetadata>(error: &aws_sdk_s3::error::SdkError<E>) -> String {
    error.as_service_error().and_then(|e| e.code()).unwrap_or("no service error").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_go_up_come_down_and_list_in_pages() {
    let root = tempfile::tempdir().unwrap();
    let server = spawn_s3("127.0.0.1:0".parse().unwrap(), root.path(), S3Faults::default()).unwrap();
    let s3 = client(&server.endpoint()).await;
    s3.create_bucket().bucket("data-bucket").send().await.unwrap();
    for i in 0..5 {
        s3.put_object()
            .bucket("data-bucket")
            .key(format!("out/job {i}/part+{i}.jsonl.out"))
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(format!("line {i}\n").into_bytes()))
            .send()
            .await
            .unwrap();
    }
    s3.put_object().bucket("data-bucket").key("elsewhere/x").body(ByteStream::from_static(b"x")).send().await.unwrap();
    // Paging two at a time still returns every key under the prefix once, in order.
    let mut pages = s3.list_objects_v2().bucket("data-bucket").prefix("out/").max_keys(2).into_paginator().send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        keys.extend(page.unwrap().contents().iter().map(|o| o.key().unwrap().to_string()));
    }
    assert_eq!(keys, (0..5).map(|i| format!("out/job {i}/part+{i}.jsonl.out")).collect::<Vec<_>>());
    let got = s3.get_object().bucket("data-bucket").key("out/job 3/part+3.jsonl.out").send().await.unwrap();
    assert_eq!(got.body.collect().await.unwrap().into_bytes().as_ref(), b"line 3\n");
    // Delimiters roll keys up into common prefixes.
    let grouped = s3.list_objects_v2().bucket("data-bucket").delimiter("/").send().await.unwrap();
    let prefixes: Vec<_> = grouped.common_prefixes().iter().map(|p| p.prefix().unwrap()).collect();
    assert_eq!(prefixes, ["elsewhere/", "out/"]);
    // S3's error codes, typed by the SDK.
    let missing = s3.get_object().bucket("data-bucket").key("nope").send().await.unwrap_err();
    assert!(missing.as_service_error().is_some_and(|e| e.is_no_such_key()), "{missing:?}");
    let no_bucket = s3.list_objects_v2().bucket("absent-bucket").send().await.unwrap_err();
    assert_eq!(error_code(&no_bucket), "NoSuchBucket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_uploads_check_parts_and_survive_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let first = spawn_s3("127.0.0.1:0".parse().unwrap(), root.path(), S3Faults::default()).unwrap();
    let addr = first.addr();
    let s3 = client(&first.endpoint()).await;
    s3.create_bucket().bucket("big-bucket").send().await.unwrap();
    let data: Vec<u8> = (0..11 * MIB).map(|i| (i % 251) as u8).collect();
    let created = s3
        .create_multipart_upload()
        .bucket("big-bucket")
        .key("in/part.jsonl")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await
        .unwrap();
    let upload_id = created.upload_id().unwrap().to_string();
    let send = |s3: Client, number: i32, bytes: Vec<u8>, upload_id: String| async move {
        s3.upload_part()
            .bucket("big-bucket")
            .key("in/part.jsonl")
            .upload_id(upload_id)
            .part_number(number)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(bytes))
            .send()
            .await
    };
    let one = send(s3.clone(), 1, data[..5 * MIB].to_vec(), upload_id.clone()).await.unwrap();
    // The server stops and a new one starts on the same folder and port: the open upload is still there.
    drop(first);
    let second = spawn_s3(addr, root.path(), S3Faults::default()).unwrap();
    let two = send(s3.clone(), 2, data[5 * MIB..10 * MIB].to_vec(), upload_id.clone()).await.unwrap();
    let three = send(s3.clone(), 3, data[10 * MIB..].to_vec(), upload_id.clone()).await.unwrap();
    let part = |n: i32, sent: &aws_sdk_s3::operation::upload_part::UploadPartOutput| {
        CompletedPart::builder()
            .part_number(n)
            .e_tag(sent.e_tag().unwrap())
            .checksum_crc32(sent.checksum_crc32().unwrap())
            .build()
    };
    // Out-of-order and unknown parts are refused as S3 refuses them.
    let wrong_order = s3
        .complete_multipart_upload()
        .bucket("big-bucket")
        .key("in/part.jsonl")
        .upload_id(&upload_id)
        .multipart_upload(CompletedMultipartUpload::builder().parts(part(2, &two)).parts(part(1, &one)).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&wrong_order), "InvalidPartOrder");
    s3.complete_multipart_upload()
        .bucket("big-bucket")
        .key("in/part.jsonl")
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(part(1, &one))
                .parts(part(2, &two))
                .parts(part(3, &three))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = s3.get_object().bucket("big-bucket").key("in/part.jsonl").send().await.unwrap();
    assert!(got.body.collect().await.unwrap().into_bytes().as_ref() == data.as_slice());
    // A completed upload is gone: more chunks for it get NoSuchUpload (what the uploader restarts on).
    let late = send(s3.clone(), 4, vec![1; 10], upload_id.clone()).await.unwrap_err();
    assert_eq!(error_code(&late), "NoSuchUpload");
    let log = request_log(root.path());
    assert_eq!(log.iter().filter(|l| l.starts_with("UploadPart")).count(), 3, "{log:?}");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_fault_drops_every_request_after_the_chosen_chunk() {
    let root = tempfile::tempdir().unwrap();
    let faults = S3Faults { crash_after_chunks: Some(1) };
    let server = spawn_s3("127.0.0.1:0".parse().unwrap(), root.path(), faults).unwrap();
    let s3 = client(&server.endpoint()).await;
    s3.create_bucket().bucket("crash-bucket").send().await.unwrap();
    let upload = s3.create_multipart_upload().bucket("crash-bucket").key("k").send().await.unwrap();
    let id = upload.upload_id().unwrap();
    let first = s3
        .upload_part()
        .bucket("crash-bucket")
        .key("k")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from(vec![7; MIB]));
    first.send().await.unwrap();
    let after = s3.list_objects_v2().bucket("crash-bucket").send().await.unwrap_err();
    assert!(after.as_service_error().is_none(), "a crashed server answers nothing: {after:?}");
}
