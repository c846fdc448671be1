//! The S3 emulator's storage: buckets, objects and open multipart uploads as plain files under one folder,
//! so a restarted server (or the next sandbox session) finds everything it had, uploads included.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use batch_core::clock::{rfc3339_from_unix, unix_now};
use batch_core::record_id::fnv1a;

use super::error::S3Error;
use crate::store::{ObjectStore, StoreError};

/// Longest encoded key kept as one file name (file systems allow 255 bytes).
const MAX_ENCODED_KEY: usize = 240;

/// S3's smallest multipart chunk, for every chunk but the last.
const MIN_CHUNK: u64 = 5 * 1024 * 1024;

/// An open multipart upload, as ListMultipartUploads shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    /// The object key it will write.
    pub key: String,
    /// Its id.
    pub upload_id: String,
}

/// Bytes received into a temporary file, not yet an object or a chunk; removed if dropped uncommitted.
#[derive(Debug)]
pub(crate) struct Staged {
    path: PathBuf,
    crc: u32,
    len: u64,
}

impl Staged {
    /// Its size in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// One stored object, as listings show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag, quoted as S3 sends it.
    pub etag: String,
    /// When it was written (RFC 3339, UTC).
    pub modified: String,
}

/// Buckets and uploads on disk.
#[derive(Debug)]
pub struct DiskBuckets {
    root: PathBuf,
    // Completing an upload and writing an object are each a few file operations; one lock keeps them whole.
    lock: Mutex<()>,
    counter: AtomicU64,
}

/// Percent-encodes a key into one file name (`/` included).
fn encode_key(key: &str) -> Result<String, S3Error> {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    // "." and ".." name folders, never objects.
    if out == "." || out == ".." {
        out = out.replace('.', "%2E");
    }
    if key.is_empty() {
        return Err(S3Error::new(400, "InvalidArgument", "An object key cannot be empty."));
    }
    if out.len() > MAX_ENCODED_KEY {
        return Err(S3Error::new(
            400,
            "KeyTooLongError",
            format!("The sandbox store keeps keys up to {MAX_ENCODED_KEY} encoded bytes; this one is {}.", out.len()),
        ));
    }
    Ok(out)
}

fn decode_key(name: &str) -> String {
    crate::server::percent_decode(name)
}

/// S3's bucket-name rules (3–63 characters of lowercase letters, digits, dots and hyphens).
fn check_bucket(bucket: &str) -> Result<(), S3Error> {
    let valid = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && bucket.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
        && bucket.as_bytes().last().is_some_and(u8::is_ascii_alphanumeric);
    if valid { Ok(()) } else { Err(S3Error::new(400, "InvalidBucketName", "The specified bucket is not valid.")) }
}

fn io(error: std::io::Error) -> S3Error {
    S3Error::new(500, "InternalError", format!("The sandbox store failed: {error}"))
}

/// The ETag of some bytes from their CRC32 and length: opaque to clients, stable for equal content.
fn etag_from(crc: u32, len: u64) -> String {
    format!("\"{crc:08x}{len:016x}\"")
}

fn etag_of(bytes: &[u8]) -> String {
    etag_from(crc32fast::hash(bytes), bytes.len() as u64)
}

impl DiskBuckets {
    /// Opens (creating) the store under `root`.
    pub fn open(root: &Path) -> std::io::Result<Self> {
        for dir in ["buckets", "uploads", "tmp"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        Ok(Self { root: root.to_path_buf(), lock: Mutex::new(()), counter: AtomicU64::new(0) })
    }

    /// The folder it keeps everything in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join("buckets").join(bucket)
    }

