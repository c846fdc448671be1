//! Uploads against the S3 emulator, which keeps open multipart uploads on disk: the server killed in the
//! middle of an upload and started again (the upload resumes, no chunk is sent twice), and a server that
//! lost the upload (the part starts over once, cleanly).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use batch_app::history::{History, HistoryJournal, PartUpload};
use batch_aws::s3_upload::{MIN_CHUNK_BYTES, UploadSettings, upload_part};
use batch_core::aws_names::S3Uri;
use bedrock_emulator::ServerHandle;
use bedrock_emulator::s3::{S3Faults, request_log, spawn_s3};

mod common;
use common::{object, record_run, write_file};

const SETTINGS: UploadSettings = UploadSettings { chunk_bytes: MIN_CHUNK_BYTES, concurrency: 2 };

fn start(addr: SocketAddr, root: &Path, faults: S3Faults) -> ServerHandle {
    spawn_s3(addr, root, faults).unwrap()
}

async fn client(server: &ServerHandle) -> aws_sdk_s3::Client {
    let config = test_servers::sdk_config(&server.endpoint()).await;
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build())
}

/// The chunk numbers the server stored, per upload id.
fn stored_chunks(root: &Path) -> Vec<(String, u32)> {
    request_log(root)
        .iter()
        .filter_map(|line| {
            let mut words = line.split(' ');
            (words.next() == Some("UploadPart"))
                .then(|| (words.next().unwrap().to_string(), words.next().unwrap().parse().unwrap()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_killed_mid_upload_and_restarted_gets_each_chunk_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("s3");
    let file = dir.path().join("part-001.jsonl");
    let size = 5 * MIN_CHUNK_BYTES as usize + 777; // six chunks
    let bytes = write_file(&file, size);
    let target = S3Uri::parse("s3://in-bucket/runs/r1/part-001.jsonl").unwrap();
    let history = Mutex::new(History::open(&dir.path().join("h.sqlite")).unwrap());
    let run = record_run(&history, &target, size as u64);
    let journal = HistoryJournal::new(&history, &run, 1);

    // The server "dies" after storing its second chunk: the rest of the requests get no answer.
    let first =
        start("127.0.0.1:0".parse().unwrap(), &root, S3Faults { crash_after_chunks: Some(2), ..S3Faults::default() });
    let addr = first.addr();
    let s3 = client(&first).await;
    s3.create_bucket().bucket("in-bucket").send().await.unwrap();
    let none = AtomicBool::new(false);
    let error = upload_part(&s3, &journal, &file, &target, SETTINGS, &|_| {}, &none).await.unwrap_err();
    assert!(error.to_string().contains("resumes"), "{error}");
    drop(first);
    let recorded = history.lock().unwrap().chunks(&run, 1).unwrap().len();
    assert!((1..=2).contains(&recorded), "the acknowledged chunks are recorded: {recorded}");

    // A new server on the same folder and port; the same client resumes the same upload.
    let second = start(addr, &root, S3Faults::default());
    upload_part(&s3, &journal, &file, &target, SETTINGS, &|_| {}, &none).await.unwrap();
    assert_eq!(object(&s3, &target).await, bytes, "byte for byte");
    let chunks = stored_chunks(&root);
    let uploads: std::collections::HashSet<_> = chunks.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(uploads.len(), 1, "one multipart upload: {chunks:?}");
    let mut numbers: Vec<u32> = chunks.iter().map(|(_, n)| *n).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6], "each chunk stored exactly once");
    assert!(matches!(history.lock().unwrap().parts(&run).unwrap()[0].upload, PartUpload::Uploaded { .. }));
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_the_server_lost_starts_over_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("s3");
    let file = dir.path().join("part-001.jsonl");
    let size = 2 * MIN_CHUNK_BYTES as usize + 5; // three chunks
    let bytes = write_file(&file, size);
    let target = S3Uri::parse("s3://in-bucket/runs/r1/part-001.jsonl").unwrap();
    let history = Mutex::new(History::open(&dir.path().join("h.sqlite")).unwrap());
    let run = record_run(&history, &target, size as u64);
    let journal = HistoryJournal::new(&history, &run, 1);
    let first =
        start("127.0.0.1:0".parse().unwrap(), &root, S3Faults { crash_after_chunks: Some(1), ..S3Faults::default() });
    let addr = first.addr();
    let s3 = client(&first).await;
    s3.create_bucket().bucket("in-bucket").send().await.unwrap();
    let none = AtomicBool::new(false);
    let one = UploadSettings { concurrency: 1, ..SETTINGS };
    upload_part(&s3, &journal, &file, &target, one, &|_| {}, &none).await.unwrap_err();
    drop(first);
    // The restarted server has forgotten every open upload (as S3 does after AbortIncompleteMultipartUpload).
    std::fs::remove_dir_all(root.join("uploads")).unwrap();
    std::fs::create_dir_all(root.join("uploads")).unwrap();
    let second = start(addr, &root, S3Faults::default());
    upload_part(&s3, &journal, &file, &target, one, &|_| {}, &none).await.unwrap();
    assert_eq!(object(&s3, &target).await, bytes);
    let uploads: std::collections::HashSet<_> = stored_chunks(&root).into_iter().map(|(id, _)| id).collect();
    assert_eq!(uploads.len(), 2, "the lost upload and its replacement");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_at_either_end_of_a_multipart_upload_leave_nothing_stuck_or_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = start("127.0.0.1:0".parse().unwrap(), &dir.path().join("s3"), S3Faults::default());
    let s3 = client(&server).await;
    s3.create_bucket().bucket("in-bucket").send().await.unwrap();
    common::crashes::killed_after_the_upload_completed(&s3).await;
    common::crashes::killed_after_the_upload_opened(&s3).await;
}
