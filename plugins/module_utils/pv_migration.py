# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Paravirtual → HVM migration (Security Hub EC2.24): the logic behind the ``ec2_*`` step modules.

The state of one instance's migration lives in tags on the SOURCE instance so that an interrupted run
continues where it stopped:

``hubfix:migration-phase``     last phase completed (see ``PHASES``), or ``rolled-back``
``hubfix:migration-run``       the run id; with the source id it makes the replacement's ``ClientToken``
``hubfix:was-running``         ``true``/``false``: the source's state before the migration stopped it
``hubfix:original-devices``    ``<device>=<volume-id>:<1|0 DeleteOnTermination>`` separated by spaces
                               (continued in ``hubfix:original-devices-2``, ``-3``… when longer than a tag value)
``hubfix:original-eips``       ``<allocation-id>@<private-ip>`` separated by spaces (continued the same way)
``hubfix:replacement-id``      the replacement instance, once launched
``hubfix:replaced-by``         set when the migration is verified
``hubfix:migration-error``     the last failure that was rolled back

Only characters every AWS tagging API accepts are used (letters, digits, space and ``+ - = . _ : / @``).
"""

from __future__ import annotations

import hashlib
import re

TAG_PHASE = "hubfix:migration-phase"
TAG_RUN = "hubfix:migration-run"
TAG_WAS_RUNNING = "hubfix:was-running"
TAG_DEVICES = "hubfix:original-devices"
TAG_EIPS = "hubfix:original-eips"
TAG_REPLACEMENT = "hubfix:replacement-id"
TAG_REPLACED_BY = "hubfix:replaced-by"
TAG_REPLACES = "hubfix:replaces"
TAG_ERROR = "hubfix:migration-error"
TAG_SOURCE_INSTANCE = "hubfix:source-instance"
TAG_SOURCE_VOLUME = "hubfix:source-volume"
TAG_SOURCE_DEVICE = "hubfix:source-device"
TAG_MIGRATION_RUN_FILTER = "tag:" + TAG_RUN

# Phases in the order they complete; the phase tag holds the last one completed.
PHASES = ("started", "stopped", "snapshotted", "launched", "volumes-moved", "ips-moved", "completed")
ROLLED_BACK = "rolled-back"
ALL_PHASES = PHASES + (ROLLED_BACK,)

TAG_VALUE_MAX = 256
MIGRATION_TAG_PREFIXES = ("hubfix:migration-", "hubfix:original-", "hubfix:was-running", "hubfix:replacement-id", "hubfix:replaced-by")

# Current-generation HVM type for every instance type of the families that run paravirtual
# (t1, m1, m2, m3, c1, c3, cc2, cg1, cr1, hi1, hs1), sized to at least the same vCPUs and memory.
DEFAULT_INSTANCE_TYPE_MAP = {
    "t1.micro": "t3.micro",
    "m1.small": "t3.small",
    "m1.medium": "t3.medium",
    "m1.large": "m5.large",
    "m1.xlarge": "m5.xlarge",
    "m2.xlarge": "r5.large",
    "m2.2xlarge": "r5.xlarge",
    "m2.4xlarge": "r5.2xlarge",
    "m3.medium": "m5.large",
    "m3.large": "m5.large",
    "m3.xlarge": "m5.xlarge",
    "m3.2xlarge": "m5.2xlarge",
    "c1.medium": "c5.large",
    "c1.xlarge": "c5.2xlarge",
    "c3.large": "c5.large",
    "c3.xlarge": "c5.xlarge",
    "c3.2xlarge": "c5.2xlarge",
    "c3.4xlarge": "c5.4xlarge",
    "c3.8xlarge": "c5.9xlarge",
    "cc2.8xlarge": "c5.9xlarge",
    "cg1.4xlarge": "g4dn.4xlarge",
    "cr1.8xlarge": "r5.8xlarge",
    "hi1.4xlarge": "i3.4xlarge",
    "hs1.8xlarge": "d3.8xlarge",
}

CLIENT_TOKEN_MAX = 64
INSTANCE_ID = re.compile(r"^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
RUN_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class MigrationError(Exception):
    """Bad input or an unsafe situation; the message names the instance."""


# --- tags ------------------------------------------------------------------------------------


def _chunks(items, key):
    """Spread space-separated ``items`` over ``key``, ``key-2``, … so no value is longer than a tag allows."""
    values, current = [], ""
    for item in items:
        if len(item) > TAG_VALUE_MAX:
            raise MigrationError("value %r does not fit in a tag" % item)
        candidate = item if not current else current + " " + item
        if len(candidate) > TAG_VALUE_MAX:
            values.append(current)
            current = item
        else:
            current = candidate
    if current or not values:
        values.append(current)
    return {(key if i == 0 else "%s-%d" % (key, i + 1)): v for i, v in enumerate(values)}


def _unchunk(tags, key):
    parts, i = [], 1
    while True:
        name = key if i == 1 else "%s-%d" % (key, i)
        if name not in tags:
            break
        parts.append(tags[name])
        i += 1
    return " ".join(p for p in parts if p).split()


def encode_devices(devices):
    """``[{device_name, volume_id, delete_on_termination}]`` → tag dict (possibly several keys)."""
    items = ["%s=%s:%d" % (d["device_name"], d["volume_id"], 1 if d.get("delete_on_termination") else 0) for d in devices]
    return _chunks(items, TAG_DEVICES)


def decode_devices(tags):
    devices = []
    for item in _unchunk(tags, TAG_DEVICES):
        device, _unused, rest = item.partition("=")
        volume_id, _unused, dot = rest.rpartition(":")
        if not device or not volume_id or dot not in ("0", "1"):
            raise MigrationError("unreadable %s tag item %r" % (TAG_DEVICES, item))
        devices.append({"device_name": device, "volume_id": volume_id, "delete_on_termination": dot == "1"})
    return devices


def encode_eips(eips):
    """``[{allocation_id, private_ip_address}]`` → tag dict."""
    items = ["%s@%s" % (e["allocation_id"], e.get("private_ip_address") or "") for e in eips]
    return _chunks(items, TAG_EIPS)


def decode_eips(tags):
    eips = []
    for item in _unchunk(tags, TAG_EIPS):
        allocation_id, _unused, private_ip = item.partition("@")
        eips.append({"allocation_id": allocation_id, "private_ip_address": private_ip or None})
    return eips


def migration_from_tags(tags):
    """The recorded migration state of a source instance (all keys present, None when unknown)."""
    tags = tags or {}
    phase = tags.get(TAG_PHASE)
    was_running = tags.get(TAG_WAS_RUNNING)
    has_devices = TAG_DEVICES in tags
    return {
        "phase": phase,
        "run_id": tags.get(TAG_RUN),
        "was_running": None if was_running is None else was_running == "true",
        "original_devices": decode_devices(tags) if has_devices else None,
        "original_eips": decode_eips(tags) if TAG_EIPS in tags else None,
        "replacement_id": tags.get(TAG_REPLACEMENT),
        "replaced_by": tags.get(TAG_REPLACED_BY),
        "error": tags.get(TAG_ERROR),
    }


def is_migration_tag(key):
    return any(key.startswith(p) for p in MIGRATION_TAG_PREFIXES)


def phase_index(phase):
    """Position of ``phase`` in ``PHASES``; -1 for none or rolled-back."""
    return PHASES.index(phase) if phase in PHASES else -1


def phase_reached(current, wanted):
    return phase_index(current) >= phase_index(wanted)


def in_progress(phase):
    return phase in PHASES and phase != "completed"


def truncate_tag_value(text):
    text = re.sub(r"[^A-Za-z0-9 +\-=._:/@]", " ", str(text))
    text = re.sub(r"\s+", " ", text).strip()
    return text[:TAG_VALUE_MAX]


def user_tags(tags):
    """The tags a replacement inherits: not ``aws:`` (reserved) and not hubfix's migration bookkeeping."""
    return {k: v for k, v in (tags or {}).items() if not k.lower().startswith("aws:") and not is_migration_tag(k)}


