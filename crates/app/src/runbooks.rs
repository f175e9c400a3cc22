//! Which runbook the operator asked for, and from where: an instance, a volume, a finding's fix or
//! the `:runbooks` list. Planning itself is the planners' (`opsdeck_runbook`): pure over the
//! inventory, refusing bad arguments in plain words before anything changes.

use crate::strings::{self, offer};
use opsdeck_core::analysis::Finding;
use opsdeck_core::domain::{Inventory, SnapshotState, Timestamp, ZoneState};
use opsdeck_runbook::plan::Plan;
use opsdeck_runbook::{backup, failover, groups, rolling, spof};

/// Snapshots a prune offered from a volume keeps (the newest; an AMI's are never deleted).
pub const PRUNE_KEEP: usize = 7;

/// A runbook with its arguments, as the console offers it.
#[derive(Debug, Clone, PartialEq)]
pub enum RunbookRequest {
    /// `instances` empty: every instance of the region with an upcoming scheduled event.
    Rolling {
        region: String,
        instances: Vec<String>,
    },
    /// Move an instance's upcoming events to `to` (AWS allows it only within their deadline).
    Reschedule {
        region: String,
        instance: String,
        to: Timestamp,
    },
    RemoveSpof {
        region: String,
        instance: String,
    },
    /// Widen an Auto Scaling group into another AZ (the fix of its `single-az` finding).
    WidenGroup {
        region: String,
        group: String,
    },
    /// Maintain every in-service member of a group, one at a time, through Standby.
    RollingGroup {
        region: String,
        group: String,
    },
    DbFailover {
        region: String,
        primary: String,
    },
    Snapshot {
        region: String,
        instance: String,
    },
    Restore {
        region: String,
        snapshot: String,
        az: String,
    },
    Prune {
        region: String,
        volume: String,
        keep: usize,
    },
    /// Continue a journaled run from where it stopped.
    Resume {
        run_id: String,
    },
    /// Undo what a journaled run did (`engine::rollback_plan`).
    Rollback {
        run_id: String,
    },
}

