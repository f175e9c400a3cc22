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
