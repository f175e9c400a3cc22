//! Command-line interface: flags, subcommands and their headless output.

mod inventory;
mod report;
pub mod runbook;
pub mod table;

use crate::config::Config;
use crate::session::{DemoOptions, Source};
use clap::{Args, Parser, Subcommand, ValueEnum};
use opsdeck_aws::AwsOptions;
use opsdeck_runbook::StateDir;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "opsdeck", version, about = "A terminal operations console for AWS fleets", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// AWS profile from ~/.aws/config (default: the environment's or `default`)
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Region to operate on; repeat for several regions at once
    #[arg(long = "region", global = true)]
    pub regions: Vec<String>,
    /// Custom endpoint (moto, LocalStack); AWS_ENDPOINT_URL is honoured too
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Never write: the session is built without any way to mutate
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Config file (default: the platform config dir's opsdeck/config.toml)
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Use the built-in simulated fleet instead of AWS (no account, no network)
    #[arg(long, global = true)]
    pub demo: bool,
    /// Demo fleet: `default`, `large`, or a fleet file
    #[arg(long, global = true, requires = "demo")]
    pub demo_fleet: Option<String>,
    /// Simulated seconds per real second (a positive number)
    #[arg(long, global = true, default_value_t = 1.0, requires = "demo", value_parser = demo_speed)]
    pub demo_speed: f64,
    /// Seed for the simulator's randomness (same seed, same run)
    #[arg(long, global = true, default_value_t = 1, requires = "demo")]
    pub demo_seed: u64,
    /// Console: draw with plain ASCII (no box drawing, no sparkline blocks)
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Console: no colours (the NO_COLOR environment variable does the same)
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// `--demo-speed`: a finite number above 0. Zero would stop the clock and a negative one run it
/// backwards, so they are refused here rather than quietly replaced.
fn demo_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| {
        format!("`{s}` is not a number (simulated seconds per real second, e.g. 60)")
    })?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "must be a positive number of simulated seconds per real second (e.g. 1 or 60), not `{s}`"
        ))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the whole inventory of the selected regions
    Inventory(inventory::InventoryArgs),
    /// Findings (single points of failure) and AZ blast radius; exit 3 when one is critical
    Report(report::ReportArgs),
    /// Plan, run, resume or roll back a runbook
    #[command(subcommand)]
    Runbook(runbook::RunbookCommand),
    /// List journaled runbook runs (unfinished ones can be resumed)
    Runs {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

impl GlobalArgs {
    pub fn source(&self, config: &Config) -> Source {
        if self.demo {
            return Source::Demo(DemoOptions {
                fleet: self.demo_fleet.clone(),
                speed: self.demo_speed,
                seed: self.demo_seed,
                regions: self.regions.clone(),
            });
        }
        Source::Aws(AwsOptions {
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: config.aws.max_attempts,
            connect_timeout: Duration::from_secs(config.aws.connect_timeout_seconds),
            operation_timeout: Duration::from_secs(config.aws.operation_timeout_seconds),
            ..AwsOptions::default()
        })
    }

    /// `--read-only`, or the profile is marked read-only in the config.
    pub fn read_only(&self, config: &Config) -> bool {
        self.read_only || config.profile(self.profile.as_deref()).read_only
    }
}

/// Runs a command (or, with none, the console); returns the process exit code. `config_warnings`
/// are what was odd about the config file: the console shows them on its status line.
pub async fn run(cli: Cli, config: Config, config_warnings: Vec<String>) -> anyhow::Result<i32> {
    // Decided here, once, and passed down: nothing below looks the state dir up.
    let state = StateDir::new(crate::paths::state_dir());
    match cli.command {
        Some(Command::Inventory(args)) => inventory::run(&cli.global, &config, &state, args).await,
        Some(Command::Report(args)) => report::run(&cli.global, &config, &state, args).await,
        Some(Command::Runbook(cmd)) => runbook::run(&cli.global, &config, &state, cmd).await,
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
            let color = cfg.profile(g.profile.as_deref()).color;
            let dir = dir.clone();
            Box::pin(async move {
                let session = crate::session::connect(&source, read_only, &dir).await?;
                let info = opsdeck_app::SessionInfo {
                    label: session.label.clone(),
                    profile: session.profile.clone(),
                    regions: session.regions(),
                    read_only: session.is_read_only(),
                    color,
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
