//! Keys and the keymap: user intents (`Action`) bound to keys, from the embedded
//! `assets/keymap.toml` overlaid with the config's `[keys]`. No terminal types here: the console
//! translates its key events into `Key`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

pub const DEFAULT_KEYMAP: &str = include_str!("../../../assets/keymap.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    /// A character; shifted letters arrive as their capital.
    Char(char),
    Enter,
    Esc,
    Backspace,
    Delete,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    F(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }
    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// Parses `ctrl-r`, `shift-g`, `G`, `pgup`, `enter`, `:`...
    pub fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        if s.chars().count() == 1 {
            return s.chars().next().map(Key::ch);
        }
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let cut = [
                "ctrl-", "ctrl+", "c-", "alt-", "alt+", "m-", "shift-", "shift+", "s-",
            ]
            .into_iter()
            .find(|p| lower.starts_with(p) && rest.len() > p.len());
            match cut {
                Some(p) => {
                    match p.chars().next() {
                        Some('c') => ctrl = true,
                        Some('a') | Some('m') => alt = true,
                        _ => shift = true,
                    }
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let code = if rest.chars().count() == 1 {
            let c = rest.chars().next()?;
            if shift {
                KeyCode::Char(c.to_ascii_uppercase())
            } else if ctrl || alt {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                KeyCode::Char(c)
            }
        } else {
            match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "backspace" | "bs" => KeyCode::Backspace,
                "del" | "delete" => KeyCode::Delete,
                "tab" if shift => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "space" => KeyCode::Char(' '),
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().ok()?;
                    if (1..=12).contains(&n) {
                        KeyCode::F(n)
                    } else {
                        return None;
                    }
                }
                _ => return None,
            }
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "ctrl-")?;
        }
        if self.alt {
            write!(f, "alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => write!(f, "enter"),
            KeyCode::Esc => write!(f, "esc"),
            KeyCode::Backspace => write!(f, "backspace"),
            KeyCode::Delete => write!(f, "del"),
            KeyCode::Tab => write!(f, "tab"),
            KeyCode::BackTab => write!(f, "backtab"),
            KeyCode::Up => write!(f, "up"),
            KeyCode::Down => write!(f, "down"),
            KeyCode::Left => write!(f, "left"),
            KeyCode::Right => write!(f, "right"),
            KeyCode::PageUp => write!(f, "pgup"),
            KeyCode::PageDown => write!(f, "pgdn"),
            KeyCode::Home => write!(f, "home"),
            KeyCode::End => write!(f, "end"),
            KeyCode::F(n) => write!(f, "f{n}"),
        }
    }
}

/// What the operator wants, independent of which key said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    Command,
    Filter,
    Help,
    Enter,
    Describe,
    Xray,
    AzMap,
    Runbook,
    SortNext,
    SortReverse,
    Refresh,
    CopyId,
    ExportCsv,
    ExportJson,
    Start,
    Stop,
    Reboot,
    CreateSnapshot,
    CreateImage,
    Register,
    Deregister,
    Detach,
}

/// How help groups the actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    General,
    Move,
    View,
    Mutate,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::General => "General",
            Group::Move => "Moving",
            Group::View => "Views and data",
            Group::Mutate => "Actions (confirmed, dry run first)",
        }
    }
}

impl Action {
    pub const ALL: [Action; 32] = [
        Action::Quit,
        Action::Back,
        Action::Command,
        Action::Filter,
        Action::Help,
        Action::Refresh,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Left,
        Action::Right,
        Action::Enter,
        Action::Describe,
        Action::Xray,
        Action::AzMap,
        Action::Runbook,
        Action::SortNext,
        Action::SortReverse,
        Action::CopyId,
        Action::ExportCsv,
        Action::ExportJson,
        Action::Start,
        Action::Stop,
        Action::Reboot,
        Action::CreateSnapshot,
        Action::CreateImage,
        Action::Register,
        Action::Deregister,
        Action::Detach,
    ];

