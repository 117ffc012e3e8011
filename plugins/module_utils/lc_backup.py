# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Launch configuration backups: the full DescribeLaunchConfigurations definition saved as JSON before anything is
deleted, one file per launch configuration and incarnation, never overwritten."""

from __future__ import annotations

import base64
import datetime
import json
import os
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _plain(lc):
    """The launch configuration as JSON keeps it: times as ISO 8601 text, no response metadata."""
    return normalize_boto3_result({k: v for k, v in lc.items() if k != "ResponseMetadata"})


def backup_document(lc, account_id, region, taken_at=None):
    """The backup file content: the full DescribeLaunchConfigurations definition plus where it came from."""
    return {
        "kind": "hubfix.aws/launch-configuration-backup",
        "schema_version": 1,
        "account_id": account_id,
        "region": region,
        "taken_at": (taken_at or datetime.datetime.now(datetime.timezone.utc)).isoformat(),  # noqa: UP017 - also Python < 3.11
        "launch_configuration": _plain(lc),
    }


def backup_path(directory, account_id, region, name, created_time=None):
    """``<dir>/<account>/<region>/<name>.json``; with ``created_time``, the name carries it (another incarnation)."""
    safe = _UNSAFE.sub("_", name)
    if created_time:
        stamp = re.sub(r"[^0-9T]", "", str(created_time))[:15]
        safe = "%s.%s" % (safe, stamp)
    return os.path.join(directory, account_id or "unknown-account", region, safe + ".json")


def backup_matches(document, lc):
    """True when a backup document is of this launch configuration (same name, ARN and creation time)."""
    saved = (document or {}).get("launch_configuration") or {}
    current = _plain(lc)
    return all(saved.get(k) == current.get(k) for k in ("LaunchConfigurationName", "LaunchConfigurationARN", "CreatedTime"))


def read_backup(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def existing_backup(path, lc):
    """True when ``path`` already holds this launch configuration; False when it is free; None when it holds another."""
    if not os.path.exists(path):
        return False
    try:
        return True if backup_matches(read_backup(path), lc) else None
    except (OSError, ValueError):
        return None


def free_backup_path(directory, account_id, region, lc):
    """``(path, already written)`` for the backup of ``lc``: its usual path, or one carrying its creation time when the usual
    one holds an older launch configuration of the same name; ``(path, None)`` when both hold other ones."""
    name = lc["LaunchConfigurationName"]
    path = backup_path(directory, account_id, region, name)
    state = existing_backup(path, lc)
    if state is None:
        path = backup_path(directory, account_id, region, name, _plain(lc).get("CreatedTime"))
        state = existing_backup(path, lc)
    return path, state


def write_backup(path, document):
    """Write ``document`` to ``path`` (mode 0600, directories 0700) without ever replacing an existing file.

    Raises FileExistsError when the file appeared meanwhile.
    """
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, sort_keys=True)
        f.write("\n")
    try:
        os.link(tmp, path)  # fails when the file exists: a backup is never replaced
    finally:
        os.unlink(tmp)


# DescribeLaunchConfigurations fields that CreateLaunchConfiguration does not take.
_NOT_CREATE_FIELDS = ("LaunchConfigurationARN", "CreatedTime")


def create_request(document):
    """CreateLaunchConfiguration parameters that restore the launch configuration saved in a backup ``document``.

    DescribeLaunchConfigurations returns UserData base64-encoded and botocore encodes it again on create, so it is decoded
    here; empty KernelId / RamdiskId are left out.
    """
    lc = dict((document or {}).get("launch_configuration") or {})
    if not lc.get("LaunchConfigurationName"):
        raise ValueError("not a launch configuration backup: no launch_configuration.LaunchConfigurationName")
    request = {k: v for k, v in lc.items() if k not in _NOT_CREATE_FIELDS and v not in ("", None, [])}
    if request.get("UserData"):
        request["UserData"] = base64.b64decode(request["UserData"])
    return request
