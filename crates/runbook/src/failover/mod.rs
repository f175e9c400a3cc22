//! `db-failover` (the seeds' EBS + snapshot failover, keeping the service address): stop the
//! primary if it runs → move its data volume (detach/attach in its AZ, or restore the newest
//! snapshot in the target AZ) → start the standby or launch a replacement → move the client-facing
//! address (Elastic IP re-association, secondary network interface move, or secondary private IP
//! reassignment) → verify by reading it back.
//!
//! Here is the plan's volume and instance part; `address.rs` chooses how the address follows.

mod address;

pub use address::AddressMode;

use crate::plan::{Action, Plan, Step, Val};
use address::{NewHome, address_steps, choose_address};
use opsdeck_core::domain::*;

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
    /// How the client-facing address follows the database.
    pub address: AddressMode,
    /// The secondary private IP to move (default: the only one on the primary's primary interface).
    pub private_ip: Option<String>,
    /// The secondary network interface to move (default: the primary's only one).
    pub eni: Option<String>,
    pub stamp: String,
}

fn is_root(i: &Instance, device: &str) -> bool {
    i.root_device_name.as_deref() == Some(device)
        || matches!(device, "/dev/sda1" | "/dev/xvda" | "/dev/sda")
}

/// Why a volume cannot simply be detached now: in `error`, or a detach from `primary` already
/// hanging (`detaching`, `busy`).
fn stuck_reason(vol: &Volume, primary: &str) -> Option<String> {
    if vol.state == VolumeState::Error {
        return Some("in state error".into());
    }
    vol.attachments
        .iter()
        .find(|a| a.instance_id == primary && a.state.is_hanging())
        .map(|a| format!("its attachment to {primary} is {}", a.state.as_str()))
}

fn zone_down(inv: &Inventory, az: &str) -> bool {
    matches!(
        inv.zone_state(az),
        ZoneState::Impaired | ZoneState::Unavailable
    )
}

