//! Key names, the default keymap, and overrides.

use super::*;
use std::collections::BTreeMap;

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
