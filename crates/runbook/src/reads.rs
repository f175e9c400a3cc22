//! What each runbook's planner reads, so a plan is refused only when something it needs could not
//! be read — never for a kind it does not use (metrics, alarms, volume status) — and says what
//! it could not check.

use opsdeck_core::domain::{Inventory, UnreadKind};

/// The inventory kinds (`UnreadKind::kind`, the inventory's field names) `runbook`'s planner and
/// guards rely on. An unknown runbook needs everything but the readings (metrics, alarms).
pub fn needs(runbook: &str) -> &'static [&'static str] {
    const CAPACITY: &[&str] = &[
        "availability_zones",
        "subnets",
        "instances",
        "load_balancers",
        "target_groups",
        "target_health",
        "auto_scaling_groups",
    ];
    match runbook {
        "rolling-maintenance" => CAPACITY,
        "remove-spof" => &[
            "availability_zones",
            "subnets",
            "instances",
            "volumes",
            "images",
            "load_balancers",
            "target_groups",
            "target_health",
            "auto_scaling_groups",
        ],
        "db-failover" => &[
            "availability_zones",
            "subnets",
            "instances",
            "volumes",
            "snapshots",
            "elastic_ips",
            "network_interfaces",
            "auto_scaling_groups",
        ],
        "snapshot" => &["instances", "volumes"],
        "restore" => &["availability_zones", "instances", "volumes", "snapshots"],
        // A snapshot an image is made from is never pruned: images are needed.
        "prune" => &["volumes", "snapshots", "images"],
        _ => &[
            "availability_zones",
            "subnets",
            "instances",
            "volumes",
            "volume_events",
            "snapshots",
            "images",
            "elastic_ips",
            "network_interfaces",
            "load_balancers",
            "target_groups",
            "target_health",
            "auto_scaling_groups",
        ],
    }
}

fn said(u: &UnreadKind) -> String {
    match &u.call {
        Some(call) => format!("{} ({call} {})", u.kind, u.code),
        None => format!("{} ({})", u.kind, u.code),
    }
}

/// Whether `runbook` may plan in `region` of `inv`: `Err` names what it needs and could not read
/// (or the region, when none of it could be read); `Ok` holds a note for each kind it could not
/// read but does not need, to show with the plan.
pub fn check(inv: &Inventory, region: &str, runbook: &str) -> Result<Vec<String>, String> {
    let Some(status) = inv.regions.iter().find(|r| r.region == region) else {
        return Ok(Vec::new());
    };
    let Some(error) = &status.error else {
        return Ok(Vec::new());
    };
    if status.unread.is_empty() {
        return Err(format!(
            "cannot read {region} ({error}): a plan must not be built on stale data"
        ));
    }
    let needed = needs(runbook);
    let (missing, unneeded): (Vec<&UnreadKind>, Vec<&UnreadKind>) = status
        .unread
        .iter()
        .partition(|u| needed.contains(&u.kind.as_str()));
    if !missing.is_empty() {
        let what: Vec<String> = missing.iter().map(|u| said(u)).collect();
        return Err(format!(
            "cannot read what {runbook} needs in {region}: {}; a plan must not be built on \
             missing data",
            what.join(", ")
        ));
    }
    Ok(unneeded
        .iter()
        .map(|u| {
            format!(
                "not checked (could not be read, not needed to plan): {}",
                said(u)
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdeck_core::domain::RegionStatus;

    fn with_unread(kinds: &[&str]) -> Inventory {
        Inventory {
            regions: vec![RegionStatus {
                region: "r".into(),
                fetched_at: None,
                error: Some("something failed".into()),
                unread: kinds
                    .iter()
                    .map(|k| UnreadKind {
                        kind: k.to_string(),
                        call: Some("x:Call".into()),
                        code: "AccessDenied".into(),
                        http_status: Some(403),
                        error: "denied".into(),
                        failed_calls: 1,
                    })
                    .collect(),
            }],
            ..Inventory::default()
        }
    }

    #[test]
    fn a_kind_a_runbook_does_not_use_is_a_note_not_a_refusal() {
        let inv = with_unread(&["metrics", "volume_events"]);
        for runbook in ["rolling-maintenance", "remove-spof", "snapshot", "prune"] {
            let notes = check(&inv, "r", runbook).unwrap();
            assert_eq!(notes.len(), 2, "{runbook}: {notes:?}");
            assert!(
                notes[0].contains("metrics (x:Call AccessDenied)"),
                "{notes:?}"
            );
        }
    }

    #[test]
    fn a_kind_it_needs_refuses_naming_it() {
        let inv = with_unread(&["target_health", "metrics"]);
        let e = check(&inv, "r", "rolling-maintenance").unwrap_err();
        assert!(e.contains("target_health (x:Call AccessDenied)"), "{e}");
        assert!(!e.contains("metrics"), "{e}");
        assert!(
            check(&inv, "r", "snapshot").is_ok(),
            "snapshots need no targets"
        );
        let inv = with_unread(&["images"]);
        assert!(
            check(&inv, "r", "prune").is_err(),
            "an image's snapshot is kept"
        );
    }

    #[test]
    fn a_region_that_failed_whole_refuses() {
        let mut inv = with_unread(&[]);
        assert!(check(&inv, "r", "snapshot").is_err());
        inv.regions[0].error = None;
        assert_eq!(check(&inv, "r", "snapshot"), Ok(Vec::new()));
        assert_eq!(check(&inv, "elsewhere", "snapshot"), Ok(Vec::new()));
    }
}
