//! A fleet file's CloudWatch alarms, on an instance (`AWS/EC2`) or a target group (ELB). They start
//! with insufficient data; reads evaluate them on the simulated metrics.

use super::names::Names;
use super::spec::{FleetSpec, RegionSpec};
use crate::error::SimError;
use crate::model::*;
use crate::world::World;
use opsdeck_core::domain::*;

pub(super) fn load_alarms(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
) -> Result<(), SimError> {
    let region = names.region;
    for a in &spec.alarms {
        let (namespace, dims) = match (&a.instance, &a.target_group) {
            (Some(i), None) => (
                a.namespace.clone().unwrap_or_else(|| "AWS/EC2".into()),
                vec![("InstanceId".to_string(), names.instance(i)?)],
            ),
            (None, Some(t)) => {
                let arn = names
                    .target_groups
                    .get(t.as_str())
                    .cloned()
                    .ok_or_else(|| {
                        names.err(format!("alarm {} on unknown target group {t}", a.name))
                    })?;
                let r = w.region(region).map_err(|x| names.err(x.to_string()))?;
                let lb = r
                    .tgs
                    .get(&arn)
                    .and_then(|t| t.tg.load_balancer_arns.first().cloned())
                    .unwrap_or_default();
                let mut dims = vec![(
                    "TargetGroup".to_string(),
                    arn.split(':').next_back().unwrap_or_default().to_string(),
                )];
                if let Some(tail) = lb.split("loadbalancer/").nth(1) {
                    dims.push(("LoadBalancer".to_string(), tail.to_string()));
                }
                if let Some(az) = &a.az {
                    dims.push(("AvailabilityZone".to_string(), az.clone()));
                }
                (
                    a.namespace
                        .clone()
                        .unwrap_or_else(|| "AWS/ApplicationELB".into()),
                    dims,
                )
            }
            _ => {
                return Err(names.err(format!(
                    "alarm {}: name exactly one of instance or target_group",
                    a.name
                )));
            }
        };
        let arn = format!(
            "arn:aws:cloudwatch:{region}:{}:alarm:{}",
            fleet.account, a.name
        );
        let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
        r.alarms.insert(
            a.name.clone(),
            AlarmRec {
                alarm: Alarm {
                    region: region.into(),
                    name: a.name.as_str().into(),
                    arn: Some(arn.into()),
                    state: AlarmState::InsufficientData,
                    reason: None,
                    namespace: Some(namespace.into()),
                    metric: Some(a.metric.as_str().into()),
                    dimensions: dims,
                    threshold: Some(a.threshold),
                    comparison: Some(a.comparison.as_str().into()),
                    updated: None,
                },
                stat: a.stat.clone(),
                period_seconds: a.period,
                evaluation_periods: a.evaluation_periods,
            },
        );
    }
    Ok(())
}
