//! Request payloads as SDKs send them, read as a stream: plain, or `aws-chunked` with the checksum in a
//! trailer; the CRC32 check S3 makes when a checksum is sent; and S3's size limit, enforced while reading.

use std::io::{BufRead, Read};

use hyper::http::HeaderMap;

use super::error::S3Error;

/// S3's largest single PUT and largest multipart chunk: 5 GiB.
pub(crate) const MAX_OBJECT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

fn malformed(what: &str) -> S3Error {
    S3Error::new(400, "IncompleteBody", format!("The aws-chunked body is malformed: {what}."))
}

pub(crate) fn too_large(limit: u64) -> S3Error {
    S3Error::new(
        400,
        "EntityTooLarge",
        format!("Your proposed upload exceeds the maximum allowed size ({limit} bytes)."),
    )
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// A payload being read: the bytes after any `aws-chunked` framing, counted against a size limit and hashed.
pub(crate) struct Payload<R: BufRead> {
    inner: R,
    chunked: bool,
    /// Bytes left in the current chunk (aws-chunked).
    left: u64,
    started: bool,
    finished: bool,
    trailer_crc32: Option<String>,
    header_crc32: Option<String>,
    hasher: crc32fast::Hasher,
    read: u64,
    limit: u64,
    /// Why reading stopped early, as S3 would say it.
    failure: Option<S3Error>,
}

impl<R: BufRead> Payload<R> {
    /// A payload of the request with these headers, at most `limit` bytes; refused at once when a declared
    /// length is already larger.
    pub(crate) fn open(headers: &HeaderMap, inner: R, limit: u64) -> Result<Self, S3Error> {
        let chunked = header(headers, "content-encoding").is_some_and(|e| e.contains("aws-chunked"))
            || header(headers, "x-amz-content-sha256").is_some_and(|s| s.starts_with("STREAMING-"));
        let declared = if chunked { "x-amz-decoded-content-length" } else { "content-length" };
        if header(headers, declared).and_then(|n| n.trim().parse::<u64>().ok()).is_some_and(|n| n > limit) {
            return Err(too_large(limit));
        }
        Ok(Self {
            inner,
            chunked,
            left: 0,
            started: false,
            finished: false,
            trailer_crc32: None,
            header_crc32: header(headers, "x-amz-checksum-crc32"),
            hasher: crc32fast::Hasher::new(),
            read: 0,
            limit,
            failure: None,
        })
    }

    /// After the payload was read to its end: the CRC32 the client sent (header or trailer), checked against
    /// the bytes (BadDigest when it does not match), or the failure that stopped the reading.
    pub(crate) fn finish(self) -> Result<Option<String>, S3Error> {
        if let Some(failure) = self.failure {
            return Err(failure);
        }
        let sent = self.header_crc32.or(self.trailer_crc32);
        if let Some(sent) = &sent {
            let actual = base64(&self.hasher.finalize().to_be_bytes());
            if *sent != actual {
                return Err(S3Error::new(
                    400,
                    "BadDigest",
                    format!("The CRC32 you specified ({sent}) did not match the calculated checksum ({actual})."),
                ));
            }
        }
        Ok(sent)
    }

    /// True when reading stopped on a failure of the payload (size, framing), not of the writer.
    pub(crate) fn failed(&self) -> bool {
        self.failure.is_some()
    }

    fn fail(&mut self, error: S3Error) -> std::io::Error {
        let text = error.message.clone();
        self.failure = Some(error);
        std::io::Error::other(text)
    }

    fn line(&mut self) -> Result<String, S3Error> {
        let mut line = Vec::new();
        (&mut self.inner).take(4096).read_until(b'\n', &mut line).map_err(|_| malformed("the body was cut short"))?;
        if !line.ends_with(b"\r\n") {
            return Err(malformed("a line has no end"));
        }
        line.truncate(line.len() - 2);
        String::from_utf8(line).map_err(|_| malformed("a chunk header is not text"))
    }

    /// Moves to the next chunk; false at the end of the data (the trailer read).
    fn next_chunk(&mut self) -> Result<bool, S3Error> {
        if self.started && !self.line()?.is_empty() {
            return Err(malformed("a chunk is longer than its size"));
        }
        self.started = true;
        let header = self.line()?;
        let size_text = header.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size_text, 16).map_err(|_| malformed("a chunk size is not hexadecimal"))?;
        if size > 0 {
            self.left = size;
            return Ok(true);
        }
        loop {
            let line = self.line()?;
            if line.is_empty() {
                return Ok(false);
            }
            if let Some((name, value)) = line.split_once(':')
                && name.trim().eq_ignore_ascii_case("x-amz-checksum-crc32")
            {
                self.trailer_crc32 = Some(value.trim().to_string());
            }
        }
    }
}

