//! Uploading a prepared part to S3: one checksummed PUT when small; otherwise a multipart upload whose id
//! and every acknowledged chunk are recorded in the part's upload journal first, so an interrupted upload resumes
//! without re-sending finished chunks. Chunks go up concurrently; each carries a CRC32 that S3 verifies.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use batch_app::ports::{JournalError, PartUpload, UploadJournal, UploadedChunk};
use batch_core::aws_names::S3Uri;
use tokio::task::JoinSet;

/// S3's smallest part size (all but the last part).
pub const MIN_CHUNK_BYTES: u64 = 5 * 1024 * 1024;

/// How parts are cut and how many go up at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadSettings {
    /// Bytes per chunk (at least [`MIN_CHUNK_BYTES`]); files up to this size go up in one request.
    pub chunk_bytes: u64,
    /// Chunks in flight at once.
    pub concurrency: usize,
}

impl Default for UploadSettings {
    fn default() -> Self {
        Self { chunk_bytes: 16 * 1024 * 1024, concurrency: 4 }
    }
}

/// Progress of one part's upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadProgress {
    /// A chunk was acknowledged (and recorded).
    ChunkSent {
        /// 1-based chunk number.
        chunk: u32,
        /// Its size.
        bytes: u64,
    },
    /// Chunks already acknowledged before an interruption, not sent again.
    Resumed {
        /// How many.
        chunks: u32,
        /// Their bytes.
        bytes: u64,
    },
}

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    /// The object was written; its ETag.
    Uploaded(String),
    /// The journal had it uploaded already; nothing was sent.
    AlreadyUploaded(String),
}

/// Why an upload stopped.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Reading the local part failed.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The part file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// S3 refused or failed a request.
    #[error("uploading to {target}: {detail}; the upload resumes from its last finished chunk when you run it again")]
    S3 {
        /// The object.
        target: String,
        /// What S3 said.
        detail: String,
        /// Retry or stop.
        kind: batch_app::ports::FailureKind,
    },
    /// The upload journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Cancelled; the finished chunks are recorded.
    #[error("upload to {target} cancelled after its finished chunks were recorded; run it again to resume")]
    Cancelled {
        /// The object.
        target: String,
    },
}

fn s3_error<E>(
    target: &S3Uri,
    operation: &'static str,
    error: aws_sdk_s3::error::SdkError<E, HttpResponse>,
) -> UploadError
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let failure = crate::failure::service_error(operation, error);
    UploadError::S3 { target: target.to_string(), detail: failure.message, kind: failure.kind }
}

fn read_range(path: &Path, offset: u64, len: u64) -> Result<Vec<u8>, UploadError> {
    let read = |source| UploadError::Read { path: path.to_path_buf(), source };
    let mut file = std::fs::File::open(path).map_err(read)?;
    file.seek(SeekFrom::Start(offset)).map_err(read)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut bytes).map_err(read)?;
    Ok(bytes)
}

