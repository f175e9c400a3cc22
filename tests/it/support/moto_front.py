#!/usr/bin/env python3
"""moto_front: moto's own server app behind a small WSGI front, for opsdeck's tests.

    python moto_front.py --host 127.0.0.1 --port P [--log-requests]

Every ordinary moto endpoint and /moto-api/* is served unchanged by moto's own
DomainDispatcherApplication (the app `moto_server` runs). The front adds what moto
cannot do (see /work/shared/notes/moto.md):

* CloudWatch Smithy RPC v2 CBOR (what aws-sdk-cloudwatch >= 1.100 speaks), translated
  to and from awsJson1_0, which moto understands.
* A request log:          GET/DELETE /_plus/requests
* Fault rules:            GET/POST/DELETE /_plus/faults
* Instance status/events: GET/POST /_plus/instance-status   (DescribeInstanceStatus)
* Volume events:          GET/POST /_plus/volume-events     (DescribeVolumeStatus)
* Target health override: GET/POST /_plus/target-health     (DescribeTargetHealth)
* Draining / initial:     GET/POST /_plus/config
* AZ state:               GET/POST /_plus/az                (DescribeAvailabilityZones)
* Front-only reset:       POST /_plus/reset   (POST /moto-api/reset clears moto AND the front)
* EC2 actions moto lacks: ModifyInstanceEventStartTime, DescribeVolumeStatus.
* AssignPrivateIpAddresses with AllowReassignment=true moves the address (moto copies it).
* Auto Scaling as AWS documents it (moto_front_asg.py): launches balanced over the group's AZs,
  Standby out of the target groups and back, AWS's Standby checks, DescribeInstanceRefreshes.
* Paging where moto answers whole (moto_front_paging.py): DescribeSubnets, -InstanceStatus,
  -Volumes, -Snapshots, -Images, -NetworkInterfaces, -TargetGroups, CloudWatch DescribeAlarms.

Only the Python standard library, moto, botocore and werkzeug are used.
"""

import os

# moto reads this at import time. Without it, ~1,300 public AMIs and their snapshots
# show up in DescribeImages / DescribeSnapshots(OwnerIds=self) and confuse tests.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

import argparse
import gzip
import hashlib
import io
import json
import logging
import random
import re
import signal
import sys
import threading
import time
import traceback
import types
import uuid
from datetime import datetime, timezone
from http import HTTPStatus
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape

from botocore.model import OperationNotFoundError
from botocore.parsers import JSONParser, RpcV2CBORParser
from botocore.serialize import JSONSerializer, RpcV2CBORSerializer
from botocore.utils import parse_timestamp
from moto.core.serialize import EC2Serializer, SerializationContext, XFormedAttributePicker
from moto.core.utils import get_service_model
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server
from werkzeug.wsgi import get_input_stream

sys.dont_write_bytecode = True  # no __pycache__ next to the support files
import moto_front_asg  # noqa: E402 - after the flag above
import moto_front_paging  # noqa: E402


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def utcnow():
    return datetime.now(timezone.utc)


def to_datetime(value):
    """ISO-8601 string / epoch number / datetime -> aware UTC datetime (None stays None)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        dt = parse_timestamp(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def stable_hex(*parts, length=17):
    """Deterministic hex id, so injected ids are the same run after run."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:length]


def status_line(code):
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Error"


class ControlError(Exception):
    """A bad /_plus request: answered as HTTP 400 {"error": ...}."""


# --------------------------------------------------------------------------------------
# Front state (everything here is cleared by POST /moto-api/reset)
# --------------------------------------------------------------------------------------


class FaultRule:
    FIELDS = {"service", "action", "region", "error_code", "message", "status",
              "times", "delay_ms", "probability"}
    # HTTP status AWS uses for common codes, when a rule does not give one.
    DEFAULT_STATUS = {
        "RequestLimitExceeded": 503, "ServiceUnavailable": 503, "Unavailable": 503,
        "InternalError": 500, "InternalFailure": 500, "InternalServiceError": 500,
        "UnauthorizedOperation": 403, "AccessDenied": 403, "DryRunOperation": 412,
    }

    def __init__(self, spec):
        unknown = set(spec) - self.FIELDS
        if unknown:  # typos must not silently turn into a rule that matches nothing
            raise ControlError(f"unknown fault rule field(s): {sorted(unknown)}")
        self.service = spec.get("service", "*")
        self.action = spec.get("action", "*")
        self.region = spec.get("region", "*")
        self.error_code = spec.get("error_code")
        self.message = spec.get("message")
        self.status = int(spec.get("status") or self.DEFAULT_STATUS.get(self.error_code, 400))
        self.remaining = spec.get("times")  # None = unlimited
        self.delay_ms = int(spec.get("delay_ms") or 0)
        self.probability = float(spec.get("probability", 1.0))
        if self.error_code is None and not self.delay_ms:
            raise ControlError("a fault rule needs error_code and/or delay_ms")

    def matches(self, call):
        return (self.remaining is None or self.remaining > 0) and all(
            want == "*" or want == got
            for want, got in ((self.service, call.service), (self.action, call.action),
                              (self.region, call.region)))

    def to_json(self):
        return {"service": self.service, "action": self.action, "region": self.region,
                "error_code": self.error_code, "message": self.message,
                "status": self.status, "times": self.remaining,
                "delay_ms": self.delay_ms, "probability": self.probability}


