//! Rolling maintenance on the simulator with tokio's paused clock: the issue's scenarios, timed the
//! way AWS times them (draining for the deregistration delay, reboots, health checks):
//! `scheduled_events`, `eventless` and `health_drops`. The fleet, the planner and the runner they
//! share are here.

use crate::support::calls::{self, made};
use crate::support::inventory;
use crate::support::runbook::{self, at_every_kill_point};
use crate::support::sim::{self, World};
use opsdeck_core::cloud::CloudWrite;
use opsdeck_core::domain::*;
use opsdeck_runbook::engine::{RunEvent, Runner, Stop};
use opsdeck_runbook::journal::{Journal, RunStatus};
use opsdeck_runbook::plan::Plan;
use opsdeck_runbook::rolling::{self, GroupDetails, RollingArgs};
use std::sync::Arc;
use std::time::Duration;

const REGION: &str = "us-east-1";

/// Three web servers in two AZs behind one ALB; each has a scheduled event (two kinds).
const FLEET: &str = r#"
name = "rolling"
[[regions]]
name = "us-east-1"
zones = ["us-east-1a", "us-east-1b"]
vpc_cidr = "10.30.0.0/16"
base_images = ["ami-0123456789abcdef0"]
security_groups = ["web"]

[[regions.subnets]]
name = "a"
az = "us-east-1a"
cidr = "10.30.1.0/24"

[[regions.subnets]]
name = "b"
az = "us-east-1b"
cidr = "10.30.2.0/24"

[[regions.instances]]
name = "web-1"
type = "t3.micro"
subnet = "a"
role = "web"
launched = "-2d"
security_groups = ["web"]
[[regions.instances.events]]
code = "system-reboot"
starts = "3d"
window = "2h"
deadline = "10d"

[[regions.instances]]
name = "web-2"
type = "t3.micro"
subnet = "a"
role = "web"
launched = "-2d"
security_groups = ["web"]
[[regions.instances.events]]
code = "instance-reboot"
starts = "4d"
window = "2h"
deadline = "10d"

[[regions.instances]]
name = "web-3"
type = "t3.micro"
subnet = "b"
role = "web"
launched = "-2d"
security_groups = ["web"]
[[regions.instances.events]]
code = "system-maintenance"
starts = "5d"
window = "2h"

[[regions.target_groups]]
name = "web-tg"
port = 80
deregistration_delay = 30
targets = ["web-1", "web-2", "web-3"]
health_check = { path = "/", interval = 10, healthy_threshold = 3, unhealthy_threshold = 2, matcher = "200" }

[[regions.load_balancers]]
name = "web-alb"
subnets = ["a", "b"]
listeners = [{ port = 80, target_group = "web-tg" }]
"#;

fn world(fleet: &str) -> World {
    World::new(sim::toml(fleet, 7), REGION)
}

async fn plan_for(w: &World, args: &RollingArgs) -> Result<Plan, String> {
    let inv = w.inventory().await;
    let mut details = GroupDetails::new();
    for tg in &inv.target_groups {
        details.insert(
            tg.arn.to_string(),
            w.read
                .target_group_details(&tg.arn)
                .await
                .expect("tg details"),
        );
    }
    rolling::plan(&inv, REGION, args, &details, chrono::Utc::now())
}

/// `support::runbook::runner`, its events sent to the receiver returned.
fn runner(
    w: &World,
    journal: Journal,
    kill_after: Option<usize>,
) -> (Runner, tokio::sync::mpsc::UnboundedReceiver<RunEvent>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let r = Runner {
        events: Some(tx),
        kill_after: runbook::kill_after(kill_after),
        ..runbook::runner(&w.read, &w.write, journal)
    };
    (r, rx)
}

mod eventless;
mod health_drops;
mod scheduled_events;
