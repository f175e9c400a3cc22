//! A fleet file's load balancers: target groups first (with their registered instances, since
//! launch), then the load balancers whose listeners forward to them.

use super::elb_names::{lb_arn, lb_dns, tg_arn};
use super::names::Names;
use super::spec::{FleetSpec, HealthCheckSpec, RegionSpec};
use crate::error::SimError;
use crate::ids;
use crate::model::*;
use crate::world::World;
use opsdeck_core::domain::*;

/// ELB's defaults wherever the spec leaves a health-check setting out.
fn health_check(h: &HealthCheckSpec) -> HealthCheck {
    let d = HealthCheck::default();
    HealthCheck {
        protocol: h.protocol.as_deref().map(Into::into).or(d.protocol),
        port: h.port.as_deref().map(Into::into).or(d.port),
        path: h.path.as_deref().map(Into::into).or(d.path),
        interval_seconds: h.interval.unwrap_or(d.interval_seconds),
        timeout_seconds: h.timeout.unwrap_or(d.timeout_seconds),
        healthy_threshold: h.healthy_threshold.unwrap_or(d.healthy_threshold),
        unhealthy_threshold: h.unhealthy_threshold.unwrap_or(d.unhealthy_threshold),
        matcher: h.matcher.as_deref().map(Into::into).or(d.matcher),
    }
}

/// Target groups, each target registered two minutes after its instance launched.
pub(super) fn load_target_groups<'a>(
    w: &mut World,
    spec: &'a RegionSpec,
    names: &mut Names<'a>,
) -> Result<(), SimError> {
    let now = w.now;
    let region = names.region;
    for t in &spec.target_groups {
        let arn = tg_arn(w, region, &t.name);
        let hc = health_check(&t.health_check);
        let mut regs = Vec::new();
        for name in &t.targets {
            let iid = names.instance(name)?;
            let launched = w
                .region(region)
                .ok()
                .and_then(|r| r.instances.get(&iid))
                .and_then(|i| i.inst.launch_time)
                .unwrap_or(now);
            regs.push(Registration {
                target_id: iid,
                port: Some(t.port),
                registered_at: (launched + chrono::Duration::minutes(2)).min(now),
                deregistered_at: None,
            });
        }
        let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
        r.tgs.insert(
            arn.clone(),
            TgRec {
                tg: TargetGroup {
                    region: region.into(),
                    arn: arn.as_str().into(),
                    name: t.name.as_str().into(),
                    protocol: Some(t.protocol.as_str().into()),
                    port: Some(t.port),
                    target_type: "instance".into(),
                    vpc_id: Some(r.vpc_id.as_str().into()),
                    load_balancer_arns: vec![],
                    health_check: hc,
                    deregistration_delay_seconds: Some(t.deregistration_delay),
                },
                regs,
                requests_per_minute: t.requests_per_minute,
            },
        );
        names.target_groups.insert(t.name.as_str(), arn);
    }
    Ok(())
}

/// Load balancers in their subnets' zones; each listener forwards to a target group, which learns
/// its load balancer from it.
pub(super) fn load_load_balancers(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
) -> Result<(), SimError> {
    let now = w.now;
    let region = names.region;
    for l in &spec.load_balancers {
        let arn = lb_arn(w, region, &l.lb_type, &l.name);
        let dns = lb_dns(w, region, &l.name, &l.scheme);
        let mut zones = Vec::new();
        for s in &l.subnets {
            let sid = names.subnet(s)?;
            let az = w
                .region(region)
                .ok()
                .and_then(|r| r.subnets.get(&sid))
                .map(|x| x.subnet.az.clone())
                .unwrap_or_default();
            zones.push(LbZone {
                az,
                subnet_id: Some(sid.into()),
            });
        }
        let mut listeners = Vec::new();
        for ls in &l.listeners {
            let tg = names
                .target_groups
                .get(ls.target_group.as_str())
                .cloned()
                .ok_or_else(|| {
                    names.err(format!(
                        "listener of {} forwards to unknown {}",
                        l.name, ls.target_group
                    ))
                })?;
            let lb_tail = arn
                .split("loadbalancer/")
                .nth(1)
                .unwrap_or_default()
                .to_string();
            let listener_arn = format!(
                "arn:aws:elasticloadbalancing:{region}:{}:listener/{lb_tail}/{}",
                fleet.account,
                ids::hex(&mut w.rng, 16)
            );
            listeners.push(Listener {
                region: region.into(),
                arn: listener_arn.into(),
                load_balancer_arn: arn.as_str().into(),
                protocol: Some(ls.protocol.as_str().into()),
                port: Some(ls.port),
                target_group_arns: vec![tg.into()],
            });
        }
        let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
        for ls in &listeners {
            for tg in &ls.target_group_arns {
                if let Some(t) = r.tgs.get_mut(tg.as_str())
                    && !t.tg.load_balancer_arns.iter().any(|a| *a == arn)
                {
                    t.tg.load_balancer_arns.push(arn.as_str().into());
                }
            }
        }
        r.lbs.insert(
            arn.clone(),
            LbRec {
                lb: LoadBalancer {
                    region: region.into(),
                    arn: arn.as_str().into(),
                    name: l.name.as_str().into(),
                    lb_type: l.lb_type.as_str().into(),
                    scheme: l.scheme.as_str().into(),
                    state: "active".into(),
                    dns_name: dns.into(),
                    vpc_id: Some(r.vpc_id.as_str().into()),
                    zones,
                    created_time: Some(now - chrono::Duration::days(90)),
                },
                listeners,
            },
        );
    }
    Ok(())
}
