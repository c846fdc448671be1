//! The service's error shapes: a type name (sent as `x-amzn-ErrorType`), an HTTP status and a message.

/// The errors the control plane answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A field breaks the service model's constraints (400).
    Validation,
    /// No such job (404).
    ResourceNotFound,
    /// The job is not in a state that allows the call (400, as the service model declares it).
    Conflict,
    /// Too many submitted and in-progress jobs for the model (400).
    ServiceQuotaExceeded,
    /// Too many requests (429).
    Throttling,
    /// The service failed (500); safe to retry.
    InternalServer,
    /// No operation has this method and path (404), as AWS's front door answers an unknown route.
    UnknownOperation,
}

impl ErrorKind {
    /// The exception's name.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Validation => "ValidationException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Conflict => "ConflictException",
            Self::ServiceQuotaExceeded => "ServiceQuotaExceededException",
            Self::Throttling => "ThrottlingException",
            Self::InternalServer => "InternalServerException",
            Self::UnknownOperation => "UnknownOperationException",
        }
    }

    /// The HTTP status it is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Validation | Self::ServiceQuotaExceeded | Self::Conflict => 400,
            Self::ResourceNotFound | Self::UnknownOperation => 404,
            Self::Throttling => 429,
            Self::InternalServer => 500,
        }
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.type_name())]
pub struct ApiError {
    /// Which exception.
    pub kind: ErrorKind,
    /// The message, as the service words it.
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, message)
    }

    /// The JSON body: `{"message": "..."}`.
    pub fn body(&self) -> String {
        serde_json::json!({ "message": self.message }).to_string()
    }
}