class FrontState:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = []          # request log entries (dicts)
            self.faults = []            # FaultRule, in order
            self.rng = random.Random(0)
            self.instances = {}         # instance id -> {"system", "instance", "impaired_since", "events"}
            self.volumes = {}           # volume id -> {"status", "events"}
            self.target_health = {}     # (target id, tg arn or None) -> {"State", "Reason", "Description"}
            self.drain = False
            self.initial_seconds = 0.0
            self.draining = {}          # (tg arn, target id) -> (target dict, until epoch)
            self.initial_until = {}     # (tg arn, target id) -> until epoch
            self.zones = {}             # zone name -> {"state", "message"}


STATE = FrontState()


# --------------------------------------------------------------------------------------
# What an AWS request is: signing service, region, action, protocol
# --------------------------------------------------------------------------------------

# Smithy RPC v2 CBOR services we translate: targetPrefix -> botocore service name.
CBOR_SERVICES = {"GraniteServiceVersion20100801": "cloudwatch"}
CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


class AwsCall:
    """The parts of one AWS request the front cares about."""

    def __init__(self, environ, body):
        self.environ = environ
        self.body = body
        match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        # SigV4 credential scope: <key>/<date>/<region>/<signing name>/aws4_request.
        # moto routes on the signing name too, so this is the service as moto sees it.
        self.access_key, self.region, self.service = match.groups() if match else (None,) * 3
        self.params = self._form_params(environ, body)
        self.cbor_prefix = None
        path_match = CBOR_PATH.match(environ.get("PATH_INFO", ""))
        target = environ.get("HTTP_X_AMZ_TARGET")
        if path_match and path_match.group(1) in CBOR_SERVICES:
            self.protocol = "cbor"
            self.cbor_prefix, self.action = path_match.groups()
        elif target:
            self.protocol = "json"
            self.action = target.split(".", 1)[-1]
        elif "Action" in self.params:
            self.protocol = "ec2" if self.service == "ec2" else "query"
            self.action = self.params["Action"]
        else:
            self.protocol = "other"
            self.action = None

    @staticmethod
    def _form_params(environ, body):
        """Query-protocol parameters (form body and query string), first value of each."""
        pairs = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            pairs.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        return {k: v[0] for k, v in pairs.items()}

    def indexed(self, prefix):
        """EC2 query lists: VolumeId.1, VolumeId.2 ... -> [values] in index order."""
        found = []
        for key, value in self.params.items():
            m = re.fullmatch(re.escape(prefix) + r"\.(\d+)", key)
            if m:
                found.append((int(m.group(1)), value))
        return [v for _, v in sorted(found)]

    def filters(self):
        """EC2 query Filter.N.Name / Filter.N.Value.M -> {name: [values]}."""
        result = {}
        for n in sorted({int(m.group(1)) for k in self.params
                         for m in [re.fullmatch(r"Filter\.(\d+)\.Name", k)] if m}):
            result[self.params[f"Filter.{n}.Name"]] = self.indexed(f"Filter.{n}.Value")
        return result

    def flag(self, name):
        return self.params.get(name, "false").lower() == "true"

    def log_entry(self):
        # The access key id names who signed (tests check which credentials a process used), the
        # session token whether one was sent with it; a dry run is told from the call (EC2's
        # DryRun flag).
        return {"service": self.service, "action": self.action, "region": self.region,
                "faulted": False, "status": None, "access_key": self.access_key,
                "session_token": self.environ.get("HTTP_X_AMZ_SECURITY_TOKEN"),
                "dry_run": self.flag("DryRun")}


def moto_account_id(call):
    """The account moto files this request under (same precedence as moto's own responses)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if call.environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return call.environ["HTTP_X_MOTO_ACCOUNT_ID"]
    from moto.iam.models import get_account_id_from
    return get_account_id_from(call.access_key or "AKIAEXAMPLE")


def ec2_backend(call):
    from moto.ec2.models import ec2_backends
    return ec2_backends[moto_account_id(call)][call.region or "us-east-1"]


def autoscaling_backend(call):
    from moto.autoscaling.models import autoscaling_backends
    return autoscaling_backends[moto_account_id(call)][call.region or "us-east-1"]


# --------------------------------------------------------------------------------------
# Error bodies, shaped for the protocol the client spoke
# --------------------------------------------------------------------------------------

_STRING = types.SimpleNamespace(type_name="string")
_STRING_MAP = types.SimpleNamespace(type_name="map", key=_STRING, value=_STRING)


def cbor_encode_map(mapping):
    """A flat {str: str} CBOR map, using botocore's CBOR encoder."""
    out = bytearray()
    RpcV2CBORSerializer()._serialize_data_item(out, mapping, _STRING_MAP)
    return bytes(out)


def query_error_header(code, status):
    # awsQueryCompatible services (CloudWatch) name the old query code here; SDKs
    # (Rust included) take the error code from this header when it is present.
    return ("x-amzn-query-error", f"{code};{'Sender' if status < 500 else 'Receiver'}")


