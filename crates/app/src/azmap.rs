//! The AZ map: one column per availability zone with its instances, healthy targets per target
//! group, volumes and events, and what breaks if the zone goes.

use super::findings::zones_of;
use super::strings::azmap as text;
use super::xray::Level;
use opsdeck_core::analysis::{AzBlast, Finding, ROLE_TAG, Severity, blast_radius};
use opsdeck_core::domain::*;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub level: Level,
}

fn line(text: impl Into<String>, level: Level) -> Line {
    Line {
        text: text.into(),
        level,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AzColumn {
    pub az: String,
    pub region: String,
    pub state: ZoneState,
    /// One section after another: a heading line, then its lines.
    pub lines: Vec<Line>,
    /// How many things stop working if the zone goes (the "If it goes" lines).
    pub breaks: usize,
    /// How many of the analysis's findings concern the zone (its "Findings" section, and the
    /// count in the column title).
    pub findings: usize,
}

/// How many instances each column lists by name before summarising.
const MAX_LISTED: usize = 12;

/// Builds every zone's column. Linear in the inventory (and in its findings). "If it goes" is
/// `report`'s blast radius (one computation, shown twice); "Findings" the analysis's, by zone.
pub fn build(inv: &Inventory, found: &[Finding]) -> Vec<AzColumn> {
    let azs = inv.az_names();
    let radius = blast_radius(inv, ROLE_TAG);
    let blast_of: HashMap<&str, &AzBlast> = radius.iter().map(|z| (z.az.as_str(), z)).collect();
    let found_zones: Vec<BTreeSet<String>> = found.iter().map(|f| zones_of(inv, f)).collect();
    let region_of: HashMap<&str, &str> = inv
        .availability_zones
        .iter()
        .map(|z| (z.name.as_str(), z.region.as_str()))
        .chain(
            inv.instances
                .iter()
                .map(|i| (i.az.as_str(), i.region.as_str())),
        )
        .chain(
            inv.volumes
                .iter()
                .map(|v| (v.az.as_str(), v.region.as_str())),
        )
        .collect();
    let az_of_instance: HashMap<&str, &str> = inv
        .instances
        .iter()
        .map(|i| (i.id.as_str(), i.az.as_str()))
        .collect();

    // Healthy targets per target group, in total and per AZ.
    let mut tg_healthy: HashMap<&str, usize> = HashMap::new();
    let mut tg_az: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    for t in &inv.target_health {
        let az = t.az.as_deref().unwrap_or("?");
        let e = tg_az
            .entry((t.target_group_arn.as_str(), az))
            .or_insert((0, 0));
        e.1 += 1;
        if t.state == TargetState::Healthy {
            e.0 += 1;
            *tg_healthy.entry(t.target_group_arn.as_str()).or_insert(0) += 1;
        }
    }
    let eni_instance: HashMap<&str, &str> = inv
        .network_interfaces
        .iter()
        .filter_map(|n| {
            n.attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_deref())
                .map(|i| (n.id.as_str(), i))
        })
        .collect();
    let az_of_volume: HashMap<&str, &str> = inv
        .volumes
        .iter()
        .map(|v| (v.id.as_str(), v.az.as_str()))
        .collect();
    let name_of: HashMap<&str, &str> = inv
        .instances
        .iter()
        .map(|i| (i.id.as_str(), i.display_name()))
        .collect();
    let label = |id: &'_ str| -> String {
        match name_of.get(id) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => id.to_string(),
        }
    };

    azs.iter()
        .map(|az| {
            let mut lines = Vec::new();
            let mut breaks = Vec::new();
            let blast = blast_of.get(az.as_str()).copied();

            let insts: Vec<&Instance> = inv
                .instances
                .iter()
                .filter(|i| i.az == az && i.is_live())
                .collect();
            let running = insts
                .iter()
                .filter(|i| i.state == InstanceState::Running)
                .count();
            let impaired = insts.iter().filter(|i| i.status_checks.impaired()).count();
            lines.push(line(
                text::instances(insts.len(), running, impaired),
                Level::Heading,
            ));
            for i in insts.iter().take(MAX_LISTED) {
                let level = if i.status_checks.impaired() {
                    Level::Bad
                } else if i.state == InstanceState::Running {
                    Level::Good
                } else {
                    Level::Warn
                };
                let ev = if i.upcoming_events().next().is_some() {
                    text::EVENT_MARK
                } else {
                    ""
                };
                lines.push(line(
                    format!("  {} {}{ev}", label(&i.id), i.state.as_str()),
                    level,
                ));
            }
            if insts.len() > MAX_LISTED {
                lines.push(line(text::more(insts.len() - MAX_LISTED), Level::Plain));
            }

            lines.push(line(text::HEALTHY_TARGETS_HERE, Level::Heading));
            let mut any_tg = false;
            for tg in &inv.target_groups {
                let Some(&(healthy_here, total_here)) = tg_az.get(&(tg.arn.as_str(), az.as_str()))
                else {
                    continue;
                };
                any_tg = true;
                let healthy_all = tg_healthy.get(tg.arn.as_str()).copied().unwrap_or(0);
                let level = if healthy_here == total_here {
                    Level::Good
                } else if healthy_here == 0 {
                    Level::Bad
                } else {
                    Level::Warn
                };
                lines.push(line(
                    format!("  {} {healthy_here}/{total_here}", tg.name),
                    level,
                ));
                if blast.is_some_and(|b| b.groups_down.iter().any(|g| *g == tg.name)) {
                    breaks.push(line(text::loses_all(&tg.name, healthy_all), Level::Bad));
                }
            }
            for role in blast.map(|b| b.roles_down.as_slice()).unwrap_or_default() {
                breaks.push(line(text::tier_lost(role), Level::Bad));
            }
            if !any_tg {
                lines.push(line(text::NONE, Level::Plain));
            }

            // Each Auto Scaling group's in-service members here, and where it relaunches the rest.
            let groups_here: Vec<(&AutoScalingGroup, usize, Vec<String>)> = inv
                .auto_scaling_groups
                .iter()
                .filter_map(|g| {
                    let here = g.in_service().filter(|m| m.az == az.as_str()).count();
                    (here > 0).then(|| {
                        let elsewhere: Vec<String> =
                            inv.group_azs(g).into_iter().filter(|z| z != az).collect();
                        (g, here, elsewhere)
                    })
                })
                .collect();
            if !groups_here.is_empty() {
                lines.push(line(text::GROUPS_HERE, Level::Heading));
            }
            for (g, here, elsewhere) in &groups_here {
                let total = g.in_service().count();
                let level = if elsewhere.is_empty() {
                    Level::Bad
                } else if *here == total {
                    Level::Warn
                } else {
                    Level::Good
                };
                lines.push(line(
                    text::group_here(&g.name, *here, total, elsewhere),
                    level,
                ));
                if blast.is_some_and(|b| {
                    b.auto_scaling
                        .iter()
                        .any(|l| l.group == g.name && l.relaunch_in.is_empty())
                }) {
                    breaks.push(line(text::group_down(&g.name, *here), Level::Bad));
                }
            }

            let vols: Vec<&Volume> = inv.volumes.iter().filter(|v| v.az == az).collect();
            let gib: i64 = vols.iter().map(|v| i64::from(v.size_gib)).sum();
            lines.push(line(text::volumes(vols.len(), gib), Level::Heading));
            let lost: Vec<&str> = blast
                .map(|b| b.volumes_unprotected.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if !lost.is_empty() {
                lines.push(line(text::without_snapshot(lost.len()), Level::Warn));
            }

            let events: Vec<&ScheduledEvent> = inv
                .events
                .iter()
                .filter(|e| !e.is_done())
                .filter(|e| match e.target {
                    EventTarget::Instance => {
                        az_of_instance.get(e.resource_id.as_str()) == Some(&az.as_str())
                    }
                    EventTarget::Volume => {
                        az_of_volume.get(e.resource_id.as_str()) == Some(&az.as_str())
                    }
                })
                .collect();
            lines.push(line(text::events(events.len()), Level::Heading));
            for e in events.iter().take(MAX_LISTED) {
                lines.push(line(
                    format!("  {} {}", label(&e.resource_id), e.raw_code),
                    Level::Warn,
                ));
            }

            for lb in blast
                .map(|b| b.load_balancers_down.as_slice())
                .unwrap_or_default()
            {
                breaks.push(line(text::only_zone(lb), Level::Bad));
            }
            for ip in blast.map(|b| b.elastic_ips.as_slice()).unwrap_or_default() {
                let inst = inv
                    .elastic_ips
                    .iter()
                    .find(|e| e.public_ip == *ip)
                    .and_then(|e| {
                        e.instance_id.as_deref().or_else(|| {
                            e.network_interface_id
                                .as_deref()
                                .and_then(|n| eni_instance.get(n).copied())
                        })
                    })
                    .unwrap_or_default();
                breaks.push(line(text::eip_dark(ip, &label(inst)), Level::Warn));
            }
            let mut nbreaks = breaks.len();
            if !lost.is_empty() {
                nbreaks += 1;
                breaks.push(line(text::volumes_without_snapshot(lost.len()), Level::Bad));
                for v in lost.iter().take(3) {
                    breaks.push(line(format!("    {v}"), Level::Bad));
                }
                if lost.len() > 3 {
                    breaks.push(line(text::more_volumes(lost.len() - 3), Level::Bad));
                }
            }

            // What breaks comes first: that is the question this screen answers.
            let mut out = vec![if nbreaks == 0 {
                line(text::NOTHING_BREAKS, Level::Good)
            } else {
                line(text::IF_IT_GOES, Level::Bad)
            }];
            out.extend(breaks);
            // The analysis's findings that concern this zone, worst first (as `:findings` lists them).
            let here: Vec<&Finding> = found
                .iter()
                .zip(&found_zones)
                .filter(|(_, z)| z.contains(az))
                .map(|(f, _)| f)
                .collect();
            if here.is_empty() {
                out.push(line(text::NO_FINDINGS, Level::Good));
            } else {
                out.push(line(text::findings(here.len()), Level::Heading));
                for f in here.iter().take(MAX_LISTED) {
                    let level = match f.severity {
                        Severity::Critical => Level::Bad,
                        Severity::Warning => Level::Warn,
                        Severity::Info => Level::Plain,
                    };
                    // What it is about first, as the other sections name things.
                    let what = f
                        .resources
                        .first()
                        .map(|r| match inv.volume(r).and_then(|v| v.name.as_deref()) {
                            Some(n) => n.to_string(),
                            None => label(r),
                        })
                        .unwrap_or_default();
                    out.push(line(format!("  {what} {}", f.kind.as_str()), level));
                }
                if here.len() > MAX_LISTED {
                    out.push(line(text::more(here.len() - MAX_LISTED), Level::Plain));
                }
            }
            out.extend(lines);

            AzColumn {
                az: az.clone(),
                region: region_of
                    .get(az.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                state: inv.zone_state(az),
                lines: out,
                breaks: nbreaks,
                findings: here.len(),
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "azmap_tests.rs"]
mod tests;
