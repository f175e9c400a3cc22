//! Auto Scaling through the SDK: groups (paginated, with their members), and per group only what
//! the API lists per group (lifecycle hooks, the newest instance refresh); the group writes, which
//! have no DryRun (a dry run checks the group exists by reading, as for ELBv2).

use super::AwsRegion;
use super::convert::ts;
use aws_sdk_autoscaling::operation::RequestId;
use aws_sdk_autoscaling::types as asg;
use futures::{StreamExt, TryStreamExt, stream};
use opsdeck_core::cloud::{CloudError, CloudResult, Produced, Written};
use opsdeck_core::domain::*;

/// How many per-group reads (hooks, refreshes) run at once.
const PER_GROUP_CONCURRENCY: usize = 8;

fn s(o: Option<&str>) -> CompactString {
    o.unwrap_or_default().into()
}

fn member(x: &asg::Instance) -> AsgMember {
    AsgMember {
        instance_id: s(x.instance_id()),
        az: s(x.availability_zone()),
        lifecycle_state: LifecycleState::parse(
            x.lifecycle_state().map(|l| l.as_str()).unwrap_or_default(),
        ),
        healthy: x
            .health_status()
            .is_some_and(|h| h.eq_ignore_ascii_case("Healthy")),
        launched_from: x
            .launch_template()
            .map(|t| {
                format_compact!(
                    "{}:{}",
                    t.launch_template_id()
                        .or(t.launch_template_name())
                        .unwrap_or("template"),
                    t.version().unwrap_or("$Default")
                )
            })
            .or_else(|| {
                x.launch_configuration_name()
                    .map(|c| format_compact!("config:{c}"))
            }),
        protected_from_scale_in: x.protected_from_scale_in().unwrap_or(false),
    }
}

fn launch_source(x: &asg::AutoScalingGroup) -> Option<CompactString> {
    let template = x.launch_template().or_else(|| {
        x.mixed_instances_policy()
            .and_then(|m| m.launch_template())
            .and_then(|t| t.launch_template_specification())
    });
    template
        .map(|t| {
            format_compact!(
                "{}:{}",
                t.launch_template_id()
                    .or(t.launch_template_name())
                    .unwrap_or("template"),
                t.version().unwrap_or("$Default")
            )
        })
        .or_else(|| {
            x.launch_configuration_name()
                .map(|c| format_compact!("config:{c}"))
        })
}

pub(crate) fn group(region: &str, x: &asg::AutoScalingGroup) -> AutoScalingGroup {
    let policy = x.instance_maintenance_policy();
    AutoScalingGroup {
        region: region.into(),
        name: s(x.auto_scaling_group_name()),
        arn: s(x.auto_scaling_group_arn()),
        min_size: x.min_size().unwrap_or(0),
        max_size: x.max_size().unwrap_or(0),
        desired_capacity: x.desired_capacity().unwrap_or(0),
        launch_source: launch_source(x),
        subnet_ids: x
            .vpc_zone_identifier()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Into::into)
            .collect(),
        azs: x.availability_zones().iter().map(|a| a.into()).collect(),
        target_group_arns: x.target_group_arns().iter().map(|a| a.into()).collect(),
        load_balancer_names: x.load_balancer_names().iter().map(|a| a.into()).collect(),
        health_check_type: x.health_check_type().unwrap_or("EC2").into(),
        health_check_grace_secs: x.health_check_grace_period().unwrap_or(0),
        suspended_processes: x
            .suspended_processes()
            .iter()
            .filter_map(|p| p.process_name())
            .map(Into::into)
            .collect(),
        // AWS reports an unset policy as -1.
        min_healthy_percent: policy
            .and_then(|p| p.min_healthy_percentage())
            .filter(|p| *p >= 0),
        max_healthy_percent: policy
            .and_then(|p| p.max_healthy_percentage())
            .filter(|p| *p >= 0),
        capacity_rebalance: x.capacity_rebalance().unwrap_or(false),
        lifecycle_hooks: Vec::new(),
        instance_refresh: None,
        warm_pool: x
            .warm_pool_configuration()
            .map(|w| (w.min_size().unwrap_or(0), w.max_group_prepared_capacity())),
        members: x.instances().iter().map(member).collect(),
        status: x.status().map(Into::into),
        tags: x
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())))
            .collect(),
    }
}

