//! `s3://bucket/prefix` URIs as Bedrock accepts them for job input and output.

use serde::{Deserialize, Serialize};

use super::NameError;

/// Longest URI the service accepts.
const MAX_LEN: usize = 1024;

/// An S3 location valid for a Bedrock batch job: a bucket of 3–63 lowercase letters, digits, dots and hyphens,
/// and an optional key prefix of `A–Z a–z 0–9 - ! _ * ' ( ) . /` (no spaces, `=`, `+`, `&`, `@` or non-ASCII:
/// the service's pattern rejects them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct S3Uri {
    bucket: String,
    /// The key prefix without a leading slash; may end with `/`; empty for the bucket itself.
    key: String,
}

fn key_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-!_*'().".contains(c)
}

impl S3Uri {
    /// Parses and validates `s3://bucket[/key]`.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let err = |rule: &str| NameError::new("S3 URI", raw, rule);
        if raw.len() > MAX_LEN {
            return Err(err("it is longer than 1,024 characters"));
        }
        let rest = raw
            .strip_prefix("s3://")
            .ok_or_else(|| err("it must start with s3://, e.g. s3://my-bucket/batch/input/"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !bucket_ok {
            return Err(err(
                "the bucket name must be 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit",
            ));
        }
        if key.split('/').enumerate().any(|(i, segment)| segment.is_empty() && i + 1 < key.split('/').count()) {
            return Err(err("the key has an empty segment (\"//\"); remove the doubled slash"));
        }
        if let Some(bad) = key.chars().find(|&c| c != '/' && !key_char_ok(c)) {
            return Err(err(&format!(
                "the key contains {bad:?}, which Bedrock does not accept in S3 locations; use letters, digits and - _ . ! * ' ( ) only"
            )));
        }
        Ok(Self { bucket: bucket.to_string(), key: key.to_string() })
    }

    /// The bucket name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key prefix (no leading slash; empty for the whole bucket).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// This location as a folder: the key ends with `/` (unless it is the bucket itself).
    pub fn as_folder(&self) -> Self {
        let mut key = self.key.clone();
        if !key.is_empty() && !key.ends_with('/') {
            key.push('/');
        }
        Self { bucket: self.bucket.clone(), key }
    }

    /// A location below this folder; `name` is sanitized into the accepted characters (others become `-`).
    pub fn join(&self, name: &str) -> Self {
        let clean: String = name
            .trim_matches('/')
            .split('/')
            .map(|segment| segment.chars().map(|c| if key_char_ok(c) { c } else { '-' }).collect::<String>())
            .filter(|segment| !segment.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        let folder = self.as_folder();
        Self { bucket: folder.bucket, key: format!("{}{clean}", folder.key) }
    }

    /// The IAM resource ARN of the bucket (`arn:aws:s3:::bucket`), for `s3:ListBucket`.
    pub fn bucket_arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.bucket)
    }

    /// The IAM resource ARN of the objects under this prefix (`arn:aws:s3:::bucket/prefix*`).
    pub fn objects_arn(&self) -> String {
        format!("arn:aws:s3:::{}/{}*", self.bucket, self.key)
    }
}

impl std::fmt::Display for S3Uri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.key)
        }
    }
}

impl TryFrom<String> for S3Uri {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<S3Uri> for String {
    fn from(value: S3Uri) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_locations_parse_and_print_back() {
        for raw in ["s3://my-bucket", "s3://my.bucket-1/batch/input/", "s3://abc/a_b/(x)!*'.jsonl"] {
            assert_eq!(S3Uri::parse(raw).unwrap().to_string(), raw);
        }
        let uri = S3Uri::parse("s3://my-bucket/batch/in").unwrap();
        assert_eq!((uri.bucket(), uri.key()), ("my-bucket", "batch/in"));
        assert_eq!(uri.bucket_arn(), "arn:aws:s3:::my-bucket");
        assert_eq!(uri.objects_arn(), "arn:aws:s3:::my-bucket/batch/in*");
    }

    #[test]
    fn the_services_rules_are_enforced_with_the_fix() {
        let cases = [
            ("my-bucket/x", "start with s3://"),
            ("s3://My_Bucket/x", "bucket name"),
            ("s3://ab", "bucket name"),
            ("s3://-bucket", "bucket name"),
            ("s3://bucket/with space/x", "' '"),
            ("s3://bucket/a=b", "'='"),
            ("s3://bucket/a+b", "'+'"),
            ("s3://bucket/café", "'é'"),
            ("s3://bucket/a//b", "doubled slash"),
        ];
        for (raw, hint) in cases {
            let err = S3Uri::parse(raw).unwrap_err().to_string();
            assert!(err.contains(hint), "{raw}: {err}");
        }
        assert!(S3Uri::parse(&format!("s3://bucket/{}", "k".repeat(1100))).is_err());
    }

    #[test]
    fn joining_sanitizes_analyst_names() {
        let base = S3Uri::parse("s3://bucket/runs").unwrap();
        assert_eq!(
            base.join("Q3 reviews (final)+v2.jsonl").to_string(),
            "s3://bucket/runs/Q3-reviews-(final)-v2.jsonl"
        );
        assert_eq!(base.join("/a//b/").to_string(), "s3://bucket/runs/a/b");
        let joined = base.join("éé/part-001.jsonl");
        assert!(S3Uri::parse(&joined.to_string()).is_ok(), "{joined}");
        assert_eq!(S3Uri::parse("s3://bucket").unwrap().join("x").to_string(), "s3://bucket/x");
    }

    #[test]
    fn serde_round_trips_and_rejects_invalid_values() {
        let uri: S3Uri = serde_json::from_str("\"s3://bucket/p/\"").unwrap();
        assert_eq!(serde_json::to_string(&uri).unwrap(), "\"s3://bucket/p/\"");
        assert!(serde_json::from_str::<S3Uri>("\"http://x\"").is_err());
    }
}
