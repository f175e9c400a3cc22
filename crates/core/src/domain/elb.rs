use super::Timestamp;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LbZone {
    pub az: CompactString,
    pub subnet_id: Option<CompactString>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub region: CompactString,
    pub arn: CompactString,
    pub name: CompactString,
    /// `application`, `network`, `gateway`.
    pub lb_type: CompactString,
    /// `internet-facing` or `internal`.
    pub scheme: CompactString,
    pub state: CompactString,
    pub dns_name: CompactString,
    pub vpc_id: Option<CompactString>,
    pub zones: Vec<LbZone>,
    pub created_time: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCheck {
    pub protocol: Option<CompactString>,
    pub port: Option<CompactString>,
    pub path: Option<CompactString>,
    pub interval_seconds: i32,
    pub timeout_seconds: i32,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
    pub matcher: Option<CompactString>,
}

impl Default for HealthCheck {
    // ALB defaults, as AWS documents them.
    fn default() -> Self {
        HealthCheck {
            protocol: Some("HTTP".into()),
            port: Some("traffic-port".into()),
            path: Some("/".into()),
            interval_seconds: 30,
            timeout_seconds: 5,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            matcher: Some("200".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub region: CompactString,
    pub arn: CompactString,
    pub name: CompactString,
    pub protocol: Option<CompactString>,
    pub port: Option<i32>,
    /// `instance`, `ip`, `lambda`, `alb`.
    pub target_type: CompactString,
    pub vpc_id: Option<CompactString>,
    pub load_balancer_arns: Vec<CompactString>,
    pub health_check: HealthCheck,
    /// `deregistration_delay.timeout_seconds`: how long a deregistered target drains (AWS default 300).
    /// A per-group attribute call, so only filled on demand (`CloudRead::target_group_details`).
    pub deregistration_delay_seconds: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    UnhealthyDraining,
    Unused,
    Draining,
    Unavailable,
}

impl TargetState {
    pub fn parse(s: &str) -> Self {
        match s {
            "initial" => Self::Initial,
            "healthy" => Self::Healthy,
            "unhealthy" => Self::Unhealthy,
            "unhealthy.draining" => Self::UnhealthyDraining,
            "unused" => Self::Unused,
            "draining" => Self::Draining,
            _ => Self::Unavailable,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
            Self::UnhealthyDraining => "unhealthy.draining",
            Self::Unused => "unused",
            Self::Draining => "draining",
            Self::Unavailable => "unavailable",
        }
    }
}

/// One registered target of a target group, with its health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetHealth {
    pub region: CompactString,
    pub target_group_arn: CompactString,
    /// Instance id, IP address or Lambda ARN.
    pub target_id: CompactString,
    pub port: Option<i32>,
    /// The target's AZ as ELB reports it, else filled from the instance.
    pub az: Option<CompactString>,
    pub state: TargetState,
    pub reason: Option<CompactString>,
    pub description: Option<CompactString>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listener {
    pub region: CompactString,
    pub arn: CompactString,
    pub load_balancer_arn: CompactString,
    pub protocol: Option<CompactString>,
    pub port: Option<i32>,
    /// Target groups the default actions forward to.
    pub target_group_arns: Vec<CompactString>,
}
