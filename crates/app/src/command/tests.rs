//! Parsing, completion and help, read from the one table.

use super::*;

#[test]
fn aliases_parse() {
    for (line, kind) in [
        ("instances", ResourceKind::Instances),
        (":ec2", ResourceKind::Instances),
        ("i", ResourceKind::Instances),
        ("vol", ResourceKind::Volumes),
        ("snap", ResourceKind::Snapshots),
        ("amis", ResourceKind::Images),
        ("lb", ResourceKind::LoadBalancers),
        ("tg", ResourceKind::TargetGroups),
        ("targets", ResourceKind::Targets),
        ("eip", ResourceKind::ElasticIps),
        ("eni", ResourceKind::NetworkInterfaces),
        ("ev", ResourceKind::Events),
        ("alarms", ResourceKind::Alarms),
        ("findings", ResourceKind::Findings),
        ("f", ResourceKind::Findings),
    ] {
        assert_eq!(parse(line), Command::View(kind), "{line}");
    }
    assert_eq!(parse("az"), Command::AzMap);
    assert_eq!(parse("runbooks"), Command::Runbooks);
    assert_eq!(parse("rb"), Command::Runbooks);
    assert_eq!(parse(":runs"), Command::Runs);
    assert_eq!(parse("q"), Command::Quit);
    assert_eq!(
        parse("region eu-west-1"),
        Command::Region(Some("eu-west-1".into()))
    );
    assert_eq!(parse("profile prod"), Command::Profile(Some("prod".into())));
    assert_eq!(parse("export json"), Command::Export(true));
    assert_eq!(
        parse(":chaos  az-outage us-east-1a "),
        Command::Chaos("az-outage us-east-1a".into())
    );
    assert_eq!(parse("chaos"), Command::Chaos(String::new()));
    assert_eq!(parse("bogus"), Command::Unknown("bogus".into()));
    assert_eq!(parse("  "), Command::Nothing);
}

#[test]
fn completion_offers_full_names_first() {
    let s = SessionState::default();
    let p = Prefs::default();
    let c = complete("in", &s, &p);
    assert_eq!(c.first().map(String::as_str), Some("instances"));
    assert!(complete("region eu-w", &s, &p).contains(&"region eu-west-1".to_string()));
    assert!(complete("zzz", &s, &p).is_empty());
    assert_eq!(complete("cha", &s, &p), vec!["chaos".to_string()]);
    assert_eq!(
        complete("chaos az-o", &s, &p),
        vec!["chaos az-outage".to_string()]
    );
}

#[test]
fn the_table_has_every_view_once_in_view_order_and_no_name_twice() {
    let views: Vec<ResourceKind> = COMMANDS
        .iter()
        .filter_map(|c| match c.run {
            Run::View(k) => Some(k),
            _ => None,
        })
        .collect();
    assert_eq!(views, ResourceKind::VIEWS);
    assert!(
        COMMANDS
            .iter()
            .take(views.len())
            .all(|c| matches!(c.run, Run::View(_))),
        "the views come first"
    );
    let mut seen = std::collections::BTreeSet::new();
    for c in COMMANDS {
        assert!(!c.names.is_empty(), "{c:?}");
        for n in c.names.iter().chain(c.hidden) {
            assert!(seen.insert(*n), "{n} names two commands");
            assert_eq!(find(n), Some(c), "{n}");
        }
    }
    for k in ResourceKind::VIEWS {
        assert_eq!(ResourceKind::from_command(k.commands()[0]), Some(k));
    }
}

#[test]
fn help_lists_what_parses() {
    let lines = help_lines();
    assert_eq!(lines[0].0, ":instances :ec2 :i");
    assert!(lines.contains(&(
        ":lb  :tg  :targets".into(),
        "load balancers → target groups → targets (enter drills down)"
    )));
    assert!(lines.contains(&(
        ":region R".into(),
        "show only R if connected, else add R; :region all shows every region"
    )));
    for (usage, _) in &lines {
        for word in usage.split_whitespace().filter(|w| w.starts_with(':')) {
            assert!(
                !matches!(parse(word), Command::Unknown(_) | Command::Nothing),
                "{word}"
            );
        }
    }
}
