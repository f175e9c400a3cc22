//! The AZ map, `report`'s blast radius and the findings are one computation shown three ways:
//! on random fleets they say the same thing about every zone.

use super::*;
use crate::findings::{compute, zones_of};
use opsdeck_core::analysis::{FindingKind, blast_radius};
use opsdeck_core::domain::fixture::FleetBuilder;
use proptest::prelude::*;

fn now() -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

#[derive(Debug, Clone)]
struct Member {
    az: usize,
    role: Option<usize>,
    stopped: bool,
    /// Per target group: registered, and healthy if so.
    regs: Vec<Option<bool>>,
    /// A data volume, with a snapshot or not.
    data: Option<bool>,
}

#[derive(Debug, Clone)]
struct Fleet {
    /// Per target group: the AZs of its load balancer (none: no load balancer).
    groups: Vec<Vec<usize>>,
    members: Vec<Member>,
}

fn fleet() -> impl Strategy<Value = Fleet> {
    (0usize..4).prop_flat_map(|ngroups| {
        let groups = proptest::collection::vec(proptest::collection::vec(0usize..3, 0..3), ngroups);
        let member = (
            0usize..3,
            proptest::option::of(0usize..3),
            proptest::bool::weighted(0.15),
            proptest::collection::vec(proptest::option::of(proptest::bool::weighted(0.8)), ngroups),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(az, role, stopped, regs, data)| Member {
                az,
                role,
                stopped,
                regs,
                data,
            });
        (groups, proptest::collection::vec(member, 1..9))
            .prop_map(|(groups, members)| Fleet { groups, members })
    })
}

fn build_fleet(f: &Fleet) -> Inventory {
    let mut b = FleetBuilder::new("r", now());
    let azs: Vec<String> = ["a", "b", "c"].iter().map(|l| b.az(l)).collect();
    let tgs: Vec<String> = f
        .groups
        .iter()
        .enumerate()
        .map(|(n, lb_azs)| {
            let lb = (!lb_azs.is_empty()).then(|| {
                let zones: Vec<&str> = lb_azs.iter().map(|z| azs[*z].as_str()).collect();
                b.load_balancer(&format!("lb-{n}"), &zones)
            });
            b.target_group(&format!("tg-{n}"), lb.as_deref())
        })
        .collect();
    for (n, m) in f.members.iter().enumerate() {
        let role = m.role.map(|r| ["web", "api", "db"][r]);
        let id = b.instance(&format!("i{n}"), &azs[m.az], role);
        if m.stopped {
            b.set_state(&id, InstanceState::Stopped);
        }
        for (g, reg) in m.regs.iter().enumerate() {
            if let Some(healthy) = reg {
                let state = match (m.stopped, healthy) {
                    (true, _) => TargetState::Unused,
                    (false, true) => TargetState::Healthy,
                    (false, false) => TargetState::Unhealthy,
                };
                b.register(&tgs[g], &id, state);
            }
        }
        b.volume(&azs[m.az], Some((&id, "/dev/xvda")));
        if let Some(snapshotted) = m.data {
            let v = b.volume(&azs[m.az], Some((&id, "/dev/sdf")));
            if snapshotted {
                b.snapshot(&v, 1);
            }
        }
    }
    b.build()
}

/// Whether `f` is about `az` and names `what` (a resource or a target group).
fn about(inv: &Inventory, f: &Finding, az: &str, what: &str) -> bool {
    zones_of(inv, f).contains(az) && f.resources.iter().any(|r| r == what)
}