impl RunbookRequest {
    /// The runbook's name, as `opsdeck runbook NAME` spells it.
    pub fn runbook(&self) -> &'static str {
        match self {
            RunbookRequest::Rolling { .. } | RunbookRequest::Reschedule { .. } => {
                "rolling-maintenance"
            }
            RunbookRequest::RemoveSpof { .. } | RunbookRequest::WidenGroup { .. } => "remove-spof",
            RunbookRequest::RollingGroup { .. } => "rolling-maintenance",
            RunbookRequest::DbFailover { .. } => "db-failover",
            RunbookRequest::Snapshot { .. } => "snapshot",
            RunbookRequest::Restore { .. } => "restore",
            RunbookRequest::Prune { .. } => "prune",
            RunbookRequest::Resume { .. } => "resume",
            RunbookRequest::Rollback { .. } => "rollback",
        }
    }

    /// The request as the headless command line would say it.
    pub fn command(&self) -> String {
        match self {
            RunbookRequest::Rolling { instances, .. } if instances.is_empty() => {
                "opsdeck runbook rolling-maintenance".into()
            }
            RunbookRequest::Rolling { instances, .. } => format!(
                "opsdeck runbook rolling-maintenance{}",
                instances
                    .iter()
                    .map(|i| format!(" --instance {i}"))
                    .collect::<String>()
            ),
            RunbookRequest::Reschedule { instance, to, .. } => format!(
                "opsdeck runbook rolling-maintenance --instance {instance} --reschedule-to {}",
                to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            RunbookRequest::RemoveSpof { instance, .. } => {
                format!("opsdeck runbook remove-spof --instance {instance}")
            }
            RunbookRequest::WidenGroup { group, .. } => {
                format!("opsdeck runbook remove-spof --group {group}")
            }
            RunbookRequest::RollingGroup { group, .. } => {
                format!("opsdeck runbook rolling-maintenance --group {group}")
            }
            RunbookRequest::DbFailover { primary, .. } => {
                format!("opsdeck runbook db-failover --primary {primary}")
            }
            RunbookRequest::Snapshot { instance, .. } => {
                format!("opsdeck runbook snapshot --instance {instance}")
            }
            RunbookRequest::Restore { snapshot, az, .. } => {
                format!("opsdeck runbook restore --snapshot {snapshot} --az {az}")
            }
            RunbookRequest::Prune { volume, keep, .. } => {
                format!("opsdeck runbook prune --volume {volume} --keep {keep}")
            }
            RunbookRequest::Resume { run_id } => format!("opsdeck runbook resume {run_id}"),
            RunbookRequest::Rollback { run_id } => format!("opsdeck runbook rollback {run_id}"),
        }
    }

    /// The region it acts in (a journaled run knows its own).
    pub fn region(&self) -> Option<&str> {
        match self {
            RunbookRequest::Rolling { region, .. }
            | RunbookRequest::Reschedule { region, .. }
            | RunbookRequest::RemoveSpof { region, .. }
            | RunbookRequest::WidenGroup { region, .. }
            | RunbookRequest::RollingGroup { region, .. }
            | RunbookRequest::DbFailover { region, .. }
            | RunbookRequest::Snapshot { region, .. }
            | RunbookRequest::Restore { region, .. }
            | RunbookRequest::Prune { region, .. } => Some(region),
            RunbookRequest::Resume { .. } | RunbookRequest::Rollback { .. } => None,
        }
    }

    /// The request behind a finding's fix (`opsdeck runbook remove-spof --instance i-…`).
    pub fn from_fix(fix: &str, region: &str) -> Option<RunbookRequest> {
        let words: Vec<&str> = fix.split_whitespace().collect();
        let ["opsdeck", "runbook", name, rest @ ..] = words.as_slice() else {
            return None;
        };
        let flag = |f: &str| -> Option<String> {
            rest.windows(2)
                .find(|w| w[0] == f)
                .map(|w| w[1].to_string())
        };
        let region = region.to_string();
        Some(match *name {
            "remove-spof" if flag("--group").is_some() => RunbookRequest::WidenGroup {
                region,
                group: flag("--group")?,
            },
            "remove-spof" => RunbookRequest::RemoveSpof {
                region,
                instance: flag("--instance")?,
            },
            "rolling-maintenance" if flag("--group").is_some() => RunbookRequest::RollingGroup {
                region,
                group: flag("--group")?,
            },
            "db-failover" => RunbookRequest::DbFailover {
                region,
                primary: flag("--primary")?,
            },
            "snapshot" => RunbookRequest::Snapshot {
                region,
                instance: flag("--instance")?,
            },
            "rolling-maintenance" => RunbookRequest::Rolling {
                region,
                instances: rest
                    .windows(2)
                    .filter(|w| w[0] == "--instance")
                    .map(|w| w[1].to_string())
                    .collect(),
            },
            "restore" => RunbookRequest::Restore {
                region,
                snapshot: flag("--snapshot")?,
                az: flag("--az")?,
            },
            "prune" => RunbookRequest::Prune {
                region,
                volume: flag("--volume")?,
                keep: flag("--keep")?.parse().ok()?,
            },
            _ => return None,
        })
    }
}

/// Plans a request with the runbook's planner. `details` are the target groups' settings read on
/// demand (rolling maintenance waits for their deregistration delay); `now` stamps names and tokens.
/// Journaled requests (resume, rollback) are planned from their journal, not here.
pub fn plan(
    req: &RunbookRequest,
    inv: &Inventory,
    details: &rolling::GroupDetails,
    now: Timestamp,
) -> Result<Plan, String> {
    let stamp = now.format("%Y%m%d%H%M%S").to_string();
    match req {
        RunbookRequest::Rolling { region, instances } => {
            let args = rolling_args(instances);
            rolling::plan(inv, region, &args, details, now)
        }
        RunbookRequest::Reschedule {
            region,
            instance,
            to,
        } => {
            let args = rolling::RollingArgs {
                reschedule_to: Some(*to),
                ..rolling_args(std::slice::from_ref(instance))
            };
            rolling::plan(inv, region, &args, details, now)
        }
        RunbookRequest::RemoveSpof { instance, .. } => spof::plan(
            inv,
            &spof::SpofArgs {
                stamp,
                ..spof::SpofArgs::new(instance)
            },
        ),
        RunbookRequest::WidenGroup { group, .. } => groups::widen_plan(
            inv,
            &groups::WidenArgs {
                group: group.clone(),
                count: 1,
                az: None,
            },
        ),
        RunbookRequest::RollingGroup { region, group } => {
            let args = rolling::RollingArgs {
                group: Some(group.clone()),
                ..rolling::RollingArgs::default()
            };
            rolling::plan(inv, region, &args, details, now)
        }
        RunbookRequest::DbFailover { primary, .. } => failover::plan(
            inv,
            &failover::FailoverArgs {
                primary: primary.clone(),
                stamp,
                ..failover::FailoverArgs::default()
            },
            now,
        ),
        RunbookRequest::Snapshot { instance, .. } => backup::snapshot_plan(inv, instance, None),
        RunbookRequest::Restore { snapshot, az, .. } => {
            backup::restore_plan(inv, snapshot, az, None)
        }
        RunbookRequest::Prune { volume, keep, .. } => backup::prune_plan(
            inv,
            &backup::PruneArgs {
                volume: volume.clone(),
                keep: Some(*keep),
                younger_than_days: None,
            },
            now,
        ),
        RunbookRequest::Resume { run_id } | RunbookRequest::Rollback { run_id } => {
            Err(strings::planned_from_its_journal(run_id))
        }
    }
}

