use super::*;
use crate::domain::fixture::FleetBuilder;

fn now() -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

fn kinds(fs: &[Finding]) -> Vec<&'static str> {
    fs.iter().map(|f| f.kind.as_str()).collect()
}

/// The seeds' web shop: two web servers in one AZ behind an ALB spanning two, a lone database
/// with a stale snapshot, and a reboot event on a web server.
fn web_shop() -> (Inventory, String, String, String) {
    let mut f = FleetBuilder::new("us-east-1", now());
    let (a, b) = (f.az("a"), f.az("b"));
    let lb = f.load_balancer("shop", &[&a, &b]);
    let tg = f.target_group("web-tg", Some(&lb));
    let w1 = f.instance("web-1", &a, Some("web"));
    let w2 = f.instance("web-2", &a, Some("web"));
    f.register(&tg, &w1, TargetState::Healthy);
    f.register(&tg, &w2, TargetState::Healthy);
    let db = f.instance("db-1", &a, Some("db"));
    f.volume(&a, Some((&db, "/dev/xvda")));
    let data = f.volume(&a, Some((&db, "/dev/sdf")));
    f.snapshot(&data, 72);
    f.event(&w2, EventCode::SystemReboot, 24 * 7);
    (f.build(), w2, db, data)
}

fn event_finding(fs: &[Finding]) -> &Finding {
    fs.iter()
        .find(|f| f.kind == FindingKind::UnprotectedScheduledEvent)
        .unwrap()
}

/// The event's words name the AZ its instance is in, and only when that AZ loses its last
/// healthy target; the group's only healthy target is critical.
#[test]
fn an_event_is_judged_on_its_own_az() {
    let mut f = FleetBuilder::new("r", now());
    let (a, b) = (f.az("a"), f.az("b"));
    let lb = f.load_balancer("lb", &[&a, &b]);
    let tg = f.target_group("web-tg", Some(&lb));
    let w1 = f.instance("w1", &a, None);
    let w2 = f.instance("w2", &b, None);
    f.register(&tg, &w1, TargetState::Healthy);
    f.register(&tg, &w2, TargetState::Healthy);
    f.event(&w2, EventCode::SystemReboot, 24);
    let inv = f.build();
    let ev = event_finding(&find_all(&inv, &AnalysisOptions::new(now()))).clone();
    assert_eq!(ev.severity, Severity::Warning, "{}", ev.message);
    assert!(
        ev.message.contains(&format!("no healthy target in {b}")) && !ev.message.contains(&a),
        "{}",
        ev.message
    );

    let mut f = FleetBuilder::new("r", now());
    let a = f.az("a");
    let tg = f.target_group("web-tg", None);
    let w1 = f.instance("w1", &a, None);
    let w2 = f.instance("w2", &a, None);
    f.register(&tg, &w1, TargetState::Healthy);
    f.register(&tg, &w2, TargetState::Unhealthy);
    f.event(&w1, EventCode::SystemReboot, 24);
    f.event(&w2, EventCode::InstanceReboot, 24);
    let inv = f.build();
    let fs = find_all(&inv, &AnalysisOptions::new(now()));
    let evs: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.kind == FindingKind::UnprotectedScheduledEvent)
        .collect();
    assert_eq!(
        evs.len(),
        1,
        "w2 carries nothing: its event takes nothing: {evs:#?}"
    );
    assert_eq!(evs[0].resources, vec![w1]);
    assert_eq!(evs[0].severity, Severity::Critical);
    assert!(
        evs[0].message.contains("only healthy target of web-tg"),
        "{}",
        evs[0].message
    );
}

/// A stopped sibling carries nothing: the tier's one running instance is its single point.
#[test]
fn a_stopped_sibling_does_not_make_a_tier_redundant() {
    let mut f = FleetBuilder::new("r", now());
    let a = f.az("a");
    let old = f.instance("db-1", &a, Some("db"));
    let new = f.instance("db-2", &a, Some("db"));
    f.set_state(&old, InstanceState::Stopped);
    let inv = f.build();
    let fs = find_all(&inv, &AnalysisOptions::new(now()));
    let lone: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.kind == FindingKind::SingleInstance)
        .collect();
    assert_eq!(lone.len(), 1, "{fs:#?}");
    assert_eq!(lone[0].resources, vec![new]);
    assert!(
        lone[0].message.contains("(db-1) stopped"),
        "{}",
        lone[0].message
    );
    let mut f = FleetBuilder::new("r", now());
    let a = f.az("a");
    f.instance("db-1", &a, Some("db"));
    f.instance("db-2", &a, Some("db"));
    let inv = f.build();
    let fs = find_all(&inv, &AnalysisOptions::new(now()));
    assert!(
        !fs.iter().any(|f| f.kind == FindingKind::SingleInstance),
        "two running: {fs:#?}"
    );
}

