//! The `:` command line: parsing and tab completion.

use super::resources::ResourceKind;
use super::state::{Prefs, SessionState};

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

/// Commands other than the resource views.
const OTHER: &[&str] = &[
    "az", "azmap", "map", "runbooks", "runs", "region", "profile", "chaos", "help", "refresh",
    "export", "q", "quit",
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

pub fn parse(line: &str) -> Command {
    let line = line.trim().trim_start_matches(':');
    let mut words = line.split_whitespace();
    let Some(head) = words.next() else {
        return Command::Nothing;
    };
    let arg = words.next().map(str::to_string);
    let head_l = head.to_ascii_lowercase();
    if let Some(kind) = ResourceKind::from_command(&head_l) {
        return Command::View(kind);
    }
    match head_l.as_str() {
        "az" | "azmap" | "map" => Command::AzMap,
        "runbooks" | "runbook" | "rb" => Command::Runbooks,
        "runs" | "run" => Command::Runs,
        "help" | "h" | "?" => Command::Help,
        "q" | "q!" | "quit" | "exit" => Command::Quit,
        "refresh" | "r" => Command::Refresh,
        "export" => Command::Export(arg.as_deref() == Some("json")),
        "region" | "reg" => Command::Region(arg),
        "profile" | "ctx" => Command::Profile(arg),
        "chaos" => Command::Chaos(words_after(line, head)),
        _ => Command::Unknown(head.to_string()),
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
        let options: Vec<String> = match head {
            "region" | "reg" => {
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
            "profile" | "ctx" => {
                let mut p = vec!["default".to_string()];
                p.extend(prefs.profiles.iter().cloned());
                p
            }
            "export" => vec!["csv".into(), "json".into()],
            // Only the command word: its arguments are zones, ids and rates.
            "chaos" if !arg.contains(' ') => CHAOS_COMMANDS.iter().map(|c| c.to_string()).collect(),
            _ => Vec::new(),
        };
        return options
            .into_iter()
            .filter(|o| o.starts_with(arg))
            .map(|o| format!("{head} {o}"))
            .collect();
    }
    // Primary names first (in view order), then the other commands, then short aliases.
    let primaries = ResourceKind::VIEWS.iter().map(|k| k.commands()[0]);
    let aliases = ResourceKind::VIEWS
        .iter()
        .flat_map(|k| k.commands().iter().skip(1).copied());
    let mut out: Vec<String> = Vec::new();
    for n in primaries.chain(OTHER.iter().copied()).chain(aliases) {
        if n.starts_with(typed) && !out.iter().any(|o| o == n) {
            out.push(n.to_string());
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
}
