//! Every text the drawing adds (as gitui's `strings.rs`): the header, banners, the status and input
//! lines, the footer, the dialog, each screen's titles, headings and messages. Dynamic texts are
//! small functions; the views decide only what goes in and how it is styled.
//!
//! The state layer's own wording (status messages, action labels, the commands' help, xray and AZ
//! map lines) is in `opsdeck_app::strings` and the command table.

// ---------------------------------------------------------------------------------------------
// The whole frame

pub fn too_small(width: u16, height: u16, min_width: u16, min_height: u16) -> String {
    format!(
        "opsdeck: terminal too small ({width}x{height}, needs {min_width}x{min_height}); q quits"
    )
}

/// An age under a minute.
pub const UNDER_A_MINUTE: &str = "<1m";

// ---------------------------------------------------------------------------------------------
// The header

pub const APP_NAME: &str = " opsdeck";
pub const READ_ONLY_BADGE: &str = " READ-ONLY ";
/// The profile of a session that names none.
pub const DEFAULT_PROFILE: &str = "default";
pub const CONNECTING: &str = "connecting…";
pub const NOT_CONNECTED: &str = "not connected";
pub const NO_GOOD_DATA_YET: &str = "no good data yet";
pub const LOADING_INVENTORY: &str = "loading inventory…";
pub const REFRESHING: &str = " · refreshing…";

pub fn profile_badge(profile: &str) -> String {
    format!(" {profile} ")
}

/// `:region R` narrows the view to one of the session's regions.
pub fn one_region_of(region: &str, regions: usize) -> String {
    format!("{region} (of {regions})")
}

pub fn account(account: &str) -> String {
    format!("acct {account}")
}

pub fn data_age(age: &str) -> String {
    format!("data {age} old")
}

// ---------------------------------------------------------------------------------------------
// Banners

pub const RETRYING_NOW: &str = "retrying now";
pub const CTRL_R_RETRIES: &str = "ctrl-r retries";
pub const UNFINISHED_RUN_SHORT: &str = "unfinished run (:runs)";
pub const CANNOT_CONNECT: &str = "cannot connect";
pub const SHOWING_WHAT_COULD_BE_READ: &str = "showing what could be read";
pub const NO_DATA_YET: &str = "no data yet";

pub fn next_retry(at: &str) -> String {
    format!("next retry {at}")
}

/// The last banner line when they do not all fit: how many more, and their short names.
pub fn more_banners(hidden: usize, names: &[&str]) -> String {
    format!("+{hidden} more: {}", names.join(" · "))
}

pub fn run_waits(what: &str, step: usize) -> String {
    format!("{what} waits for your approval of step {step} — :runbooks returns to it")
}

pub fn run_waits_short(what: &str) -> String {
    format!("{what} waits for approval")
}

pub fn run_running(what: &str) -> String {
    format!("{what} is running — :runbooks returns to it")
}

pub fn run_running_short(what: &str) -> String {
    format!("{what} running")
}

pub fn and_more(n: usize) -> String {
    format!(" (and {n} more)")
}

/// `more` is `and_more(..)` or empty.
pub fn unfinished_run(
    run_id: &str,
    runbook: &str,
    status: &str,
    (done, steps): (usize, usize),
    called: &str,
    more: &str,
) -> String {
    let called = if called.is_empty() {
        String::new()
    } else {
        format!(", {called}")
    };
    format!(
        "unfinished run {run_id} ({runbook}, {status}, {done}/{steps} steps{called}){more} — :runs to resume, roll back or abandon"
    )
}

pub fn cannot_connect_banner(retry: &str, e: &str) -> String {
    format!("{CANNOT_CONNECT} · {retry} · {e}")
}

pub fn showing_data_from(age: &str) -> String {
    format!("showing data from {age} ago")
}

/// A failed region, with AWS's error code.
pub fn region_with_code(region: &str, code: &str) -> String {
    format!("{region} [{code}]")
}

