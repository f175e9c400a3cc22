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
    /// The call, as IAM names it (`ec2:DescribeInstances`), when the adapter knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The HTTP status of AWS's answer, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}

pub type CloudResult<T> = Result<T, CloudError>;

/// `<plain words>: <service>:<Operation>: HTTP <status> <code>: <message> (request <id>)` when the
/// call and AWS's answer are known; without an answer, the message says which endpoint could not be
/// reached and why. Errors that name no call (the simulator's, a refusal) read
/// `<plain words> [<code>]: <message>`.
impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.plain_words())?;
        match (&self.call, self.http_status) {
            (Some(call), Some(status)) => {
                write!(f, ": {call}: HTTP {status}")?;
                if !self.code.is_empty() {
                    write!(f, " {}", self.code)?;
                }
                if !self.message.is_empty() {
                    write!(f, ": {}", self.message)?;
                }
            }
            (Some(call), None) if !self.message.is_empty() => {
                write!(f, ": {call}: {}", self.message)?;
            }
            (call, _) => {
                if let Some(call) = call {
                    write!(f, ": {call}")?;
                }
                if !self.code.is_empty() {
                    write!(f, " [{}]", self.code)?;
                }
                if !self.message.is_empty() {
                    write!(f, ": {}", self.message)?;
                }
            }
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
            call: None,
            http_status: None,
        }
    }

    pub fn with_request_id(mut self, id: Option<String>) -> Self {
        self.request_id = id;
        self
    }

    /// Names the call (`ec2:DescribeInstances`).
    pub fn with_call(mut self, call: impl Into<String>) -> Self {
        self.call = Some(call.into());
        self
    }

    /// The HTTP status of the answer.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
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
            call: None,
            http_status: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_as_call_status_code_and_message() {
        let e = CloudError::from_code("UnauthorizedOperation", "You are not authorized", None)
            .with_call("ec2:DescribeInstances")
            .with_http_status(403)
            .with_request_id(Some("r-1".into()));
        assert_eq!(
            e.to_string(),
            "not permitted: ec2:DescribeInstances: HTTP 403 UnauthorizedOperation: You are not authorized (request r-1)"
        );
        // No AWS code (a proxy's page): the status still tells, never `[Unknown]`.
        let e = CloudError::new(ErrorKind::ServerError, "", "")
            .with_call("sts:GetCallerIdentity")
            .with_http_status(503);
        assert_eq!(
            e.to_string(),
            "AWS service error: sts:GetCallerIdentity: HTTP 503"
        );
        // No answer at all: the message names the endpoint.
        let e = CloudError::new(
            ErrorKind::Unreachable,
            "dispatch",
            "connection refused by http://127.0.0.1:9: tcp connect error",
        )
        .with_call("ec2:DescribeVolumes");
        assert_eq!(
            e.to_string(),
            "endpoint unreachable: ec2:DescribeVolumes: connection refused by http://127.0.0.1:9: tcp connect error"
        );
        // Errors naming no call keep their form.
        let e = CloudError::from_code("Throttling", "Rate exceeded", None);
        assert_eq!(
            e.to_string(),
            "AWS is throttling requests [Throttling]: Rate exceeded"
        );
    }
}
