"""Throttling and server errors: the audit and both remediations reach the same final state with 30 % of requests throttled.

The demo estate is audited and remediated (every launch configuration; the EC2_24_INSTANCES) twice, each time from a
fresh simulator: once without faults, once with the fault injector (tests/simulator/faults.py) answering 30 % of the
requests of every service with that service's own throttling error (EC2 ``RequestLimitExceeded``, Auto Scaling / STS
``Throttling``, CloudWatch ``ThrottlingException``), a few percent with HTTP 500 / 503, and a burst of 5 consecutive
faults on one call of each service our modules use. botocore's default retry mode (legacy, 5 attempts) absorbs most
single faults; a burst of 5 exhausts it, so those calls only succeed through the ``AWSRetry.jittered_backoff`` of
plugins/module_utils/clients.py (which must know ``ThrottlingException``).

The two runs are compared with a normalising snapshot of the AWS state and of the three reports: resource ids, IP addresses,
timestamps and report paths are replaced by stable labels, lists are compared as sets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.harness import run_playbook
from tests.simulator.seed import seed

REGIONS = ["us-east-1", "eu-west-1"]
RUN_ID = "throttling-test"  # the same EC2.24 run id in both runs, so the tags written by the migration compare equal
THROTTLE_PROBABILITY = 0.3
EC2_24_INSTANCES = ["pv-data", "pv-eu", "pv-protected"]

# One call per service that our modules make, answered with 5 faults in a row (botocore's legacy mode makes 5 attempts).
BURSTS = [
    {"service": "ec2", "operation": "CreateSnapshot", "throttle": True},
    {"service": "ec2", "operation": "AttachVolume", "error_code": "InternalError", "status": 500},
    {"service": "autoscaling", "operation": "UpdateAutoScalingGroup", "throttle": True},
    {"service": "autoscaling", "operation": "DescribeLaunchConfigurations", "error_code": "ServiceUnavailable", "status": 503},
    {"service": "cloudwatch", "operation": "GetMetricData", "throttle": True},
    {"service": "sts", "operation": "GetCallerIdentity", "throttle": True},
]
BURST_LENGTH = 5

_ID = re.compile(r"\b(?:i|vol|snap|sg|subnet|eipalloc|eipassoc|eni|lt|ami|vpc|igw|rtb|acl|key)-[0-9a-f]{8,17}\b")
# Auto Scaling group ARNs embed a UUID that moto draws afresh for each estate.
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_IP = re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")
# a volume's NVMe name on a Nitro instance holds its id without the dash: put the dash back so that the id is labelled
_NVME = re.compile(r"(nvme-Amazon_Elastic_Block_Store_vol)([0-9a-f]{8,17})\b")
_VOLATILE_KEYS = {"generated_at", "run_id", "created_time", "updated_time", "launch_time", "start_time", "attach_time", "create_time", "backup_dir"}


# --- normalising ------------------------------------------------------------------------------------------


def estate_labels(estate) -> dict[str, str]:
    """Every id / IP address the seed returned -> its path in the seed result (e.g. ``volumes.pv-data-sdf.id``)."""
    labels: dict[str, str] = {}

    def walk(value, path):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for n, v in enumerate(value):
                walk(v, f"{path}.{n}")
        elif isinstance(value, str) and (_ID.fullmatch(value) or _IP.fullmatch(value)):
            labels.setdefault(value, f"<{path}>")

    walk(estate, "")
    return labels


class Normaliser:
    def __init__(self, estate, workdir: Path):
        self.labels = estate_labels(estate)
        self.workdir = str(workdir)

    def text(self, s: str) -> str:
        s = s.replace(self.workdir, "<workdir>")
        s = _NVME.sub(lambda m: "%s<%s>" % (m.group(1), self.labels.get("vol-" + m.group(2), "new vol")), s)
        s = _ID.sub(lambda m: self.labels.get(m.group(0), "<new %s>" % m.group(0).split("-")[0]), s)
        s = _UUID.sub("<uuid>", s)
        return _IP.sub(lambda m: self.labels.get(m.group(0), "<ip>"), s)

    def __call__(self, value):
        """Ids and IPs replaced by labels, volatile keys dropped, lists sorted (compared as sets)."""
        if isinstance(value, dict):
            return {self.text(str(k)): self(v) for k, v in value.items() if k not in _VOLATILE_KEYS}
        if isinstance(value, tuple):
            return [self(v) for v in value]
        if isinstance(value, list):
            return sorted((self(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
        if isinstance(value, str):
            return self.text(value)
        return value


def differences(a, b, path="") -> list[str]:
    """Where two normalised values differ, as readable paths (for assertion messages)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: {json.dumps(a.get(k), default=str)[:300]} != {json.dumps(b.get(k), default=str)[:300]}")
            else:
                out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for n, (x, y) in enumerate(zip(a, b, strict=False)) for d in differences(x, y, f"{path}[{n}]")]
    return [] if a == b else [f"{path}: {json.dumps(a, default=str)[:300]} != {json.dumps(b, default=str)[:300]}"]


