//! The S3 emulator through the real aws-sdk-s3 client: what uploads, listings and downloads need, S3's
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
    // HeadObject reports the size and, when asked, S3's composite checksum of the chunks' CRC32s.
    let head = s3
        .head_object()
        .bucket("big-bucket")
        .key("in/part.jsonl")
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(data.len() as i64));
    let crcs: Vec<u8> = [&one, &two, &three]
        .iter()
        .flat_map(|p| aws_smithy_types::base64::decode(p.checksum_crc32().unwrap()).unwrap())
        .collect();
    let composite = format!("{}-3", aws_smithy_types::base64::encode(crc32fast::hash(&crcs).to_be_bytes()));
    assert_eq!(head.checksum_crc32(), Some(composite.as_str()));
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
    let faults = S3Faults { crash_after_chunks: Some(1), ..S3Faults::default() };
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_uploads_are_listed_by_key_and_gone_once_aborted() {
    let root = tempfile::tempdir().unwrap();
    let server = spawn_s3("127.0.0.1:0".parse().unwrap(), root.path(), S3Faults::default()).unwrap();
    let s3 = client(&server.endpoint()).await;
    s3.create_bucket().bucket("open-bucket").send().await.unwrap();
    let mut ids = Vec::new();
    for key in ["runs/r1/part-001.jsonl", "runs/r1/part-001.jsonl", "runs/r2/part-001.jsonl"] {
        let created = s3.create_multipart_upload().bucket("open-bucket").key(key).send().await.unwrap();
        ids.push(created.upload_id().unwrap().to_string());
    }
    let listed = s3.list_multipart_uploads().bucket("open-bucket").prefix("runs/r1/").send().await.unwrap();
    let mut found: Vec<&str> = listed.uploads().iter().map(|u| u.upload_id().unwrap()).collect();
    found.sort_unstable();
    let mut expected = vec![ids[0].as_str(), ids[1].as_str()];
    expected.sort_unstable();
    assert_eq!(found, expected);
    assert!(listed.uploads().iter().all(|u| u.key() == Some("runs/r1/part-001.jsonl")));
    s3.abort_multipart_upload()
        .bucket("open-bucket")
        .key("runs/r1/part-001.jsonl")
        .upload_id(&ids[0])
        .send()
        .await
        .unwrap();
    let left = s3.list_multipart_uploads().bucket("open-bucket").send().await.unwrap();
    assert_eq!(left.uploads().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_past_the_size_limit_and_malformed_part_lists_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let faults = S3Faults { max_object_bytes: Some(MIB as u64), ..S3Faults::default() };
    let server = spawn_s3("127.0.0.1:0".parse().unwrap(), root.path(), faults).unwrap();
    let s3 = client(&server.endpoint()).await;
    s3.create_bucket().bucket("limit-bucket").send().await.unwrap();
    let big = s3.put_object().bucket("limit-bucket").key("big").body(ByteStream::from(vec![1u8; 2 * MIB])).send();
    assert_eq!(error_code(&big.await.unwrap_err()), "EntityTooLarge");
    let fits = s3.put_object().bucket("limit-bucket").key("fits").body(ByteStream::from(vec![1u8; MIB])).send();
    fits.await.unwrap();
    let listed = s3.list_objects_v2().bucket("limit-bucket").send().await.unwrap();
    let keys: Vec<&str> = listed.contents().iter().map(|o| o.key().unwrap()).collect();
    assert_eq!(keys, ["fits"], "nothing of the refused body was kept");

    // A declared length of 8 GB is refused at once, before any of it is sent.
    let addr = server.addr();
    let started = std::time::Instant::now();
    let answer = tokio::task::spawn_blocking(move || {
        raw(addr, "PUT /limit-bucket/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000000\r\n\r\nabc")
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400") && answer.contains("EntityTooLarge"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    // Junk after the last part of CompleteMultipartUpload: MalformedXML, as S3 answers.
    let upload = s3.create_multipart_upload().bucket("limit-bucket").key("mp").send().await.unwrap();
    let id = upload.upload_id().unwrap().to_string();
    let sent = s3.upload_part().bucket("limit-bucket").key("mp").upload_id(&id).part_number(1);
    let etag = sent.body(ByteStream::from(vec![2u8; 10])).send().await.unwrap().e_tag().unwrap().to_string();
    let body = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload><Part>junk"
    );
    let request = format!(
        "POST /limit-bucket/mp?uploadId={id} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let answer = tokio::task::spawn_blocking(move || raw(addr, &request)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400") && answer.contains("MalformedXML"), "{answer}");
}

/// Sends `request` as is and returns what the server answered (its head and body).
fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    // Read until the answer's body is in (the server may keep the connection open).
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&answer);
        if text.contains("</Error>") {
            break;
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}
