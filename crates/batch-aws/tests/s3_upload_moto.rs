//! Resumable uploads against a real S3-protocol server (moto) through aws-sdk-s3.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use batch_app::history::{History, HistoryJournal, PartUpload};
use batch_aws::s3_upload::{MIN_CHUNK_BYTES, UploadError, UploadOutcome, UploadProgress, UploadSettings, upload_part};
use batch_core::aws_names::S3Uri;
use test_servers::Moto;

mod common;
use common::{object, record_run, write_file};

async fn s3_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = test_servers::sdk_config(endpoint).await;
    let client =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    client.create_bucket().bucket("in-bucket").send().await.unwrap();
    client
}

const SETTINGS: UploadSettings = UploadSettings { chunk_bytes: MIN_CHUNK_BYTES, concurrency: 1 };

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_part_is_one_request_and_a_finished_part_is_not_sent_again() {
    let moto = Moto::start();
    let client = s3_client(&moto.endpoint()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("part-001.jsonl");
    let bytes = write_file(&file, 1000);
    let target = S3Uri::parse("s3://in-bucket/runs/r1/part-001.jsonl").unwrap();
    let history = Mutex::new(History::open(&dir.path().join("h.sqlite")).unwrap());
    let run = record_run(&history, &target, 1000);
    let journal = HistoryJournal::new(&history, &run, 1);
    let none = AtomicBool::new(false);
    let first = upload_part(&client, &journal, &file, &target, SETTINGS, &|_| {}, &none).await.unwrap();
    assert!(matches!(first, UploadOutcome::Uploaded(_)));
    assert_eq!(object(&client, &target).await, bytes);
    let again =
        upload_part(&client, &journal, &file, &target, SETTINGS, &|_| panic!("nothing is sent"), &none).await.unwrap();
    assert!(matches!(again, UploadOutcome::AlreadyUploaded(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_multipart_upload_resumes_without_resending_chunks() {
    let moto = Moto::start();
    let client = s3_client(&moto.endpoint()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("part-001.jsonl");
    let size = 3 * MIN_CHUNK_BYTES as usize + 12_345; // four chunks
    let bytes = write_file(&file, size);
    let target = S3Uri::parse("s3://in-bucket/runs/r1/part-001.jsonl").unwrap();
    let db = dir.path().join("h.sqlite");
    let run = {
        let history = Mutex::new(History::open(&db).unwrap());
        let run = record_run(&history, &target, size as u64);
        let journal = HistoryJournal::new(&history, &run, 1);
        // Interrupted: cancel as soon as the first chunk is acknowledged (one chunk at a time).
        let cancel = AtomicBool::new(false);
        let on_progress = |p: UploadProgress| {
            if matches!(p, UploadProgress::ChunkSent { .. }) {
                cancel.store(true, Ordering::SeqCst);
            }
        };
        let one_at_a_time = UploadSettings { concurrency: 1, ..SETTINGS };
        let err =
            upload_part(&client, &journal, &file, &target, one_at_a_time, &on_progress, &cancel).await.unwrap_err();
        assert!(matches!(err, UploadError::Cancelled { .. }), "{err}");
        run
    };
    // A new process: the history says which chunks S3 has.
    let history = Mutex::new(History::open(&db).unwrap());
    assert!(matches!(history.lock().unwrap().parts(&run).unwrap()[0].upload, PartUpload::InProgress { .. }));
    assert_eq!(history.lock().unwrap().chunks(&run, 1).unwrap().len(), 1);
    let sent = AtomicU32::new(0);
    let resumed = AtomicU32::new(0);
    let on_progress = |p: UploadProgress| match p {
        UploadProgress::ChunkSent { .. } => {
            sent.fetch_add(1, Ordering::SeqCst);
        }
        UploadProgress::Resumed { chunks, .. } => resumed.store(chunks, Ordering::SeqCst),
    };
    let none = AtomicBool::new(false);
    let journal = HistoryJournal::new(&history, &run, 1);
    upload_part(&client, &journal, &file, &target, SETTINGS, &on_progress, &none).await.unwrap();
    assert_eq!(
        (resumed.load(Ordering::SeqCst), sent.load(Ordering::SeqCst)),
        (1, 3),
        "only the three missing chunks are sent"
    );
    assert_eq!(object(&client, &target).await, bytes, "the object is the file, byte for byte");
    assert!(matches!(history.lock().unwrap().parts(&run).unwrap()[0].upload, PartUpload::Uploaded { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_at_either_end_of_a_multipart_upload_leave_nothing_stuck_or_open() {
    let moto = Moto::start();
    let client = s3_client(&moto.endpoint()).await;
    common::crashes::killed_after_the_upload_completed(&client).await;
    common::crashes::killed_after_the_upload_opened(&client).await;
}