pub fn region_banner(region: &str, age: &str, retry: &str, reason: &str) -> String {
    format!("{region} · {age} · {retry} · {reason}")
}

/// One kind a refresh could not read, for a region's banner: what, the call, AWS's code.
pub fn unread_kind(kind: &str, call: Option<&str>, code: &str) -> String {
    match call {
        Some(c) => format!("{kind} ({c} {code})"),
        None => format!("{kind} ({code})"),
    }
}

/// A region's banner reason when some of its lists could not be read: the first in plain words,
/// then every one of them.
pub fn could_not_read(first: &str, kinds: &[String]) -> String {
    format!("{first} · could not read {}", kinds.join(", "))
}

/// The header's count of CloudWatch alarms in ALARM.
pub fn alarms_firing(n: usize) -> String {
    format!(" {n} alarm{} firing ", if n == 1 { "" } else { "s" })
}

/// The header's list of zones AWS reports impaired or unavailable.
pub fn zones_impaired(zones: &[&str]) -> String {
    format!(" impaired: {} ", zones.join(", "))
}

/// The header's data age when every refresh so far left something unread.
pub fn partial_data(age: &str) -> String {
    format!("partial data {age} old")
}

/// After a failed region's first reason, when more of its lists failed.
pub fn more_failed(n: usize) -> String {
    format!(" (+{n} more failed)")
}

/// After a failed region's reason, when all its calls failed alike.
pub fn calls(n: &str) -> String {
    format!(" ({n} calls)")
}

// ---------------------------------------------------------------------------------------------
// The status line, the `:` and `/` lines, the footer

pub const COMMAND_PROMPT: &str = ":";
pub const FILTER_PROMPT: &str = "/";

pub fn completions(options: &[String]) -> String {
    format!("   tab: {}", options.join(" "))
}

pub fn filter_count(shown: usize, total: usize) -> String {
    format!("   {shown} of {total} rows · field:value, !inverse · enter keeps, esc clears")
}

/// A key as the footer and dialogs show it.
pub fn key(key: &str) -> String {
    format!("<{key}>")
}

pub fn footer_label(label: &str) -> String {
    format!("{label} ")
}

// ---------------------------------------------------------------------------------------------
// The confirmation dialog

pub const DRY_RUN_CHECKING: &str = "dry run: checking permissions and state…";
pub const DRY_RUN_OK: &str = "✓ dry run: would succeed";
pub const RUNNING: &str = "running…";
pub const ENTER: &str = "<enter>";
pub const RUN: &str = " run  ";
pub const ESC: &str = "<esc>";
pub const CANCEL: &str = " cancel";

pub fn confirm_title(call: &str) -> String {
    format!(" Confirm: {call} ")
}

pub fn region(region: &str) -> String {
    format!("region {region}")
}

pub fn dry_run_refused(e: &str) -> String {
    format!("✗ dry run refused: {e}")
}

/// A capacity-guard objection in the confirmation dialog (red; the id must then be typed).
pub fn guard_line(what: &str) -> String {
    format!("⚠ capacity guard: this {what}")
}

pub fn type_to_confirm(id: &str) -> String {
    format!("type {id} to confirm: ")
}

/// What has been typed, with the cursor after it.
pub fn typed(text: &str) -> String {
    format!("{text}_")
}

// ---------------------------------------------------------------------------------------------
// Before the first inventory (every screen)

pub const NOT_CONNECTED_RETRIES: &str = "not connected (ctrl-r retries)";

pub fn cannot_connect(e: &str) -> String {
    format!("cannot connect: {e}")
}

pub fn loading_inventory_of(regions: &[String]) -> String {
    format!("loading the inventory of {}…", regions.join(", "))
}

// ---------------------------------------------------------------------------------------------
// Tables