def client_token(source_instance_id, run_id):
    """Deterministic RunInstances ClientToken: one replacement per source and run, whatever the retries."""
    digest = hashlib.sha256(("%s/%s" % (source_instance_id, run_id)).encode()).hexdigest()
    return ("hubfix-pv2hvm-" + digest)[:CLIENT_TOKEN_MAX]


def validate_run_id(run_id):
    if not run_id or not RUN_ID.match(run_id):
        raise MigrationError("run id %r must be 1-64 characters of letters, digits and . _ : -" % (run_id,))
    return run_id


# --- instances and volumes -------------------------------------------------------------------


def attached_devices(instance):
    """``[{device_name, volume_id, delete_on_termination}]`` of the EBS volumes attached to ``instance`` (boto3 shape)."""
    out = []
    for bdm in instance.get("BlockDeviceMappings", []):
        ebs = bdm.get("Ebs")
        if not ebs or not ebs.get("VolumeId"):
            continue
        out.append({"device_name": bdm["DeviceName"], "volume_id": ebs["VolumeId"], "delete_on_termination": bool(ebs.get("DeleteOnTermination"))})
    return out


def volume_attachment(volume):
    """The single attachment of a (non multi-attach) volume as ``(instance_id, device, state)``, or ``(None, None, None)``."""
    for att in volume.get("Attachments") or []:
        if att.get("State") in ("attaching", "attached", "detaching"):
            return att.get("InstanceId"), att.get("Device"), att.get("State")
    return None, None, None


