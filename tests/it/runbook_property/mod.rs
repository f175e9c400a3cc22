//! Property: for random fleets (1–8 instances over three AZs, two target groups each behind its own
//! load balancer), random selections (scheduled events, a target group, a list of instances), a
//! random per-AZ floor and random bystanders crashing mid-run, rolling maintenance either
//!
//! - refuses up front with one of the planner's refusals, checked against the fleet (nothing to
//!   maintain; the capacity guard naming an instance whose removal really breaks the floor), or
//! - runs to the end, or
//! - is stopped by the run-time capacity re-check after a crash dropped health (the journal says
//!   why, and the test checks that removing the next instance then really breaks the floor);
//!
//! and never takes a serving target out when that breaks the floor: `oracle` checks each removal at
//! the moment the engine makes it, and a sampler reads every target group each simulated second.
//! Any other planning error, run error or failed read fails the case.

mod cases;
mod oracle;

use crate::support::inventory;
use crate::support::runbook;
use crate::support::sim::{self, World};
use opsdeck_core::cloud::CloudRead;
use opsdeck_core::domain::TargetState;
use opsdeck_runbook::engine::{EngineOptions, Runner};
use opsdeck_runbook::journal::RunStatus;
use opsdeck_runbook::plan::Action;
use opsdeck_runbook::rolling::{self, GroupDetails, RollingArgs};
use opsdeck_sim::{FleetSource, Sim};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const REGION: &str = "us-east-1";
const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
/// Between the plan and the run.
const APPROVAL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct Member {
    pub az: usize,
    pub groups: [bool; 2],
    pub event: Option<&'static str>,
}

/// What the run maintains.
#[derive(Debug, Clone)]
pub enum Pick {
    /// Every instance with an upcoming scheduled event (the runbook's default).
    Events,
    /// Every target of g0 or g1 (`--target-group`); an absent group falls back to the other.
    TargetGroup(usize),
    /// These members, in this order (`--instance`, repeated).
    Instances(Vec<usize>),
}

#[derive(Debug, Clone)]
pub struct Case {
    pub members: Vec<Member>,
    pub pick: Pick,
    pub floor_per_az: Option<usize>,
    /// Crash bystanders (instances the run does not maintain; `crash_plan` picks them) this many
    /// simulated seconds after the plan was made (the run starts `APPROVAL` later), if the run is
    /// still going.
    pub crashes: Vec<(usize, u64)>,
}

/// How a case ended (each one checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The planner refused, for a reason the fleet confirms.
    Refused,
    /// The run finished.
    Ran,
    /// Health dropped (a crash) and the run-time capacity re-check stopped the run.
    Stopped,
}

fn fleet_toml(members: &[Member]) -> String {
    let mut t = format!(
        "name = \"prop\"\n[[regions]]\nname = \"{REGION}\"\nzones = {ZONES:?}\n\
         vpc_cidr = \"10.40.0.0/16\"\nbase_images = [\"ami-0123456789abcdef0\"]\nsecurity_groups = [\"web\"]\n",
    );
    for (n, z) in ZONES.iter().enumerate() {
        t += &format!(
            "[[regions.subnets]]\nname = \"s{n}\"\naz = \"{z}\"\ncidr = \"10.40.{n}.0/24\"\n"
        );
    }
    for (n, m) in members.iter().enumerate() {
        t += &format!(
            "[[regions.instances]]\nname = \"i{n}\"\ntype = \"t3.micro\"\nsubnet = \"s{}\"\nlaunched = \"-1d\"\nsecurity_groups = [\"web\"]\n",
            m.az
        );
        if let Some(code) = m.event {
            t += &format!(
                "[[regions.instances.events]]\ncode = \"{code}\"\nstarts = \"2d\"\nwindow = \"2h\"\ndeadline = \"9d\"\n"
            );
        }
    }
    for g in 0..2 {
        let targets: Vec<String> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.groups[g])
            .map(|(n, _)| format!("\"i{n}\""))
            .collect();
        if targets.is_empty() {
            continue;
        }
        // Each group behind a load balancer of its own in every AZ: its targets go healthy, so
        // the guard protects both (a group no load balancer uses has only `unused` targets).
        t += &format!(
            "[[regions.target_groups]]\nname = \"g{g}\"\nport = 80\nderegistration_delay = 20\ntargets = [{}]\n\
             health_check = {{ path = \"/\", interval = 10, healthy_threshold = 2, unhealthy_threshold = 2, matcher = \"200\" }}\n\
             [[regions.load_balancers]]\nname = \"lb{g}\"\nsubnets = [\"s0\", \"s1\", \"s2\"]\nlisteners = [{{ port = 80, target_group = \"g{g}\" }}]\n",
            targets.join(", ")
        );
    }
    t
}

