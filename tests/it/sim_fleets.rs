//! The demo fleets: the default one tells the seeds' story, the large one is big and quick to build,
//! a seed reproduces ids, a fleet file loads from a path; and `opsdeck --demo` works with no AWS at all.

use crate::support::cli::{assert_success, opsdeck_in_empty_env};
use crate::support::inventory;
use crate::support::sim::{self, epoch};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use opsdeck_sim::{BUILTIN_FLEETS, FleetSource, Sim, SimOptions, builtin_fleet};
use std::time::Duration;

fn named<'a>(inv: &'a Inventory, name: &str) -> &'a Instance {
    inv.instances
        .iter()
        .find(|i| i.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no instance {name}"))
}

#[tokio::test(start_paused = true)]
async fn the_default_fleet_tells_the_seeds_story() {
    let sim = sim::at_epoch("default", 1);
    assert_eq!(sim.regions(), vec!["us-east-1", "eu-west-1"]);
    let inv = inventory::full(&sim.readers()).await;
    assert!(
        inv.regions.iter().all(|r| r.error.is_none()),
        "{:?}",
        inv.regions
    );
    assert_eq!(
        inv.identity.as_ref().map(|i| i.account.as_str()),
        Some("123456789012")
    );

    // Two web servers behind shop-alb, both in us-east-1a, although the ALB spans 1a and 1b.
    let web1 = named(&inv, "web-1");
    let web2 = named(&inv, "web-2");
    for w in [web1, web2] {
        assert_eq!(
            (w.region.as_str(), w.az.as_str()),
            ("us-east-1", "us-east-1a")
        );
        assert_eq!(w.tags.get("role"), Some("web"));
        assert_eq!(w.state, InstanceState::Running);
        assert!(w.status_checks.all_ok());
    }
    let alb = inv.load_balancer("shop-alb").expect("shop-alb");
    let zones: Vec<&str> = alb.zones.iter().map(|z| z.az.as_str()).collect();
    assert_eq!(zones, vec!["us-east-1a", "us-east-1b"]);
    let tg = inv.target_group("web-tg").expect("web-tg");
    assert_eq!(tg.load_balancer_arns, vec![alb.arn.clone()]);
    let by_az = inv.targets_by_az(&tg.arn);
    assert_eq!(
        by_az.keys().cloned().collect::<Vec<_>>(),
        vec!["us-east-1a"]
    );
    assert!(
        by_az["us-east-1a"]
            .iter()
            .all(|t| t.state == TargetState::Healthy)
    );
    let details = sim
        .reader("us-east-1")
        .target_group_details(&tg.arn)
        .await
        .expect("details");
    assert_eq!(details.deregistration_delay_seconds, Some(60));

    // One PostgreSQL instance with its data volume at /dev/sdf, an Elastic IP, snapshots days old.
    let db1 = named(&inv, "db-1");
    assert_eq!(db1.tags.get("role"), Some("db"));
    let data = inv
        .volumes_of_instance(&db1.id)
        .into_iter()
        .find(|v| v.attachments[0].device == "/dev/sdf")
        .expect("data volume");
    assert_eq!(data.name.as_deref(), Some("db-1-data"));
    assert_eq!(inv.eips_of_instance(&db1.id).len(), 1);
    let newest = inv.newest_completed_snapshot(&data.id).expect("a snapshot");
    let age = epoch() - newest.start_time.expect("time");
    assert!(age >= chrono::Duration::days(2), "days old: {age}");

    // web-2's system-reboot next week, with a deadline; an AMI of the web server; subnets in 1a/1b/1c.
    let ev = web2.upcoming_events().next().expect("web-2 has an event");
    assert_eq!(ev.code, EventCode::SystemReboot);
    let in_days = ev.not_before.expect("start") - epoch();
    assert!(
        (6..=8).contains(&in_days.num_days()),
        "next week: {in_days}"
    );
    assert!(ev.not_before_deadline.is_some());
    assert!(
        inv.images
            .iter()
            .any(|i| i.name == "shop-web-golden" && i.state == ImageState::Available)
    );
    let subnet_zones: std::collections::BTreeSet<&str> = inv
        .subnets
        .iter()
        .filter(|s| s.region == "us-east-1")
        .map(|s| s.az.as_str())
        .collect();
    assert_eq!(subnet_zones.len(), 3);

    // A second region with a little more: app servers across two AZs behind a group, volumes.
    let api: Vec<&Instance> = inv
        .instances
        .iter()
        .filter(|i| i.region == "eu-west-1" && i.tags.get("role") == Some("app"))
        .collect();
    let api_zones: std::collections::BTreeSet<&str> = api.iter().map(|i| i.az.as_str()).collect();
    assert!(api.len() >= 2 && api_zones.len() >= 2);
    assert!(inv.target_group("api-tg").is_some());
    assert!(
        inv.volumes
            .iter()
            .filter(|v| v.region == "eu-west-1")
            .count()
            >= 3
    );

    // Metrics and alarms come with it.
    assert!(
        inv.instance_metric(&web1.id, "CPUUtilization")
            .is_some_and(|m| m.points.len() >= 25)
    );
    assert!(
        inv.alarms
            .iter()
            .all(|a| a.state != AlarmState::InsufficientData),
        "alarms evaluate: {:?}",
        inv.alarms
    );
}

