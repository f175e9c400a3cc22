//! `remove-spof` (the seeds' "clone the AMI into a second machine, behind the load balancer, in
//! another AZ"): image the instance → launch clones in the AZs that balance the tier → wait
//! running and status ok → register them everywhere the source serves → wait healthy.

use super::groups;
use super::plan::{Action, Plan, Step, Val};
use opsdeck_core::domain::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, serde::Serialize)]
pub struct SpofArgs {
    pub instance: String,
    pub count: usize,
    /// Stop the instance for a consistent image (an outage, stated in the plan).
    pub consistent: bool,
    /// Deregister the AMI once the clones serve (default: keep it for the next clone).
    pub deregister_image: bool,
    /// A timestamp that makes the image name and client tokens unique to this plan.
    pub stamp: String,
}

impl SpofArgs {
    pub fn new(instance: &str) -> Self {
        SpofArgs {
            instance: instance.into(),
            count: 1,
            consistent: false,
            deregister_image: false,
            stamp: chrono::Utc::now().format("%Y%m%d%H%M%S").to_string(),
        }
    }
}

/// Subnets of the source's VPC in other AZs, best first: the AZ with the fewest healthy targets of
/// the groups the source serves, then the fewest live instances of its role.
fn candidate_subnets<'a>(inv: &'a Inventory, src: &Instance) -> Vec<&'a Subnet> {
    let groups: Vec<&str> = inv
        .registrations_of_instance(&src.id)
        .map(|r| r.target_group_arn.as_str())
        .collect();
    let role = src.tags.get("role");
    let load = |az: &str| -> (usize, usize) {
        let healthy = inv
            .target_health
            .iter()
            .filter(|t| {
                groups.contains(&t.target_group_arn.as_str())
                    && t.az.as_deref() == Some(az)
                    && t.state == TargetState::Healthy
            })
            .count();
        let peers = inv
            .instances
            .iter()
            .filter(|i| i.is_live() && i.az == az && role.is_some() && i.tags.get("role") == role)
            .count();
        (healthy, peers)
    };
    // One subnet per AZ (the one with the most free addresses).
    let mut per_az: BTreeMap<&str, &Subnet> = BTreeMap::new();
    for s in inv.subnets.iter().filter(|s| {
        s.region == src.region && Some(&s.vpc_id) == src.vpc_id.as_ref() && s.az != src.az
    }) {
        if inv.zone_state(&s.az) == ZoneState::Impaired
            || inv.zone_state(&s.az) == ZoneState::Unavailable
        {
            continue;
        }
        let e = per_az.entry(s.az.as_str()).or_insert(s);
        if s.available_ips > e.available_ips {
            *e = s;
        }
    }
    // A clone only takes traffic in an AZ its groups' load balancers are enabled in: elsewhere its
    // target stays `unused` (Target.NotInUse) and the single point of failure stays.
    let fronted = |az: &str| {
        groups.iter().all(|g| {
            let lbs: Vec<&LoadBalancer> = inv
                .target_group(g)
                .map(|tg| {
                    inv.load_balancers
                        .iter()
                        .filter(|lb| tg.load_balancer_arns.contains(&lb.arn))
                        .collect()
                })
                .unwrap_or_default();
            lbs.is_empty() || lbs.iter().any(|lb| lb.zones.iter().any(|z| z.az == az))
        })
    };
    let mut subnets: Vec<&Subnet> = per_az.into_values().filter(|s| fronted(&s.az)).collect();
    subnets.sort_by_key(|s| (load(&s.az), s.az.clone()));
    subnets
}

