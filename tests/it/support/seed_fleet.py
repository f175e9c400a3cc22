#!/usr/bin/env python3
"""Seed a small, realistic fleet into moto_front (or plain moto with --no-front).

    python seed_fleet.py --endpoint http://127.0.0.1:P [--region us-east-1] [--reset] [--no-front]

Everything goes through botocore clients (credentials testing/testing), like a real
account would be built, and every resource is tagged fleet=seed. Prints a JSON summary
of the ids it created. Meant for a fresh server (or pass --reset, which POSTs
/moto-api/reset first): names such as the ALB and target groups must not exist yet.

The fleet:
  VPC 10.20.0.0/16 with an internet gateway, subnets in <region>a and <region>b
  instances web-1, web-2, db-1 (zone a) and app-1 (zone b), one reservation each
  a 100 GiB gp3 data volume on db-1 at /dev/sdf, two snapshots of it, an AMI of web-1
  internet-facing ALB over both subnets, HTTP:80 listener -> web-tg
  web-tg (web-1, web-2; deregistration_delay 30 s) and app-tg (app-1)
  an EIP on db-1, a spare ENI in subnet b with one secondary private IP
  CPUUtilization (AWS/EC2, InstanceId) every minute for the last 30 minutes
  alarm db-1-cpu-high, forced to ALARM with SetAlarmState
  (front only) a scheduled system-reboot event with a NotBeforeDeadline on web-2
  --group NAME:ZONES:DESIRED (repeatable): an Auto Scaling group over subnets in ZONES (e.g. `a` or
  `ab`), min = desired, max = desired + 2, from a launch template, in its own target group NAME-tg
  behind its own ALB NAME-alb (ELB health checks); the summary lists its members
"""

import argparse
import json
import math
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

import botocore.session

SEED_TAG = {"Key": "fleet", "Value": "seed"}
BASE_AMI = "ami-0a1b2c3d4e5f60718"  # any id works: moto does not validate AMIs by default

INSTANCES = [  # name, role, zone letter, type — one RunInstances (= one reservation) each
    ("web-1", "web", "a", "t3.micro"),
    ("web-2", "web", "a", "t3.micro"),
    ("db-1", "db", "a", "m5.large"),
    ("app-1", "app", "b", "t3.small"),
]
CPU_LEVEL = {"web": 35.0, "db": 88.0, "app": 12.0}  # db is hot: its alarm is in ALARM


def tags(name=None, **extra):
    result = [SEED_TAG] + ([{"Key": "Name", "Value": name}] if name else [])
    return result + [{"Key": k, "Value": v} for k, v in extra.items()]


def tag_spec(resource_type, name=None, **extra):
    return [{"ResourceType": resource_type, "Tags": tags(name, **extra)}]


