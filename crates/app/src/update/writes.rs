//! Single actions (start, stop, snapshot…): the confirmation dialog, its dry run, the typed id
//! of a destructive one, the call, and its answer.

use super::common::{edit, status};
use super::refresh::start_fetch;
use crate::keys::{Action, Key, KeyCode};
use crate::msg::{Effect, WriteOp};
use crate::resources::ResourceKind;
use crate::runbooks::RunbookRequest;
use crate::state::{AppState, Confirm, ConfirmPhase, StatusLevel};
use crate::strings;
use opsdeck_core::analysis::{Floor, check_deregistration, check_removal};
use opsdeck_core::cloud::{LeaseKey, TargetRef};
use opsdeck_core::domain::Inventory;

pub(super) fn dialog_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    let Some(d) = s.dialog.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            if d.phase == ConfirmPhase::Running {
                // The call is on its way; its answer will still show in the status line.
                s.dialog = None;
            } else {
                s.dialog = None;
                status(s, StatusLevel::Info, strings::CANCELLED);
            }
        }
        KeyCode::Enter => {
            if d.phase == ConfirmPhase::Ready && d.confirmed() {
                d.phase = ConfirmPhase::Running;
                let op = d.op.clone();
                let pools = d.pools.clone();
                let generation = s.next_gen_id();
                if let Some(d) = s.dialog.as_mut() {
                    d.generation = generation;
                }
                s.write_gen = generation;
                s.write_op = Some(op.clone());
                return vec![Effect::Write {
                    generation,
                    op,
                    pools,
                }];
            }
        }
        _ => {
            if d.needs_typed() && d.phase != ConfirmPhase::Running {
                edit(&mut d.typed, key);
            } else if key.code == KeyCode::Char('y') && d.phase == ConfirmPhase::Ready {
                return dialog_key(s, Key::plain(KeyCode::Enter));
            } else if key.code == KeyCode::Char('n') {
                return dialog_key(s, Key::plain(KeyCode::Esc));
            }
        }
    }
    Vec::new()
}

pub(super) fn mutate(s: &mut AppState, a: Action) -> Vec<Effect> {
    if s.session.info.is_none() {
        status(s, StatusLevel::Warn, strings::NOT_CONNECTED_YET);
        return Vec::new();
    }
    // A `:profile` or `:region` switch in flight: the session that would act is the one being
    // left, and the operator already means the next one.
    if s.session.connecting {
        status(s, StatusLevel::Warn, strings::SWITCHING);
        return Vec::new();
    }
    if s.session.read_only() {
        status(s, StatusLevel::Warn, strings::read_only_refusal(a.label()));
        return Vec::new();
    }
    let op = match build_op(s, a) {
        Ok(op) => op,
        Err(why) => {
            status(s, StatusLevel::Info, why);
            return Vec::new();
        }
    };
    // A group's member stopped, rebooted or taken out of a target group outside Standby is judged
    // unhealthy and replaced by its group. A reboot becomes rolling maintenance of that member (it
    // goes through Standby and back); a stop or a deregistration has no such counterpart: refused.
    if let Some((group, instance)) = member_of_group(&s.data.inv, &op) {
        return match &op {
            WriteOp::Reboot { .. } => {
                let region = s
                    .data
                    .inv
                    .instance(&instance)
                    .map(|i| i.region.to_string())
                    .unwrap_or_default();
                let fx = super::runbook::open(
                    s,
                    RunbookRequest::Rolling {
                        region,
                        instances: vec![instance.clone()],
                    },
                );
                status(
                    s,
                    StatusLevel::Info,
                    strings::reboot_through_standby(&instance, &group),
                );
                fx
            }
            _ => {
                let what = match &op {
                    WriteOp::Stop { .. } => strings::STOP_WORD,
                    _ => strings::DEREGISTRATION_WORD,
                };
                let why = strings::member_needs_standby(what, &instance, &group);
                status(s, StatusLevel::Warn, why);
                Vec::new()
            }
        };
    }
    let generation = s.next_gen_id();
    let context = op_context(&s.data.inv, &op);
    let pools = pools_of(&s.data.inv, &op);
    let guard = capacity_guard(&s.data.inv, &op);
    s.dialog = Some(Confirm {
        op: op.clone(),
        pools: pools.clone(),
        context,
        phase: ConfirmPhase::Checking,
        typed: String::new(),
        generation,
        guard,
    });
    vec![Effect::DryRun {
        generation,
        op,
        pools,
    }]
}

