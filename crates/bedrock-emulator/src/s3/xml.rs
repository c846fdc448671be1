//! The XML S3 answers with, and the one XML body it reads (CompleteMultipartUpload's part list).

use super::disk::{ObjectInfo, UploadInfo};
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

/// ListMultipartUploads' answer (every upload under the prefix in one page).
pub(crate) fn uploads(bucket: &str, prefix: &str, uploads: &[UploadInfo]) -> String {
    let mut out = format!(
        "{HEADER}<ListMultipartUploadsResult xmlns=\"{NAMESPACE}\"><Bucket>{}</Bucket><Prefix>{}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>",
        escape(bucket),
        escape(prefix)
    );
    for upload in uploads {
        out.push_str(&format!(
            "<Upload><Key>{}</Key><UploadId>{}</UploadId><Initiated>2026-01-01T00:00:00.000Z</Initiated><StorageClass>STANDARD</StorageClass></Upload>",
            escape(&upload.key),
            escape(&upload.upload_id)
        ));
    }
    out.push_str("</ListMultipartUploadsResult>");
    out
}

/// The fields a `<Part>` of CompleteMultipartUpload may hold.
const PART_FIELDS: &[&str] =
    &["PartNumber", "ETag", "ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"];

/// The `(PartNumber, ETag)` pairs of a CompleteMultipartUpload body, read strictly as S3 does: one
/// `<CompleteMultipartUpload>` root holding only `<Part>` elements of known fields, and nothing after it.
pub(crate) fn completed_parts(body: &[u8]) -> Result<Vec<(u32, String)>, S3Error> {
    use quick_xml::events::Event;
    let malformed = || {
        S3Error::new(
            400,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    };
    let text = std::str::from_utf8(body).map_err(|_| malformed())?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut parts = Vec::new();
    let (mut number, mut etag, mut field) = (None::<u32>, None::<String>, String::new());
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|_| malformed())?;
        match event {
            Event::Decl(_) | Event::Comment(_) if path.is_empty() && !root_seen => {}
            Event::Comment(_) if !path.is_empty() => {}
            Event::Start(start) => {
                let name = start.local_name().into_inner().to_string();
                let fits = match path.len() {
                    0 => !root_seen && name == "CompleteMultipartUpload",
                    1 => name == "Part",
                    2 => PART_FIELDS.contains(&name.as_str()),
                    _ => false,
                };
                if !fits {
                    return Err(malformed());
                }
                field.clear();
                path.push(name);
            }
            Event::Empty(start) if path.len() == 2 => {
                let name = start.local_name().into_inner().to_string();
                if !PART_FIELDS.contains(&name.as_str()) || name == "PartNumber" || name == "ETag" {
                    return Err(malformed());
                }
            }
            Event::Text(content) if path.len() == 3 => field.push_str(&content.into_inner()),
            Event::CData(content) if path.len() == 3 => field.push_str(&content.into_inner()),
            Event::GeneralRef(reference) if path.len() == 3 => {
                let resolved = match reference.resolve_char_ref().map_err(|_| malformed())? {
                    Some(c) => c,
                    None => match reference.into_inner().as_ref() {
                        "quot" => '"',
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "apos" => '\'',
                        _ => return Err(malformed()),
                    },
                };
                field.push(resolved);
            }
            Event::End(_) => {
                let name = path.pop().ok_or_else(malformed)?;
                match (path.len(), name.as_str()) {
                    (2, "PartNumber") => number = Some(field.trim().parse().map_err(|_| malformed())?),
                    (2, "ETag") => etag = Some(field.clone()),
                    (2, _) => {}
                    (1, "Part") => {
                        parts.push((number.take().ok_or_else(malformed)?, etag.take().ok_or_else(malformed)?))
                    }
                    (0, _) => root_seen = true,
                    _ => return Err(malformed()),
                }
                field.clear();
            }
            Event::Eof if path.is_empty() && root_seen => return Ok(parts),
            _ => return Err(malformed()),
        }
    }
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
        let with_checksum = br#"<?xml version="1.0"?><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag><ChecksumCRC32>Pxg0lA==</ChecksumCRC32></Part></CompleteMultipartUpload>"#;
        assert_eq!(completed_parts(with_checksum).unwrap(), vec![(1, "\"e\"".to_string())]);
    }

    #[test]
    fn anything_but_a_part_list_is_malformed() {
        let part = "<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>";
        for body in [
            format!("<CompleteMultipartUpload>{part}</CompleteMultipartUpload>junk"),
            format!("<CompleteMultipartUpload>{part}</CompleteMultipartUpload><Part/>"),
            format!("<CompleteMultipartUpload>{part}stray text</CompleteMultipartUpload>"),
            format!("<CompleteMultipartUpload>{part}<Other/></CompleteMultipartUpload>"),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>".to_string(),
            format!("<Other>{part}</Other>"),
            format!("<CompleteMultipartUpload>{part}"),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&bogus;</ETag></Part></CompleteMultipartUpload>".into(),
            String::new(),
        ] {
            assert_eq!(completed_parts(body.as_bytes()).unwrap_err().code, "MalformedXML", "{body}");
        }
        let entity = "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>&#34;x&#34;</ETag></Part></CompleteMultipartUpload>";
        assert_eq!(completed_parts(entity.as_bytes()).unwrap(), vec![(2, "\"x\"".to_string())]);
    }
}
