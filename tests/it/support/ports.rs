//! Small helpers over the ports (`CloudRead`/`CloudWrite`) that every adapter's tests use.

use opsdeck_core::cloud::{CloudResult, ErrorKind, MetricQuery};
use opsdeck_core::domain::MetricSubject;

/// A dry run must answer "would succeed" (and so change nothing).
pub fn assert_dry_ok<T: std::fmt::Debug>(r: CloudResult<T>, what: &str) {
    match r {
        Err(e) if e.kind == ErrorKind::DryRunOk => {}
        other => panic!("{what}: expected a DryRunOk answer, got {other:?}"),
    }
}

/// An instance's average CPU, as CloudWatch's `AWS/EC2` namespace has it.
pub fn cpu_query(instance_id: &str) -> MetricQuery {
    MetricQuery {
        subject: MetricSubject::Instance {
            instance_id: instance_id.into(),
        },
        namespace: "AWS/EC2".into(),
        metric: "CPUUtilization".into(),
        stat: "Average".into(),
        dimensions: vec![("InstanceId".into(), instance_id.into())],
    }
}

/// One id, as the ports' list arguments take it.
pub fn one(id: &str) -> Vec<String> {
    vec![id.to_string()]
}