/// What an action that takes something out of service takes capacity from: the target groups the
/// instance serves (or the one it leaves), its Auto Scaling group, and the resource itself — the
/// keys a run holds for them (`LeaseKey`). Nothing for an action that takes nothing out.
pub fn pools_of(inv: &Inventory, op: &WriteOp) -> Vec<LeaseKey> {
    let region = op.region();
    let mut keys = vec![LeaseKey::resource(region, op.subject())];
    match op {
        WriteOp::Stop { instance_id, .. } | WriteOp::Reboot { instance_id, .. } => {
            keys.extend(
                inv.target_groups_of_instance(instance_id)
                    .into_iter()
                    .map(|tg| LeaseKey::target_group(&tg.arn)),
            );
            if let Some(g) = inv.group_of_instance(instance_id) {
                keys.push(LeaseKey::group(region, &g.name));
            }
        }
        WriteOp::Deregister {
            target_group_arn, ..
        } => keys.push(LeaseKey::target_group(target_group_arn)),
        WriteOp::Detach { instance_id, .. } => {
            keys.push(LeaseKey::resource(region, instance_id));
        }
        WriteOp::Start { .. }
        | WriteOp::CreateSnapshot { .. }
        | WriteOp::CreateImage { .. }
        | WriteOp::Register { .. } => return Vec::new(),
    }
    keys
}

/// The runbooks' capacity guard, asked for a single action: what a stop, a reboot or a
/// deregistration would leave without a healthy target — a target group, or a target group in
/// an AZ that has healthy targets now — from the console's latest refresh. Empty: none.
pub fn capacity_guard(inv: &Inventory, op: &WriteOp) -> Vec<String> {
    // No group, and no AZ of a group, may lose its last healthy target to a single action.
    let floor = Floor {
        per_group: 1,
        per_az: Some(1),
    };
    let verdict = match op {
        WriteOp::Stop { instance_id, .. } | WriteOp::Reboot { instance_id, .. } => {
            check_removal(inv, &[instance_id.as_str()], floor)
        }
        WriteOp::Deregister {
            target_group_arn,
            target,
            ..
        } => check_deregistration(inv, target_group_arn, &target.id, floor),
        _ => Ok(()),
    };
    let violations = verdict.err().unwrap_or_default();
    // A group left with none at all says it once, not again per AZ.
    let whole: Vec<&str> = violations
        .iter()
        .filter(|v| v.az.is_none())
        .map(|v| v.target_group.as_str())
        .collect();
    violations
        .iter()
        .filter(|v| v.az.is_none() || !whole.contains(&v.target_group.as_str()))
        .map(strings::guard_violation)
        .collect()
}

/// The group (and the member) a stop, reboot or deregistration would fight, if any.
fn member_of_group(inv: &Inventory, op: &WriteOp) -> Option<(String, String)> {
    let instance = match op {
        WriteOp::Stop { instance_id, .. } | WriteOp::Reboot { instance_id, .. } => instance_id,
        WriteOp::Deregister { target, .. } => &target.id,
        _ => return None,
    };
    let g = inv.group_of_instance(instance)?;
    Some((g.name.to_string(), instance.to_string()))
}

fn op_context(inv: &Inventory, op: &WriteOp) -> String {
    let subject = op.subject();
    if let Some(i) = inv.instance(subject) {
        let tgs = inv.target_groups_of_instance(subject).len();
        return strings::instance_context(
            &i.id,
            i.display_name(),
            i.state.as_str(),
            &i.instance_type,
            &i.az,
            tgs,
        );
    }
    if let Some(v) = inv.volume(subject) {
        return strings::volume_context(
            &v.id,
            v.size_gib,
            &v.volume_type,
            &v.az,
            v.attached_instance(),
        );
    }
    subject.to_string()
}

