//! Command-line interface: flags, subcommands and their headless output.

mod args;
pub mod exit;
mod inventory;
mod report;
pub mod runbook;
mod stdout;
pub mod table;

pub use args::{Cli, Command, Format, GlobalArgs, RunbookCommand};

use crate::config::Config;
use crate::session::Source;
use opsdeck_runbook::StateDir;
use std::time::Duration;

/// Runs a command (or, with none, the console); returns the process exit code. `config_warnings`
/// are what was odd about the config file: the console shows them on its status line.
pub async fn run(cli: Cli, config: Config, config_warnings: Vec<String>) -> anyhow::Result<i32> {
    // Flags are checked before anything runs, the console included: a mistake is exit 2.
    cli.global.check()?;
    if !cli.global.demo
        && let Some(profile) = cli.global.profile_name()
        && let Some(why) = opsdeck_aws::unknown_profile(&profile).await?
    {
        return Err(crate::session::UsageError(why).into());
    }
    // Decided here, once, and passed down: nothing below looks the state dir up.
    let state = StateDir::new(crate::paths::state_dir());
    match cli.command {
        Some(Command::Inventory(args)) => inventory::run(&cli.global, &config, &state, args).await,
        Some(Command::Report(args)) => report::run(&cli.global, &config, &state, args).await,
        Some(Command::Runbook(cmd)) => {
            // A run keeps its journal, audit log and leases in the state dir: one that cannot be
            // written there is refused before anything is read or changed.
            let writes = matches!(cmd, RunbookCommand::Abandon { .. })
                || (cmd.writes_state() && !cli.global.read_only(&config));
            if writes && let Err(e) = state.check_writable() {
                eprintln!("opsdeck: refused: {e:#}");
                return Ok(exit::REFUSED);
            }
            runbook::run(&cli.global, &config, &state, cmd).await
        }
        Some(Command::Runs { format }) => runbook::list_runs(&state, format),
        None => {
            // A `--region` the demo fleet lacks is refused before the console takes the terminal.
            if let Source::Demo(opts) = cli.global.source(&config) {
                opsdeck_sim::check_demo_regions(&opts)
                    .map_err(|e| crate::session::UsageError(e.to_string()))?;
            }
            crate::tui::run(console_launch(
                &cli.global,
                &config,
                &state,
                config_warnings,
            ))
            .await
        }
    }
}

/// Everything the console starts with. The config file's warnings (unknown keys) come first, then
/// the keymap's: the console shows them on its status line, since the alternate screen covers
/// anything printed to stderr before it opened.
fn console_launch(
    global: &GlobalArgs,
    config: &Config,
    state: &StateDir,
    config_warnings: Vec<String>,
) -> crate::tui::Launch {
    // Connecting is itself a task: the first frame is drawn before it answers.
    let g0 = global.clone();
    let cfg = config.clone();
    let dir = state.clone();
    let connector: crate::tui::SessionConnector =
        std::sync::Arc::new(move |profile: Option<String>, regions: Vec<String>| {
            let mut g = g0.clone();
            g.profile = profile;
            g.regions = regions;
            let source = g.source(&cfg);
            let read_only = g.read_only(&cfg);
            let color = cfg.profile(g.profile_name().as_deref()).color;
            let dir = dir.clone();
            Box::pin(async move {
                let session = crate::session::connect(&source, read_only, &dir).await?;
                let info = opsdeck_app::SessionInfo {
                    label: session.label.clone(),
                    profile: session.profile.clone(),
                    regions: session.regions(),
                    read_only: session.is_read_only(),
                    color,
                    simulated: session.is_simulated(),
                };
                Ok((session, info))
            })
        });
    let color = color_wanted(
        global.no_color,
        std::env::var_os("NO_COLOR").as_deref(),
        config.ui.color,
    );
    let (keymap, keymap_warnings) = opsdeck_app::Keymap::load(&config.keys);
    let mut warnings = config_warnings;
    warnings.extend(keymap_warnings);
    crate::tui::Launch {
        prefs: opsdeck_app::Prefs {
            keymap,
            refresh_seconds: config.ui.refresh_seconds,
            ascii: global.ascii || config.ui.ascii,
            color,
            export_dir: config
                .ui
                .export_dir
                .clone()
                .unwrap_or_else(|| state.exports()),
            profiles: config.profiles.keys().cloned().collect(),
            max_snapshot_age_hours: config.analysis.max_snapshot_age_hours,
        },
        profile: global.profile.clone(),
        regions: global.regions.clone(),
        max_fps: config.ui.max_fps,
        mouse: config.ui.mouse,
        fetch: opsdeck_core::cloud::FetchOptions {
            metrics: config.aws.metrics,
            metrics_window: Duration::from_secs(config.aws.metrics_window_minutes * 60),
            ..opsdeck_core::cloud::FetchOptions::default()
        },
        connector,
        state: state.clone(),
        warnings,
    }
}

