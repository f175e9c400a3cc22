"""moto_front's Auto Scaling additions: what moto 5.2.5 does differently from AWS, modelled the way
AWS documents it, so opsdeck is tested against AWS's behaviour and never depends on moto's shortcut.

* Launches are balanced over the group's AZs (moto puts every instance in the group's *first* subnet;
  AWS: "Amazon EC2 Auto Scaling attempts to distribute instances evenly between the Availability
  Zones that are enabled for your Auto Scaling group", User Guide, "Rebalancing activities").
* Standby leaves the group's target groups and ExitStandby joins them again (moto keeps a Standby
  instance registered; AWS: "instances in standby ... do not actively handle application traffic",
  they are deregistered and drain; "Temporarily remove instances from your Auto Scaling group").
* EnterStandby / ExitStandby / TerminateInstanceInAutoScalingGroup validate as AWS does (moto accepts
  ExitStandby of an InService instance, a decrement below min, and an exit past max).
* DescribeInstanceRefreshes answers (moto has no handler: HTTP 500); StartInstanceRefresh is not
  used by opsdeck.

Installed by moto_front.ensure_patches(); the front-only actions are in ASG_FRONT_ACTIONS.
"""

import uuid
from xml.sax.saxutils import escape as xml_escape

NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"


def _zone(instance):
    subnet = getattr(instance, "subnet_id", None)
    if subnet:
        try:
            return instance.ec2_backend.get_subnet(subnet).availability_zone
        except Exception:  # noqa: BLE001 - a subnet gone is no zone
            return None
    return getattr(instance, "placement", None)


def patch(state):
    """Install the model patches; `state` is the front's STATE (its lock, its draining map)."""
    from moto.autoscaling import models as asg
    from moto.ec2.exceptions import InvalidParameterValueError  # noqa: F401 - keeps moto loaded

    moto_replace = asg.FakeAutoScalingGroup.replace_autoscaling_group_instances

    def replace_balanced(self, count_needed, propagated_tags):
        """One instance at a time, each into the subnet of the AZ with the fewest members."""
        subnets = [s for s in (self.vpc_zone_identifier or "").split(",") if s]
        if len(subnets) <= 1 or count_needed <= 0:
            return moto_replace(self, count_needed, propagated_tags)
        backend = self.autoscaling_backend.ec2_backend
        zone_of_subnet = {}
        for s in subnets:
            try:
                zone_of_subnet[s] = backend.get_subnet(s).availability_zone
            except Exception:  # noqa: BLE001 - an unknown subnet cannot take a launch
                continue
        original = self.vpc_zone_identifier
        try:
            for _ in range(count_needed):
                counts = {z: 0 for z in zone_of_subnet.values()}
                for st in self.instance_states:
                    z = _zone(st.instance)
                    if z in counts:
                        counts[z] += 1
                target = min(zone_of_subnet, key=lambda s: (counts[zone_of_subnet[s]], s))
                self.vpc_zone_identifier = ",".join([target] + [s for s in subnets if s != target])
                moto_replace(self, 1, dict(propagated_tags))
        finally:
            self.vpc_zone_identifier = original

    asg.FakeAutoScalingGroup.replace_autoscaling_group_instances = replace_balanced

    def update_attached_target_groups(self, group_name):
        """Registers the group's InService (and launching) members only: Standby ones stay out."""
        group = self.autoscaling_groups[group_name]
        if not group.target_group_arns:
            return
        ids = {st.instance.id for st in group.instance_states
               if st.lifecycle_state != "Standby"}
        for tg in self.elbv2_backend.describe_target_groups(
                target_group_arns=group.target_group_arns, load_balancer_arn=None, names=None):
            missing = [{"Id": i, "Port": tg.port} for i in ids if i not in tg.targets]
            if missing:
                self.elbv2_backend.register_targets(tg.arn, missing)

    asg.AutoScalingBackend.update_attached_target_groups = update_attached_target_groups

    moto_enter = asg.AutoScalingBackend.enter_standby_instances
    moto_exit = asg.AutoScalingBackend.exit_standby_instances

    def target_groups_of(backend, group):
        if not group.target_group_arns:
            return []
        return backend.elbv2_backend.describe_target_groups(
            target_group_arns=group.target_group_arns, load_balancer_arn=None, names=None)

    def enter_standby(self, group_name, instance_ids, should_decrement):
        activities = moto_enter(self, group_name, instance_ids, should_decrement)
        group = self.autoscaling_groups[group_name]
        for tg in target_groups_of(self, group):
            leaving = [{"Id": i, "Port": tg.port} for i in instance_ids if i in tg.targets]
            if leaving:
                tg.deregister(leaving)  # the front's deregister: the target drains
        return activities

    def exit_standby(self, group_name, instance_ids):
        activities = moto_exit(self, group_name, instance_ids)
        group = self.autoscaling_groups[group_name]
        for tg in target_groups_of(self, group):
            back = [{"Id": i, "Port": tg.port} for i in instance_ids]
            self.elbv2_backend.register_targets(tg.arn, back)
        return activities

    asg.AutoScalingBackend.enter_standby_instances = enter_standby
    asg.AutoScalingBackend.exit_standby_instances = exit_standby


# --------------------------------------------------------------------------------------
# Validation AWS does and moto skips, answered before moto sees the call
# --------------------------------------------------------------------------------------


def _group(call, backend_of):
    name = call.params.get("AutoScalingGroupName")
    backend = backend_of(call)
    return name, backend.autoscaling_groups.get(name)


def check_standby(call, backend_of):
    """(code, message) when AWS would refuse the call, else None."""
    name, group = _group(call, backend_of)
    ids = call.indexed("InstanceIds.member")
    if group is None:
        return ("ValidationError", f"AutoScalingGroup name not found - {name}")
    states = {st.instance.id: st.lifecycle_state for st in group.instance_states}
    if call.action == "EnterStandby":
        for i in ids:
            if states.get(i) != "InService":
                return ("ValidationError",
                        f"The instance {i} is not in InService (it is {states.get(i, 'absent')}).")
        if call.flag("ShouldDecrementDesiredCapacity") and \
                group.desired_capacity - len(ids) < group.min_size:
            return ("ValidationError",
                    f"AutoScalingGroup {name} has min-size={group.min_size}, "
                    f"max-size={group.max_size}, and desired-size={group.desired_capacity}. To "
                    f"place into standby {len(ids)} instances, please update the "
                    f"AutoScalingGroup sizes appropriately.")
    else:
        for i in ids:
            if states.get(i) != "Standby":
                return ("ValidationError", f"The instance {i} is not in Standby.")
        if group.desired_capacity + len(ids) > group.max_size:
            return ("ValidationError",
                    f"AutoScalingGroup {name} has max-size={group.max_size} and "
                    f"desired-size={group.desired_capacity}: exiting Standby would exceed the "
                    f"maximum size.")
    return None


def describe_instance_refreshes(call, backend_of):
    """No refresh was ever started through moto: the empty list AWS gives such a group."""
    request_id = str(uuid.uuid4())
    name, group = _group(call, backend_of)
    if group is None:
        return None, ("ValidationError", f"AutoScalingGroup name not found - {xml_escape(name or '')}")
    body = (f'<DescribeInstanceRefreshesResponse xmlns="{NS}">'
            "<DescribeInstanceRefreshesResult><InstanceRefreshes/>"
            "</DescribeInstanceRefreshesResult>"
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
            "</DescribeInstanceRefreshesResponse>").encode()
    return (200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body), None
