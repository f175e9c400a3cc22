//! The command line: global flags, subcommands, their arguments and output formats (clap). Pure
//! data: the handlers (`inventory`, `report`, `runbook`) use it, never the other way.

mod checks;
mod runbook;

pub use runbook::*;

use crate::config::Config;
use crate::session::{DemoOptions, Source};
use clap::{Args, Parser, Subcommand, ValueEnum};
use opsdeck_aws::AwsOptions;
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
    Inventory(InventoryArgs),
    /// Findings (single points of failure) and AZ blast radius; exit 3 when one is critical
    Report(ReportArgs),
    /// Plan, run, resume or roll back a runbook
    #[command(subcommand)]
    Runbook(RunbookCommand),
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
            profile: self.profile_name(),
            regions: self.regions.clone(),
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: config.aws.max_attempts,
            connect_timeout: Duration::from_secs(config.aws.connect_timeout_seconds),
            operation_timeout: Duration::from_secs(config.aws.operation_timeout_seconds),
            ..AwsOptions::default()
        })
    }

    /// `--read-only`, or the profile in use is marked read-only in the config.
    pub fn read_only(&self, config: &Config) -> bool {
        self.read_only || config.profile(self.profile_name().as_deref()).read_only
    }

    /// The profile this session uses: `--profile`, else `AWS_PROFILE` (as the AWS CLI and
    /// aws-config pick it), else none (`default`). The config's read-only marks and colours follow
    /// this name, so a profile marked read-only stays read-only however it was chosen.
    pub fn profile_name(&self) -> Option<String> {
        profile_name(
            self.profile.as_deref(),
            std::env::var("AWS_PROFILE").ok().as_deref(),
        )
    }
}

fn profile_name(flag: Option<&str>, env: Option<&str>) -> Option<String> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    given(flag).or(given(env)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::profile_name;

    #[test]
    fn the_flag_wins_then_aws_profile_then_default() {
        assert_eq!(profile_name(Some("a"), Some("b")).as_deref(), Some("a"));
        assert_eq!(profile_name(None, Some("prod")).as_deref(), Some("prod"));
        assert_eq!(
            profile_name(None, Some("")),
            None,
            "an empty AWS_PROFILE is unset"
        );
        assert_eq!(
            profile_name(Some(""), Some("prod")).as_deref(),
            Some("prod")
        );
        assert_eq!(profile_name(None, None), None);
    }
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Skip CloudWatch metrics and alarms
    #[arg(long)]
    pub no_metrics: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Maximum age in hours of a data volume's newest snapshot, 0 to 87600 (0: every snapshot
    /// counts as old; default from the config: 24)
    #[arg(long, value_name = "H", value_parser = clap::value_parser!(u64).range(0..=87_600))]
    pub max_snapshot_age: Option<u64>,
}
