//! `db-failover` (the seeds' EBS + snapshot failover, keeping the service address): stop the
//! primary if it runs → move its data volume (detach/attach in its AZ, or restore the newest
//! snapshot in the target AZ) → start the standby or launch a replacement → move the client-facing
//! address (Elastic IP re-association, secondary network interface move, or secondary private IP
//! reassignment) → verify by reading it back.

use super::plan::{Action, AddressMove, AddressWas, Plan, Step, Val};
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

/// How the client-facing address moves to the new instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressMode {
    /// The Elastic IP if the primary has one, else a secondary network interface in the target AZ,
    /// else a secondary private IP when the new instance is in the primary's subnet, else none.
    #[default]
    Auto,
    /// Re-associate the primary's Elastic IP.
    Eip,
    /// Detach a secondary network interface from the primary and attach it to the new instance.
    Eni,
    /// Reassign a secondary private IP of the primary's primary interface.
    PrivateIp,
    /// Leave the address alone.
    None,
}

/// What the plan does with the address.
enum AddressPlan<'a> {
    Eip(&'a ElasticIp),
    Eni {
        eni: &'a NetworkInterface,
        from_index: i32,
        to_index: i32,
    },
    PrivateIp {
        ip: String,
        eni: &'a NetworkInterface,
    },
    None,
}

/// Where the new instance will be: a standby (known) or a replacement launched in `target_az`.
struct NewHome<'a> {
    standby: Option<&'a Instance>,
    target_az: &'a str,
}

