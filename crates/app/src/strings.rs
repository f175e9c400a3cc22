// Over 600 lines on purpose: every user-visible text of this crate is kept in this one file.
//! Every user-visible text of the console's state layer in one place (as gitui's `strings.rs`):
//! status lines, refusals, titles, labels, log lines, the runbook lists' wording, the xray and AZ
//! map lines. Dynamic texts are small functions; their callers decide only what goes in.
//!
//! Not here: the `:` commands' help (in their table, `command/table.rs`), resource kinds' titles and
//! columns (declared with the kinds, `resources/`: a column's title is also its filter field name),
//! and `WriteOp`'s sentences (`msg.rs`: that vocabulary is about to be replaced).

use crate::keys::{Action, Group};
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// The connection and the refresh

pub const NOT_CONNECTED_YET: &str = "not connected yet";
/// Refusal of an action while the session is being replaced.
pub const SWITCHING: &str = "switching session: actions wait until it has connected";
pub const ALREADY_CONNECTING: &str = "already connecting…";
pub const REFRESHING: &str = "refreshing…";
pub const REFRESH_ALREADY_RUNNING: &str = "refresh already running";
pub const QUIT_DURING_RUN: &str =
    "a run is in progress: quit again to stop it (it is journaled; :runs resumes it next time)";

pub fn internal_error(what: &str) -> String {
    format!("internal error in {what}")
}

pub fn internal_error_retrying(what: &str) -> String {
    format!("internal error in {what}; retrying")
}

// ---------------------------------------------------------------------------------------------
// Screens and the selection

pub const FILTER_NEEDS_TABLE: &str = "/ filters tables; esc goes back to one";
pub const XRAY_NEEDS_INSTANCE: &str = "xray: select an instance (or a target, volume, ENI of one)";
pub const INVENTORY_ORDER: &str = "inventory order";
/// An event that is over, in the events view's TIME LEFT and PLAN (no time left, nothing to move).
pub const EVENT_COMPLETED: &str = "completed";
pub const EVENT_CANCELED: &str = "canceled";

pub fn copied(id: &str) -> String {
    format!("copied {id}")
}

pub fn not_in_inventory(id: &str) -> String {
    format!("{id} is not in the inventory")
}

pub fn gone_from_inventory(id: &str) -> String {
    format!("{id} is gone from the inventory")
}

pub fn sorted_by(title: &str, descending: bool) -> String {
    format!("sorted by {title} {}", if descending { "↓" } else { "↑" })
}

// ---------------------------------------------------------------------------------------------
// Export

pub const EXPORT_NEEDS_TABLE: &str = "export works on tables";

pub fn exporting_to(path: &Path) -> String {
    format!("exporting to {}…", path.display())
}

pub fn exported(rows: usize, path: &Path) -> String {
    format!("exported {rows} rows to {}", path.display())
}

pub fn export_failed(e: &str) -> String {
    format!("export failed: {e}")
}

// ---------------------------------------------------------------------------------------------
// The `:` commands

pub const SHOWING_EVERY_REGION: &str = "showing every region";
pub const SWITCH_PROFILE_DURING_RUN: &str =
    "a run is in progress: switch profiles once it has ended (or cancel it)";
pub const PLAN_FOR_PREVIOUS_PROFILE: &str =
    "the profile changed: this plan was made for the previous one (r plans again)";
pub const CHAOS_USAGE: &str = "chaos (demo only): az-outage AZ, az-restore AZ, throttle ACTION RATE, latency 500ms, \
             errors RATE, crash I, stuck-detach V, deny/allow ACTION, event I CODE IN, skip 2h, status, clear";
pub const CHAOS_DEMO_ONLY: &str =
    "chaos works only in a demo (opsdeck --demo): there is nothing to inject into a real account";

pub fn showing_only(region: &str) -> String {
    format!("showing {region} only (:region all shows every region)")
}

pub fn regions(regions: &[String]) -> String {
    format!("regions: {}", regions.join(", "))
}

pub fn adding_region(region: &str) -> String {
    format!("adding region {region}…")
}

pub fn profile(profile: &str) -> String {
    format!("profile: {profile}")
}

