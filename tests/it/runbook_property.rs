//! Property: for random fleets and random scheduled events, rolling maintenance either refuses up
//! front or runs to the end without ever leaving a target group that was serving with no healthy
//! target (sampled every simulated second on the paused clock).

use crate::support::inventory;
use crate::support::runbook;
use crate::support::sim::{self, World};
use opsdeck_core::cloud::CloudRead;
use opsdeck_core::domain::TargetState;
use opsdeck_runbook::journal::RunStatus;
use opsdeck_runbook::rolling::{self, GroupDetails, RollingArgs};
use opsdeck_sim::{FleetSource, Sim};
use proptest::prelude::*;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
struct Member {
    az: usize,
    groups: [bool; 2],
    event: Option<&'static str>,
}

fn member() -> impl Strategy<Value = Member> {
    (
        0usize..3,
        any::<[bool; 2]>(),
        prop::option::of(prop::sample::select(vec![
            "system-reboot",
            "instance-reboot",
            "instance-retirement",
        ])),
    )
        .prop_map(|(az, groups, event)| Member { az, groups, event })
}

fn fleet_toml(members: &[Member]) -> String {
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let mut t = String::from(
        "name = \"prop\"\n[[regions]]\nname = \"us-east-1\"\nzones = [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"]\n\
         vpc_cidr = \"10.40.0.0/16\"\nbase_images = [\"ami-0123456789abcdef0\"]\nsecurity_groups = [\"web\"]\n",
    );
    for (n, z) in zones.iter().enumerate() {
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
        t += &format!(
            "[[regions.target_groups]]\nname = \"g{g}\"\nport = 80\nderegistration_delay = 20\ntargets = [{}]\n\
             health_check = {{ path = \"/\", interval = 10, healthy_threshold = 2, unhealthy_threshold = 2, matcher = \"200\" }}\n",
            targets.join(", ")
        );
        // g0 sits behind a load balancer (targets go healthy); g1 is used by none (targets stay unused).
        if g == 0 {
            t += "[[regions.load_balancers]]\nname = \"lb0\"\nsubnets = [\"s0\", \"s1\", \"s2\"]\nlisteners = [{ port = 80, target_group = \"g0\" }]\n";
        }
    }
    t
}

async fn healthy_per_group(read: &Arc<dyn CloudRead>) -> Vec<usize> {
    let mut out = Vec::new();
    for tg in read.target_groups().await.unwrap_or_default() {
        let th = read.target_health(&tg.arn).await.unwrap_or_default();
        out.push(
            th.iter()
                .filter(|t| t.state == TargetState::Healthy)
                .count(),
        );
    }
    out
}

/// Ok(true) when the plan ran to the end, Ok(false) when it was refused before changing anything.
fn run_case(members: Vec<Member>) -> Result<bool, TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let sim = Sim::new(sim::options(
            FleetSource::Toml(fleet_toml(&members)),
            3,
            None,
        ))
        .map_err(|e| TestCaseError::fail(format!("fleet: {e:?}")))?;
        let World { read, write, .. } = World::new(sim, "us-east-1");
        // Let new targets pass their health checks first (fleets start healthy, but be sure).
        tokio::time::sleep(Duration::from_secs(60)).await;
        let inv = inventory::quick(&read).await;
        let mut details = GroupDetails::new();
        for tg in &inv.target_groups {
            if let Ok(d) = read.target_group_details(&tg.arn).await {
                details.insert(tg.arn.to_string(), d);
            }
        }
        let Ok(plan) = rolling::plan(&inv, "us-east-1", &RollingArgs::default(), &details) else {
            return Ok(false); // refused before changing anything: allowed
        };
        let before = healthy_per_group(&read).await;
        let (_dir, j, mut state) = runbook::journal("p", &plan);
        let runner = runbook::runner(&read, &write, j);
        let sampler_read = read.clone();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let sampler = tokio::spawn(async move {
            let mut worst: Option<Vec<usize>> = None;
            while !*stop_rx.borrow() {
                let now = healthy_per_group(&sampler_read).await;
                worst = Some(match worst {
                    None => now,
                    Some(w) => w.iter().zip(&now).map(|(a, b)| *a.min(b)).collect(),
                });
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            worst.unwrap_or_default()
        });
        let status = runner
            .run(&mut state)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        stop_tx.send(true).ok();
        let worst = sampler
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(status, RunStatus::Done, "{:?}", state.last_error);
        for (g, (b, w)) in before.iter().zip(&worst).enumerate() {
            prop_assert!(
                *b == 0 || *w >= 1,
                "group g{} had {} healthy, fell to {} during the run",
                g,
                b,
                w
            );
        }
        Ok(true)
    })
}

static RAN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn the_capacity_guard_is_never_violated(members in proptest::collection::vec(member(), 1..6)) {
        if run_case(members)? {
            RAN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[test]
fn a_two_zone_group_with_events_really_runs() {
    let m = |az, event| Member {
        az,
        groups: [true, false],
        event: Some(event),
    };
    let ran = run_case(vec![
        m(0, "system-reboot"),
        m(1, "instance-reboot"),
        m(0, "instance-retirement"),
    ]);
    assert!(matches!(ran, Ok(true)), "{ran:?}");
}

#[test]
fn most_random_cases_run_rather_than_being_refused() {
    the_capacity_guard_is_never_violated();
    let ran = RAN.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        ran >= 6,
        "only {ran} of 24 random fleets ran a plan: the property would be vacuous"
    );
}
