#!/usr/bin/env python3
"""Self-check for moto_front.py and seed_fleet.py.

    .venv/bin/python tests/it/support/test_front.py [-v]

Starts the front as a subprocess (--port 0, the ready line names the port), runs
seed_fleet.py against it once as a CLI, then re-seeds through seed_fleet.seed() after a
/moto-api/reset before every test. Nothing is skipped: a missing feature is a failure.
Prints start time and memory to stderr at the end.
"""

import gzip
import io
import json
import os
import re
import select
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ next to the support files
import seed_fleet  # noqa: E402

REGION = "us-east-1"
FRONT = None      # FrontProcess, set by setUpModule
METRICS = {}      # start time / memory, printed by tearDownModule


class FrontProcess:
    def __init__(self):
        self.stderr = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block it
        env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "moto_front.py"), "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        line = self._read_ready_line(timeout=30)
        METRICS["ready_s"] = time.monotonic() - started
        match = re.fullmatch(r"moto_front ready on (http://127\.0\.0\.1:\d+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"unexpected ready line {line!r}: {self.stderr_text()}")
        self.url = match.group(1)
        http("GET", self.url + "/moto-api/")  # first real answer
        METRICS["first_answer_s"] = time.monotonic() - started
        METRICS["rss_ready_mib"] = self.rss_mib()

    def _read_ready_line(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"front exited with {self.proc.returncode}: {self.stderr_text()}")
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                return self.proc.stdout.readline().decode().strip()
        self.stop()
        raise RuntimeError(f"front not ready after {timeout}s: {self.stderr_text()}")

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-3000:]

    def status_field(self, field):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def rss_mib(self):
        return self.status_field("VmRSS")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------


def http(method, url, payload=None, headers=None, data=None):
    """(status, headers, body bytes); HTTP errors are returned, not raised."""
    if payload is not None:
        data = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def plus(method, path, payload=None):
    status, _, body = http(method, FRONT.url + path, payload)
    if status != 200:
        raise AssertionError(f"{method} {path} -> {status} {body[:300]!r}")
    return json.loads(body)


_SESSION = botocore.session.get_session()


def client(service, attempts=None):
    config = Config(retries={"total_max_attempts": attempts, "mode": "standard"}) if attempts else None
    return _SESSION.create_client(service, region_name=REGION, endpoint_url=FRONT.url,
                                  aws_access_key_id="testing", aws_secret_access_key="testing",
                                  config=config)


CLOUDWATCH_MODEL = _SESSION.get_service_model("cloudwatch")


def rust_like_cbor(value):
    """Encode the way aws-smithy-cbor does: indefinite-length maps and arrays (0xbf/0x9f
    ... 0xff), doubles as f64, timestamps as tag 1 + f64. botocore writes definite
    lengths only, so this is what proves the front can read what the Rust SDK sends."""
    out = bytearray()

    def head(major, n):
        if n < 24:
            out.append(major << 5 | n)
        else:
            size = 1 if n < 256 else 2 if n < 65536 else 4 if n < 2**32 else 8
            out.append(major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[size])
            out.extend(n.to_bytes(size, "big"))

    def encode(v):
        if isinstance(v, bool):
            out.append(0xF5 if v else 0xF4)
        elif isinstance(v, int):
            head(0, v) if v >= 0 else head(1, -1 - v)
        elif isinstance(v, float):
            out.append(0xFB)
            out.extend(struct.pack(">d", v))
        elif isinstance(v, str):
            head(3, len(v.encode()))
            out.extend(v.encode())
        elif isinstance(v, datetime):
            out.append(0xC1)
            encode(v.timestamp())
        elif isinstance(v, list):
            out.append(0x9F)
            for item in v:
                encode(item)
            out.append(0xFF)
        elif isinstance(v, dict):
            out.append(0xBF)
            for key, item in v.items():
                encode(key)
                encode(item)
            out.append(0xFF)
        else:
            raise TypeError(type(v))

    encode(value)
    return bytes(out)


def cbor_call(operation, params, gzip_body=False, rust_encoding=False):
    """Send one CloudWatch call the way aws-sdk-cloudwatch >= 1.100 does (RPC v2 CBOR,
    SigV4 with signing name monitoring). Returns (status, headers, raw body, parsed)."""
    model = CLOUDWATCH_MODEL.operation_model(operation)
    serialized = RpcV2CBORSerializer().serialize_to_request(params, model)
    headers = dict(serialized["headers"])
    body = rust_like_cbor(params) if rust_encoding else serialized["body"]
    if gzip_body:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    request = AWSRequest(method="POST", url=FRONT.url + serialized["url_path"], data=body,
                         headers=headers)
    SigV4Auth(Credentials("testing", "testing"), "monitoring", REGION).add_auth(request)
    prepared = request.prepare()
    status, reply_headers, raw = http("POST", prepared.url, headers=dict(prepared.headers),
                                      data=prepared.body)
    parsed = RpcV2CBORParser().parse(
        {"status_code": status, "headers": reply_headers, "body": raw}, model.output_shape)
    return status, reply_headers, raw, parsed