def plan_volume_moves(original_devices, root_device_name, old_root_device):
    """Where each original volume goes on the replacement: data volumes at their device, the root at ``old_root_device``."""
    moves = []
    for d in original_devices:
        is_root = d["device_name"] == root_device_name
        moves.append(
            {
                "volume_id": d["volume_id"],
                "source_device": d["device_name"],
                "target_device": old_root_device if is_root else d["device_name"],
                "delete_on_termination": d["delete_on_termination"],
                "is_root": is_root,
            }
        )
    return moves


def _norm_device(name):
    name = (name or "").strip()
    name = name[5:] if name.startswith("/dev/") else name
    # sdX and xvdX name the same slot on Xen HVM instances
    return re.sub(r"^xvd", "sd", name)


def device_conflicts(moves, image_device_names, replacement_root_device):
    """Target devices that collide with each other, the HVM image's own mappings or the replacement's root."""
    taken = {_norm_device(n): n for n in list(image_device_names or []) + [replacement_root_device] if n}
    problems, seen = [], {}
    for m in moves:
        key = _norm_device(m["target_device"])
        if key in taken:
            problems.append("device %s for %s is already used by the HVM image (%s)" % (m["target_device"], m["volume_id"], taken[key]))
        if key in seen:
            problems.append("device %s is wanted by both %s and %s" % (m["target_device"], seen[key], m["volume_id"]))
        seen[key] = m["volume_id"]
    return problems


# --- inputs: target image and type ------------------------------------------------------------


def resolve_instance_type(instance_id, instance_type, type_map=None, suggested=None):
    """Target type: ``type_map[instance_id]`` > ``type_map[instance_type]`` > built-in map > the audit's suggestion."""
    type_map = type_map or {}
    for key in (instance_id, instance_type):
        if key in type_map and type_map[key]:
            return type_map[key]
    if instance_type in DEFAULT_INSTANCE_TYPE_MAP:
        return DEFAULT_INSTANCE_TYPE_MAP[instance_type]
    if suggested:
        return suggested
    raise MigrationError(
        "%s: no target instance type for %s; add %s (or the instance id) to pv_to_hvm_instance_type_map" % (instance_id, instance_type, instance_type)
    )


