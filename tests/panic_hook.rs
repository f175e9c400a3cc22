#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The panic hook gives the terminal back before the panic is reported (its own test binary: the
//! hook and the "console holds the terminal" flag are process-wide).

#[test]
fn a_panic_restores_the_terminal_first_and_only_once() {
    opsdeck::terminal::install_panic_hook();
    // As the console sets it once it has taken the terminal over.
    opsdeck::terminal::set_active(true);
    let caught = std::panic::catch_unwind(|| panic!("boom in the event loop"));
    assert!(caught.is_err(), "the panic propagated past the hook");
    assert!(
        !opsdeck::terminal::is_active(),
        "the hook restored the terminal (the flag is cleared by restore)"
    );
    // A second panic with the terminal already restored writes nothing more to it and still
    // propagates as usual.
    let again = std::panic::catch_unwind(|| panic!("a second one"));
    assert!(again.is_err());
    assert!(!opsdeck::terminal::is_active());
}
