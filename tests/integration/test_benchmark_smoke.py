"""benchmarks/audit.py --quick on a tiny estate: it runs end to end and the contenders agree on the failing resources.

No timing is asserted (the machine is shared); the call counts that do not depend on timing are.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.harness import REPO_ROOT

REGIONS = ["us-east-1", "eu-west-1"]


def test_benchmark_quick_runs_and_contenders_agree(tmp_path):
    out = tmp_path / "bench.json"
    cmd = [
        sys.executable,
        str(REPO_ROOT / "benchmarks" / "audit.py"),
        "--quick",
        "--regions",
        ",".join(REGIONS),
        "--instances-per-region",
        "12",
        "--reservations-per-region",
        "3",
        "--launch-configurations",
        "6",
        "--groups-per-region",
        "1",
        "--json",
        str(out),
    ]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
    data = json.loads(out.read_text())

    # One PV instance per region (1 % of 12, at least one), one LC in three compliant.
    assert data["agree"] is True
    assert data["expected_failing"] == {"paravirtual_instances": 2, "launch_configurations": 4}
    assert set(data["results"]) == {"a", "a_modules_only", "b"}
    for name in ("a", "a_modules_only", "b"):
        assert data["failing_counts"][name] == data["expected_failing"], name
        assert data["results"][name]["mutating_calls"] == 0, name

    # The request log was read: each contender listed instances once per region, (b) without the server-side filter.
    for name in ("a", "a_modules_only", "b"):
        assert data["results"][name]["calls"]["ec2:DescribeInstances"] == len(REGIONS), name
    assert data["results"]["b"]["calls"] == {"ec2:DescribeInstances": 2, "autoscaling:DescribeLaunchConfigurations": 2}
    # Our audit enriches each PV instance: one termination-protection lookup per PV instance, batched calls otherwise.
    assert data["results"]["a"]["calls"]["ec2:DescribeInstanceAttribute"] == 2
    assert data["minimum"]["audit_with_termination_protection"]["ec2:DescribeInstanceAttribute"] == 2
    assert sum(data["minimum"]["detection"].values()) == 4
    assert "OK: every contender found the same 2 paravirtual instance(s) and 4 launch configuration(s)" in proc.stdout
