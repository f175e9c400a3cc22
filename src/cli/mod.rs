//! Command-line interface: flags, subcommands and their headless output.

mod inventory;
mod report;
pub mod runbook;
pub mod table;

use crate::cloud::aws::AwsOptions;
use crate::config::Config;
use crate::session::{DemoOptions, Source};
use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Simulated seconds per real second
    #[arg(long, global = true, default_value_t = 1.0, requires = "demo")]
    pub demo_speed: f64,
    /// Seed for the simulator's randomness (same seed, same run)
    #[arg(long, global = true, default_value_t = 1, requires = "demo")]
    pub demo_seed: u64,
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

/// Runs a headless command; returns the process exit code.
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<i32> {
    match cli.command {
        Some(Command::Inventory(args)) => inventory::run(&cli.global, &config, args).await,
        Some(Command::Report(args)) => report::run(&cli.global, &config, args).await,
        Some(Command::Runbook(cmd)) => runbook::run(&cli.global, &config, cmd).await,
        Some(Command::Runs { format }) => runbook::list_runs(format),
        None => {
            eprintln!(
                "opsdeck: the console is not available in this build yet; try `opsdeck inventory`"
            );
            Ok(2)
        }
    }
}
