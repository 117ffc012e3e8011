# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The previous-generation instance types that run paravirtual guests, and their HVM replacements.

Paravirtual AMIs run only on the t1, m1, m2, m3, c1, c3, cc1, cc2, cg1, cr1, hi1 and hs1 families. Each size maps to
a current-generation HVM type with at least its vCPUs and, but for m2.xlarge (17.1 -> 16 GiB), its memory, offered in
every region where the source family was. ``pv_to_hvm_instance_type_map`` overrides these per type or per instance.
"""

from __future__ import annotations

HVM_REPLACEMENT = {
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
    "cc1.4xlarge": "c5.4xlarge",
    "cc2.8xlarge": "c5.9xlarge",
    "cg1.4xlarge": "g4dn.4xlarge",
    "cr1.8xlarge": "r5.8xlarge",
    "hi1.4xlarge": "i3.4xlarge",
    "hs1.8xlarge": "d3.8xlarge",
}

# A size missing above (a type AWS never listed, or a typo in the estate's data): the family's smallest replacement.
HVM_REPLACEMENT_BY_FAMILY = {
    "t1": "t3.micro",
    "m1": "m5.large",
    "m2": "r5.large",
    "m3": "m5.large",
    "c1": "c5.large",
    "c3": "c5.large",
    "cc1": "c5.4xlarge",
    "cc2": "c5.9xlarge",
    "cg1": "g4dn.4xlarge",
    "cr1": "r5.8xlarge",
    "hi1": "i3.4xlarge",
    "hs1": "d3.8xlarge",
}

# Instance-store volumes each of those types offers. Only the AMI's block device mapping shows which are mapped:
# DescribeInstances lists EBS volumes only, so a mapping added at launch is invisible to the API.
INSTANCE_STORE_VOLUMES = {
    "t1.micro": 0,
    "m1.small": 1,
    "m1.medium": 1,
    "m1.large": 2,
    "m1.xlarge": 4,
    "m2.xlarge": 1,
    "m2.2xlarge": 1,
    "m2.4xlarge": 2,
    "m3.medium": 1,
    "m3.large": 1,
    "m3.xlarge": 2,
    "m3.2xlarge": 2,
    "c1.medium": 1,
    "c1.xlarge": 4,
    "c3.large": 2,
    "c3.xlarge": 2,
    "c3.2xlarge": 2,
    "c3.4xlarge": 2,
    "c3.8xlarge": 2,
    "cc1.4xlarge": 2,
    "cc2.8xlarge": 4,
    "cg1.4xlarge": 2,
    "cr1.8xlarge": 2,
    "hi1.4xlarge": 2,
    "hs1.8xlarge": 24,
}

PARAVIRTUAL_FAMILIES = tuple(HVM_REPLACEMENT_BY_FAMILY)


class NoReplacementType(ValueError):
    """No HVM type is known for an instance; the message names it and the variable to set."""


# Families on the Xen hypervisor (everything else current is built on Nitro, whose EBS volumes appear as NVMe devices).
XEN_FAMILIES = frozenset(
    ["t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "cc2", "cg1", "cr1", "r3", "r4", "i2", "i3", "d2", "g2", "g3", "p2", "p3"]
    + ["x1", "x1e", "h1", "f1", "hi1", "hs1"]
)
NVME_BY_ID = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_"


def is_nitro(instance_type):
    """Whether ``instance_type`` runs on Nitro (EBS volumes show as NVMe devices, not at the requested device name).
    p3dn is Nitro although p3 is not."""
    family = str(instance_type or "").split(".", 1)[0]
    return bool(family) and (family not in XEN_FAMILIES or family == "p3dn")


def nvme_device(volume_id):
    """The stable NVMe name of an EBS volume on a Nitro instance (udev's by-id link: the volume id without its dash)."""
    return NVME_BY_ID + str(volume_id).replace("-", "")


def suggest_instance_type(instance_type):
    """The HVM replacement of a paravirtual-capable type, the family's default for an unlisted size, else None."""
    if not instance_type:
        return None
    return HVM_REPLACEMENT.get(instance_type) or HVM_REPLACEMENT_BY_FAMILY.get(instance_type.split(".", 1)[0])


def instance_store_volumes(instance_type):
    return INSTANCE_STORE_VOLUMES.get(instance_type or "", 0)


def resolve_instance_type(instance_id, instance_type, overrides=None, suggested=None):
    """Target type: ``overrides[instance_id]`` > ``overrides[instance_type]`` > the built-in map > ``suggested``."""
    overrides = overrides or {}
    for key in (instance_id, instance_type):
        if overrides.get(key):
            return overrides[key]
    target = suggest_instance_type(instance_type) or suggested
    if target:
        return target
    raise NoReplacementType(
        "%s: no target instance type for %s; add %s (or the instance id) to pv_to_hvm_instance_type_map" % (instance_id, instance_type, instance_type)
    )