/// Each target group's targets (instance id, state), by group name. A failed read is an error,
/// never an empty fleet.
pub type Census = BTreeMap<String, Vec<(String, TargetState)>>;

pub async fn census(read: &Arc<dyn CloudRead>) -> Result<Census, String> {
    let groups = read
        .target_groups()
        .await
        .map_err(|e| format!("DescribeTargetGroups failed: {e}"))?;
    let mut out = Census::new();
    for tg in groups {
        let th = read
            .target_health(&tg.arn)
            .await
            .map_err(|e| format!("DescribeTargetHealth of {} failed: {e}", tg.name))?;
        out.insert(
            tg.name.to_string(),
            th.iter()
                .map(|t| (t.target_id.to_string(), t.state))
                .collect(),
        );
    }
    Ok(out)
}

/// Healthy targets per (group, AZ) and per (group, `None` = the whole group).
type Counts = BTreeMap<(String, Option<String>), usize>;

fn counts(c: &Census, az_of: &BTreeMap<String, String>) -> Counts {
    let mut out = Counts::new();
    for (g, targets) in c {
        out.entry((g.clone(), None)).or_insert(0);
        for z in ZONES {
            out.entry((g.clone(), Some(z.to_string()))).or_insert(0);
        }
        for (id, state) in targets {
            if *state == TargetState::Healthy {
                *out.entry((g.clone(), None)).or_insert(0) += 1;
                *out.entry((g.clone(), az_of.get(id).cloned())).or_insert(0) += 1;
            }
        }
    }
    out
}

/// Why taking `id` out of service now breaks the floor (every group it serves keeps a healthy
/// target; with a per-AZ floor `n`, its AZ keeps `n` of them), counted here from the census and
/// the fleet's own AZs, independently of the product's guard. `None`: it may go.
pub fn breaks_floor(
    c: &Census,
    az_of: &BTreeMap<String, String>,
    id: &str,
    per_az: Option<usize>,
) -> Option<String> {
    let az = az_of.get(id)?;
    for (g, targets) in c {
        if !targets
            .iter()
            .any(|(t, s)| t == id && *s == TargetState::Healthy)
        {
            continue;
        }
        let healthy: Vec<&String> = targets
            .iter()
            .filter(|(_, s)| *s == TargetState::Healthy)
            .map(|(t, _)| t)
            .collect();
        if healthy.len() < 2 {
            return Some(format!("{g} would keep no healthy target without {id}"));
        }
        if let Some(n) = per_az {
            let here = healthy
                .iter()
                .filter(|t| az_of.get(**t) == Some(az))
                .count();
            if here - 1 < n {
                return Some(format!(
                    "{g} would keep {} healthy in {az} without {id} (floor {n})",
                    here - 1
                ));
            }
        }
    }
    None
}

/// The fleet as built: ids by member index and each id's AZ.
struct Built {
    ids: Vec<String>,
    az_of: BTreeMap<String, String>,
}

fn built(sim: &Sim, members: &[Member]) -> Result<Built, String> {
    let mut ids = Vec::new();
    let mut az_of = BTreeMap::new();
    for (n, m) in members.iter().enumerate() {
        let id = sim
            .instance_id(&format!("i{n}"))
            .ok_or_else(|| format!("i{n} was not built"))?;
        az_of.insert(id.clone(), ZONES[m.az].to_string());
        ids.push(id);
    }
    Ok(Built { ids, az_of })
}

