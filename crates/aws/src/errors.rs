//! SDK errors → `CloudError`. The SDK has already retried what its retry policy allows.

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use opsdeck_core::cloud::{CloudError, ErrorKind};

pub(crate) fn map_sdk_error<E, R>(e: SdkError<E, R>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    match &e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let code = err.code().unwrap_or("Unknown").to_string();
            let message = err.message().unwrap_or_default().to_string();
            let request_id = err.meta().extra("aws_request_id").map(str::to_string);
            CloudError::from_code(&code, message, request_id)
        }
        SdkError::TimeoutError(_) => {
            CloudError::new(ErrorKind::Unreachable, "timeout", "the call timed out")
        }
        SdkError::DispatchFailure(df) => {
            let chain = error_chain(&e);
            if df.is_timeout() {
                CloudError::new(ErrorKind::Unreachable, "timeout", chain)
            } else if looks_like_credentials(&chain) {
                CloudError::new(ErrorKind::Credentials, "credentials", chain)
            } else {
                CloudError::new(ErrorKind::Unreachable, "dispatch", chain)
            }
        }
        SdkError::ConstructionFailure(_) => {
            let chain = error_chain(&e);
            let kind = if looks_like_credentials(&chain) {
                ErrorKind::Credentials
            } else {
                ErrorKind::Other
            };
            CloudError::new(kind, "construction", chain)
        }
        SdkError::ResponseError(_) => {
            CloudError::new(ErrorKind::ServerError, "response", error_chain(&e))
        }
        _ => CloudError::new(ErrorKind::Other, "sdk", error_chain(&e)),
    }
}

/// The SDK nests the useful reason a few `source()`s deep; join them into one line.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    // Some SDK messages span lines (the credential chain lists every provider it tried).
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn looks_like_credentials(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("credential")
        || t.contains("identity")
        || t.contains("token has expired")
        || t.contains("sso")
}
