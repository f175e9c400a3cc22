//! The `:` command line: one table of commands (`COMMANDS`: names, aliases, argument, help) that
//! parsing, tab completion and the help screen all read. The views' commands are there too:
//! `ResourceKind::commands` reads them back from it.

mod table;
#[cfg(test)]
mod tests;

pub use table::{Arg, CHAOS_COMMANDS, COMMANDS, Help, Offers, Run, Spec, find};

use crate::resources::ResourceKind;
use crate::state::{Prefs, SessionState};
use table::COMMON_REGIONS;

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