fn args_for(case: &Case, b: &Built, groups: &[String]) -> RollingArgs {
    let base = RollingArgs {
        floor_per_az: case.floor_per_az,
        ..RollingArgs::default()
    };
    match &case.pick {
        Pick::Events => base,
        Pick::TargetGroup(_) if groups.is_empty() => base,
        Pick::TargetGroup(k) => RollingArgs {
            target_group: Some(groups[k % groups.len()].clone()),
            ..base
        },
        Pick::Instances(picked) => {
            let mut ids: Vec<String> = Vec::new();
            for k in picked {
                let id = &b.ids[k % b.ids.len()];
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            RollingArgs {
                instances: ids,
                ..base
            }
        }
    }
}

/// The planner's refusal is one it makes for this fleet, and true of it: nothing has an event, or
/// the instance the guard names really breaks the floor. Any other planning error fails the case.
fn check_refusal(
    why: &str,
    args: &RollingArgs,
    case: &Case,
    at_plan: &Census,
    b: &Built,
) -> Result<(), String> {
    if why == "nothing to maintain: no instance given and no upcoming scheduled event" {
        let by_events = args.instances.is_empty() && args.target_group.is_none();
        if by_events && case.members.iter().all(|m| m.event.is_none()) {
            return Ok(());
        }
        return Err(format!("refused with nothing to maintain, yet {args:?}"));
    }
    if let Some(rest) = why.strip_prefix("the capacity guard refuses ") {
        let id = rest.split(':').next().unwrap_or_default();
        return match breaks_floor(at_plan, &b.az_of, id, case.floor_per_az) {
            Some(_) => Ok(()),
            None => Err(format!(
                "the guard refused {id}, yet it can go: {why}; census {at_plan:?}"
            )),
        };
    }
    if let Some((id, rest)) = why.split_once(" is not healthy in ") {
        let group = rest.split(' ').next().unwrap_or_default();
        let healthy = at_plan
            .get(group)
            .and_then(|targets| targets.iter().find(|(t, _)| t == id))
            .is_some_and(|(_, s)| *s == TargetState::Healthy);
        return if healthy {
            Err(format!("{id} is healthy in {group}, yet refused: {why}"))
        } else {
            Ok(())
        };
    }
    Err(format!("not one of the planner's refusals: {why}"))
}

/// A case's outcome, and the removals that took a second group's last healthy target (`oracle`).
#[derive(Debug)]
pub struct Verdict {
    pub outcome: Outcome,
    pub second_group: Vec<String>,
}

/// Runs one case on the paused clock and checks it: any other finding fails it.
pub fn run_case(case: &Case) -> Result<Verdict, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(run(case))
}

