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
``hubfix:migration-claim``     the run working on it now and its heartbeat (module_utils/claims.py)
``hubfix:migration-attempt``   1, 2, ...: a new attempt after each rollback (the replacement's ClientToken is per attempt)

Only characters every AWS tagging API accepts are used (letters, digits, space and ``+ - = . _ : / @``).
"""

from __future__ import annotations

import hashlib
import re

from ansible_collections.hubfix.aws.plugins.module_utils.claims import run_id_problem
from ansible_collections.hubfix.aws.plugins.module_utils.migration_tags import (
    TAG_ATTEMPT,
    TAG_CLAIM,
    TAG_COPIED_FROM,
    TAG_DEVICES,
    TAG_EIPS,
    TAG_ERROR,
    TAG_PHASE,
    TAG_REPLACED_BY,
    TAG_REPLACEMENT,
    TAG_REPLACES,
    TAG_RUN,
    TAG_SNAPSHOT_PURPOSE,
    TAG_SOURCE_DEVICE,
    TAG_SOURCE_INSTANCE,
    TAG_SOURCE_VOLUME,
    TAG_WAS_RUNNING,
)

# Phases in the order they complete; the phase tag holds the last one completed. Stage prepare (the source keeps running)
# ends at "prepared"; stage cutover goes from there to "completed". A migration recorded by an older version (stopped before
# it snapshotted) resumes through the same idempotent steps: the tag never moves backwards.
PHASES = ("started", "snapshotted", "launched", "volumes-copied", "prepared", "stopped", "synced", "volumes-moved", "ips-moved", "completed")
PREPARE_PHASES = PHASES[: PHASES.index("prepared") + 1]
# Phases at which the migration rests between runs: its claim is removed so that the next job (an AWX workflow's cutover
# after the approval) takes it over at once.
RESTING_PHASES = ("prepared",)
STAGES = ("prepare", "cutover", "all")
VOLUME_STRATEGIES = ("copy", "move")
FINAL_SYNCS = ("snapshot", "none")
ROLLED_BACK = "rolled-back"
ALL_PHASES = PHASES + (ROLLED_BACK,)

TAG_VALUE_MAX = 256
MIGRATION_TAG_PREFIXES = ("hubfix:migration-", "hubfix:original-", "hubfix:was-running", "hubfix:replacement-id", "hubfix:replaced-by")

CLIENT_TOKEN_MAX = 64

# Burstable families (CPU credits): T3, T3a and T4g launch "unlimited" unless told otherwise, and a paravirtual source
# (t1 / m1 / ...) never paid for surplus credits - so the replacement gets "standard" unless asked for "unlimited".
BURSTABLE_FAMILIES = ("t2", "t3", "t3a", "t4g")
CPU_CREDITS = ("standard", "unlimited")
HOP_LIMIT_RANGE = (1, 64)


class MigrationError(Exception):
    """Bad input or an unsafe situation; the message names the instance."""


# --- tags ------------------------------------------------------------------------------------


def tag_chunks(items, key):
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


def tag_unchunk(tags, key):
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
    return tag_chunks(items, TAG_DEVICES)


def decode_devices(tags):
    devices = []
    for item in tag_unchunk(tags, TAG_DEVICES):
        device, _unused, rest = item.partition("=")
        volume_id, _unused, dot = rest.rpartition(":")
        if not device or not volume_id or dot not in ("0", "1"):
            raise MigrationError("unreadable %s tag item %r" % (TAG_DEVICES, item))
        devices.append({"device_name": device, "volume_id": volume_id, "delete_on_termination": dot == "1"})
    return devices


def encode_eips(eips):
    """``[{allocation_id, private_ip_address}]`` → tag dict."""
    items = ["%s@%s" % (e["allocation_id"], e.get("private_ip_address") or "") for e in eips]
    return tag_chunks(items, TAG_EIPS)


def decode_eips(tags):
    eips = []
    for item in tag_unchunk(tags, TAG_EIPS):
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
        "claim": tags.get(TAG_CLAIM),
        "attempt": attempt_of(tags),
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


def attempt_of(tags):
    """The migration attempt recorded on the source (1 before any)."""
    value = str((tags or {}).get(TAG_ATTEMPT) or "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def client_token(source_instance_id, attempt=1):
    """Deterministic RunInstances ClientToken: one replacement per source and attempt, whatever the retries - and whichever
    run launches it, so two runs started at the same moment get the same instance from EC2, never two."""
    digest = hashlib.sha256(("%s/attempt-%s" % (source_instance_id, attempt)).encode()).hexdigest()
    return ("hubfix-pv2hvm-" + digest)[:CLIENT_TOKEN_MAX]


def validate_run_id(run_id):
    problem = run_id_problem(run_id)
    if problem:
        raise MigrationError(problem)
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


def resolve_image(instance_id, source_image_id, image_id=None, image_map=None, region=None):
    """Target HVM AMI: ``image_map[instance_id]`` > ``image_map[source AMI]`` > ``image_map[region]`` > ``image_id``.

    AMI ids are per region, so a map keyed by region (``{"us-east-1": "ami-...", "eu-west-1": "ami-..."}``) is how one run
    covers several regions.
    """
    image_map = image_map or {}
    for key in (instance_id, source_image_id, region):
        if key and image_map.get(key):
            return image_map[key]
    if image_id:
        return image_id
    raise MigrationError(
        "%s: no HVM image for source AMI %s%s; set pv_to_hvm_image_id or add %s (or the region) to pv_to_hvm_image_map"
        % (instance_id, source_image_id, " in %s" % region if region else "", source_image_id)
    )


def target_image_problems(label, image_id, image):
    """Why ``image`` (DescribeImages shape or None) cannot be a replacement's image, each line starting with ``label``
    (the instance, or the region for an image checked once for a whole region)."""
    if image is None:
        return ["%s: target image %s does not exist or is not visible to this account (AMI ids are per region)" % (label, image_id)]
    problems = []
    vt = image.get("VirtualizationType")
    if vt != "hvm":
        problems.append("%s: target image %s is %s, not hvm; give an HVM AMI" % (label, image_id, vt))
    if image.get("State", "available") != "available":
        problems.append("%s: target image %s is %s, not available" % (label, image_id, image.get("State")))
    if image.get("RootDeviceType", "ebs") != "ebs":
        problems.append("%s: target image %s has a %s root device; only EBS-backed images are supported" % (label, image_id, image.get("RootDeviceType")))
    return problems


def image_problems(instance_id, image_id, image, source_architecture, instance_type, type_info):
    """Why ``image`` (DescribeImages shape or None) and ``instance_type`` (DescribeInstanceTypes shape or None) cannot host the replacement."""
    problems = target_image_problems(instance_id, image_id, image)
    if image is None:
        return problems
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


# --- recording phases ----------------------------------------------------------------------------


def _chunk_keys(tags, key):
    return [k for k in tags if k == key or re.match(re.escape(key) + r"-\d+$", k)]


def plan_state_tags(instance_id, tags, phase, run_id=None, replacement_id=None, error=None, live=None, claim=None, release_claim=False):
    """Tags to set and remove on the source so that it records ``phase``; ``({}, [])`` when already recorded.

    ``live`` (``{was_running, devices, eips}``) is the source as it is now; it is captured only when a new
    migration starts (no phase, or the last attempt was rolled back), which also counts a new attempt. Phases never move
    backwards. ``claim`` (a ``claims.encode`` value) is recorded while the migration runs and removed when it ends, when it
    rests (``RESTING_PHASES``) or when ``release_claim`` (a run that stops before its stage ends, waiting for a person).
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
            return ({TAG_CLAIM: claim} if claim and tags.get(TAG_CLAIM) != claim else {}), []
        if live is None:
            raise MigrationError("%s: starting a migration needs the live state of the instance" % instance_id)
        to_set[TAG_PHASE] = "started"
        to_set[TAG_RUN] = run_id
        to_set[TAG_ATTEMPT] = str(attempt_of(tags) + 1 if current["phase"] == ROLLED_BACK else attempt_of(tags))
        to_set[TAG_WAS_RUNNING] = "true" if live["was_running"] else "false"
        to_set.update(encode_devices(live["devices"]))
        to_set.update(encode_eips(live["eips"]))
        stale = set(_chunk_keys(tags, TAG_DEVICES)) | set(_chunk_keys(tags, TAG_EIPS)) | {TAG_ERROR, TAG_REPLACEMENT, TAG_REPLACED_BY}
        to_remove = sorted(k for k in stale if k in tags and k not in to_set)
    elif phase == ROLLED_BACK:
        to_set[TAG_PHASE] = ROLLED_BACK
        to_set[TAG_ERROR] = truncate_tag_value(error or "unknown error")
        to_remove += [k for k in (TAG_REPLACEMENT, TAG_CLAIM) if k in tags]
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

    if (phase == "completed" or phase in RESTING_PHASES or release_claim) and TAG_CLAIM in tags:
        if TAG_CLAIM not in to_remove:
            to_remove.append(TAG_CLAIM)
    elif claim and phase not in ("completed", ROLLED_BACK) + RESTING_PHASES and not release_claim:
        to_set[TAG_CLAIM] = claim
    to_set = {k: v for k, v in to_set.items() if tags.get(k) != v}
    return to_set, to_remove


def same_device(a, b):
    """Whether two device names name the same slot (``/dev/sdf``, ``sdf`` and ``/dev/xvdf`` do)."""
    return _norm_device(a) == _norm_device(b)


def state_tags_diff(instance_id, tags, to_set, to_remove):
    """Diff of the recorded tags (only the keys touched) plus ``tags_after``, every tag once the change is made."""
    after = dict(tags)
    after.update(to_set)
    for k in to_remove:
        after.pop(k, None)
    touched = sorted(set(to_set) | set(to_remove))
    return {
        "before": {k: tags[k] for k in touched if k in tags},
        "after": {k: after[k] for k in touched if k in after},
        "before_header": "%s tags" % instance_id,
        "after_header": "%s tags" % instance_id,
        "tags_after": after,
    }


def snapshot_tags(extra, source_instance_id, volume_id, device_name, run_id, purpose="backup"):
    """Tags of a migration snapshot: how hubfix finds it again (source, volume, device, run, purpose) and a readable Name."""
    tags = dict(extra or {})
    tags.update(
        {
            "Name": "hubfix pv-to-hvm %s %s%s" % (source_instance_id, device_name, "" if purpose == "backup" else " (%s)" % purpose),
            TAG_SOURCE_INSTANCE: source_instance_id,
            TAG_SOURCE_VOLUME: volume_id,
            TAG_SOURCE_DEVICE: device_name,
            TAG_RUN: run_id,
        }
    )
    if purpose != "backup":
        tags[TAG_SNAPSHOT_PURPOSE] = purpose
    return tags


def snapshot_purpose(tags):
    """``backup`` (the prepare-time snapshot; also every snapshot of older versions, which had no purpose tag) or ``final``."""
    return (tags or {}).get(TAG_SNAPSHOT_PURPOSE) or "backup"


def copy_volume_params(source_volume, snapshot_id, availability_zone, source_instance_id, device_name, run_id):
    """CreateVolume parameters for the replacement's copy of ``source_volume`` (DescribeVolumes shape) from ``snapshot_id``:
    the same type, IOPS and throughput (encryption and KMS key come with the snapshot), the volume's own user tags and
    the tags that find it again."""
    tags = user_tags({t["Key"]: t["Value"] for t in source_volume.get("Tags") or []})
    tags.update(
        {
            "Name": tags.get("Name") or "hubfix copy of %s (%s on %s)" % (source_volume["VolumeId"], device_name, source_instance_id),
            TAG_SOURCE_INSTANCE: source_instance_id,
            TAG_SOURCE_VOLUME: source_volume["VolumeId"],
            TAG_SOURCE_DEVICE: device_name,
            TAG_COPIED_FROM: snapshot_id,
            TAG_RUN: run_id,
        }
    )
    params = {
        "SnapshotId": snapshot_id,
        "AvailabilityZone": availability_zone,
        "VolumeType": source_volume.get("VolumeType") or "gp3",
        "TagSpecifications": [{"ResourceType": "volume", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}],
    }
    if params["VolumeType"] in ("io1", "io2", "gp3") and source_volume.get("Iops"):
        params["Iops"] = source_volume["Iops"]
    if params["VolumeType"] == "gp3" and source_volume.get("Throughput"):
        params["Throughput"] = source_volume["Throughput"]
    return params


def is_copy_of(volume_tags, source_volume_id):
    """Whether a volume (its tags) is a copy hubfix made of ``source_volume_id`` - the only kind a final sync replaces."""
    return bool((volume_tags or {}).get(TAG_COPIED_FROM)) and (volume_tags or {}).get(TAG_SOURCE_VOLUME) == source_volume_id


def stage_steps(stage, strategy, final_sync, stop_for_snapshots):
    """What a stage does, for the role and its report: ``{prepare, cutover, stops_source, copies, final_snapshot}``.

    The source stops only in cutover (and in prepare with ``stop_for_snapshots``); instance-store data is lost only then."""
    if stage not in STAGES:
        raise MigrationError("pv_to_hvm_stage must be one of %s, not %r" % (", ".join(STAGES), stage))
    if strategy not in VOLUME_STRATEGIES:
        raise MigrationError("pv_to_hvm_volume_strategy must be one of %s, not %r" % (", ".join(VOLUME_STRATEGIES), strategy))
    if final_sync not in FINAL_SYNCS:
        raise MigrationError("pv_to_hvm_final_sync must be one of %s, not %r" % (", ".join(FINAL_SYNCS), final_sync))
    prepare, cutover = stage in ("prepare", "all"), stage in ("cutover", "all")
    return {
        "prepare": prepare,
        "cutover": cutover,
        "stops_source": cutover or (prepare and bool(stop_for_snapshots)),
        "copies": strategy == "copy",
        # the final snapshot: the data of a copy made at prepare time is refreshed, and a moved original gets a consistent backup
        "final_snapshot": cutover and (strategy == "move" or final_sync == "snapshot"),
    }


def snapshot_wait_timeout(base, seconds_per_gib, sizes_gib):
    """How long to wait for a set of snapshots: ``base`` seconds plus ``seconds_per_gib`` for each GiB being copied (a
    volume's first snapshot copies every written block; later ones only the blocks changed since)."""
    return int(base) + int(seconds_per_gib or 0) * sum(int(s or 0) for s in sizes_gib)


def is_burstable(instance_type):
    """Whether ``instance_type`` (``t3.small``) earns CPU credits (its launch takes a CreditSpecification)."""
    return str(instance_type or "").split(".", 1)[0] in BURSTABLE_FAMILIES


def hop_limit_problem(metadata_hop_limit):
    """Why ``metadata_hop_limit`` cannot be the replacement's, or None."""
    low, high = HOP_LIMIT_RANGE
    if isinstance(metadata_hop_limit, int) and low <= metadata_hop_limit <= high:
        return None
    return "metadata_hop_limit must be %d to %d, not %r" % (low, high, metadata_hop_limit)


def replacement_launch_params(source, image_id, instance_type, run_id, extra_tags=None, cpu_credits="standard", metadata_hop_limit=1):
    """RunInstances parameters for the HVM replacement of ``source`` (boto3 shape): same subnet, security groups, key,
    instance profile, EBS optimisation, monitoring, tenancy and placement group (partition too), IMDSv2 required with
    ``metadata_hop_limit``, ``cpu_credits`` on a burstable type, the source's user tags, and a ClientToken so that a
    retried launch never starts a second instance. SourceDestCheck cannot be given to RunInstances with SubnetId: the
    module sets it once the replacement runs (``source_dest_check``)."""
    tags = user_tags({t["Key"]: t["Value"] for t in source.get("Tags", [])})
    tags.update(extra_tags or {})
    tags[TAG_REPLACES] = source["InstanceId"]
    tags[TAG_RUN] = run_id
    params = {
        "ImageId": image_id,
        "InstanceType": instance_type,
        "MinCount": 1,
        "MaxCount": 1,
        "ClientToken": client_token(source["InstanceId"], attempt_of({t["Key"]: t["Value"] for t in source.get("Tags", [])})),
        "SubnetId": source["SubnetId"],
        "SecurityGroupIds": [g["GroupId"] for g in source.get("SecurityGroups", [])],
        "EbsOptimized": bool(source.get("EbsOptimized")),
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": metadata_hop_limit},
        "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}],
    }
    if source.get("KeyName"):
        params["KeyName"] = source["KeyName"]
    if (source.get("IamInstanceProfile") or {}).get("Arn"):
        params["IamInstanceProfile"] = {"Arn": source["IamInstanceProfile"]["Arn"]}
    if (source.get("Monitoring") or {}).get("State") in ("enabled", "pending"):
        params["Monitoring"] = {"Enabled": True}
    placement = {}
    source_placement = source.get("Placement") or {}
    if source_placement.get("Tenancy") and source_placement["Tenancy"] != "default":
        placement["Tenancy"] = source_placement["Tenancy"]
    if source_placement.get("GroupName"):
        placement["GroupName"] = source_placement["GroupName"]
        if source_placement.get("PartitionNumber"):
            placement["PartitionNumber"] = source_placement["PartitionNumber"]
    if placement:
        params["Placement"] = placement
    if is_burstable(instance_type):
        params["CreditSpecification"] = {"CpuCredits": cpu_credits}
    return params


def source_dest_check(instance):
    """An instance's SourceDestCheck (on unless DescribeInstances says false: off on a NAT instance) - also what its
    replacement must have."""
    return instance.get("SourceDestCheck") is not False


def planned_replacement(params):
    """The replacement a launch with ``params`` gives, in the shape of ``instance_summary`` (for diffs and comparisons)."""
    return {
        "image_id": params["ImageId"],
        "instance_type": params["InstanceType"],
        "subnet_id": params["SubnetId"],
        "security_group_ids": sorted(params["SecurityGroupIds"]),
        "key_name": params.get("KeyName"),
        "iam_instance_profile_arn": (params.get("IamInstanceProfile") or {}).get("Arn"),
        "ebs_optimized": params["EbsOptimized"],
        "metadata_http_tokens": "required",
        "metadata_hop_limit": params["MetadataOptions"]["HttpPutResponseHopLimit"],
        "placement_group": (params.get("Placement") or {}).get("GroupName"),
        "cpu_credits": (params.get("CreditSpecification") or {}).get("CpuCredits"),
        "client_token": params["ClientToken"],
    }