fn hook(x: &asg::LifecycleHook) -> LifecycleHook {
    LifecycleHook {
        name: s(x.lifecycle_hook_name()),
        transition: s(x.lifecycle_transition()),
        heartbeat_timeout_secs: x.heartbeat_timeout().unwrap_or(3600),
        default_result: s(x.default_result()),
    }
}

fn refresh(x: &asg::InstanceRefresh) -> InstanceRefresh {
    InstanceRefresh {
        id: s(x.instance_refresh_id()),
        status: x.status().map(|s| s.as_str()).unwrap_or_default().into(),
        percentage_complete: x.percentage_complete(),
        started: ts(x.start_time()),
    }
}

impl AwsRegion {
    /// Every group (DescribeAutoScalingGroups, paginated), then each group's hooks and newest
    /// refresh, a few groups at a time.
    pub(crate) async fn auto_scaling_groups(
        &self,
        names: Option<&str>,
    ) -> CloudResult<Vec<AutoScalingGroup>> {
        let mut req = self
            .asg
            .describe_auto_scaling_groups()
            .max_records(self.page(1, 100));
        if let Some(n) = names {
            req = req.auto_scaling_group_names(n);
        }
        let pages: Vec<_> = req
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.sdk_error(e))?;
        let groups: Vec<AutoScalingGroup> = pages
            .iter()
            .flat_map(|p| p.auto_scaling_groups())
            .map(|g| group(&self.region, g))
            .collect();
        stream::iter(groups)
            .map(|g| self.with_per_group_details(g))
            .buffered(PER_GROUP_CONCURRENCY)
            .try_collect()
            .await
    }

    async fn with_per_group_details(
        &self,
        mut g: AutoScalingGroup,
    ) -> CloudResult<AutoScalingGroup> {
        let (hooks, refreshes) = tokio::join!(
            self.asg
                .describe_lifecycle_hooks()
                .auto_scaling_group_name(g.name.as_str())
                .send(),
            self.asg
                .describe_instance_refreshes()
                .auto_scaling_group_name(g.name.as_str())
                .max_records(1)
                .send(),
        );
        g.lifecycle_hooks = hooks
            .map_err(|e| self.sdk_error(e))?
            .lifecycle_hooks()
            .iter()
            .map(hook)
            .collect();
        // The newest first, as AWS lists them.
        g.instance_refresh = refreshes
            .map_err(|e| self.sdk_error(e))?
            .instance_refreshes()
            .first()
            .map(refresh);
        Ok(g)
    }

    /// Auto Scaling has no DryRun: a dry run reads the group and answers as EC2 would, with
    /// `DryRunOk` when the call would find its group, or the read's own error.
    async fn check_group(&self, name: &str) -> CloudError {
        match self
            .asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(name)
            .send()
            .await
        {
            Err(e) => self.sdk_error(e),
            Ok(out) if out.auto_scaling_groups().is_empty() => CloudError::not_found(
                "ValidationError",
                format!("AutoScalingGroup name not found - no such group {name}"),
            ),
            Ok(_) => CloudError::dry_run_ok("checked by reading (Auto Scaling has no DryRun)"),
        }
    }

    async fn check_member(&self, instance_id: &str) -> CloudError {
        match self
            .asg
            .describe_auto_scaling_instances()
            .instance_ids(instance_id)
            .send()
            .await
        {
            Err(e) => self.sdk_error(e),
            Ok(out) if out.auto_scaling_instances().is_empty() => CloudError::not_found(
                "ValidationError",
                format!("{instance_id} is not in an Auto Scaling group"),
            ),
            Ok(_) => CloudError::dry_run_ok("checked by reading (Auto Scaling has no DryRun)"),
        }
    }

    pub(crate) async fn enter_standby(
        &self,
        group: &str,
        ids: &[String],
        decrement: bool,
        dry_run: bool,
    ) -> CloudResult<Written<Produced>> {
        if dry_run {
            return Err(self.check_group(group).await);
        }
        let out = self
            .asg
            .enter_standby()
            .auto_scaling_group_name(group)
            .set_instance_ids(Some(ids.to_vec()))
            .should_decrement_desired_capacity(decrement)
            .send()
            .await
            .map_err(|e| self.sdk_error(e))?;
        Ok(Written::new(
            Produced::Nothing,
            out.request_id().map(Into::into),
        ))
    }

    pub(crate) async fn exit_standby(
        &self,
        group: &str,
        ids: &[String],
        dry_run: bool,
    ) -> CloudResult<Written<Produced>> {
        if dry_run {
            return Err(self.check_group(group).await);
        }
        let out = self
            .asg
            .exit_standby()
            .auto_scaling_group_name(group)
            .set_instance_ids(Some(ids.to_vec()))
            .send()
            .await
            .map_err(|e| self.sdk_error(e))?;
        Ok(Written::new(
            Produced::Nothing,
            out.request_id().map(Into::into),
        ))
    }

    pub(crate) async fn suspend_or_resume(
        &self,
        group: &str,
        processes: &[String],
        suspend: bool,
        dry_run: bool,
    ) -> CloudResult<Written<Produced>> {
        if dry_run {
            return Err(self.check_group(group).await);
        }
        let rid = if suspend {
            self.asg
                .suspend_processes()
                .auto_scaling_group_name(group)
                .set_scaling_processes(Some(processes.to_vec()))
                .send()
                .await
                .map_err(|e| self.sdk_error(e))?
                .request_id()
                .map(String::from)
        } else {
            self.asg
                .resume_processes()
                .auto_scaling_group_name(group)
                .set_scaling_processes(Some(processes.to_vec()))
                .send()
                .await
                .map_err(|e| self.sdk_error(e))?
                .request_id()
                .map(String::from)
        };
        Ok(Written::new(Produced::Nothing, rid))
    }

    pub(crate) async fn update_group(
        &self,
        group: &str,
        sizes: (Option<i32>, Option<i32>, Option<i32>),
        subnet_ids: Option<&[String]>,
        dry_run: bool,
    ) -> CloudResult<Written<Produced>> {
        if dry_run {
            return Err(self.check_group(group).await);
        }
        let (min, max, desired) = sizes;
        let out = self
            .asg
            .update_auto_scaling_group()
            .auto_scaling_group_name(group)
            .set_min_size(min)
            .set_max_size(max)
            .set_desired_capacity(desired)
            .set_vpc_zone_identifier(subnet_ids.map(|s| s.join(",")))
            .send()
            .await
            .map_err(|e| self.sdk_error(e))?;
        Ok(Written::new(
            Produced::Nothing,
            out.request_id().map(Into::into),
        ))
    }

    pub(crate) async fn terminate_in_group(
        &self,
        instance_id: &str,
        decrement: bool,
        dry_run: bool,
    ) -> CloudResult<Written<Produced>> {
        if dry_run {
            return Err(self.check_member(instance_id).await);
        }
        let out = self
            .asg
            .terminate_instance_in_auto_scaling_group()
            .instance_id(instance_id)
            .should_decrement_desired_capacity(decrement)
            .send()
            .await
            .map_err(|e| self.sdk_error(e))?;
        Ok(Written::new(
            Produced::Nothing,
            out.request_id().map(Into::into),
        ))
    }
}
