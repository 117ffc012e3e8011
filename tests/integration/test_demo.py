"""`make demo` (python -m tests.demo) runs end to end and prints the audit summary.

Marked slow: it starts its own simulator and runs every stage whose playbook exists, so it runs once per test session.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.demo import STAGES
from tests.harness import REPO_ROOT, report_file


@pytest.mark.slow(180)
def test_demo_runs_end_to_end(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "tests.demo", "--report-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "seeded: " in out and "simulator stopped" in out

    # every stage is either run or skipped with a line saying so, never faked
    for number, stage in enumerate(STAGES, 1):
        head = f"[{number}/{len(STAGES)}] {stage.title}"
        if stage.path.exists():
            assert f"{head}: ansible-playbook hubfix.aws.{stage.playbook}" in out
        else:
            assert f"{head}: skipped, playbooks/{stage.playbook}.yml does not exist yet" in out
    # check-mode stages that ran made no mutating call
    assert "mutating calls in check mode: " not in out.replace("mutating calls in check mode: 0", "")

    # the first audit's summary and reports
    before = json.loads(report_file(tmp_path / "before", "audit.json").read_text())
    assert before["totals"]["by_control"]["EC2.24"]["failed"] == 8
    assert before["totals"]["by_control"]["AutoScaling.3"]["failed"] == 6
    assert "EC2.24         failing 8 (" in out
    assert f"before report: {tmp_path / 'before' / 'audit.html'}" in out
    assert report_file(tmp_path / "before", "audit.md").exists()
    assert report_file(tmp_path / "after", "audit.json").exists()

    # after remediation (and terminating the replaced sources) only the resources blocked by design still fail
    after = json.loads(report_file(tmp_path / "after", "audit.json").read_text())
    by_control = after["totals"]["by_control"]
    assert (by_control["AutoScaling.3"]["failed"], by_control["AutoScaling.9"]["failed"]) == (0, 0)
    assert (by_control["EC2.24"]["failed"], by_control["EC2.24"]["blocked"], by_control["EC2.24"]["actionable"]) == (2, 2, 0)
    # pv-asg-member was migrated through its group: AutoScaling.3 moved asg-pv to a launch template still launching the PV
    # image, then the EC2.24 prepare gave that template an HVM version and the cutover's instance refresh replaced the member
    left = {
        (f["resource_name"], tuple(sorted(b["code"] for b in f["blockers"]))): f["next_action"]["kind"] for f in after["findings"] if f["status"] == "failed"
    }
    assert left == {
        ("pv-ephemeral", ("instance_store_data",)): "blocked",
        ("pv-protected", ("termination_protection",)): "blocked",
    }
    assert "EC2.24         failing 8 -> 2" in out and "AutoScaling.3  failing 6 -> 0" in out and "AutoScaling.9  failing 7 -> 0" in out
    assert "still failing (2):" in out
