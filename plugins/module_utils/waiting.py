# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for AWS: botocore / amazon.aws waiters where one exists, one polling helper for what they lack (an
instance refresh, a volume attached to a given instance). Both raise ``WaitTimeout`` naming what was awaited, so a
module can fail with its own context (and roll back) instead of amazon.aws's generic timeout message."""

from __future__ import annotations

import time

from ansible_collections.amazon.aws.plugins.module_utils.waiters import get_waiter
from ansible_collections.hubfix.aws.plugins.module_utils.clients import THROTTLING_CODES

try:
    from botocore.exceptions import WaiterError
except ImportError:  # handled by AnsibleAWSModule
    WaiterError = Exception


# Errors a waiter's poll can meet that say nothing about the awaited resource: botocore retries them a few times, then
# the waiter gives up ("Unexpected error encountered"); a migration must not roll back because of them.
TRANSIENT_CODES = frozenset(THROTTLING_CODES) | {"InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout"}


class WaitTimeout(Exception):
    """The awaited state was not reached in time, or AWS reported a failure state; the message says which."""


def _waiter(client, name):
    """botocore's waiter (AWS's own definitions, with their failure states), else amazon.aws's (it adds some botocore lacks)."""
    raw = getattr(client, "client", client)  # amazon.aws's retrying wrapper
    if name in raw.waiter_names:
        return raw.get_waiter(name)
    return get_waiter(client, name)


def transient(response):
    """Whether a waiter's last response is a throttling or server error rather than an answer about the resource."""
    if not isinstance(response, dict) or "Error" not in response:
        return False
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
    return response["Error"].get("Code") in TRANSIENT_CODES or status >= 500


def wait_for_waiter(client, name, timeout, what, delay=5, **params):
    """Run the waiter ``name`` with ``params`` for at most ``timeout`` seconds; a poll that botocore could not get
    through throttling or a server error restarts the waiter for the time left instead of failing."""
    deadline = time.monotonic() + timeout
    while True:
        attempts = max(1, int((deadline - time.monotonic()) // max(delay, 1)) + 1)
        try:
            _waiter(client, name).wait(WaiterConfig={"Delay": delay, "MaxAttempts": attempts}, **params)
            return
        except WaiterError as e:
            reason = getattr(e, "last_response", None) or {}
            if "Max attempts exceeded" in str(e):
                raise WaitTimeout("timed out after %ss waiting for %s" % (timeout, what)) from e
            if transient(reason) and time.monotonic() + delay < deadline:
                time.sleep(delay)
                continue
            error = (reason.get("Error") or {}).get("Message") if isinstance(reason, dict) else None
            raise WaitTimeout("%s failed: %s" % (what, error or e)) from e


def poll(check, timeout, what, delay=1.0, max_delay=10.0):
    """Call ``check()`` until it returns a truthy value, backing off from ``delay`` to ``max_delay`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise WaitTimeout("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(delay)
        delay = min(max_delay, delay * 1.5)
