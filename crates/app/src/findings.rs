//! The console's side of the analysis: findings computed once per inventory (with the index, off
//! the loop) and which zones each concerns. Their table columns are declared with every other
//! kind's, in `resources/columns.rs`.

use opsdeck_core::analysis::{AnalysisOptions, Finding, find_all};
use opsdeck_core::domain::{Inventory, Timestamp};
use std::collections::BTreeSet;

/// Every finding over `inv`, worst first, as `opsdeck report` finds them.
pub fn compute(inv: &Inventory, max_snapshot_age_hours: u64, now: Timestamp) -> Vec<Finding> {
    let mut opts = AnalysisOptions::new(now);
    opts.max_snapshot_age = chrono::Duration::hours(max_snapshot_age_hours.min(1_000_000) as i64);
    find_all(inv, &opts)
}

/// The zones a finding is about: where its instances and volumes live, where its group's targets
/// or its load balancer's subnets are, or the zone itself.
pub fn zones_of(inv: &Inventory, f: &Finding) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for r in &f.resources {
        if let Some(i) = inv.instance(r) {
            out.insert(i.az.to_string());
        } else if let Some(v) = inv.volume(r) {
            out.insert(v.az.to_string());
        } else if let Some(tg) = inv
            .target_groups
            .iter()
            .find(|g| g.region == f.region && (g.name == *r || g.arn == *r))
        {
            out.extend(
                inv.targets_of(&tg.arn)
                    .filter_map(|t| t.az.as_ref().map(|a| a.to_string())),
            );
        } else if let Some(lb) = inv
            .load_balancers
            .iter()
            .find(|l| l.region == f.region && (l.name == *r || l.arn == *r))
        {
            out.extend(lb.zones.iter().map(|z| z.az.to_string()));
        } else if inv.availability_zones.iter().any(|z| z.name == *r) {
            out.insert(r.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdeck_core::analysis::FindingKind;
    use opsdeck_core::domain::TargetState;
    use opsdeck_core::domain::fixture::FleetBuilder;

    #[test]
    fn a_single_az_group_points_at_its_zone() {
        let now = chrono::Utc::now();
        let mut f = FleetBuilder::new("r", now);
        let (a, _b) = (f.az("a"), f.az("b"));
        let tg = f.target_group("web", None);
        for n in ["w1", "w2"] {
            let i = f.instance(n, &a, Some("web"));
            f.register(&tg, &i, TargetState::Healthy);
        }
        let inv = f.build();
        let all = compute(&inv, 24, now);
        let single = all
            .iter()
            .find(|x| x.kind == FindingKind::SingleAz)
            .expect("single-az finding");
        assert_eq!(zones_of(&inv, single), BTreeSet::from([a.clone()]));
    }
}