    fn existing_bucket(&self, bucket: &str) -> Result<PathBuf, S3Error> {
        check_bucket(bucket)?;
        let dir = self.bucket_dir(bucket);
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(S3Error::new(404, "NoSuchBucket", "The specified bucket does not exist.").resource(bucket))
        }
    }

    fn unique(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let seed = format!("{nanos}-{n}-{}", std::process::id());
        format!("{:016x}{:016x}", fnv1a(seed.as_bytes(), 1), fnv1a(seed.as_bytes(), 2))
    }

    /// Reads `source` to its end into a temporary file of the store, hashing it on the way.
    pub(crate) fn stage(&self, source: &mut dyn std::io::Read) -> std::io::Result<Staged> {
        let path = self.root.join("tmp").join(self.unique());
        let mut file = std::fs::File::create(&path)?;
        let mut staged = Staged { path, crc: 0, len: 0 };
        let mut hasher = crc32fast::Hasher::new();
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let n = source.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            file.write_all(&buffer[..n])?;
            staged.len += n as u64;
        }
        file.sync_all()?;
        staged.crc = hasher.finalize();
        Ok(staged)
    }

    /// Moves a staged file into place (rename within the store's folder: atomic).
    fn commit(&self, staged: Staged, path: &Path) -> Result<(), S3Error> {
        std::fs::rename(&staged.path, path).map_err(io)
    }

    fn checksum_file(&self, bucket_dir: &Path, name: &str) -> Result<PathBuf, S3Error> {
        let dir = bucket_dir.join("checksums");
        std::fs::create_dir_all(&dir).map_err(io)?;
        Ok(dir.join(name))
    }

    /// Records (or, with `None`, forgets) an object's checksum as HeadObject reports it.
    fn set_checksum(&self, bucket_dir: &Path, name: &str, checksum: Option<&str>) -> Result<(), S3Error> {
        let path = self.checksum_file(bucket_dir, name)?;
        match checksum {
            Some(checksum) => self.write_atomic(&path, checksum.as_bytes()),
            None => match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io(e)),
            },
        }
    }

    /// Writes `bytes` to `path` through a temporary file, so a crash never leaves half a file.
    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<(), S3Error> {
        let temp = self.root.join("tmp").join(self.unique());
        let mut file = std::fs::File::create(&temp).map_err(io)?;
        file.write_all(bytes).and_then(|()| file.sync_all()).map_err(io)?;
        std::fs::rename(&temp, path).map_err(io)
    }

    /// CreateBucket; false when it already existed.
    pub fn create_bucket(&self, bucket: &str) -> Result<bool, S3Error> {
        check_bucket(bucket)?;
        let _guard = self.guard();
        let dir = self.bucket_dir(bucket);
        if dir.is_dir() {
            return Ok(false);
        }
        std::fs::create_dir_all(dir.join("objects")).map_err(io)?;
        std::fs::create_dir_all(dir.join("etags")).map_err(io)?;
        Ok(true)
    }

    /// HeadBucket.
    pub fn bucket_exists(&self, bucket: &str) -> bool {
        self.existing_bucket(bucket).is_ok()
    }

    /// PutObject of bytes in memory (the emulator's worker writing its outputs); returns the ETag.
    pub fn put(&self, bucket: &str, key: &str, bytes: &[u8]) -> Result<String, S3Error> {
        let dir = self.existing_bucket(bucket)?;
        let name = encode_key(key)?;
        let etag = etag_of(bytes);
        let _guard = self.guard();
        self.set_checksum(&dir, &name, None)?;
        self.write_atomic(&dir.join("etags").join(&name), etag.as_bytes())?;
        self.write_atomic(&dir.join("objects").join(&name), bytes)?;
        Ok(etag)
    }

    /// PutObject of a received body; `checksum` is the CRC32 the client sent (kept for HeadObject).
    pub(crate) fn put_staged(
        &self,
        bucket: &str,
        key: &str,
        staged: Staged,
        checksum: Option<&str>,
    ) -> Result<String, S3Error> {
        let dir = self.existing_bucket(bucket)?;
        let name = encode_key(key)?;
        let etag = etag_from(staged.crc, staged.len);
        let _guard = self.guard();
        self.set_checksum(&dir, &name, checksum)?;
        self.write_atomic(&dir.join("etags").join(&name), etag.as_bytes())?;
        self.commit(staged, &dir.join("objects").join(&name))?;
        Ok(etag)
    }

    /// HeadObject: the size, the ETag and the checksum recorded when it was written.
    pub fn head(&self, bucket: &str, key: &str) -> Result<(u64, String, Option<String>), S3Error> {
        let dir = self.existing_bucket(bucket)?;
        let name = encode_key(key)?;
        let size = std::fs::metadata(dir.join("objects").join(&name))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    S3Error::new(404, "NoSuchKey", "The specified key does not exist.").resource(key)
                }
                _ => io(e),
            })?
            .len();
        let etag = std::fs::read_to_string(dir.join("etags").join(&name)).unwrap_or_default();
        let checksum = std::fs::read_to_string(dir.join("checksums").join(&name)).ok();
        Ok((size, etag, checksum))
    }

    /// GetObject: the bytes and the ETag.
    pub fn get(&self, bucket: &str, key: &str) -> Result<(Vec<u8>, String), S3Error> {
        let dir = self.existing_bucket(bucket)?;
        let name = encode_key(key)?;
        let bytes = std::fs::read(dir.join("objects").join(&name)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                S3Error::new(404, "NoSuchKey", "The specified key does not exist.").resource(key)
            }
            _ => io(e),
        })?;
        let etag = std::fs::read_to_string(dir.join("etags").join(&name)).unwrap_or_else(|_| etag_of(&bytes));
        Ok((bytes, etag))
    }

    /// DeleteObject (absent keys are not an error, as in S3).
    pub fn delete(&self, bucket: &str, key: &str) -> Result<(), S3Error> {
        let dir = self.existing_bucket(bucket)?;
        let name = encode_key(key)?;
        let _guard = self.guard();
        let _ = std::fs::remove_file(dir.join("objects").join(&name));
        let _ = std::fs::remove_file(dir.join("etags").join(&name));
        let _ = std::fs::remove_file(dir.join("checksums").join(&name));
        Ok(())
    }

    /// Objects under `prefix`, sorted by key.
    pub fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, S3Error> {
        let dir = self.existing_bucket(bucket)?;
        let mut objects = Vec::new();
        for entry in std::fs::read_dir(dir.join("objects")).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let key = decode_key(&name);
            if !key.starts_with(prefix) {
                continue;
            }
            let meta = entry.metadata().map_err(io)?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or_else(unix_now, |d| d.as_secs() as i64);
            let etag = std::fs::read_to_string(dir.join("etags").join(&name)).unwrap_or_default();
            objects.push(ObjectInfo { key, size: meta.len(), etag, modified: rfc3339_from_unix(modified) });
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    /// Bucket names, sorted.
    pub fn buckets(&self) -> Result<Vec<String>, S3Error> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join("buckets"))
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    fn upload_dir(&self, upload_id: &str) -> Result<PathBuf, S3Error> {
        let dir = self.root.join("uploads").join(upload_id);
        let valid = !upload_id.is_empty() && upload_id.bytes().all(|b| b.is_ascii_alphanumeric());
        if valid && dir.is_dir() {
            Ok(dir)
        } else {
            Err(S3Error::new(
                404,
                "NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            )
            .resource(upload_id))
        }
    }

    fn check_upload_target(&self, dir: &Path, bucket: &str, key: &str) -> Result<(), S3Error> {
        let target = std::fs::read_to_string(dir.join("target")).map_err(io)?;
        if target == format!("{bucket}\n{key}") {
            Ok(())
        } else {
            Err(S3Error::new(404, "NoSuchUpload", "The specified upload does not exist for this bucket and key."))
        }
    }

    /// CreateMultipartUpload; returns the upload id.
    pub fn create_upload(&self, bucket: &str, key: &str) -> Result<String, S3Error> {
        self.existing_bucket(bucket)?;
        encode_key(key)?;
        let id = self.unique();
        let dir = self.root.join("uploads").join(&id);
        std::fs::create_dir_all(&dir).map_err(io)?;
        self.write_atomic(&dir.join("target"), format!("{bucket}\n{key}").as_bytes())?;
        Ok(id)
    }

    /// ListMultipartUploads: the open uploads of `bucket` whose key starts with `prefix`, by key then id.
    pub fn uploads(&self, bucket: &str, prefix: &str) -> Result<Vec<UploadInfo>, S3Error> {
        self.existing_bucket(bucket)?;
        let mut found = Vec::new();
        for entry in std::fs::read_dir(self.root.join("uploads")).map_err(io)? {
            let entry = entry.map_err(io)?;
            let upload_id = entry.file_name().to_string_lossy().into_owned();
            let Ok(target) = std::fs::read_to_string(entry.path().join("target")) else { continue };
            if let Some((in_bucket, key)) = target.split_once('\n')
                && in_bucket == bucket
                && key.starts_with(prefix)
            {
                found.push(UploadInfo { key: key.to_string(), upload_id });
            }
        }
        found.sort_by(|a, b| (&a.key, &a.upload_id).cmp(&(&b.key, &b.upload_id)));
        Ok(found)
    }

    /// UploadPart of a received body; returns the chunk's ETag. `checksum` is the CRC32 the client sent.
    pub(crate) fn put_part_staged(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: u32,
        staged: Staged,
        checksum: Option<&str>,
    ) -> Result<String, S3Error> {
        if !(1..=10_000).contains(&number) {
            return Err(S3Error::new(400, "InvalidArgument", "Part number must be an integer between 1 and 10000."));
        }
        let dir = self.upload_dir(upload_id)?;
        self.check_upload_target(&dir, bucket, key)?;
        let etag = etag_from(staged.crc, staged.len);
        match checksum {
            Some(checksum) => self.write_atomic(&dir.join(format!("{number}.crc32")), checksum.as_bytes())?,
            None => drop(std::fs::remove_file(dir.join(format!("{number}.crc32")))),
        }
        self.write_atomic(&dir.join(format!("{number}.etag")), etag.as_bytes())?;
        self.commit(staged, &dir.join(number.to_string()))?;
        Ok(etag)
    }

    /// CompleteMultipartUpload from the listed `(number, etag)` chunks; returns the object's ETag.
    pub fn complete(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[(u32, String)],
    ) -> Result<String, S3Error> {
        let dir = self.upload_dir(upload_id)?;
        self.check_upload_target(&dir, bucket, key)?;
        if parts.is_empty() {
            return Err(S3Error::new(400, "MalformedXML", "The XML you provided did not list any parts."));
        }
        if parts.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(S3Error::new(400, "InvalidPartOrder", "The list of parts was not in ascending order."));
        }
        // The chunks are copied one after the other into a new file (never held in memory together).
        let target = self.root.join("tmp").join(self.unique());
        let mut out = std::fs::File::create(&target).map_err(io)?;
        let mut staged = Staged { path: target, crc: 0, len: 0 };
        let mut hasher = crc32fast::Hasher::new();
        let mut chunk_crcs = Vec::with_capacity(parts.len());
        for (index, (number, etag)) in parts.iter().enumerate() {
            let stored = std::fs::read_to_string(dir.join(format!("{number}.etag"))).ok();
            let wanted = format!("\"{}\"", etag.trim_matches('"'));
            if stored.as_deref() != Some(wanted.as_str()) {
                return Err(S3Error::new(
                    400,
                    "InvalidPart",
                    format!("Part {number} was not uploaded, or its ETag does not match."),
                ));
            }
            let mut chunk = std::fs::File::open(dir.join(number.to_string())).map_err(io)?;
            let len = chunk.metadata().map_err(io)?.len();
            if index + 1 < parts.len() && len < MIN_CHUNK {
                return Err(S3Error::new(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed object size.",
                ));
            }
            let mut hashing = HashingWriter { inner: &mut out, hasher: &mut hasher };
            staged.len += std::io::copy(&mut chunk, &mut hashing).map_err(io)?;
            chunk_crcs.push(std::fs::read_to_string(dir.join(format!("{number}.crc32"))).ok());
        }
        out.sync_all().map_err(io)?;
        drop(out);
        staged.crc = hasher.finalize();
        let etag = format!("\"{:08x}{:016x}-{}\"", staged.crc, staged.len, parts.len());
        let checksum = super::body::composite_crc32(&chunk_crcs);
        let object_dir = self.existing_bucket(bucket)?;
        let name = encode_key(key)?;
        let _guard = self.guard();
        self.set_checksum(&object_dir, &name, checksum.as_deref())?;
        self.write_atomic(&object_dir.join("etags").join(&name), etag.as_bytes())?;
        self.commit(staged, &object_dir.join("objects").join(&name))?;
        std::fs::remove_dir_all(&dir).map_err(io)?;
        Ok(etag)
    }

    /// AbortMultipartUpload.
    pub fn abort(&self, bucket: &str, key: &str, upload_id: &str) -> Result<(), S3Error> {
        let dir = self.upload_dir(upload_id)?;
        self.check_upload_target(&dir, bucket, key)?;
        std::fs::remove_dir_all(&dir).map_err(io)
    }

    /// Appends a line to `requests.log` (what was received, for tests that count re-sent bytes).
    pub(crate) fn log(&self, line: &str) {
        let _guard = self.guard();
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(self.root.join("requests.log"))
        {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// Writes through to a file while hashing what passes.
struct HashingWriter<'a> {
    inner: &'a mut std::fs::File,
    hasher: &'a mut crc32fast::Hasher,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl ObjectStore for DiskBuckets {
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(DiskBuckets::list(self, bucket, prefix).map_err(store_error)?.into_iter().map(|o| o.key).collect())
    }

    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        match DiskBuckets::get(self, bucket, key) {
            Ok((bytes, _)) => Ok(bytes),
            Err(e) if e.code == "NoSuchKey" => Err(StoreError::NotFound { bucket: bucket.into(), key: key.into() }),
            Err(e) => Err(store_error(e)),
        }
    }

    fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        DiskBuckets::put(self, bucket, key, &bytes).map(|_| ()).map_err(store_error)
    }
}

fn store_error(error: S3Error) -> StoreError {
    StoreError::Failed(error.to_string())
}