/// `now`: the session's clock (the simulator's in a demo), for the data-loss window's age.
pub fn plan(inv: &Inventory, args: &FailoverArgs, now: Timestamp) -> Result<Plan, String> {
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
        (None, Some(s)) => s.az.to_string(),
        (None, None) if !zone_down(inv, &vol.az) && !args.from_snapshot => vol.az.to_string(),
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
            })?
            .to_string(),
    };
    if zone_down(inv, &target_az) {
        return Err(format!(
            "{target_az} is {}: choose another --target-az",
            inv.zone_state(&target_az).as_str()
        ));
    }
    // A volume already stuck (a detach hanging in `detaching`/`busy`) cannot be moved without force;
    // one in `error` cannot be moved at all: both are left alone and the newest snapshot restored,
    // unless --force-detach asks to force a stuck one free (keeping every write it holds).
    let stuck = stuck_reason(vol, &p.id);
    let broken = vol.state == VolumeState::Error;
    let restore = args.from_snapshot
        || target_az != vol.az
        || zone_down(inv, &vol.az)
        || broken
        || (stuck.is_some() && !args.force_detach);
    let snapshot = if restore {
        Some(
            inv.newest_completed_snapshot(&vol.id)
                .ok_or_else(|| format!("no completed snapshot of {} to restore", vol.id))?,
        )
    } else {
        None
    };
    let (address, address_notes, launch_in) = choose_address(
        inv,
        p,
        args.address,
        args.eni.as_deref(),
        args.private_ip.as_deref(),
        &NewHome {
            standby,
            target_az: &target_az,
        },
    )?;
    let subnet = if standby.is_none() {
        Some(
            inv.subnets
                .iter()
                .filter(|s| Some(&s.vpc_id) == p.vpc_id.as_ref() && s.az == target_az)
                // A private IP that moves needs the replacement in the primary's subnet.
                .filter(|s| launch_in.as_ref().is_none_or(|l| *l == s.id))
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
            action: Action::StopInstance { instance: p.id.to_string() },
            resources: vec![p.id.to_string()],
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
    if standby.is_none() && args.target_az.is_none() && target_az == vol.az {
        // Said, never silent: the replacement shares the failed primary's AZ on purpose.
        notes.push(format!(
            "the replacement goes in {target_az}, where the data volume {} is: it moves without a \
             snapshot and loses no write; if {target_az} itself is the problem, give --target-az \
             another AZ (the newest snapshot is restored there)",
            vol.id
        ));
    }
    let new_instance: Val = match standby {
        Some(s) => Val::Lit(s.id.to_string()),
        None => Val::Output("replacement".into()),
    };
    match (&stuck, restore) {
        (Some(why), true) => notes.push(format!(
            "the data volume {} is stuck ({why}): it is left as it is and its newest completed \
             snapshot restored instead{}",
            vol.id,
            if broken {
                ""
            } else {
                " (--force-detach would force it free and keep every write)"
            }
        )),
        (Some(why), false) => notes.push(format!(
            "the data volume {} is stuck ({why}): the detach is forced to free it",
            vol.id
        )),
        (None, _) => {}
    }
    let moved_volume: Val = if let Some(snap) = snapshot {
        let age = snap
            .start_time
            .map(|t| now - t)
            .map(|d| opsdeck_core::domain::time::duration_secs(d.num_seconds()));
        notes.push(format!(
            "data-loss window: restoring {} taken {} ago — writes since then are lost",
            snap.id,
            age.unwrap_or_else(|| "?".into())
        ));
        steps.push(Step {
            title: format!("restore {} into {target_az}", snap.id),
            action: Action::RestoreVolume {
                snapshot: Val::Lit(snap.id.to_string()),
                az: target_az.clone(),
                volume_type: vol.volume_type.to_string(),
                output: "restored".into(),
            },
            resources: vec![snap.id.to_string()],
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
                    volume: vol.id.to_string(),
                    instance: p.id.to_string(),
                    force: args.force_detach,
                },
                resources: vec![vol.id.to_string(), p.id.to_string()],
                expected_secs: 30,
                timeout_secs: 10 * 60,
            });
        }
        Val::Lit(vol.id.to_string())
    };
    if let (Some(img), Some(sub)) = (&image, subnet) {
        steps.push(Step {
            title: format!("launch a replacement for {plabel} in {target_az} from {img}"),
            action: Action::LaunchClone {
                source: p.id.to_string(),
                image: Val::Lit(img.to_string()),
                subnet_id: sub.id.to_string(),
                client_token: format!("opsdeck-failover-{}-{}", p.id, args.stamp),
                output: "replacement".into(),
            },
            resources: vec![p.id.to_string(), sub.id.to_string()],
            expected_secs: 150,
            timeout_secs: 30 * 60,
        });
    }
    steps.push(Step {
        title: format!("attach the data volume at {device}"),
        action: Action::AttachVolume {
            volume: moved_volume,
            instance: new_instance.clone(),
            device: device.to_string(),
        },
        resources: vec![vol.id.to_string()],
        expected_secs: 15,
        timeout_secs: 10 * 60,
    });
    if let Some(s) = standby
        && s.state != InstanceState::Running
    {
        steps.push(Step {
            title: format!("start the standby {}", s.id),
            action: Action::StartInstance {
                instance: s.id.to_string(),
            },
            resources: vec![s.id.to_string()],
            expected_secs: 120,
            timeout_secs: 20 * 60,
        });
    }
    steps.extend(address_steps(address, p, &new_instance));
    notes.extend(address_notes);
    let downtime: u64 = steps.iter().map(|s| s.expected_secs).sum();
    notes.insert(
        0,
        format!(
            "expected downtime: about {}",
            opsdeck_core::domain::time::duration_secs(downtime as i64)
        ),
    );
    Ok(Plan {
        runbook: "db-failover".into(),
        region: p.region.to_string(),
        args: serde_json::to_value(args).unwrap_or_default(),
        steps,
        notes,
    })
}