/// Rolling maintenance's arguments for the instances asked for (none: the scheduled events).
pub fn rolling_args(instances: &[String]) -> rolling::RollingArgs {
    rolling::RollingArgs {
        instances: instances.to_vec(),
        ..rolling::RollingArgs::default()
    }
}

/// One line of a runbook list: what it does, and the request it makes (`None`: a hint only).
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub label: String,
    pub detail: String,
    pub request: Option<RunbookRequest>,
}

fn choice(label: impl Into<String>, detail: impl Into<String>, req: RunbookRequest) -> Choice {
    Choice {
        label: label.into(),
        detail: detail.into(),
        request: Some(req),
    }
}

fn hint(label: impl Into<String>, detail: impl Into<String>) -> Choice {
    Choice {
        label: label.into(),
        detail: detail.into(),
        request: None,
    }
}

/// The runbooks that apply to an Auto Scaling group.
pub fn for_group(inv: &Inventory, name: &str) -> Vec<Choice> {
    let Some(g) = inv.auto_scaling_group(name) else {
        return Vec::new();
    };
    let region = g.region.to_string();
    vec![
        choice(
            "rolling-maintenance",
            offer::rolling_group(name),
            RunbookRequest::RollingGroup {
                region: region.clone(),
                group: name.to_string(),
            },
        ),
        choice(
            "remove-spof",
            offer::widen_group(name),
            RunbookRequest::WidenGroup {
                region,
                group: name.to_string(),
            },
        ),
    ]
}

/// The runbooks that apply to an instance. Each planner still has the last word (a refusal says why).
pub fn for_instance(inv: &Inventory, id: &str, now: Timestamp) -> Vec<Choice> {
    let Some(i) = inv.instance(id) else {
        return Vec::new();
    };
    let name = if i.display_name().is_empty() {
        i.id.to_string()
    } else {
        format!("{} ({})", i.id, i.display_name())
    };
    let region = i.region.clone();
    let event = i
        .upcoming_events()
        .min_by_key(|e| e.not_before)
        .map(|e| offer::ahead_of(&e.raw_code))
        .unwrap_or_default();
    let mut out = vec![
        choice(
            "rolling-maintenance",
            offer::rolling(&name, &event),
            RunbookRequest::Rolling {
                region: region.to_string(),
                instances: vec![i.id.to_string()],
            },
        ),
        choice(
            "remove-spof",
            offer::remove_spof(&name),
            RunbookRequest::RemoveSpof {
                region: region.to_string(),
                instance: i.id.to_string(),
            },
        ),
        choice(
            "snapshot",
            offer::snapshot(&name),
            RunbookRequest::Snapshot {
                region: region.to_string(),
                instance: i.id.to_string(),
            },
        ),
    ];
    // db-failover moves the one data volume (the console has no `--volume` to name one of several):
    // offered only where it can plan, never to be refused after the choice.
    let data_volumes = inv
        .volumes_of_instance(&i.id)
        .iter()
        .filter(|v| {
            v.attachments.iter().any(|a| {
                a.instance_id == i.id && Some(a.device.as_str()) != i.root_device_name.as_deref()
            })
        })
        .count();
    if data_volumes == 1 {
        out.insert(
            2,
            choice(
                "db-failover",
                offer::db_failover(&name),
                RunbookRequest::DbFailover {
                    region: region.to_string(),
                    primary: i.id.to_string(),
                },
            ),
        );
    }
    // AWS lets an event with a deadline move, up to that deadline and at least an hour ahead: offer
    // the latest time, which buys the most room to prepare.
    let soonest_allowed = now + chrono::Duration::minutes(60);
    if let Some(e) = i
        .upcoming_events()
        .filter(|e| e.event_id.is_some())
        .filter(|e| e.not_before_deadline.is_some_and(|d| d > soonest_allowed))
        .min_by_key(|e| e.not_before)
        && let Some(deadline) = e.not_before_deadline
    {
        out.insert(
            1,
            choice(
                "reschedule",
                offer::reschedule(
                    &name,
                    &e.raw_code,
                    &deadline.format("%Y-%m-%d %H:%M UTC").to_string(),
                ),
                RunbookRequest::Reschedule {
                    region: region.to_string(),
                    instance: i.id.to_string(),
                    to: deadline,
                },
            ),
        );
    }
    out
}