pub const HEALTHY_PER_AZ: &str = "healthy per AZ: ";
pub const NOTHING_HERE: &str = "nothing here";
pub const NO_ROWS_MATCH: &str = "no rows match the filter (esc clears it)";
pub const NO_TARGETS: &str = "no targets";

pub fn target_groups_of(load_balancer: &str) -> String {
    format!("Target groups of {load_balancer}")
}

pub fn targets_of(target_group: &str) -> String {
    format!("Targets of {target_group}")
}

pub fn rows(total: usize) -> String {
    format!(" ({total})")
}

pub fn rows_of(shown: usize, total: usize) -> String {
    format!(" ({shown} of {total})")
}

pub fn filtered(filter: &str) -> String {
    format!(" /{filter}")
}

pub fn only_region(region: &str) -> String {
    format!(" [{region}]")
}

/// A screen's title in its frame.
pub fn title(title: &str) -> String {
    format!(" {title} ")
}

pub fn building_table(rows: usize) -> String {
    format!("building the table of {rows} rows…")
}

/// One zone's health: `unit` is ` healthy` or empty.
pub fn zone_health(az: &str, healthy: usize, total: usize, unit: &str) -> String {
    format!("{az} {healthy}/{total}{unit}")
}

// ---------------------------------------------------------------------------------------------
// Describe, xray, the AZ map

pub fn describe_title(kind: &str, id: &str, line: usize, lines: usize) -> String {
    format!(" {kind} {id} ({line}/{lines}) ")
}

pub fn xray_title(instance: &str) -> String {
    format!(" Xray {instance} ")
}

pub const NO_ZONES: &str = "no zones";

pub fn showing_zones(first: usize, last: usize) -> String {
    format!(", showing {first}-{last}, h/l for more")
}

/// `more` is `showing_zones(..)` or empty.
pub fn az_map_title(zones: usize, more: &str) -> String {
    format!(" AZ map ({zones} zones{more}) — what breaks if a zone goes ")
}

// ---------------------------------------------------------------------------------------------
// Help

pub const HELP_TITLE: &str = " Help — keys from your keymap (esc closes) ";
/// Marks a help line as a heading (drawn in the title style, without its marker).
pub const HEADING_MARK: &str = "## ";
pub const COMMANDS_HEADING: &str = "Commands (: then tab completes)";
pub const FILTER_HEADING: &str = "Filter (/)";
pub const CHAOS_HEADING: &str = "Chaos (:chaos CMD, demo only)";
pub const CONFIRMATIONS_HEADING: &str = "Confirmations";
pub const FILTER_HELP: &[(&str, &str)] = &[
    (
        "web",
        "rows containing web in any column (case-insensitive)",
    ),
    ("state:running", "rows whose STATE column contains running"),
    ("web az:1a", "every term must match"),
    ("!running", "rows that do NOT match"),
    (
        "enter / esc",
        "keep the filter / clear it; it stays with the view",
    ),
];
pub const CONFIRMATIONS_HELP: (&str, &str) = (
    "enter / esc",
    "run after a successful dry run / cancel; stop, deregister and detach need the id typed",
);

pub fn heading(text: &str) -> String {
    format!("{HEADING_MARK}{text}")
}

// ---------------------------------------------------------------------------------------------
// The runbook screen

pub const RUNBOOK_TITLE: &str = " Runbook ";
pub const NO_RUNBOOK: &str = "no runbook: :runbooks lists them, r offers those of the selected row";
pub const LOG: &str = "log";
pub const READ_ONLY_PLAN: &str = "read-only session: this is the plan only; it cannot run here";
pub const PREFLIGHT: &str =
    "preflight: every mutating call tried with DryRun, capacity guards evaluated…";
pub const PREFLIGHT_REFUSES: &str = "✗ the preflight refuses this plan (nothing was changed):";
pub const PREFLIGHT_PASSED: &str =
    "✓ preflight passed: DryRun ok where the API allows it, guards hold";
