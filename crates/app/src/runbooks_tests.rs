use super::*;

#[test]
fn fixes_parse_into_requests() {
    assert_eq!(
        RunbookRequest::from_fix("opsdeck runbook remove-spof --instance i-1", "r"),
        Some(RunbookRequest::RemoveSpof {
            region: "r".into(),
            instance: "i-1".into()
        })
    );
    assert_eq!(
        RunbookRequest::from_fix("opsdeck runbook db-failover --primary i-2", "r"),
        Some(RunbookRequest::DbFailover {
            region: "r".into(),
            primary: "i-2".into()
        })
    );
    assert_eq!(
        RunbookRequest::from_fix(
            "opsdeck runbook rolling-maintenance --instance i-3 --instance i-4",
            "r"
        ),
        Some(RunbookRequest::Rolling {
            region: "r".into(),
            instances: vec!["i-3".into(), "i-4".into()]
        })
    );
    assert_eq!(
        RunbookRequest::from_fix("opsdeck runbook prune --volume v --keep 3", "r"),
        Some(RunbookRequest::Prune {
            region: "r".into(),
            volume: "v".into(),
            keep: 3
        })
    );
    assert_eq!(
        RunbookRequest::from_fix("opsdeck runbook remove-spof", "r"),
        None
    );
    assert_eq!(RunbookRequest::from_fix("rm -rf /", "r"), None);
    for fix in [
        "opsdeck runbook remove-spof --instance i-1",
        "opsdeck runbook snapshot --instance i-1",
        "opsdeck runbook restore --snapshot snap-1 --az a",
    ] {
        let req = RunbookRequest::from_fix(fix, "r").expect(fix);
        assert_eq!(req.command(), fix, "a request says itself as its fix does");
    }
}

/// db-failover is offered where it can plan (one data volume to move), never to be refused after
/// the operator chose it.
#[test]
fn db_failover_is_offered_only_with_one_data_volume() {
    use opsdeck_core::domain::fixture::FleetBuilder;
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let mut f = FleetBuilder::new("r", now);
    let a = f.az("a");
    let web = f.instance("web-1", &a, Some("web"));
    f.volume(&a, Some((&web, "/dev/xvda")));
    let db = f.instance("db-1", &a, Some("db"));
    f.volume(&a, Some((&db, "/dev/xvda")));
    f.volume(&a, Some((&db, "/dev/sdf")));
    let two = f.instance("db-2", &a, Some("db"));
    f.volume(&a, Some((&two, "/dev/xvda")));
    f.volume(&a, Some((&two, "/dev/sdf")));
    f.volume(&a, Some((&two, "/dev/sdg")));
    let inv = f.build();
    let offered = |id: &str| -> Vec<String> {
        super::for_instance(&inv, id, now)
            .into_iter()
            .map(|c| c.label)
            .collect()
    };
    assert!(
        !offered(&web).contains(&"db-failover".to_string()),
        "{:?}",
        offered(&web)
    );
    assert!(
        offered(&db).contains(&"db-failover".to_string()),
        "{:?}",
        offered(&db)
    );
    assert!(
        !offered(&two).contains(&"db-failover".to_string()),
        "two data volumes"
    );
}
