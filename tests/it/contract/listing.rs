//! Listing: every list complete, every join the console relies on.

use super::kit::*;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use std::collections::BTreeSet;

pub async fn every_list_is_complete_and_joined(cloud: &Cloud) {
    let inv = crate::support::inventory::full(std::slice::from_ref(&cloud.read)).await;
    assert_eq!(inv.regions.len(), 1);
    assert_eq!(inv.regions[0].error, None, "no list failed");
    assert_eq!(
        inv.identity.as_ref().map(|i| i.account.as_str()),
        Some("123456789012")
    );

    // Instances: four seeded ones, where seed_fleet.py puts them, running, status merged in.
    let names: BTreeSet<&str> = inv
        .instances
        .iter()
        .filter(|i| is_seed(&i.tags))
        .filter_map(|i| name_of(&i.tags))
        .collect();
    assert_eq!(names, BTreeSet::from(["app-1", "db-1", "web-1", "web-2"]));
    let (web1, web2, db1, app1) = (
        seeded(&inv, "web-1"),
        seeded(&inv, "web-2"),
        seeded(&inv, "db-1"),
        seeded(&inv, "app-1"),
    );
    for (i, az, role) in [
        (web1, "us-east-1a", "web"),
        (web2, "us-east-1a", "web"),
        (db1, "us-east-1a", "db"),
        (app1, "us-east-1b", "app"),
    ] {
        assert_eq!(i.az, az, "{:?}", i.name);
        assert_eq!(i.tags.get("role"), Some(role));
        assert_eq!(i.state, InstanceState::Running);
        assert!(
            i.status_checks.all_ok(),
            "{:?}: {:?}",
            i.name,
            i.status_checks
        );
        assert!(i.private_ip.is_some());
        assert!(!i.security_group_ids.is_empty());
        assert_eq!(
            i.security_group_ids, web1.security_group_ids,
            "one security group for all"
        );
    }
    assert_eq!(
        web1.subnet_id.as_deref(),
        Some(subnet_named(&inv, "seed-1a").id.as_str())
    );
    assert_eq!(subnet_named(&inv, "seed-1b").az, "us-east-1b");
    assert_eq!(
        app1.subnet_id.as_deref(),
        Some(subnet_named(&inv, "seed-1b").id.as_str())
    );
    assert_eq!(db1.instance_type, "m5.large");

    // web-2's scheduled system-reboot: next week, reschedulable until its deadline.
    let ev = web2.upcoming_events().next().expect("web-2 has an event");
    assert_eq!(ev.code, EventCode::SystemReboot);
    assert!(ev.event_id.is_some());
    let in_days = (ev.not_before.expect("start") - chrono::Utc::now()).num_hours();
    assert!(
        (6 * 24..=7 * 24 + 1).contains(&in_days),
        "about a week ahead: {in_days} h"
    );
    assert!(ev.not_before_deadline.expect("deadline") > ev.not_before.expect("start"));
    assert!(
        inv.events.iter().any(|e| e.resource_id == web2.id),
        "derived event list"
    );

    // Volumes: a root volume per instance, db-1's data volume at /dev/sdf.
    for i in [web1, web2, db1, app1] {
        let root = format!("{}-root", name_of(&i.tags).unwrap_or_default());
        let v = volume_named(&inv, &root);
        assert_eq!(v.attached_instance(), Some(i.id.as_str()), "{root}");
        assert!(i.block_devices.iter().any(|b| b.volume_id == v.id));
    }
    let data = volume_named(&inv, "db-1-data");
    assert_eq!(
        (data.size_gib, data.volume_type.as_str(), data.az.as_str()),
        (100, "gp3", "us-east-1a")
    );
    assert_eq!(data.attached_instance(), Some(db1.id.as_str()));
    assert_eq!(data.attachments[0].device, "/dev/sdf");
    assert!(
        inv.volumes_of_instance(&db1.id)
            .iter()
            .any(|v| v.id == data.id)
    );

    // Snapshots of the data volume, and the image with its own (tagged) snapshot.
    let snaps = inv.snapshots_of_volume(&data.id);
    let snap_names: BTreeSet<&str> = snaps.iter().filter_map(|s| name_of(&s.tags)).collect();
    assert_eq!(
        snap_names,
        BTreeSet::from(["db-1-data-nightly", "db-1-data-weekly"])
    );
    assert!(
        snaps
            .iter()
            .all(|s| is_seed(&s.tags) && s.volume_size_gib == 100)
    );
    assert!(snaps.iter().any(|s| s.description == "db-1 data nightly"));
    assert!(inv.newest_completed_snapshot(&data.id).is_some());
    let image = image_named(&inv, "seed-web-image");
    assert_eq!(image.state, ImageState::Available);
    assert_eq!(
        image.description.as_deref(),
        Some("golden image from web-1")
    );
    assert_eq!(image.snapshot_ids.len(), 1);
    let backing = inv
        .snapshot(&image.snapshot_ids[0])
        .expect("the image's snapshot is listed");
    assert!(is_seed(&backing.tags));
    assert_eq!(inv.images_using_snapshot(&backing.id).len(), 1);
    assert_eq!(
        inv.images.iter().filter(|i| is_seed(&i.tags)).count(),
        1,
        "only our own images"
    );

    // The ALB over both subnets; web-tg's two targets both healthy, both in one AZ.
    let lb = inv.load_balancer("seed-alb").expect("seed-alb");
    let zones: BTreeSet<&str> = lb.zones.iter().map(|z| z.az.as_str()).collect();
    assert_eq!(zones, BTreeSet::from(["us-east-1a", "us-east-1b"]));
    assert_eq!(
        (lb.lb_type.as_str(), lb.scheme.as_str()),
        ("application", "internet-facing")
    );
    let web_tg = inv.target_group("web-tg").expect("web-tg");
    assert_eq!(web_tg.load_balancer_arns, vec![lb.arn.clone()]);
    let by_az = inv.targets_by_az(&web_tg.arn);
    assert_eq!(
        by_az.keys().map(String::as_str).collect::<Vec<_>>(),
        vec!["us-east-1a"]
    );
    assert_eq!(by_az["us-east-1a"].len(), 2);
    assert!(
        by_az["us-east-1a"]
            .iter()
            .all(|t| t.state == TargetState::Healthy)
    );
    let tgs: Vec<&str> = inv
        .target_groups_of_instance(&web1.id)
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tgs, vec!["web-tg"]);
    let app_tg = inv.target_group("app-tg").expect("app-tg");
    assert!(
        app_tg.load_balancer_arns.is_empty(),
        "no listener forwards to app-tg"
    );
    let app_target = inv
        .targets_of(&app_tg.arn)
        .next()
        .expect("app-1 registered");
    assert_eq!(app_target.target_id, app1.id);
    if cloud.moto_quirk(
        "target health follows the EC2 state only: a group no load balancer uses reports healthy",
    ) {
        assert_eq!(app_target.state, TargetState::Healthy);
    } else {
        assert_eq!(app_target.state, TargetState::Unused);
        assert_eq!(app_target.reason.as_deref(), Some("Target.NotInUse"));
    }

    // The Elastic IP on db-1, the spare ENI with its secondary address, implicit ENIs tagged.
    let eips = inv.eips_of_instance(&db1.id);
    assert_eq!(eips.len(), 1);
    assert_eq!(name_of(&eips[0].tags), Some("db-1-eip"));
    assert_eq!(db1.public_ip.as_deref(), Some(eips[0].public_ip.as_str()));
    let spare = eni_named(&inv, "seed-spare-eni");
    assert_eq!(
        (
            spare.az.as_str(),
            spare.status.as_str(),
            spare.description.as_str()
        ),
        ("us-east-1b", "available", "spare ENI")
    );
    assert_eq!(spare.secondary_private_ips().count(), 1);
    assert!(spare.attachment.is_none());
    for i in [web1, web2, db1, app1] {
        let enis = inv.enis_of_instance(&i.id);
        assert_eq!(enis.len(), 1);
        assert!(is_seed(&enis[0].tags), "primary ENIs carry fleet=seed");
        assert_eq!(enis[0].primary_private_ip(), i.private_ip.as_deref());
    }

    // CloudWatch: a CPU series for each instance (db-1 runs hot) and its alarm in ALARM.
    let cpu = inv
        .instance_metric(&db1.id, "CPUUtilization")
        .expect("CPU series for db-1");
    assert!(cpu.points.len() >= 5, "{:?}", cpu.points);
    assert!(
        cpu.points.values().all(|v| (75.0..=100.0).contains(&v)),
        "{:?}",
        cpu.points
    );
    let web_cpu = inv
        .instance_metric(&web1.id, "CPUUtilization")
        .expect("CPU series for web-1");
    assert!(web_cpu.latest().is_some_and(|v| v < 60.0));
    let alarm = inv
        .alarms
        .iter()
        .find(|a| a.name == "db-1-cpu-high")
        .expect("alarm");
    assert_eq!(alarm.state, AlarmState::Alarm);
    assert_eq!(alarm.threshold, Some(80.0));
    assert_eq!(
        alarm.dimensions,
        vec![("InstanceId".to_string(), db1.id.to_string())]
    );
}

