//! Turning an SDK error into the ports' [`ServiceError`]: its kind decides retry or stop, its message keeps
//! the service's code and words plus what to do.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use batch_app::ports::{FailureKind, ServiceError};

/// The longest error line shown: the service's words and the fix fit; dumps do not.
const MAX_LINE: usize = 400;

/// An error and its causes as one readable line: each cause's message once (never a `Debug` dump), what a
/// `credential_process` printed on its error output withheld (it may print anything, secrets included), at
/// most [`MAX_LINE`] characters.
pub(crate) fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = String::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = next {
        let mut text = cause.to_string().replace(['\n', '\r'], " ");
        if let Some(at) = text.find("Stderr:") {
            text.truncate(at);
            text.push_str("(what the process printed is not shown: it may hold secrets; run it yourself to see it)");
        }
        let text = text.trim().trim_end_matches('.').to_string();
        if !text.is_empty() && !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
        next = cause.source();
    }
    if line.chars().count() > MAX_LINE {
        line = line.chars().take(MAX_LINE).collect::<String>() + "…";
    }
    line
}

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
            "; sign in again (e.g. `aws sso login`) or check AWS_PROFILE / the access keys — or try it offline in the sandbox"
        }
        FailureKind::AccessDenied if text.contains("iam:PassRole") => {
            "; your identity needs iam:PassRole on the service role (with iam:PassedToService = bedrock.amazonaws.com)"
        }
        FailureKind::AccessDenied => "; ask your AWS administrator for the permission named above",
        FailureKind::Unavailable => "; the service failed or could not be reached — try again",
        _ => "",
    }
}

/// Classifies any SDK error of `operation`.
pub(crate) fn service_error<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> ServiceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    // A service's answer is its code and message; anything else (timeouts, connections, credentials) its
    // chain of causes.
    let text = match &error {
        SdkError::ServiceError(service) => match (service.err().code(), service.err().message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => format!("{code} (HTTP {})", service.raw().status().as_u16()),
            _ => one_line(&error),
        },
        _ => one_line(&error),
    };
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

    /// An error with a cause, as the SDK's are.
    #[derive(Debug)]
    struct Chain(&'static str, Option<Box<Chain>>);

    impl std::fmt::Display for Chain {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Chain {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|c| c as _)
        }
    }

    #[test]
    fn an_error_chain_is_one_line_without_repeats_dumps_or_a_process_s_error_output() {
        let process = Chain(
            "Error retrieving credentials: external process exited with code exit status: 3. Stderr: AKIAFAKE wJalr secret\nline2",
            None,
        );
        let error = Chain(
            "an error occurred while loading credentials",
            Some(Box::new(Chain("an error occurred while loading credentials", Some(Box::new(process))))),
        );
        let line = one_line(&error);
        assert_eq!(
            line,
            "an error occurred while loading credentials: Error retrieving credentials: external process exited with code exit status: 3. (what the process printed is not shown: it may hold secrets; run it yourself to see it)"
        );
        assert!(!line.contains("AKIA") && !line.contains('\n'));
        let long = Chain(Box::leak("x".repeat(5_000).into_boxed_str()), None);
        assert_eq!(one_line(&long).chars().count(), MAX_LINE + 1, "cut, with an ellipsis");
    }

    #[test]
    fn codes_map_to_retry_or_stop() {
        // Each kind exactly: a quota error mapped to Throttled would be retried and then fail, where it must
        // wait for a free job slot.
        assert_eq!(kind_of_code("ThrottlingException"), FailureKind::Throttled);
        assert_eq!(kind_of_code("SlowDown"), FailureKind::Throttled);
        assert_eq!(kind_of_code("ServiceQuotaExceededException"), FailureKind::QuotaExceeded);
        assert_eq!(kind_of_code("InternalServerException"), FailureKind::Unavailable);
        assert_eq!(kind_of_code("ResourceNotFoundException"), FailureKind::NotFound);
        assert_eq!(kind_of_code("ConflictException"), FailureKind::Conflict);
        assert_eq!(kind_of_code("ValidationException"), FailureKind::Invalid);
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