fn check(inv: &Inventory) -> Result<(), TestCaseError> {
    let found = compute(inv, 24, now());
    let radius = blast_radius(inv, ROLE_TAG);
    let columns = build(inv, &found);
    for col in &columns {
        let b = radius
            .iter()
            .find(|z| z.az == col.az)
            .ok_or_else(|| TestCaseError::fail(format!("{} has no blast radius", col.az)))?;
        let texts: Vec<&str> = col.lines.iter().map(|l| l.text.as_str()).collect();
        let has = |prefix: &str| texts.iter().any(|t| t.starts_with(prefix));
        // The map says every loss the report says, and says nothing breaks only when none.
        for g in &b.groups_down {
            prop_assert!(
                has(&format!("  {g} loses all")),
                "{}: {g} down\n{texts:#?}",
                col.az
            );
            // ...and the findings name that group in that zone.
            prop_assert!(
                found.iter().any(|f| matches!(
                    f.kind,
                    FindingKind::SingleInstance
                        | FindingKind::SingleAz
                        | FindingKind::SingleHealthyTarget
                ) && about(inv, f, &col.az, g)),
                "{}: {g} goes down with it but no finding says so: {found:#?}",
                col.az
            );
        }
        for r in &b.roles_down {
            prop_assert!(has(&text::tier_lost(r)), "{}: tier {r}\n{texts:#?}", col.az);
        }
        // A tier's lone running instance, found, is a tier this zone takes down.
        for f in found
            .iter()
            .filter(|f| f.kind == FindingKind::SingleInstance && f.resources.len() == 1)
        {
            let Some(i) = inv.instance(&f.resources[0]) else {
                continue;
            };
            if i.az == col.az
                && i.is_up()
                && let Some(role) = i.tags.get(ROLE_TAG)
            {
                prop_assert!(
                    b.roles_down.iter().any(|r| r == role),
                    "{}: {} is the tier {role}'s only running instance, but the blast radius \
                     keeps the tier: {:?}",
                    col.az,
                    i.id,
                    b.roles_down
                );
            }
        }
        for lb in &b.load_balancers_down {
            prop_assert!(has(&text::only_zone(lb)), "{}: {lb}\n{texts:#?}", col.az);
        }
        let lost = b.volumes_unprotected.len();
        if lost > 0 {
            prop_assert!(has(&text::volumes_without_snapshot(lost)), "{texts:#?}");
            for v in &b.volumes_unprotected {
                prop_assert!(
                    found
                        .iter()
                        .any(|f| f.kind == FindingKind::NoRecentSnapshot
                            && about(inv, f, &col.az, v)),
                    "{v} has no snapshot but no finding says so"
                );
            }
        }
        let breaks = b.groups_down.len()
            + b.roles_down.len()
            + b.load_balancers_down.len()
            + b.elastic_ips.len()
            + usize::from(lost > 0)
            + b.auto_scaling
                .iter()
                .filter(|g| g.relaunch_in.is_empty())
                .count();
        prop_assert_eq!(col.breaks, breaks, "{}: {:#?}", col.az, texts);
        prop_assert_eq!(
            texts.first().copied() == Some(text::NOTHING_BREAKS),
            breaks == 0,
            "{}",
            col.az
        );
        // The title's count is the zone's findings, as `:findings` has them.
        let here = found
            .iter()
            .filter(|f| zones_of(inv, f).contains(&col.az))
            .count();
        prop_assert_eq!(col.findings, here);
        // Every single-az finding's zone loses that group.
        for f in found.iter().filter(|f| f.kind == FindingKind::SingleAz) {
            let Some(g) = f.resources.first() else {
                continue;
            };
            let healthy_here = f
                .resources
                .iter()
                .skip(1)
                .all(|id| inv.instance(id).is_some_and(|i| i.az == col.az));
            if healthy_here && inv.target_group(g).is_some() && f.resources.len() > 1 {
                prop_assert!(
                    b.groups_down.contains(g),
                    "{}: single-az on {g} but the blast radius keeps it: {:?}",
                    col.az,
                    b.groups_down
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn the_map_the_report_and_the_findings_agree(f in fleet()) {
        check(&build_fleet(&f))?;
    }
}

/// The same on the demo's fleets.
#[test]
fn they_agree_on_the_demo_fleet() {
    let inv = crate::sample::inventory(40, &["us-east-1", "eu-west-1"], now());
    check(&inv).unwrap();
}