    /// The name used in `assets/keymap.toml` and the config's `[keys]`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Left => "left",
            Action::Right => "right",
            Action::Command => "command",
            Action::Filter => "filter",
            Action::Help => "help",
            Action::Enter => "enter",
            Action::Describe => "describe",
            Action::Xray => "xray",
            Action::AzMap => "az_map",
            Action::Runbook => "runbook",
            Action::SortNext => "sort_next",
            Action::SortReverse => "sort_reverse",
            Action::Refresh => "refresh",
            Action::CopyId => "copy_id",
            Action::ExportCsv => "export_csv",
            Action::ExportJson => "export_json",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Reboot => "reboot",
            Action::CreateSnapshot => "create_snapshot",
            Action::CreateImage => "create_image",
            Action::Register => "register",
            Action::Deregister => "deregister",
            Action::Detach => "detach",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// A short label for the footer.
    pub fn label(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Left => "left",
            Action::Right => "right",
            Action::Command => "cmd",
            Action::Filter => "filter",
            Action::Help => "help",
            Action::Enter => "open",
            Action::Describe => "describe",
            Action::Xray => "xray",
            Action::AzMap => "az map",
            Action::Runbook => "runbook",
            Action::SortNext => "sort",
            Action::SortReverse => "reverse",
            Action::Refresh => "refresh",
            Action::CopyId => "copy id",
            Action::ExportCsv => "csv",
            Action::ExportJson => "json",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Reboot => "reboot",
            Action::CreateSnapshot => "snapshot",
            Action::CreateImage => "image",
            Action::Register => "register",
            Action::Deregister => "deregister",
            Action::Detach => "detach",
        }
    }

    /// One line for the help screen.
    pub fn help(self) -> &'static str {
        match self {
            Action::Quit => "quit opsdeck (the terminal is restored)",
            Action::Back => "clear the filter, close a dialog, or go back one screen",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "one page up",
            Action::PageDown => "one page down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::Left => "previous column (AZ map), scroll left",
            Action::Right => "next column (AZ map), scroll right",
            Action::Command => {
                "command line: a view (:instances, :az...), :region R, :profile P, :q"
            }
            Action::Filter => "filter rows: text, field:value, !inverse (sticky per view)",
            Action::Help => "this help",
            Action::Enter => "open: drill down (load balancer, target group) or describe",
            Action::Describe => "describe: every field of the selected resource",
            Action::Xray => "xray: everything related to the selected instance",
            Action::AzMap => "AZ map: what breaks if a zone goes",
            Action::Runbook => {
                "runbooks for the selected instance, volume or finding: a plan first, nothing changes before y"
            }
            Action::SortNext => "sort by the next column",
            Action::SortReverse => "reverse the sort order",
            Action::Refresh => "refresh the inventory now",
            Action::CopyId => "copy the selected id to the clipboard (OSC 52)",
            Action::ExportCsv => "export the current view (filtered, sorted) to CSV",
            Action::ExportJson => "export the current view (filtered, sorted) to JSON",
            Action::Start => "start the selected instance",
            Action::Stop => "stop the selected instance (type its id to confirm)",
            Action::Reboot => "reboot the selected instance",
            Action::CreateSnapshot => "snapshot the selected volume",
            Action::CreateImage => "create an AMI of the selected instance (no reboot)",
            Action::Register => "register the selected target in its target group again",
            Action::Deregister => "deregister the selected target (type its id to confirm)",
            Action::Detach => "detach the selected volume (type its id to confirm)",
        }
    }

    pub fn group(self) -> Group {
        match self {
            Action::Quit
            | Action::Back
            | Action::Command
            | Action::Filter
            | Action::Help
            | Action::Refresh => Group::General,
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Left
            | Action::Right => Group::Move,
            Action::Start
            | Action::Stop
            | Action::Reboot
            | Action::CreateSnapshot
            | Action::CreateImage
            | Action::Register
            | Action::Deregister
            | Action::Detach => Group::Mutate,
            _ => Group::View,
        }
    }

    pub fn mutates(self) -> bool {
        self.group() == Group::Mutate
    }
}

/// Keys bound to actions (normal mode).
#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    by_action: BTreeMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::load(&BTreeMap::new()).0
    }
}

