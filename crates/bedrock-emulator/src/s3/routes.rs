//! The S3 REST routes the S3 emulator answers (path-style addressing): buckets, objects, listings and
//! multipart uploads — the calls aws-sdk-s3 and boto3 make to upload, list and download.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use hyper::Method;
use hyper::header::HeaderValue;

use super::body::{MAX_OBJECT_BYTES, Payload};
use super::disk::DiskBuckets;
use super::error::S3Error;
use super::xml;
use crate::server::{Reply, ServedRequest, percent_decode, query_pairs, respond};

/// Failure injection and limits for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct S3Faults {
    /// After storing this many multipart chunks the server acts as if killed: every later request (and
    /// the connections open at that moment) is dropped without an answer.
    pub crash_after_chunks: Option<u32>,
    /// A smaller cap than S3's 5 GiB per PUT and per chunk (tests of the limit need not send gigabytes).
    pub max_object_bytes: Option<u64>,
}

/// The largest CompleteMultipartUpload body read (10,000 parts with checksums fit well within it).
const MAX_XML_BYTES: u64 = 4 * 1024 * 1024;

/// The server's state.
pub(crate) struct S3State {
    pub store: Arc<DiskBuckets>,
    pub faults: S3Faults,
    pub chunks_stored: AtomicU32,
    pub crashed: AtomicBool,
    pub requests: AtomicU32,
}

fn xml_reply(status: u16, body: String) -> Reply {
    Some(respond(status, "application/xml", body))
}

fn empty(status: u16) -> hyper::Response<http_body_util::Full<hyper::body::Bytes>> {
    respond(status, "application/xml", Vec::new())
}

