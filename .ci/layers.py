#!/usr/bin/env python3
"""The workspace's arrows, checked over `cargo metadata`: each crate may depend only on the layers
below it, and only `opsdeck-aws` may depend on the AWS SDK. Exit 1 naming every arrow that breaks.

    python3 .ci/layers.py              check the workspace
    python3 .ci/layers.py --self-test  prove the check fails on a wrong-way arrow and a second SDK user
"""
import json
import subprocess
import sys

# Lowest first. A crate may use (as a normal or build dependency) only what is listed for it.
ALLOWED = {
    "opsdeck-core": set(),
    "opsdeck-aws": {"opsdeck-core"},
    "opsdeck-sim": {"opsdeck-core"},
    "opsdeck-runbook": {"opsdeck-core"},
    "opsdeck-app": {"opsdeck-core", "opsdeck-runbook"},
    "opsdeck": {"opsdeck-core", "opsdeck-aws", "opsdeck-sim", "opsdeck-runbook", "opsdeck-app"},
}
# Tests may also drive the simulator (it is a test double of the cloud, and has no SDK in it).
TEST_ALSO = {"opsdeck-sim"}
SDK_OWNER = "opsdeck-aws"
SDK_PREFIXES = ("aws-sdk-", "aws-config", "aws-smithy-", "aws-types", "aws-runtime",
                "aws-credential-types", "aws-sigv4")


def problems(metadata):
    found = []
    members = {p["name"]: p for p in metadata["packages"]}
    for name, pkg in sorted(members.items()):
        if name not in ALLOWED:
            found.append(f"{name}: not in the layer table of .ci/layers.py (add it at its layer)")
            continue
        for dep in pkg["dependencies"]:
            d, kind = dep["name"], dep.get("kind") or "normal"
            if d.startswith(SDK_PREFIXES) and name != SDK_OWNER:
                found.append(f"{name} depends on {d} ({kind}): only {SDK_OWNER} may use the AWS SDK")
            if d not in ALLOWED or d == name:
                continue
            allowed = ALLOWED[name] | (TEST_ALSO if kind == "dev" else set())
            if d not in allowed:
                found.append(f"{name} depends on {d} ({kind}): a wrong-way arrow "
                             f"({name} may use {', '.join(sorted(allowed)) or 'no other crate'})")
    return found


def metadata():
    out = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def self_test():
    def pkg(name, *deps):
        return {"name": name, "dependencies": [{"name": d, "kind": k} for d, k in deps]}
    good = {"packages": [pkg("opsdeck-core"), pkg("opsdeck-runbook", ("opsdeck-core", None),
                                                  ("opsdeck-sim", "dev"))]}
    assert problems(good) == [], problems(good)
    upward = {"packages": [pkg("opsdeck-core", ("opsdeck-runbook", None))]}
    assert any("wrong-way" in p for p in problems(upward)), problems(upward)
    sim_on_aws = {"packages": [pkg("opsdeck-sim", ("opsdeck-aws", None))]}
    assert any("wrong-way" in p for p in problems(sim_on_aws)), problems(sim_on_aws)
    second_sdk = {"packages": [pkg("opsdeck-runbook", ("aws-sdk-ec2", None))]}
    assert any("AWS SDK" in p for p in problems(second_sdk)), problems(second_sdk)
    dev_sdk = {"packages": [pkg("opsdeck", ("aws-sdk-s3", "dev"))]}
    assert any("AWS SDK" in p for p in problems(dev_sdk)), problems(dev_sdk)
    unknown = {"packages": [pkg("opsdeck-extra")]}
    assert any("layer table" in p for p in problems(unknown)), problems(unknown)
    print("layers: self-test ok (a wrong-way arrow, a second SDK user and an unknown crate all fail)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    found = problems(metadata())
    for p in found:
        print(f"layers: {p}", file=sys.stderr)
    if found:
        sys.exit(1)
    print(f"layers: ok ({len(ALLOWED)} crates, arrows one way, the AWS SDK only in {SDK_OWNER})")
