//! Fleet tags: every resource a fleet file creates carries the fleet's tags and then its own, the
//! implicit ones too (root volumes, primary interfaces, image snapshots).

use crate::model::Region;
use opsdeck_core::domain::Tags;

/// `base` plus `extra` (which wins).
pub(super) fn with(base: &Tags, extra: &[(&str, &str)]) -> Tags {
    let mut t = base.clone();
    for (k, v) in extra {
        t.insert((*k).to_string(), (*v).to_string());
    }
    t
}

/// Tags an instance's implicit resources (primary ENI) with the fleet tags.
pub(super) fn tag_primary_eni(r: &mut Region, instance_id: &str, tags: &Tags) {
    for e in r.enis.values_mut() {
        if e.primary_of.as_deref() == Some(instance_id) {
            e.eni.tags.extend(tags.clone());
        }
    }
}
