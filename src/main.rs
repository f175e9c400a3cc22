use clap::Parser;
use opsdeck::cli::{self, Cli};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: a refresh builds a whole new inventory on a
/// blocking-pool thread while the old one is still shown, and glibc's per-thread arenas kept the
/// freed half resident (RSS about 3x the live heap at 100k resources); mimalloc returns it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's options, set before the first allocation (`opsdeck::allocator::configure`).
opsdeck::configure_allocator_before_main!();

fn main() -> ExitCode {
    opsdeck::terminal::install_panic_hook();
    let cli = Cli::parse();
    let loaded = match opsdeck::config::load(cli.global.config.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("opsdeck: {e:#}");
            return ExitCode::from(2);
        }
    };
    // Logging failures must not stop an operator from working: run without a log file then, and
    // say so once (on stderr, and on the console's status line with the config's warnings).
    let mut warnings = loaded.warnings;
    let _log = match opsdeck::logging::init() {
        Ok(guard) => Some(guard),
        Err(why) => {
            warnings.push(why);
            None
        }
    };
    // On stderr for headless commands (the console's alternate screen covers it: the console shows
    // them on its status line too), and in the log either way.
    for w in &warnings {
        tracing::warn!(warning = %w, "startup");
        eprintln!("opsdeck: warning: {w}");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("opsdeck: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(cli, loaded.config, warnings)) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "command failed");
            eprintln!("opsdeck: {e:#}");
            // A mistake in what was asked (an unknown region) exits like a usage error.
            if e.downcast_ref::<opsdeck::session::UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