fn ips_of(n: &NetworkInterface) -> String {
    n.private_ips
        .iter()
        .map(|p| p.address.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn device_index(n: &NetworkInterface) -> i32 {
    n.attachment.as_ref().map(|a| a.device_index).unwrap_or(0)
}

/// The primary's secondary network interface to move, if any (named by `--eni` or its only one).
fn secondary_eni<'a>(
    inv: &'a Inventory,
    p: &Instance,
    named: Option<&str>,
) -> Result<Option<&'a NetworkInterface>, String> {
    let attached = inv.enis_of_instance(&p.id);
    match named {
        Some(id) => {
            let n = inv
                .network_interfaces
                .iter()
                .find(|n| n.id == id)
                .ok_or_else(|| format!("unknown network interface {id}"))?;
            match attached.iter().find(|a| a.id == id) {
                Some(a) if device_index(a) >= 1 => Ok(Some(n)),
                Some(_) => Err(format!(
                    "{id} is the primary interface (device index 0) of {}, which cannot be \
                     detached: use --address private-ip or --address eip",
                    p.id
                )),
                None => Err(format!("{id} is not attached to the primary {}", p.id)),
            }
        }
        None => {
            let secondary: Vec<&NetworkInterface> = attached
                .into_iter()
                .filter(|n| device_index(n) >= 1)
                .collect();
            match secondary.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(*one)),
                several => Err(format!(
                    "{} has several secondary network interfaces ({}); name one with --eni (or choose --address)",
                    p.id,
                    several
                        .iter()
                        .map(|n| n.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
}

/// The secondary private IP of the primary's primary interface to move, if any.
fn secondary_ip<'a>(
    inv: &'a Inventory,
    p: &Instance,
    named: Option<&str>,
) -> Result<Option<(String, &'a NetworkInterface)>, String> {
    let enis = inv.enis_of_instance(&p.id);
    let Some(pe) = enis.iter().find(|n| device_index(n) == 0).copied() else {
        return match named {
            Some(ip) => Err(format!(
                "{ip} is not a secondary private IP of the primary {}: its primary network \
                 interface is unknown",
                p.id
            )),
            None => Ok(None),
        };
    };
    let secondary: Vec<&str> = pe.secondary_private_ips().collect();
    match named {
        Some(ip) if secondary.contains(&ip) => Ok(Some((ip.to_string(), pe))),
        Some(ip) if pe.primary_private_ip() == Some(ip) => Err(format!(
            "{ip} is the primary private address of {}: only a secondary private IP can move",
            p.id
        )),
        Some(ip) => {
            let elsewhere = enis
                .iter()
                .find(|n| n.private_ips.iter().any(|a| a.address == ip))
                .map(|n| format!(" (it is on {}: use --address eni --eni {})", n.id, n.id))
                .unwrap_or_default();
            Err(format!(
                "{ip} is not a secondary private IP of the primary {} ({}){elsewhere}",
                p.id,
                if secondary.is_empty() {
                    format!("its interface {} has none", pe.id)
                } else {
                    format!("its interface {} has {}", pe.id, secondary.join(", "))
                }
            ))
        }
        None => match secondary.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((one.to_string(), pe))),
            several => Err(format!(
                "{} has several secondary private IPs ({}); name one with --private-ip (or choose --address)",
                p.id,
                several.join(", ")
            )),
        },
    }
}

/// Chooses how the address moves. Returns the choice, notes for the operator and, for a private
/// IP moving to a replacement, the subnet the replacement must be launched in.
fn choose_address<'a>(
    inv: &'a Inventory,
    p: &Instance,
    args: &FailoverArgs,
    home: &NewHome,
) -> Result<(AddressPlan<'a>, Vec<String>, Option<String>), String> {
    let mode = match (args.address, &args.eni, &args.private_ip) {
        (_, Some(_), Some(_)) => {
            return Err(
                "--eni and --private-ip are two different ways to move the address: \
                        give one"
                    .into(),
            );
        }
        (AddressMode::Auto | AddressMode::Eni, Some(_), None) => AddressMode::Eni,
        (AddressMode::Auto | AddressMode::PrivateIp, None, Some(_)) => AddressMode::PrivateIp,
        (m, Some(_), None) => {
            return Err(format!(
                "--eni goes with --address eni, not {}",
                mode_name(m)
            ));
        }
        (m, None, Some(_)) => {
            return Err(format!(
                "--private-ip goes with --address private-ip, not {}",
                mode_name(m)
            ));
        }
        (m, None, None) => m,
    };
    let explicit = mode != AddressMode::Auto;
    let mut notes = Vec::new();
    let eip = inv.eips_of_instance(&p.id).into_iter().next();
    if mode == AddressMode::None {
        notes.push(
            "the client-facing address is not moved (--address none): clients must be \
             re-pointed another way"
                .into(),
        );
        return Ok((AddressPlan::None, notes, None));
    }
    if matches!(mode, AddressMode::Auto | AddressMode::Eip) {
        match eip {
            Some(e) => return Ok((AddressPlan::Eip(e), notes, None)),
            None if explicit => {
                return Err(format!(
                    "{} has no Elastic IP: use --address eni, private-ip or none",
                    p.id
                ));
            }
            None => {}
        }
    }
    // What becomes of an Elastic IP when something else moves: it rides along if it is mapped to it.
    let eip_note = |what: &str, rides: &dyn Fn(&ElasticIp) -> bool| {
        eip.map(|e| {
            if rides(e) {
                format!(
                    "the Elastic IP {} is mapped to {what} and moves with it",
                    e.public_ip
                )
            } else {
                format!(
                    "the Elastic IP {} stays with the primary ({what} moves instead; --address \
                     eip would move it)",
                    e.public_ip
                )
            }
        })
    };
    if matches!(mode, AddressMode::Auto | AddressMode::Eni) {
        match secondary_eni(inv, p, args.eni.as_deref())? {
            Some(n) if n.az == home.target_az => {
                let from_index = device_index(n);
                let to_index = match home.standby {
                    None => from_index,
                    Some(s) => {
                        let taken: Vec<i32> = inv
                            .enis_of_instance(&s.id)
                            .iter()
                            .map(|x| device_index(x))
                            .collect();
                        if taken.contains(&from_index) {
                            (1..).find(|i| !taken.contains(i)).unwrap_or(from_index)
                        } else {
                            from_index
                        }
                    }
                };
                notes.push(format!(
                    "the address moves with the network interface {} ({}): the new instance's \
                     OS must bring the interface up",
                    n.id,
                    ips_of(n)
                ));
                notes.extend(eip_note(&n.id, &|e| {
                    e.network_interface_id.as_deref() == Some(n.id.as_str())
                }));
                return Ok((
                    AddressPlan::Eni {
                        eni: n,
                        from_index,
                        to_index,
                    },
                    notes,
                    None,
                ));
            }
            Some(n) if explicit => {
                return Err(format!(
                    "the network interface {} is in {} but the database moves to {}: an ENI \
                     cannot leave its AZ (use --address private-ip, eip or none, or \
                     --target-az {})",
                    n.id, n.az, home.target_az, n.az
                ));
            }
            Some(n) => notes.push(format!(
                "the secondary network interface {} stays in {} (an ENI cannot leave its AZ)",
                n.id, n.az
            )),
            None if explicit => {
                return Err(format!(
                    "{} has no secondary network interface to move (device index 1 or more)",
                    p.id
                ));
            }
            None => {}
        }
    }
    match secondary_ip(inv, p, args.private_ip.as_deref())? {
        Some((ip, pe)) => {
            let (fits, launch_in) = match home.standby {
                Some(s) => (s.subnet_id.as_deref() == Some(pe.subnet_id.as_str()), None),
                None => (
                    pe.az == home.target_az,
                    Some(pe.subnet_id.clone()).filter(|_| pe.az == home.target_az),
                ),
            };
            if fits {
                notes.push(format!(
                    "the secondary private IP {ip} moves to the new instance's primary interface \
                     (same subnet {}): its OS must add the address",
                    pe.subnet_id
                ));
                notes.extend(eip_note(&ip, &|e| {
                    e.network_interface_id.as_deref() == Some(pe.id.as_str())
                        && e.private_ip.as_deref() == Some(ip.as_str())
                }));
                return Ok((
                    AddressPlan::PrivateIp { ip, eni: pe },
                    notes,
                    launch_in.map(Into::into),
                ));
            }
            let why = match home.standby {
                Some(s) => format!(
                    "the standby {} is in subnet {}, not the primary's {}",
                    s.id,
                    s.subnet_id.as_deref().unwrap_or("?"),
                    pe.subnet_id
                ),
                None => format!(
                    "the primary's subnet {} is in {} but the database moves to {}",
                    pe.subnet_id, pe.az, home.target_az
                ),
            };
            if explicit {
                return Err(format!(
                    "{why}: a private IP cannot leave its subnet (use --address eni, eip or none)"
                ));
            }
            notes.push(format!("the secondary private IP {ip} stays: {why}"));
        }
        None if explicit => {
            return Err(format!(
                "{} has no secondary private IP on its primary network interface to move",
                p.id
            ));
        }
        None => {}
    }
    notes.push(
        "the primary has no Elastic IP, secondary network interface or secondary private IP \
         that can follow it: clients must be re-pointed another way"
            .into(),
    );
    Ok((AddressPlan::None, notes, None))
}

