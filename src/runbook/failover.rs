//! `db-failover` (the seeds' EBS + snapshot failover, keeping the service address): stop the
//! primary if it runs → move its data volume (detach/attach in its AZ, or restore the newest
//! snapshot in the target AZ) → start the standby or launch a replacement → move the Elastic IP →
//! verify by reading the association back.

use super::plan::{Action, AddressMove, Plan, Step, Val};
use crate::domain::*;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FailoverArgs {
    pub primary: String,
    /// The data volume (default: the primary's only non-root volume).
    pub volume: Option<String>,
    /// An existing standby instance (default: launch a replacement from the primary's AMI).
    pub standby: Option<String>,
    /// Where the database should run (default: the standby's AZ, else the volume's AZ if healthy,
    /// else another AZ with a subnet).
    pub target_az: Option<String>,
    /// Restore the newest snapshot even if the volume could be moved.
    pub from_snapshot: bool,
    /// Force the detach (data written since the last flush may be lost).
    pub force_detach: bool,
    pub stamp: String,
}

fn is_root(i: &Instance, device: &str) -> bool {
    i.root_device_name.as_deref() == Some(device)
        || matches!(device, "/dev/sda1" | "/dev/xvda" | "/dev/sda")
}

fn zone_down(inv: &Inventory, az: &str) -> bool {
    matches!(
        inv.zone_state(az),
        ZoneState::Impaired | ZoneState::Unavailable
    )
}

