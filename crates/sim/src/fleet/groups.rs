//! A fleet file's Auto Scaling groups: the group with its launch template, and its members running
//! since `launched`, round-robin over its subnets (as AWS balances them), registered in its target
//! groups two minutes after launch. Loaded last, so fleets without groups keep the ids they had.

use super::names::Names;
use super::spec::{FleetSpec, GroupSpec, RegionSpec};
use super::tags::{tag_primary_eni, with};
use super::times::at;
use crate::error::SimError;
use crate::groups::{GroupRec, MemberRec};
use crate::instances::{NewInstance, cpu_for_role};
use crate::model::Registration;
use crate::world::World;
use opsdeck_core::domain::*;

pub(super) fn load_groups(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
) -> Result<(), SimError> {
    for g in &spec.auto_scaling_groups {
        load_group(w, fleet, spec, names, g)?;
    }
    Ok(())
}

fn transition(t: &str) -> Result<&'static str, String> {
    match t {
        "launching" => Ok("autoscaling:EC2_INSTANCE_LAUNCHING"),
        "terminating" => Ok("autoscaling:EC2_INSTANCE_TERMINATING"),
        other => Err(format!(
            "hook transition `{other}`: launching or terminating"
        )),
    }
}

fn load_group(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
    g: &GroupSpec,
) -> Result<(), SimError> {
    let region = names.region;
    let bad = |m: String| names.err(format!("group {}: {m}", g.name));
    if g.subnets.is_empty() {
        return Err(bad("needs at least one subnet".into()));
    }
    if !(g.min <= g.desired && g.desired <= g.max) {
        return Err(bad(format!(
            "desired {} must be between min {} and max {}",
            g.desired, g.min, g.max
        )));
    }
    if !matches!(g.health_check.as_str(), "EC2" | "ELB") {
        return Err(bad(format!(
            "health_check `{}`: EC2 or ELB",
            g.health_check
        )));
    }
    let subnets: Vec<String> = g
        .subnets
        .iter()
        .map(|s| names.subnet(s))
        .collect::<Result<_, _>>()?;
    let target_groups: Vec<String> = g
        .target_groups
        .iter()
        .map(|t| {
            names
                .target_groups
                .get(t.as_str())
                .cloned()
                .ok_or_else(|| bad(format!("no target group named {t}")))
        })
        .collect::<Result<_, _>>()?;
    let hooks: Vec<LifecycleHook> = g
        .hooks
        .iter()
        .map(|h| {
            Ok(LifecycleHook {
                name: h.name.as_str().into(),
                transition: transition(&h.transition).map_err(&bad)?.into(),
                heartbeat_timeout_secs: h.heartbeat,
                default_result: h.default_result.as_str().into(),
            })
        })
        .collect::<Result<_, SimError>>()?;
    let image = match &g.image {
        Some(img) => names
            .images
            .get(img.as_str())
            .cloned()
            .unwrap_or(img.clone()),
        None => spec
            .base_images
            .first()
            .cloned()
            .ok_or_else(|| bad("no image and no base image".into()))?,
    };
    let mut extra: Vec<(&str, &str)> = vec![("Name", &g.name)];
    if let Some(role) = &g.role {
        extra.push(("role", role));
    }
    let mut tags = with(&fleet.tags, &extra);
    tags.extend(g.tags.clone());
    let template = NewInstance {
        instance_type: g.instance_type.clone(),
        subnet_id: subnets[0].clone(),
        image_id: image,
        security_group_ids: names.security_groups(&g.security_groups)?,
        key_name: None,
        iam_instance_profile_arn: None,
        user_data: None,
        tags: tags.clone(),
        volume_tags: tags.clone(),
        private_ip: None,
        auto_public_ip: false,
        cpu_base: cpu_for_role(g.role.as_deref()),
        root_size_gib: None,
    };
    let launched = at(w.now, &g.launched)?;
    let template_id = format!("lt-{}", crate::ids::hex(&mut w.rng, 17));
    let mut members = std::collections::BTreeMap::new();
    for k in 0..g.desired.max(0) as usize {
        let mut m = template.clone();
        m.subnet_id = subnets[k % subnets.len()].clone();
        m.tags.insert(GROUP_TAG, g.name.as_str());
        let az = w
            .region(region)
            .ok()
            .and_then(|r| r.subnets.get(&m.subnet_id))
            .map(|s| s.subnet.az.to_string())
            .unwrap_or_default();
        let id = w
            .create_instance(region, m, InstanceState::Running, launched)
            .map_err(|x| bad(x.to_string()))?;
        if let Ok(r) = w.region_mut(region) {
            tag_primary_eni(r, &id, &fleet.tags);
            for arn in &target_groups {
                if let Some(tg) = r.tgs.get_mut(arn) {
                    let port = tg.tg.port;
                    tg.regs.push(Registration {
                        target_id: id.clone(),
                        port,
                        registered_at: launched + chrono::Duration::minutes(2),
                        deregistered_at: None,
                    });
                }
            }
        }
        members.insert(
            id,
            MemberRec {
                state: LifecycleState::InService,
                healthy: true,
                az,
                launched,
                wait_until: None,
                version: 1,
            },
        );
    }
    let account = fleet.account.clone();
    let r = w.region_mut(region).map_err(|x| bad(x.to_string()))?;
    r.groups.insert(
        g.name.clone(),
        GroupRec {
            name: g.name.clone(),
            arn: format!(
                "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{}:autoScalingGroupName/{}",
                uuid_like(&g.name),
                g.name
            ),
            min: g.min,
            max: g.max,
            desired: g.desired,
            subnets,
            target_groups,
            health_check_type: g.health_check.clone(),
            grace_secs: g.grace,
            suspended: g.suspended.iter().cloned().collect(),
            min_healthy_percent: g.min_healthy_percent,
            max_healthy_percent: None,
            capacity_rebalance: false,
            hooks,
            refresh: None,
            template,
            template_id,
            version: 1,
            members,
            tags: with(&fleet.tags, &[("Name", &g.name)]),
            check_at: None,
        },
    );
    Ok(())
}

/// A stable id-like part of a group ARN, from its name (AWS puts a UUID there).
fn uuid_like(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xffff,
        (h >> 48) & 0xffff,
        h & 0xffff_ffff_ffff
    )
}
