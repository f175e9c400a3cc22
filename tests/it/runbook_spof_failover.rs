//! remove-spof, db-failover, snapshot/restore/prune on the simulator's paused clock, with the
//! default demo fleet (the seeds' web shop): the scenarios.

use crate::support::calls::{self, made};
use crate::support::inventory::{data_volume, data_volume_id, primary_eni};
use crate::support::runbook::{self, at_every_kill_point};
use crate::support::sim::{self, World};
use opsdeck_core::analysis::{AnalysisOptions, FindingKind, Floor, find_all};
use opsdeck_core::domain::*;
use opsdeck_runbook::backup::{self, PruneArgs};
use opsdeck_runbook::engine::{preflight, rollback_plan};
use opsdeck_runbook::failover::{self, AddressMode, FailoverArgs};
use opsdeck_runbook::journal::{RunState, RunStatus};
use opsdeck_runbook::plan::Plan;
use opsdeck_runbook::spof::{self, SpofArgs};

const R: &str = "us-east-1";
/// The demo fleet's seed here (the ids and the dice follow from it).
const SEED: u64 = 11;

/// The default demo fleet, us-east-1.
fn demo() -> World {
    World::new(sim::fleet("default", SEED), R)
}

/// Runs a plan to the end (optionally "killed" after n journal writes and resumed).
async fn run(w: &World, plan: &Plan, kill_after: Option<usize>) -> (RunStatus, bool) {
    let (state, killed) = run_state(w, plan, kill_after).await;
    (state.status, killed)
}

/// Like `run`, returning the run's final state (for a rollback plan). The run is "t" (its
/// resources are tagged `opsdeck:run=t`).
async fn run_state(w: &World, plan: &Plan, kill_after: Option<usize>) -> (RunState, bool) {
    runbook::run_to_end(&w.read, &w.write, "t", plan, kill_after).await
}

fn findings(inv: &Inventory) -> Vec<(FindingKind, Vec<String>)> {
    find_all(inv, &AnalysisOptions::new(chrono::Utc::now()))
        .into_iter()
        .map(|f| (f.kind, f.resources))
        .collect()
}

/// Temporary credentials (SSO, assume-role) that end before the plan would: refused up front,
/// rather than cut off halfway with an instance drained or an image half made.
#[tokio::test(start_paused = true)]
async fn preflight_refuses_credentials_that_expire_before_the_run_ends() {
    let w = demo();
    let inv = w.inventory().await;
    let plan = spof::plan(&inv, &SpofArgs::new(&w.id("web-1"))).expect("plan");
    assert!(plan.expected_secs() > 120, "{}", plan.expected_secs());
    w.sim
        .expire_credentials_at(Some(chrono::Utc::now() + chrono::Duration::seconds(60)));
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(
        problems
            .iter()
            .any(|p| p.step.is_none() && p.message.contains("credentials expire at")),
        "{problems:?}"
    );
    w.sim
        .expire_credentials_at(Some(chrono::Utc::now() + chrono::Duration::hours(12)));
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
}

#[tokio::test(start_paused = true)]
async fn remove_spof_turns_the_single_az_web_tier_into_two_azs() {
    let w = demo();
    let before = w.inventory().await;
    assert!(
        findings(&before)
            .iter()
            .any(|(k, r)| *k == FindingKind::SingleAz && r[0] == "web-tg"),
        "the demo starts single-AZ"
    );
    let plan = spof::plan(&before, &SpofArgs::new(&w.id("web-1"))).expect("plan");
    assert!(
        preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default())
            .await
            .is_empty()
    );
    run(&w, &plan, None).await;
    let after = w.inventory().await;
    let tg = after.target_group("web-tg").expect("web-tg");
    let by_az = after.targets_by_az(&tg.arn);
    assert_eq!(by_az.len(), 2, "targets in two AZs: {:?}", by_az.keys());
    assert!(
        by_az
            .values()
            .flatten()
            .all(|t| t.state == TargetState::Healthy)
    );
    assert!(
        !findings(&after)
            .iter()
            .any(|(k, r)| *k == FindingKind::SingleAz && r[0] == "web-tg"),
        "the finding is gone"
    );
    let clone = after
        .instances
        .iter()
        .find(|i| i.az != "us-east-1a" && i.tags.get("role") == Some("web"))
        .expect("clone");
    assert_eq!(
        clone.name.as_deref(),
        Some("web-1-clone-1"),
        "tags copied, with a name of its own"
    );
    let src = after.instance(&w.id("web-1")).expect("web-1");
    assert_eq!(
        (
            &clone.instance_type,
            &clone.security_group_ids,
            &clone.key_name
        ),
        (&src.instance_type, &src.security_group_ids, &src.key_name)
    );
    assert_eq!(made(&w.sim, "RunInstances"), 1);
    assert_eq!(made(&w.sim, "CreateImage"), 1);
}

