# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which run works on a resource: a claim in the resource's own tags, so two runs started at the same moment (two AWX
launches, a schedule and a person) never work on one resource, and a run that died leaves a claim the next run takes over.

A claim is one tag value ``<run id>|<host>|<pid>|<pid start>|<UTC heartbeat>``, refreshed at every step. It is *live* when
the run's process still runs (same host: its pid exists with the same start time) or, for a run on another host (another AWX
node), when its heartbeat is younger than ``stale_after`` seconds. A run that finds a live claim of another run leaves the
resource and reports it as in progress by that run.
"""

from __future__ import annotations

import datetime
import os
import re

# A run id names a report directory and is written in tags: 1-64 letters, digits and . _ : -, not starting with a dot.
RUN_ID = re.compile(r"[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,63}")

SEPARATOR = "|"
DEFAULT_STALE_AFTER = 1800


def _now():
    return datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - also Python < 3.11


def encode(run, now=None):
    """The tag value of a claim by ``run`` (``{id, host, pid, pid_start}``, the ``hubfix_run`` record)."""
    stamp = (now or _now()).strftime("%Y-%m-%dT%H:%M:%SZ")
    return SEPARATOR.join(str(run.get(k) or "") for k in ("id", "host", "pid", "pid_start")) + SEPARATOR + stamp


def decode(value):
    """``{id, host, pid, pid_start, heartbeat}`` of a tag value, or None (no claim, or not one of ours)."""
    parts = str(value or "").split(SEPARATOR)
    if len(parts) != 5 or not parts[0]:
        return None
    run_id, host, pid, pid_start, heartbeat = parts
    return {"id": run_id, "host": host, "pid": int(pid) if pid.isdigit() else None, "pid_start": pid_start or None, "heartbeat": heartbeat}


def process_start(pid):
    """The start time (clock ticks since boot) of a local process, or None when it does not exist."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError, TypeError):
        return None


def is_live(claim, my_host, stale_after=DEFAULT_STALE_AFTER, now=None, start_of=process_start):
    """Whether the run holding ``claim`` (decoded) may still be working."""
    if not claim:
        return False
    if claim["host"] == my_host and claim["pid"] and os.path.isdir("/proc"):
        return claim["pid_start"] is not None and start_of(claim["pid"]) == claim["pid_start"]
    try:
        beat = datetime.datetime.strptime(claim["heartbeat"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)  # noqa: UP017
    except ValueError:
        return False
    return ((now or _now()) - beat).total_seconds() < stale_after


def is_ours(claim, run):
    """Whether ``claim`` was made by this very process (a run that resumes another run's work takes its run id, not its claim)."""
    return bool(claim) and (claim["host"], claim["pid"], claim["pid_start"]) == (run.get("host"), run.get("pid"), str(run.get("pid_start") or "") or None)


def held_by_other(value, run, stale_after=DEFAULT_STALE_AFTER, now=None, start_of=process_start):
    """The other run (decoded claim) that holds the resource now, or None when it is free, ours, or its holder is gone."""
    claim = decode(value)
    if claim is None or is_ours(claim, run):
        return None
    return claim if is_live(claim, run.get("host"), stale_after, now, start_of) else None


def run_id_problem(run_id):
    """Why ``run_id`` cannot name a run (None when it can)."""
    if isinstance(run_id, str) and RUN_ID.fullmatch(run_id):
        return None
    return "run id %r must be 1-64 characters of letters, digits and . _ : - (not starting with a dot)" % (run_id,)
