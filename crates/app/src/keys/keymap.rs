//! Keys bound to actions: the embedded defaults overlaid with the config's `[keys]`.

use super::action::Action;
use super::key::Key;
use crate::strings;
use std::collections::{BTreeMap, HashMap};

pub const DEFAULT_KEYMAP: &str = include_str!("../../../../assets/keymap.toml");

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
                warnings.push(strings::embedded_keymap_invalid(&e.to_string()));
                BTreeMap::new()
            }
        };
        let mut by_action: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        let mut apply =
            |table: &BTreeMap<String, Vec<String>>, origin: &str, warn: &mut Vec<String>| {
                for (name, keys) in table {
                    let Some(action) = Action::from_name(name) else {
                        warn.push(strings::unknown_action(origin, name));
                        continue;
                    };
                    let mut parsed = Vec::new();
                    for k in keys {
                        match Key::parse(k) {
                            Some(key) => parsed.push(key),
                            None => warn.push(strings::unknown_key(origin, k, name)),
                        }
                    }
                    by_action.insert(action, parsed);
                }
            };
        apply(&defaults, strings::EMBEDDED_KEYMAP, &mut warnings);
        apply(overrides, strings::CONFIG_KEYS, &mut warnings);
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
            .unwrap_or_else(|| strings::NO_KEY.into())
    }

    /// All keys of an action, `a/b/c`.
    pub fn all(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(|k| k.to_string()).collect();
        if keys.is_empty() {
            strings::UNBOUND.into()
        } else {
            keys.join("/")
        }
    }
}
