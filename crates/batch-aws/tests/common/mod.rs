//! Helpers shared by the upload suites: deterministic files, a recorded run, reading an object back.

use std::path::Path;
use std::sync::Mutex;

use batch_app::history::{History, NewPart, NewRun, RunDestination, RunId};
use batch_core::aws_names::{JobName, RoleArn, S3Uri};

/// A deterministic file of `len` bytes.
pub fn write_file(path: &Path, len: usize) -> Vec<u8> {
    let bytes: Vec<u8> = (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(path, &bytes).unwrap();
    bytes
}

/// Records a one-part run whose part goes to `target`.
pub fn record_run(history: &Mutex<History>, target: &S3Uri, bytes: u64) -> RunId {
    let run = NewRun {
        prepared_dir: "/tmp/prepared".into(),
        model_id: "amazon.nova-lite-v1:0".into(),
        destination: RunDestination::Batch {
            role_arn: RoleArn::parse("arn:aws:iam::123456789012:role/BedrockBatchRole").unwrap(),
            input_uri: S3Uri::parse("s3://in-bucket/runs/").unwrap(),
            output_uri: S3Uri::parse("s3://out-bucket/out/").unwrap(),
        },
        job_name: JobName::parse("reviews").unwrap(),
        sandbox: false,
        retry_of: None,
        parts: vec![NewPart { file: "part-001.jsonl".into(), records: 100, bytes, input_uri: target.clone() }],
        settings: Default::default(),
        submission: format!("test {target}"),
        parts_fingerprint: "test".into(),
    };
    history.lock().unwrap().create_run(&run).unwrap()
}

/// The bytes of the object at `target`.
pub async fn object(client: &aws_sdk_s3::Client, target: &S3Uri) -> Vec<u8> {
    let got = client.get_object().bucket(target.bucket()).key(target.key()).send().await.unwrap();
    got.body.collect().await.unwrap().into_bytes().to_vec()
}

/// The crashes around a multipart upload's ends, on the S3-protocol server behind `client` (its bucket
/// `in-bucket` exists): each is left as a killed process would leave it, then the part is uploaded again.
pub mod crashes {
    use std::sync::Mutex;
    use std::sync::atomic::AtomicBool;

    use aws_sdk_s3::primitives::ByteStream;
    use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
    use batch_app::history::{History, HistoryJournal, PartUpload, UploadedChunk};
    use batch_aws::s3_upload::{MIN_CHUNK_BYTES, UploadOutcome, UploadProgress, UploadSettings, upload_part};
    use batch_core::aws_names::S3Uri;

    use super::{object, record_run, write_file};

    const SETTINGS: UploadSettings = UploadSettings { chunk_bytes: MIN_CHUNK_BYTES, concurrency: 2 };

    /// Killed after S3 answered CompleteMultipartUpload and before the history recorded it: the next attempt
    /// finds the upload gone, sees the object is this part (size and checksum) and records it, sending nothing.
    pub async fn killed_after_the_upload_completed(client: &aws_sdk_s3::Client) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("part-001.jsonl");
        let size = 2 * MIN_CHUNK_BYTES as usize + 11;
        let bytes = write_file(&file, size);
        let target = S3Uri::parse("s3://in-bucket/runs/done/part-001.jsonl").unwrap();
        let history = Mutex::new(History::open(&dir.path().join("h.sqlite")).unwrap());
        let run = record_run(&history, &target, size as u64);
        let journal = HistoryJournal::new(&history, &run, 1);
        let (bucket, key) = (target.bucket(), target.key());
        // What the killed process did: open, send and record every chunk, complete — but not record that.
        let created = client
            .create_multipart_upload()
            .bucket(bucket)
            .key(key)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .send()
            .await
            .unwrap();
        let upload_id = created.upload_id().unwrap();
        history.lock().unwrap().begin_upload(&run, 1, upload_id).unwrap();
        let mut completed = CompletedMultipartUpload::builder();
        for (index, chunk) in bytes.chunks(MIN_CHUNK_BYTES as usize).enumerate() {
            let number = index as i32 + 1;
            let sent = client
                .upload_part()
                .bucket(bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .checksum_algorithm(ChecksumAlgorithm::Crc32)
                .body(ByteStream::from(chunk.to_vec()))
                .send()
                .await
                .unwrap();
            let recorded = UploadedChunk {
                chunk: number as u32,
                etag: sent.e_tag().unwrap().to_string(),
                checksum: sent.checksum_crc32().unwrap().to_string(),
            };
            history.lock().unwrap().record_chunk(&run, 1, &recorded).unwrap();
            completed = completed.parts(
                CompletedPart::builder()
                    .part_number(number)
                    .e_tag(&recorded.etag)
                    .checksum_crc32(&recorded.checksum)
                    .build(),
            );
        }
        let done = client.complete_multipart_upload().bucket(bucket).key(key).upload_id(upload_id);
        done.multipart_upload(completed.build()).send().await.unwrap();

        let none = AtomicBool::new(false);
        let again = upload_part(
            client,
            &journal,
            &file,
            &target,
            SETTINGS,
            &|event| assert!(matches!(event, UploadProgress::Resumed { .. }), "nothing is sent again: {event:?}"),
            &none,
        )
        .await
        .unwrap();
        assert!(matches!(again, UploadOutcome::Uploaded(_)), "{again:?}");
        assert!(matches!(history.lock().unwrap().parts(&run).unwrap()[0].upload, PartUpload::Uploaded { .. }));
        assert_eq!(object(client, &target).await, bytes);
    }

    /// Killed after S3 answered CreateMultipartUpload and before the history recorded the upload's id: the
    /// next attempt aborts that orphaned upload and uploads the part through a new one.
    pub async fn killed_after_the_upload_opened(client: &aws_sdk_s3::Client) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("part-001.jsonl");
        let size = MIN_CHUNK_BYTES as usize + 3;
        let bytes = write_file(&file, size);
        let target = S3Uri::parse("s3://in-bucket/runs/opened/part-001.jsonl").unwrap();
        let history = Mutex::new(History::open(&dir.path().join("h.sqlite")).unwrap());
        let run = record_run(&history, &target, size as u64);
        let journal = HistoryJournal::new(&history, &run, 1);
        history.lock().unwrap().intend_upload(&run, 1).unwrap();
        assert_eq!(history.lock().unwrap().parts(&run).unwrap()[0].upload, PartUpload::Opening);
        let orphan = client.create_multipart_upload().bucket(target.bucket()).key(target.key()).send().await.unwrap();
        let orphan = orphan.upload_id().unwrap().to_string();

        let none = AtomicBool::new(false);
        upload_part(client, &journal, &file, &target, SETTINGS, &|_| {}, &none).await.unwrap();
        assert_eq!(object(client, &target).await, bytes);
        let open = client.list_multipart_uploads().bucket(target.bucket()).prefix(target.key()).send().await.unwrap();
        let open: Vec<&str> = open.uploads().iter().filter_map(|u| u.upload_id()).collect();
        assert!(open.is_empty(), "the orphan {orphan} and the finished upload are both closed: {open:?}");
    }
}