async fn run(case: &Case) -> Result<Verdict, String> {
    let sim = Sim::new(sim::options(
        FleetSource::Toml(fleet_toml(&case.members)),
        3,
        None,
    ))
    .map_err(|e| format!("fleet: {e:?}"))?;
    let b = built(&sim, &case.members)?;
    let World { sim, read, write } = World::new(sim, REGION);
    // Let new targets pass their health checks first (fleets start healthy, but be sure).
    tokio::time::sleep(Duration::from_secs(60)).await;
    let inv = inventory::quick(&read).await;
    let mut details = GroupDetails::new();
    let mut groups = Vec::new();
    for tg in &inv.target_groups {
        let d = read
            .target_group_details(&tg.arn)
            .await
            .map_err(|e| format!("target group details of {}: {e}", tg.name))?;
        details.insert(tg.arn.to_string(), d);
        groups.push(tg.name.to_string());
    }
    groups.sort();
    let at_plan = census(&read).await?;
    let args = args_for(case, &b, &groups);
    let plan = match rolling::plan(&inv, REGION, &args, &details, chrono::Utc::now()) {
        Ok(p) => p,
        Err(why) => {
            check_refusal(&why, &args, case, &at_plan, &b)?;
            return Ok(Verdict {
                outcome: Outcome::Refused,
                second_group: Vec::new(),
            });
        }
    };
    let selected = rolling::select(&inv, REGION, &args)?;
    for id in &selected {
        if let Some(why) = breaks_floor(&at_plan, &b.az_of, id, case.floor_per_az) {
            return Err(format!("planned, yet {why}"));
        }
    }
    let floor = plan.floor();
    if floor.per_az != case.floor_per_az {
        return Err(format!(
            "the plan carries floor {floor:?}, asked {:?}",
            case.floor_per_az
        ));
    }
    let crashes = crash_plan(case, &at_plan, &b, &selected);

    let before = counts(&at_plan, &b.az_of);
    let names = inv
        .target_groups
        .iter()
        .map(|g| (g.arn.to_string(), g.name.to_string()))
        .collect();
    let (oracle, found) = oracle::Oracle::new(
        &read,
        &write,
        b.az_of.clone(),
        names,
        floor,
        at_plan.clone(),
    );
    let write: Arc<dyn opsdeck_core::cloud::CloudWrite> = Arc::new(oracle);
    let (_dir, j, mut state) = runbook::journal("p", &plan);
    let runner = Runner {
        opts: EngineOptions {
            floor,
            ..EngineOptions::default()
        },
        ..runbook::runner(&read, &write, j)
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let started = tokio::time::Instant::now();
    let sampler = {
        let (read, az_of, mut stop) = (read.clone(), b.az_of.clone(), stop_rx.clone());
        tokio::spawn(async move {
            let mut samples: Vec<(Duration, Counts)> = Vec::new();
            loop {
                let now = census(&read).await?;
                samples.push((started.elapsed(), counts(&now, &az_of)));
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.wait_for(|s| *s) => return Ok::<_, String>(samples),
                }
            }
        })
    };
    let chaos = {
        let (sim, crashes, mut stop) = (sim.clone(), crashes.clone(), stop_rx);
        tokio::spawn(async move {
            let mut done = Vec::new();
            for (id, at) in crashes {
                tokio::select! {
                    _ = tokio::time::sleep_until(started + Duration::from_secs(at)) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                sim.crash(&id).map_err(|e| format!("crash {id}: {e}"))?;
                done.push((id, started.elapsed()));
            }
            Ok::<_, String>(done)
        })
    };
    // The run starts a minute after its plan was made (an operator reading it): health may drop
    // in between, which only the run-time re-check can see.
    tokio::time::sleep(APPROVAL).await;
    let status = runner.run(&mut state).await;
    stop_tx.send(true).ok();
    let samples = sampler.await.map_err(|e| e.to_string())??;
    let crashed = chaos.await.map_err(|e| e.to_string())??;
    let status = status.map_err(|e| format!("the run: {e}"))?;
    let found = found.lock().map(|f| f.clone()).unwrap_or_default();
    if !found.broken.is_empty() {
        return Err(format!("the engine broke the floor: {:?}", found.broken));
    }

    check_samples(&samples, &before, &crashed, &at_plan, &b, case.floor_per_az)?;
    let outcome = match status {
        RunStatus::Done => Outcome::Ran,
        RunStatus::Failed => {
            stopped_for_good_reason(&read, &state, &b, case, !crashed.is_empty()).await?;
            Outcome::Stopped
        }
        other => return Err(format!("ended {other:?}: {:?}", state.last_error)),
    };
    Ok(Verdict {
        outcome,
        second_group: found.second_group,
    })
}

/// Which bystanders (instances the run does not maintain) crash, and when (simulated seconds after
/// the plan), without repeats. Adversarial: first those whose crash alone makes some instance the
/// run maintains unable to go (the re-check must then stop the run), else those sharing a group
/// with one, else any.
fn crash_plan(case: &Case, at_plan: &Census, b: &Built, selected: &[String]) -> Vec<(String, u64)> {
    let without = |id: &String| -> Census {
        at_plan
            .iter()
            .map(|(g, ts)| {
                let ts = ts
                    .iter()
                    .map(|(t, s)| (t.clone(), if t == id { TargetState::Unhealthy } else { *s }))
                    .collect();
                (g.clone(), ts)
            })
            .collect()
    };
    let critical = |id: &String| {
        let c = without(id);
        selected
            .iter()
            .any(|s| breaks_floor(&c, &b.az_of, s, case.floor_per_az).is_some())
    };
    let shares = |id: &String| {
        at_plan.values().any(|ts| {
            ts.iter().any(|(t, _)| t == id) && ts.iter().any(|(t, _)| selected.contains(t))
        })
    };
    let bystanders: Vec<&String> = b.ids.iter().filter(|i| !selected.contains(i)).collect();
    let pool = [
        bystanders
            .iter()
            .copied()
            .filter(|i| critical(i))
            .collect::<Vec<_>>(),
        bystanders.iter().copied().filter(|i| shares(i)).collect(),
        bystanders,
    ]
    .into_iter()
    .find(|p| !p.is_empty())
    .unwrap_or_default();
    let mut out: Vec<(String, u64)> = Vec::new();
    for (k, at) in &case.crashes {
        if pool.is_empty() {
            break;
        }
        let id = pool[k % pool.len()];
        if !out.iter().any(|(i, _)| i == id) {
            out.push((id.clone(), *at));
        }
    }
    out.sort_by_key(|(_, at)| *at);
    out
}

/// What the sampler saw: each group (and AZ, with a per-AZ floor) kept min(before, floor) healthy
/// targets, counting each crashed bystander's target as kept once it crashed (the run did not
/// take it out).
fn check_samples(
    samples: &[(Duration, Counts)],
    before: &Counts,
    crashed: &[(String, Duration)],
    at_plan: &Census,
    b: &Built,
    floor_per_az: Option<usize>,
) -> Result<(), String> {
    for (at, now) in samples {
        for (key, b_count) in before {
            let floor_here = match (&key.1, floor_per_az) {
                (None, _) => 1,
                (Some(_), Some(n)) => n,
                (Some(_), None) => continue,
            };
            let credit = crashed
                .iter()
                .filter(|(id, t)| {
                    let serves = at_plan.get(&key.0).is_some_and(|ts| {
                        ts.iter()
                            .any(|(i, s)| i == id && *s == TargetState::Healthy)
                    });
                    let here = key.1.is_none() || b.az_of.get(id) == key.1.as_ref();
                    at >= t && serves && here
                })
                .count();
            let seen = now.get(key).copied().unwrap_or(0);
            if seen + credit < (*b_count).min(floor_here) {
                return Err(format!(
                    "{key:?} had {b_count} healthy, {seen} at {at:?} into the run (floor {floor_here}, {credit} crashed)"
                ));
            }
        }
    }
    Ok(())
}

/// A failed run is only acceptable as the capacity re-check stopping it after a crash: the step it
/// stopped at is a guard, the journal's error says the floor would break, and it would.
async fn stopped_for_good_reason(
    read: &Arc<dyn CloudRead>,
    state: &opsdeck_runbook::journal::RunState,
    b: &Built,
    case: &Case,
    crashed: bool,
) -> Result<(), String> {
    let why = state.last_error.clone().unwrap_or_default();
    let step = state
        .next_step()
        .ok_or_else(|| format!("failed with every step done: {why}"))?;
    let Action::CapacityGuard { instance } = &state.plan.steps[step].action else {
        return Err(format!("failed at step {step}, not a guard: {why}"));
    };
    if !crashed {
        return Err(format!(
            "the guard stopped the run with no health dropped: {why}"
        ));
    }
    if !(why.contains("timed out") && why.contains("would keep")) {
        return Err(format!("the journal does not say why: {why}"));
    }
    let now = census(read).await?;
    match breaks_floor(&now, &b.az_of, instance, case.floor_per_az) {
        Some(_) => Ok(()),
        None => Err(format!(
            "stopped before {instance}, which could go: {why}; {now:?}"
        )),
    }
}