/// The runbooks that apply to a volume: restore its newest snapshot into a zone, prune old ones.
pub fn for_volume(inv: &Inventory, id: &str) -> Vec<Choice> {
    let Some(v) = inv.volume(id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let newest = inv
        .snapshots_of_volume(id)
        .into_iter()
        .find(|s| s.state == SnapshotState::Completed);
    match newest {
        Some(snap) => {
            let zones = inv.availability_zones.iter().filter(|z| {
                z.region == v.region
                    && !matches!(z.state, ZoneState::Impaired | ZoneState::Unavailable)
            });
            for z in zones {
                out.push(choice(
                    offer::restore_label(&z.name),
                    offer::restore(&z.name, id, &snap.id, z.name == v.az),
                    RunbookRequest::Restore {
                        region: v.region.to_string(),
                        snapshot: snap.id.to_string(),
                        az: z.name.to_string(),
                    },
                ));
            }
        }
        None => out.push(hint("restore", offer::nothing_to_restore(id))),
    }
    out.push(choice(
        "prune",
        offer::prune(id, PRUNE_KEEP),
        RunbookRequest::Prune {
            region: v.region.to_string(),
            volume: id.to_string(),
            keep: PRUNE_KEEP,
        },
    ));
    if let Some(i) = v.attached_instance() {
        out.push(choice(
            "snapshot",
            offer::snapshot_with(i),
            RunbookRequest::Snapshot {
                region: v.region.to_string(),
                instance: i.to_string(),
            },
        ));
    }
    out
}

/// `:runbooks`: what can run now (scheduled maintenance, each finding's fix), then where the
/// others start from.
/// The runbooks that fix `found`, each once, in the findings' order.
pub fn fixes<'a>(found: impl Iterator<Item = &'a Finding>) -> Vec<Choice> {
    let mut out = Vec::new();
    let mut seen: Vec<RunbookRequest> = Vec::new();
    for f in found {
        let Some(req) = f
            .fix
            .as_deref()
            .and_then(|fix| RunbookRequest::from_fix(fix, &f.region))
        else {
            continue;
        };
        if seen.contains(&req) {
            continue;
        }
        out.push(choice(
            req.runbook(),
            offer::fixes(f.kind.as_str(), &f.message),
            req.clone(),
        ));
        seen.push(req);
    }
    out
}

pub fn catalog(inv: &Inventory, found: &[Finding]) -> Vec<Choice> {
    let mut out = Vec::new();
    let mut regions: Vec<&str> = inv
        .instances
        .iter()
        .filter(|i| i.upcoming_events().next().is_some())
        .map(|i| i.region.as_str())
        .collect();
    regions.sort_unstable();
    regions.dedup();
    for r in regions {
        let n = inv
            .instances
            .iter()
            .filter(|i| i.region == r && i.upcoming_events().next().is_some())
            .count();
        out.push(choice(
            "rolling-maintenance",
            offer::scheduled_maintenance(n, r),
            RunbookRequest::Rolling {
                region: r.to_string(),
                instances: Vec::new(),
            },
        ));
    }
    out.extend(fixes(found.iter()));
    out.push(hint(
        strings::FROM_AN_INSTANCE_LABEL,
        strings::FROM_AN_INSTANCE,
    ));
    out.push(hint(strings::FROM_A_GROUP_LABEL, strings::FROM_A_GROUP));
    out.push(hint(strings::FROM_A_VOLUME_LABEL, strings::FROM_A_VOLUME));
    out.push(hint(strings::RUNS_LABEL, strings::RUNS_DETAIL));
    out
}

pub use crate::run_summary::RunSummary;

#[cfg(test)]
#[path = "runbooks_tests.rs"]
mod tests;
