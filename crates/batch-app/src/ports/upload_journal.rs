//! The upload journal: where an upload of one part records how far it got before and after each remote
//! call, so an interrupted upload resumes instead of starting over, and a crash never leaves an upload that
//! nothing knows of. The job history keeps it (`history::HistoryJournal`); tests may keep it in memory.

use serde::Serialize;

/// How far a part's upload got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PartUpload {
    /// Nothing sent yet.
    NotStarted,
    /// A multipart upload is being opened: its id was not yet recorded (a crash here may leave an upload
    /// open in S3 that only a listing of the key's uploads finds).
    Opening,
    /// A multipart upload is open; its finished chunks are recorded.
    InProgress {
        /// S3's upload id.
        upload_id: String,
    },
    /// The object exists.
    Uploaded {
        /// Its ETag.
        etag: String,
    },
}

/// A chunk of a multipart upload that S3 acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadedChunk {
    /// 1-based chunk (S3 part) number.
    pub chunk: u32,
    /// S3's ETag for it.
    pub etag: String,
    /// The checksum sent with it.
    pub checksum: String,
}

/// The journal could not be read or written; its message says where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JournalError(pub String);

/// The record of one part's upload. Each write is durable when it returns.
pub trait UploadJournal: Send + Sync {
    /// How far the upload got.
    fn state(&self) -> Result<PartUpload, JournalError>;
    /// About to open a multipart upload (recorded before the call, so a crash during it is noticed).
    fn intend(&self) -> Result<(), JournalError>;
    /// A multipart upload was opened with this id.
    fn begin(&self, upload_id: &str) -> Result<(), JournalError>;
    /// S3 acknowledged this chunk of the open upload.
    fn record_chunk(&self, chunk: &UploadedChunk) -> Result<(), JournalError>;
    /// The acknowledged chunks of the open upload, by number.
    fn chunks(&self) -> Result<Vec<UploadedChunk>, JournalError>;
    /// The object exists, with this ETag.
    fn complete(&self, etag: &str) -> Result<(), JournalError>;
}