pub fn plan(inv: &Inventory, args: &FailoverArgs) -> Result<Plan, String> {
    let p = inv
        .instance(&args.primary)
        .ok_or_else(|| format!("unknown instance {}", args.primary))?;
    let data: Vec<&Volume> = inv
        .volumes_of_instance(&p.id)
        .into_iter()
        .filter(|v| {
            v.attachments
                .iter()
                .any(|a| a.instance_id == p.id && !is_root(p, &a.device))
        })
        .collect();
    let vol = match &args.volume {
        Some(id) => {
            let v = inv
                .volume(id)
                .ok_or_else(|| format!("unknown volume {id}"))?;
            if let Some(other) = v.attached_instance().filter(|i| *i != p.id) {
                return Err(format!(
                    "volume {id} is in use by {other}, not by the primary {}",
                    p.id
                ));
            }
            v
        }
        None => match data.as_slice() {
            [one] => *one,
            [] => {
                return Err(format!(
                    "{} has no data volume attached; name it with --volume",
                    p.id
                ));
            }
            _ => {
                return Err(format!(
                    "{} has several data volumes; name one with --volume",
                    p.id
                ));
            }
        },
    };
    let device = vol
        .attachments
        .iter()
        .find(|a| a.instance_id == p.id)
        .map(|a| a.device.clone())
        .unwrap_or_else(|| "/dev/sdf".into());
    let standby = match &args.standby {
        Some(id) => {
            let s = inv
                .instance(id)
                .ok_or_else(|| format!("unknown standby instance {id}"))?;
            if s.id == p.id {
                return Err("the standby cannot be the primary".into());
            }
            Some(s)
        }
        None => None,
    };
    let target_az = match (&args.target_az, standby) {
        (Some(az), Some(s)) if *az != s.az => {
            return Err(format!("the standby {} is in {}, not {az}", s.id, s.az));
        }
        (Some(az), _) => az.clone(),
        (None, Some(s)) => s.az.clone(),
        (None, None) if !zone_down(inv, &vol.az) && !args.from_snapshot => vol.az.clone(),
        (None, None) => inv
            .subnets
            .iter()
            .filter(|s| {
                Some(&s.vpc_id) == p.vpc_id.as_ref() && s.az != vol.az && !zone_down(inv, &s.az)
            })
            .map(|s| s.az.clone())
            .min()
            .ok_or_else(|| {
                format!(
                    "no subnet of {} in a healthy AZ other than {}",
                    p.vpc_id.as_deref().unwrap_or("the VPC"),
                    vol.az
                )
            })?,
    };
    if zone_down(inv, &target_az) {
        return Err(format!(
            "{target_az} is {}: choose another --target-az",
            inv.zone_state(&target_az).as_str()
        ));
    }
    let restore = args.from_snapshot || target_az != vol.az || zone_down(inv, &vol.az);
    let snapshot = if restore {
        Some(
            inv.newest_completed_snapshot(&vol.id)
                .ok_or_else(|| format!("no completed snapshot of {} to restore", vol.id))?,
        )
    } else {
        None
    };
    let subnet = if standby.is_none() {
        Some(
            inv.subnets
                .iter()
                .filter(|s| Some(&s.vpc_id) == p.vpc_id.as_ref() && s.az == target_az)
                .max_by_key(|s| s.available_ips)
                .ok_or_else(|| {
                    format!(
                        "no subnet of {} in {target_az} for a replacement",
                        p.vpc_id.as_deref().unwrap_or("the VPC")
                    )
                })?,
        )
    } else {
        None
    };
    let image = if standby.is_none() {
        Some(
            p.image_id
                .clone()
                .ok_or_else(|| format!("{} has no AMI to launch a replacement from", p.id))?,
        )
    } else {
        None
    };
    let eip = inv.eips_of_instance(&p.id).into_iter().next();

    let plabel = format!(
        "{}{}",
        p.id,
        p.name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    let mut steps = Vec::new();
    let mut notes = Vec::new();
    let primary_zone_down = zone_down(inv, &p.az);
    match p.state {
        InstanceState::Running | InstanceState::Pending if !primary_zone_down => steps.push(Step {
            title: format!("stop the primary {plabel}"),
            action: Action::StopInstance { instance: p.id.clone() },
            resources: vec![p.id.clone()],
            expected_secs: 60,
            timeout_secs: 15 * 60,
        }),
        _ if primary_zone_down => notes.push(format!(
            "the primary's AZ {} is {}: it is left as it is; make sure it cannot come back and write",
            p.az,
            inv.zone_state(&p.az).as_str()
        )),
        s => notes.push(format!("the primary is already {}", s.as_str())),
    }
    let new_instance: Val = match standby {
        Some(s) => Val::Lit(s.id.clone()),
        None => Val::Output("replacement".into()),
    };
    let moved_volume: Val = if let Some(snap) = snapshot {
        let age = snap
            .start_time
            .map(|t| chrono::Utc::now() - t)
            .map(|d| crate::domain::time::duration_secs(d.num_seconds()));
        notes.push(format!(
            "data-loss window: restoring {} taken {} ago — writes since then are lost",
            snap.id,
            age.unwrap_or_else(|| "?".into())
        ));
        steps.push(Step {
            title: format!("restore {} into {target_az}", snap.id),
            action: Action::RestoreVolume {
                snapshot: Val::Lit(snap.id.clone()),
                az: target_az.clone(),
                volume_type: vol.volume_type.clone(),
                output: "restored".into(),
            },
            resources: vec![snap.id.clone()],
            expected_secs: 60,
            timeout_secs: 30 * 60,
        });
        Val::Output("restored".into())
    } else {
        if vol.attached_instance() == Some(p.id.as_str()) {
            if args.force_detach {
                notes.push(
                    "the detach is forced: data not yet flushed by the primary may be lost".into(),
                );
            }
            steps.push(Step {
                title: format!("detach {} from the primary", vol.id),
                action: Action::DetachVolume {
                    volume: vol.id.clone(),
                    instance: p.id.clone(),
                    force: args.force_detach,
                },
                resources: vec![vol.id.clone(), p.id.clone()],
                expected_secs: 30,
                timeout_secs: 10 * 60,
            });
        }
        Val::Lit(vol.id.clone())
    };
    if let (Some(img), Some(sub)) = (&image, subnet) {
        steps.push(Step {
            title: format!("launch a replacement for {plabel} in {target_az} from {img}"),
            action: Action::LaunchClone {
                source: p.id.clone(),
                image: Val::Lit(img.clone()),
                subnet_id: sub.id.clone(),
                client_token: format!("opsdeck-failover-{}-{}", p.id, args.stamp),
                output: "replacement".into(),
            },
            resources: vec![p.id.clone(), sub.id.clone()],
            expected_secs: 150,
            timeout_secs: 30 * 60,
        });
    }
    steps.push(Step {
        title: format!("attach the data volume at {device}"),
        action: Action::AttachVolume {
            volume: moved_volume,
            instance: new_instance.clone(),
            device: device.clone(),
        },
        resources: vec![vol.id.clone()],
        expected_secs: 15,
        timeout_secs: 10 * 60,
    });
    if let Some(s) = standby
        && s.state != InstanceState::Running
    {
        steps.push(Step {
            title: format!("start the standby {}", s.id),
            action: Action::StartInstance {
                instance: s.id.clone(),
            },
            resources: vec![s.id.clone()],
            expected_secs: 120,
            timeout_secs: 20 * 60,
        });
    }
    match eip {
        Some(e) => steps.push(Step {
            title: format!(
                "move {} to {} and verify by reading it back",
                e.public_ip,
                new_instance.describe()
            ),
            action: Action::AssociateAddress {
                allocation_id: e.allocation_id.clone(),
                target: AddressMove::Instance(new_instance.clone()),
                output: "association".into(),
            },
            resources: vec![e.allocation_id.clone()],
            expected_secs: 5,
            timeout_secs: 5 * 60,
        }),
        None => notes
            .push("the primary has no Elastic IP: clients must be re-pointed another way".into()),
    }
    let downtime: u64 = steps.iter().map(|s| s.expected_secs).sum();
    notes.insert(
        0,
        format!(
            "expected downtime: about {}",
            crate::domain::time::duration_secs(downtime as i64)
        ),
    );
    Ok(Plan {
        runbook: "db-failover".into(),
        region: p.region.clone(),
        args: serde_json::to_value(args).unwrap_or_default(),
        steps,
        notes,
    })
}