pub fn plan(inv: &Inventory, args: &SpofArgs) -> Result<Plan, String> {
    let src = inv
        .instance(&args.instance)
        .ok_or_else(|| format!("unknown instance {}", args.instance))?;
    // A group's member is not cloned: an instance the group does not know about is gone at its
    // next scale-in or refresh. The group itself is widened, and it launches.
    if let Some(g) = inv.group_of_instance(&src.id) {
        let mut plan = groups::widen_plan(
            inv,
            &groups::WidenArgs {
                group: g.name.to_string(),
                count: args.count,
                az: None,
            },
        )?;
        plan.notes.insert(
            0,
            format!(
                "{} is a member of Auto Scaling group {}: the group is widened instead of cloning it",
                src.id, g.name
            ),
        );
        return Ok(plan);
    }
    if !matches!(src.state, InstanceState::Running | InstanceState::Stopped) {
        return Err(format!(
            "{} is {}: only a running or stopped instance can be cloned",
            src.id,
            src.state.as_str()
        ));
    }
    if args.count == 0 {
        return Err("--count must be at least 1".into());
    }
    let vpc = src
        .vpc_id
        .clone()
        .ok_or_else(|| format!("{} is in no VPC: nowhere to put a clone", src.id))?;
    let subnets = candidate_subnets(inv, src);
    if subnets.is_empty() {
        return Err(format!(
            "no subnet of {vpc} in another AZ than {} that its load balancers are enabled in \
             (create one, or enable another AZ on the load balancer, first)",
            src.az
        ));
    }
    let label = format!(
        "{}{}",
        src.id,
        src.name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    let regs: Vec<&TargetHealth> = inv.registrations_of_instance(&src.id).collect();
    let mut steps = Vec::new();
    let mut notes = Vec::new();
    let stop_first = args.consistent && src.state == InstanceState::Running;
    if stop_first {
        notes.push(format!(
            "consistent image: {label} is stopped while the image is taken (an outage of a few minutes{})",
            if regs.is_empty() { "" } else { " for its share of the load" }
        ));
        steps.push(Step {
            title: format!("stop {label} for a consistent image"),
            action: Action::StopInstance {
                instance: src.id.to_string(),
            },
            resources: vec![src.id.to_string()],
            expected_secs: 60,
            timeout_secs: 20 * 60,
        });
    } else {
        notes.push("no-reboot image: the file system is imaged live (crash-consistent)".into());
    }
    let image_name = format!(
        "opsdeck-clone-{}-{}",
        src.name.as_deref().unwrap_or(&src.id),
        args.stamp
    );
    steps.push(Step {
        title: format!("image {label} as {image_name}"),
        action: Action::CreateImage {
            instance: src.id.to_string(),
            name: image_name.clone(),
            no_reboot: true,
            output: "image".into(),
        },
        resources: vec![src.id.to_string()],
        expected_secs: 5 * 60,
        timeout_secs: 60 * 60,
    });
    if stop_first {
        steps.push(Step {
            title: format!("start {label} again"),
            action: Action::StartInstance {
                instance: src.id.to_string(),
            },
            resources: vec![src.id.to_string()],
            expected_secs: 120,
            timeout_secs: 20 * 60,
        });
    }
    for k in 0..args.count {
        let subnet = subnets[k % subnets.len()];
        let output = format!("clone-{}", k + 1);
        steps.push(Step {
            title: format!(
                "launch clone {} of {label} in {} ({})",
                k + 1,
                subnet.az,
                subnet.id
            ),
            action: Action::LaunchClone {
                source: src.id.to_string(),
                image: Val::Output("image".into()),
                subnet_id: subnet.id.to_string(),
                client_token: format!("opsdeck-{}-{}-{}", src.id, args.stamp, k + 1),
                output: output.clone(),
            },
            resources: vec![src.id.to_string(), subnet.id.to_string()],
            expected_secs: 150,
            timeout_secs: 30 * 60,
        });
        for r in &regs {
            let g = inv.target_group(&r.target_group_arn);
            let name = g
                .map(|g| g.name.clone())
                .unwrap_or_else(|| r.target_group_arn.clone());
            let hc = g.map(|g| g.health_check.clone()).unwrap_or_default();
            let healthy_after = (hc.healthy_threshold.max(1) * hc.interval_seconds.max(1)) as u64;
            steps.push(Step {
                title: format!("register clone {} in {name} and wait healthy", k + 1),
                action: Action::RegisterTarget {
                    target_group_arn: r.target_group_arn.to_string(),
                    target: Val::Output(output.clone()),
                    port: r.port,
                },
                resources: vec![name.to_string()],
                expected_secs: healthy_after,
                timeout_secs: healthy_after * 3 + 10 * 60,
            });
        }
    }
    if regs.is_empty() {
        notes.push(format!("{label} serves no target group: the clones run beside it, but nothing sends them traffic yet"));
    }
    if args.deregister_image {
        steps.push(Step {
            title: format!("deregister {image_name} (its snapshot stays)"),
            action: Action::DeregisterImage {
                image: Val::Output("image".into()),
            },
            resources: vec![],
            expected_secs: 5,
            timeout_secs: 5 * 60,
        });
    }
    let azs: Vec<&str> = (0..args.count)
        .map(|k| subnets[k % subnets.len()].az.as_str())
        .collect();
    notes.push(format!(
        "clones go to {} (AZs chosen for balance)",
        azs.join(", ")
    ));
    Ok(Plan {
        runbook: "remove-spof".into(),
        region: src.region.to_string(),
        args: serde_json::to_value(args).unwrap_or_default(),
        steps,
        notes,
    })
}
