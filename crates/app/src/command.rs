//! The `:` command line: one table of commands (`COMMANDS`: names, aliases, argument, help) that
//! parsing, tab completion and the help screen all read. The views' commands are there too:
//! `ResourceKind::commands` reads them back from it.

use crate::resources::ResourceKind;
use crate::state::{Prefs, SessionState};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Nothing,
    View(ResourceKind),
    AzMap,
    /// `:runbooks`: what can run now, and the runbook on the screen.
    Runbooks,
    /// `:runs`: the journal's runs.
    Runs,
    Help,
    Quit,
    Refresh,
    /// `true` for JSON.
    Export(bool),
    Region(Option<String>),
    Profile(Option<String>),
    /// `:chaos COMMAND`: the words after `chaos` (empty: list the commands).
    Chaos(String),
    Unknown(String),
}

/// What a command does, before its argument is read (`parse` reads it into a `Command`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    View(ResourceKind),
    AzMap,
    Runbooks,
    Runs,
    Help,
    Quit,
    Refresh,
    /// One word: `json`, else CSV.
    Export,
    /// One word, optional.
    Region,
    /// One word, optional.
    Profile,
    /// The rest of the line, as typed.
    Chaos,
}

impl Run {
    /// Where help lists it: the views, the other screens, the session, data out, the demo, quitting.
    /// (Tab offers the commands in table order instead.)
    fn help_section(self) -> u8 {
        match self {
            Run::View(_) => 0,
            Run::AzMap | Run::Runbooks | Run::Runs => 1,
            Run::Region | Run::Profile => 2,
            Run::Export => 3,
            Run::Chaos => 4,
            Run::Quit | Run::Help | Run::Refresh => 5,
        }
    }
}

/// What tab offers for a command's argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offers {
    /// The session's regions, `all`, then the common ones (`COMMON_REGIONS`).
    Regions,
    /// `default`, then the profiles named in the config.
    Profiles,
    /// These words.
    Words(&'static [&'static str]),
    /// These words, for the first word only (the words after it are zones, ids and rates).
    FirstWord(&'static [&'static str]),
}

/// A command's argument: how help names it, and what tab offers for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    pub hint: &'static str,
    pub offers: Offers,
}

/// How the help screen lists a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Help {
    /// Not listed (help lists the key that does the same).
    Hidden,
    /// A line of its own: its first `names` names (the hidden aliases after the offered ones), its
    /// argument's hint, and `text`.
    Line { names: usize, text: &'static str },
    /// On the line of the command before it, after `sep`: its first `names` names.
    Joins { sep: &'static str, names: usize },
}

/// One command of the `:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The name, then the aliases tab offers.
    pub names: &'static [&'static str],
    /// More aliases: parsed, never offered.
    pub hidden: &'static [&'static str],
    pub run: Run,
    pub arg: Option<Arg>,
    pub help: Help,
}

impl Spec {
    /// Whether `word` names this command (exactly: callers lowercase it where case does not matter).
    fn named(&self, word: &str) -> bool {
        self.names.iter().chain(self.hidden).any(|n| *n == word)
    }

    fn help_names(&self, n: usize) -> impl Iterator<Item = &'static str> {
        self.names.iter().chain(self.hidden).take(n).copied()
    }
}

const fn view(kind: ResourceKind, names: &'static [&'static str], help: Help) -> Spec {
    Spec {
        names,
        hidden: &[],
        run: Run::View(kind),
        arg: None,
        help,
    }
}

