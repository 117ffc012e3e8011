"""Run real ansible-playbook against the simulator and read what it reported."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
COLLECTIONS = REPO_ROOT / ".venv" / "collections"

_RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.M,
)


@dataclass
class PlaybookResult:
    rc: int
    stdout: str
    stderr: str
    stats: dict = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(h["changed"] for h in self.stats.values())

    @property
    def failed(self) -> int:
        return sum(h["failed"] + h["unreachable"] for h in self.stats.values())

    def __str__(self) -> str:  # shown by pytest when an assertion on the result fails
        return f"rc={self.rc}\n--- stdout ---\n{self.stdout[-12000:]}\n--- stderr ---\n{self.stderr[-4000:]}"


def ansible_env(sim_env: dict | None = None, **extra) -> dict:
    env = dict(os.environ)
    env.update(sim_env or {})
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_playbook(
    playbook: str,
    sim_env: dict,
    extra_vars: dict | None = None,
    check: bool = False,
    diff: bool = False,
    args: list[str] | None = None,
    cwd: str | Path | None = None,
    timeout: int = 900,
    env: dict | None = None,
) -> PlaybookResult:
    """Run `ansible-playbook <playbook>` (a path or a collection name like hubfix.aws.audit)."""
    cmd = [str(VENV_BIN / "ansible-playbook"), playbook]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    cmd += args or []
    proc = subprocess.run(
        cmd,
        cwd=str(cwd or REPO_ROOT),
        env=ansible_env(sim_env, **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    stats = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in _RECAP.finditer(proc.stdout)}
    return PlaybookResult(proc.returncode, proc.stdout, proc.stderr, stats)


def refuse_attach_once(simulator, volume_id: str, device: str) -> None:
    """AWS refuses one AttachVolume of ``volume_id`` at ``device`` (IncorrectState, a client error botocore does not retry);
    the next attachment of it - the rollback's, back to the source - succeeds."""
    simulator.inject_fault(
        service="ec2",
        operation="AttachVolume",
        match={"VolumeId": volume_id, "Device": device},
        error_code="IncorrectState",
        message="injected",
        status=400,
        times=1,
    )


def report_file(report_dir, name: str) -> Path:
    """A report file of the newest run in ``report_dir`` (each run writes ``<report_dir>/<run id>/<name>``; ``latest/`` holds the
    newest trusted one)."""
    runs = [d for d in Path(report_dir).iterdir() if d.is_dir() and d.name != "latest" and (d / name).exists()] if Path(report_dir).is_dir() else []
    if not runs:
        return Path(report_dir) / "latest" / name  # does not exist: the caller's read fails naming it
    return max(runs, key=lambda d: (d / name).stat().st_mtime) / name
