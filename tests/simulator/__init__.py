"""hubfix.aws local AWS simulator: moto server on loopback with fidelity patches and a request log.

Python API::

    with Simulator() as sim:          # starts `python -m tests.simulator serve` on a free port
        sim.client("ec2").describe_instances()
        sim.reset_recording()
        ...                           # run a playbook with env=sim.env()
        assert not sim.mutating_calls()
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.simulator.calls import Call, mutating, parse_recording, summarize

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aws_env(endpoint: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Environment that points boto3 / amazon.aws at the simulator with dummy credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


class Simulator:
    def __init__(self, port: int | None = None, log_file: str | None = None, extra_env: dict | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.record_file = os.path.join(tempfile.mkdtemp(prefix="hubfix-sim-"), "recording.jsonl")
        self.log_file = log_file or self.record_file.replace("recording.jsonl", "server.log")
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None

    # lifecycle -----------------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> Simulator:
        env = dict(os.environ, **self.extra_env)
        env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        log = open(self.log_file, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.simulator", "serve", "--port", str(self.port), "--record-file", self.record_file],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"simulator exited with {self.proc.returncode}: {Path(self.log_file).read_text()[-2000:]}")
            try:
                self._request("GET", "/moto-api/data.json")
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"simulator did not answer on {self.endpoint} within {timeout}s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # moto-api ------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, data: bytes | None = None) -> bytes:
        req = urllib.request.Request(self.endpoint + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.read()

    def reset(self) -> None:
        """Forget every resource, fault rule and the request log."""
        self.clear_faults()
        self._request("POST", "/moto-api/reset", b"")
        self.reset_recording()

    def reset_recording(self) -> None:
        self._request("POST", "/moto-api/recorder/reset-recording", b"")

    def state(self) -> dict:
        return json.loads(self._request("GET", "/moto-api/data.json"))

    def calls(self) -> list[Call]:
        return parse_recording(self._request("GET", "/moto-api/recorder/download-recording").decode())

    def mutating_calls(self) -> list[Call]:
        return mutating(self.calls())

    def call_counts(self) -> dict[str, int]:
        return summarize(self.calls())

    # faults --------------------------------------------------------------------------------------
    def inject_fault(self, **rule) -> dict:
        """Add a fault rule (see tests/simulator/faults.py), e.g. ``inject_fault(operation="AttachVolume",
        error_code="IncorrectState", message="...", times=1)``."""
        return json.loads(self._request("POST", "/hubfix-api/faults", json.dumps(rule).encode()))

    def throttle(self, probability: float, service: str | None = None, **rule) -> dict:
        """Answer that fraction of requests (of one service, or all) with the service's own throttling error."""
        return self.inject_fault(throttle=True, probability=probability, service=service, **rule)

    def fail_next_refresh(self, group_name: str, times: int = 1) -> dict:
        """The next ``times`` instance refreshes of the group fail after replacing one instance (rolled back with
        AutoRollback); StartInstanceRefresh itself succeeds (see patches/autoscaling_instance_refresh.py)."""
        return self.inject_fault(
            service="autoscaling",
            operation="StartInstanceRefresh",
            match={"AutoScalingGroupName": group_name},
            refresh_outcome="Failed",
            times=times,
        )

    def faults(self) -> list[dict]:
        return json.loads(self._request("GET", "/hubfix-api/faults"))["rules"]

    def clear_faults(self) -> None:
        self._request("DELETE", "/hubfix-api/faults")

    # clients -------------------------------------------------------------------------------------
    def env(self, region: str = DEFAULT_REGION) -> dict[str, str]:
        return aws_env(self.endpoint, region)

    def client(self, service: str, region: str = DEFAULT_REGION, **kwargs):
        return client(self.endpoint, service, region, **kwargs)


def client(endpoint: str, service: str, region: str = DEFAULT_REGION, **kwargs):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=kwargs.pop("aws_access_key_id", "testing"),
        aws_secret_access_key=kwargs.pop("aws_secret_access_key", "testing"),
        aws_session_token=kwargs.pop("aws_session_token", None),
        config=kwargs.pop("config", None) or Config(retries={"max_attempts": 10, "mode": "standard"}),
        **kwargs,
    )


__all__ = ["Simulator", "Call", "aws_env", "client", "free_port", "ACCOUNT_ID", "DEFAULT_REGION", "REPO_ROOT"]