/// Every command, views first (in `ResourceKind::VIEWS` order), in the order tab offers them.
pub static COMMANDS: &[Spec] = &[
    view(
        ResourceKind::Instances,
        &["instances", "ec2", "i", "inst"],
        Help::Line {
            names: 3,
            text: "instances (status checks, event marker, CPU sparkline)",
        },
    ),
    view(
        ResourceKind::Volumes,
        &["volumes", "vol", "ebs"],
        Help::Line {
            names: 2,
            text: "EBS volumes",
        },
    ),
    view(
        ResourceKind::Snapshots,
        &["snapshots", "snap", "snaps"],
        Help::Line {
            names: 2,
            text: "snapshots with progress",
        },
    ),
    view(
        ResourceKind::Images,
        &["amis", "ami", "images"],
        Help::Line {
            names: 1,
            text: "images",
        },
    ),
    view(
        ResourceKind::LoadBalancers,
        &["lb", "lbs", "loadbalancers", "elb"],
        Help::Line {
            names: 1,
            text: "load balancers → target groups → targets (enter drills down)",
        },
    ),
    view(
        ResourceKind::TargetGroups,
        &["tg", "targetgroups", "tgs"],
        Help::Joins {
            sep: "  ",
            names: 1,
        },
    ),
    view(
        ResourceKind::Targets,
        &["targets", "target"],
        Help::Joins {
            sep: "  ",
            names: 1,
        },
    ),
    view(
        ResourceKind::ElasticIps,
        &["eip", "eips", "addresses"],
        Help::Line {
            names: 1,
            text: "Elastic IPs, network interfaces with secondary IPs",
        },
    ),
    view(
        ResourceKind::NetworkInterfaces,
        &["eni", "enis", "interfaces"],
        Help::Joins {
            sep: "  ",
            names: 1,
        },
    ),
    view(
        ResourceKind::Events,
        &["events", "ev", "event"],
        Help::Line {
            names: 2,
            text: "maintenance planner: scheduled events, time left, unprotected/movable; r plans",
        },
    ),
    view(
        ResourceKind::Alarms,
        &["alarms", "alarm", "al"],
        Help::Line {
            names: 1,
            text: "CloudWatch alarms",
        },
    ),
    view(
        ResourceKind::Zones,
        &["zones", "azs"],
        Help::Line {
            names: 1,
            text: "availability zones, subnets",
        },
    ),
    view(
        ResourceKind::Subnets,
        &["subnets", "subnet", "sn"],
        Help::Joins { sep: " ", names: 1 },
    ),
    view(
        ResourceKind::Findings,
        &["findings", "f", "finding"],
        Help::Line {
            names: 2,
            text: "single points of failure, worst first (as opsdeck report); r offers the fix",
        },
    ),
    Spec {
        names: &["az", "azmap", "map"],
        hidden: &[],
        run: Run::AzMap,
        arg: None,
        help: Help::Line {
            names: 1,
            text: "the AZ map (with each zone's findings)",
        },
    },
    Spec {
        names: &["runbooks"],
        hidden: &["rb", "runbook"],
        run: Run::Runbooks,
        arg: None,
        help: Help::Line {
            names: 2,
            text: "what can run now (scheduled maintenance, each finding's fix); r on a resource offers its own",
        },
    },
    Spec {
        names: &["runs"],
        hidden: &["run"],
        run: Run::Runs,
        arg: None,
        help: Help::Line {
            names: 1,
            text: "journaled runs: enter opens (y resumes), u rolls back, a abandons",
        },
    },
    Spec {
        names: &["region"],
        hidden: &["reg"],
        run: Run::Region,
        arg: Some(Arg {
            hint: "R",
            offers: Offers::Regions,
        }),
        help: Help::Line {
            names: 1,
            text: "show only R if connected, else add R; :region all shows every region",
        },
    },
    Spec {
        names: &["profile"],
        hidden: &["ctx"],
        run: Run::Profile,
        arg: Some(Arg {
            hint: "P",
            offers: Offers::Profiles,
        }),
        help: Help::Line {
            names: 1,
            text: "reconnect with profile P (its read-only and colour settings apply)",
        },
    },
    Spec {
        names: &["chaos"],
        hidden: &[],
        run: Run::Chaos,
        arg: Some(Arg {
            hint: "CMD",
            offers: Offers::FirstWord(CHAOS_COMMANDS),
        }),
        help: Help::Line {
            names: 1,
            text: "demo only: inject a fault into the simulated cloud (below), then refresh",
        },
    },
    Spec {
        names: &["help"],
        hidden: &["h", "?"],
        run: Run::Help,
        arg: None,
        help: Help::Hidden,
    },
    Spec {
        names: &["refresh"],
        hidden: &["r"],
        run: Run::Refresh,
        arg: None,
        help: Help::Hidden,
    },
    Spec {
        names: &["export"],
        hidden: &[],
        run: Run::Export,
        arg: Some(Arg {
            hint: "csv|json",
            offers: Offers::Words(&["csv", "json"]),
        }),
        help: Help::Line {
            names: 1,
            text: "export the current view",
        },
    },
    Spec {
        names: &["q", "quit"],
        hidden: &["q!", "exit"],
        run: Run::Quit,
        arg: None,
        help: Help::Line {
            names: 1,
            text: "quit",
        },
    },
];

/// The simulator's chaos commands (`:chaos <tab>`), as `Sim::chaos` takes them.
pub const CHAOS_COMMANDS: &[&str] = &[
    "az-outage",
    "az-restore",
    "throttle",
    "latency",
    "errors",
    "crash",
    "stuck-detach",
    "deny",
    "allow",
    "event",
    "skip",
    "status",
    "clear",
];

/// The command `word` names (exactly).
pub fn find(word: &str) -> Option<&'static Spec> {
    COMMANDS.iter().find(|c| c.named(word))
}

