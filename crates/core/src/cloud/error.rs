use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, in the terms an operator (and a runbook's retry logic) cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Rate exceeded even after the SDK's own retries: back off and try later.
    Throttled,
    /// The identity may not do this (UnauthorizedOperation, AccessDenied).
    Unauthorized,
    /// No usable credentials, or they expired.
    Credentials,
    NotFound,
    /// The resource is in the wrong state for the call (IncorrectInstanceState, VolumeInUse...).
    InvalidState,
    /// A DryRun call that would have succeeded.
    DryRunOk,
    /// Bad parameter or combination (InvalidParameterValue, InvalidVolume.ZoneMismatch...).
    InvalidRequest,
    /// Not enough capacity in the zone (InsufficientInstanceCapacity).
    Capacity,
    /// Could not reach the endpoint (DNS, connect, timeout).
    Unreachable,
    /// The service failed (5xx) even after retries.
    ServerError,
    Other,
}

/// A failed cloud call: a typed kind plus AWS's own code, message and request id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct CloudError {
    pub kind: ErrorKind,
    /// AWS's error code (`IncorrectInstanceState`), or a local one (`dispatch`, `timeout`).
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

pub type CloudResult<T> = Result<T, CloudError>;

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.plain_words())?;
        if !self.code.is_empty() {
            write!(f, " [{}]", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request {id})")?;
        }
        Ok(())
    }
}

impl CloudError {
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        CloudError {
            kind,
            code: code.into(),
            message: message.into(),
            request_id: None,
        }
    }

    pub fn with_request_id(mut self, id: Option<String>) -> Self {
        self.request_id = id;
        self
    }

    pub fn not_found(code: &str, what: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, what)
    }

    pub fn invalid_state(code: &str, what: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidState, code, what)
    }

    pub fn invalid_request(code: &str, what: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, code, what)
    }

    pub fn dry_run_ok(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::DryRunOk, "DryRunOperation", message)
    }

    /// Maps an AWS error code onto a kind. Codes from EC2, ELBv2, CloudWatch and STS.
    pub fn kind_for_code(code: &str) -> ErrorKind {
        match code {
            "DryRunOperation" => ErrorKind::DryRunOk,
            "RequestLimitExceeded"
            | "Throttling"
            | "ThrottlingException"
            | "TooManyRequestsException"
            | "RequestThrottled"
            | "SlowDown"
            | "PriorRequestNotComplete" => ErrorKind::Throttled,
            "UnauthorizedOperation"
            | "AccessDenied"
            | "AccessDeniedException"
            | "OptInRequired"
            | "Blocked" => ErrorKind::Unauthorized,
            "AuthFailure"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidClientTokenId"
            | "RequestExpired"
            | "SignatureDoesNotMatch"
            | "UnrecognizedClientException"
            | "MissingAuthenticationToken"
            | "InvalidAccessKeyId" => ErrorKind::Credentials,
            "IncorrectInstanceState"
            | "IncorrectState"
            | "VolumeInUse"
            | "InvalidVolume.NotAttached"
            | "IncorrectSpotRequestState"
            | "InvalidState"
            | "InvalidSnapshot.InUse"
            | "Resource.AlreadyAssociated"
            | "InvalidIPAddress.InUse"
            | "InvalidAttachment.InUse" => ErrorKind::InvalidState,
            "InsufficientInstanceCapacity"
            | "InsufficientCapacity"
            | "InsufficientAddressCapacity"
            | "InsufficientFreeAddressesInSubnet"
            | "InstanceLimitExceeded"
            | "VolumeLimitExceeded" => ErrorKind::Capacity,
            "InternalError" | "InternalFailure" | "ServiceUnavailable" | "Unavailable"
            | "ServerInternal" => ErrorKind::ServerError,
            c if c.ends_with(".NotFound")
                || c.ends_with("NotFound")
                || c == "ResourceNotFound"
                || c.starts_with("InvalidInstanceID")
                || c == "InvalidTarget" =>
            {
                ErrorKind::NotFound
            }
            c if c.starts_with("Invalid")
                || c.starts_with("Missing")
                || c == "ValidationError"
                || c == "DuplicateTargetGroupName"
                || c == "IdempotentParameterMismatch" =>
            {
                ErrorKind::InvalidRequest
            }
            _ => ErrorKind::Other,
        }
    }

    pub fn from_code(code: &str, message: impl Into<String>, request_id: Option<String>) -> Self {
        CloudError {
            kind: Self::kind_for_code(code),
            code: code.into(),
            message: message.into(),
            request_id,
        }
    }

    /// A short phrase that says what the kind means, for banners and error lines.
    pub fn plain_words(&self) -> &'static str {
        match self.kind {
            ErrorKind::Throttled => "AWS is throttling requests",
            ErrorKind::Unauthorized => "not permitted",
            ErrorKind::Credentials => "credentials missing, invalid or expired",
            ErrorKind::NotFound => "not found",
            ErrorKind::InvalidState => "not in a state that allows this",
            ErrorKind::DryRunOk => "dry run: would succeed",
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Capacity => "not enough capacity",
            ErrorKind::Unreachable => "endpoint unreachable",
            ErrorKind::ServerError => "AWS service error",
            ErrorKind::Other => "AWS error",
        }
    }

    /// Worth trying again later without changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Throttled | ErrorKind::ServerError | ErrorKind::Unreachable
        )
    }
}

/// A dry run reports success as an error; this turns it back into a plain answer.
pub fn dry_run_verdict<T>(result: CloudResult<T>) -> CloudResult<()> {
    match result {
        Err(e) if e.kind == ErrorKind::DryRunOk => Ok(()),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}
