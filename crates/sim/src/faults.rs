//! Injected faults that act on calls (throttling, 5xx, latency, a permission policy), and the record
//! of calls the sim answered. Faults that change the world itself (AZ outage, crash, stuck detach)
//! live with the resources they touch.

// The data types live below the world (which holds them); re-exported here under their old path.
pub use super::call_record::CallRecord;
pub use super::fault_rules::Faults;

use super::world::World;
use opsdeck_core::cloud::CloudError;
use rand::Rng;

/// The AWS service an action belongs to (for the shape of its errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Ec2,
    Elb,
    CloudWatch,
    Sts,
}

pub fn service_of(action: &str) -> Service {
    match action {
        "DescribeLoadBalancers"
        | "DescribeTargetGroups"
        | "DescribeTargetHealth"
        | "DescribeTargetGroupAttributes"
        | "DescribeListeners"
        | "RegisterTargets"
        | "DeregisterTargets" => Service::Elb,
        "GetMetricData" | "DescribeAlarms" => Service::CloudWatch,
        "GetCallerIdentity" => Service::Sts,
        _ => Service::Ec2,
    }
}

/// Calls kept in the log: the newest this many, the oldest dropped one by one beyond it.
///
/// Every port call is recorded, and a `--demo` console refreshes on its own for as long as it is open
/// (a refresh of the `large` fleet is a few hundred calls), so an unbounded log would grow for ever.
/// The log serves tests (which look at the calls of one scenario, far fewer) and the read-only proof;
/// 20,000 records is about an hour of auto-refresh on the large fleet, a few MB at most.
pub const CALL_LOG_LIMIT: usize = 20_000;

impl World {
    /// Rolls the dice for one AWS action: throttling first, then a 5xx.
    pub(crate) fn injected_fault(&mut self, action: &str) -> Option<CloudError> {
        let service = service_of(action);
        let t = self.faults.throttle_rate(action);
        if t > 0.0 && self.fault_rng.random_bool(t.clamp(0.0, 1.0)) {
            let code = match service {
                Service::Ec2 => "RequestLimitExceeded",
                _ => "Throttling",
            };
            return Some(CloudError::from_code(
                code,
                "Request limit exceeded (injected throttling).",
                None,
            ));
        }
        let e = self.faults.error_rate;
        if e > 0.0 && self.fault_rng.random_bool(e.clamp(0.0, 1.0)) {
            let code = match service {
                Service::Ec2 => "InternalError",
                _ => "InternalFailure",
            };
            return Some(CloudError::from_code(
                code,
                "An internal error has occurred (injected 5xx).",
                None,
            ));
        }
        None
    }

    /// The permission policy: a denied action fails the same way with or without DryRun.
    pub(crate) fn check_permission(&self, action: &str) -> Result<(), CloudError> {
        if !self.faults.deny.contains(action) {
            return Ok(());
        }
        let (code, message) = match service_of(action) {
            Service::Ec2 => (
                "UnauthorizedOperation",
                "You are not authorized to perform this operation.".to_string(),
            ),
            _ => (
                "AccessDenied",
                format!("User is not authorized to perform: {action}"),
            ),
        };
        Err(CloudError::from_code(code, message, None))
    }

    pub(crate) fn log_call(&mut self, rec: CallRecord) {
        while self.calls.len() >= CALL_LOG_LIMIT {
            self.calls.pop_front();
        }
        self.calls.push_back(rec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_rate_wins_over_the_wildcard() {
        let mut f = Faults::default();
        f.throttle.insert("*".into(), 0.3);
        f.throttle.insert("DescribeInstances".into(), 1.0);
        assert_eq!(f.throttle_rate("DescribeInstances"), 1.0);
        assert_eq!(f.throttle_rate("DescribeVolumes"), 0.3);
        assert_eq!(Faults::default().throttle_rate("DescribeVolumes"), 0.0);
    }
}