pub fn no_profiles_in_a_demo(profile: &str) -> String {
    format!(
        "a demo has no profiles: its simulated world (and every chaos and change in it) stays; \
         quit and start `opsdeck --profile {profile}` for that account"
    )
}

pub fn switching_to_profile(profile: &str) -> String {
    format!("switching to profile {profile}…")
}

pub fn unknown_command(command: &str) -> String {
    format!("unknown command :{command} (tab completes, ? lists keys)")
}

/// The simulator's answer: several lines (`status`, `help`) read as one on the status line.
pub fn chaos_said(lines: &[&str]) -> String {
    format!("chaos: {}", lines.join("; "))
}

pub fn chaos_failed(e: &str) -> String {
    format!("chaos: {e}")
}

// ---------------------------------------------------------------------------------------------
// Single actions (start, stop, snapshot…)

/// A single action that would make a group replace its member.
pub const STOP_WORD: &str = "stop";
pub const DEREGISTRATION_WORD: &str = "deregistration";

/// One capacity-guard objection, as the confirmation dialog shows it.
pub fn guard_violation(v: &opsdeck_core::analysis::Violation) -> String {
    match &v.az {
        Some(az) => format!(
            "leaves {} with no healthy target in {az} (now {})",
            v.target_group, v.healthy_now
        ),
        None => format!(
            "leaves {} with no healthy target (now {})",
            v.target_group, v.healthy_now
        ),
    }
}

pub fn member_needs_standby(what: &str, instance: &str, group: &str) -> String {
    format!(
        "{instance} is in Auto Scaling group {group}: a {what} outside Standby gets it replaced; \
         r → rolling-maintenance takes it out through Standby and back"
    )
}

pub fn reboot_through_standby(instance: &str, group: &str) -> String {
    format!(
        "{instance} is in Auto Scaling group {group}: its reboot is planned through Standby \
         (rolling-maintenance); nothing changes before you approve"
    )
}

pub const CANCELLED: &str = "cancelled: nothing was changed";
pub const NOT_AN_ACTION: &str = "not an action";
/// A write answered without naming what it did.
pub const WRITE_DONE: &str = "done";

pub fn write_failed(e: &str) -> String {
    format!("failed: {e}")
}

pub fn read_only_refusal(action: &str) -> String {
    format!("read-only session: {action} is not available")
}

pub fn select_in_a_table_first(action: &str) -> String {
    format!("{action}: select a resource in a table first")
}

pub fn nothing_selected(action: &str) -> String {
    format!("{action}: nothing selected")
}

/// `kind` as the table's title says it, in lower case; `command` opens that table.
pub fn select_kind(action: &str, kind: &str, command: &str) -> String {
    format!("{action}: select {kind} (:{command})")
}

pub fn not_attached(volume: &str) -> String {
    format!("{volume} is not attached")
}

/// The dialog's line about an instance acted on.
pub fn instance_context(
    id: &str,
    name: &str,
    state: &str,
    instance_type: &str,
    az: &str,
    target_groups: usize,
) -> String {
    format!("{id} {name} · {state} · {instance_type} · {az} · in {target_groups} target group(s)")
}

/// The dialog's line about a volume acted on.
pub fn volume_context(
    id: &str,
    size_gib: i32,
    volume_type: &str,
    az: &str,
    attached_to: Option<&str>,
) -> String {
    format!(
        "{id} · {size_gib}G {volume_type} · {az} · attached to {}",
        attached_to.unwrap_or("nothing")
    )
}

/// The description a snapshot taken from the console gets in the account.
pub fn snapshot_description(volume: &str, instance: Option<&str>, at: &str) -> String {
    format!(
        "opsdeck snapshot of {volume}{} at {at}",
        instance.map(|i| format!(" ({i})")).unwrap_or_default()
    )
}

// ---------------------------------------------------------------------------------------------
// The runbook screen

pub const A_RUNBOOK: &str = "a runbook";
pub const RUN_DONE: &str = "run done";
pub const NOTHING_TO_DO: &str = "nothing to do";
pub const CANCEL_REQUESTED: &str =
    "cancel requested: the run stops at its next safe point (what it took out is put back first)";
