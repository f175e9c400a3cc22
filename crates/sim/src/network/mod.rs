//! Elastic IPs, network interfaces and private addresses: association moves and EC2's reassignment
//! rules (`Resource.AlreadyAssociated` without AllowReassociation, `InvalidIPAddress.InUse` without
//! AllowReassignment), ENI attach/detach with their short transitions.
//!
//! `enis` holds the interfaces (created with an address, attached, detached, released with their
//! instance), `addresses` the Elastic IPs and the public addresses they displace, `private_ips` the
//! secondary addresses moved between interfaces. The errors they share are here.

mod addresses;
mod enis;
mod private_ips;

use crate::world::err;
use opsdeck_core::cloud::CloudError;

fn eni_not_found(id: &str) -> CloudError {
    err(
        "InvalidNetworkInterfaceID.NotFound",
        format!("The networkInterface ID '{id}' does not exist"),
    )
}

fn dry_ok() -> CloudError {
    CloudError::dry_run_ok("Request would have succeeded, but DryRun flag is set.")
}