def tags_of(resource) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def ebs_mappings(instance) -> list:
    return [m for m in instance.get("BlockDeviceMappings", []) if "Ebs" in m]


def state_snapshot(simulator, estate, norm: Normaliser) -> dict:
    """The AWS state that the audit and the remediations are about, per region and per named resource."""
    out = {}
    for region in REGIONS:
        ec2 = simulator.client("ec2", region)
        autoscaling = simulator.client("autoscaling", region)
        instances = [i for r in ec2.get_paginator("describe_instances").paginate().build_full_result()["Reservations"] for i in r["Instances"]]
        key_of = {}
        for inst in instances:
            tags = tags_of(inst)
            role = "replacement" if "hubfix:replaces" in tags else "source"
            key_of[inst["InstanceId"]] = "%s/%s" % (tags.get("Name") or tags.get("aws:autoscaling:groupName") or "unnamed", role)

        named = {}  # name -> its instances (Auto Scaling group members share their group's Name tag)
        for inst in instances:
            named.setdefault(key_of[inst["InstanceId"]], []).append(
                {
                    "state": inst["State"]["Name"],
                    "type": inst["InstanceType"],
                    "virtualization": inst.get("VirtualizationType"),
                    "image": inst.get("ImageId"),
                    "http_tokens": (inst.get("MetadataOptions") or {}).get("HttpTokens"),
                    "tags": tags_of(inst),
                    "volumes": {m["DeviceName"]: (m["Ebs"]["VolumeId"], m["Ebs"].get("DeleteOnTermination")) for m in ebs_mappings(inst)},
                    "public_ip": inst.get("PublicIpAddress"),
                    "termination_protection": ec2.describe_instance_attribute(InstanceId=inst["InstanceId"], Attribute="disableApiTermination")[
                        "DisableApiTermination"
                    ]["Value"],
                }
            )

        snapshots = ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]

        templates = {}
        for lt in ec2.describe_launch_templates()["LaunchTemplates"]:
            versions = ec2.describe_launch_template_versions(LaunchTemplateId=lt["LaunchTemplateId"])["LaunchTemplateVersions"]
            templates[lt["LaunchTemplateName"]] = {
                "default": lt["DefaultVersionNumber"],
                "latest": lt["LatestVersionNumber"],
                "tags": tags_of(lt),
                "versions": {v["VersionNumber"]: v["LaunchTemplateData"] for v in versions},
            }

        groups = {}
        for g in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]:
            lt = g.get("LaunchTemplate") or (g.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification")
            groups[g["AutoScalingGroupName"]] = {
                "launch_configuration": None if lt else g.get("LaunchConfigurationName"),
                "launch_template": (lt.get("LaunchTemplateName"), lt.get("Version")) if lt else None,
                "sizes": (g["MinSize"], g["MaxSize"], g["DesiredCapacity"]),
                "instances": len(g.get("Instances", [])),
                "tags": {t["Key"]: t["Value"] for t in g.get("Tags", [])},
            }

        out[region] = {
            "instances": named,
            # lists, not dicts keyed by id: the volumes and snapshots the runs create all normalise to the same "<new vol>" label
            "volumes": [
                (v["VolumeId"], v["State"], v["Size"], [(key_of.get(a["InstanceId"]), a["Device"]) for a in v.get("Attachments", [])])
                for v in ec2.describe_volumes()["Volumes"]
            ],
            "elastic_ips": {a["AllocationId"]: key_of.get(a.get("InstanceId")) for a in ec2.describe_addresses()["Addresses"]},
            "snapshots": [(tags_of(s).get("hubfix:source-volume", s.get("VolumeId")), tags_of(s).get("hubfix:source-device"), s["State"]) for s in snapshots],
            "launch_templates": templates,
            "launch_configurations": {
                lc["LaunchConfigurationName"]: lc.get("MetadataOptions") for lc in autoscaling.describe_launch_configurations()["LaunchConfigurations"]
            },
            "groups": groups,
        }
    return norm(out)


# --- the runs ---------------------------------------------------------------------------------------------


def run_everything(simulator, estate, workdir: Path) -> dict:
    """Audit, AutoScaling.3 then EC2.24 on the demo estate; each must succeed. Returns the three reports."""
    image_map = {estate["instances"][n]["id"]: estate["images"]["hvm"][estate["instances"][n]["region"]] for n in estate["instances"] if n.startswith("pv-")}
    # EC2.24: one migration per region (pv-data has a data volume and an Elastic IP) and one blocked instance; the whole
    # demo estate's migration is tested without faults in test_pv_to_hvm and test_demo
    migrated = [estate["instances"][n]["id"] for n in EC2_24_INSTANCES]
    runs = [
        ("hubfix.aws.audit", {"audit_regions": REGIONS, "audit_report_dir": str(workdir / "audit")}, workdir / "audit" / "latest" / "audit.json"),
        (
            "hubfix.aws.remediate_autoscaling_3",
            {
                "autoscaling_imdsv2_regions": REGIONS,
                "autoscaling_imdsv2_refresh_poll_interval": 0,
                "autoscaling_imdsv2_delete_launch_configurations": "immediately",  # the deletion is retried under faults too
                "autoscaling_imdsv2_backup_dir": str(workdir / "backups"),
                "autoscaling_imdsv2_report_dir": str(workdir / "as3"),
            },
            workdir / "as3" / "latest" / "autoscaling_imdsv2.json",
        ),
        (
            "hubfix.aws.remediate_ec2_24",
            {
                "pv_to_hvm_regions": REGIONS,
                "pv_to_hvm_instance_ids": migrated,
                "pv_to_hvm_image_map": image_map,
                "pv_to_hvm_report_dir": str(workdir / "ec2_24"),
                "pv_to_hvm_run_id": RUN_ID,
                "pv_to_hvm_stage": "all",
            },
            workdir / "ec2_24" / "latest" / "pv_to_hvm.json",
        ),
    ]
    reports = {}
    for playbook, extra_vars, report in runs:
        result = run_playbook(playbook, simulator.env(), extra_vars)
        assert result.rc == 0, result
        assert result.failed == 0, result
        reports[playbook] = json.loads(report.read_text())
    return reports


def inject_faults(simulator) -> None:
    for burst in BURSTS:
        simulator.inject_fault(probability=1.0, times=BURST_LENGTH, **burst)
    simulator.throttle(THROTTLE_PROBABILITY)  # every service, its own throttling error
    simulator.inject_fault(error_code="InternalError", status=500, probability=0.03)
    simulator.inject_fault(error_code="ServiceUnavailable", status=503, probability=0.02)


@pytest.mark.slow(300)
def test_audit_and_remediations_reach_the_same_state_with_30_percent_throttling(simulator, tmp_path):
    # without faults
    estate = seed("demo", simulator.endpoint)
    clean_reports = run_everything(simulator, estate, tmp_path / "clean")
    norm = Normaliser(estate, tmp_path / "clean")
    clean = state_snapshot(simulator, estate, norm)
    clean_reports = norm(clean_reports)

    # the runs did something: groups moved to templates, instances replaced (the details are tested in the role tests)
    assert clean["us-east-1"]["groups"]["asg-web"]["launch_template"] == ["lc-tokens-optional", "1"]
    assert clean["us-east-1"]["instances"]["pv-data/replacement"][0]["state"] == "running"
    assert clean["eu-west-1"]["instances"]["pv-eu/replacement"][0]["virtualization"] == "hvm"
    assert "lc-tokens-optional" not in clean["us-east-1"]["launch_configurations"]

    # the same with faults, from a fresh estate
    simulator.reset()
    estate = seed("demo", simulator.endpoint)
    inject_faults(simulator)
    faulty_reports = run_everything(simulator, estate, tmp_path / "faulty")
    rules = simulator.faults()
    simulator.clear_faults()
    norm = Normaliser(estate, tmp_path / "faulty")
    faulty = state_snapshot(simulator, estate, norm)
    faulty_reports = norm(faulty_reports)

    # every burst was used up: those calls were retried by our modules after botocore gave up
    bursts = {(r["service"], r["operation"]): r["hits"] for r in rules if r.get("times") is not None}
    assert bursts == {(b["service"], b["operation"]): BURST_LENGTH for b in BURSTS}
    random_rules = [r for r in rules if r.get("times") is None]
    assert random_rules[0]["throttle"] and random_rules[0]["hits"] > 0, rules

    assert differences(clean, faulty) == []
    assert differences(clean_reports, faulty_reports) == []
