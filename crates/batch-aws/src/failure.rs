//! Turning an SDK error into the ports' [`ServiceError`]: its kind decides retry or stop, its message keeps
//! the service's code and words plus what to do.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use batch_app::ports::{FailureKind, ServiceError};

/// The kind of a service error code.
pub(crate) fn kind_of_code(code: &str) -> FailureKind {
    match code {
        "ThrottlingException" | "Throttling" | "TooManyRequestsException" | "SlowDown" | "RequestLimitExceeded" => {
            FailureKind::Throttled
        }
        "ServiceQuotaExceededException" => FailureKind::QuotaExceeded,
        "ValidationException" | "InvalidRequest" | "InvalidArgument" | "InvalidBucketName" | "MalformedXML" => {
            FailureKind::Invalid
        }
        "ResourceNotFoundException" | "NoSuchBucket" | "NoSuchKey" | "NoSuchEntity" | "NoSuchResourceException" => {
            FailureKind::NotFound
        }
        "ConflictException" => FailureKind::Conflict,
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" | "AuthorizationError" => {
            FailureKind::AccessDenied
        }
        "InternalServerException" | "InternalError" | "ServiceUnavailable" | "ServiceUnavailableException" => {
            FailureKind::Unavailable
        }
        "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch" => FailureKind::NoCredentials,
        _ => FailureKind::Other,
    }
}

/// What to do about a kind of failure.
fn advice(kind: FailureKind, text: &str) -> &'static str {
    match kind {
        FailureKind::NoCredentials => {
            "; sign in again (e.g. `aws sso login`) or check AWS_PROFILE / the access keys — or use --sandbox to try offline"
        }
        FailureKind::AccessDenied if text.contains("iam:PassRole") => {
            "; your identity needs iam:PassRole on the service role (with iam:PassedToService = bedrock.amazonaws.com)"
        }
        FailureKind::AccessDenied => "; ask your AWS administrator for the permission named above",
        FailureKind::Unavailable => "; the service failed or could not be reached — run the same command again",
        _ => "",
    }
}

/// Classifies any SDK error of `operation`.
pub(crate) fn service_error<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> ServiceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let text = DisplayErrorContext(&error).to_string();
    let kind = match &error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("");
            let status = service.raw().status().as_u16();
            match kind_of_code(code) {
                FailureKind::Other if status >= 500 => FailureKind::Unavailable,
                FailureKind::Other if status == 429 => FailureKind::Throttled,
                FailureKind::Other if status == 403 => FailureKind::AccessDenied,
                kind => kind,
            }
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            if text.contains("credentials") { FailureKind::NoCredentials } else { FailureKind::Unavailable }
        }
        _ if text.contains("credentials") => FailureKind::NoCredentials,
        _ => FailureKind::Other,
    };
    let hint = advice(kind, &text);
    ServiceError::new(kind, operation, format!("{text}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_retry_or_stop() {
        assert!(kind_of_code("ThrottlingException").is_retryable());
        assert!(kind_of_code("ServiceQuotaExceededException").is_retryable());
        assert!(kind_of_code("InternalServerException").is_retryable());
        assert!(!kind_of_code("ValidationException").is_retryable());
        assert_eq!(kind_of_code("AccessDeniedException"), FailureKind::AccessDenied);
        assert_eq!(kind_of_code("ExpiredToken"), FailureKind::NoCredentials);
        assert_eq!(kind_of_code("SomethingNew"), FailureKind::Other);
        assert!(advice(FailureKind::AccessDenied, "not authorized to perform: iam:PassRole on").contains("PassRole"));
    }
}