def resolve_image(instance_id, source_image_id, image_id=None, image_map=None):
    """Target HVM AMI: ``image_map[instance_id]`` > ``image_map[source AMI]`` > ``image_id``."""
    image_map = image_map or {}
    for key in (instance_id, source_image_id):
        if key and image_map.get(key):
            return image_map[key]
    if image_id:
        return image_id
    raise MigrationError(
        "%s: no HVM image for source AMI %s; set pv_to_hvm_image_id or add %s to pv_to_hvm_image_map" % (instance_id, source_image_id, source_image_id)
    )


def image_problems(instance_id, image_id, image, source_architecture, instance_type, type_info):
    """Why ``image`` (DescribeImages shape or None) and ``instance_type`` (DescribeInstanceTypes shape or None) cannot host the replacement."""
    if image is None:
        return ["%s: target image %s does not exist or is not visible to this account" % (instance_id, image_id)]
    problems = []
    vt = image.get("VirtualizationType")
    if vt != "hvm":
        problems.append("%s: target image %s is %s, not hvm; give an HVM AMI" % (instance_id, image_id, vt))
    if image.get("State", "available") != "available":
        problems.append("%s: target image %s is %s, not available" % (instance_id, image_id, image.get("State")))
    if image.get("RootDeviceType", "ebs") != "ebs":
        problems.append("%s: target image %s has a %s root device; only EBS-backed images are supported" % (instance_id, image_id, image.get("RootDeviceType")))
    arch = image.get("Architecture")
    if source_architecture and arch and arch != source_architecture:
        problems.append("%s: architecture mismatch: the instance is %s but image %s is %s" % (instance_id, source_architecture, image_id, arch))
    if type_info is None:
        problems.append("%s: target instance type %s does not exist in this region" % (instance_id, instance_type))
    else:
        if "hvm" not in (type_info.get("SupportedVirtualizationTypes") or ["hvm"]):
            problems.append("%s: target instance type %s does not support hvm" % (instance_id, instance_type))
        if (type_info.get("NetworkInfo") or {}).get("EnaSupport") == "required" and image.get("EnaSupport") is False:
            problems.append("%s: target instance type %s requires ENA but image %s does not enable it" % (instance_id, instance_type, image_id))
        archs = (type_info.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []
        if arch and archs and arch not in archs:
            problems.append("%s: target instance type %s does not support the %s architecture of image %s" % (instance_id, instance_type, arch, image_id))
    return problems


# --- blockers --------------------------------------------------------------------------------

BLOCKER_CODES = (
    "instance_store_root",
    "instance_store_data",
    "autoscaling_group",
    "cloudformation",
    "elastic_beanstalk",
    "termination_protection",
    "spot",
)


def instance_blockers(instance, termination_protection=False, instance_store_devices=None):
    """Blockers visible on the live instance (boto3 shape); the audit may know more (instance-store data)."""
    tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
    out = []
    if instance.get("RootDeviceType") == "instance-store":
        out.append({"code": "instance_store_root", "message": "the root device is instance store: it cannot be snapshotted or moved"})
    if instance_store_devices:
        out.append(
            {
                "code": "instance_store_data",
                "message": "instance-store volumes %s cannot be snapshotted; their data is lost when the instance stops" % ", ".join(instance_store_devices),
            }
        )
    if tags.get("aws:autoscaling:groupName"):
        out.append(
            {
                "code": "autoscaling_group",
                "message": "member of Auto Scaling group %s: migrate its launch configuration or template instead" % tags["aws:autoscaling:groupName"],
            }
        )
    if tags.get("aws:cloudformation:stack-name"):
        out.append(
            {
                "code": "cloudformation",
                "message": "managed by CloudFormation stack %s: change the template instead" % tags["aws:cloudformation:stack-name"],
            }
        )
    if tags.get("elasticbeanstalk:environment-name"):
        out.append(
            {
                "code": "elastic_beanstalk",
                "message": "managed by Elastic Beanstalk environment %s: change the platform instead" % tags["elasticbeanstalk:environment-name"],
            }
        )
    if termination_protection:
        out.append({"code": "termination_protection", "message": "termination protection (DisableApiTermination) is on"})
    if instance.get("InstanceLifecycle") == "spot":
        out.append({"code": "spot", "message": "spot instances cannot be stopped and replaced safely"})
    return out


def merge_blockers(*lists):
    seen, out = set(), []
    for lst in lists:
        for b in lst or []:
            if b.get("code") not in seen:
                seen.add(b.get("code"))
                out.append({"code": b.get("code"), "message": b.get("message")})
    return out


def effective_blockers(blockers, acknowledge_instance_store_loss=False):
    """Blockers that refuse the migration: instance-store data only without the acknowledgement."""
    waived = ("instance_store_data", "instance_store_unverified") if acknowledge_instance_store_loss else ()
    return [b for b in blockers if b["code"] not in waived]


# --- report ------------------------------------------------------------------------------------


def follow_ups(result):
    """What the user must still do after a completed migration."""
    todo = []
    if result.get("status") != "migrated":
        return todo
    moves = result.get("volumes") or []
    root = [m for m in moves if m.get("is_root")]
    if root:
        todo.append(
            "restore application data and configuration from the old root volume %s, attached to %s at %s"
            % (root[0]["volume_id"], result.get("replacement_id"), root[0]["target_device"])
        )
    data = [m for m in moves if not m.get("is_root")]
    if data:
        todo.append("mount the data volumes on the replacement: %s" % ", ".join("%s at %s" % (m["volume_id"], m["target_device"]) for m in data))
    if result.get("public_ip_without_eip"):
        todo.append(
            "the source had the non-Elastic public IP %s; update DNS records to the replacement's address %s"
            % (result["public_ip_without_eip"], result.get("replacement_public_ip") or "(none)")
        )
    todo.append("re-register the replacement with any load balancer target groups that referenced %s" % result.get("instance_id"))
    if not result.get("source_terminated"):
        todo.append("terminate the stopped source %s when it is no longer needed (pv_to_hvm_terminate_source: true)" % result.get("instance_id"))
    return todo


def render_markdown(report):
    """Markdown for people from the JSON report (``{generated_at, run_id, instances: [...]}``)."""
    lines = ["# EC2.24 paravirtual → HVM migration", ""]
    if report.get("generated_at"):
        lines.append("Generated %s, run `%s`." % (report["generated_at"], report.get("run_id") or "-"))
        lines.append("")
    counts = {}
    for r in report.get("instances", []):
        counts[r.get("status")] = counts.get(r.get("status"), 0) + 1
    lines.append("| status | instances |")
    lines.append("|---|---|")
    for status in sorted(counts):
        lines.append("| %s | %d |" % (status, counts[status]))
    lines.append("")
    for r in sorted(report.get("instances", []), key=lambda x: (x.get("region") or "", x.get("instance_id") or "")):
        lines.append("## %s (%s) — %s" % (r.get("instance_id"), r.get("name") or "no Name tag", r.get("status")))
        lines.append("")
        lines.append("- region: %s" % r.get("region"))
        if r.get("replacement_id"):
            lines.append("- replacement: %s (%s, %s)" % (r["replacement_id"], r.get("target_instance_type"), r.get("target_image_id")))
        elif r.get("target_image_id") and r.get("status") == "planned":
            lines.append("- would launch: %s from %s" % (r.get("target_instance_type"), r.get("target_image_id")))
        if r.get("phase"):
            lines.append("- phase reached: %s" % r["phase"])
        for b in r.get("blockers") or []:
            lines.append("- blocked (%s): %s" % (b.get("code"), b.get("message")))
        for e in r.get("errors") or []:
            lines.append("- error: %s" % e)
        for w in r.get("warnings") or []:
            lines.append("- warning (%s): %s" % (w.get("code"), w.get("message")))
        if r.get("rollback"):
            lines.append("- rollback: %s" % r["rollback"])
        for s in r.get("snapshots") or []:
            lines.append("- snapshot %s of %s (%s)" % (s.get("snapshot_id"), s.get("volume_id"), s.get("device_name")))
        for m in r.get("volumes") or []:
            lines.append("- volume %s: %s → %s" % (m.get("volume_id"), m.get("source_device"), m.get("target_device")))
        for e in r.get("elastic_ips") or []:
            lines.append("- Elastic IP %s (%s) moved" % (e.get("public_ip") or e.get("allocation_id"), e.get("allocation_id")))
        todo = r.get("follow_ups") or []
        if todo:
            lines.append("")
            lines.append("To do:")
            lines.extend("- [ ] %s" % t for t in todo)
        lines.append("")
    return "\n".join(lines) + "\n"


# --- recording phases ----------------------------------------------------------------------------


def _chunk_keys(tags, key):
    return [k for k in tags if k == key or re.match(re.escape(key) + r"-\d+$", k)]


def plan_state_tags(instance_id, tags, phase, run_id=None, replacement_id=None, error=None, live=None):
    """Tags to set and remove on the source so that it records ``phase``; ``({}, [])`` when already recorded.

    ``live`` (``{was_running, devices, eips}``) is the source as it is now; it is captured only when a new
    migration starts (no phase, or the last attempt was rolled back). Phases never move backwards.
    """
    tags = tags or {}
    current = migration_from_tags(tags)
    to_set, to_remove = {}, []

    if phase == "started":
        validate_run_id(run_id)
        if current["phase"] == "completed":
            raise MigrationError("%s: the migration is already completed (replaced by %s)" % (instance_id, current["replaced_by"]))
        if in_progress(current["phase"]):
            if current["run_id"] != run_id:
                raise MigrationError(
                    "%s: a migration is in progress under run %s (phase %s); resume it with that run id" % (instance_id, current["run_id"], current["phase"])
                )
            return {}, []
        if live is None:
            raise MigrationError("%s: starting a migration needs the live state of the instance" % instance_id)
        to_set[TAG_PHASE] = "started"
        to_set[TAG_RUN] = run_id
        to_set[TAG_WAS_RUNNING] = "true" if live["was_running"] else "false"
        to_set.update(encode_devices(live["devices"]))
        to_set.update(encode_eips(live["eips"]))
        stale = set(_chunk_keys(tags, TAG_DEVICES)) | set(_chunk_keys(tags, TAG_EIPS)) | {TAG_ERROR, TAG_REPLACEMENT, TAG_REPLACED_BY}
        to_remove = sorted(k for k in stale if k in tags and k not in to_set)
    elif phase == ROLLED_BACK:
        to_set[TAG_PHASE] = ROLLED_BACK
        to_set[TAG_ERROR] = truncate_tag_value(error or "unknown error")
        if TAG_REPLACEMENT in tags:
            to_remove.append(TAG_REPLACEMENT)
    elif phase in PHASES:
        if not in_progress(current["phase"]) and not (current["phase"] == "completed"):
            raise MigrationError("%s: no migration in progress (phase %s); record 'started' first" % (instance_id, current["phase"] or "none"))
        if not phase_reached(current["phase"], phase):
            to_set[TAG_PHASE] = phase
        if replacement_id:
            to_set[TAG_REPLACEMENT] = replacement_id
        if phase == "completed":
            rid = replacement_id or current["replacement_id"]
            if not rid:
                raise MigrationError("%s: completing a migration needs the replacement id" % instance_id)
            to_set[TAG_REPLACED_BY] = rid
    else:
        raise MigrationError("%s: unknown phase %r" % (instance_id, phase))

    to_set = {k: v for k, v in to_set.items() if tags.get(k) != v}
    return to_set, to_remove


def same_device(a, b):
    """Whether two device names name the same slot (``/dev/sdf``, ``sdf`` and ``/dev/xvdf`` do)."""
    return _norm_device(a) == _norm_device(b)


# --- per-instance result and report ------------------------------------------------------------------

FAILED_STATUSES = ("invalid", "rolled_back", "rollback_failed", "failed")


def build_result(instance_id, region, status, preflight=None, query=None, old_root_device="/dev/sdo", **extra):
    """The report record of one instance from the pre-flight result and a final ``ec2_migration_state`` query.

    ``status``: ``migrated`` (this run or before), ``planned`` (check mode), ``blocked``, ``invalid``, ``rolled_back``,
    ``rollback_failed``.
    """
    preflight = preflight or {}
    query = query or {}
    instance = query.get("instance") or preflight.get("instance") or {}
    migration = query.get("migration") or preflight.get("migration") or {}
    replacement = query.get("replacement") or {}
    tags = instance.get("tags") or {}
    originals = migration.get("original_devices")
    if originals:
        root = instance.get("root_device_name")
        moves = plan_volume_moves(originals, root, old_root_device)
    else:
        moves = preflight.get("volume_moves") or []
    eips = migration.get("original_eips") or preflight.get("elastic_ips") or []
    public = {a.get("allocation_id"): a.get("public_ip") for a in query.get("elastic_ips") or []}
    run_id = migration.get("run_id")
    snapshots = [s for s in query.get("snapshots") or [] if not run_id or (s.get("tags") or {}).get(TAG_RUN) == run_id]
    result = {
        "instance_id": instance_id,
        "region": region,
        "name": tags.get("Name"),
        "status": status,
        "phase": migration.get("phase"),
        "run_id": run_id,
        "source_state": instance.get("state"),
        "source_instance_type": instance.get("instance_type"),
        "target_image_id": preflight.get("target_image_id") or replacement.get("image_id"),
        "target_instance_type": preflight.get("target_instance_type") or replacement.get("instance_type"),
        "replacement_id": replacement.get("instance_id") or migration.get("replaced_by") or migration.get("replacement_id"),
        "replacement_state": replacement.get("state"),
        "replacement_public_ip": replacement.get("public_ip_address"),
        "replacement_http_tokens": replacement.get("metadata_http_tokens"),
        "snapshots": [{k: s.get(k) for k in ("snapshot_id", "volume_id", "device_name", "state")} for s in snapshots],
        "volumes": moves if status in ("migrated", "planned") else [],
        "elastic_ips": [dict(e, public_ip=public.get(e.get("allocation_id"))) for e in eips] if status in ("migrated", "planned") else [],
        "blockers": preflight.get("blockers") or [],
        "errors": list(preflight.get("errors") or []),
        "missing_permissions": preflight.get("missing_permissions") or [],
        "warnings": preflight.get("audit_warnings") or [],
        "rollback": None,
        "public_ip_without_eip": None,
        "source_terminated": False,
    }
    if status == "blocked":
        result["blockers"] = preflight.get("refusing_blockers") or result["blockers"]
    for key, value in extra.items():
        if key == "errors":
            result["errors"].extend(e for e in value or [] if e)
        elif value is not None:
            result[key] = value
    result["follow_ups"] = follow_ups(result)
    return result


def build_report(results, run_id=None, generated_at=None, check_mode=False):
    results = [r for r in results if r]
    totals = {}
    for r in results:
        totals[r["status"]] = totals.get(r["status"], 0) + 1
    return {
        "control": "EC2.24",
        "run_id": run_id,
        "generated_at": generated_at,
        "check_mode": bool(check_mode),
        "totals": totals,
        "failed": sorted(r["instance_id"] for r in results if r["status"] in FAILED_STATUSES),
        "instances": sorted(results, key=lambda r: (r.get("region") or "", r.get("instance_id") or "")),
    }
