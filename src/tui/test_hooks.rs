//! Debug builds only: a way for the end-to-end tests to make the real console panic in a real
//! terminal, so they can check the panic hook gives the terminal back. Release builds have none.

use opsdeck_app::{Input, KeyCode};

/// Names the key that panics the console's loop (one character), e.g. `OPSDECK_TEST_PANIC_KEY=%`.
const VAR: &str = "OPSDECK_TEST_PANIC_KEY";

/// Panics, on purpose, when `input` is the key `OPSDECK_TEST_PANIC_KEY` names.
#[allow(clippy::panic)] // the whole point: a real panic for the panic hook to handle
pub fn maybe_panic(input: &Input) {
    static KEY: std::sync::OnceLock<Option<char>> = std::sync::OnceLock::new();
    let key = KEY.get_or_init(|| std::env::var(VAR).ok().and_then(|v| v.chars().next()));
    if let (Some(want), Input::Key(k)) = (key, input)
        && k.code == KeyCode::Char(*want)
    {
        panic!("{VAR}: the test asked for a panic");
    }
}