#[tokio::test(start_paused = true)]
async fn db_failover_after_an_az_outage_restores_the_newest_snapshot_and_moves_the_eip() {
    let w = demo();
    let db = w.id("db-1");
    let inv0 = w.inventory().await;
    let eip = inv0.eips_of_instance(&db)[0].clone();
    let data = data_volume(&inv0, &db).clone();
    let newest = inv0
        .newest_completed_snapshot(&data.id)
        .expect("snapshot")
        .id
        .clone();

    w.sim.az_outage("us-east-1a").expect("outage");
    let inv = w.inventory().await;
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .expect("plan");
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("data-loss window") && n.contains(newest.as_str())),
        "{:?}",
        plan.notes
    );
    assert!(plan.notes.iter().any(|n| n.contains("expected downtime")));
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| s.action_name() == "stop_instance"),
        "the primary in the dead AZ is left alone"
    );
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    run(&w, &plan, None).await;

    let after = w.inventory().await;
    let e = after
        .elastic_ips
        .iter()
        .find(|x| x.allocation_id == eip.allocation_id)
        .expect("eip");
    let new_id = e.instance_id.clone().expect("the EIP points somewhere");
    assert_ne!(new_id, db);
    let new = after.instance(&new_id).expect("replacement");
    assert_eq!(new.az, "us-east-1b");
    assert_eq!(new.state, InstanceState::Running);
    // The data volume, attached at the same device.
    let restored = data_volume(&after, &new_id);
    assert_eq!(
        restored.snapshot_id.as_deref(),
        Some(newest.as_str()),
        "from the newest completed snapshot"
    );
    assert_eq!(restored.az, "us-east-1b");
}

#[tokio::test(start_paused = true)]
async fn db_failover_to_a_standby_in_the_same_az_moves_the_volume_itself() {
    let w = demo();
    let db = w.id("db-1");
    let web2 = w.id("web-2"); // any instance in us-east-1a serves as the standby here
    let inv = w.inventory().await;
    let data = data_volume_id(&inv, &db);
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            standby: Some(web2.clone()),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        [
            "stop_instance",
            "detach_volume",
            "attach_volume",
            "associate_address"
        ]
    );
    run(&w, &plan, None).await;
    let after = w.inventory().await;
    assert_eq!(
        after
            .volume(&data)
            .and_then(|v| v.attached_instance().map(str::to_string)),
        Some(web2.clone())
    );
    assert_eq!(
        after.instance(&db).map(|i| i.state),
        Some(InstanceState::Stopped)
    );
    assert_eq!(
        after.eips_of_instance(&web2).len(),
        1,
        "the address follows the database"
    );
    assert_eq!(made(&w.sim, "CreateVolume"), 0, "no restore needed");
}

#[tokio::test(start_paused = true)]
async fn kills_at_every_boundary_leave_no_duplicate_instance_image_volume_or_snapshot() {
    for runbook in ["remove-spof", "db-failover", "snapshot"] {
        at_every_kill_point(runbook, 5, async |n| {
            let w = demo();
            let inv = w.inventory().await;
            let db = w.id("db-1");
            if runbook == "db-failover" {
                w.sim.az_outage("us-east-1a").expect("outage");
            }
            let plan = match runbook {
                "remove-spof" => spof::plan(
                    &inv,
                    &SpofArgs {
                        stamp: "k".into(),
                        ..SpofArgs::new(&w.id("web-1"))
                    },
                ),
                "db-failover" => failover::plan(
                    &w.inventory().await,
                    &FailoverArgs {
                        primary: db.clone(),
                        stamp: "k".into(),
                        ..FailoverArgs::default()
                    },
                ),
                _ => backup::snapshot_plan(&inv, &db, None),
            }
            .expect("plan");
            let (_, killed) = run(&w, &plan, Some(n)).await;
            let (images, instances, volumes, snapshots) = match runbook {
                "remove-spof" => (1, 1, 0, 0),
                "db-failover" => (0, 1, 1, 0),
                _ => (0, 0, 0, inv.volumes_of_instance(&db).len()),
            };
            assert_eq!(
                made(&w.sim, "CreateImage"),
                images,
                "{runbook}, kill after {n}: images"
            );
            assert_eq!(
                made(&w.sim, "RunInstances"),
                instances,
                "{runbook}, kill after {n}: instances"
            );
            assert_eq!(
                made(&w.sim, "CreateVolume"),
                volumes,
                "{runbook}, kill after {n}: volumes"
            );
            assert_eq!(
                made(&w.sim, "CreateSnapshot"),
                snapshots,
                "{runbook}, kill after {n}: snapshots"
            );
            killed
        })
        .await;
    }
}

#[tokio::test(start_paused = true)]
async fn runbooks_survive_30_percent_throttling() {
    let w = demo();
    let inv = w.inventory().await;
    let spof_plan = spof::plan(&inv, &SpofArgs::new(&w.id("web-1"))).expect("plan");
    let snap_plan = backup::snapshot_plan(&inv, &w.id("db-1"), None).expect("plan");
    w.sim.throttle("*", 0.3);
    run(&w, &spof_plan, None).await;
    run(&w, &snap_plan, None).await;
    assert!(calls::throttled(&w.sim) > 5);
    assert_eq!(made(&w.sim, "RunInstances"), 1);
    assert_eq!(made(&w.sim, "CreateImage"), 1);
}

