//! The XML S3 answers with, and the one XML body it reads (CompleteMultipartUpload's part list).

use super::disk::ObjectInfo;
use super::error::S3Error;

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Escapes text for an XML element.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// `<Error>` with the code, message and resource.
pub(crate) fn error(error: &S3Error, request_id: &str) -> String {
    format!(
        "{HEADER}<Error><Code>{}</Code><Message>{}</Message><Resource>{}</Resource><RequestId>{request_id}</RequestId></Error>",
        error.code,
        escape(&error.message),
        escape(&error.resource)
    )
}

/// CreateMultipartUpload's answer.
pub(crate) fn initiated(bucket: &str, key: &str, upload_id: &str) -> String {
    format!(
        "{HEADER}<InitiateMultipartUploadResult xmlns=\"{NAMESPACE}\"><Bucket>{}</Bucket><Key>{}</Key><UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>",
        escape(bucket),
        escape(key)
    )
}

/// CompleteMultipartUpload's answer.
pub(crate) fn completed(bucket: &str, key: &str, etag: &str) -> String {
    format!(
        "{HEADER}<CompleteMultipartUploadResult xmlns=\"{NAMESPACE}\"><Location>/{}/{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></CompleteMultipartUploadResult>",
        escape(bucket),
        escape(key),
        escape(bucket),
        escape(key),
        escape(etag)
    )
}

/// One page of ListObjectsV2.
pub(crate) struct ListPage<'a> {
    pub bucket: &'a str,
    pub prefix: &'a str,
    pub delimiter: Option<&'a str>,
    pub max_keys: usize,
    pub objects: &'a [ObjectInfo],
    pub common_prefixes: &'a [String],
    pub next_token: Option<&'a str>,
    pub continuation: Option<&'a str>,
}

/// ListObjectsV2's answer.
pub(crate) fn list(page: &ListPage<'_>) -> String {
    let mut out = format!(
        "{HEADER}<ListBucketResult xmlns=\"{NAMESPACE}\"><Name>{}</Name><Prefix>{}</Prefix><KeyCount>{}</KeyCount><MaxKeys>{}</MaxKeys><IsTruncated>{}</IsTruncated>",
        escape(page.bucket),
        escape(page.prefix),
        page.objects.len() + page.common_prefixes.len(),
        page.max_keys,
        page.next_token.is_some()
    );
    if let Some(delimiter) = page.delimiter {
        out.push_str(&format!("<Delimiter>{}</Delimiter>", escape(delimiter)));
    }
    if let Some(token) = page.continuation {
        out.push_str(&format!("<ContinuationToken>{}</ContinuationToken>", escape(token)));
    }
    for object in page.objects {
        out.push_str(&format!(
            "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>{}</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
            escape(&object.key),
            object.modified,
            escape(&object.etag),
            object.size
        ));
    }
    for prefix in page.common_prefixes {
        out.push_str(&format!("<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>", escape(prefix)));
    }
    if let Some(token) = page.next_token {
        out.push_str(&format!("<NextContinuationToken>{}</NextContinuationToken>", escape(token)));
    }
    out.push_str("</ListBucketResult>");
    out
}

/// ListBuckets' answer.
pub(crate) fn buckets(names: &[String]) -> String {
    let mut out =
        format!("{HEADER}<ListAllMyBucketsResult xmlns=\"{NAMESPACE}\"><Owner><ID>sandbox</ID></Owner><Buckets>");
    for name in names {
        out.push_str(&format!(
            "<Bucket><Name>{}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>",
            escape(name)
        ));
    }
    out.push_str("</Buckets></ListAllMyBucketsResult>");
    out
}

fn element<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&close)? + start;
    Some(&text[start..end])
}

/// The `(PartNumber, ETag)` pairs of a CompleteMultipartUpload body.
pub(crate) fn completed_parts(body: &[u8]) -> Result<Vec<(u32, String)>, S3Error> {
    let malformed = || S3Error::new(400, "MalformedXML", "The XML you provided was not well-formed.");
    let text = std::str::from_utf8(body).map_err(|_| malformed())?;
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<Part>") {
        let end = rest[start..].find("</Part>").ok_or_else(malformed)? + start;
        let part = &rest[start..end];
        let number = element(part, "PartNumber").and_then(|n| n.trim().parse().ok()).ok_or_else(malformed)?;
        let etag = element(part, "ETag").map(unescape).ok_or_else(malformed)?;
        parts.push((number, etag));
        rest = &rest[end..];
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_lists_are_read_with_escaped_etags_and_bad_bodies_refused() {
        let body = br#"<CompleteMultipartUpload xmlns="x"><Part><ETag>&quot;ab&quot;</ETag><PartNumber>1</PartNumber></Part><Part><PartNumber>2</PartNumber><ETag>"cd"</ETag></Part></CompleteMultipartUpload>"#;
        assert_eq!(completed_parts(body).unwrap(), vec![(1, "\"ab\"".to_string()), (2, "\"cd\"".to_string())]);
        assert_eq!(completed_parts(b"<Part><PartNumber>x</PartNumber></Part>").unwrap_err().code, "MalformedXML");
        assert_eq!(completed_parts(b"<Part><PartNumber>1</PartNumber>").unwrap_err().code, "MalformedXML");
    }
}