/// Whether the console draws in colour: not with `--no-color`, not with `ui.color = false`, and
/// not when `NO_COLOR` is set to a non-empty value (no-color.org: an empty `NO_COLOR` is as if it
/// were unset).
fn color_wanted(
    no_color_flag: bool,
    no_color_env: Option<&std::ffi::OsStr>,
    config_color: bool,
) -> bool {
    let env_says_no = no_color_env.is_some_and(|v| !v.is_empty());
    !no_color_flag && !env_says_no && config_color
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn test_state() -> StateDir {
        StateDir::new(std::env::temp_dir().join("opsdeck-cli-test-unused"))
    }

    fn console_args(extra: &[&str]) -> GlobalArgs {
        let mut argv = vec!["opsdeck", "--demo"];
        argv.extend_from_slice(extra);
        Cli::try_parse_from(argv).expect("flags parse").global
    }

    #[test]
    fn config_warnings_reach_the_console_status_line_with_the_keymap_ones() {
        let (config, config_warnings) =
            crate::config::from_str("[ui]\nrefresh_secs = 5\n[keys]\nfly = [\"f\"]\n", "my.toml")
                .expect("config loads");
        assert_eq!(config_warnings.len(), 1, "{config_warnings:?}");
        let launch = console_launch(&console_args(&[]), &config, &test_state(), config_warnings);
        assert!(
            launch.warnings[0].contains("ui.refresh_secs")
                && launch.warnings[0].contains("my.toml"),
            "the config's warning comes first: {:?}",
            launch.warnings
        );
        assert!(
            launch.warnings.iter().skip(1).any(|w| w.contains("fly")),
            "the keymap's warning follows: {:?}",
            launch.warnings
        );

        // What the console does with them at startup (tui::run sets the same field).
        let mut state = opsdeck_app::AppState::new(
            launch.prefs,
            launch.profile,
            launch.regions,
            chrono::Utc::now(),
        );
        state.warnings = launch.warnings;
        opsdeck_app::startup(&mut state);
        let status = state.status.expect("a status line at startup");
        assert!(
            status
                .text
                .contains("unknown key `ui.refresh_secs` ignored")
                && status.text.contains("fly"),
            "{}",
            status.text
        );
    }

    #[test]
    fn no_color_follows_no_color_org() {
        use std::ffi::OsStr;
        // Unset: colour, unless the flag or the config says otherwise.
        assert!(color_wanted(false, None, true));
        assert!(!color_wanted(true, None, true), "--no-color");
        assert!(!color_wanted(false, None, false), "ui.color = false");
        // Any non-empty value turns colour off, whatever it says.
        for v in ["1", "0", "false", " "] {
            assert!(!color_wanted(false, Some(OsStr::new(v)), true), "{v:?}");
        }
        // Empty: as if unset (no-color.org: "present and not an empty string").
        assert!(color_wanted(false, Some(OsStr::new("")), true));
        assert!(!color_wanted(true, Some(OsStr::new("")), true));
        assert!(!color_wanted(false, Some(OsStr::new("")), false));
    }

    #[test]
    fn the_no_color_flag_reaches_the_console_prefs() {
        let (config, warnings) = crate::config::from_str("", "my.toml").expect("config loads");
        let launch = console_launch(
            &console_args(&["--no-color"]),
            &config,
            &test_state(),
            warnings,
        );
        assert!(!launch.prefs.color);
        let (config, warnings) =
            crate::config::from_str("[ui]\ncolor = false\n", "my.toml").expect("config loads");
        let launch = console_launch(&console_args(&[]), &config, &test_state(), warnings);
        assert!(!launch.prefs.color);
    }
}