pub const STOP_NOW_REQUESTED: &str =
    "stop requested: the run stops at its next poll, whatever it leaves out of service";
pub const RUN_GOES_ON: &str = "the run goes on";
pub const READ_ONLY_PLAN: &str = "read-only session: this plan cannot run here (it has no writer)";
pub const PREFLIGHT_STALE: &str =
    "the preflight is over 5 minutes old: checking again before running";

pub fn one_run_at_a_time(what: &str) -> String {
    format!("{what} is running: one run at a time (:runbooks returns to it)")
}

pub fn run_waits_for_approval(step: usize) -> String {
    format!("the run waits for your approval of step {step} (:runbooks)")
}

/// A run's end in the status line, when it can be resumed or rolled back; `why` is `: error` or
/// empty.
pub fn run_ended_open(status: &str, why: &str) -> String {
    format!("run {status}{why}: u rolls back, r resumes")
}

/// A run that failed because a step's resources are gone: resuming cannot help.
pub fn run_ended_gone(why: &str) -> String {
    format!("run failed{why}: resuming cannot help; u rolls back, :runs then a abandons")
}

/// `r` on a run whose resources are gone.
pub const GONE_NO_RESUME: &str =
    "its resources are gone: resuming cannot help; u rolls back, or abandon it in :runs (a)";

/// A running step past its expected time: how long, and what it last saw.
pub fn overdue(elapsed: &str, expected: &str, last: Option<&str>) -> String {
    format!(
        "overdue: {elapsed}, expected {expected}; last seen: {}",
        last.unwrap_or("nothing yet")
    )
}