pub const STARTING: &str = "starting: journaling the plan…";
pub const CONFIRM_CANCEL: &str = "cancel the run? it stops at its next safe point (what it took out of service is put back first; cancel again to stop at once) and can be rolled back — y cancels, any other key keeps it running";
/// Before "esc back" where the run can be rolled back.
pub const ROLLS_BACK: &str = "u rolls back · ";
pub const ESC_BACK_NOTHING_CHANGES: &str = "esc back (nothing changes)";
pub const NOTHING_CHANGED_PLAN_AGAIN: &str = "nothing was changed · r plans again · esc back";
pub const ESC_BACK: &str = "esc back";
pub const READY_ASK_EACH: &str = "y runs this plan, asking before every mutating step (destructive ones want their id) · a: ask only for destructive steps · esc back";
pub const READY: &str = "y runs this plan (destructive steps ask for their id) · a: ask before every step · esc back: nothing changes";
pub const CONFIRM_STOP_NOW: &str = "stop the run now? it stops at its next poll even with something out of service (its journal names what; roll it back or resume it) — y stops it, any other key lets it reach its safe point";
pub const CANCELLING: &str =
    "cancelling: the run stops at its next safe point (cancel again to stop at once)";
pub const RUNNING_KEYS: &str =
    "c cancels the run · esc leaves it running (the banner brings you back)";
pub const PLAN_AGAIN: &str = "r plans again · esc back";
pub const ENTER_APPROVES: &str = "enter approves · n or esc stops the run here";
pub const DONE_BEFORE: &str = "done before";
pub const DESTRUCTIVE: &str = " [destructive]";
pub const HEALTHY: &str = " healthy";

/// A failed run whose resources are gone: resuming cannot help.
pub const GONE_KEYS: &str = "its resources are gone: resuming cannot help · u rolls back · :runs then a abandons · esc back";
pub const OUTPUTS: &str = "outputs";

