use super::args::{Format, GlobalArgs, InventoryArgs};
use super::stdout::{self, Written};
use crate::config::Config;
use opsdeck_app::resources::{Ctx, ResourceKind};
use opsdeck_core::cloud::{FetchOptions, fetch_inventory};
use opsdeck_runbook::StateDir;
use std::time::Duration;

pub async fn run(
    global: &GlobalArgs,
    config: &Config,
    state: &StateDir,
    args: InventoryArgs,
) -> anyhow::Result<i32> {
    // A headless inventory only reads: never build a writer for it.
    let session = crate::session::connect(&global.source(config), true, state).await?;
    let opts = FetchOptions {
        metrics: config.aws.metrics && !args.no_metrics,
        alarms: !args.no_metrics,
        metrics_window: Duration::from_secs(config.aws.metrics_window_minutes * 60),
        ..FetchOptions::default()
    };
    let inv = fetch_inventory(session.readers(), &opts).await;
    let written = stdout::write(|out| match args.format {
        Format::Json => stdout::json(out, &inv),
        Format::Table => {
            let ctx = Ctx {
                inv: &inv,
                // The session's clock as of the read (the simulator's under --demo).
                now: inv.fetched_at().unwrap_or_else(chrono::Utc::now),
            };
            let multi_region = inv.regions.len() > 1;
            for kind in ResourceKind::ALL {
                super::table::write_kind(out, &ctx, kind, multi_region)?;
            }
            Ok(())
        }
    })?;
    if written == Written::ReaderGone {
        return Ok(super::exit::DONE);
    }
    let failures: Vec<String> = inv
        .regions
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.region)))
        .collect();
    for f in &failures {
        eprintln!("opsdeck: region {f}");
    }
    Ok(if failures.is_empty() { 0 } else { 1 })
}
