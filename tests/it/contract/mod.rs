//! The contract suite: behaviours written once against the ports (`CloudRead` + `CloudWrite`) and run
//! on both adapters — the simulator (`sim_<name>`, tokio's paused clock, the `seed` fleet) and the AWS
//! adapter against moto (`moto_<name>`, real clock, `tests/it/support/seed_fleet.py`). Resources are
//! found by tag (`fleet=seed`, `Name`), never by id, and every wait polls with `tokio::time::sleep`,
//! so the same code waits out the sim's transitions and sees moto's instant states.
//!
//! Where moto is known to differ from AWS (notes/moto.md), the behaviour asserts AWS on the sim and
//! takes a branch named `moto_quirk(...)` that says what moto does instead; nothing is skipped silently.

use crate::support;

mod kit;

mod listing;

mod instances;

mod storage;

mod elb;

mod network;

mod events;

mod groups;

use kit::{Adapter, Cloud};

/// The AWS adapter against moto with small pages, so "every instance is listed" means every page was
/// followed (see `moto_listing_completeness_reads_every_page`).
const MOTO_PAGE_SIZE: i32 = 5;

fn moto_options() -> opsdeck_aws::AwsOptions {
    let mut opts = support::moto::options(&["us-east-1"]);
    opts.page_size = Some(MOTO_PAGE_SIZE);
    opts
}

/// `name => sim_name, moto_name;` generates one test per adapter for the behaviour `module::name`.
macro_rules! contract {
    ($($module:ident :: $case:ident => $sim:ident, $moto:ident;)*) => {$(
        #[tokio::test(start_paused = true)]
        async fn $sim() {
            let cloud = Cloud::sim();
            $module::$case(&cloud).await;
        }

        #[tokio::test]
        async fn $moto() {
            let (_moto, _seed) = support::moto::seeded().await;
            let (read, write) = support::moto::ports_with(moto_options()).await;
            let cloud = Cloud { read, write, adapter: Adapter::Moto };
            $module::$case(&cloud).await;
        }
    )*};
}

contract! {
    listing::every_list_is_complete_and_joined => sim_listing_and_joins, moto_listing_and_joins;
    listing::launched_instances_are_all_listed => sim_listing_completeness, moto_listing_completeness;
    instances::lifecycle_writes_and_dry_runs => sim_instance_lifecycle, moto_instance_lifecycle;
    instances::errors_are_typed => sim_errors_are_typed, moto_errors_are_typed;
    instances::image_then_clone_in_another_zone => sim_image_and_clone, moto_image_and_clone;
    storage::volume_attach_detach_delete => sim_volume_lifecycle, moto_volume_lifecycle;
    storage::snapshot_copy_restore_delete => sim_snapshot_lifecycle, moto_snapshot_lifecycle;
    storage::snapshot_set_of_an_instance => sim_snapshot_set, moto_snapshot_set;
    elb::register_wait_healthy_deregister => sim_target_registration, moto_target_registration;
    elb::target_group_details_and_listeners => sim_target_group_details, moto_target_group_details;
    network::elastic_ip_moves => sim_elastic_ip_moves, moto_elastic_ip_moves;
    network::interface_attach_detach => sim_interface_attach_detach, moto_interface_attach_detach;
    network::private_ip_assignment => sim_private_ip_assignment, moto_private_ip_assignment;
    events::tags_and_event_reschedule => sim_tags_and_reschedule, moto_tags_and_reschedule;
}

/// `name => sim_name, moto_name;` for the group behaviours: the seed fleet plus one Auto Scaling group
/// (`groups::SIM_GROUP` on the sim, `seed_fleet.py --group api:a:2` on moto).
macro_rules! group_contract {
    ($($case:ident => $sim:ident, $moto:ident;)*) => {$(
        #[tokio::test(start_paused = true)]
        async fn $sim() {
            let fleet = format!("{}{}", opsdeck_sim::builtin_fleet("seed").expect("seed"), groups::SIM_GROUP);
            let sim = opsdeck_sim::Sim::new(opsdeck_sim::SimOptions {
                fleet: opsdeck_sim::FleetSource::Toml(fleet),
                seed: 1,
                speed: 1.0,
                epoch: None,
            })
            .expect("the seed fleet with a group loads");
            let cloud = Cloud {
                read: sim.reader("us-east-1"),
                write: sim.writer("us-east-1"),
                adapter: Adapter::Sim,
            };
            groups::$case(&cloud).await;
        }

        #[tokio::test]
        async fn $moto() {
            let (_moto, _seed) = support::moto::seeded_with(&["--group", "api:a:2"]).await;
            let (read, write) = support::moto::ports_with(moto_options()).await;
            let cloud = Cloud { read, write, adapter: Adapter::Moto };
            groups::$case(&cloud).await;
        }
    )*};
}

group_contract! {
    groups_are_listed_with_their_members => sim_groups_listed, moto_groups_listed;
    standby_leaves_and_rejoins_the_target_group => sim_group_standby, moto_group_standby;
    widening_launches_in_the_new_zone => sim_group_widening, moto_group_widening;
}

/// The moto half of the suite really pages: after the completeness behaviour, run at this page size,
/// the instance listing takes exactly as many calls as it has pages, so one that stopped after the
/// first page, or read one twice, would fail it. (moto pages DescribeInstances by reservation; the
/// front pages DescribeInstanceStatus and the other lists moto answers whole: `aws_paging` counts
/// every list.)
#[tokio::test]
async fn moto_listing_completeness_reads_every_page() {
    let (_moto, _seed) = support::moto::seeded().await;
    let (read, write) = support::moto::ports_with(moto_options()).await;
    let cloud = Cloud {
        read,
        write,
        adapter: Adapter::Moto,
    };
    listing::launched_instances_are_all_listed(&cloud).await;
    support::moto::clear_requests();
    let inv = cloud.inventory().await;
    assert_eq!(inv.regions[0].error, None);
    // 4 seeded instances and the 30 launched (terminated, still listed) in 11 reservations.
    assert_eq!(inv.instances.len(), 34);
    assert_eq!(
        support::calls::moto("DescribeInstances"),
        3,
        "11 reservations at {MOTO_PAGE_SIZE} a page"
    );
    assert_eq!(
        support::calls::moto("DescribeInstanceStatus"),
        7,
        "34 instances at {MOTO_PAGE_SIZE} a page"
    );
}