impl<R: BufRead> Read for Payload<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        if self.chunked && self.left == 0 {
            match self.next_chunk() {
                Ok(true) => {}
                Ok(false) => {
                    self.finished = true;
                    return Ok(0);
                }
                Err(error) => return Err(self.fail(error)),
            }
        }
        let want =
            if self.chunked { buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX)) } else { buf.len() };
        let n = self.inner.read(&mut buf[..want]).map_err(|e| {
            let error = S3Error::new(400, "IncompleteBody", format!("The request body was cut short: {e}."));
            self.fail(error)
        })?;
        if n == 0 {
            if self.chunked {
                return Err(self.fail(malformed("the body ends inside a chunk")));
            }
            self.finished = true;
            return Ok(0);
        }
        self.read += n as u64;
        if self.read > self.limit {
            let limit = self.limit;
            return Err(self.fail(too_large(limit)));
        }
        if self.chunked {
            self.left -= n as u64;
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The CRC32 of `bytes` as S3 writes it: the big-endian value in base64.
pub(crate) fn crc32_base64(bytes: &[u8]) -> String {
    base64(&crc32fast::hash(bytes).to_be_bytes())
}

/// S3's composite checksum of a multipart object from its chunks' CRC32s (base64): the CRC32 of the decoded
/// checksums, then `-<chunks>`; `None` when a chunk has none.
pub(crate) fn composite_crc32(chunk_crcs: &[Option<String>]) -> Option<String> {
    let mut joined = Vec::with_capacity(4 * chunk_crcs.len());
    for crc in chunk_crcs {
        joined.extend(unbase64(crc.as_deref()?)?);
    }
    Some(format!("{}-{}", crc32_base64(&joined), chunk_crcs.len()))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = text
        .trim_end_matches('=')
        .bytes()
        .map(|b| ALPHABET.iter().position(|&a| a == b).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for group in digits.chunks(4) {
        let n = group.iter().enumerate().fold(0u32, |acc, (i, &d)| acc | (d << (18 - 6 * i)));
        for i in 0..group.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(headers: &HeaderMap, body: &[u8], limit: u64) -> Result<(Vec<u8>, Option<String>), S3Error> {
        let mut payload = Payload::open(headers, body, limit)?;
        let mut out = Vec::new();
        let read = payload.read_to_end(&mut out);
        let crc = payload.finish()?;
        read.expect("a failure is reported by finish");
        Ok((out, crc))
    }

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd, 0xfc]), "//79/A==");
        for bytes in [&b"f"[..], b"fo", b"foo", &[0xff, 0xfe, 0xfd, 0xfc]] {
            assert_eq!(unbase64(&base64(bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn a_composite_checksum_is_the_crc_of_the_chunk_crcs() {
        // Python: base64(crc32(b64decode("Pxg0lA==") + b64decode("1kcCDA==")).to_bytes(4, "big")) == "m/nb0w=="
        let chunks = [Some("Pxg0lA==".to_string()), Some("1kcCDA==".to_string())];
        assert_eq!(composite_crc32(&chunks).unwrap(), "m/nb0w==-2");
        assert_eq!(composite_crc32(&[Some("Pxg0lA==".into()), None]), None);
    }

    #[test]
    fn chunked_bodies_decode_and_their_trailer_checksum_is_checked() {
        let data = b"hello, chunked world";
        let crc = crc32_base64(data);
        let mut body = b"5;chunk-signature=abc\r\nhello\r\n".to_vec();
        body.extend_from_slice(format!("{:x}\r\n", data.len() - 5).as_bytes());
        body.extend_from_slice(&data[5..]);
        body.extend_from_slice(format!("\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n").as_bytes());
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", "aws-chunked".parse().unwrap());
        let (bytes, sent) = read_all(&headers, &body, 1000).unwrap();
        assert_eq!(bytes, data);
        assert_eq!(sent.as_deref(), Some(crc.as_str()));
        // A wrong trailer is refused as S3 does.
        let tampered = String::from_utf8(body.clone()).unwrap().replace(&crc, "AAAAAA==");
        assert_eq!(read_all(&headers, tampered.as_bytes(), 1000).unwrap_err().code, "BadDigest");
        // A body cut short is malformed, not a panic.
        assert_eq!(read_all(&headers, &tampered.as_bytes()[..8], 1000).unwrap_err().code, "IncompleteBody");
        // Longer than allowed: refused while reading, whatever was declared.
        assert_eq!(read_all(&headers, &body, 10).unwrap_err().code, "EntityTooLarge");
        headers.insert("x-amz-decoded-content-length", "8000000000".parse().unwrap());
        assert_eq!(read_all(&headers, &body, 1000).unwrap_err().code, "EntityTooLarge");
    }

    #[test]
    fn plain_bodies_are_counted_and_their_header_checksum_checked() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-checksum-crc32", crc32_base64(b"abc").parse().unwrap());
        assert_eq!(read_all(&headers, b"abc", 3).unwrap().0, b"abc");
        assert_eq!(read_all(&headers, b"abd", 3).unwrap_err().code, "BadDigest");
        assert_eq!(read_all(&headers, b"abcd", 3).unwrap_err().code, "EntityTooLarge");
        headers.insert("content-length", "8000000000".parse().unwrap());
        assert_eq!(Payload::open(&headers, &b""[..], MAX_OBJECT_BYTES).err().unwrap().code, "EntityTooLarge");
    }
}