#[test]
fn the_web_shop_has_every_expected_finding() {
    let (inv, w2, db, data) = web_shop();
    let fs = find_all(&inv, &AnalysisOptions::new(now()));
    let k = kinds(&fs);
    assert!(k.contains(&"single-az"), "{k:?}");
    assert!(k.contains(&"single-instance"), "{k:?}");
    assert!(k.contains(&"no-recent-snapshot"), "{k:?}");
    let lone = fs
        .iter()
        .find(|f| f.kind == FindingKind::SingleInstance)
        .unwrap();
    assert_eq!(lone.resources, vec![db.clone()]);
    assert!(lone.fix.as_deref().unwrap().contains("db-failover"));
    let snap = fs
        .iter()
        .find(|f| f.kind == FindingKind::NoRecentSnapshot)
        .unwrap();
    assert_eq!(snap.resources, vec![data]);
    assert!(snap.message.contains("3d0h"), "{}", snap.message);
    // web-1 in the same AZ carries web-tg while web-2 reboots: covered, no finding (and never
    // "no healthy target in us-east-1b": web-tg never had a target there).
    assert!(
        !fs.iter().any(
            |f| f.kind == FindingKind::UnprotectedScheduledEvent && f.resources == [w2.clone()]
        ),
        "{fs:#?}"
    );
    assert!(has_critical(&fs));
    assert_eq!(fs[0].severity, Severity::Critical, "most severe first");
}

#[test]
fn a_two_az_tier_with_fresh_snapshots_is_clean() {
    let mut f = FleetBuilder::new("r", now());
    let (a, b) = (f.az("a"), f.az("b"));
    let lb = f.load_balancer("lb", &[&a, &b]);
    let tg = f.target_group("web", Some(&lb));
    for (n, az) in [("w1", &a), ("w2", &a), ("w3", &b), ("w4", &b)] {
        let i = f.instance(n, az, Some("web"));
        f.register(&tg, &i, TargetState::Healthy);
    }
    let w = f.instance("w5", &b, Some("web"));
    f.register(&tg, &w, TargetState::Healthy);
    let data = f.volume(&b, Some((&w, "/dev/sdf")));
    f.snapshot(&data, 2);
    f.event(&w, EventCode::InstanceReboot, 48);
    let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
    assert!(fs.is_empty(), "{fs:?}");
}

#[test]
fn one_healthy_of_several_and_none_healthy_are_critical() {
    let mut f = FleetBuilder::new("r", now());
    let (a, b) = (f.az("a"), f.az("b"));
    let tg1 = f.target_group("one-left", None);
    let tg2 = f.target_group("none-left", None);
    for (tg, states) in [
        (&tg1, [TargetState::Healthy, TargetState::Unhealthy]),
        (&tg2, [TargetState::Unhealthy, TargetState::Unhealthy]),
    ] {
        for (n, (az, st)) in [&a, &b].iter().zip(states).enumerate() {
            let i = f.instance(&format!("x{n}"), az, None);
            f.register(tg, &i, st);
        }
    }
    let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
    assert_eq!(
        kinds(&fs),
        vec!["single-healthy-target", "no-healthy-target"]
    );
    assert!(fs.iter().all(|f| f.severity == Severity::Critical));
}

#[test]
fn an_impaired_az_holding_resources_is_reported() {
    let mut f = FleetBuilder::new("r", now());
    let (a, c) = (f.az("a"), f.az("c"));
    let i = f.instance("x", &a, None);
    f.zone_state(&a, ZoneState::Impaired);
    f.zone_state(&c, ZoneState::Impaired); // empty: not a finding
    let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
    let az: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.kind == FindingKind::AzImpaired)
        .collect();
    assert_eq!(az.len(), 1);
    assert_eq!(az[0].resources, vec![a, i]);
}

#[test]
fn a_single_az_load_balancer_is_reported() {
    let mut f = FleetBuilder::new("r", now());
    let a = f.az("a");
    f.load_balancer("lonely", &[&a]);
    let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
    assert_eq!(kinds(&fs), vec!["single-az"]);
    assert_eq!(fs[0].resources, vec!["lonely".to_string()]);
}
