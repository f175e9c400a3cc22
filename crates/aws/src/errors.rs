//! SDK errors → `CloudError`. The SDK has already retried what its retry policy allows.
//!
//! Every error names its call as IAM does (`ec2:DescribeInstances`), and what is known of how it
//! failed: AWS's answer as `HTTP <status> <code>: <message>` (a status without an AWS error code,
//! a proxy's page say, still gives its status, and its kind follows the status), or, when no answer
//! came, the endpoint that could not be reached and why (DNS, connect, timeout).

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use opsdeck_core::cloud::{CloudError, ErrorKind};
use std::collections::BTreeMap;

/// Where each service of a region is reached (resolved by the SDK's own endpoint rules when the
/// region is connected), to name it when it cannot be.
#[derive(Debug, Clone, Default)]
pub(crate) struct Endpoints(BTreeMap<&'static str, String>);

macro_rules! resolve {
    ($krate:ident, $config:expr, $region:expr) => {{
        use $krate::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
        match Params::builder()
            .region($region)
            .set_endpoint($config.endpoint_url().map(str::to_string))
            .set_use_fips($config.use_fips())
            .set_use_dual_stack($config.use_dual_stack())
            .build()
        {
            Ok(p) => DefaultResolver::new()
                .resolve_endpoint(&p)
                .await
                .ok()
                .map(|e| e.url().to_string()),
            Err(_) => None,
        }
    }};
}

impl Endpoints {
    pub(crate) async fn resolve(config: &aws_config::SdkConfig, region: &str) -> Self {
        let mut m = BTreeMap::new();
        let all = [
            ("ec2", resolve!(aws_sdk_ec2, config, region)),
            (
                "elasticloadbalancing",
                resolve!(aws_sdk_elasticloadbalancingv2, config, region),
            ),
            ("cloudwatch", resolve!(aws_sdk_cloudwatch, config, region)),
            ("sts", resolve!(aws_sdk_sts, config, region)),
            ("autoscaling", resolve!(aws_sdk_autoscaling, config, region)),
        ];
        for (service, url) in all {
            if let Some(url) = url {
                m.insert(service, url);
            }
        }
        Endpoints(m)
    }

    fn of(&self, service: &str) -> Option<&str> {
        self.0.get(service).map(String::as_str)
    }
}

/// The call an SDK error type belongs to, as IAM names it: `service:Operation`. The SDK gives each
/// operation its own error type, `aws_sdk_<crate>::operation::<op>::<Operation>Error`.
pub(crate) fn call_name<E>() -> Option<(&'static str, String)> {
    let full = std::any::type_name::<E>();
    let krate = full.split("::").next()?.strip_prefix("aws_sdk_")?;
    let service = match krate {
        "ec2" => "ec2",
        "elasticloadbalancingv2" => "elasticloadbalancing",
        "cloudwatch" => "cloudwatch",
        "sts" => "sts",
        "autoscaling" => "autoscaling",
        _ => return None,
    };
    let op = full.rsplit("::").next()?.strip_suffix("Error")?;
    (!op.is_empty()).then(|| (service, op.to_string()))
}

/// The kind an HTTP status implies when the answer has no AWS error code to go by.
fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        401 => ErrorKind::Credentials,
        403 => ErrorKind::Unauthorized,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::Throttled,
        400..=499 => ErrorKind::InvalidRequest,
        500..=599 => ErrorKind::ServerError,
        _ => ErrorKind::Other,
    }
}

pub(crate) fn map_sdk_error<E>(e: SdkError<E, HttpResponse>, endpoints: &Endpoints) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let call = call_name::<E>();
    let endpoint = call
        .as_ref()
        .and_then(|(service, _)| endpoints.of(service))
        .unwrap_or("the endpoint")
        .to_string();
    let err = match &e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let status = se.raw().status().as_u16();
            let message = err.message().unwrap_or_default().to_string();
            let request_id = err.meta().extra("aws_request_id").map(str::to_string);
            match err.code() {
                Some(code) => CloudError::from_code(code, message, request_id),
                // No AWS error code (a proxy's or a load balancer's page): the status tells.
                None => CloudError::new(kind_for_status(status), "", message)
                    .with_request_id(request_id),
            }
            .with_http_status(status)
        }
        SdkError::TimeoutError(_) => CloudError::new(
            ErrorKind::Unreachable,
            "timeout",
            format!("no answer from {endpoint} in time"),
        ),
        SdkError::DispatchFailure(df) => {
            let chain = error_chain(&e);
            if df.is_timeout() {
                CloudError::new(
                    ErrorKind::Unreachable,
                    "timeout",
                    format!("no answer from {endpoint} in time: {}", detail(&chain)),
                )
            } else if looks_like_credentials(&chain) {
                CloudError::new(ErrorKind::Credentials, "credentials", chain)
            } else {
                CloudError::new(
                    ErrorKind::Unreachable,
                    "dispatch",
                    unreachable(&endpoint, &chain),
                )
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
        SdkError::ResponseError(re) => {
            let status = re.raw().status().as_u16();
            CloudError::new(
                kind_for_status(status),
                "response",
                format!("an answer that could not be read: {}", error_chain(&e)),
            )
            .with_http_status(status)
        }
        _ => CloudError::new(ErrorKind::Other, "sdk", error_chain(&e)),
    };
    match call {
        Some((service, op)) => err.with_call(format!("{service}:{op}")),
        None => err,
    }
}