pub async fn launched_instances_are_all_listed(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let src = seeded(&inv, "app-1").clone();
    let image = image_named(&inv, "seed-web-image").id.clone();
    let subnet = subnet_named(&inv, "seed-1b").id.clone();
    let before = inv.instances.len();
    let mut launched = Vec::new();
    for n in 0..6 {
        let mut spec = LaunchSpec::clone_of(&src, &image, &subnet, &format!("bulk-one-{n}"));
        spec.tags = vec![
            Tag::new("fleet", "seed"),
            Tag::new("Name", format!("bulk-{n}")),
        ];
        launched.extend(
            cloud
                .write
                .run_instances(&spec, false)
                .await
                .expect("launch")
                .value,
        );
    }
    let mut spec = LaunchSpec::clone_of(&src, &image, &subnet, "bulk-many");
    spec.count = 24;
    spec.tags = vec![Tag::new("fleet", "seed"), Tag::new("Name", "bulk-many")];
    let many = cloud
        .write
        .run_instances(&spec, false)
        .await
        .expect("launch 24")
        .value;
    assert_eq!(many.len(), 24);
    launched.extend(many);

    let inv = cloud.inventory().await;
    assert_eq!(
        inv.instances.len(),
        before + 30,
        "every instance listed once"
    );
    let listed: BTreeSet<&str> = inv.instances.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        listed.len(),
        inv.instances.len(),
        "no duplicates across pages"
    );
    for id in &launched {
        let i = inv
            .instance(id)
            .unwrap_or_else(|| panic!("{id} missing from the listing"));
        assert_eq!(i.az, "us-east-1b");
        let root = &i.block_devices.first().expect("a root device").volume_id;
        assert!(inv.volume(root).is_some(), "its root volume is listed");
        assert_eq!(inv.enis_of_instance(id).len(), 1);
    }
    cloud
        .write
        .terminate_instances(&launched, false)
        .await
        .expect("terminate all");
    for id in &launched {
        cloud
            .wait_state(id, InstanceState::Terminated, 2 * MINUTE)
            .await;
    }
}
