//! How `db-failover` moves the client-facing address: which of the primary's Elastic IP, secondary
//! network interface or secondary private IP can follow the database (`--address`, `--eni`,
//! `--private-ip`), and the steps that move it.

use crate::plan::{Action, AddressMove, AddressWas, Step, Val};
use opsdeck_core::domain::*;

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
pub(super) enum AddressPlan<'a> {
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
pub(super) struct NewHome<'a> {
    pub standby: Option<&'a Instance>,
    pub target_az: &'a str,
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
pub(super) fn choose_address<'a>(
    inv: &'a Inventory,
    p: &Instance,
    mode: AddressMode,
    eni: Option<&str>,
    private_ip: Option<&str>,
    home: &NewHome,
) -> Result<(AddressPlan<'a>, Vec<String>, Option<String>), String> {
    let mode = match (mode, eni, private_ip) {
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
        match secondary_eni(inv, p, eni)? {
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
    match secondary_ip(inv, p, private_ip)? {
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

/// The steps that move the address to the new instance (none when it stays).
pub(super) fn address_steps(address: AddressPlan, p: &Instance, new_instance: &Val) -> Vec<Step> {
    let mut steps = Vec::new();
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
    steps
}