/// Why an endpoint could not be reached, in words first, then the SDK's own detail.
fn unreachable(endpoint: &str, chain: &str) -> String {
    let t = chain.to_ascii_lowercase();
    let what = if t.contains("dns error") || t.contains("failed to lookup address") {
        "DNS lookup failed for"
    } else if t.contains("connection refused") {
        "connection refused by"
    } else if t.contains("tcp connect error") || t.contains("(connect)") {
        "cannot connect to"
    } else {
        "cannot reach"
    };
    format!("{what} {endpoint}: {}", detail(chain))
}

/// The SDK's chain without the layers that say nothing ("dispatch failure: io error: client error
/// (Connect): ...").
fn detail(chain: &str) -> &str {
    let mut rest = chain;
    for layer in [
        "dispatch failure: ",
        "io error: ",
        "timeout: ",
        "client error (Connect): ",
        "other: ",
    ] {
        rest = rest.strip_prefix(layer).unwrap_or(rest);
    }
    rest
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::operation::describe_instances::DescribeInstancesError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    #[test]
    fn every_call_is_named_as_iam_names_it() {
        use aws_sdk_autoscaling::operation::enter_standby::EnterStandbyError;
        use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
        use aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthError;
        use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
        let name = |c: Option<(&str, String)>| c.map(|(s, o)| format!("{s}:{o}"));
        assert_eq!(
            name(call_name::<DescribeInstancesError>()).as_deref(),
            Some("ec2:DescribeInstances")
        );
        assert_eq!(
            name(call_name::<DescribeTargetHealthError>()).as_deref(),
            Some("elasticloadbalancing:DescribeTargetHealth")
        );
        assert_eq!(
            name(call_name::<GetMetricDataError>()).as_deref(),
            Some("cloudwatch:GetMetricData")
        );
        assert_eq!(
            name(call_name::<GetCallerIdentityError>()).as_deref(),
            Some("sts:GetCallerIdentity")
        );
        assert_eq!(
            name(call_name::<EnterStandbyError>()).as_deref(),
            Some("autoscaling:EnterStandby")
        );
        assert_eq!(call_name::<std::io::Error>(), None);
    }

    fn answer(status: u16, meta: ErrorMetadata) -> SdkError<DescribeInstancesError, HttpResponse> {
        let status = StatusCode::try_from(status).unwrap();
        SdkError::service_error(
            DescribeInstancesError::generic(meta),
            Response::new(status, SdkBody::empty()),
        )
    }

    #[test]
    fn an_answer_keeps_its_status_code_and_message() {
        let e = map_sdk_error(
            answer(
                400,
                ErrorMetadata::builder()
                    .code("InvalidParameterValue")
                    .message("bad filter")
                    .build(),
            ),
            &Endpoints::default(),
        );
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.code, "InvalidParameterValue");
        assert_eq!(
            e.to_string(),
            "invalid request: ec2:DescribeInstances: HTTP 400 InvalidParameterValue: bad filter"
        );
    }

    #[test]
    fn an_answer_without_an_aws_code_is_known_by_its_status() {
        for (status, kind) in [
            (403, ErrorKind::Unauthorized),
            (401, ErrorKind::Credentials),
            (429, ErrorKind::Throttled),
            (503, ErrorKind::ServerError),
            (404, ErrorKind::NotFound),
        ] {
            let e = map_sdk_error(
                answer(status, ErrorMetadata::builder().build()),
                &Endpoints::default(),
            );
            assert_eq!(e.kind, kind, "{status}");
            let text = e.to_string();
            assert!(
                text.contains(&format!("ec2:DescribeInstances: HTTP {status}")),
                "{text}"
            );
            assert!(
                !text.contains("Unknown") && !text.contains("AWS error"),
                "{text}"
            );
        }
    }

    #[test]
    fn no_answer_names_the_endpoint_and_why() {
        let chain = "dispatch failure: io error: client error (Connect): dns error: failed to lookup address information: Name or service not known";
        assert_eq!(
            unreachable("https://ec2.xx-fake-9.amazonaws.com", chain),
            "DNS lookup failed for https://ec2.xx-fake-9.amazonaws.com: dns error: failed to lookup address information: Name or service not known"
        );
        let refused = "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111)";
        assert!(
            unreachable("http://127.0.0.1:9", refused)
                .starts_with("connection refused by http://127.0.0.1:9: tcp connect error")
        );
    }

    #[tokio::test]
    async fn endpoints_are_resolved_by_the_sdks_rules() {
        let config = aws_config::SdkConfig::builder().build();
        let e = Endpoints::resolve(&config, "eu-west-3").await;
        assert_eq!(e.of("ec2"), Some("https://ec2.eu-west-3.amazonaws.com"));
        assert_eq!(
            e.of("cloudwatch"),
            Some("https://monitoring.eu-west-3.amazonaws.com")
        );
        let custom = aws_config::SdkConfig::builder()
            .endpoint_url("http://127.0.0.1:5000")
            .build();
        let e = Endpoints::resolve(&custom, "us-east-1").await;
        assert_eq!(e.of("sts"), Some("http://127.0.0.1:5000"));
    }
}
