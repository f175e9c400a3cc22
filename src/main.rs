use clap::Parser;
use opsdeck::cli::{self, Cli};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: a refresh builds a whole new inventory on a
/// blocking-pool thread while the old one is still shown, and glibc's per-thread arenas kept the
/// freed half resident (RSS about 3x the live heap at 100k resources); mimalloc returns it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    for w in &loaded.warnings {
        eprintln!("opsdeck: warning: {w}");
    }
    // Logging failures must not stop an operator from working: run without a log file then.
    let _log = match opsdeck::logging::init() {
        Ok((guard, _path)) => Some(guard),
        Err(e) => {
            eprintln!("opsdeck: warning: no log file ({e})");
            None
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("opsdeck: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(cli, loaded.config)) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "command failed");
            eprintln!("opsdeck: {e:#}");
            ExitCode::from(1)
        }
    }
}