/// `:runs`'s last column: the steps it touched (`step 2 called`), the outputs (`→ image ami-1`),
/// then the note; each only when there is one.
pub fn run_row_tail(called: &str, outputs: &str, note: &str) -> String {
    let outputs = if outputs.is_empty() {
        String::new()
    } else {
        format!("→ {outputs}")
    };
    [called, outputs.as_str(), note]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One line of the outputs block: the output's name, then its value.
pub fn output_row(name: &str, value: &str) -> String {
    format!("  {name:<14} {value}")
}

pub fn more_outputs(n: usize) -> String {
    format!("  … {n} more (opsdeck runs --format json lists them all)")
}

/// The time column of a step past its expected time.
pub fn overdue_time(elapsed: &str, expected: &str) -> String {
    format!("overdue {elapsed} / {expected}")
}

/// A step past its expected time: the app's words (`overdue: …; last seen: …`).
pub fn step_overdue(words: &str) -> String {
    format!("       ⚠ {words}")
}

/// A resumed run's headline when its last attempt found its resources gone.
pub fn resuming_gone(run: &str) -> String {
    format!(
        "resuming{run}: last time its resources were gone; resuming cannot help (u rolls back, :runs then a abandons)"
    )
}

/// The title of a resumed run.
pub fn resumed_title(title: &str) -> String {
    format!("{} · resumed ", title.trim_end())
}

/// `undo` is `ROLLS_BACK` or empty.
pub fn resumes(undo: &str) -> String {
    format!("{undo}r resumes · esc back")
}

/// `undo` is `ROLLS_BACK` or empty.
pub fn back(undo: &str) -> String {
    format!("{undo}esc back")
}

pub fn runbook_title(runbook: &str, region: &str, steps: usize, about: &str) -> String {
    format!(" Runbook {runbook} in {region} — {steps} steps, about {about} ")
}

pub fn runbook_title_unplanned(runbook: &str) -> String {
    format!(" Runbook {runbook} ")
}

pub fn on_run(run_id: &str) -> String {
    format!(" · run {run_id}")
}

pub fn planning(command: &str) -> String {
    format!("planning {command}…")
}

pub fn refused(why: &str) -> String {
    format!("✗ refused: {why}")
}

/// `run` is `on_run(..)` or empty.
pub fn resuming(run: &str) -> String {
    format!("resuming{run}: done steps are skipped, a step in doubt is re-observed first")
}

pub fn running_step(at: usize, steps: usize, run: &str) -> String {
    format!("▶ running step {at}/{steps}{run}")
}

/// The headline of a plan with no step (nothing to prune, nothing to maintain): it never ran.
pub const NOTHING_TO_DO_HEADLINE: &str = "nothing to do: the plan has no step (its notes say why)";

pub fn done(run: &str) -> String {
    format!("✓ done{run}")
}

pub fn failed_at(at: usize, steps: usize, run: &str, error: &str) -> String {
    format!("✗ failed at step {at}/{steps}{run}: {error}")
}

pub fn stopped_at(status: &str, at: usize, steps: usize, run: &str) -> String {
    format!("{status} at step {at}/{steps}{run}")
}

pub fn broken(e: &str) -> String {
    format!("✗ {e}")
}

pub fn step_is_destructive(step: usize, title: &str) -> String {
    format!("step {step} is destructive: {title}")
}

pub fn type_id_and_enter(id: &str) -> String {
    format!("type {id} and enter to approve (esc stops the run here): ")
}

pub fn approve_step(step: usize, title: &str) -> String {
    format!("approve step {step}: {title}?")
}

/// Elapsed against expected, `0:42 / 2m`.
pub fn elapsed_of(elapsed: &str, expected: &str) -> String {
    format!("{elapsed} / {expected}")
}

pub fn about(expected: &str) -> String {
    format!("~{expected}")
}

pub fn step_failed(e: &str) -> String {
    format!("       ✗ {e}")
}

pub fn step_waiting(detail: &str) -> String {
    format!("       waiting: {detail}")
}

pub fn group_health(group: &str) -> String {
    format!("health {group}: ")
}

pub fn problem(p: &str) -> String {
    format!("  ✗ {p}")
}

pub fn note(n: &str) -> String {
    format!("note: {n}")
}

// ---------------------------------------------------------------------------------------------
// The runbook lists

pub const NO_RUNS_YET: &str =
    "no runs yet: runbooks started here or headless are journaled and listed here";
pub const READING_THE_JOURNAL: &str = "reading the journal…";

pub fn chooser_title(title: &str) -> String {
    format!(" {title} — enter plans it; nothing changes before you approve ")
}

pub fn runs_title(runs: usize) -> String {
    format!(" Runs ({runs}) — enter opens · u rolls back · a abandons ")
}

pub fn runs_header() -> String {
    format!(
        "{:<44} {:<22} {:<11} {:>5}  {:<16}  NOTE",
        "RUN", "RUNBOOK", "STATUS", "STEPS", "STARTED"
    )
}

pub fn confirm_abandon(run_id: &str) -> String {
    format!(
        "abandon {run_id}? the journal closes it; nothing is undone (Auto Scaling processes it suspended are resumed) — y abandons, any other key keeps it"
    )
}

/// Who stopped a run when the console ended, as its journal records it.
pub const BY_QUIT: &str = "the console (quit)";
pub const BY_SIGTERM: &str = "SIGTERM";
pub const BY_SIGINT: &str = "SIGINT";
pub const STOPPED_BY_ERROR: &str = "the console (an error ended it)";
/// Said on stderr after the terminal is given back, while runs reach a safe point.
pub const STOPPING_SAFELY: &str = "opsdeck: a run is in progress: it stops at its next safe point (what it took out of service is put back first); ctrl-c or SIGTERM again stops it now";
pub const STOPPING_NOW: &str =
    "opsdeck: stopping the run now; its journal names what it leaves out of service";