class Seeder:
    def __init__(self, endpoint, region, web_delay=30):
        self.endpoint = endpoint.rstrip("/")
        self.region = region
        self.web_delay = web_delay
        session = botocore.session.get_session()
        self.clients = {
            name: session.create_client(
                name, region_name=region, endpoint_url=self.endpoint,
                aws_access_key_id="testing", aws_secret_access_key="testing")
            for name in ("ec2", "elbv2", "cloudwatch", "sts", "autoscaling")
        }
        self.ec2 = self.clients["ec2"]
        self.elbv2 = self.clients["elbv2"]
        self.cloudwatch = self.clients["cloudwatch"]
        self.summary = {"region": region}

    def zone(self, letter):
        return f"{self.region}{letter}"

    def post(self, path, payload):
        request = urllib.request.Request(
            self.endpoint + path, data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    # -- network -----------------------------------------------------------------------

    def network(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.20.0.0/16",
                                  TagSpecifications=tag_spec("vpc", "seed-vpc"))["Vpc"]["VpcId"]
        igw = self.ec2.create_internet_gateway(
            TagSpecifications=tag_spec("internet-gateway", "seed-igw")
        )["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        subnets = {}
        for n, zone in enumerate((self.zone("a"), self.zone("b")), start=1):
            subnets[zone] = self.ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=zone,
                TagSpecifications=tag_spec("subnet", f"seed-{zone[-2:]}"),
            )["Subnet"]["SubnetId"]
        sg = self.ec2.create_security_group(
            GroupName="seed-web", Description="web and ALB traffic", VpcId=vpc,
            TagSpecifications=tag_spec("security-group", "seed-web"))["GroupId"]
        self.ec2.authorize_security_group_ingress(
            GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        self.summary.update(vpc_id=vpc, internet_gateway_id=igw, subnets=subnets,
                            security_group_id=sg)

    # -- compute and storage -----------------------------------------------------------

    def instances(self):
        ids = {}
        for name, role, zone, instance_type in INSTANCES:
            ids[name] = self.ec2.run_instances(
                ImageId=BASE_AMI, MinCount=1, MaxCount=1, InstanceType=instance_type,
                SubnetId=self.summary["subnets"][self.zone(zone)],
                SecurityGroupIds=[self.summary["security_group_id"]],
                TagSpecifications=(tag_spec("instance", name, role=role)
                                   + tag_spec("volume", f"{name}-root", role=role)),
            )["Instances"][0]["InstanceId"]
        self.summary["instances"] = ids

    def storage(self):
        db = self.summary["instances"]["db-1"]
        volume = self.ec2.create_volume(
            AvailabilityZone=self.zone("a"), Size=100, VolumeType="gp3",
            TagSpecifications=tag_spec("volume", "db-1-data", role="db"))["VolumeId"]
        self.ec2.attach_volume(VolumeId=volume, InstanceId=db, Device="/dev/sdf")
        snapshots = [
            self.ec2.create_snapshot(
                VolumeId=volume, Description=f"db-1 data {label}",
                TagSpecifications=tag_spec("snapshot", f"db-1-data-{label}"))["SnapshotId"]
            for label in ("nightly", "weekly")
        ]
        image = self.ec2.create_image(
            InstanceId=self.summary["instances"]["web-1"], Name="seed-web-image",
            Description="golden image from web-1", NoReboot=True,
            TagSpecifications=tag_spec("image", "seed-web-image"))["ImageId"]
        self.summary.update(data_volume_id=volume, snapshot_ids=snapshots, image_id=image)

    def tag_implicit_resources(self):
        """Resources AWS creates on our behalf: the AMI's backing snapshot and each
        instance's primary ENI. Tag them too, so fleet=seed really covers everything."""
        image = self.ec2.describe_images(ImageIds=[self.summary["image_id"]])["Images"][0]
        ids = [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", [])
               if m.get("Ebs", {}).get("SnapshotId")]
        reservations = self.ec2.describe_instances(
            InstanceIds=list(self.summary["instances"].values()))["Reservations"]
        ids += [eni["NetworkInterfaceId"] for r in reservations for i in r["Instances"]
                for eni in i.get("NetworkInterfaces", [])]
        if ids:
            self.ec2.create_tags(Resources=ids, Tags=[SEED_TAG])

    def addresses(self):
        allocation = self.ec2.allocate_address(
            Domain="vpc", TagSpecifications=tag_spec("elastic-ip", "db-1-eip"))
        association = self.ec2.associate_address(
            AllocationId=allocation["AllocationId"],
            InstanceId=self.summary["instances"]["db-1"])["AssociationId"]
        eni = self.ec2.create_network_interface(
            SubnetId=self.summary["subnets"][self.zone("b")], Description="spare ENI",
            Groups=[self.summary["security_group_id"]], SecondaryPrivateIpAddressCount=1,
            TagSpecifications=tag_spec("network-interface", "seed-spare-eni"))["NetworkInterface"]
        secondary = [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"] if not a["Primary"]]
        self.summary.update(
            eip={"allocation_id": allocation["AllocationId"], "public_ip": allocation["PublicIp"],
                 "association_id": association},
            eni_id=eni["NetworkInterfaceId"], eni_primary_ip=eni["PrivateIpAddress"],
            eni_secondary_ips=secondary)

    # -- load balancing ----------------------------------------------------------------

    def load_balancer(self):
        subnets = list(self.summary["subnets"].values())
        lb = self.elbv2.create_load_balancer(
            Name="seed-alb", Subnets=subnets, SecurityGroups=[self.summary["security_group_id"]],
            Scheme="internet-facing", Type="application", IpAddressType="ipv4",
            Tags=tags("seed-alb"))["LoadBalancers"][0]
        groups = {
            "web-tg": self.target_group("web-tg", 80, "/health", ["web-1", "web-2"], delay=self.web_delay),
            "app-tg": self.target_group("app-tg", 8080, "/status", ["app-1"]),
        }
        listener = self.elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["web-tg"]}],
            Tags=tags("seed-http"))["Listeners"][0]["ListenerArn"]
        self.summary.update(load_balancer_arn=lb["LoadBalancerArn"],
                            load_balancer_dns=lb["DNSName"], listener_arn=listener,
                            target_groups=groups)

    def target_group(self, name, port, health_path, members, delay=None):
        arn = self.elbv2.create_target_group(
            Name=name, Protocol="HTTP", Port=port, VpcId=self.summary["vpc_id"],
            TargetType="instance", HealthCheckPath=health_path, HealthCheckIntervalSeconds=15,
            HealthyThresholdCount=3, UnhealthyThresholdCount=2, Matcher={"HttpCode": "200"},
            Tags=tags(name))["TargetGroups"][0]["TargetGroupArn"]
        if delay is not None:
            self.elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
                {"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}])
        if members:
            self.elbv2.register_targets(TargetGroupArn=arn, Targets=[
                {"Id": self.summary["instances"][m], "Port": port} for m in members])
        return arn

    # -- Auto Scaling ------------------------------------------------------------------

    def groups(self, specs):
        asg = self.clients["autoscaling"]
        self.summary["groups"] = {}
        for k, spec in enumerate(specs):
            name, zones, desired = spec.split(":")
            desired = int(desired)
            template = self.ec2.create_launch_template(
                LaunchTemplateName=f"{name}-lt",
                LaunchTemplateData={"ImageId": BASE_AMI, "InstanceType": "t3.micro",
                                    "SecurityGroupIds": [self.summary["security_group_id"]]},
                TagSpecifications=tag_spec("launch-template", f"{name}-lt"),
            )["LaunchTemplate"]["LaunchTemplateId"]
            tg = self.target_group(f"{name}-tg", 8081 + k, "/health", [], delay=2)
            # Its own load balancer in both zones: a target group no load balancer uses is `unused`.
            lb = self.elbv2.create_load_balancer(
                Name=f"{name}-alb", Subnets=list(self.summary["subnets"].values()),
                SecurityGroups=[self.summary["security_group_id"]], Scheme="internal",
                Type="application", IpAddressType="ipv4", Tags=tags(f"{name}-alb"),
            )["LoadBalancers"][0]["LoadBalancerArn"]
            self.elbv2.create_listener(
                LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
            subnets = [self.summary["subnets"][self.zone(z)] for z in zones]
            asg.create_auto_scaling_group(
                AutoScalingGroupName=name,
                LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
                MinSize=desired, MaxSize=desired + 2, DesiredCapacity=desired,
                VPCZoneIdentifier=",".join(subnets), TargetGroupARNs=[tg],
                HealthCheckType="ELB", HealthCheckGracePeriod=60,
                Tags=[{"Key": "Name", "Value": name, "PropagateAtLaunch": True},
                      {"Key": "fleet", "Value": "seed", "PropagateAtLaunch": True},
                      {"Key": "role", "Value": name, "PropagateAtLaunch": True}])
            group = asg.describe_auto_scaling_groups(
                AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
            self.summary["groups"][name] = {
                "target_group": tg, "subnets": subnets, "launch_template": template,
                "members": sorted(i["InstanceId"] for i in group["Instances"])}

    # -- CloudWatch --------------------------------------------------------------------

    def metrics(self):
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        for name, role, _, _ in INSTANCES:
            instance = self.summary["instances"][name]
            self.cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[
                {"MetricName": "CPUUtilization", "Unit": "Percent",
                 "Dimensions": [{"Name": "InstanceId", "Value": instance}],
                 "Timestamp": now - timedelta(minutes=minute),
                 # a gentle deterministic wave around the role's level
                 "Value": round(CPU_LEVEL[role] + 5 * math.sin(minute / 4), 2)}
                for minute in range(30)])
        db = self.summary["instances"]["db-1"]
        self.cloudwatch.put_metric_alarm(
            AlarmName="db-1-cpu-high", AlarmDescription="db-1 CPU above 80% for 5 minutes",
            Namespace="AWS/EC2", MetricName="CPUUtilization", Statistic="Average",
            Dimensions=[{"Name": "InstanceId", "Value": db}], Period=300, EvaluationPeriods=1,
            Threshold=80.0, ComparisonOperator="GreaterThanThreshold", Unit="Percent",
            Tags=[SEED_TAG])
        # moto never evaluates alarms; this is the only way to get one into ALARM.
        self.cloudwatch.set_alarm_state(AlarmName="db-1-cpu-high", StateValue="ALARM",
                                        StateReason="Threshold Crossed: seeded")
        self.summary["alarm_name"] = "db-1-cpu-high"

    # -- front-only state --------------------------------------------------------------

    def scheduled_event(self):
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=7)
        answer = self.post("/_plus/instance-status", {
            "instance_id": self.summary["instances"]["web-2"],
            "events": [{
                "Code": "system-reboot",
                "Description": "scheduled reboot for host maintenance",
                "NotBefore": start.isoformat().replace("+00:00", "Z"),
                "NotAfter": (start + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
                "NotBeforeDeadline": (start + timedelta(days=7)).isoformat().replace("+00:00", "Z"),
            }]})
        self.summary["web_2_event_id"] = answer["events"][0]["InstanceEventId"]

    def run(self, front=True, groups=()):
        self.summary["account_id"] = self.clients["sts"].get_caller_identity()["Account"]
        self.network()
        self.instances()
        self.storage()
        self.tag_implicit_resources()
        self.addresses()
        self.load_balancer()
        self.metrics()
        if groups:
            self.groups(groups)
        if front:
            self.scheduled_event()
        return self.summary


def seed(endpoint, region="us-east-1", reset=False, front=True, web_delay=30, groups=()):
    """Seed the fleet and return the summary dict (importable by tests)."""
    seeder = Seeder(endpoint, region, web_delay)
    if reset:
        seeder.post("/moto-api/reset", {})
    return seeder.run(front=front, groups=groups)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Seed a small fleet into moto_front.")
    parser.add_argument("--endpoint", required=True, help="e.g. http://127.0.0.1:5000")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--reset", action="store_true", help="POST /moto-api/reset first")
    parser.add_argument("--no-front", action="store_true",
                        help="plain moto: skip what needs /_plus (the scheduled event)")
    parser.add_argument("--web-deregistration-delay", type=int, default=30, metavar="SECONDS",
                        help="web-tg's deregistration delay (short ones let runbook tests drain quickly)")
    parser.add_argument("--group", action="append", default=[], metavar="NAME:ZONES:DESIRED",
                        help="an Auto Scaling group, e.g. api:a:2 (subnet in zone a, 2 members)")
    args = parser.parse_args(argv)
    summary = seed(args.endpoint, args.region, reset=args.reset, front=not args.no_front,
                   web_delay=args.web_deregistration_delay, groups=args.group)
    json.dump(summary, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
