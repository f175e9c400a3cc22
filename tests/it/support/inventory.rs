//! Reading an inventory through the ports, whichever adapter is behind them, and the lookups in it
//! that several suites make.

use opsdeck_core::cloud::{CloudRead, FetchOptions, fetch_inventory};
use opsdeck_core::domain::{Inventory, Volume};
use std::sync::Arc;

/// What runbooks and write tests read back: every list, but no metrics and no alarms.
pub fn without_metrics() -> FetchOptions {
    FetchOptions {
        metrics: false,
        alarms: false,
        ..FetchOptions::default()
    }
}

/// One region's inventory without metrics and alarms.
pub async fn quick(read: &Arc<dyn CloudRead>) -> Inventory {
    fetch_inventory(std::slice::from_ref(read), &without_metrics()).await
}

/// Everything the console fetches (metrics and alarms too), over every reader.
pub async fn full(readers: &[Arc<dyn CloudRead>]) -> Inventory {
    fetch_inventory(readers, &FetchOptions::default()).await
}

/// The id of `instance`'s primary network interface (device index 0).
pub fn primary_eni(inv: &Inventory, instance: &str) -> String {
    inv.enis_of_instance(instance)
        .into_iter()
        .find(|n| n.attachment.as_ref().map(|a| a.device_index) == Some(0))
        .unwrap_or_else(|| panic!("{instance} has a primary ENI"))
        .id
        .to_string()
}

/// The database's data volume: the one attached to `instance` at `/dev/sdf`.
pub fn data_volume<'a>(inv: &'a Inventory, instance: &str) -> &'a Volume {
    inv.volumes_of_instance(instance)
        .into_iter()
        .find(|v| v.attachments.iter().any(|a| a.device == "/dev/sdf"))
        .unwrap_or_else(|| panic!("{instance} has a data volume at /dev/sdf"))
}

/// The id of `data_volume`.
pub fn data_volume_id(inv: &Inventory, instance: &str) -> String {
    data_volume(inv, instance).id.to_string()
}