#[tokio::test(start_paused = true)]
async fn snapshot_restore_and_prune_round_trip() {
    let w = demo();
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let data = data_volume_id(&inv, &db);
    let plan = backup::snapshot_plan(&inv, &db, Some("nightly")).expect("plan");
    assert!(plan.notes.iter().any(|n| n.contains("quiesce")));
    run(&w, &plan, None).await;
    let inv = w.inventory().await;
    let newest = inv
        .newest_completed_snapshot(&data)
        .expect("new snapshot")
        .clone();
    assert!(newest.description.contains("nightly"));
    assert!(
        chrono::Utc::now() - newest.start_time.expect("time") < chrono::Duration::hours(1),
        "the fresh one is newest"
    );

    let plan = backup::restore_plan(&inv, &newest.id, "us-east-1b", None).expect("plan");
    run(&w, &plan, None).await;
    let inv = w.inventory().await;
    assert!(
        inv.volumes
            .iter()
            .any(|v| v.snapshot_id.as_deref() == Some(newest.id.as_str()) && v.az == "us-east-1b")
    );

    let before = inv.snapshots_of_volume(&data).len();
    let plan = backup::prune_plan(
        &inv,
        &PruneArgs {
            volume: data.to_string(),
            keep: Some(1),
            younger_than_days: None,
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    run(&w, &plan, None).await;
    let inv = w.inventory().await;
    let left = inv.snapshots_of_volume(&data);
    assert_eq!(left.len(), before - plan.steps.len());
    assert_eq!(left[0].id, newest.id, "the newest is kept");
    for s in &left[1..] {
        assert!(
            !inv.images_using_snapshot(&s.id).is_empty(),
            "only AMI-backed ones survive beyond the newest"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn bad_arguments_are_refused_at_plan_time() {
    let w = demo();
    let inv = w.inventory().await;
    let db = w.id("db-1");
    assert_eq!(
        spof::plan(&inv, &SpofArgs::new("i-0000000000000dead")).unwrap_err(),
        "unknown instance i-0000000000000dead"
    );
    let web_root = inv.volumes_of_instance(&w.id("web-1"))[0].id.clone();
    let e = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            volume: Some(web_root.to_string()),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .unwrap_err();
    assert!(e.contains("in use by"), "{e}");
    // Without other subnets in the VPC there is nowhere to put a clone.
    let mut lonely = inv.clone();
    lonely.subnets.retain(|s| s.az == "us-east-1a");
    let e = spof::plan(&lonely, &SpofArgs::new(&w.id("web-1"))).unwrap_err();
    assert!(e.contains("no subnet") && e.contains("another AZ"), "{e}");
    let mut no_snaps = inv.clone();
    no_snaps.snapshots.clear();
    let e = failover::plan(
        &no_snaps,
        &FailoverArgs {
            primary: db,
            target_az: Some("us-east-1b".into()),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .unwrap_err();
    assert!(e.contains("no completed snapshot"), "{e}");
    assert_eq!(calls::mutating(&w.sim).len(), 0, "nothing changed");
}

// ---------------------------------------------------------------------------------------------------
// db-failover's other ways to move the client-facing address: a secondary network interface, a
// secondary private IP. Each is verified by reading it back.

const DEFAULT_FLEET: &str = include_str!("../../assets/fleets/default.toml");
const DB_EIP: &str = "[[regions.elastic_ips]]\nname = \"db-1-eip\"\ninstance = \"db-1\"\n";
/// The database's service address on an interface of its own (device 1), instead of an Elastic IP.
const DB_ENI: &str = "[[regions.network_interfaces]]\nname = \"db-1-service\"\n\
                      subnet = \"shop-private-1a\"\ndescription = \"PostgreSQL service address\"\n\
                      attach_to = \"db-1\"\ndevice_index = 1\n";
/// A secondary address on db-1's primary interface (shop-private-1a is 10.0.11.0/24).
const SERVICE_IP: &str = "10.0.11.200";

/// The demo fleet with db-1's Elastic IP replaced by `with` (an ENI, or nothing).
fn demo_without_db_eip(with: &str) -> World {
    let toml = DEFAULT_FLEET.replace(DB_EIP, with);
    assert_ne!(toml, DEFAULT_FLEET, "the fleet still has db-1's Elastic IP");
    World::new(sim::toml(&toml, SEED), R)
}

/// The fleet with db-1's service address on its own ENI.
fn eni_fleet() -> World {
    demo_without_db_eip(DB_ENI)
}

/// The fleet with db-1's service address as a secondary private IP of its primary ENI (added through
/// the port; the calls log is cleared so the runbook's own calls are counted alone).
async fn private_ip_fleet() -> World {
    let w = demo_without_db_eip("");
    let inv = w.inventory().await;
    let eni = primary_eni(&inv, &w.id("db-1"));
    w.write
        .assign_private_ips(&eni, &[SERVICE_IP.to_string()], false, false)
        .await
        .expect("a secondary address on db-1");
    w.sim.clear_calls();
    w
}

fn eni_attachment(inv: &Inventory, eni: &str) -> Option<(String, i32, String)> {
    inv.network_interfaces
        .iter()
        .find(|n| n.id == eni)
        .and_then(|n| n.attachment.clone())
        .map(|a| {
            (
                a.instance_id.unwrap_or_default().into(),
                a.device_index,
                a.status.into(),
            )
        })
}

/// Who holds a private address, read back from every interface.
fn ip_holders(inv: &Inventory, ip: &str) -> Vec<String> {
    inv.network_interfaces
        .iter()
        .filter(|n| n.private_ips.iter().any(|p| p.address == ip))
        .map(|n| n.id.clone())
        .map(Into::into)
        .collect()
}

/// The instance the data volume ended up on.
fn data_holder(inv: &Inventory, data: &str) -> String {
    inv.volume(data)
        .and_then(|v| v.attached_instance().map(str::to_string))
        .expect("the data volume is attached")
}

fn failover_args(primary: &str) -> FailoverArgs {
    FailoverArgs {
        primary: primary.to_string(),
        stamp: "t".into(),
        ..FailoverArgs::default()
    }
}

#[tokio::test(start_paused = true)]
async fn db_failover_moves_a_secondary_eni_to_the_replacement_and_back() {
    let w = eni_fleet();
    let db = w.id("db-1");
    let eni = w.sim.eni_id("db-1-service").expect("the service ENI");
    let inv = w.inventory().await;
    let data = data_volume_id(&inv, &db);
    assert!(inv.eips_of_instance(&db).is_empty());

    // auto: no Elastic IP, so the secondary ENI (same AZ as the replacement) moves.
    let plan = failover::plan(&inv, &failover_args(&db)).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        [
            "stop_instance",
            "detach_volume",
            "launch_clone",
            "attach_volume",
            "detach_network_interface",
            "attach_network_interface"
        ]
    );
    assert!(
        plan.notes.iter().any(|n| n.contains(&eni)),
        "{:?}",
        plan.notes
    );
    assert!(plan.notes[0].contains("expected downtime"));
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    let (state, _) = run_state(&w, &plan, None).await;

    let after = w.inventory().await;
    let new_id = data_holder(&after, &data);
    assert_ne!(new_id, db);
    assert_eq!(
        eni_attachment(&after, &eni),
        Some((new_id.clone(), 1, "attached".into())),
        "the interface reads back attached to the replacement, at the same device index"
    );
    assert!(
        after.enis_of_instance(&db).iter().all(|n| n.id != eni),
        "and no longer on the primary"
    );
    assert_eq!(made(&w.sim, "DetachNetworkInterface"), 1);
    assert_eq!(made(&w.sim, "AttachNetworkInterface"), 1);

    // Rollback moves the interface back to the primary, at its old device index.
    let back = rollback_plan(&state);
    let kinds: Vec<&str> = back.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds[..2],
        ["detach_network_interface", "attach_network_interface"]
    );
    run(&w, &back, None).await;
    let after = w.inventory().await;
    assert_eq!(
        eni_attachment(&after, &eni),
        Some((db.clone(), 1, "attached".into()))
    );
    // The address is back on the primary, and so is its data: never one without the other.
    assert_eq!(data_holder(&after, &data), db, "the data volume is back");
    assert!(
        back.steps
            .iter()
            .any(|s| s.action_name() == "start_instance"),
        "{:?}",
        back.steps
    );
}

#[tokio::test(start_paused = true)]
async fn db_failover_moves_a_secondary_eni_to_a_standby_after_a_clean_preflight() {
    let w = eni_fleet();
    let db = w.id("db-1");
    let web2 = w.id("web-2"); // us-east-1a, as the interface
    let eni = w.sim.eni_id("db-1-service").expect("the service ENI");
    let inv = w.inventory().await;
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            standby: Some(web2.clone()),
            address: AddressMode::Eni,
            eni: Some(eni.clone()),
            ..failover_args(&db)
        },
    )
    .expect("plan");
    // The attach is dry-run before the interface is free: checked by reading, not refused.
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        w.sim
            .calls()
            .iter()
            .any(|c| c.action == "DetachNetworkInterface" && c.dry_run),
        "the detach was dry-run"
    );
    run(&w, &plan, None).await;
    let after = w.inventory().await;
    assert_eq!(
        eni_attachment(&after, &eni),
        Some((web2, 1, "attached".into()))
    );
}

#[tokio::test(start_paused = true)]
async fn db_failover_reassigns_a_secondary_private_ip_and_back() {
    let w = private_ip_fleet().await;
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let db_eni = primary_eni(&inv, &db);
    let data = data_volume_id(&inv, &db);
    assert_eq!(ip_holders(&inv, SERVICE_IP), std::slice::from_ref(&db_eni));

    // auto: no Elastic IP, no secondary ENI: the secondary address moves, so the replacement is
    // launched in the primary's own subnet.
    let plan = failover::plan(&inv, &failover_args(&db)).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        [
            "stop_instance",
            "detach_volume",
            "launch_clone",
            "attach_volume",
            "move_private_ip"
        ]
    );
    assert!(
        plan.notes.iter().any(|n| n.contains(SERVICE_IP)),
        "{:?}",
        plan.notes
    );
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    let (state, _) = run_state(&w, &plan, None).await;

    let after = w.inventory().await;
    let new_id = data_holder(&after, &data);
    let new = after.instance(&new_id).expect("replacement");
    let db_subnet = after.instance(&db).and_then(|i| i.subnet_id.clone());
    assert_eq!(new.subnet_id, db_subnet, "launched in the primary's subnet");
    let new_eni = primary_eni(&after, &new_id);
    assert_eq!(
        ip_holders(&after, SERVICE_IP),
        [new_eni],
        "the address reads back on the replacement's primary interface only"
    );
    assert_eq!(made(&w.sim, "AssignPrivateIpAddresses"), 1);

    let back = rollback_plan(&state);
    assert_eq!(back.steps[0].action_name(), "move_private_ip");
    run(&w, &back, None).await;
    assert_eq!(
        ip_holders(&w.inventory().await, SERVICE_IP),
        [db_eni],
        "rolled back to the primary"
    );
}

#[tokio::test(start_paused = true)]
async fn address_moves_survive_a_kill_at_every_boundary_without_a_duplicate_call() {
    for mode in ["eni", "private-ip"] {
        at_every_kill_point(mode, 5, async |n| {
            let w = match mode {
                "eni" => eni_fleet(),
                _ => private_ip_fleet().await,
            };
            let db = w.id("db-1");
            let inv = w.inventory().await;
            let data = data_volume_id(&inv, &db);
            let plan = failover::plan(
                &inv,
                &FailoverArgs {
                    stamp: "k".into(),
                    ..failover_args(&db)
                },
            )
            .expect("plan");
            let (_, killed) = run(&w, &plan, Some(n)).await;
            let after = w.inventory().await;
            let new_id = data_holder(&after, &data);
            let calls = [
                ("RunInstances", 1),
                ("DetachNetworkInterface", usize::from(mode == "eni")),
                ("AttachNetworkInterface", usize::from(mode == "eni")),
                ("AssignPrivateIpAddresses", usize::from(mode != "eni")),
            ];
            for (action, times) in calls {
                assert_eq!(
                    made(&w.sim, action),
                    times,
                    "{mode}, kill after {n}: {action}"
                );
            }
            if mode == "eni" {
                let eni = w.sim.eni_id("db-1-service").expect("eni");
                assert_eq!(
                    eni_attachment(&after, &eni).map(|a| a.0),
                    Some(new_id),
                    "{mode}, kill after {n}"
                );
            } else {
                assert_eq!(
                    ip_holders(&after, SERVICE_IP),
                    [primary_eni(&after, &new_id)],
                    "{mode}, kill after {n}"
                );
            }
            killed
        })
        .await;
    }
}

#[tokio::test(start_paused = true)]
async fn bad_address_arguments_are_refused_at_plan_time() {
    let refused = |inv: &Inventory, args: FailoverArgs| {
        failover::plan(inv, &args).expect_err("refused at plan time")
    };

    // An ENI cannot leave its AZ.
    let w = eni_fleet();
    let db = w.id("db-1");
    let eni = w.sim.eni_id("db-1-service").expect("eni");
    let inv = w.inventory().await;
    let to_1b = FailoverArgs {
        target_az: Some("us-east-1b".into()),
        ..failover_args(&db)
    };
    let e = refused(
        &inv,
        FailoverArgs {
            address: AddressMode::Eni,
            ..to_1b.clone()
        },
    );
    assert!(
        e.contains(&eni) && e.contains("us-east-1a") && e.contains("cannot leave its AZ"),
        "{e}"
    );
    // auto says so in the plan, and moves nothing.
    let plan = failover::plan(&inv, &to_1b).expect("auto plans around it");
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| s.action_name().ends_with("network_interface")),
        "{plan:?}"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains(&eni) && n.contains("cannot leave its AZ")),
        "{:?}",
        plan.notes
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("re-pointed another way")),
        "{:?}",
        plan.notes
    );
    // An ENI the primary does not have, and its own primary interface.
    let web1_eni = primary_eni(&inv, &w.id("web-1"));
    let e = refused(
        &inv,
        FailoverArgs {
            eni: Some(web1_eni.clone()),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("not attached to the primary"), "{e}");
    let e = refused(
        &inv,
        FailoverArgs {
            eni: Some(primary_eni(&inv, &db)),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("device index 0"), "{e}");

    // A private IP the primary does not carry as a secondary address.
    let w = private_ip_fleet().await;
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let e = refused(
        &inv,
        FailoverArgs {
            private_ip: Some("10.0.11.250".into()),
            ..failover_args(&db)
        },
    );
    assert!(
        e.contains("10.0.11.250") && e.contains("not a secondary private IP of the primary"),
        "{e}"
    );
    assert!(e.contains(SERVICE_IP), "it lists what the primary has: {e}");
    let own = inv
        .instance(&db)
        .and_then(|i| i.private_ip.clone())
        .expect("db-1's address");
    let e = refused(
        &inv,
        FailoverArgs {
            private_ip: Some(own.to_string()),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("primary private address"), "{e}");
    // A private IP cannot leave its subnet: web-2 is in shop-public-1a, db-1 in shop-private-1a.
    let e = refused(
        &inv,
        FailoverArgs {
            standby: Some(w.id("web-2")),
            address: AddressMode::PrivateIp,
            ..failover_args(&db)
        },
    );
    assert!(e.contains("cannot leave its subnet"), "{e}");
    // Flags that contradict each other.
    let e = refused(
        &inv,
        FailoverArgs {
            eni: Some(eni.clone()),
            private_ip: Some(SERVICE_IP.into()),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("give one"), "{e}");
    let e = refused(
        &inv,
        FailoverArgs {
            address: AddressMode::Eip,
            ..failover_args(&db)
        },
    );
    assert!(e.contains("no Elastic IP"), "{e}");
    assert_eq!(calls::mutating(&w.sim).len(), 0, "nothing changed");
}

// ---------------------------------------------------------------------------------------------------
// A snapshot set is one point in time: every CreateSnapshot of the set is made before any of them
// completes, whatever the API's throttling.

/// The snapshots run "t" made, with their start times.
fn snapshots_of_run(inv: &Inventory) -> Vec<(String, Timestamp)> {
    inv.snapshots
        .iter()
        .filter(|s| s.tags.get("opsdeck:run") == Some("t"))
        .map(|s| (s.id.to_string(), s.start_time.expect("a start time")))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_set_is_taken_at_one_point_in_time() {
    for throttled in [false, true] {
        let w = demo();
        let db = w.id("db-1");
        let inv = w.inventory().await;
        let vols = inv.volumes_of_instance(&db).len();
        assert!(vols >= 2, "db-1 has a root and a data volume");
        let plan = backup::snapshot_plan(&inv, &db, None).expect("plan");
        if throttled {
            w.sim.throttle("*", 0.3);
        }
        run(&w, &plan, None).await;
        let after = w.inventory().await;
        let taken = snapshots_of_run(&after);
        assert_eq!(taken.len(), vols, "one snapshot per volume: {taken:?}");
        let first = taken.iter().map(|t| t.1).min().expect("some");
        let last = taken.iter().map(|t| t.1).max().expect("some");
        if throttled {
            // Retries of a throttled call are made at once, not after the others complete.
            assert!(
                last - first < chrono::Duration::seconds(30),
                "throttled, the set still starts within seconds: {taken:?}"
            );
        } else {
            assert_eq!(first, last, "every volume at the same instant: {taken:?}");
        }
        // Every call of the set was made before the first of them completed (a snapshot takes a
        // minute or more in the simulator).
        let calls = w.sim.calls();
        let made_at: Vec<_> = calls
            .iter()
            .filter(|c| c.action == "CreateSnapshot" && !c.dry_run && c.error.is_none())
            .map(|c| c.at)
            .collect();
        assert_eq!(made_at.len(), vols, "no duplicate snapshot");
        assert!(
            made_at
                .iter()
                .all(|t| *t - first < chrono::Duration::seconds(30)),
            "all calls in one burst: {made_at:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Rolling back a db-failover moves the Elastic IP back: the address and the data return together.

/// Where an Elastic IP points, read back: (instance, private address).
fn eip_points_at(inv: &Inventory, allocation_id: &str) -> (Option<String>, Option<String>) {
    let e = inv
        .elastic_ips
        .iter()
        .find(|e| e.allocation_id == allocation_id)
        .expect("the Elastic IP");
    (
        e.instance_id.clone().map(Into::into),
        e.private_ip.clone().map(Into::into),
    )
}

#[tokio::test(start_paused = true)]
async fn rolling_back_a_db_failover_moves_the_elastic_ip_back_to_the_primary() {
    let w = demo();
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let eip = inv.eips_of_instance(&db)[0].allocation_id.clone();
    let public_ip = inv.eips_of_instance(&db)[0].public_ip.clone();
    let before = eip_points_at(&inv, &eip);
    assert_eq!(before.0.as_deref(), Some(db.as_str()));
    let data = data_volume_id(&inv, &db);

    let plan = failover::plan(&inv, &failover_args(&db)).expect("plan");
    let (state, _) = run_state(&w, &plan, None).await;
    let moved = w.inventory().await;
    let new_id = data_holder(&moved, &data);
    assert_ne!(new_id, db);
    assert_eq!(eip_points_at(&moved, &eip).0, Some(new_id.clone()));

    let back = rollback_plan(&state);
    assert_eq!(
        back.steps[0].action_name(),
        "associate_address",
        "{:?}",
        back.steps
    );
    assert!(
        !back
            .notes
            .iter()
            .any(|n| n.contains("not undone") && n.contains(public_ip.as_str())),
        "the address move has an undo: {:?}",
        back.notes
    );
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &back, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    run(&w, &back, None).await;
    let after = w.inventory().await;
    assert_eq!(
        eip_points_at(&after, &eip),
        before,
        "the address reads back on the primary, at the same private address"
    );
    assert_eq!(data_holder(&after, &data), db, "and so does its data");
    assert_eq!(made(&w.sim, "AssociateAddress"), 2);
}

#[tokio::test(start_paused = true)]
async fn rolling_back_a_db_failover_leaves_an_elastic_ip_someone_moved_since() {
    let w = demo();
    let (db, web1) = (w.id("db-1"), w.id("web-1"));
    let inv = w.inventory().await;
    let eip = inv.eips_of_instance(&db)[0].allocation_id.clone();
    let plan = failover::plan(&inv, &failover_args(&db)).expect("plan");
    let (state, _) = run_state(&w, &plan, None).await;
    // After the failover an operator points the address at web-1 by hand.
    w.write
        .associate_address(
            &eip,
            &opsdeck_core::cloud::AddressTarget::Instance(web1.clone()),
            true,
            false,
        )
        .await
        .expect("re-point");
    let back = rollback_plan(&state);
    assert_eq!(back.steps[0].action_name(), "associate_address");
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &back, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    run(&w, &back, None).await;
    assert_eq!(
        eip_points_at(&w.inventory().await, &eip).0,
        Some(web1),
        "the rollback never takes the address from where someone put it since"
    );
    assert_eq!(
        made(&w.sim, "AssociateAddress"),
        2,
        "the failover's and the hand-made one: none by the rollback"
    );
}

#[tokio::test(start_paused = true)]
async fn rolling_back_the_association_of_a_free_elastic_ip_lets_it_go_unless_it_moved() {
    use opsdeck_runbook::plan::{Action, AddressMove, AddressWas, Step, Val};
    for repointed in [false, true] {
        let w = demo();
        let (db, web1, web2) = (w.id("db-1"), w.id("web-1"), w.id("web-2"));
        let inv = w.inventory().await;
        let e = inv.eips_of_instance(&db)[0].clone();
        w.write
            .disassociate_address(e.association_id.as_deref().expect("associated"), false)
            .await
            .expect("free the address");
        let plan = Plan {
            runbook: "test".into(),
            region: R.into(),
            args: serde_json::json!({}),
            steps: vec![Step {
                title: "point the free address at web-2".into(),
                action: Action::AssociateAddress {
                    allocation_id: e.allocation_id.to_string(),
                    target: AddressMove::Instance(Val::lit(&web2)),
                    output: "association".into(),
                    was: Some(AddressWas::Unassociated),
                    only_from: None,
                },
                resources: vec![e.allocation_id.to_string()],
                expected_secs: 5,
                timeout_secs: 300,
            }],
            notes: vec![],
        };
        let (state, _) = run_state(&w, &plan, None).await;
        assert_eq!(
            eip_points_at(&w.inventory().await, &e.allocation_id).0,
            Some(web2.clone())
        );
        if repointed {
            // Someone moves it on by hand before the rollback.
            w.write
                .associate_address(
                    &e.allocation_id,
                    &opsdeck_core::cloud::AddressTarget::Instance(web1.clone()),
                    true,
                    false,
                )
                .await
                .expect("re-point");
        }
        let back = rollback_plan(&state);
        assert_eq!(back.steps[0].action_name(), "disassociate_address");
        assert_eq!(
            back.steps[0].action.confirm_id(),
            Some(Into::into(e.allocation_id.clone()))
        );
        run(&w, &back, None).await;
        let now = eip_points_at(&w.inventory().await, &e.allocation_id).0;
        if repointed {
            assert_eq!(now, Some(web1), "an address moved meanwhile is left alone");
            assert_eq!(made(&w.sim, "DisassociateAddress"), 1, "only the setup's");
        } else {
            assert_eq!(
                now, None,
                "associated with nothing again, as before the run"
            );
            assert_eq!(made(&w.sim, "DisassociateAddress"), 2);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// db-failover with the data volume already stuck: a detach hanging since an earlier attempt (the
// simulator's `stuck-detach` chaos), or a volume in `error`.

/// The demo with db-1's data volume stuck in `detaching` (an earlier detach that never finished).
async fn stuck_data_volume() -> (World, String, String) {
    let w = demo();
    let db = w.id("db-1");
    let data = data_volume_id(&w.inventory().await, &db);
    w.sim
        .chaos(&format!("stuck-detach {data}"))
        .expect("stuck-detach");
    w.write
        .detach_volume(&data, &db, false, false)
        .await
        .expect("an earlier detach, which hangs");
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    let v = w.inventory().await.volume(&data).cloned().expect("volume");
    assert_eq!(
        v.attachments.first().map(|a| a.state),
        Some(AttachmentState::Detaching),
        "still hanging ten minutes later"
    );
    w.sim.clear_calls();
    (w, db, data)
}

#[tokio::test(start_paused = true)]
async fn db_failover_restores_the_newest_snapshot_when_the_volume_is_stuck() {
    let (w, db, data) = stuck_data_volume().await;
    let inv = w.inventory().await;
    let newest = inv
        .newest_completed_snapshot(&data)
        .expect("a snapshot")
        .id
        .clone();
    let eip = inv.eips_of_instance(&db)[0].allocation_id.clone();
    let plan = failover::plan(&inv, &failover_args(&db)).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert!(kinds.contains(&"restore_volume"), "{kinds:?}");
    assert!(
        !kinds.contains(&"detach_volume"),
        "the stuck volume is left alone: {kinds:?}"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains(&data) && n.contains("stuck") && n.contains("detaching")),
        "the plan says why: {:?}",
        plan.notes
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("data-loss window") && n.contains(newest.as_str())),
        "{:?}",
        plan.notes
    );
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    run(&w, &plan, None).await;

    let after = w.inventory().await;
    let new_id = eip_points_at(&after, &eip)
        .0
        .expect("the EIP points somewhere");
    assert_ne!(new_id, db);
    // A data volume at the same device.
    let restored = data_volume(&after, &new_id);
    assert_eq!(restored.snapshot_id.as_deref(), Some(newest.as_str()));
    assert_eq!(made(&w.sim, "CreateVolume"), 1);
    assert_eq!(
        made(&w.sim, "DetachVolume"),
        0,
        "no second try at the stuck one"
    );
}

#[tokio::test(start_paused = true)]
async fn db_failover_with_force_detach_frees_a_stuck_volume_and_keeps_it() {
    let (w, db, data) = stuck_data_volume().await;
    let inv = w.inventory().await;
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            force_detach: true,
            ..failover_args(&db)
        },
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert!(!kinds.contains(&"restore_volume"), "{kinds:?}");
    let detach = plan
        .steps
        .iter()
        .find(|s| s.action_name() == "detach_volume")
        .expect("a detach step");
    assert!(
        matches!(
            detach.action,
            opsdeck_runbook::plan::Action::DetachVolume { force: true, .. }
        ),
        "{detach:?}"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("stuck") && n.contains("forced")),
        "{:?}",
        plan.notes
    );
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    run(&w, &plan, None).await;
    let after = w.inventory().await;
    let holder = data_holder(&after, &data);
    assert_ne!(
        holder, db,
        "the very volume moved, with every write it holds"
    );
    assert_eq!(made(&w.sim, "CreateVolume"), 0, "nothing restored");
    assert_eq!(made(&w.sim, "DetachVolume"), 1, "one forced detach");

    // A volume in `error` cannot be forced free: restored from its snapshot even with --force-detach.
    let mut broken = demo().inventory().await;
    let dbb = broken
        .instances
        .iter()
        .find(|i| i.name.as_deref() == Some("db-1"))
        .expect("db-1")
        .id
        .clone();
    let vid = data_volume_id(&broken, &dbb);
    for v in broken.volumes.iter_mut().filter(|v| v.id == vid) {
        v.state = VolumeState::Error;
    }
    let plan = failover::plan(
        &broken,
        &FailoverArgs {
            force_detach: true,
            ..failover_args(&dbb)
        },
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert!(
        kinds.contains(&"restore_volume") && !kinds.contains(&"detach_volume"),
        "{kinds:?}"
    );
    assert!(
        plan.notes.iter().any(|n| n.contains("in state error")),
        "{:?}",
        plan.notes
    );
}

// ---------------------------------------------------------------------------------------------------
// restore, prune and remove-spof --count 2: a kill at every journal boundary, then resume, makes
// every call exactly once.

/// For each kill point: a fresh demo, `plan` over its inventory, a run killed after n journal
/// writes and resumed, then `check` (with n). Ends when a run finishes without being killed.
async fn at_every_kill(
    label: &str,
    plan: impl Fn(&World, &Inventory) -> Plan,
    check: impl Fn(&World, &Inventory, &Plan, usize),
) {
    at_every_kill_point(label, 3, async |n| {
        let w = demo();
        let inv = w.inventory().await;
        let p = plan(&w, &inv);
        let (_, killed) = run(&w, &p, Some(n)).await;
        check(&w, &w.inventory().await, &p, n);
        killed
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn restore_and_prune_survive_a_kill_at_every_boundary_without_a_duplicate_call() {
    at_every_kill(
        "restore",
        |w, inv| {
            let data = data_volume_id(inv, &w.id("db-1"));
            let snap = inv
                .newest_completed_snapshot(&data)
                .expect("snapshot")
                .id
                .clone();
            backup::restore_plan(inv, &snap, "us-east-1a", Some((&w.id("web-2"), "/dev/sdg")))
                .expect("plan")
        },
        |w, after, p, n| {
            assert_eq!(made(&w.sim, "CreateVolume"), 1, "restore, kill after {n}");
            assert_eq!(made(&w.sim, "AttachVolume"), 1, "restore, kill after {n}");
            let snap = &p.steps[0].resources[0];
            let restored: Vec<&Volume> = after
                .volumes
                .iter()
                .filter(|v| v.snapshot_id.as_deref() == Some(snap.as_str()))
                .filter(|v| v.tags.get("opsdeck:run") == Some("t"))
                .collect();
            assert_eq!(restored.len(), 1, "restore, kill after {n}: one volume");
            assert_eq!(
                restored[0].attached_instance(),
                Some(w.id("web-2").as_str()),
                "restore, kill after {n}"
            );
        },
    )
    .await;

    at_every_kill(
        "prune",
        |w, inv| {
            let data = data_volume_id(inv, &w.id("db-1"));
            let p = backup::prune_plan(
                inv,
                &PruneArgs {
                    volume: data,
                    keep: Some(1),
                    younger_than_days: None,
                },
                chrono::Utc::now(),
            )
            .expect("plan");
            assert!(p.steps.len() >= 2, "something to prune: {:?}", p.steps);
            p
        },
        |w, after, p, n| {
            assert_eq!(
                made(&w.sim, "DeleteSnapshot"),
                p.steps.len(),
                "prune, kill after {n}: each deleted once"
            );
            let kept = after.snapshots_of_volume(&data_volume_id(after, &w.id("db-1")));
            for s in &p.steps {
                assert!(
                    !kept.iter().any(|k| s.resources.iter().any(|r| *r == k.id)),
                    "prune, kill after {n}: {} gone",
                    s.resources[0]
                );
            }
            assert!(!kept.is_empty(), "prune, kill after {n}: the newest kept");
        },
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn remove_spof_with_two_clones_launches_each_once_even_across_kills() {
    at_every_kill(
        "remove-spof --count 2",
        |w, inv| {
            spof::plan(
                inv,
                &SpofArgs {
                    count: 2,
                    stamp: "k".into(),
                    ..SpofArgs::new(&w.id("web-1"))
                },
            )
            .expect("plan")
        },
        |w, after, p, n| {
            assert_eq!(
                p.steps
                    .iter()
                    .filter(|s| s.action_name() == "launch_clone")
                    .count(),
                2
            );
            assert_eq!(made(&w.sim, "CreateImage"), 1, "kill after {n}: one image");
            assert_eq!(
                made(&w.sim, "RunInstances"),
                2,
                "kill after {n}: two launches"
            );
            let clones: Vec<&Instance> = after
                .instances
                .iter()
                .filter(|i| i.is_live() && i.tags.contains_key("opsdeck:client-token"))
                .collect();
            assert_eq!(clones.len(), 2, "kill after {n}: two clones");
            assert_ne!(
                clones[0].name, clones[1].name,
                "each with a name of its own"
            );
            let tg = after.target_group("web-tg").expect("web-tg");
            let by_az = after.targets_by_az(&tg.arn);
            for c in &clones {
                assert_ne!(
                    c.az, "us-east-1a",
                    "kill after {n}: clones leave web-1's AZ"
                );
                assert!(
                    by_az
                        .values()
                        .flatten()
                        .any(|t| t.target_id == c.id && t.state == TargetState::Healthy),
                    "kill after {n}: {} serves web-tg: {:?} {:?}",
                    c.id,
                    c.az,
                    by_az
                );
            }
        },
    )
    .await;
}