/// Where an Elastic IP points now, as a rollback would restore it: the exact private address of the
/// interface when known (a secondary IP keeps its own address), else the instance.
fn address_was(e: &ElasticIp) -> AddressWas {
    match (&e.network_interface_id, &e.instance_id) {
        (Some(eni), _) => AddressWas::At(AddressMove::NetworkInterface {
            eni_id: eni.to_string(),
            private_ip: e.private_ip.as_deref().map(Into::into),
        }),
        (None, Some(i)) => AddressWas::At(AddressMove::Instance(Val::Lit(i.to_string()))),
        (None, None) => AddressWas::Unassociated,
    }
}

fn mode_name(m: AddressMode) -> &'static str {
    match m {
        AddressMode::Auto => "auto",
        AddressMode::Eip => "eip",
        AddressMode::Eni => "eni",
        AddressMode::PrivateIp => "private-ip",
        AddressMode::None => "none",
    }
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
        args,
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
            .map(|t| chrono::Utc::now() - t)
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
    match address {
        AddressPlan::Eip(e) => steps.push(Step {
            title: format!(
                "move {} to {} and verify by reading it back",
                e.public_ip,
                new_instance.describe()
            ),
            action: Action::AssociateAddress {
                allocation_id: e.allocation_id.to_string(),
                target: AddressMove::Instance(new_instance.clone()),
                output: "association".into(),
                // Recorded for the rollback, which moves the address back there.
                was: Some(address_was(e)),
                only_from: None,
            },
            resources: vec![e.allocation_id.to_string()],
            expected_secs: 5,
            timeout_secs: 5 * 60,
        }),
        AddressPlan::Eni {
            eni,
            from_index,
            to_index,
        } => {
            steps.push(Step {
                title: format!("detach {} ({}) from the primary", eni.id, ips_of(eni)),
                action: Action::DetachNetworkInterface {
                    eni_id: eni.id.to_string(),
                    instance: p.id.to_string(),
                    device_index: from_index,
                },
                resources: vec![eni.id.to_string(), p.id.to_string()],
                expected_secs: 10,
                timeout_secs: 10 * 60,
            });
            steps.push(Step {
                title: format!(
                    "attach {} to {} as device {to_index} and verify by reading it back",
                    eni.id,
                    new_instance.describe()
                ),
                action: Action::AttachNetworkInterface {
                    eni_id: eni.id.to_string(),
                    instance: new_instance.clone(),
                    device_index: to_index,
                },
                resources: vec![eni.id.to_string()],
                expected_secs: 10,
                timeout_secs: 10 * 60,
            });
        }
        AddressPlan::PrivateIp { ip, eni } => steps.push(Step {
            title: format!(
                "move {ip} to {}'s primary interface and verify by reading it back",
                new_instance.describe()
            ),
            action: Action::MovePrivateIp {
                ip: ip.clone(),
                from: p.id.to_string(),
                to: new_instance.clone(),
            },
            resources: vec![ip, eni.id.to_string()],
            expected_secs: 5,
            timeout_secs: 5 * 60,
        }),
        AddressPlan::None => {}
    }
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