fn header(response: &mut hyper::Response<http_body_util::Full<hyper::body::Bytes>>, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// Answers one request.
pub(crate) fn handle(state: &S3State, request: ServedRequest) -> Reply {
    if state.crashed.load(Ordering::SeqCst) {
        return None;
    }
    let id = state.requests.fetch_add(1, Ordering::Relaxed);
    let request_id = format!("SANDBOX{id:010}");
    let mut request = request;
    match route(state, &mut request) {
        Ok(reply) => reply,
        Err(error) => {
            let mut response = respond(error.status, "application/xml", xml::error(&error, &request_id));
            header(&mut response, "x-amz-request-id", &request_id);
            Some(response)
        }
    }
}

/// Receives a PUT body into the store's temporary folder: its payload (aws-chunked framing removed), within
/// the size limit, and the CRC32 the client sent, checked.
fn receive(state: &S3State, request: &mut ServedRequest) -> Result<(super::disk::Staged, Option<String>), S3Error> {
    let limit = state.faults.max_object_bytes.unwrap_or(MAX_OBJECT_BYTES);
    let reader = std::io::BufReader::with_capacity(64 * 1024, &mut request.body);
    let mut payload = Payload::open(&request.head.headers, reader, limit)?;
    let staged = state.store.stage(&mut payload);
    let failed = payload.failed();
    let checksum = payload.finish();
    match staged {
        Err(e) if !failed => Err(S3Error::new(500, "InternalError", format!("The sandbox store failed: {e}"))),
        staged => {
            let checksum = checksum?;
            Ok((staged.map_err(|e| S3Error::new(400, "IncompleteBody", e.to_string()))?, checksum))
        }
    }
}

fn route(state: &S3State, request: &mut ServedRequest) -> Result<Reply, S3Error> {
    let head = &request.head.clone();
    let params = query_pairs(head);
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let has = |name: &str| params.iter().any(|(k, _)| k == name);
    let path = head.uri.path().trim_start_matches('/');
    let (bucket, key) = match path.split_once('/') {
        Some((bucket, key)) => (percent_decode(bucket), percent_decode(key)),
        None => (percent_decode(path), String::new()),
    };
    let store = &state.store;
    let method = &head.method;
    if bucket.is_empty() {
        return match *method {
            Method::GET => Ok(xml_reply(200, xml::buckets(&store.buckets()?))),
            _ => Err(not_implemented(method, "/")),
        };
    }
    if key.is_empty() {
        return match *method {
            Method::PUT => {
                store.create_bucket(&bucket)?;
                let mut response = empty(200);
                header(&mut response, "location", &format!("/{bucket}"));
                Ok(Some(response))
            }
            Method::HEAD if store.bucket_exists(&bucket) => Ok(Some(empty(200))),
            Method::HEAD => Ok(Some(empty(404))),
            Method::GET if has("uploads") => {
                let prefix = param("prefix").unwrap_or("");
                Ok(xml_reply(200, xml::uploads(&bucket, prefix, &store.uploads(&bucket, prefix)?)))
            }
            Method::GET if has("location") => {
                store.list(&bucket, "")?;
                Ok(xml_reply(200, r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#.into()))
            }
            Method::GET => list(store, &bucket, &param),
            _ => Err(not_implemented(method, &bucket)),
        };
    }
    match (method, param("uploadId")) {
        (&Method::POST, None) if has("uploads") => {
            let upload_id = store.create_upload(&bucket, &key)?;
            Ok(xml_reply(200, xml::initiated(&bucket, &key, &upload_id)))
        }
        (&Method::PUT, Some(upload_id)) => {
            let number: u32 = param("partNumber")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| S3Error::new(400, "InvalidArgument", "partNumber is missing or not a number."))?;
            let (staged, checksum) = receive(state, request)?;
            let len = staged.len();
            let etag = store.put_part_staged(&bucket, &key, upload_id, number, staged, checksum.as_deref())?;
            store.log(&format!("UploadPart {upload_id} {number} {len}"));
            let stored = state.chunks_stored.fetch_add(1, Ordering::SeqCst) + 1;
            if state.faults.crash_after_chunks.is_some_and(|limit| stored >= limit) {
                state.crashed.store(true, Ordering::SeqCst);
            }
            Ok(Some(object_written(&etag, checksum)))
        }
        (&Method::POST, Some(upload_id)) => {
            let body = request
                .body
                .read_to_limit(MAX_XML_BYTES)
                .map_err(|_| S3Error::new(400, "MalformedXML", "The XML you provided was too large or cut short."))?;
            let parts = xml::completed_parts(&body)?;
            let etag = store.complete(&bucket, &key, upload_id, &parts)?;
            store.log(&format!("CompleteMultipartUpload {upload_id} {}", parts.len()));
            Ok(xml_reply(200, xml::completed(&bucket, &key, &etag)))
        }
        (&Method::DELETE, Some(upload_id)) => {
            store.abort(&bucket, &key, upload_id)?;
            Ok(Some(empty(204)))
        }
        (&Method::PUT, None) if head.headers.contains_key("x-amz-copy-source") => Err(not_implemented(method, &key)),
        (&Method::PUT, None) => {
            let (staged, checksum) = receive(state, request)?;
            let len = staged.len();
            let etag = store.put_staged(&bucket, &key, staged, checksum.as_deref())?;
            store.log(&format!("PutObject {bucket}/{key} {len}"));
            Ok(Some(object_written(&etag, checksum)))
        }
        (&Method::HEAD, None) => {
            let (len, etag, checksum) = store.head(&bucket, &key)?;
            let mut response = respond(200, "application/octet-stream", Vec::new());
            header(&mut response, "etag", &etag);
            header(&mut response, "content-length", &len.to_string());
            let asked =
                head.headers.get("x-amz-checksum-mode").is_some_and(|m| m.as_bytes().eq_ignore_ascii_case(b"ENABLED"));
            if let Some(checksum) = checksum.filter(|_| asked) {
                header(&mut response, "x-amz-checksum-crc32", &checksum);
                let kind = if checksum.contains('-') { "COMPOSITE" } else { "FULL_OBJECT" };
                header(&mut response, "x-amz-checksum-type", kind);
            }
            Ok(Some(response))
        }
        (&Method::GET, None) => {
            let (bytes, etag) = store.get(&bucket, &key)?;
            let mut response = respond(200, "application/octet-stream", bytes);
            header(&mut response, "etag", &etag);
            Ok(Some(response))
        }
        (&Method::DELETE, None) => {
            store.delete(&bucket, &key)?;
            Ok(Some(empty(204)))
        }
        _ => Err(not_implemented(method, &key)),
    }
}

fn object_written(etag: &str, crc32: Option<String>) -> hyper::Response<http_body_util::Full<hyper::body::Bytes>> {
    let mut response = empty(200);
    header(&mut response, "etag", etag);
    if let Some(crc32) = crc32 {
        header(&mut response, "x-amz-checksum-crc32", &crc32);
    }
    response
}

fn not_implemented(method: &Method, resource: &str) -> S3Error {
    S3Error::new(501, "NotImplemented", format!("The sandbox S3 store does not implement {method} here."))
        .resource(resource)
}

/// ListObjectsV2 (and V1, answered the same way): prefix, delimiter, max-keys, continuation and start-after.
fn list<'a>(store: &DiskBuckets, bucket: &str, param: &dyn Fn(&str) -> Option<&'a str>) -> Result<Reply, S3Error> {
    let prefix = param("prefix").unwrap_or("");
    let delimiter = param("delimiter").filter(|d| !d.is_empty());
    let max_keys = param("max-keys").and_then(|m| m.parse().ok()).unwrap_or(1000usize).min(1000);
    let continuation = param("continuation-token");
    let after = continuation.or(param("start-after")).unwrap_or("");
    let mut objects = Vec::new();
    let mut common: Vec<String> = Vec::new();
    let mut next_token = None;
    for object in store.list(bucket, prefix)?.into_iter().filter(|o| o.key.as_str() > after) {
        let rolled = delimiter.and_then(|d| {
            object.key[prefix.len()..].find(d).map(|at| object.key[..prefix.len() + at + d.len()].to_string())
        });
        if objects.len() + common.len() == max_keys {
            next_token = Some(object.key.clone());
            break;
        }
        match rolled {
            Some(group) if common.last() == Some(&group) => {}
            Some(group) => common.push(group),
            None => objects.push(object),
        }
    }
    // The token names the last key returned, so the next page starts after it.
    let next = next_token.map(|_| {
        let last_object = objects.last().map(|o| o.key.clone()).unwrap_or_default();
        let last_prefix = common.last().map(|p| format!("{p}\u{10FFFF}")).unwrap_or_default();
        last_object.max(last_prefix)
    });
    let page = xml::ListPage {
        bucket,
        prefix,
        delimiter,
        max_keys,
        objects: &objects,
        common_prefixes: &common,
        next_token: next.as_deref(),
        continuation,
    };
    Ok(xml_reply(200, xml::list(&page)))
}