fn build_op(s: &AppState, a: Action) -> Result<WriteOp, String> {
    let inv = &s.data.inv;
    let key = s
        .top_table_key()
        .ok_or_else(|| strings::select_in_a_table_first(a.label()))?;
    let row = s
        .view(key)
        .and_then(|v| v.selected_row())
        .ok_or_else(|| strings::nothing_selected(a.label()))?;
    // The kind the action needs, named as its table's title and the command that opens it.
    let want = |k: ResourceKind| -> Result<(), String> {
        if key.kind == k {
            Ok(())
        } else {
            let command = k.commands().first().copied().unwrap_or_default();
            Err(strings::select_kind(
                a.label(),
                &k.title().to_lowercase(),
                command,
            ))
        }
    };
    match a {
        Action::Start | Action::Stop | Action::Reboot | Action::CreateImage => {
            want(ResourceKind::Instances)?;
            let i = &inv.instances[row];
            let (region, instance_id) = (i.region.clone(), i.id.clone());
            Ok(match a {
                Action::Start => WriteOp::Start {
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
                Action::Stop => WriteOp::Stop {
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
                Action::Reboot => WriteOp::Reboot {
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
                _ => WriteOp::CreateImage {
                    name: format!(
                        "{}-{}",
                        if i.display_name().is_empty() {
                            &i.id
                        } else {
                            i.display_name()
                        },
                        s.clock.format("%Y%m%d-%H%M%S")
                    ),
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
            })
        }
        Action::CreateSnapshot | Action::Detach => {
            want(ResourceKind::Volumes)?;
            let v = &inv.volumes[row];
            if a == Action::Detach {
                let Some(instance) = v.attached_instance() else {
                    return Err(strings::not_attached(&v.id));
                };
                return Ok(WriteOp::Detach {
                    region: v.region.to_string(),
                    volume_id: v.id.to_string(),
                    instance_id: instance.to_string(),
                });
            }
            Ok(WriteOp::CreateSnapshot {
                region: v.region.to_string(),
                volume_id: v.id.to_string(),
                description: strings::snapshot_description(
                    &v.id,
                    v.attached_instance(),
                    &s.clock.format("%Y-%m-%d %H:%M UTC").to_string(),
                ),
            })
        }
        Action::Register | Action::Deregister => {
            want(ResourceKind::Targets)?;
            let t = &inv.target_health[row];
            let tg = inv
                .target_group(&t.target_group_arn)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| t.target_group_arn.clone());
            let target = TargetRef {
                id: t.target_id.to_string(),
                port: t.port,
            };
            let (region, target_group_arn) = (t.region.clone(), t.target_group_arn.clone());
            Ok(if a == Action::Register {
                WriteOp::Register {
                    region: region.to_string(),
                    target_group_arn: target_group_arn.to_string(),
                    target_group: tg.to_string(),
                    target,
                }
            } else {
                WriteOp::Deregister {
                    region: region.to_string(),
                    target_group_arn: target_group_arn.to_string(),
                    target_group: tg.to_string(),
                    target,
                }
            })
        }
        _ => Err(strings::NOT_AN_ACTION.into()),
    }
}

/// The dry run's verdict, if the dialog still waits for it.
pub(super) fn on_dry_run(s: &mut AppState, generation: u64, result: Result<(), String>) {
    if let Some(d) = s.dialog.as_mut()
        && d.generation == generation
        && d.phase == ConfirmPhase::Checking
    {
        d.phase = match result {
            Ok(()) => ConfirmPhase::Ready,
            Err(e) => ConfirmPhase::Refused(e),
        };
        s.dirty = true;
    }
}

/// The latest write's answer: shown in the status line even after the dialog closed.
pub(super) fn on_written(
    s: &mut AppState,
    generation: u64,
    result: Result<String, String>,
) -> Vec<Effect> {
    if generation != s.write_gen {
        return Vec::new();
    }
    if s.dialog
        .as_ref()
        .is_some_and(|d| d.generation == generation)
    {
        s.dialog = None;
    }
    let op = s.write_op.take();
    match result {
        Ok(detail) => {
            let what = op
                .map(|o| o.done())
                .unwrap_or_else(|| strings::WRITE_DONE.into());
            status(s, StatusLevel::Ok, format!("{what}{detail}"));
            start_fetch(s)
        }
        Err(e) => {
            status(s, StatusLevel::Error, strings::write_failed(&e));
            Vec::new()
        }
    }
}
