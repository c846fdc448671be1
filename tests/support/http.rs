//! A minimal HTTP/1.1 client for the end-to-end suites (no SDK): one request per connection.

use std::io::{Read, Write};
use std::net::TcpStream;

/// A response: status, raw header block and body.
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// The header lines, lower-cased.
    pub headers: String,
    /// The body (chunked transfer decoded).
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `%XX`-encodes everything but unreserved characters (for ARNs in paths).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sends `method path` to `host:port` with `body`.
pub fn request(addr: &str, method: &str, path: &str, body: &[u8]) -> Response {
    send(addr, method, path, body, "")
}

/// Like [`request`], as the holder of `access_key` to a server that reads the key but does not check
/// signatures (moto): the objects another client wrote with that key are then readable.
pub fn request_as(addr: &str, method: &str, path: &str, body: &[u8], access_key: &str) -> Response {
    let authorization = format!(
        "Authorization: AWS4-HMAC-SHA256 Credential={access_key}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n"
    );
    send(addr, method, path, body, &authorization)
}

fn send(addr: &str, method: &str, path: &str, body: &[u8], extra_headers: &str) -> Response {
    try_send(addr, method, path, body, extra_headers)
        .unwrap_or_else(|| panic!("{method} {path}: {addr} closed the connection without an answer"))
}

/// Like [`request`], but `None` when the server closes the connection without an answer.
pub fn try_request(addr: &str, method: &str, path: &str, body: &[u8]) -> Option<Response> {
    try_send(addr, method, path, body, "")
}

fn try_send(addr: &str, method: &str, path: &str, body: &[u8], extra_headers: &str) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    // No test waits forever on a server that stopped answering.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60))).expect("set a read timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nContent-Type: application/json\r\n{extra_headers}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).expect("send request");
    let mut raw = Vec::new();
    if let Err(error) = stream.read_to_end(&mut raw) {
        panic!("{method} {path}: no answer from {addr}: {error}");
    }
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = headers.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status code");
    let mut body = raw[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Some(Response { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..line_end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}
