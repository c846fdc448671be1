//! An S3 emulator for the offline sandbox, fault tests and benchmarks: the REST calls that uploads,
//! listings and downloads make, answered from files under one folder, so a restarted server keeps its
//! objects and open multipart uploads (moto keeps state in memory and loses it on restart).
//!
//! Not a general S3: path-style addressing only, no versioning, ACLs, copies or ranges; signatures are
//! not checked. It does check what S3 checks about integrity — CRC32 checksums (header or `aws-chunked`
//! trailer), part ETags and order, the 5 MiB minimum chunk — and answers with S3's error codes.

mod body;
mod disk;
mod error;
mod routes;
mod xml;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32};

pub use disk::{DiskBuckets, ObjectInfo};
pub use error::S3Error;
pub use routes::S3Faults;

use crate::server::{ServedRequest, ServerHandle, spawn_server};

/// Serves the S3 emulator for the store under `root` on `addr` (port 0 picks a free one).
pub fn spawn_s3(addr: SocketAddr, root: &Path, faults: S3Faults) -> std::io::Result<ServerHandle> {
    let store = Arc::new(DiskBuckets::open(root)?);
    spawn_s3_over(addr, store, faults)
}

/// Serves the S3 emulator over an open store (shared with an in-process worker).
pub fn spawn_s3_over(addr: SocketAddr, store: Arc<DiskBuckets>, faults: S3Faults) -> std::io::Result<ServerHandle> {
    let state = Arc::new(routes::S3State {
        store,
        faults,
        chunks_stored: AtomicU32::new(0),
        crashed: AtomicBool::new(false),
        requests: AtomicU32::new(0),
    });
    let handler = Arc::new(move |request: ServedRequest| routes::handle(&state, request));
    spawn_server(addr, "s3-emulator", handler, None)
}

/// The requests the store under `root` logged: `UploadPart <uploadId> <n> <bytes>`, `PutObject …`,
/// `CompleteMultipartUpload …` — for tests that check nothing was sent twice.
pub fn request_log(root: &Path) -> Vec<String> {
    std::fs::read_to_string(root.join("requests.log")).unwrap_or_default().lines().map(str::to_string).collect()
}