/// Uploads a part from `file` to `target`, resuming the multipart upload its `journal` recorded.
/// `cancel` stops before the next chunk; chunks in flight finish and are recorded.
pub async fn upload_part(
    client: &Client,
    journal: &dyn UploadJournal,
    file: &Path,
    target: &S3Uri,
    settings: UploadSettings,
    progress: &(dyn Fn(UploadProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<UploadOutcome, UploadError> {
    let recorded = journal.state()?;
    if let PartUpload::Uploaded { etag } = recorded {
        return Ok(UploadOutcome::AlreadyUploaded(etag));
    }
    let size = std::fs::metadata(file).map_err(|source| UploadError::Read { path: file.to_path_buf(), source })?.len();
    let chunk_bytes = settings.chunk_bytes.max(MIN_CHUNK_BYTES);
    let (bucket, key) = (target.bucket(), target.key());
    if size <= chunk_bytes {
        let body = read_range(file, 0, size)?;
        let put = client
            .put_object()
            .bucket(bucket)
            .key(key)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| s3_error(target, "PutObject", e))?;
        let etag = put.e_tag().unwrap_or_default().to_string();
        journal.complete(&etag)?;
        progress(UploadProgress::ChunkSent { chunk: 1, bytes: size });
        return Ok(UploadOutcome::Uploaded(etag));
    }

    // Send the missing chunks to the recorded upload; if S3 no longer knows it (expired, or the server
    // lost it), start a new one once. A new upload is recorded before any of its chunks is sent.
    let chunks = size.div_ceil(chunk_bytes) as u32;
    let mut upload_id = match &recorded {
        PartUpload::InProgress { upload_id } => Some(upload_id.clone()),
        _ => None,
    };
    // A crash between opening an upload and recording its id left that upload open in S3: abort it, so it
    // neither costs storage nor is ever mistaken for this one.
    if recorded == PartUpload::Opening {
        abort_orphans(client, target).await?;
    }
    let mut restarted = false;
    loop {
        let id = match upload_id.take() {
            Some(id) => id,
            None => {
                journal.intend()?;
                let created = client
                    .create_multipart_upload()
                    .bucket(bucket)
                    .key(key)
                    .checksum_algorithm(ChecksumAlgorithm::Crc32)
                    .send()
                    .await
                    .map_err(|e| s3_error(target, "CreateMultipartUpload", e))?;
                let id = created.upload_id().unwrap_or_default().to_string();
                journal.begin(&id)?;
                id
            }
        };
        let plan = Chunks { file, target, upload_id: &id, count: chunks, chunk_bytes, size };
        let sent = match send_chunks(client, journal, &plan, settings, progress, cancel).await {
            Ok(()) => complete(client, journal, &plan).await,
            Err(stop) => Err(stop),
        };
        match sent {
            Ok(outcome) => return Ok(outcome),
            Err(Sent::UploadGone) if !restarted => restarted = true,
            Err(Sent::UploadGone) => {
                return Err(UploadError::S3 {
                    target: target.to_string(),
                    detail: "S3 lost the multipart upload twice".into(),
                    kind: batch_app::ports::FailureKind::Unavailable,
                });
            }
            Err(Sent::Failed(error)) => return Err(error),
        }
    }
}

/// How a part is cut.
struct Chunks<'a> {
    file: &'a Path,
    target: &'a S3Uri,
    upload_id: &'a str,
    count: u32,
    chunk_bytes: u64,
    size: u64,
}

/// Why sending chunks stopped.
enum Sent {
    /// S3 does not know the upload (NoSuchUpload).
    UploadGone,
    /// Anything else.
    Failed(UploadError),
}

impl From<UploadError> for Sent {
    fn from(error: UploadError) -> Self {
        Self::Failed(error)
    }
}

impl From<JournalError> for Sent {
    fn from(error: JournalError) -> Self {
        Self::Failed(error.into())
    }
}

/// Sends the chunks the journal does not have, `concurrency` at a time, recording each as S3 acknowledges it.
async fn send_chunks(
    client: &Client,
    journal: &dyn UploadJournal,
    plan: &Chunks<'_>,
    settings: UploadSettings,
    progress: &(dyn Fn(UploadProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<(), Sent> {
    let done: Vec<u32> = journal.chunks()?.iter().map(|c| c.chunk).collect();
    if !done.is_empty() {
        let bytes = done.iter().map(|&c| chunk_len(c, plan.chunk_bytes, plan.size)).sum();
        progress(UploadProgress::Resumed { chunks: done.len() as u32, bytes });
    }
    let mut pending: Vec<u32> = (1..=plan.count).rev().filter(|c| !done.contains(c)).collect();
    let mut in_flight = JoinSet::new();
    let mut stop: Option<Sent> = None;
    loop {
        while in_flight.len() < settings.concurrency.max(1) && stop.is_none() && !cancel.load(Ordering::SeqCst) {
            let Some(chunk) = pending.pop() else { break };
            let offset = u64::from(chunk - 1) * plan.chunk_bytes;
            let body = read_range(plan.file, offset, chunk_len(chunk, plan.chunk_bytes, plan.size))?;
            let request = client
                .upload_part()
                .bucket(plan.target.bucket())
                .key(plan.target.key())
                .upload_id(plan.upload_id)
                .part_number(chunk as i32)
                .checksum_algorithm(ChecksumAlgorithm::Crc32)
                .body(ByteStream::from(body));
            in_flight.spawn(async move { (chunk, request.send().await) });
        }
        let Some(joined) = in_flight.join_next().await else { break };
        match joined {
            Ok((chunk, Ok(sent))) => {
                let recorded = UploadedChunk {
                    chunk,
                    etag: sent.e_tag().unwrap_or_default().to_string(),
                    checksum: sent.checksum_crc32().unwrap_or_default().to_string(),
                };
                journal.record_chunk(&recorded)?;
                progress(UploadProgress::ChunkSent { chunk, bytes: chunk_len(chunk, plan.chunk_bytes, plan.size) });
            }
            Ok((_, Err(e))) => {
                let gone = error_code(&e) == Some("NoSuchUpload");
                stop.get_or_insert_with(|| {
                    if gone { Sent::UploadGone } else { Sent::Failed(s3_error(plan.target, "UploadPart", e)) }
                });
            }
            Err(e) => {
                stop.get_or_insert(Sent::Failed(UploadError::S3 {
                    target: plan.target.to_string(),
                    detail: e.to_string(),
                    kind: batch_app::ports::FailureKind::Other,
                }));
            }
        }
    }
    if let Some(stop) = stop {
        return Err(stop);
    }
    if journal.chunks()?.len() < plan.count as usize {
        return Err(Sent::Failed(UploadError::Cancelled { target: plan.target.to_string() }));
    }
    Ok(())
}

/// Completes the upload from the recorded chunks and records the object's ETag. When S3 no longer knows the
/// upload because it was completed already (a crash after S3's answer, before the journal recorded it), the
/// object itself is checked: the same size and checksum as these chunks make the part uploaded.
async fn complete(client: &Client, journal: &dyn UploadJournal, plan: &Chunks<'_>) -> Result<UploadOutcome, Sent> {
    let chunks = journal.chunks()?;
    let parts: Vec<CompletedPart> = chunks
        .iter()
        .map(|c| {
            let built = CompletedPart::builder().part_number(c.chunk as i32).e_tag(&c.etag);
            if c.checksum.is_empty() { built.build() } else { built.checksum_crc32(&c.checksum).build() }
        })
        .collect();
    let target = plan.target;
    let completed = client
        .complete_multipart_upload()
        .bucket(target.bucket())
        .key(target.key())
        .upload_id(plan.upload_id)
        .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
        .send()
        .await;
    let etag = match completed {
        Ok(completed) => completed.e_tag().unwrap_or_default().to_string(),
        Err(e) if error_code(&e) == Some("NoSuchUpload") => match completed_object(client, plan, &chunks).await? {
            Some(etag) => etag,
            None => return Err(Sent::UploadGone),
        },
        Err(e) => return Err(Sent::Failed(s3_error(target, "CompleteMultipartUpload", e))),
    };
    journal.complete(&etag)?;
    Ok(UploadOutcome::Uploaded(etag))
}

fn error_code<E: aws_sdk_s3::error::ProvideErrorMetadata>(
    error: &aws_sdk_s3::error::SdkError<E, HttpResponse>,
) -> Option<&str> {
    error.as_service_error().and_then(aws_sdk_s3::error::ProvideErrorMetadata::code)
}

/// The ETag of the object at the part's key when it is this part's completed upload: its size is the file's
/// and its checksum the one these chunks make (S3's composite CRC32; without one, the ETag's chunk count).
async fn completed_object(
    client: &Client,
    plan: &Chunks<'_>,
    chunks: &[UploadedChunk],
) -> Result<Option<String>, Sent> {
    let target = plan.target;
    let head = client
        .head_object()
        .bucket(target.bucket())
        .key(target.key())
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await;
    let head = match head {
        Ok(head) => head,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => return Ok(None),
        Err(e) => return Err(Sent::Failed(s3_error(target, "HeadObject", e))),
    };
    let etag = head.e_tag().unwrap_or_default().to_string();
    if head.content_length() != Some(plan.size as i64) || chunks.len() != plan.count as usize {
        return Ok(None);
    }
    let same = match (head.checksum_crc32(), composite_crc32(chunks)) {
        // S3 writes a composite checksum as `<base64>-<chunks>`; some servers leave the suffix out.
        (Some(found), Some(expected)) => found.split('-').next() == Some(expected.as_str()),
        _ => etag.trim_matches('"').ends_with(&format!("-{}", plan.count)),
    };
    Ok(same.then_some(etag))
}

/// S3's composite CRC32 of a multipart object: the CRC32 of the chunks' CRC32s, base64 (`None` when a chunk
/// was sent without one).
fn composite_crc32(chunks: &[UploadedChunk]) -> Option<String> {
    let mut joined = Vec::with_capacity(4 * chunks.len());
    for chunk in chunks {
        joined.extend(aws_smithy_types::base64::decode(&chunk.checksum).ok().filter(|d| d.len() == 4)?);
    }
    Some(aws_smithy_types::base64::encode(crc32fast::hash(&joined).to_be_bytes()))
}

/// Aborts every multipart upload S3 has open for exactly this key (only this run's part writes to it: its key
/// holds the run id); returns how many.
async fn abort_orphans(client: &Client, target: &S3Uri) -> Result<u32, UploadError> {
    let (mut key_marker, mut id_marker) = (None::<String>, None::<String>);
    let mut aborted = 0;
    loop {
        let listed = client
            .list_multipart_uploads()
            .bucket(target.bucket())
            .prefix(target.key())
            .set_key_marker(key_marker.take())
            .set_upload_id_marker(id_marker.take())
            .send()
            .await
            .map_err(|e| s3_error(target, "ListMultipartUploads", e))?;
        for upload in listed.uploads() {
            let (Some(key), Some(id)) = (upload.key(), upload.upload_id()) else { continue };
            if key != target.key() {
                continue;
            }
            match client.abort_multipart_upload().bucket(target.bucket()).key(key).upload_id(id).send().await {
                Ok(_) => aborted += 1,
                Err(e) if error_code(&e) == Some("NoSuchUpload") => {}
                Err(e) => return Err(s3_error(target, "AbortMultipartUpload", e)),
            }
        }
        if listed.is_truncated() != Some(true) {
            return Ok(aborted);
        }
        key_marker = listed.next_key_marker().map(str::to_string);
        id_marker = listed.next_upload_id_marker().map(str::to_string);
        if key_marker.is_none() && id_marker.is_none() {
            return Ok(aborted);
        }
    }
}

fn chunk_len(chunk: u32, chunk_bytes: u64, size: u64) -> u64 {
    let start = u64::from(chunk - 1) * chunk_bytes;
    chunk_bytes.min(size - start)
}
