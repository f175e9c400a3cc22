//! `opsdeck report`: inventory summary, findings and AZ blast radius, for people and for cron.

use super::args::{Format, GlobalArgs, ReportArgs};
use super::stdout::{self, Written};
use crate::config::Config;
use opsdeck_app::resources::ResourceKind;
use opsdeck_core::analysis::{
    AnalysisOptions, AzBlast, Finding, blast_radius, find_all, has_critical,
};
use opsdeck_core::cloud::{FetchOptions, fetch_inventory};
use opsdeck_core::domain::Inventory;
use opsdeck_runbook::StateDir;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// What `report --format json` prints (`docs/contracts.md#report`).
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub summary: Summary,
    /// Everything that could not be read, each kind of each region (empty: the report is whole).
    pub incomplete: Vec<Unread>,
    pub findings: &'a [Finding],
    pub blast_radius: &'a [AzBlast],
}

/// One kind a region could not read: the report is incomplete without it.
#[derive(Debug, Serialize)]
pub struct Unread {
    pub region: String,
    /// The inventory's key for what is missing (`volume_events`, `metrics`); null when the region
    /// says only that it failed.
    pub kind: Option<String>,
    /// The call that failed, as IAM names it (`ec2:DescribeVolumeStatus`), when known.
    pub call: Option<String>,
    /// AWS's error code (`UnauthorizedOperation`), when known.
    pub code: Option<String>,
    pub http_status: Option<u16>,
    /// The whole error in plain words.
    pub error: String,
}

/// Every kind of every region that could not be read, in region order. A region that failed
/// without naming its kinds counts as one entry.
pub fn incomplete(inv: &Inventory) -> Vec<Unread> {
    let mut out = Vec::new();
    for r in &inv.regions {
        if r.unread.is_empty() {
            if let Some(e) = &r.error {
                out.push(Unread {
                    region: r.region.clone(),
                    kind: None,
                    call: None,
                    code: None,
                    http_status: None,
                    error: e.clone(),
                });
            }
            continue;
        }
        out.extend(r.unread.iter().map(|k| Unread {
            region: r.region.clone(),
            kind: Some(k.kind.clone()),
            call: k.call.clone(),
            code: Some(k.code.clone()).filter(|c| !c.is_empty()),
            http_status: k.http_status,
            error: crate::strings::calls_failed(&k.error, k.failed_calls),
        }));
    }
    out
}

/// The exit code: an incomplete report cannot vouch for itself (4, even over a critical finding's
/// 3); then a critical finding (3); else done.
pub fn exit_code(incomplete: &[Unread], findings: &[Finding]) -> i32 {
    if !incomplete.is_empty() {
        super::exit::REPORT_INCOMPLETE
    } else if has_critical(findings) {
        super::exit::CRITICAL
    } else {
        super::exit::DONE
    }
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub regions: Vec<String>,
    pub counts: BTreeMap<String, usize>,
    pub region_errors: BTreeMap<String, String>,
}

pub fn summary(inv: &Inventory) -> Summary {
    let ctx = opsdeck_app::resources::Ctx {
        inv,
        now: inv.fetched_at().unwrap_or_else(chrono::Utc::now),
    };
    Summary {
        regions: inv.regions.iter().map(|r| r.region.clone()).collect(),
        counts: ResourceKind::ALL
            .iter()
            .map(|k| (kind_key(*k), k.row_count(&ctx)))
            .collect(),
        region_errors: inv
            .regions
            .iter()
            .filter_map(|r| r.error.as_ref().map(|e| (r.region.clone(), e.clone())))
            .collect(),
    }
}

/// The kind's name in snake_case, as the inventory's JSON keys spell it (`elastic_ips`).
fn kind_key(k: ResourceKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('-', "_")))
        .unwrap_or_default()
}

