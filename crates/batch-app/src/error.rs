//! Errors as the faces receive them: a stable code a face can switch on (bad input, not connected, no
//! credentials, access denied, throttled, …), the message in domain words, and the fix when there is one.
//! The window gets this value; the CLI prints the message and words its own fixes (its flags).

use std::fmt::Display;

use batch_core::remedy::Remedy;
use serde::Serialize;

use crate::ports::FailureKind;

/// What kind of failure, for a face to decide what to show or offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is unusable as given (a field, a file, a template); fixing it fixes this.
    InvalidInput,
    /// No connection was chosen yet.
    NotConnected,
    /// No AWS credentials resolve.
    NoCredentials,
    /// The caller may not do this.
    AccessDenied,
    /// Too many requests or a full quota; the same request may succeed later.
    Throttled,
    /// The thing asked for does not exist (a run, a job, a bucket, an open sheet).
    NotFound,
    /// The thing is in a state that does not allow this.
    Conflict,
    /// The service is unavailable or failed; retrying may help.
    Unavailable,
    /// Stopped on request; what was done is kept.
    Cancelled,
    /// A failure of this tool or this machine (a file it could not write, a database it could not read).
    Internal,
}

impl From<FailureKind> for ErrorCode {
    fn from(kind: FailureKind) -> Self {
        match kind {
            FailureKind::Throttled | FailureKind::QuotaExceeded => Self::Throttled,
            FailureKind::Unavailable => Self::Unavailable,
            FailureKind::Invalid => Self::InvalidInput,
            FailureKind::NotFound => Self::NotFound,
            FailureKind::Conflict => Self::Conflict,
            FailureKind::AccessDenied => Self::AccessDenied,
            FailureKind::NoCredentials => Self::NoCredentials,
            FailureKind::Other => Self::Internal,
        }
    }
}

/// A failure as a face receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
pub struct AppError {
    /// Its kind.
    pub code: ErrorCode,
    /// What went wrong, in domain words.
    pub message: String,
    /// What to do about it, in the words of the face that shows it, when the message does not say.
    pub fix: Option<String>,
    /// What to do about it as a value, for a face that acts on it (opens the step, focuses the control).
    pub remedy: Option<Remedy>,
}

impl AppError {
    /// A failure of kind `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fix: None, remedy: None }
    }

    /// Unusable input, described by `error`.
    pub fn invalid(error: impl Display) -> Self {
        Self::new(ErrorCode::InvalidInput, error.to_string())
    }

    /// A failure of this tool or machine, described by `error`.
    pub fn internal(error: impl Display) -> Self {
        Self::new(ErrorCode::Internal, error.to_string())
    }

    /// The same failure with `fix` said.
    pub fn with_fix(self, fix: impl Into<String>) -> Self {
        Self { fix: Some(fix.into()), ..self }
    }
}