#[tokio::test(start_paused = true)]
async fn a_seed_reproduces_the_fleet_and_another_seed_changes_the_ids() {
    let json = |inv: Inventory| {
        let mut inv = inv;
        for r in inv.regions.iter_mut() {
            r.fetched_at = None;
        }
        serde_json::to_string(&inv).expect("json")
    };
    let a = json(inventory::full(&sim::at_epoch("default", 42).readers()).await);
    let b = json(inventory::full(&sim::at_epoch("default", 42).readers()).await);
    assert_eq!(a, b, "same seed, same fleet, same ids, same metrics");
    let c = inventory::full(&sim::at_epoch("default", 43).readers()).await;
    let a_inv: Inventory = serde_json::from_str(&a).expect("parse");
    assert_ne!(named(&a_inv, "web-1").id, named(&c, "web-1").id);
}

/// Resident memory of this process (Linux; 0 elsewhere, which makes the bound vacuous there).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

#[tokio::test(start_paused = true)]
async fn the_large_fleet_is_large_and_quick_to_build() {
    let rss_before = rss_kib();
    let t0 = std::time::Instant::now();
    let sim = sim::at_epoch("large", 1);
    let built = t0.elapsed();
    let grew = rss_kib().saturating_sub(rss_before);
    eprintln!(
        "large fleet: built in {built:?}, resident memory +{} MiB",
        grew / 1024
    );
    assert!(
        grew < 300 * 1024,
        "the world stays modest: +{} MiB",
        grew / 1024
    );
    // Release builds take well under a second; this debug test only guards against blow-ups.
    assert!(built < Duration::from_secs(30), "built in {built:?}");
    assert_eq!(sim.regions().len(), 4);
    let inv = fetch_inventory(
        &sim.readers(),
        &FetchOptions {
            metrics: false,
            ..FetchOptions::default()
        },
    )
    .await;
    assert!(
        inv.regions.iter().all(|r| r.error.is_none()),
        "{:?}",
        inv.regions
    );
    assert!(inv.instances.len() >= 10_000, "{}", inv.instances.len());
    assert!(inv.volumes.len() >= 2_000, "{}", inv.volumes.len());
    assert!(inv.snapshots.len() >= 2_000, "{}", inv.snapshots.len());
    assert_eq!(inv.target_groups.len(), 100);
    // Most instances run in Auto Scaling groups (one per service behind a target group), some of
    // them single-AZ.
    let members: usize = inv
        .auto_scaling_groups
        .iter()
        .map(|g| g.members.len())
        .sum();
    assert!(
        members * 2 > inv.instances.len(),
        "{members} of {} instances in groups",
        inv.instances.len()
    );
    assert!(
        inv.auto_scaling_groups
            .iter()
            .any(|g| inv.group_azs(g).len() == 1),
        "a single-AZ group to find"
    );
    assert!(
        inv.events.len() >= 50,
        "scheduled events: {}",
        inv.events.len()
    );
    assert!(
        inv.instances
            .iter()
            .any(|i| i.state == InstanceState::Stopped)
    );
    let healthy = inv
        .target_health
        .iter()
        .filter(|t| t.state == TargetState::Healthy)
        .count();
    assert!(healthy >= 5_000, "most targets are healthy: {healthy}");
    // Some services sit in a single AZ: the findings a scale test should discover.
    let single_az = inv
        .target_groups
        .iter()
        .filter(|tg| inv.targets_by_az(&tg.arn).len() == 1)
        .count();
    assert!(single_az >= 5, "{single_az}");
    // Ids are unique across regions.
    let ids: std::collections::HashSet<&str> =
        inv.instances.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), inv.instances.len());
}

