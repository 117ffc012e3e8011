# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What stops a safe EC2.24 migration of a paravirtual instance, and what a person does about it.

``blockers(record)`` reads the instance record of ``paravirtual.normalize_instance`` (the detection and the
migration pre-flight build the same record) and returns ``[{code, message}]`` in the order the next actions matter;
``next_action(code, record)`` is the one-line instruction the audit and the reports print; ``warnings(record)`` are
things to check first that do not block.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import instance_store_volumes

TAG_EMR = "aws:elasticmapreduce:job-flow-id"
TAG_OPSWORKS = "opsworks:stack"

# Codes in the order their next action matters most (the first one is what a person must do first).
CODES = (
    "instance_store_root",
    "ec2_classic",
    "managed_instance",
    "emr_cluster",
    "opsworks",
    "cloudformation",
    "elastic_beanstalk",
    "terraform",
    "owner_tag",
    "autoscaling_group",
    "spot",
    "instance_store_data",
    "termination_protection",
    "stop_protection",
)
# Instance-store data is lost when the instance stops: these refuse the migration unless the loss is acknowledged.
INSTANCE_STORE_CODES = ("instance_store_data", "instance_store_unverified")

WARNING_HINTS = {
    "instance_store_unverified": "instance-store volumes mapped at launch are not visible through the EC2 API, look on the instance",
    "image_not_found": "the source AMI no longer exists",
    "transitional_state": "the instance is changing state, audit again once it has settled",
    "marketplace_product": "marketplace product code: use the vendor's HVM AMI",
}


def _devices(record):
    return ", ".join("%s (%s)" % (d["device_name"], d.get("virtual_name") or "ephemeral") for d in record.get("instance_store_devices") or [])


def _owner(record, kind):
    owner = record.get("owner") or {}
    return owner.get("name") if owner.get("type") == kind else None


def _conditions(record):
    """``{code: message}`` of every blocker that applies."""
    tags = record.get("tags") or {}
    found = {}
    if record.get("root_device_type") == "instance-store":
        found["instance_store_root"] = "the root device %s is an instance-store volume: it cannot be snapshotted and is lost when the instance stops" % (
            record.get("root_device_name") or "?"
        )
    if not record.get("vpc_id"):
        found["ec2_classic"] = "not in a VPC (EC2-Classic): current-generation instance types need a VPC; migrate it to a VPC first"
    if record.get("managed"):
        found["managed_instance"] = "managed by an AWS service (operator %s): replace it through that service" % (record.get("operator_principal") or "unknown")
    if tags.get(TAG_EMR):
        found["emr_cluster"] = "node of EMR cluster %s: resize or recreate the cluster with current-generation types" % tags[TAG_EMR]
    if tags.get(TAG_OPSWORKS):
        found["opsworks"] = "managed by OpsWorks stack %s: change the layer's instances there" % tags[TAG_OPSWORKS]
    if _owner(record, "cloudformation"):
        found["cloudformation"] = "managed by CloudFormation stack %s: change the template instead, a replacement made outside it would drift" % _owner(
            record, "cloudformation"
        )
    if _owner(record, "elastic_beanstalk"):
        found["elastic_beanstalk"] = "managed by Elastic Beanstalk environment %s: change the environment's instance type/platform instead" % _owner(
            record, "elastic_beanstalk"
        )
    if _owner(record, "terraform"):
        owner = record["owner"]
        found["terraform"] = "managed by Terraform resource %s (state %s): change the AMI and instance type there, %s" % (
            owner.get("name"),
            owner.get("state_file") or "?",
            "a replacement made outside it would be undone by the next apply",
        )
    if _owner(record, "tag"):
        owner = record["owner"]
        found["owner_tag"] = "managed by %s (tag %s): replace it through that tool" % (owner.get("name"), owner.get("tag_key"))
    if record.get("autoscaling_group_name"):
        found["autoscaling_group"] = (
            "member of Auto Scaling group %s: migrated through its group, not by itself - remediate_ec2_24 gives the group's launch template an "
            "HVM version and its cutover runs an instance refresh (a group still on a launch configuration goes through remediate_autoscaling_3 "
            "with pv_to_hvm_image_map first)" % record["autoscaling_group_name"]
        )
    if record.get("instance_lifecycle") == "spot":
        found["spot"] = "spot instance: it cannot be stopped and restarted reliably; relaunch it from its spot request or fleet with an HVM AMI"
    if record.get("instance_store_devices"):
        found["instance_store_data"] = (
            "instance-store volume(s) %s lose their data when the instance stops; copy the data off or acknowledge the loss" % _devices(record)
        )
    if record.get("termination_protection"):
        found["termination_protection"] = "termination protection (DisableApiTermination) is on: confirm the instance may be replaced and turn it off first"
    if record.get("stop_protection"):
        # read by the pre-flight only (the audit does not spend a call per instance on it): the migration stops the source
        found["stop_protection"] = (
            "stop protection (DisableApiStop) is on: the migration must stop the instance; confirm it may be stopped and turn it off first"
        )
    return found