def utc(**delta):
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(**delta)


def z(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def error_of(call, *args, **kwargs):
    """The ClientError a call raises (fails the test if it does not raise)."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return error
    raise AssertionError(f"{call.__name__} did not fail")


def setUpModule():
    global FRONT
    FRONT = FrontProcess()
    # Prove the CLI works once; later tests re-seed through the importable function.
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, str(HERE / "seed_fleet.py"), "--endpoint", FRONT.url,
         "--region", REGION], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"seed_fleet.py failed: {out.stderr}")
    METRICS["seed_cli_s"] = time.monotonic() - started
    summary = json.loads(out.stdout)
    if set(summary["instances"]) != {"web-1", "web-2", "db-1", "app-1"}:
        raise RuntimeError(f"seed summary incomplete: {summary}")
    METRICS["rss_seeded_mib"] = FRONT.rss_mib()


def tearDownModule():
    if FRONT is None:
        return
    METRICS["rss_end_mib"] = FRONT.rss_mib()
    METRICS["rss_peak_mib"] = FRONT.status_field("VmHWM")
    FRONT.stop()
    print("\nmoto_front metrics: " + ", ".join(
        f"{k}={v:.2f}" for k, v in METRICS.items()), file=sys.stderr)


class FrontTestCase(unittest.TestCase):
    """Every test starts from reset + a freshly seeded fleet."""

    def setUp(self):
        status, _, _ = http("POST", FRONT.url + "/moto-api/reset")
        self.assertEqual(status, 200)
        self.fleet = seed_fleet.seed(FRONT.url, REGION)
        self.ec2 = client("ec2")
        self.elbv2 = client("elbv2")
        self.cloudwatch = client("cloudwatch")
        plus("DELETE", "/_plus/requests")

    def instance(self, name):
        return self.fleet["instances"][name]

    def statuses(self):
        found = self.ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
        return {s["InstanceId"]: s for s in found}

    def health(self, group, targets=None):
        kwargs = {"TargetGroupArn": self.fleet["target_groups"][group]}
        if targets:
            kwargs["Targets"] = [{"Id": t} for t in targets]
        found = self.elbv2.describe_target_health(**kwargs)["TargetHealthDescriptions"]
        return {d["Target"]["Id"]: d["TargetHealth"] for d in found}


# ----------------------------------------------------------------------------------------
# seed, log, faults
# ----------------------------------------------------------------------------------------


class SeedAndLogTest(FrontTestCase):
    def test_seeded_fleet_is_complete(self):
        reservations = self.ec2.describe_instances(
            Filters=[{"Name": "tag:fleet", "Values": ["seed"]}])["Reservations"]
        self.assertEqual(len(reservations), 4, "one reservation per instance")
        by_name = {}
        for reservation in reservations:
            for i in reservation["Instances"]:
                tags = {t["Key"]: t["Value"] for t in i["Tags"]}
                by_name[tags["Name"]] = (tags["role"], i["Placement"]["AvailabilityZone"])
        self.assertEqual(by_name, {"web-1": ("web", "us-east-1a"), "web-2": ("web", "us-east-1a"),
                                   "db-1": ("db", "us-east-1a"), "app-1": ("app", "us-east-1b")})
        volume = self.ec2.describe_volumes(VolumeIds=[self.fleet["data_volume_id"]])["Volumes"][0]
        self.assertEqual(volume["Attachments"][0]["Device"], "/dev/sdf")
        self.assertEqual(volume["Attachments"][0]["InstanceId"], self.instance("db-1"))
        self.assertEqual(len(self.fleet["snapshot_ids"]), 2)
        self.assertEqual(self.health("web-tg").keys(), {self.instance("web-1"), self.instance("web-2")})
        self.assertEqual(self.health("app-tg").keys(), {self.instance("app-1")})
        alarm = self.cloudwatch.describe_alarms(AlarmNames=["db-1-cpu-high"])["MetricAlarms"][0]
        self.assertEqual(alarm["StateValue"], "ALARM")
        self.assertEqual(len(self.cloudwatch.list_metrics(Namespace="AWS/EC2")["Metrics"]), 4)
        eni = self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[self.fleet["eni_id"]])["NetworkInterfaces"][0]
        self.assertEqual(len(eni["PrivateIpAddresses"]), 2)
        untagged = [r for r in self.ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
                    if {"Key": "fleet", "Value": "seed"} not in r.get("Tags", [])]
        self.assertEqual(untagged, [])

    def test_request_log(self):
        self.ec2.describe_instances()
        self.elbv2.describe_load_balancers()
        client("sts").get_caller_identity()
        self.cloudwatch.describe_alarms()            # botocore speaks awsJson to CloudWatch
        cbor_call("DescribeAlarms", {})               # the Rust SDK speaks CBOR
        http("GET", FRONT.url + "/moto-api/")         # not logged
        log = plus("GET", "/_plus/requests")["requests"]
        self.assertEqual([(r["service"], r["action"], r["region"]) for r in log], [
            ("ec2", "DescribeInstances", REGION),
            ("elasticloadbalancing", "DescribeLoadBalancers", REGION),
            ("sts", "GetCallerIdentity", REGION),
            ("monitoring", "DescribeAlarms", REGION),
            ("monitoring", "DescribeAlarms", REGION),
        ])
        self.assertTrue(all(r["faulted"] is False and r["status"] == 200 for r in log), log)
        self.assertTrue(all(r["access_key"] == "testing" and r["dry_run"] is False for r in log))
        error_of(self.ec2.stop_instances, InstanceIds=[self.instance("web-1")], DryRun=True)
        self.assertTrue(plus("GET", "/_plus/requests")["requests"][-1]["dry_run"])
        self.assertEqual(plus("DELETE", "/_plus/requests"), {"requests": []})
        self.assertEqual(plus("GET", "/_plus/requests"), {"requests": []})


class FaultTest(FrontTestCase):
    def test_error_then_cleared_after_times(self):
        ec2 = client("ec2", attempts=1)
        plus("POST", "/_plus/faults", {"rules": [{
            "service": "ec2", "action": "DescribeInstances", "error_code": "RequestLimitExceeded",
            "status": 503, "times": 2, "delay_ms": 0, "probability": 1.0}]})
        for _ in range(2):
            error = error_of(ec2.describe_instances)
            self.assertEqual(error.response["Error"]["Code"], "RequestLimitExceeded")
            self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 503)
            ec2.describe_volumes()  # other actions are not affected
        ec2.describe_instances()
        log = [r for r in plus("GET", "/_plus/requests")["requests"]
               if r["action"] == "DescribeInstances"]
        self.assertEqual([r["faulted"] for r in log], [True, True, False])
        self.assertEqual([r["status"] for r in log], [503, 503, 200])
        self.assertEqual(plus("GET", "/_plus/faults")["rules"][0]["times"], 0)

    def test_error_shapes_per_protocol(self):
        plus("POST", "/_plus/faults", {"rules": [
            {"service": "*", "action": "*", "error_code": "Throttling", "message": "slow down"}]})
        # ELBv2 and STS: awsQuery <ErrorResponse>
        status, _, body = http("POST", FRONT.url + "/", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
                             "elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0"},
            data=b"Action=DescribeLoadBalancers&Version=2015-12-01")
        self.assertEqual(status, 400)
        self.assertRegex(body.decode(), r"^<\?xml[^>]*>\s*<ErrorResponse><Error><Type>Sender</Type>"
                                        r"<Code>Throttling</Code><Message>slow down</Message>"
                                        r"</Error><RequestId>[^<]+</RequestId></ErrorResponse>$")
        for call in (client("elbv2", 1).describe_load_balancers,
                     client("sts", 1).get_caller_identity,
                     client("ec2", 1).describe_instances,
                     client("cloudwatch", 1).list_metrics):
            error = error_of(call)
            self.assertEqual(error.response["Error"]["Code"], "Throttling", call)
            self.assertEqual(error.response["Error"]["Message"], "slow down", call)
        # EC2: <Response><Errors>
        status, _, body = http("POST", FRONT.url + "/", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/"
                             "aws4_request, SignedHeaders=host, Signature=0"},
            data=b"Action=DescribeInstances&Version=2016-11-15")
        self.assertRegex(body.decode(), r"<Response><Errors><Error><Code>Throttling</Code>"
                                        r"<Message>slow down</Message></Error></Errors>"
                                        r"<RequestID>[^<]+</RequestID></Response>$")
        # CloudWatch CBOR
        status, headers, _, parsed = cbor_call("ListMetrics", {})
        self.assertEqual(status, 400)
        self.assertEqual(headers["content-type"], "application/cbor")
        self.assertEqual(headers["smithy-protocol"], "rpc-v2-cbor")
        self.assertEqual(headers["x-amzn-query-error"], "Throttling;Sender")
        self.assertEqual(parsed["Error"]["Code"], "Throttling")
        self.assertEqual(parsed["Error"]["Message"], "slow down")
        self.assertTrue(all(r["faulted"] for r in plus("GET", "/_plus/requests")["requests"]))
        plus("DELETE", "/_plus/faults")
        client("ec2", 1).describe_instances()
        self.assertEqual(plus("GET", "/_plus/faults"), {"rules": []})

    def test_latency_only_rule(self):
        plus("POST", "/_plus/faults", {"rules": [
            {"service": "elasticloadbalancing", "action": "DescribeTargetHealth", "delay_ms": 400}]})
        started = time.monotonic()
        self.health("web-tg")
        self.assertGreaterEqual(time.monotonic() - started, 0.4)
        started = time.monotonic()
        self.elbv2.describe_load_balancers()
        self.assertLess(time.monotonic() - started, 0.4)

    def test_probability_is_seeded(self):
        ec2 = client("ec2", attempts=1)

        def pattern():
            plus("POST", "/_plus/faults", {"seed": 42, "rules": [{
                "service": "ec2", "action": "DescribeVpcs", "error_code": "InternalError",
                "probability": 0.5}]})
            outcome = []
            for _ in range(20):
                try:
                    ec2.describe_vpcs()
                    outcome.append(False)
                except ClientError as error:
                    self.assertEqual(error.response["Error"]["Code"], "InternalError")
                    outcome.append(True)
            return outcome

        first = pattern()
        self.assertTrue(0 < sum(first) < 20, first)
        self.assertEqual(pattern(), first)

    def test_bad_rule_is_rejected(self):
        status, _, body = http("POST", FRONT.url + "/_plus/faults",
                               {"rules": [{"servce": "ec2", "error_code": "X"}]})
        self.assertEqual(status, 400)
        self.assertIn("servce", json.loads(body)["error"])


# ----------------------------------------------------------------------------------------
# EC2 status, events and volumes
# ----------------------------------------------------------------------------------------


class InstanceStatusTest(FrontTestCase):
    def test_injected_status_and_events(self):
        db = self.instance("db-1")
        answer = plus("POST", "/_plus/instance-status", {
            "instance_id": db, "system_status": "impaired", "instance_status": "ok",
            "events": [{"Code": "instance-stop", "Description": "retiring hardware",
                        "NotBefore": "2030-01-01T00:00:00Z", "NotAfter": "2030-01-02T00:00:00Z"}]})
        event_id = answer["events"][0]["InstanceEventId"]
        self.assertRegex(event_id, r"^instance-event-[0-9a-f]{17}$")

        status = self.statuses()[db]
        self.assertEqual(status["SystemStatus"]["Status"], "impaired")
        detail = status["SystemStatus"]["Details"][0]
        self.assertEqual((detail["Name"], detail["Status"]), ("reachability", "failed"))
        self.assertIsInstance(detail["ImpairedSince"], datetime)
        self.assertEqual(status["InstanceStatus"]["Status"], "ok")
        self.assertEqual(status["InstanceStatus"]["Details"][0]["Status"], "passed")
        [event] = status["Events"]
        self.assertEqual(event["Code"], "instance-stop")
        self.assertEqual(event["InstanceEventId"], event_id)
        self.assertEqual(event["NotBefore"], datetime(2030, 1, 1, tzinfo=timezone.utc))
        self.assertNotIn("NotBeforeDeadline", event)
        self.assertEqual(self.statuses()[db]["Events"][0]["InstanceEventId"], event_id, "stable")

        # the seeded event on web-2, untouched statuses elsewhere
        web2 = self.statuses()[self.instance("web-2")]
        self.assertEqual(web2["Events"][0]["InstanceEventId"], self.fleet["web_2_event_id"])
        self.assertIn("NotBeforeDeadline", web2["Events"][0])
        self.assertEqual(web2["SystemStatus"]["Status"], "ok")
        self.assertNotIn("Events", self.statuses()[self.instance("app-1")])

        # DescribeInstanceStatus filters follow the injected state
        def filtered(name, value):
            found = self.ec2.describe_instance_status(
                IncludeAllInstances=True, Filters=[{"Name": name, "Values": [value]}])
            return {s["InstanceId"] for s in found["InstanceStatuses"]}
        self.assertEqual(filtered("system-status.status", "impaired"), {db})
        self.assertEqual(filtered("system-status.reachability", "failed"), {db})
        self.assertEqual(filtered("event.code", "system-reboot"), {self.instance("web-2")})
        self.assertEqual(filtered("event.instance-event-id", event_id), {db})
        self.assertEqual(filtered("availability-zone", "us-east-1b"), {self.instance("app-1")})

        # null brings moto's value back
        plus("POST", "/_plus/instance-status", {"instance_id": db, "system_status": None})
        self.assertEqual(self.statuses()[db]["SystemStatus"]["Status"], "ok")


class ModifyInstanceEventStartTimeTest(FrontTestCase):
    def setUp(self):
        super().setUp()
        self.web2 = self.instance("web-2")
        self.event = self.statuses()[self.web2]["Events"][0]

    def modify(self, not_before, event_id=None, **extra):
        return self.ec2.modify_instance_event_start_time(
            InstanceId=extra.pop("instance_id", self.web2),
            InstanceEventId=event_id or self.event["InstanceEventId"],
            NotBefore=not_before, **extra)

    def test_reschedule_within_deadline(self):
        new_start = self.event["NotBefore"] + timedelta(days=2)
        result = self.modify(new_start)["Event"]
        self.assertEqual(result["InstanceEventId"], self.event["InstanceEventId"])
        self.assertEqual(result["Code"], "system-reboot")
        self.assertEqual(result["NotBefore"], new_start)
        self.assertEqual(result["NotAfter"], new_start + timedelta(hours=2), "window keeps its length")
        self.assertEqual(result["NotBeforeDeadline"], self.event["NotBeforeDeadline"])
        self.assertEqual(self.statuses()[self.web2]["Events"][0]["NotBefore"], new_start)

    def test_dry_run_changes_nothing(self):
        error = error_of(self.modify, self.event["NotBefore"] + timedelta(days=1), DryRun=True)
        self.assertEqual(error.response["Error"]["Code"], "DryRunOperation")
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 412)
        self.assertEqual(self.statuses()[self.web2]["Events"][0]["NotBefore"],
                         self.event["NotBefore"])

    def test_refusals(self):
        past_deadline = self.event["NotBeforeDeadline"] + timedelta(hours=1)
        self.assertEqual(error_of(self.modify, past_deadline).response["Error"]["Code"],
                         "InvalidParameterValue")
        self.assertEqual(error_of(self.modify, utc(days=3), event_id="instance-event-0000000000000000a")
                         .response["Error"]["Code"], "InvalidInstanceEventID.NotFound")
        self.assertEqual(error_of(self.modify, utc(days=3), instance_id="i-0123456789abcdef0")
                         .response["Error"]["Code"], "InvalidInstanceID.NotFound")
        # an event without NotBeforeDeadline cannot be rescheduled
        db = self.instance("db-1")
        event_id = plus("POST", "/_plus/instance-status", {"instance_id": db, "events": [
            {"Code": "system-maintenance", "NotBefore": z(utc(days=5))}]})["events"][0]["InstanceEventId"]
        error = error_of(self.modify, utc(days=6), event_id=event_id, instance_id=db)
        self.assertEqual(error.response["Error"]["Code"], "InvalidParameterValue")
        self.assertEqual(self.statuses()[self.web2]["Events"][0]["NotBefore"],
                         self.event["NotBefore"])


class VolumeStatusTest(FrontTestCase):
    def test_describe_volume_status(self):
        all_volumes = {v["VolumeId"] for v in self.ec2.describe_volumes()["Volumes"]}
        found = self.ec2.describe_volume_status()["VolumeStatuses"]
        self.assertEqual({v["VolumeId"] for v in found}, all_volumes)
        self.assertEqual(len(all_volumes), 5)
        self.assertTrue(all(v["VolumeStatus"]["Status"] == "ok" for v in found))

        data = self.fleet["data_volume_id"]
        plus("POST", "/_plus/volume-events", {"volume_id": data, "events": [{
            "EventType": "potential-data-inconsistency", "Description": "I/O disabled",
            "NotBefore": "2026-01-01T00:00:00Z", "NotAfter": "2026-01-02T00:00:00Z",
            "EventId": "evol-1234"}]})
        [item] = self.ec2.describe_volume_status(VolumeIds=[data])["VolumeStatuses"]
        self.assertEqual(item["AvailabilityZone"], "us-east-1a")
        [event] = item["Events"]
        self.assertEqual((event["EventType"], event["EventId"], event["Description"]),
                         ("potential-data-inconsistency", "evol-1234", "I/O disabled"))
        self.assertEqual(event["NotBefore"], datetime(2026, 1, 1, tzinfo=timezone.utc))
        self.assertEqual(event["InstanceId"], self.instance("db-1"))

        pages = list(self.ec2.get_paginator("describe_volume_status").paginate(
            PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        self.assertEqual(sorted(v["VolumeId"] for p in pages for v in p["VolumeStatuses"]),
                         sorted(all_volumes))
        error = error_of(self.ec2.describe_volume_status, VolumeIds=["vol-0123456789abcdef0"])
        self.assertEqual(error.response["Error"]["Code"], "InvalidVolume.NotFound")


# ----------------------------------------------------------------------------------------
# ELBv2 and AZs
# ----------------------------------------------------------------------------------------


class TargetHealthTest(FrontTestCase):
    def test_override(self):
        web1, web2 = self.instance("web-1"), self.instance("web-2")
        plus("POST", "/_plus/target-health", {
            "target_id": web1, "state": "unhealthy", "reason": "Target.FailedHealthChecks",
            "description": "Health checks failed"})
        health = self.health("web-tg")
        self.assertEqual(health[web1], {"State": "unhealthy", "Reason": "Target.FailedHealthChecks",
                                        "Description": "Health checks failed"})
        self.assertEqual(health[web2]["State"], "healthy")
        # scoped to one group
        plus("POST", "/_plus/target-health", {
            "target_id": self.instance("app-1"), "target_group_arn": self.fleet["target_groups"]["web-tg"],
            "state": "unhealthy", "reason": "Target.Timeout"})
        self.assertEqual(self.health("app-tg")[self.instance("app-1")]["State"], "healthy")
        # state null removes the override
        plus("POST", "/_plus/target-health", {"target_id": web1, "state": None})
        self.assertEqual(self.health("web-tg")[web1]["State"], "healthy")

    def test_draining_lasts_the_deregistration_delay(self):
        web2, arn = self.instance("web-2"), self.fleet["target_groups"]["web-tg"]
        plus("POST", "/_plus/config", {"drain": True})
        self.elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": "2"}])
        self.elbv2.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": web2}])
        started = time.monotonic()
        draining = {"State": "draining", "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress"}
        self.assertEqual(self.health("web-tg")[web2], draining)
        self.assertEqual(self.health("web-tg", targets=[web2])[web2], draining)
        time.sleep(max(0.0, 1.5 - (time.monotonic() - started)))
        self.assertEqual(self.health("web-tg")[web2]["State"], "draining")
        time.sleep(max(0.0, 2.3 - (time.monotonic() - started)))
        self.assertNotIn(web2, self.health("web-tg"))
        self.assertEqual(self.health("web-tg", targets=[web2])[web2]["State"], "unused")

    def test_without_drain_moto_behaviour_is_kept(self):
        web2, arn = self.instance("web-2"), self.fleet["target_groups"]["web-tg"]
        self.elbv2.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": web2}])
        self.assertNotIn(web2, self.health("web-tg"))

    def test_initial_state(self):
        plus("POST", "/_plus/config", {"initial_seconds": 1.5})
        db, arn = self.instance("db-1"), self.fleet["target_groups"]["app-tg"]
        self.elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": db, "Port": 8080}])
        started = time.monotonic()
        health = self.health("app-tg")
        self.assertEqual(health[db], {"State": "initial", "Reason": "Elb.RegistrationInProgress",
                                      "Description": "Target registration is in progress"})
        self.assertEqual(health[self.instance("app-1")]["State"], "healthy")
        time.sleep(max(0.0, 1.7 - (time.monotonic() - started)))
        self.assertEqual(self.health("app-tg")[db]["State"], "healthy")


class AvailabilityZoneTest(FrontTestCase):
    def zones(self, **kwargs):
        found = self.ec2.describe_availability_zones(**kwargs)["AvailabilityZones"]
        return {z["ZoneName"]: z for z in found}

    def test_az_state(self):
        plus("POST", "/_plus/az", {"zone": "us-east-1a", "state": "impaired"})
        zones = self.zones()
        self.assertEqual(zones["us-east-1a"]["State"], "impaired")
        self.assertEqual(zones["us-east-1b"]["State"], "available")
        self.assertEqual(set(self.zones(Filters=[{"Name": "state", "Values": ["impaired"]}])),
                         {"us-east-1a"})
        plus("POST", "/_plus/az", {"zone": "us-east-1a", "state": "available"})
        self.assertEqual(self.zones()["us-east-1a"]["State"], "available")


# ----------------------------------------------------------------------------------------
# CloudWatch over CBOR
# ----------------------------------------------------------------------------------------


class CborTest(FrontTestCase):
    def metric(self, instance):
        return {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "InstanceId", "Value": instance}]}

    def assertCborOk(self, status, headers):
        self.assertEqual(status, 200)
        self.assertEqual(headers["smithy-protocol"], "rpc-v2-cbor")
        self.assertEqual(headers["content-type"], "application/cbor")

    def test_metrics_round_trip(self):
        now = utc()
        status, headers, raw, _ = cbor_call("PutMetricData", {"Namespace": "AWS/EC2", "MetricData": [
            {**{k: v for k, v in self.metric("i-cbor").items() if k != "Namespace"},
             "Timestamp": now - timedelta(minutes=m), "Value": float(m), "Unit": "Percent"}
            for m in range(5)]})
        self.assertCborOk(status, headers)

        status, headers, raw, parsed = cbor_call("GetMetricStatistics", {
            **self.metric("i-cbor"), "StartTime": now - timedelta(hours=1),
            "EndTime": now + timedelta(minutes=1), "Period": 60, "Statistics": ["Average", "Maximum"]})
        self.assertCborOk(status, headers)
        self.assertIn(b"\xc1", raw, "timestamps are CBOR tag 1")
        points = sorted(parsed["Datapoints"], key=lambda p: p["Timestamp"])
        self.assertEqual([p["Maximum"] for p in points], [4.0, 3.0, 2.0, 1.0, 0.0])
        self.assertEqual(points[-1]["Timestamp"], now)

        status, headers, raw, parsed = cbor_call("GetMetricData", {
            "MetricDataQueries": [{"Id": "m1", "MetricStat": {
                "Metric": self.metric(self.instance("db-1")), "Period": 60, "Stat": "Average"}}],
            "StartTime": now - timedelta(hours=1), "EndTime": now + timedelta(minutes=1)})
        self.assertCborOk(status, headers)
        [result] = parsed["MetricDataResults"]
        self.assertEqual(len(result["Values"]), 30)
        self.assertTrue(all(isinstance(t, datetime) for t in result["Timestamps"]))
        self.assertTrue(all(80 < v < 95 for v in result["Values"]), result["Values"])

        status, headers, raw, parsed = cbor_call("ListMetrics", {"Namespace": "AWS/EC2"})
        self.assertCborOk(status, headers)
        self.assertEqual(len(parsed["Metrics"]), 5)

    def test_indefinite_length_request(self):
        now = utc()
        status, headers, _, _ = cbor_call("PutMetricData", {"Namespace": "AWS/EC2", "MetricData": [
            {"MetricName": "NetworkIn", "Dimensions": [{"Name": "InstanceId", "Value": "i-rust"}],
             "Timestamp": now - timedelta(minutes=m), "Value": 1000.0 * m, "Unit": "Bytes"}
            for m in range(3)]}, rust_encoding=True)
        self.assertCborOk(status, headers)
        status, headers, _, parsed = cbor_call("GetMetricStatistics", {
            "Namespace": "AWS/EC2", "MetricName": "NetworkIn",
            "Dimensions": [{"Name": "InstanceId", "Value": "i-rust"}],
            "StartTime": now - timedelta(hours=1), "EndTime": now + timedelta(minutes=1),
            "Period": 60, "Statistics": ["Sum"]}, rust_encoding=True)
        self.assertCborOk(status, headers)
        self.assertEqual(sorted(p["Sum"] for p in parsed["Datapoints"]), [0.0, 1000.0, 2000.0])
        status, headers, _, parsed = cbor_call("DescribeAlarms", {}, rust_encoding=True)
        self.assertCborOk(status, headers)
        self.assertEqual([a["AlarmName"] for a in parsed["MetricAlarms"]], ["db-1-cpu-high"])

    def test_gzip_request(self):
        status, headers, _, _ = cbor_call("PutMetricData", {"Namespace": "Custom", "MetricData": [
            {"MetricName": "Queue", "Value": 7.0, "Timestamp": utc()}]}, gzip_body=True)
        self.assertCborOk(status, headers)
        _, _, _, parsed = cbor_call("ListMetrics", {"Namespace": "Custom"})
        self.assertEqual([m["MetricName"] for m in parsed["Metrics"]], ["Queue"])

    def test_alarms(self):
        status, headers, _, _ = cbor_call("PutMetricAlarm", {
            "AlarmName": "web-1-cpu", **self.metric(self.instance("web-1")), "Statistic": "Average",
            "Period": 60, "EvaluationPeriods": 2, "Threshold": 70.0,
            "ComparisonOperator": "GreaterThanThreshold"})
        self.assertCborOk(status, headers)
        status, headers, _, _ = cbor_call("SetAlarmState", {
            "AlarmName": "web-1-cpu", "StateValue": "ALARM", "StateReason": "test"})
        self.assertCborOk(status, headers)
        status, headers, _, parsed = cbor_call("DescribeAlarms", {"StateValue": "ALARM"})
        self.assertCborOk(status, headers)
        alarms = {a["AlarmName"]: a for a in parsed["MetricAlarms"]}
        self.assertEqual(set(alarms), {"web-1-cpu", "db-1-cpu-high"})
        self.assertEqual(alarms["web-1-cpu"]["Threshold"], 70.0)
        self.assertEqual(alarms["web-1-cpu"]["EvaluationPeriods"], 2)
        self.assertIsInstance(alarms["web-1-cpu"]["StateUpdatedTimestamp"], datetime)

    def test_errors(self):
        status, headers, _, parsed = cbor_call("SetAlarmState", {
            "AlarmName": "no-such-alarm", "StateValue": "OK", "StateReason": "x"})
        self.assertEqual(status, 404)
        self.assertEqual(headers["x-amzn-query-error"], "ResourceNotFound;Sender")
        self.assertEqual(parsed["Error"]["Code"], "ResourceNotFound")
        raw = cbor_call("SetAlarmState", {
            "AlarmName": "no-such-alarm", "StateValue": "OK", "StateReason": "x"})[2]
        raw_error = RpcV2CBORParser().parse_data_item(io.BytesIO(raw))
        self.assertEqual(raw_error["__type"], "ResourceNotFound")
        self.assertIn("message", raw_error)
        status, _, _ = http("POST", FRONT.url + "/service/GraniteServiceVersion20100801/operation/Nope",
                            headers={"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor",
                                     "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/"
                                     "us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0"},
                            data=b"\xa0")
        self.assertEqual(status, 404)


# ----------------------------------------------------------------------------------------
# paging where moto answers whole
# ----------------------------------------------------------------------------------------


class PagingTest(FrontTestCase):
    def test_pages_follow_the_page_size_and_cover_the_list_once(self):
        whole = [s["SubnetId"] for s in self.ec2.describe_subnets()["Subnets"]]
        seen, token, calls = [], None, 0
        while True:
            page = self.ec2.describe_subnets(MaxResults=5, **({"NextToken": token} if token else {}))
            calls, token = calls + 1, page.get("NextToken")
            seen += [s["SubnetId"] for s in page["Subnets"]]
            self.assertLessEqual(len(page["Subnets"]), 5)
            if not token:
                break
        self.assertEqual(seen, whole)
        self.assertEqual(calls, -(-len(whole) // 5))
        self.assertEqual(error_of(self.ec2.describe_subnets, MaxResults=5, NextToken="x")
                         .response["Error"]["Code"], "InvalidNextToken")
        groups = self.elbv2.describe_target_groups(PageSize=1)
        self.assertEqual(len(groups["TargetGroups"]), 1)
        rest = self.elbv2.describe_target_groups(PageSize=5, Marker=groups["NextMarker"])
        self.assertNotIn("NextMarker", rest)
        self.assertEqual(len(rest["TargetGroups"]), len(self.fleet["target_groups"]) - 1)

    def test_cbor_alarms_are_paged(self):
        for n in range(2):
            cbor_call("PutMetricAlarm", {
                "AlarmName": f"extra-{n}", **CborTest.metric(self, self.instance("web-1")),
                "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanThreshold"})
        _, _, _, first = cbor_call("DescribeAlarms", {"MaxRecords": 2})
        self.assertEqual(len(first["MetricAlarms"]), 2)
        _, _, _, rest = cbor_call("DescribeAlarms", {"MaxRecords": 2, "NextToken": first["NextToken"]})
        self.assertEqual(len(rest["MetricAlarms"]), 1)
        self.assertNotIn("NextToken", rest)


# ----------------------------------------------------------------------------------------
# reset
# ----------------------------------------------------------------------------------------


class ResetTest(FrontTestCase):
    def test_reset_clears_moto_and_front(self):
        plus("POST", "/_plus/faults", {"rules": [{"action": "Nothing", "error_code": "X"}]})
        plus("POST", "/_plus/instance-status", {"instance_id": self.instance("db-1"),
                                                "system_status": "impaired"})
        plus("POST", "/_plus/volume-events", {"volume_id": self.fleet["data_volume_id"],
                                              "events": [{"EventType": "x"}]})
        plus("POST", "/_plus/target-health", {"target_id": self.instance("web-1"), "state": "unhealthy"})
        plus("POST", "/_plus/config", {"drain": True, "initial_seconds": 5})
        plus("POST", "/_plus/az", {"zone": "us-east-1b", "state": "impaired"})
        self.ec2.describe_instances()

        status, _, _ = http("POST", FRONT.url + "/moto-api/reset")
        self.assertEqual(status, 200)
        self.assertEqual(plus("GET", "/_plus/requests"), {"requests": []})
        self.assertEqual(plus("GET", "/_plus/faults"), {"rules": []})
        self.assertEqual(plus("GET", "/_plus/instance-status"), {"instances": []})
        self.assertEqual(plus("GET", "/_plus/volume-events"), {"volumes": []})
        self.assertEqual(plus("GET", "/_plus/target-health"), {"overrides": []})
        self.assertEqual(plus("GET", "/_plus/config"), {"drain": False, "initial_seconds": 0.0})
        self.assertEqual(plus("GET", "/_plus/az"), {"zones": []})
        zones = self.ec2.describe_availability_zones()["AvailabilityZones"]
        self.assertTrue(all(z["State"] == "available" for z in zones))
        self.assertEqual(self.ec2.describe_instances()["Reservations"], [])
        self.assertEqual(self.elbv2.describe_load_balancers()["LoadBalancers"], [])

    def test_moto_api_still_served(self):
        status, _, body = http("GET", FRONT.url + "/moto-api/data.json")
        self.assertEqual(status, 200)
        self.assertIn("ec2", json.loads(body))
        status, _, _ = http("GET", FRONT.url + "/_plus/nope")
        self.assertEqual(status, 400)


if __name__ == "__main__":
    unittest.main()