impl ResourceKind {
    /// The `:` command that opens this kind, and its short aliases (from `COMMANDS`).
    pub fn commands(self) -> &'static [&'static str] {
        COMMANDS
            .iter()
            .find(|c| c.run == Run::View(self))
            .map_or(&[], |c| c.names)
    }

    /// The kind a `:` command names, by its name or an alias.
    pub fn from_command(cmd: &str) -> Option<ResourceKind> {
        let cmd = cmd.trim().to_ascii_lowercase();
        Self::VIEWS
            .into_iter()
            .find(|k| k.commands().iter().any(|c| *c == cmd))
    }
}

pub fn parse(line: &str) -> Command {
    let line = line.trim().trim_start_matches(':');
    let mut words = line.split_whitespace();
    let Some(head) = words.next() else {
        return Command::Nothing;
    };
    let arg = words.next().map(str::to_string);
    let Some(spec) = find(&head.to_ascii_lowercase()) else {
        return Command::Unknown(head.to_string());
    };
    match spec.run {
        Run::View(kind) => Command::View(kind),
        Run::AzMap => Command::AzMap,
        Run::Runbooks => Command::Runbooks,
        Run::Runs => Command::Runs,
        Run::Help => Command::Help,
        Run::Quit => Command::Quit,
        Run::Refresh => Command::Refresh,
        Run::Export => Command::Export(arg.as_deref() == Some("json")),
        Run::Region => Command::Region(arg),
        Run::Profile => Command::Profile(arg),
        Run::Chaos => Command::Chaos(words_after(line, head)),
    }
}

/// The rest of `line` after its first word, spaces inside kept as typed (trimmed).
fn words_after(line: &str, head: &str) -> String {
    line.trim_start()
        .strip_prefix(head)
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Every completion of `typed`, best first.
pub fn complete(typed: &str, session: &SessionState, prefs: &Prefs) -> Vec<String> {
    let typed = typed.trim_start().trim_start_matches(':');
    if let Some((head, arg)) = typed.split_once(' ') {
        let arg = arg.trim();
        let options = find(head)
            .and_then(|c| c.arg)
            .map_or_else(Vec::new, |a| offers(a.offers, arg, session, prefs));
        return options
            .into_iter()
            .filter(|o| o.starts_with(arg))
            .map(|o| format!("{head} {o}"))
            .collect();
    }
    // Primary names first (the views' in view order, then the other commands with their
    // aliases), then the views' short aliases.
    let views = || COMMANDS.iter().filter(|c| matches!(c.run, Run::View(_)));
    let primaries = views().filter_map(|c| c.names.first().copied());
    let others = COMMANDS
        .iter()
        .filter(|c| !matches!(c.run, Run::View(_)))
        .flat_map(|c| c.names.iter().copied());
    let aliases = views().flat_map(|c| c.names.iter().skip(1).copied());
    let mut out: Vec<String> = Vec::new();
    for n in primaries.chain(others).chain(aliases) {
        if n.starts_with(typed) && !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// What tab offers for an argument, before `arg` (as typed so far) narrows it.
fn offers(offers: Offers, arg: &str, session: &SessionState, prefs: &Prefs) -> Vec<String> {
    match offers {
        Offers::Regions => {
            let mut r: Vec<String> = session
                .info
                .as_ref()
                .map(|i| i.regions.clone())
                .unwrap_or_default();
            r.push("all".into());
            r.extend(COMMON_REGIONS.iter().map(|s| s.to_string()));
            r.dedup();
            r
        }
        Offers::Profiles => {
            let mut p = vec!["default".to_string()];
            p.extend(prefs.profiles.iter().cloned());
            p
        }
        Offers::Words(words) => words.iter().map(|w| w.to_string()).collect(),
        Offers::FirstWord(words) if !arg.contains(' ') => {
            words.iter().map(|w| w.to_string()).collect()
        }
        Offers::FirstWord(_) => Vec::new(),
    }
}

/// The help screen's lines for the commands: what to type (`:region R`), and what it does.
pub fn help_lines() -> Vec<(String, &'static str)> {
    let mut listed: Vec<&Spec> = COMMANDS.iter().filter(|c| c.help != Help::Hidden).collect();
    listed.sort_by_key(|c| c.run.help_section());
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for c in listed {
        let mut usage: Vec<String> = match c.help {
            Help::Line { names, .. } | Help::Joins { names, .. } => {
                c.help_names(names).map(|n| format!(":{n}")).collect()
            }
            Help::Hidden => Vec::new(),
        };
        if let Some(a) = c.arg {
            usage.push(a.hint.to_string());
        }
        let usage = usage.join(" ");
        match (c.help, out.last_mut()) {
            (Help::Joins { sep, .. }, Some((line, _))) => {
                line.push_str(sep);
                line.push_str(&usage);
            }
            (Help::Line { text, .. }, _) => out.push((usage, text)),
            _ => {}
        }
    }
    out
}

/// Regions offered by `:region <tab>` besides the connected ones.
const COMMON_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "sa-east-1",
    "ca-central-1",
];

#[cfg(test)]
mod tests {
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
}
