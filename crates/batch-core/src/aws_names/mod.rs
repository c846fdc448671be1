//! Validated names for the AWS calls of a batch run — a value that exists is valid (parse, don't validate).
//!
//! The rules are the Bedrock service model's (CreateModelInvocationJob): S3 URIs, job names, role ARNs,
//! client request tokens; and the job statuses with what each one means for a run.

mod job_name;
mod job_status;
mod request_token;
mod role_arn;
mod s3_uri;

pub use job_name::JobName;
pub use job_status::JobStatus;
pub use request_token::ClientRequestToken;
pub use role_arn::RoleArn;
pub use s3_uri::S3Uri;

/// A name or URI that breaks the service's rules; the message says which rule and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} \"{value}\" is not valid: {rule}")]
pub struct NameError {
    /// What kind of value ("S3 URI", "job name" …).
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// The rule it breaks and the fix.
    pub rule: String,
}

impl NameError {
    pub(crate) fn new(what: &'static str, value: &str, rule: impl Into<String>) -> Self {
        Self { what, value: value.to_string(), rule: rule.into() }
    }
}
