//! Terminal ownership. The panic hook restores the terminal only when the console actually took it
//! over, so headless output never gets stray escape codes.

use std::sync::atomic::{AtomicBool, Ordering};

static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);

pub fn set_active(active: bool) {
    TERMINAL_ACTIVE.store(active, Ordering::SeqCst);
}

/// Whether the console holds the terminal (false again after the panic hook restored it).
pub fn is_active() -> bool {
    TERMINAL_ACTIVE.load(Ordering::SeqCst)
}

/// Restores the terminal (raw mode off, main screen, cursor shown) if the console holds it.
pub fn restore() {
    if TERMINAL_ACTIVE.swap(false, Ordering::SeqCst) {
        // Errors are ignored, never printed: after a hang-up the terminal is gone, and a failed
        // write to it (ratatui::restore would eprintln!) must not panic the process that is still
        // finishing a run.
        let _ = crossterm::terminal::disable_raw_mode();
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::event::DisableMouseCapture,
            crossterm::event::DisableBracketedPaste,
            crossterm::cursor::Show
        );
    }
}

/// Installs a panic hook that restores the terminal first, then reports the panic as usual.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