/// The unfinished steps whose call was made (numbered from 1): `step 2 called`; empty when none.
pub fn steps_called(called: &[usize]) -> String {
    match called {
        [] => String::new(),
        [one] => format!("step {one} called"),
        many => format!(
            "steps {} called",
            many.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `:runs`'s steps: finished of all, then what it touched: `1/5 (step 2 called)`.
pub fn steps_done(done: usize, steps: usize, called: &[usize]) -> String {
    match steps_called(called) {
        c if c.is_empty() => format!("{done}/{steps}"),
        c => format!("{done}/{steps} ({c})"),
    }
}

/// A run's outputs in one line: `image ami-1 · replacement i-2`.
pub fn outputs_line(outputs: &[(String, String)]) -> String {
    outputs
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn run_stopped(e: &str) -> String {
    format!("run stopped: {e}")
}

/// `said`: what abandoning did or left in the cloud (processes resumed, members in Standby).
pub fn run_abandoned(run_id: &str, said: &[String]) -> String {
    if said.is_empty() {
        format!("run {run_id} abandoned; nothing was changed in the cloud")
    } else {
        format!("run {run_id} abandoned; {}", said.join("; "))
    }
}

pub fn abandon_failed(run_id: &str, e: &str) -> String {
    format!("abandon {run_id}: {e}")
}

pub fn type_id_to_approve(id: &str) -> String {
    format!("type {id} exactly to approve (esc stops the run here)")
}

/// The runbook screen's log (each line after its time). Steps are numbered from 1.
pub mod log {
    pub fn run_started(run_id: &str) -> String {
        format!("run {run_id} started (journaled)")
    }

    pub fn run_resumed(run_id: &str) -> String {
        format!("run {run_id} resumed: finished steps are skipped, a step in doubt is re-observed")
    }

    pub fn step_resumed(step: usize, steps: usize, title: &str) -> String {
        format!("▶ {step}/{steps} {title} (resumed: its call was made before; re-observing)")
    }

    pub fn step_output(step: usize, key: &str, value: &str) -> String {
        format!("  {step}: {key} = {value}")
    }

    pub fn step_waits(step: usize, title: &str) -> String {
        format!("step {step} waits for your approval: {title}")
    }

    /// `why` is `: error` or empty.
    pub fn run_ended(status: &str, why: &str) -> String {
        format!("run {status}{why}")
    }

    pub fn step_started(step: usize, steps: usize, title: &str) -> String {
        format!("▶ {step}/{steps} {title}")
    }

    pub fn step_waiting(step: usize, detail: &str) -> String {
        format!("  {step}: {detail}")
    }

    pub fn step_called(step: usize, call: &str, request_id: Option<&str>) -> String {
        format!(
            "  {step}: called {call} (request {})",
            request_id.unwrap_or("-")
        )
    }

    pub fn step_retrying(step: usize, error: &str) -> String {
        format!("  {step}: {}", crate::strings::retrying(error))
    }

    pub fn step_done(step: usize, steps: usize, secs: u64) -> String {
        format!("✓ {step}/{steps} done in {secs}s")
    }

    pub fn step_failed(step: usize, steps: usize, error: &str) -> String {
        format!("✗ {step}/{steps} failed: {error}")
    }

    pub fn plan_approved(steps: usize) -> String {
        format!("plan approved: {steps} step(s)")
    }

    pub fn step_approved(step: usize, title: &str) -> String {
        format!("step {step} approved: {title}")
    }

    pub fn step_declined(step: usize) -> String {
        format!("step {step} declined: the run stops before it")
    }
}

/// What a step waits for while its call is retried.
pub fn retrying(error: &str) -> String {
    format!("retrying: {error}")
}

// ---------------------------------------------------------------------------------------------
// The runbook lists (`:runbooks`, `r`, `:runs`)

pub const RUNBOOKS: &str = "Runbooks";
/// The mark of the list's line that leads back to the runbook screen.
pub const BACK_MARK: char = '▶';
pub const BACK_TO_RUNBOOK: &str = "back to the runbook screen";
pub const NOTHING_TO_OFFER: &str = "nothing to offer here";
/// The `:runbooks` line that leads to `:runs` (enter opens it).
pub const RUNS_LABEL: &str = ":runs";
pub const RUNS_DETAIL: &str = "journaled runs: resume, roll back or abandon an unfinished one";
pub const FROM_AN_INSTANCE_LABEL: &str = "remove-spof · db-failover · snapshot";
pub const FROM_AN_INSTANCE: &str = "from an instance: select it in :instances and press r";
pub const FROM_A_GROUP_LABEL: &str = "rolling-maintenance · remove-spof";
pub const FROM_A_GROUP: &str = "from an Auto Scaling group: select it in :asg and press r";
pub const FROM_A_VOLUME_LABEL: &str = "restore · prune";
pub const FROM_A_VOLUME: &str = "from a volume: select it in :volumes and press r";
pub const KEPT: &str = "kept: nothing was changed";
pub const RUN_IN_PROGRESS_HERE: &str = "this run is in progress here: cancel it first";
/// A run whose journal cannot be read.
pub const UNREADABLE: &str = "unreadable";

pub fn runbooks_for_group(name: &str) -> String {
    format!("Runbooks for {name}")
}

pub fn runbooks_for_zone(az: &str) -> String {
    format!("Runbooks for the findings in {az}")
}

pub fn runbooks_for_volume(id: &str) -> String {
    format!("Runbooks for volume {id}")
}

pub fn runbooks_for_instance(id: &str) -> String {
    format!("Runbooks for instance {id}")
}

pub fn back_to(what: &str) -> String {
    format!("{BACK_MARK} {what}")
}

pub fn no_runbook_fixes(kind: &str) -> String {
    format!("no runbook fixes {kind}: it needs a decision (d describes it)")
}

pub fn abandoning(run_id: &str) -> String {
    format!("abandoning {run_id}…")
}

pub fn nothing_to_abandon(run_id: &str, status: &str) -> String {
    format!("run {run_id} is {status}: nothing to abandon")
}

pub fn unreadable(e: &str) -> String {
    format!("{UNREADABLE}: {e}")
}

pub fn planned_from_its_journal(run_id: &str) -> String {
    format!("run {run_id} is planned from its journal, not from the inventory")
}

/// What each runbook offered for an instance does (`name` is its id, and its name if it has one).
pub mod offer {
    pub fn rolling_group(group: &str) -> String {
        format!("maintain every member of {group}, one at a time, through Standby")
    }

    pub fn widen_group(group: &str) -> String {
        format!(
            "widen {group} into another AZ (a subnet there, one more instance; the group launches)"
        )
    }

    pub fn ahead_of(event: &str) -> String {
        format!(", ahead of its {event}")
    }

    /// `ahead` is `ahead_of(..)` or empty.
    pub fn rolling(name: &str, ahead: &str) -> String {
        format!("drain, restart and rejoin {name}, keeping its groups served{ahead}")
    }

    pub fn remove_spof(name: &str) -> String {
        format!("clone {name} via an AMI into another AZ and register the clone where it serves")
    }

    pub fn db_failover(name: &str) -> String {
        format!(
            "move {name}'s data volume (or its newest snapshot) and Elastic IP to a replacement"
        )
    }

    pub fn snapshot(name: &str) -> String {
        format!("snapshot every volume of {name}")
    }

    pub fn reschedule(name: &str, event: &str, deadline: &str) -> String {
        format!("move {name}'s {event} to its deadline, {deadline} (no change to the instance now)")
    }

    pub fn restore_label(zone: &str) -> String {
        format!("restore into {zone}")
    }

    pub fn restore(zone: &str, volume: &str, snapshot: &str, own_zone: bool) -> String {
        format!(
            "a new volume in {zone} from {volume}'s newest snapshot {snapshot}{}",
            if own_zone { " (its own zone)" } else { "" }
        )
    }

    pub fn nothing_to_restore(volume: &str) -> String {
        format!("{volume} has no completed snapshot to restore")
    }

    pub fn prune(volume: &str, keep: usize) -> String {
        format!("delete {volume}'s snapshots but the {keep} newest (never one an AMI uses)")
    }

    pub fn snapshot_with(instance: &str) -> String {
        format!("snapshot every volume of {instance}, this one included")
    }

    pub fn scheduled_maintenance(instances: usize, region: &str) -> String {
        format!(
            "{instances} instance(s) with an upcoming scheduled event in {region}, one at a time"
        )
    }

    pub fn fixes(kind: &str, message: &str) -> String {
        format!("fixes {kind}: {message}")
    }
}

// ---------------------------------------------------------------------------------------------
// Xray's lines

pub mod xray {
    pub const TARGET_GROUPS: &str = "Target groups";
    pub const AUTO_SCALING_GROUP: &str = "Auto Scaling group";
    pub const MEMBERS: &str = "Members";
    pub const SUBNETS: &str = "Subnets";
    pub const SETTINGS: &str = "Settings";
    pub const LIFECYCLE_HOOKS: &str = "Lifecycle hooks";
    pub const INSTANCE_REFRESH: &str = "Instance refresh";
    pub const PATH_DECREMENT: &str = "a member can leave through Standby, desired one lower";
    pub const PATH_STAND_IN: &str =
        "a member leaves only after a stand-in is in service (desired raised first)";

    pub fn group(
        name: &str,
        in_service: usize,
        desired: i32,
        min: i32,
        max: i32,
        busy: Option<&str>,
    ) -> String {
        format!(
            "{name}  {in_service}/{desired} in service  min {min} max {max}{}",
            busy.map(|b| format!("  ({b})")).unwrap_or_default()
        )
    }

    pub fn membership(state: &str, healthy: bool) -> String {
        format!(
            "this instance: {state}, {}",
            if healthy { "healthy" } else { "unhealthy" }
        )
    }

    pub fn member(id: &str, name: &str, az: &str, state: &str, healthy: bool) -> String {
        format!(
            "{id} {name}  {az}  {state}{}",
            if healthy { "" } else { "  unhealthy" }
        )
    }

    pub fn group_target_group(name: &str, healthy: usize, total: usize) -> String {
        format!("{name}  {healthy}/{total} healthy")
    }

    pub fn health_check(kind: &str, grace: i32) -> String {
        format!("health check {kind}, grace {grace}s")
    }

    pub fn suspended(list: &str) -> String {
        if list.is_empty() {
            "no process suspended".into()
        } else {
            format!("suspended: {list}")
        }
    }

    pub fn maintenance(min_healthy: Option<i32>, path: &str) -> String {
        format!(
            "maintenance: {}; {path}",
            min_healthy
                .map(|p| format!("keeps {p}% healthy"))
                .unwrap_or_else(|| "no instance maintenance policy".into())
        )
    }
    pub const VOLUMES: &str = "Volumes";
    pub const ELASTIC_IPS: &str = "Elastic IPs";
    pub const NETWORK_INTERFACES: &str = "Network interfaces";
    pub const SCHEDULED_EVENTS: &str = "Scheduled events";
    pub const METRICS: &str = "Metrics";
    pub const ALARMS: &str = "Alarms";
    pub const NO_SNAPSHOT: &str = "no snapshot";

    pub fn heading(text: &str, n: usize) -> String {
        format!("{text} ({n})")
    }

    pub fn instance(
        id: &str,
        name: &str,
        state: &str,
        instance_type: &str,
        az: &str,
        checks: &str,
    ) -> String {
        format!("{id} {name}  {state}  {instance_type}  {az}  checks {checks}")
    }

    /// `reason` is ` (why)` or empty.
    pub fn registration(
        group: &str,
        port: &str,
        state: &str,
        reason: &str,
        healthy_elsewhere: usize,
    ) -> String {
        format!("{group}  port {port}  {state}{reason}  ({healthy_elsewhere} other healthy)")
    }

    pub fn snapshot(id: &str, state: &str, bar: &str, age: &str) -> String {
        format!("{id}  {state} {bar}  {age} ago")
    }

    pub fn older_snapshots(n: usize) -> String {
        format!("… {n} older snapshots")
    }

    pub fn event(code: &str, not_before: &str, time_left: &str, deadline: &str) -> String {
        format!("{code}  not before {not_before}  in {time_left}  deadline {deadline}")
    }

    pub fn metric(metric: &str, sparkline: &str, latest: &str) -> String {
        format!("{metric:<18} {sparkline}  latest {latest}")
    }
}

// ---------------------------------------------------------------------------------------------
// The AZ map's lines

pub mod azmap {
    pub const GROUPS_HERE: &str = "Auto Scaling groups here";

    /// `elsewhere`: the group's other AZs, where it relaunches what it loses here.
    pub fn group_here(name: &str, here: usize, total: usize, elsewhere: &[String]) -> String {
        if elsewhere.is_empty() {
            format!("  {name} {here}/{total} in service, nowhere else to launch")
        } else {
            format!(
                "  {name} {here}/{total} in service, relaunches in {}",
                elsewhere.join(", ")
            )
        }
    }

    pub fn group_down(name: &str, n: usize) -> String {
        format!("  Auto Scaling group {name} loses its {n} instance(s) and cannot relaunch")
    }

    pub const HEALTHY_TARGETS_HERE: &str = "Healthy targets here";
    pub const NONE: &str = "  none";
    pub const NOTHING_BREAKS: &str = "If it goes: nothing breaks";
    pub const IF_IT_GOES: &str = "If it goes:";
    pub const NO_FINDINGS: &str = "Findings: none";
    /// After an instance with an upcoming scheduled event.
    pub const EVENT_MARK: &str = " ⚠";

    pub fn instances(n: usize, running: usize, impaired: usize) -> String {
        format!(
            "Instances {n} ({running} up{})",
            if impaired > 0 {
                format!(", {impaired} impaired")
            } else {
                String::new()
            }
        )
    }

    pub fn more(n: usize) -> String {
        format!("  … {n} more")
    }

    /// A tier (role tag) whose every running instance is in the zone.
    pub fn tier_lost(role: &str) -> String {
        format!("  tier {role}: every running instance is here")
    }

    pub fn loses_all(group: &str, healthy: usize) -> String {
        format!("  {group} loses all {healthy}")
    }

    pub fn volumes(n: usize, gib: i64) -> String {
        format!("Volumes {n} ({gib} GiB)")
    }

    pub fn without_snapshot(n: usize) -> String {
        format!("  {n} without snapshot")
    }

    pub fn events(n: usize) -> String {
        format!("Events {n}")
    }

    pub fn only_zone(load_balancer: &str) -> String {
        format!("  {load_balancer} (only zone)")
    }

    pub fn eip_dark(ip: &str, instance: &str) -> String {
        format!("  EIP {ip} ({instance}) dark")
    }

    pub fn volumes_without_snapshot(n: usize) -> String {
        format!("  {n} volumes, no snapshot:")
    }

    pub fn more_volumes(n: usize) -> String {
        format!("    … {n} more")
    }

    pub fn findings(n: usize) -> String {
        format!("Findings {n} (r: their runbooks)")
    }
}

// ---------------------------------------------------------------------------------------------
// The keymap: what actions are called (the footer, help) and its warnings

/// An action bound to no key, in the footer.
pub const NO_KEY: &str = "-";
/// An action bound to no key, in help.
pub const UNBOUND: &str = "(unbound)";
/// Where keymap warnings come from.
pub const EMBEDDED_KEYMAP: &str = "keymap";
pub const CONFIG_KEYS: &str = "config [keys]";

pub fn embedded_keymap_invalid(e: &str) -> String {
    format!("embedded keymap is invalid: {e}")
}

pub fn unknown_action(origin: &str, name: &str) -> String {
    format!("{origin}: unknown action `{name}` ignored")
}

pub fn unknown_key(origin: &str, key: &str, action: &str) -> String {
    format!("{origin}: unknown key `{key}` for `{action}` ignored")
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::General => "General",
            Group::Move => "Moving",
            Group::View => "Views and data",
            Group::Mutate => "Actions (confirmed, dry run first)",
        }
    }
}

impl Action {
    /// A short label for the footer.
    pub fn label(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Left => "left",
            Action::Right => "right",
            Action::Command => "cmd",
            Action::Filter => "filter",
            Action::Help => "help",
            Action::Enter => "open",
            Action::Describe => "describe",
            Action::Xray => "xray",
            Action::AzMap => "az map",
            Action::Runbook => "runbook",
            Action::SortNext => "sort",
            Action::SortReverse => "reverse",
            Action::Refresh => "refresh",
            Action::CopyId => "copy id",
            Action::ExportCsv => "csv",
            Action::ExportJson => "json",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Reboot => "reboot",
            Action::CreateSnapshot => "snapshot",
            Action::CreateImage => "image",
            Action::Register => "register",
            Action::Deregister => "deregister",
            Action::Detach => "detach",
        }
    }

    /// One line for the help screen.
    pub fn help(self) -> &'static str {
        match self {
            Action::Quit => "quit opsdeck (the terminal is restored)",
            Action::Back => "clear the filter, close a dialog, or go back one screen",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "one page up",
            Action::PageDown => "one page down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::Left => "previous column (AZ map), scroll left",
            Action::Right => "next column (AZ map), scroll right",
            Action::Command => {
                "command line: a view (:instances, :az...), :region R, :profile P, :q"
            }
            Action::Filter => "filter rows: text, field:value, !inverse (sticky per view)",
            Action::Help => "this help",
            Action::Enter => "open: drill down (load balancer, target group) or describe",
            Action::Describe => "describe: every field of the selected resource",
            Action::Xray => "xray: everything related to the selected instance",
            Action::AzMap => "AZ map: what breaks if a zone goes",
            Action::Runbook => {
                "runbooks for the selected instance, volume or finding: a plan first, nothing changes before y"
            }
            Action::SortNext => "sort by the next column",
            Action::SortReverse => "reverse the sort order",
            Action::Refresh => "refresh the inventory now",
            Action::CopyId => "copy the selected id to the clipboard (OSC 52)",
            Action::ExportCsv => "export the current view (filtered, sorted) to CSV",
            Action::ExportJson => "export the current view (filtered, sorted) to JSON",
            Action::Start => "start the selected instance",
            Action::Stop => "stop the selected instance (type its id to confirm)",
            Action::Reboot => "reboot the selected instance",
            Action::CreateSnapshot => "snapshot the selected volume",
            Action::CreateImage => "create an AMI of the selected instance (no reboot)",
            Action::Register => "register the selected target in its target group again",
            Action::Deregister => "deregister the selected target (type its id to confirm)",
            Action::Detach => "detach the selected volume (type its id to confirm)",
        }
    }
}