def blockers(record):
    """``[{code, message}]`` for the instance record, in ``CODES`` order."""
    found = _conditions(record)
    return [{"code": code, "message": found[code]} for code in CODES if code in found]


def next_action(code, record):
    """What a person does about one blocker (the audit's next action), or None for an unknown code."""
    owner = (record.get("owner") or {}).get("name") or "?"
    actions = {
        "autoscaling_group": 'member of Auto Scaling group %s — run remediate_ec2_24 with pv_to_hvm_image_map {"<paravirtual AMI>": '
        '"<HVM AMI>"}: it gives the group\'s launch template an HVM version (prepare) and replaces the members with an instance refresh '
        "(cutover); a group still on a launch configuration first needs remediate_autoscaling_3 with autoscaling_imdsv2_group_names [%s] "
        "and the same pv_to_hvm_image_map" % (record.get("autoscaling_group_name") or "?", record.get("autoscaling_group_name") or "?"),
        "instance_store_root": "instance-store root device cannot be snapshotted — rebuild the workload on an HVM AMI by hand",
        "instance_store_data": "instance-store data on %s is lost when the instance stops — copy it to EBS, then run remediate_ec2_24 "
        "with pv_to_hvm_acknowledge_instance_store_loss: true" % (_devices(record) or "instance store"),
        "cloudformation": "managed by CloudFormation stack %s — change the AMI and instance type in the template and update the stack" % owner,
        "elastic_beanstalk": "managed by Elastic Beanstalk environment %s — move the environment to a current (HVM) platform" % owner,
        "terraform": "managed by Terraform resource %s — set an HVM AMI and a current instance type in the configuration and terraform apply" % owner,
        "owner_tag": "managed by %s — replace the instance with an HVM one through that tool" % owner,
        "termination_protection": "termination protection is on — confirm the instance may be replaced, disable the protection, then run remediate_ec2_24",
        "stop_protection": "stop protection is on — confirm the instance may be stopped for its migration, disable the protection "
        "(ModifyInstanceAttribute DisableApiStop=false), then run remediate_ec2_24",
        "spot": "spot instance — relaunch it from an HVM AMI through its spot request or fleet",
    }
    return actions.get(code)


def sort_blockers(items):
    rank = {code: i for i, code in enumerate(CODES)}
    return sorted(items, key=lambda b: rank.get(b.get("code"), len(rank)))


def merge(*lists):
    """One list of ``{code, message}`` without repeated codes (the first message wins), in ``CODES`` order."""
    seen, out = set(), []
    for items in lists:
        for b in items or []:
            if b.get("code") not in seen:
                seen.add(b.get("code"))
                out.append({"code": b.get("code"), "message": b.get("message")})
    return sort_blockers(out)


def refusing(items, acknowledge_instance_store_loss=False):
    """The blockers that refuse the migration: instance-store data only without the acknowledgement."""
    waived = INSTANCE_STORE_CODES if acknowledge_instance_store_loss else ()
    return [b for b in items if b["code"] not in waived]


def warnings(record, image_found=True):
    """``[{code, message}]``: what to check before migrating, not blocking by default."""
    out = []
    if not image_found and record.get("root_device_type") != "instance-store":
        out.append(
            {
                "code": "image_not_found",
                "message": "AMI %s is no longer available: instance-store mappings it may have added cannot be checked; "
                "look at the instance metadata block-device-mapping/ from inside the instance" % record.get("image_id"),
            }
        )
    offered = instance_store_volumes(record.get("instance_type"))
    if offered and not record.get("instance_store_devices") and record.get("root_device_type") != "instance-store":
        out.append(
            {
                "code": "instance_store_unverified",
                "message": "%s offers %d instance-store volume(s); the AMI maps none, but a mapping added at launch is not visible through "
                "the EC2 API: check the instance metadata block-device-mapping/ before stopping it" % (record["instance_type"], offered),
            }
        )
    if record.get("state") in ("pending", "stopping"):
        out.append({"code": "transitional_state", "message": "the instance is %s; run the detection again once it has settled" % record["state"]})
    if record.get("product_codes"):
        out.append(
            {
                "code": "marketplace_product",
                "message": "launched from a product AMI (%s): the HVM replacement needs the HVM version of that product"
                % ", ".join(p.get("product_code_id", "") for p in record["product_codes"]),
            }
        )
    return out