#[tokio::test(start_paused = true)]
async fn a_fleet_loads_from_a_file_and_a_bad_one_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mine.toml");
    std::fs::write(
        &path,
        r#"
name = "mine"
[[regions]]
name = "ap-southeast-2"
zones = ["ap-southeast-2a", "ap-southeast-2b"]
base_images = ["ami-0123456789abcdef0"]
[[regions.subnets]]
name = "a"
az = "ap-southeast-2a"
cidr = "10.9.1.0/24"
[[regions.instances]]
name = "solo"
subnet = "a"
"#,
    )
    .expect("write");
    let sim = sim::at_epoch(path.to_str().expect("utf-8 path"), 1);
    assert_eq!(sim.fleet_name(), "mine");
    let inv = inventory::full(&sim.readers()).await;
    assert_eq!(named(&inv, "solo").az, "ap-southeast-2a");
    assert_eq!(
        inv.availability_zones[0].zone_id.as_deref(),
        Some("apse2-az1")
    );

    std::fs::write(
        &path,
        "name = \"bad\"\n[[regions]]\nname = \"x\"\nzones = []\nflavour = 1\n",
    )
    .expect("write");
    let e = Sim::new(SimOptions {
        fleet: FleetSource::NameOrPath(path.to_string_lossy().into()),
        ..SimOptions::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("flavour"), "{e}");
    let e = Sim::new(SimOptions::fleet("no-such-fleet")).unwrap_err();
    assert!(e.to_string().contains("default, large, seed"), "{e}");
    for name in BUILTIN_FLEETS {
        assert!(builtin_fleet(name).is_some());
    }
}

#[test]
fn a_clock_speed_that_is_not_positive_is_refused() {
    for speed in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = Sim::new(SimOptions {
            speed,
            ..SimOptions::default()
        })
        .expect_err("refused");
        assert!(e.to_string().contains("positive"), "{speed}: {e}");
    }
    let half = Sim::new(SimOptions {
        speed: 0.5,
        ..SimOptions::default()
    })
    .expect("0.5 is a speed");
    assert_eq!(half.speed(), 0.5);
}

#[test]
fn opsdeck_demo_prints_the_default_fleet_without_aws() {
    let home = tempfile::tempdir().expect("tempdir");
    let demo = |more: &[&str]| {
        opsdeck_in_empty_env(&home)
            .args([
                "--demo",
                "--demo-seed",
                "5",
                "inventory",
                "--format",
                "json",
            ])
            .args(more)
            // Anything that would reach AWS fails fast: no credentials, no region, no metadata service.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .output()
            .expect("run opsdeck")
    };
    let out = demo(&[]);
    assert_success(&out);
    let inv: Inventory = serde_json::from_slice(&out.stdout).expect("JSON inventory");
    assert_eq!(inv.regions.len(), 2);
    assert!(inv.regions.iter().all(|r| r.error.is_none()));
    assert!(
        inv.instances
            .iter()
            .any(|i| i.name.as_deref() == Some("web-2") && !i.events.is_empty())
    );
    assert!(inv.target_health.len() >= 4);
    // The same seed gives the same ids.
    let again = demo(&["--no-metrics"]);
    let inv2: Inventory = serde_json::from_slice(&again.stdout).expect("JSON inventory");
    let ids = |i: &Inventory| i.instances.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&inv), ids(&inv2));
}

#[tokio::test(start_paused = true)]
async fn a_generated_fleet_takes_its_shape_from_the_file() {
    let text = r#"
name = "wide"
[tags]
team = "infra"
[generate]
regions = ["us-west-2", "eu-central-1"]
zones_per_region = 6
instances = 600
target_groups = 6
"#;
    // Six zones per region fit.
    let sim = sim::build(sim::options(
        FleetSource::Toml(text.into()),
        3,
        Some(epoch()),
    ));
    let inv = inventory::full(&sim.readers()).await;
    assert_eq!(inv.instances.len(), 600);
    assert_eq!(inv.target_groups.len(), 6);
    assert_eq!(inv.subnets.len(), 12);
    assert_eq!(inv.availability_zones.len(), 12);
    assert!(
        inv.instances
            .iter()
            .all(|i| i.tags.get("team") == Some("infra"))
    );
    let zones: std::collections::BTreeSet<&str> = inv
        .instances
        .iter()
        .filter(|i| i.region == "eu-central-1")
        .map(|i| i.az.as_str())
        .collect();
    assert_eq!(zones.len(), 6, "instances spread over every zone");
    assert!(
        inv.regions.iter().all(|r| r.error.is_none()),
        "{:?}",
        inv.regions
    );
}
