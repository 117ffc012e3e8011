"""The simulator's CLI against a running server: the request log lists operations and marks the mutating ones."""

from __future__ import annotations

import subprocess
import sys

from tests.simulator import REPO_ROOT


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "tests.simulator", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)


def test_calls_marks_mutating_operations(simulator):
    ec2 = simulator.client("ec2")
    ec2.describe_regions()
    ec2.create_key_pair(KeyName="cli-test")
    ec2.describe_key_pairs()
    out = run_cli("calls", "--endpoint", simulator.endpoint)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("MUTATING") and line.endswith("CreateKeyPair") for line in lines), out.stdout
    assert any(line.startswith("read") and line.endswith("DescribeKeyPairs") for line in lines), out.stdout
    assert lines[-1] == "3 calls, 1 mutating, 3 distinct operations"


def test_reset_clears_state_and_log(simulator):
    simulator.client("ec2").create_key_pair(KeyName="gone")
    simulator.reset()
    assert simulator.calls() == []
    assert simulator.client("ec2").describe_key_pairs()["KeyPairs"] == []


def test_patches_are_listed():
    out = run_cli("patches")
    assert out.returncode == 0, out.stderr