def error_response(call, code, message, status, type_name=None, message_key="message"):
    """(status, headers, body) for an error, in the wire format of `call.protocol`."""
    request_id = str(uuid.uuid4())
    if call.protocol == "cbor":
        body = cbor_encode_map({"__type": type_name or code, message_key: message})
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                   query_error_header(code, status)]
    elif call.protocol == "json":
        body = json.dumps({"__type": type_name or code, message_key: message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"), query_error_header(code, status)]
    elif call.protocol == "ec2":
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
                f"<Code>{xml_escape(code)}</Code><Message>{xml_escape(message)}</Message>"
                f"</Error></Errors><RequestID>{request_id}</RequestID></Response>").encode()
        headers = [("Content-Type", "text/xml")]
    else:  # awsQuery (ELBv2, STS, ...) and anything unknown
        fault = "Sender" if status < 500 else "Receiver"
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error>"
                f"<Type>{fault}</Type><Code>{xml_escape(code)}</Code>"
                f"<Message>{xml_escape(message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        headers = [("Content-Type", "text/xml")]
    headers.append(("x-amzn-RequestId", request_id))
    return status, headers, body


# --------------------------------------------------------------------------------------
# Fault rules
# --------------------------------------------------------------------------------------


def pick_fault(call):
    """Consume matching rules in order. Returns (total delay in s, erroring rule or None).

    Latency-only rules add up; the first rule with an error_code that fires ends the
    search. `times` counts firings; probability draws from the seeded RNG so a run with
    the same seed and the same call sequence fails the same calls.
    """
    delay_ms, failing = 0, None
    with STATE.lock:
        for rule in STATE.faults:
            if not rule.matches(call):
                continue
            if rule.probability < 1.0 and STATE.rng.random() >= rule.probability:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            delay_ms += rule.delay_ms
            if rule.error_code:
                failing = rule
                break
    return delay_ms / 1000.0, failing


# --------------------------------------------------------------------------------------
# WSGI plumbing
# --------------------------------------------------------------------------------------


def read_body(environ):
    """Read the whole request body and put it back, so moto can read it again.

    get_input_stream copes with both Content-Length and chunked uploads.
    """
    body = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def call_wsgi(app, environ):
    """Run a WSGI app to completion -> (status int, headers list, body bytes)."""
    captured, chunks = {}, []

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(captured["status"].split()[0]), captured["headers"], b"".join(chunks)


def respond(start_response, status, headers, body):
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(status_line(status), headers)
    return [body]


# --------------------------------------------------------------------------------------
# CloudWatch: Smithy RPC v2 CBOR <-> awsJson1_0
# --------------------------------------------------------------------------------------


def conform(shape, value):
    """Walk `value` along `shape`: drop nulls and unmodelled keys (JSONSerializer and
    the CBOR encoder raise on those) and give numbers the type the shape wants (the
    CBOR encoder cannot write a float into an integer, and moto's JSON is loose)."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: conform(shape.members[k], v)
                for k, v in value.items() if k in shape.members and v is not None}
    if kind == "list" and isinstance(value, list):
        return [conform(shape.member, v) for v in value if v is not None]
    if kind == "map" and isinstance(value, dict):
        return {k: conform(shape.value, v) for k, v in value.items() if v is not None}
    if kind in ("integer", "long") and isinstance(value, (float, str)):
        return int(float(value))
    if kind in ("float", "double") and isinstance(value, (int, str)):
        return float(value)
    return value


def cbor_error_shape(operation, code):
    """Modelled error shape for a query error code; the operation's own errors win
    (CloudWatch has two shapes with code ResourceNotFound)."""
    candidates = list(operation.error_shapes) + list(operation.service_model.error_shapes)
    for shape in candidates:
        if shape.name == code or shape.metadata.get("error", {}).get("code") == code:
            return shape
    return None


def cbor_error(call, operation, code, message, status):
    """CBOR error as CloudWatch sends it: __type = shape name, the query code in
    x-amzn-query-error, and the message under the member name the model uses."""
    shape = cbor_error_shape(operation, code) if operation else None
    if shape is not None:
        status = shape.metadata.get("error", {}).get("httpStatusCode", status)
        message_key = "Message" if "Message" in shape.members else "message"
        return error_response(call, code, message, status, shape.name, message_key)
    return error_response(call, code, message, status)


def moto_json_error(body):
    """(code, message) out of moto's awsJson error body, tolerating HTML 500 pages."""
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return "InternalFailure", body[:300].decode("utf-8", "replace")
    code = str(parsed.get("__type") or parsed.get("code") or "InternalFailure")
    code = code.rsplit("#", 1)[-1].split(":", 1)[0]
    return code, str(parsed.get("message") or parsed.get("Message") or "")


def cbor_operation(call):
    """botocore's OperationModel for a CBOR call, or None for an unknown operation."""
    try:
        return get_service_model(CBOR_SERVICES[call.cbor_prefix]).operation_model(call.action)
    except OperationNotFoundError:
        return None


def cbor_translate(call, moto_app):
    operation = cbor_operation(call)
    if operation is None:
        return error_response(call, "UnknownOperationException",
                              f"Unknown operation {call.action}", 404)

    body = call.body
    if call.environ.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip":
        body = gzip.decompress(body)  # SDKs gzip PutMetricData bodies above 10 KiB
    # A peekable stream: the Rust SDK writes indefinite-length maps, whose end the
    # parser finds by peeking for the break byte.
    parser = RpcV2CBORParser()
    raw = parser.parse_data_item(parser.get_peekable_stream_from_bytes(body)) if body else {}
    params = conform(operation.input_shape, raw or {})
    window, params = moto_front_paging.strip_json(call.action, params)
    json_body = JSONSerializer().serialize_to_request(params, operation)["body"]

    status, headers, reply = call_wsgi(moto_app, json_forward_environ(call, json_body))
    if status >= 300:
        code, message = moto_json_error(reply)
        return cbor_error(call, operation, code, message, status)

    out_headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    out_headers += [(k, v) for k, v in headers if k.lower() == "x-amzn-requestid"]
    if operation.output_shape is None:
        return 200, out_headers, b""
    parsed = JSONParser().parse({"body": reply, "headers": dict(headers), "status_code": status},
                                operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    parsed = conform(operation.output_shape, parsed)
    if window is not None:
        try:
            parsed = moto_front_paging.page_json(call.action, window, parsed)
        except moto_front_paging.BadToken as token:
            return cbor_error(call, operation, "InvalidNextToken",
                              f"The token {token} is invalid", 400)
    encoded = bytearray()
    RpcV2CBORSerializer()._serialize_data_item(encoded, parsed, operation.output_shape)
    return 200, out_headers, bytes(encoded)


def json_forward_environ(call, json_body):
    """The same request, re-expressed as awsJson1_0 for moto.

    The Authorization header stays: moto picks the backend from its credential scope
    (signing name `monitoring` -> cloudwatch), not from the path.
    """
    environ = dict(call.environ)
    for key in ("HTTP_SMITHY_PROTOCOL", "HTTP_CONTENT_ENCODING", "HTTP_TRANSFER_ENCODING"):
        environ.pop(key, None)
    environ.update({
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-amz-json-1.0",
        "CONTENT_LENGTH": str(len(json_body)),
        "HTTP_X_AMZ_TARGET": f"{call.cbor_prefix}.{call.action}",
        "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(json_body),
    })
    return environ


# --------------------------------------------------------------------------------------
# EC2 actions moto does not implement
# --------------------------------------------------------------------------------------


def ec2_success(action, result):
    """Render `result` with moto's own EC2 serializer against botocore's model,
    so the XML has exactly the element names the SDKs parse."""
    operation = get_service_model("ec2").operation_model(action)
    serializer = EC2Serializer(operation_model=operation,
                               context=SerializationContext(str(uuid.uuid4())),
                               value_picker=XFormedAttributePicker())
    rendered = serializer.serialize(result)
    body = rendered["body"]
    return 200, [("Content-Type", "text/xml")], body.encode() if isinstance(body, str) else body


def modify_instance_event_start_time(call):
    instance_id = call.params.get("InstanceId")
    event_id = call.params.get("InstanceEventId")
    new_start = call.params.get("NotBefore")
    for name, value in (("InstanceId", instance_id), ("InstanceEventId", event_id),
                        ("NotBefore", new_start)):
        if not value:
            return error_response(call, "MissingParameter",
                                  f"The request must contain the parameter {name}", 400)
    if ec2_backend(call).get_instance_by_id(instance_id) is None:
        return error_response(call, "InvalidInstanceID.NotFound",
                              f"The instance ID '{instance_id}' does not exist", 400)
    # AWS checks permissions (DryRun) before looking at the event itself.
    if call.flag("DryRun"):
        return error_response(call, "DryRunOperation",
                              "Request would have succeeded, but DryRun flag is set.", 412)
    try:
        new_start = to_datetime(new_start)
    except (ValueError, TypeError):
        return error_response(call, "InvalidParameterValue",
                              f"Invalid value for NotBefore: {call.params['NotBefore']}", 400)
    with STATE.lock:
        events = STATE.instances.get(instance_id, {}).get("events", [])
        event = next((e for e in events if e["InstanceEventId"] == event_id), None)
        if event is None:
            return error_response(call, "InvalidInstanceEventID.NotFound",
                                  f"The event ID '{event_id}' does not exist", 400)
        deadline = event.get("NotBeforeDeadline")
        if deadline is None:
            return error_response(call, "InvalidParameterValue",
                                  f"The event '{event_id}' cannot be rescheduled: "
                                  "it has no NotBeforeDeadline", 400)
        if new_start > deadline:
            return error_response(call, "InvalidParameterValue",
                                  f"The requested NotBefore {iso(new_start)} is after the "
                                  f"event's NotBeforeDeadline {iso(deadline)}", 400)
        # AWS moves the whole maintenance window, keeping its length.
        if event.get("NotAfter") and event.get("NotBefore"):
            event["NotAfter"] = new_start + (event["NotAfter"] - event["NotBefore"])
        event["NotBefore"] = new_start
        result = {"Event": dict(event)}
    return ec2_success("ModifyInstanceEventStartTime", result)


VOLUME_FILTERS = {
    "availability-zone": lambda item: [item["AvailabilityZone"]],
    "volume-status.status": lambda item: [item["VolumeStatus"]["Status"]],
    "event.event-type": lambda item: [e["EventType"] for e in item["Events"]],
    "event.event-id": lambda item: [e.get("EventId") for e in item["Events"]],
    "volume-id": lambda item: [item["VolumeId"]],
}


def volume_status_item(volume):
    with STATE.lock:
        injected = STATE.volumes.get(volume.id, {})
        events = [dict(e) for e in injected.get("events", [])]
        status = injected.get("status") or "ok"
    attached_to = volume.attachment.instance_id if volume.attachment else None
    for event in events:
        event.setdefault("InstanceId", attached_to)
    io_enabled = {"ok": "passed", "impaired": "failed"}.get(status, status)
    return {
        "VolumeId": volume.id,
        "AvailabilityZone": volume.zone.name,
        "AvailabilityZoneId": getattr(volume.zone, "zone_id", None),
        "VolumeStatus": {"Status": status, "Details": [
            {"Name": "io-enabled", "Status": io_enabled},
            {"Name": "io-performance", "Status": "not-applicable"}]},
        "Events": events,
        "Actions": [],
        "AttachmentStatuses": ([{"InstanceId": attached_to, "IoPerformance": "normal"}]
                               if attached_to else []),
    }


def describe_volume_status(call):
    if call.flag("DryRun"):
        return error_response(call, "DryRunOperation",
                              "Request would have succeeded, but DryRun flag is set.", 412)
    volumes = ec2_backend(call).volumes
    wanted = call.indexed("VolumeId")
    missing = [v for v in wanted if v not in volumes]
    if missing:
        return error_response(call, "InvalidVolume.NotFound",
                              f"The volume '{missing[0]}' does not exist.", 400)
    items = [volume_status_item(volumes[v]) for v in (wanted or list(volumes))]
    for name, values in call.filters().items():
        if name not in VOLUME_FILTERS:
            return error_response(call, "InvalidParameterValue",
                                  f"The filter '{name}' is invalid", 400)
        items = [i for i in items if set(VOLUME_FILTERS[name](i)) & set(values)]
    # Simple paging: NextToken is the offset of the next item.
    try:
        start = int(call.params.get("NextToken") or 0)
    except ValueError:
        return error_response(call, "InvalidNextToken", "The token is invalid", 400)
    limit = int(call.params.get("MaxResults") or 0) or len(items) or 1
    page = items[start:start + limit]
    next_token = str(start + limit) if start + limit < len(items) else None
    return ec2_success("DescribeVolumeStatus", {"VolumeStatuses": page, "NextToken": next_token})


def paged_xml(call, moto_app):
    """A list moto answers whole, answered a page at a time (moto_front_paging)."""
    status, headers, body = call_wsgi(moto_app, moto_front_paging.forward_environ(call))
    if status != 200:
        return status, headers, body
    try:
        return status, headers, moto_front_paging.page_xml(call, body)
    except moto_front_paging.BadToken as token:
        code = "InvalidNextToken" if call.service == "ec2" else "ValidationError"
        return error_response(call, code, f"The token {token} is invalid", 400)


def reassign_private_ips(call):
    """AssignPrivateIpAddresses with AllowReassignment=true moves the addresses, as AWS does
    (moto copies them: the address would end up on both interfaces). Runs before moto's own
    handler, which then assigns them to the target interface. AllowReassignment=false is left to
    moto (which does not refuse an address in use)."""
    if not call.flag("AllowReassignment"):
        return
    target = call.params.get("NetworkInterfaceId")
    moving = set(call.indexed("PrivateIpAddress"))
    for eni in ec2_backend(call).enis.values():
        if eni.id != target:
            eni.private_ip_addresses = [
                a for a in eni.private_ip_addresses
                if a.get("Primary") or a.get("PrivateIpAddress") not in moving]


# Run before moto handles the request (which it then does as usual).
EC2_BEFORE_MOTO = {
    "AssignPrivateIpAddresses": reassign_private_ips,
}

EC2_FRONT_ACTIONS = {
    "ModifyInstanceEventStartTime": modify_instance_event_start_time,
    "DescribeVolumeStatus": describe_volume_status,
}


# --------------------------------------------------------------------------------------
# Patches on moto's models (the state they read lives in STATE)
# --------------------------------------------------------------------------------------

STATUS_DETAIL = {"ok": "passed", "impaired": "failed", "initializing": "initializing",
                 "insufficient-data": "insufficient-data"}


def injected_status(instance, kind, moto_value):
    """instance/system status for DescribeInstanceStatus. An injected value only applies
    to a running instance; AWS reports not-applicable otherwise, and so does moto."""
    with STATE.lock:
        entry = STATE.instances.get(instance.id, {})
        status = entry.get(kind)
        impaired_since = entry.get("impaired_since", {}).get(kind)
    if status is None or instance.state_code != 16:
        return moto_value
    result = {"Status": status}
    if status in STATUS_DETAIL:
        detail = {"Name": "reachability", "Status": STATUS_DETAIL[status]}
        if status == "impaired":
            detail["ImpairedSince"] = impaired_since
        result["Details"] = [detail]
    return result


def injected_events(instance):
    with STATE.lock:
        events = STATE.instances.get(instance.id, {}).get("events")
        return [dict(e) for e in events] if events else None


# DescribeInstanceStatus filters. moto only honours instance-state-name/-code there and
# silently ignores every other filter (it returns all instances), which would let a
# wrong filter pass a test. Names not listed here are still ignored, as moto does.
INSTANCE_STATUS_FILTERS = {
    "availability-zone": lambda i: [i.availability_zone],
    "instance-state-name": lambda i: [i.state],
    "instance-state-code": lambda i: [str(i.state_code)],
    "system-status.status": lambda i: [i.system_status["Status"]],
    "instance-status.status": lambda i: [i.instance_status["Status"]],
    "system-status.reachability": lambda i: [d["Status"] for d in i.system_status.get("Details", [])],
    "instance-status.reachability":
        lambda i: [d["Status"] for d in i.instance_status.get("Details", [])],
    "event.code": lambda i: [e["Code"] for e in i.events or []],
    "event.description": lambda i: [e["Description"] for e in i.events or []],
    "event.instance-event-id": lambda i: [e["InstanceEventId"] for e in i.events or []],
}


def instance_status_applies(instance, filters):
    for spec in filters or []:
        values_of = INSTANCE_STATUS_FILTERS.get(spec["name"])
        if values_of and not set(values_of(instance)) & set(spec["values"]):
            return False
    return True


def patch_instances():
    # moto's serializer reads Instance.instance_status / .system_status / .events
    # for the InstanceStatus shape, so properties are the least invasive hook.
    # Instance.applies is only used by DescribeInstanceStatus.
    from moto.ec2.models.instances import Instance

    moto_instance_status = Instance.instance_status.fget
    moto_system_status = Instance.system_status.fget
    Instance.instance_status = property(
        lambda self: injected_status(self, "instance", moto_instance_status(self)))
    Instance.system_status = property(
        lambda self: injected_status(self, "system", moto_system_status(self)))
    Instance.events = property(injected_events)
    Instance.applies = instance_status_applies


def patch_zones():
    # Zone objects live in a class-level dict that survives resets, so the override is
    # a property over the zone name backed by STATE (cleared by reset) instead of a
    # mutation of the Zone. The `state` filter of DescribeAvailabilityZones follows it.
    from moto.ec2.models.availability_zones_and_regions import Zone

    def get_state(self):
        with STATE.lock:
            override = STATE.zones.get(self.name, {}).get("state")
        return override or self.__dict__.get("_moto_state", "available")

    def get_messages(self):
        with STATE.lock:
            message = STATE.zones.get(self.name, {}).get("message")
        return [{"Message": message}] if message else self.__dict__.get("_moto_messages", [])

    Zone.state = property(get_state, lambda self, v: self.__dict__.__setitem__("_moto_state", v))
    Zone.messages = property(get_messages,
                             lambda self, v: self.__dict__.__setitem__("_moto_messages", v))


def patch_target_groups():
    from moto.elbv2 import models as elbv2

    moto_register = elbv2.FakeTargetGroup.register
    moto_deregister = elbv2.FakeTargetGroup.deregister
    moto_describe = elbv2.ELBv2Backend.describe_target_health

    def register(self, targets):
        moto_register(self, targets)
        now = time.time()
        with STATE.lock:
            for target in targets:
                key = (self.arn, target["Id"])
                STATE.draining.pop(key, None)  # re-registering ends a drain, as in AWS
                if STATE.initial_seconds > 0:
                    STATE.initial_until[key] = now + STATE.initial_seconds

    def deregister(self, targets):
        registered = {t["Id"]: dict(self.targets[t["Id"]]) for t in targets
                      if t["Id"] in self.targets}
        moto_deregister(self, targets)  # raises InvalidTarget for unknown ids, as AWS does
        delay = float(self.attributes.get("deregistration_delay.timeout_seconds", 300))
        now = time.time()
        with STATE.lock:
            for target_id, target in registered.items():
                STATE.initial_until.pop((self.arn, target_id), None)
                if STATE.drain and delay > 0:
                    STATE.draining[(self.arn, target_id)] = (target, now + delay)

    def describe_target_health(self, target_group_arn, targets):
        statuses = moto_describe(self, target_group_arn, targets)
        return adjust_target_health(self.target_groups[target_group_arn], statuses,
                                    explicit=bool(targets))

    elbv2.FakeTargetGroup.register = register
    elbv2.FakeTargetGroup.deregister = deregister
    elbv2.ELBv2Backend.describe_target_health = describe_target_health


def adjust_target_health(group, statuses, explicit):
    """Apply, in order of precedence: explicit override > draining > initial > moto."""
    from moto.elbv2.models import FakeHealthStatus

    now = time.time()
    with STATE.lock:
        for key in [k for k, (_, until) in STATE.draining.items() if until <= now]:
            del STATE.draining[key]
        draining = {tid: t for (arn, tid), (t, _) in STATE.draining.items() if arn == group.arn}
        listed = {s.instance_id for s in statuses}
        if not explicit:  # a draining target is still listed until its delay is over
            statuses = statuses + [
                FakeHealthStatus(tid, t.get("Port", group.port), group.health_check_port, "draining")
                for tid, t in draining.items() if tid not in listed]

        def replaced(s, state, reason, description):
            return FakeHealthStatus(s.instance_id, s.port, s.health_check_port,
                                    state, reason, description)

        result = []
        for s in statuses:
            override = (STATE.target_health.get((s.instance_id, group.arn))
                        or STATE.target_health.get((s.instance_id, None)))
            if override:
                s = replaced(s, override["State"], override.get("Reason"),
                             override.get("Description"))
            elif s.instance_id in draining:
                s = replaced(s, "draining", "Target.DeregistrationInProgress",
                             "Target deregistration is in progress")
            elif STATE.initial_until.get((group.arn, s.instance_id), 0) > now:
                s = replaced(s, "initial", "Elb.RegistrationInProgress",
                             "Target registration is in progress")
            result.append(s)
        return result


_patch_lock = threading.Lock()
_patched = False


def ensure_patches():
    """Install the model patches once. Importing moto.ec2 costs ~0.9 s and ~135 MB, so it
    happens after "ready" (warm-up thread) or on the first AWS request, whichever is first."""
    global _patched
    if _patched:  # fast path, no lock, for every request after the first
        return
    with _patch_lock:
        if not _patched:
            patch_instances()
            patch_zones()
            patch_target_groups()
            moto_front_asg.patch(STATE)
            _patched = True


# --------------------------------------------------------------------------------------
# /_plus control endpoints
# --------------------------------------------------------------------------------------


def plus_requests(method, payload):
    with STATE.lock:
        if method == "DELETE":
            STATE.requests = []
        return {"requests": [dict(r) for r in STATE.requests]}


def plus_faults(method, payload):
    with STATE.lock:
        if method == "DELETE":
            STATE.faults = []
        elif method == "POST":
            rules = [FaultRule(r) for r in payload.get("rules", [])]
            STATE.faults = rules  # a POST replaces the whole rule set
            if "seed" in payload:
                STATE.rng = random.Random(payload["seed"])
        return {"rules": [r.to_json() for r in STATE.faults]}


def event_record(instance_id, index, spec, previous):
    """One scheduled event, with a stable generated InstanceEventId."""
    code = spec.get("Code") or "system-reboot"
    event_id = spec.get("InstanceEventId") or next(
        (p["InstanceEventId"] for p in previous if p["Code"] == code),
        f"instance-event-{stable_hex(instance_id, index, code)}")
    return {
        "InstanceEventId": event_id,
        "Code": code,
        "Description": spec.get("Description") or f"The instance is scheduled for {code}",
        "NotBefore": to_datetime(spec.get("NotBefore")),
        "NotAfter": to_datetime(spec.get("NotAfter")),
        "NotBeforeDeadline": to_datetime(spec.get("NotBeforeDeadline")),
    }


def instance_status_json(instance_id, entry):
    events = [{k: iso(v) if isinstance(v, datetime) else v for k, v in e.items()}
              for e in entry.get("events", [])]
    return {"instance_id": instance_id, "system_status": entry.get("system"),
            "instance_status": entry.get("instance"), "events": events}


def plus_instance_status(method, payload):
    """Keys present replace the stored value; null clears it (back to moto's value)."""
    with STATE.lock:
        if method == "GET":
            return {"instances": [instance_status_json(i, e) for i, e in STATE.instances.items()]}
        instance_id = payload.get("instance_id") or _raise("instance_id is required")
        entry = STATE.instances.setdefault(instance_id, {"impaired_since": {}})
        for kind, key in (("system", "system_status"), ("instance", "instance_status")):
            if key in payload:
                entry[kind] = payload[key]
                if payload[key] == "impaired":
                    entry["impaired_since"].setdefault(
                        kind, to_datetime(payload.get("impaired_since")) or utcnow())
                else:
                    entry["impaired_since"].pop(kind, None)
        if "events" in payload:
            previous = entry.get("events", [])
            entry["events"] = [event_record(instance_id, n, spec, previous)
                               for n, spec in enumerate(payload["events"] or [])]
        return instance_status_json(instance_id, entry)


def plus_volume_events(method, payload):
    with STATE.lock:
        if method == "GET":
            return {"volumes": [{"volume_id": v, **e} for v, e in STATE.volumes.items()]}
        volume_id = payload.get("volume_id") or _raise("volume_id is required")
        events = []
        for n, spec in enumerate(payload.get("events") or []):
            events.append({
                "EventType": spec.get("EventType", "potential-data-inconsistency"),
                "Description": spec.get("Description", ""),
                "NotBefore": to_datetime(spec.get("NotBefore")),
                "NotAfter": to_datetime(spec.get("NotAfter")),
                "EventId": spec.get("EventId") or f"evol-{stable_hex(volume_id, n)}",
            })
            if spec.get("InstanceId"):
                events[-1]["InstanceId"] = spec["InstanceId"]
        STATE.volumes[volume_id] = {"status": payload.get("status", "ok"), "events": events}
        return {"volume_id": volume_id, "status": payload.get("status", "ok"),
                "events": [{k: iso(v) if isinstance(v, datetime) else v for k, v in e.items()}
                           for e in events]}


def plus_target_health(method, payload):
    with STATE.lock:
        if method == "POST":
            target_id = payload.get("target_id") or _raise("target_id is required")
            key = (target_id, payload.get("target_group_arn"))
            if payload.get("state"):
                STATE.target_health[key] = {"State": payload["state"],
                                            "Reason": payload.get("reason"),
                                            "Description": payload.get("description")}
            else:
                STATE.target_health.pop(key, None)
        return {"overrides": [{"target_id": t, "target_group_arn": a, "state": o["State"],
                               "reason": o["Reason"], "description": o["Description"]}
                              for (t, a), o in STATE.target_health.items()]}


def plus_config(method, payload):
    with STATE.lock:
        if method == "POST":
            unknown = set(payload) - {"drain", "initial_seconds"}
            if unknown:
                raise ControlError(f"unknown config field(s): {sorted(unknown)}")
            if "drain" in payload:
                STATE.drain = bool(payload["drain"])
            if "initial_seconds" in payload:
                STATE.initial_seconds = float(payload["initial_seconds"] or 0)
        return {"drain": STATE.drain, "initial_seconds": STATE.initial_seconds}


def plus_az(method, payload):
    with STATE.lock:
        if method == "POST":
            zone = payload.get("zone") or _raise("zone is required")
            state = payload.get("state") or "available"
            if state == "available" and not payload.get("message"):
                STATE.zones.pop(zone, None)
            else:
                STATE.zones[zone] = {"state": state, "message": payload.get("message")}
        return {"zones": [{"zone": z, **v} for z, v in STATE.zones.items()]}


def plus_reset(method, payload):
    STATE.reset()
    return {"ok": True}


def _raise(message):
    raise ControlError(message)


PLUS_ENDPOINTS = {
    "/_plus/requests": (plus_requests, {"GET", "DELETE"}),
    "/_plus/faults": (plus_faults, {"GET", "POST", "DELETE"}),
    "/_plus/instance-status": (plus_instance_status, {"GET", "POST"}),
    "/_plus/volume-events": (plus_volume_events, {"GET", "POST"}),
    "/_plus/target-health": (plus_target_health, {"GET", "POST"}),
    "/_plus/config": (plus_config, {"GET", "POST"}),
    "/_plus/az": (plus_az, {"GET", "POST"}),
    "/_plus/reset": (plus_reset, {"POST"}),
}


def handle_plus(environ, start_response):
    path = environ.get("PATH_INFO", "").rstrip("/")
    method = environ.get("REQUEST_METHOD", "GET")
    handler, methods = PLUS_ENDPOINTS.get(path, (None, set()))
    try:
        if handler is None:
            raise ControlError(f"unknown control endpoint {path}")
        if method not in methods:
            raise ControlError(f"{method} not allowed on {path}; use {sorted(methods)}")
        body = read_body(environ)
        payload = json.loads(body) if body.strip() else {}
        status, answer = 200, handler(method, payload)
    except (ControlError, ValueError, TypeError, KeyError) as error:
        status, answer = 400, {"error": str(error)}
    body = json.dumps(answer, default=lambda o: iso(o) if isinstance(o, datetime) else str(o))
    return respond(start_response, status, [("Content-Type", "application/json")], body.encode())


# --------------------------------------------------------------------------------------
# The front itself
# --------------------------------------------------------------------------------------


class Front:
    def __init__(self, moto_app):
        self.moto_app = moto_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_plus" or path.startswith("/_plus/"):
            return handle_plus(environ, start_response)
        if path.startswith("/moto-api") or path == "/favicon.ico":
            if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
                STATE.reset()
            return self.moto_app(environ, start_response)
        return self.aws(environ, start_response)

    def aws(self, environ, start_response):
        ensure_patches()
        call = AwsCall(environ, read_body(environ))
        entry = call.log_entry()
        with STATE.lock:
            STATE.requests.append(entry)

        delay, rule = pick_fault(call)
        if delay:
            time.sleep(delay)
        if rule is not None:
            entry["faulted"] = True
            message = rule.message or f"{rule.error_code} (injected by moto_front)"
            if call.protocol == "cbor":
                status, headers, body = cbor_error(call, cbor_operation(call), rule.error_code,
                                                   message, rule.status)
            else:
                status, headers, body = error_response(call, rule.error_code, message,
                                                       rule.status)
            entry["status"] = status
            return respond(start_response, status, headers, body)

        if call.service == "autoscaling" and call.action in ("EnterStandby", "ExitStandby"):
            refusal = moto_front_asg.check_standby(call, autoscaling_backend)
            if refusal is not None:
                status, headers, body = error_response(call, refusal[0], refusal[1], 400)
                entry["status"] = status
                return respond(start_response, status, headers, body)
        if call.service == "autoscaling" and call.action == "DescribeInstanceRefreshes":
            answer, refusal = moto_front_asg.describe_instance_refreshes(call, autoscaling_backend)
            status, headers, body = answer or error_response(call, refusal[0], refusal[1], 400)
            entry["status"] = status
            return respond(start_response, status, headers, body)
        if call.protocol == "cbor":
            handler = lambda: cbor_translate(call, self.moto_app)  # noqa: E731
        elif call.service == "ec2" and call.action in EC2_FRONT_ACTIONS:
            handler = lambda: EC2_FRONT_ACTIONS[call.action](call)  # noqa: E731
        elif moto_front_paging.pages_xml(call):
            handler = lambda: paged_xml(call, self.moto_app)  # noqa: E731
        else:
            if call.service == "ec2" and call.action in EC2_BEFORE_MOTO:
                EC2_BEFORE_MOTO[call.action](call)
            return self.moto_app(environ, self._recording_status(entry, start_response))
        try:
            status, headers, body = handler()
        except Exception as error:  # a front bug must still reach the SDK as a parseable error
            traceback.print_exc()
            status, headers, body = error_response(
                call, "InternalFailure", f"moto_front: {type(error).__name__}: {error}", 500)
        entry["status"] = status
        return respond(start_response, status, headers, body)

    @staticmethod
    def _recording_status(entry, start_response):
        def wrapped(status, headers, exc_info=None):
            entry["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)
        return wrapped


def _exit_on_stdin_eof():
    sys.stdin.read()
    os._exit(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True,
                        help="0 picks a free port; the ready line names the real one")
    parser.add_argument("--log-requests", action="store_true",
                        help="werkzeug's per-request log on stderr (off: a test harness "
                             "that never drains stderr would otherwise block the server)")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="exit when stdin closes: a test harness keeps the pipe open, so the "
                             "server can never outlive the test process that started it")
    args = parser.parse_args(argv)

    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto builds some URLs from it
    logging.getLogger("werkzeug").setLevel(logging.INFO if args.log_requests else logging.WARNING)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    moto_app = DomainDispatcherApplication(create_backend_app)
    moto_app.debug = True  # as moto_server does
    server = make_server(args.host, args.port, Front(moto_app), threaded=True,
                         request_handler=MotoRequestHandler)
    print(f"moto_front ready on http://{args.host}:{server.port}", flush=True)
    threading.Thread(target=ensure_patches, name="warm-up", daemon=True).start()
    if args.exit_with_stdin:
        threading.Thread(target=_exit_on_stdin_eof, name="stdin-watch", daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
