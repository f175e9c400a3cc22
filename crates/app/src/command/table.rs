//! The table itself: every command of the `:` line, with its names, argument and help.

use crate::resources::ResourceKind;

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
    pub(super) fn help_section(self) -> u8 {
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
    pub(super) fn named(&self, word: &str) -> bool {
        self.names.iter().chain(self.hidden).any(|n| *n == word)
    }

    pub(super) fn help_names(&self, n: usize) -> impl Iterator<Item = &'static str> {
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
        ResourceKind::AutoScalingGroups,
        &["asg", "asgs", "autoscaling", "groups"],
        Help::Line {
            names: 2,
            text: "Auto Scaling groups: in service/desired, AZs, state; x shows members and target groups",
        },
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

/// Regions offered by `:region <tab>` besides the connected ones.
pub(super) const COMMON_REGIONS: &[&str] = &[
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
