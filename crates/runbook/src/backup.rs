//! `snapshot`, `restore`, `prune`: consistent snapshots of an instance's volumes, a snapshot
//! restored into a chosen AZ (optionally attached), and retention that never deletes a snapshot an
//! AMI still uses.

use super::plan::{Action, Plan, SnapshotOf, Step, Val};
use opsdeck_core::domain::*;

/// Snapshots of every volume attached to an instance, taken together.
pub fn snapshot_plan(
    inv: &Inventory,
    instance: &str,
    description: Option<&str>,
) -> Result<Plan, String> {
    let i = inv
        .instance(instance)
        .ok_or_else(|| format!("unknown instance {instance}"))?;
    let vols = inv.volumes_of_instance(&i.id);
    if vols.is_empty() {
        return Err(format!("{instance} has no EBS volume attached"));
    }
    let label = format!(
        "{}{}",
        i.id,
        i.name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    let desc = description
        .map(str::to_string)
        .unwrap_or_else(|| format!("opsdeck snapshot of {label}"));
    // One CreateSnapshots call naming the instance, then one wait: EC2 takes every attached volume
    // (root included) at one point in time, crash-consistent across them. Separate CreateSnapshot
    // calls, however close, are not: a volume set snapshotted apart does not restore consistently.
    let set: Vec<SnapshotOf> = vols
        .iter()
        .map(|v| SnapshotOf {
            volume: v.id.to_string(),
            description: desc.clone(),
            output: format!("snapshot-{}", v.id),
        })
        .collect();
    let volume_ids: Vec<String> = vols.iter().map(|v| v.id.clone()).map(Into::into).collect();
    let listed = vols
        .iter()
        .map(|v| format!("{} ({} GiB)", v.id, v.size_gib))
        .collect::<Vec<_>>()
        .join(", ");
    let steps = vec![
        Step {
            title: format!(
                "snapshot every volume of {label} in one CreateSnapshots call: {listed}"
            ),
            action: Action::CreateSnapshotSet {
                instance: i.id.to_string(),
                description: desc.clone(),
                snapshots: set.clone(),
            },
            resources: volume_ids.clone(),
            expected_secs: 10,
            timeout_secs: 30 * 60,
        },
        Step {
            title: "wait until every snapshot of the set is completed".into(),
            action: Action::WaitSnapshots {
                outputs: set.iter().map(|s| s.output.clone()).collect(),
            },
            resources: volume_ids,
            // EBS snapshots are incremental; the first of a volume takes longest.
            expected_secs: 60
                + vols
                    .iter()
                    .map(|v| v.size_gib.max(0) as u64)
                    .max()
                    .unwrap_or(0),
            timeout_secs: 6 * 3600,
        },
    ];
    Ok(Plan {
        runbook: "snapshot".into(),
        region: i.region.to_string(),
        args: serde_json::json!({ "instance": instance, "description": desc }),
        steps,
        notes: vec![
            "quiesce the application first (flush and freeze, e.g. fsfreeze or the database's backup mode): \
             snapshots of a live file system are only crash-consistent"
                .into(),
            format!(
                "{} volume(s), root included, snapshotted by one CreateSnapshots call (one point in \
                 time, crash-consistent across the volumes); each snapshot is tagged with the run",
                vols.len()
            ),
        ],
    })
}

/// A new volume from a snapshot in `az`, optionally attached to an instance there.
pub fn restore_plan(
    inv: &Inventory,
    snapshot: &str,
    az: &str,
    attach: Option<(&str, &str)>,
) -> Result<Plan, String> {
    let s = inv
        .snapshot(snapshot)
        .ok_or_else(|| format!("unknown snapshot {snapshot}"))?;
    if s.state != SnapshotState::Completed {
        return Err(format!(
            "{snapshot} is {}: only a completed snapshot can be restored",
            s.state.as_str()
        ));
    }
    if !inv
        .availability_zones
        .iter()
        .any(|z| z.name == az && z.region == s.region)
    {
        return Err(format!("{az} is not a zone of {}", s.region));
    }
    let mut steps = vec![Step {
        title: format!("restore {snapshot} ({} GiB) into {az}", s.volume_size_gib),
        action: Action::RestoreVolume {
            snapshot: Val::Lit(snapshot.into()),
            az: az.into(),
            volume_type: "gp3".into(),
            output: "volume".into(),
        },
        resources: vec![snapshot.into()],
        expected_secs: 60,
        timeout_secs: 30 * 60,
    }];
    if let Some((instance, device)) = attach {
        let i = inv
            .instance(instance)
            .ok_or_else(|| format!("unknown instance {instance}"))?;
        if i.az != az {
            return Err(format!(
                "{instance} is in {}, not {az}: a volume attaches only in its own AZ",
                i.az
            ));
        }
        if i.block_devices.iter().any(|b| b.device_name == device) {
            return Err(format!("{instance} already has a volume at {device}"));
        }
        steps.push(Step {
            title: format!("attach it to {instance} at {device}"),
            action: Action::AttachVolume {
                volume: Val::Output("volume".into()),
                instance: Val::Lit(instance.into()),
                device: device.into(),
            },
            resources: vec![instance.into()],
            expected_secs: 15,
            timeout_secs: 10 * 60,
        });
    }
    Ok(Plan {
        runbook: "restore".into(),
        region: s.region.to_string(),
        args: serde_json::json!({ "snapshot": snapshot, "az": az, "attach": attach }),
        steps,
        notes: vec![format!(
            "the restored volume holds the data as of {}",
            opsdeck_core::domain::time::time(s.start_time)
        )],
    })
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PruneArgs {
    pub volume: String,
    /// Keep the N newest completed snapshots.
    pub keep: Option<usize>,
    /// Keep every snapshot younger than this many days.
    pub younger_than_days: Option<i64>,
}

/// Which of a volume's snapshots retention deletes: not among the newest N, not younger than D
/// days, never one an AMI uses, never one still pending.
pub fn prune_plan(inv: &Inventory, args: &PruneArgs, now: Timestamp) -> Result<Plan, String> {
    if args.keep.is_none() && args.younger_than_days.is_none() {
        return Err("say what to keep: --keep N and/or --younger-than DAYS".into());
    }
    let v_region = inv
        .volume(&args.volume)
        .map(|v| v.region.clone())
        .or_else(|| {
            inv.snapshots
                .iter()
                .find(|s| s.volume_id.as_deref() == Some(args.volume.as_str()))
                .map(|s| s.region.clone())
        })
        .ok_or_else(|| format!("unknown volume {} (and no snapshot of it)", args.volume))?;
    let snaps = inv.snapshots_of_volume(&args.volume); // newest first
    let mut steps = Vec::new();
    let mut kept_for_ami = Vec::new();
    for (rank, s) in snaps
        .iter()
        .filter(|s| s.state == SnapshotState::Completed)
        .enumerate()
    {
        let in_newest = args.keep.is_some_and(|n| rank < n);
        let young = args.younger_than_days.is_some_and(|d| {
            s.start_time
                .is_some_and(|t| now - t < chrono::Duration::days(d))
        });
        if in_newest || young {
            continue;
        }
        if !inv.images_using_snapshot(&s.id).is_empty() {
            kept_for_ami.push(s.id.clone());
            continue;
        }
        steps.push(Step {
            title: format!(
                "delete {} (taken {} ago)",
                s.id,
                opsdeck_core::domain::time::age(s.start_time, now)
            ),
            action: Action::DeleteSnapshot {
                snapshot: s.id.to_string(),
            },
            resources: vec![s.id.to_string()],
            expected_secs: 2,
            timeout_secs: 5 * 60,
        });
    }
    let mut notes = vec![format!(
        "{} snapshot(s) of {}; {} to delete",
        snaps.len(),
        args.volume,
        steps.len()
    )];
    if !kept_for_ami.is_empty() {
        notes.push(format!(
            "kept because an AMI uses them: {}",
            kept_for_ami.join(", ")
        ));
    }
    Ok(Plan {
        runbook: "prune".into(),
        region: v_region.to_string(),
        args: serde_json::to_value(args).unwrap_or_default(),
        steps,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdeck_core::domain::fixture::FleetBuilder;

    #[test]
    fn prune_keeps_the_newest_the_young_and_what_an_ami_uses() {
        let now = chrono::Utc::now();
        let mut f = FleetBuilder::new("r", now);
        let a = f.az("a");
        let i = f.instance("db", &a, None);
        let v = f.volume(&a, Some((&i, "/dev/sdf")));
        let ages = [1, 30, 60, 90, 120]; // hours... days below
        let ids: Vec<String> = ages.iter().map(|d| f.snapshot(&v, d * 24)).collect();
        let mut inv = f.build();
        inv.images.push(Image {
            region: "r".into(),
            id: "ami-1".into(),
            name: "uses-oldest".into(),
            description: None,
            state: ImageState::Available,
            creation_date: None,
            root_device_name: None,
            snapshot_ids: vec![ids[4].as_str().into()],
            tags: Tags::new(),
        });
        let p = prune_plan(
            &inv,
            &PruneArgs {
                volume: v.clone(),
                keep: Some(2),
                younger_than_days: None,
            },
            now,
        )
        .unwrap();
        let deleted: Vec<String> = p.steps.iter().flat_map(|s| s.resources.clone()).collect();
        assert_eq!(
            deleted,
            vec![ids[2].clone(), ids[3].clone()],
            "newest 2 kept, the AMI's kept"
        );
        assert!(p.notes.iter().any(|n| n.contains(&ids[4])));
        let p = prune_plan(
            &inv,
            &PruneArgs {
                volume: v.clone(),
                keep: None,
                younger_than_days: Some(45),
            },
            now,
        )
        .unwrap();
        let deleted: Vec<String> = p.steps.iter().flat_map(|s| s.resources.clone()).collect();
        assert_eq!(deleted, vec![ids[2].clone(), ids[3].clone()]);
        assert!(
            prune_plan(
                &inv,
                &PruneArgs {
                    volume: v,
                    keep: None,
                    younger_than_days: None
                },
                now
            )
            .is_err()
        );
    }

    #[test]
    fn restore_refuses_what_cannot_work() {
        let now = chrono::Utc::now();
        let mut f = FleetBuilder::new("r", now);
        let (a, b) = (f.az("a"), f.az("b"));
        let i = f.instance("db", &a, None);
        let v = f.volume(&a, Some((&i, "/dev/sdf")));
        let s = f.snapshot(&v, 1);
        let inv = f.build();
        assert_eq!(
            restore_plan(&inv, "snap-nope", &a, None).unwrap_err(),
            "unknown snapshot snap-nope"
        );
        let e = restore_plan(&inv, &s, &b, Some((&i, "/dev/sdg"))).unwrap_err();
        assert!(e.contains("attaches only in its own AZ"), "{e}");
        let ok = restore_plan(&inv, &s, &a, Some((&i, "/dev/sdg"))).unwrap();
        assert_eq!(ok.steps.len(), 2);
    }
}
