"""Which run works on a resource: claims, their liveness, and who holds a resource."""

from __future__ import annotations

import datetime
import os

from ansible_collections.hubfix.aws.plugins.module_utils import claims

NOW = datetime.datetime(2026, 12, 1, 12, 0, 0, tzinfo=datetime.UTC)
ME = {"id": "run-a", "host": "ctl-1", "pid": os.getpid(), "pid_start": claims.process_start(os.getpid())}


def test_encode_and_decode_round_trip():
    value = claims.encode(ME, NOW)
    assert claims.decode(value) == {"id": "run-a", "host": "ctl-1", "pid": ME["pid"], "pid_start": ME["pid_start"], "heartbeat": "2026-12-01T12:00:00Z"}
    assert len(value) <= 256
    assert claims.decode(None) is None and claims.decode("something else") is None


def test_my_own_claim_is_never_held_by_another():
    assert claims.held_by_other(claims.encode(ME, NOW), ME, now=NOW) is None
    # a run that resumes another run's work takes its run id, not its claim: the process decides
    assert claims.held_by_other(claims.encode(dict(ME, id="run-old"), NOW), ME, now=NOW) is None


def test_a_live_process_on_this_host_holds_it_a_dead_one_does_not():
    other = dict(ME, id="run-b", pid=ME["pid"] + 1, pid_start="12345")
    value = claims.encode(other, NOW)
    assert claims.held_by_other(value, ME, now=NOW, start_of=lambda pid: "12345")["id"] == "run-b"
    assert claims.held_by_other(value, ME, now=NOW, start_of=lambda pid: None) is None  # the process is gone
    assert claims.held_by_other(value, ME, now=NOW, start_of=lambda pid: "999") is None  # its pid was reused


def test_a_run_on_another_host_holds_it_until_its_heartbeat_is_stale():
    other = {"id": "run-c", "host": "awx-node-2", "pid": 42, "pid_start": "7"}
    value = claims.encode(other, NOW)
    assert claims.held_by_other(value, ME, stale_after=1800, now=NOW + datetime.timedelta(minutes=29))["host"] == "awx-node-2"
    assert claims.held_by_other(value, ME, stale_after=1800, now=NOW + datetime.timedelta(minutes=31)) is None
