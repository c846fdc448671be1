//! The [`ObjectTransfer`] port over aws-sdk-s3: resumable part uploads and streamed folder downloads.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicBool;

use aws_sdk_s3::Client;
use batch_app::ports::{Downloaded, FailureKind, ObjectTransfer, ServiceError, TransferProgress, UploadJournal};
use batch_core::aws_names::S3Uri;
use tokio::io::AsyncWriteExt;

use crate::failure::service_error;
use crate::s3_upload::{UploadError, UploadOutcome, UploadProgress, UploadSettings, upload_part};

/// S3 transfers over one client.
#[derive(Debug, Clone)]
pub struct S3Transfer {
    client: Client,
    settings: UploadSettings,
}

impl S3Transfer {
    /// Transfers over `client` with these chunking settings.
    pub fn new(client: Client, settings: UploadSettings) -> Self {
        Self { client, settings }
    }

    /// The S3 client (for browsing).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn upload_failure(error: UploadError) -> ServiceError {
    match error {
        UploadError::S3 { kind, .. } => ServiceError::new(kind, "upload", error.to_string()),
        UploadError::Cancelled { .. } => ServiceError::new(FailureKind::Other, "upload", error.to_string()),
        other => ServiceError::new(FailureKind::Other, "upload", other.to_string()),
    }
}

/// The local path for `key` below `prefix`, refusing keys that would leave `dir`.
fn local_path(dir: &Path, prefix: &str, key: &str) -> Option<PathBuf> {
    let relative = key.strip_prefix(prefix)?.trim_start_matches('/');
    let path = Path::new(relative);
    let safe = !relative.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    safe.then(|| dir.join(path))
}

impl ObjectTransfer for S3Transfer {
    async fn upload_part(
        &self,
        journal: &dyn UploadJournal,
        file: &Path,
        target: &S3Uri,
        progress: &dyn TransferProgress,
        cancel: &AtomicBool,
    ) -> Result<bool, ServiceError> {
        let report = |event: UploadProgress| {
            let (UploadProgress::ChunkSent { bytes, .. } | UploadProgress::Resumed { bytes, .. }) = event;
            progress.moved(bytes);
        };
        let outcome = upload_part(&self.client, journal, file, target, self.settings, &report, cancel)
            .await
            .map_err(upload_failure)?;
        Ok(matches!(outcome, UploadOutcome::Uploaded(_)))
    }

    async fn download_folder(
        &self,
        prefix: &S3Uri,
        dir: &Path,
        progress: &dyn TransferProgress,
    ) -> Result<Downloaded, ServiceError> {
        const OP: &str = "download";
        let key_prefix = format!("{}/", prefix.key().trim_end_matches('/'));
        // A URI naming one object (a job's input file) brings that object, under its own name.
        let single = prefix.key().trim_end_matches('/');
        let listed = if prefix.key().ends_with('/') || single.is_empty() { key_prefix.as_str() } else { single };
        let io = |path: &Path, e: std::io::Error| {
            ServiceError::new(FailureKind::Other, OP, format!("{}: cannot write: {e}", path.display()))
        };
        let mut pages = self.client.list_objects_v2().bucket(prefix.bucket()).prefix(listed).into_paginator().send();
        let mut done = Downloaded::default();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| service_error("ListObjectsV2", e))?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                let path = if key == single && !prefix.key().ends_with('/') {
                    key.rsplit('/').next().and_then(|name| local_path(dir, "", name))
                } else {
                    local_path(dir, &key_prefix, key)
                };
                let Some(path) = path else { continue };
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(|e| io(parent, e))?;
                }
                let got = self
                    .client
                    .get_object()
                    .bucket(prefix.bucket())
                    .key(key)
                    .send()
                    .await
                    .map_err(|e| service_error("GetObject", e))?;
                // Streamed to a temporary file and renamed, so a cut download never looks complete.
                let temp = path.with_extension("part-download");
                let mut file = tokio::fs::File::create(&temp).await.map_err(|e| io(&temp, e))?;
                let mut body = got.body;
                while let Some(chunk) = body.try_next().await.map_err(|e| {
                    ServiceError::new(
                        FailureKind::Unavailable,
                        "GetObject",
                        format!("s3://{}/{key}: {e}", prefix.bucket()),
                    )
                })? {
                    file.write_all(&chunk).await.map_err(|e| io(&temp, e))?;
                    progress.moved(chunk.len() as u64);
                    done.bytes += chunk.len() as u64;
                }
                file.flush().await.map_err(|e| io(&temp, e))?;
                drop(file);
                tokio::fs::rename(&temp, &path).await.map_err(|e| io(&path, e))?;
                done.files += 1;
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;
    use std::path::Path;

    #[test]
    fn keys_map_below_the_folder_and_never_escape_it() {
        let dir = Path::new("/tmp/out");
        assert_eq!(local_path(dir, "o/job1/", "o/job1/part-001.jsonl.out").unwrap(), dir.join("part-001.jsonl.out"));
        assert_eq!(local_path(dir, "o/job1/", "o/job1/sub/x.out").unwrap(), dir.join("sub/x.out"));
        assert!(local_path(dir, "o/job1/", "o/job1/../../etc/passwd").is_none());
        assert!(local_path(dir, "o/job1/", "o/job1/").is_none());
        assert!(local_path(dir, "o/job1/", "other/x").is_none());
    }
}
