//! S3's error answers: an HTTP status, a code and a message, sent as XML.

/// An S3 error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct S3Error {
    /// HTTP status.
    pub status: u16,
    /// S3's error code (NoSuchKey, NoSuchUpload, …).
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// The bucket, key or upload it is about.
    pub resource: String,
}

impl S3Error {
    /// An error with no resource.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), resource: String::new() }
    }

    /// Names the resource.
    pub fn resource(mut self, resource: &str) -> Self {
        self.resource = resource.to_string();
        self
    }
}