impl Keymap {
    /// The embedded defaults overlaid with `overrides` (action name → key names). Returns the keymap
    /// and warnings about unknown actions or keys (those entries are ignored).
    pub fn load(overrides: &BTreeMap<String, Vec<String>>) -> (Keymap, Vec<String>) {
        let mut warnings = Vec::new();
        let defaults: BTreeMap<String, Vec<String>> = match toml::from_str(DEFAULT_KEYMAP) {
            Ok(d) => d,
            Err(e) => {
                warnings.push(format!("embedded keymap is invalid: {e}"));
                BTreeMap::new()
            }
        };
        let mut by_action: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        let mut apply =
            |table: &BTreeMap<String, Vec<String>>, origin: &str, warn: &mut Vec<String>| {
                for (name, keys) in table {
                    let Some(action) = Action::from_name(name) else {
                        warn.push(format!("{origin}: unknown action `{name}` ignored"));
                        continue;
                    };
                    let mut parsed = Vec::new();
                    for k in keys {
                        match Key::parse(k) {
                            Some(key) => parsed.push(key),
                            None => warn
                                .push(format!("{origin}: unknown key `{k}` for `{name}` ignored")),
                        }
                    }
                    by_action.insert(action, parsed);
                }
            };
        apply(&defaults, "keymap", &mut warnings);
        apply(overrides, "config [keys]", &mut warnings);
        // A key rebound to a new action leaves its old one: the override wins.
        let mut by_key = HashMap::new();
        for (action, keys) in &by_action {
            let overridden = overrides.contains_key(action.name());
            for k in keys {
                if overridden || !by_key.contains_key(k) {
                    by_key.insert(*k, *action);
                }
            }
        }
        for (action, keys) in by_action.iter_mut() {
            keys.retain(|k| by_key.get(k) == Some(action));
        }
        (Keymap { by_key, by_action }, warnings)
    }

    pub fn action(&self, key: &Key) -> Option<Action> {
        self.by_key.get(key).copied()
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.by_action
            .get(&action)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The first key of an action, as the footer shows it (`?` when unbound).
    pub fn first(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "-".into())
    }

    /// All keys of an action, `a/b/c`.
    pub fn all(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(|k| k.to_string()).collect();
        if keys.is_empty() {
            "(unbound)".into()
        } else {
            keys.join("/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print() {
        assert_eq!(Key::parse("ctrl-r"), Some(Key::ctrl('r')));
        assert_eq!(Key::parse("C-r"), Some(Key::ctrl('r')));
        assert_eq!(Key::parse("shift-g"), Some(Key::ch('G')));
        assert_eq!(Key::parse("G"), Some(Key::ch('G')));
        assert_eq!(Key::parse(":"), Some(Key::ch(':')));
        assert_eq!(Key::parse("pgdn"), Some(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("shift-tab"), Some(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("f5"), Some(Key::plain(KeyCode::F(5))));
        assert_eq!(Key::parse("bogus"), None);
        assert_eq!(Key::ctrl('r').to_string(), "ctrl-r");
        assert_eq!(Key::ch(' ').to_string(), "space");
    }

    #[test]
    fn every_action_has_a_default_key() {
        let (km, warnings) = Keymap::load(&BTreeMap::new());
        assert!(warnings.is_empty(), "{warnings:?}");
        for a in Action::ALL {
            assert!(!km.keys(a).is_empty(), "{} has no key", a.name());
        }
        assert_eq!(km.action(&Key::ch('j')), Some(Action::Down));
        assert_eq!(km.action(&Key::ctrl('r')), Some(Action::Refresh));
    }

    #[test]
    fn overrides_replace_and_steal_keys() {
        let mut o = BTreeMap::new();
        o.insert(
            "describe".to_string(),
            vec!["d".to_string(), "j".to_string()],
        );
        o.insert("nonsense".to_string(), vec!["z".to_string()]);
        o.insert(
            "quit".to_string(),
            vec!["ctrl-q".to_string(), "hyper-x".to_string()],
        );
        let (km, warnings) = Keymap::load(&o);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(km.action(&Key::ch('j')), Some(Action::Describe));
        assert_eq!(km.keys(Action::Down), &[Key::plain(KeyCode::Down)]);
        assert_eq!(km.action(&Key::ch('q')), None);
        assert_eq!(km.action(&Key::ctrl('q')), Some(Action::Quit));
    }
}
