//! What browsing S3 answers: the buckets, or one folder level of one.

use serde::Serialize;

/// One bucket, folder or object.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct S3Entry {
    /// Its location (`s3://bucket/prefix/` for folders).
    pub uri: String,
    /// What to show: the bucket, folder or file name.
    pub name: String,
    /// True for buckets and folders.
    pub folder: bool,
    /// The object's size.
    pub size: Option<u64>,
}

/// One level of S3.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct S3Listing {
    /// The location listed (empty for the list of buckets).
    pub location: String,
    /// The level above, when there is one.
    pub parent: Option<String>,
    /// Folders first, then objects.
    pub entries: Vec<S3Entry>,
    /// True when there were more than were listed.
    pub truncated: bool,
}