pub async fn run(
    global: &GlobalArgs,
    config: &Config,
    state: &StateDir,
    args: ReportArgs,
) -> anyhow::Result<i32> {
    let session = crate::session::connect(&global.source(config), true, state).await?;
    let inv = fetch_inventory(session.readers(), &FetchOptions::default()).await;
    // Ages and time left on the session's clock as of the read (the simulator's under --demo).
    let mut opts = AnalysisOptions::new(inv.fetched_at().unwrap_or_else(|| session.now()));
    let hours = args
        .max_snapshot_age
        .unwrap_or(config.analysis.max_snapshot_age_hours);
    opts.max_snapshot_age =
        chrono::Duration::hours(i64::try_from(hours).unwrap_or(i64::MAX / 3600));
    let findings = find_all(&inv, &opts);
    let radius = blast_radius(&inv, &opts.role_tag);
    let report = Report {
        summary: summary(&inv),
        incomplete: incomplete(&inv),
        findings: &findings,
        blast_radius: &radius,
    };
    let written = stdout::write(|out| match args.format {
        Format::Json => stdout::json(out, &report),
        Format::Table => write_table(out, &report),
    })?;
    if written == Written::ReaderGone {
        return Ok(super::exit::DONE);
    }
    // Every kind it could not read, each on its own line, whatever the format.
    for u in &report.incomplete {
        eprintln!(
            "opsdeck: {}",
            crate::strings::report_unread(&u.region, u.kind.as_deref(), &u.error)
        );
    }
    Ok(exit_code(&report.incomplete, &findings))
}

fn write_table(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    writeln!(out, "== Inventory ({})", r.summary.regions.join(", "))?;
    let counts: Vec<String> = r
        .summary
        .counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    writeln!(out, "{}", counts.join(", "))?;
    if !r.incomplete.is_empty() {
        let mut kinds: Vec<String> = r
            .incomplete
            .iter()
            .map(|u| match &u.kind {
                Some(k) => format!("{k} ({})", u.region),
                None => u.region.clone(),
            })
            .collect();
        kinds.dedup();
        writeln!(out, "{}", crate::strings::report_incomplete(&kinds))?;
    }
    writeln!(out)?;
    writeln!(out, "== Findings ({})", r.findings.len())?;
    if r.findings.is_empty() {
        writeln!(out, "(none)")?;
    }
    for f in r.findings {
        writeln!(
            out,
            "{:<8}  {:<27}  {}",
            f.severity.as_str().to_uppercase(),
            f.kind.as_str(),
            f.message
        )?;
        if let Some(fix) = &f.fix {
            writeln!(out, "{:<8}  {:<27}  fix: {fix}", "", "")?;
        }
    }
    writeln!(out, "\n== If an AZ goes")?;
    for z in r
        .blast_radius
        .iter()
        .filter(|z| !z.instances.is_empty() || !z.volumes.is_empty())
    {
        let mut parts = vec![format!(
            "{} instance(s), {} volume(s)",
            z.instances.len(),
            z.volumes.len()
        )];
        if !z.groups_down.is_empty() {
            parts.push(format!("DOWN: {}", z.groups_down.join(", ")));
        }
        for g in &z.groups_degraded {
            parts.push(format!(
                "{} {}->{} healthy",
                g.target_group, g.healthy_now, g.healthy_after
            ));
        }
        for g in &z.auto_scaling {
            let relaunch = if g.relaunch_in.is_empty() {
                "nowhere to relaunch".to_string()
            } else {
                format!("relaunches in {}", g.relaunch_in.join(", "))
            };
            parts.push(format!(
                "group {} {}->{} in service, {relaunch}",
                g.group, g.in_service_now, g.in_service_after
            ));
        }
        if !z.roles_down.is_empty() {
            parts.push(format!("tiers lost: {}", z.roles_down.join(", ")));
        }
        if !z.elastic_ips.is_empty() {
            parts.push(format!("addresses lost: {}", z.elastic_ips.join(", ")));
        }
        if !z.load_balancers_down.is_empty() {
            parts.push(format!(
                "load balancers with no other zone: {}",
                z.load_balancers_down.join(", ")
            ));
        }
        if !z.volumes_unprotected.is_empty() {
            parts.push(format!(
                "data volumes with no snapshot: {}",
                z.volumes_unprotected.join(", ")
            ));
        }
        writeln!(
            out,
            "{:<14} {:<11} {}",
            z.az,
            z.state.as_str(),
            parts.join("; ")
        )?;
    }
    Ok(())
}
