//! Request bodies as SDKs send them: plain, or `aws-chunked` with the checksum in a trailer; and the CRC32
//! check S3 makes when a checksum is sent.

use hyper::http::HeaderMap;

use super::error::S3Error;

/// A decoded body and the CRC32 checksum the client sent with it, if any.
#[derive(Debug)]
pub(crate) struct DecodedBody {
    /// The payload.
    pub bytes: Vec<u8>,
    /// The `x-amz-checksum-crc32` value (header or trailer), base64.
    pub crc32: Option<String>,
}

fn malformed(what: &str) -> S3Error {
    S3Error::new(400, "IncompleteBody", format!("The aws-chunked body is malformed: {what}."))
}

/// Decodes the body and checks its CRC32 when one was sent (BadDigest when it does not match).
pub(crate) fn decode(headers: &HeaderMap, raw: &[u8]) -> Result<DecodedBody, S3Error> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let chunked = header("content-encoding").is_some_and(|e| e.contains("aws-chunked"))
        || header("x-amz-content-sha256").is_some_and(|s| s.starts_with("STREAMING-"));
    let (bytes, trailer) = if chunked { decode_chunked(raw)? } else { (raw.to_vec(), None) };
    let crc32 = header("x-amz-checksum-crc32").or(trailer);
    if let Some(sent) = &crc32 {
        let actual = crc32_base64(&bytes);
        if *sent != actual {
            return Err(S3Error::new(
                400,
                "BadDigest",
                format!("The CRC32 you specified ({sent}) did not match the calculated checksum ({actual})."),
            ));
        }
    }
    Ok(DecodedBody { bytes, crc32 })
}

/// `<hex size>[;ext]\r\n<data>\r\n` … `0\r\n<trailers>\r\n\r\n` → the data and the CRC32 trailer.
fn decode_chunked(raw: &[u8]) -> Result<(Vec<u8>, Option<String>), S3Error> {
    let mut out = Vec::with_capacity(raw.len());
    let mut at = 0;
    loop {
        let line_end = find_crlf(raw, at).ok_or_else(|| malformed("a chunk header has no line end"))?;
        let line = std::str::from_utf8(&raw[at..line_end]).map_err(|_| malformed("a chunk header is not text"))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| malformed("a chunk size is not hexadecimal"))?;
        at = line_end + 2;
        if size == 0 {
            break;
        }
        let end = at.checked_add(size).filter(|&e| e <= raw.len()).ok_or_else(|| malformed("a chunk is cut short"))?;
        out.extend_from_slice(&raw[at..end]);
        at = end + 2;
    }
    let mut crc32 = None;
    while let Some(line_end) = find_crlf(raw, at) {
        let line = String::from_utf8_lossy(&raw[at..line_end]).into_owned();
        at = line_end + 2;
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("x-amz-checksum-crc32")
        {
            crc32 = Some(value.trim().to_string());
        }
    }
    Ok((out, crc32))
}

fn find_crlf(raw: &[u8], from: usize) -> Option<usize> {
    raw.get(from..)?.windows(2).position(|w| w == b"\r\n").map(|p| p + from)
}

/// The CRC32 of `bytes` as S3 writes it: the big-endian value in base64.
pub(crate) fn crc32_base64(bytes: &[u8]) -> String {
    base64(&crc32fast::hash(bytes).to_be_bytes())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd, 0xfc]), "//79/A==");
    }

    #[test]
    fn chunked_bodies_decode_and_their_trailer_checksum_is_checked() {
        let data = b"hello, chunked world";
        let crc = crc32_base64(data);
        let mut body = b"5\r\nhello\r\n".to_vec();
        body.extend_from_slice(format!("{:x}\r\n", data.len() - 5).as_bytes());
        body.extend_from_slice(&data[5..]);
        body.extend_from_slice(format!("\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n").as_bytes());
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", "aws-chunked".parse().unwrap());
        let decoded = decode(&headers, &body).unwrap();
        assert_eq!(decoded.bytes, data);
        assert_eq!(decoded.crc32.as_deref(), Some(crc.as_str()));
        // A wrong trailer is refused as S3 does.
        let tampered = String::from_utf8(body).unwrap().replace(&crc, "AAAAAA==");
        assert_eq!(decode(&headers, tampered.as_bytes()).unwrap_err().code, "BadDigest");
        // A body cut short is malformed, not a panic.
        assert_eq!(decode(&headers, &tampered.as_bytes()[..8]).unwrap_err().code, "IncompleteBody");
    }
}
