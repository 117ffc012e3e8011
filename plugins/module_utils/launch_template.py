# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Launch configuration -> launch template data conversion (pure functions, no AWS calls).

The mapping follows AWS's own parameter mapping for migrating launch configurations to launch templates
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/migrate-launch-configurations-with-cloudformation.html and
https://docs.aws.amazon.com/autoscaling/ec2/userguide/migrate-to-launch-templates.html):

=====================================  ==========================================================================
launch configuration (DescribeLaunch-  launch template data (CreateLaunchTemplate / CreateLaunchTemplateVersion)
Configurations)
=====================================  ==========================================================================
ImageId, InstanceType, KeyName         ImageId, InstanceType, KeyName
KernelId, RamdiskId                    KernelId, RamDiskId
UserData (base64)                      UserData (base64, copied unchanged)
IamInstanceProfile (name or ARN)       IamInstanceProfile {Arn} or {Name}
SecurityGroups (ids or names)          SecurityGroupIds / SecurityGroups, or NetworkInterfaces[0].Groups when a
                                       public-IP choice is set (security groups must then sit on the interface)
AssociatePublicIpAddress (true/false)  NetworkInterfaces[0] {DeviceIndex 0, AssociatePublicIpAddress, Groups,
                                       DeleteOnTermination true}
BlockDeviceMappings                    BlockDeviceMappings (Ebs fields, VirtualName, NoDevice "" )
InstanceMonitoring.Enabled             Monitoring.Enabled (launch configurations default to detailed monitoring
                                       when the field is absent; launch templates default to basic)
SpotPrice                              InstanceMarketOptions {MarketType spot, SpotOptions {MaxPrice}}
PlacementTenancy                       Placement.Tenancy
EbsOptimized                           EbsOptimized
MetadataOptions                        MetadataOptions, with HttpTokens set (default required) and the other
                                       sub-options KEPT unless the caller overrides them
ClassicLinkVPCId / ...SecurityGroups   dropped with a warning (EC2-Classic is retired)
=====================================  ==========================================================================
"""

from __future__ import annotations

import copy
import hashlib
import re

from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import resolve_instance_type
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import MigrationError, resolve_image

# Launch template names: 3-128 characters, letters, digits and ( ) . - / _
TEMPLATE_NAME = re.compile(r"^[a-zA-Z0-9().\-/_]{3,128}$")

EBS_FIELDS = ("SnapshotId", "VolumeSize", "VolumeType", "DeleteOnTermination", "Iops", "Throughput", "Encrypted", "KmsKeyId")

# Values AWS may echo back in DescribeLaunchTemplateVersions although nobody set them: the same as absent.
_METADATA_DEFAULT_ECHOES = {"HttpProtocolIpv6": "disabled", "InstanceMetadataTags": "disabled"}

MASK_PREFIX = "<masked user data"


class ConversionError(Exception):
    """The launch configuration cannot be converted faithfully; the message says why."""


def template_name_problem(name):
    """None when ``name`` is a valid launch template name, else a message naming the problem."""
    if not isinstance(name, str) or not TEMPLATE_NAME.fullmatch(name):
        return "%r is not a valid launch template name (3-128 characters: letters, digits and ( ) . - / _); set template_name" % (name,)
    return None


# The tag that marks a template hubfix made from a launch configuration (its value: the launch configuration's name).
TAG_SOURCE_LC = "hubfix:source-launch-configuration"
# The run working on the conversion now (module_utils/claims.py).
TAG_CLAIM = "hubfix:claim"
NAME_MAX = 128
_NAME_BAD = re.compile(r"[^a-zA-Z0-9().\-/_]")


def valid_template_name(lc_name):
    """A valid launch template name for a launch configuration name, the same every time: characters a template name cannot
    have become ``-``; a name that had to change, or is too long, keeps a short digest of the original so two names never
    map to one."""
    name = _NAME_BAD.sub("-", lc_name)
    if name == lc_name and 3 <= len(name) <= NAME_MAX:
        return name
    digest = hashlib.sha256(lc_name.encode("utf-8")).hexdigest()[:8]
    return "%s-%s" % (name[: NAME_MAX - 9].rstrip("-") or "lc", digest)


def candidate_names(lc_name, count=20):
    """Template names to try for a launch configuration, in order: its own (made valid), then ``-imdsv2``, ``-imdsv2-2``, ...
    (a template of that name that hubfix did not make from this launch configuration is never touched)."""
    base = valid_template_name(lc_name)
    names = [base]
    for n in range(1, count):
        suffix = "-imdsv2" if n == 1 else "-imdsv2-%d" % n
        names.append(base[: NAME_MAX - len(suffix)] + suffix)
    return names


def made_from(template, lc_name):
    """Whether ``template`` (DescribeLaunchTemplates item) is the one hubfix made from the launch configuration ``lc_name``."""
    return any(t.get("Key") == TAG_SOURCE_LC and t.get("Value") == lc_name for t in (template or {}).get("Tags") or [])


def is_security_group_id(value):
    return isinstance(value, str) and value.startswith("sg-")


def convert_block_device_mapping(mapping):
    """One launch configuration BlockDeviceMapping -> launch template LaunchTemplateBlockDeviceMappingRequest."""
    out = {"DeviceName": mapping["DeviceName"]}
    if mapping.get("NoDevice") is True:
        out["NoDevice"] = ""
        return out
    if mapping.get("VirtualName"):
        out["VirtualName"] = mapping["VirtualName"]
        return out
    ebs = {k: mapping["Ebs"][k] for k in EBS_FIELDS if (mapping.get("Ebs") or {}).get(k) is not None}
    if ebs:
        out["Ebs"] = ebs
    return out


def convert_metadata_options(lc_options, http_tokens="required", http_put_response_hop_limit=None, http_endpoint=None, instance_metadata_tags=None):
    """MetadataOptions for the template: tokens as asked, every other sub-option kept from the launch configuration.

    A launch configuration without MetadataOptions has AWS's defaults (endpoint enabled, hop limit 1); they are written out
    explicitly so that the template states what instances get.
    """
    lc_options = lc_options or {}
    out = {
        "HttpTokens": http_tokens or "required",
        "HttpPutResponseHopLimit": int(
            http_put_response_hop_limit if http_put_response_hop_limit is not None else lc_options.get("HttpPutResponseHopLimit") or 1
        ),
        "HttpEndpoint": http_endpoint or lc_options.get("HttpEndpoint") or "enabled",
    }
    if instance_metadata_tags is not None:
        out["InstanceMetadataTags"] = instance_metadata_tags
    return out


def _resolved(groups, resolve_group_names, problem):
    """``groups`` with the names turned into ids by ``resolve_group_names``; without a resolver, ``problem(names)`` says why not."""
    names = [g for g in groups if not is_security_group_id(g)]
    if not names:
        return groups
    if resolve_group_names is None:
        raise ConversionError(problem(names))
    resolved = dict(zip(names, resolve_group_names(names), strict=True))
    return [resolved.get(g, g) for g in groups]


def convert_security_groups(lc, resolve_group_names=None):
    """The launch template keys for the launch configuration's security groups and public-IP choice.

    A public-IP choice needs a network interface, whose groups must be ids; otherwise ids stay ids, names stay names
    (default VPC / EC2-Classic style), and a mix is resolved to one list of ids."""
    groups = list(lc.get("SecurityGroups") or [])
    if lc.get("AssociatePublicIpAddress") is not None:
        interface = {"DeviceIndex": 0, "AssociatePublicIpAddress": bool(lc["AssociatePublicIpAddress"]), "DeleteOnTermination": True}
        groups = _resolved(groups, resolve_group_names, lambda names: "security groups %s are names; a network interface needs group ids" % ", ".join(names))
        if groups:
            interface["Groups"] = groups
        return {"NetworkInterfaces": [interface]}
    if not groups:
        return {}
    if all(is_security_group_id(g) for g in groups):
        return {"SecurityGroupIds": groups}
    if not any(is_security_group_id(g) for g in groups):
        return {"SecurityGroups": groups}
    mixed = "security groups mix ids and names (%s); cannot resolve the names" % ", ".join(groups)
    return {"SecurityGroupIds": _resolved(groups, resolve_group_names, lambda _names: mixed)}


def convert(lc, http_tokens="required", http_put_response_hop_limit=None, http_endpoint=None, instance_metadata_tags=None, resolve_group_names=None):
    """Launch template data for the launch configuration ``lc`` (a DescribeLaunchConfigurations item).

    ``resolve_group_names(names) -> [ids]`` turns security group names into ids; it is only needed when the
    launch configuration names its groups and sets a public-IP choice (groups on a network interface must be ids).
    Returns ``(launch_template_data, warnings)``.
    """
    warnings = []
    data = {}
    for key in ("ImageId", "InstanceType", "KeyName", "KernelId", "UserData"):
        if lc.get(key):
            data[key] = lc[key]
    if lc.get("RamdiskId"):
        data["RamDiskId"] = lc["RamdiskId"]

    profile = lc.get("IamInstanceProfile")
    if profile:
        data["IamInstanceProfile"] = {"Arn": profile} if profile.startswith("arn:") else {"Name": profile}

    data.update(convert_security_groups(lc, resolve_group_names))

    mappings = [convert_block_device_mapping(m) for m in lc.get("BlockDeviceMappings") or []]
    if mappings:
        data["BlockDeviceMappings"] = mappings

    monitoring = lc.get("InstanceMonitoring")
    # Absent in a launch configuration means detailed monitoring (its default); a template's default is basic.
    data["Monitoring"] = {"Enabled": bool(monitoring.get("Enabled", True)) if monitoring else True}

    if lc.get("SpotPrice"):
        data["InstanceMarketOptions"] = {"MarketType": "spot", "SpotOptions": {"MaxPrice": str(lc["SpotPrice"])}}

    if lc.get("PlacementTenancy"):
        data["Placement"] = {"Tenancy": lc["PlacementTenancy"]}

    if lc.get("EbsOptimized") is not None:
        data["EbsOptimized"] = bool(lc["EbsOptimized"])

    if lc.get("ClassicLinkVPCId") or lc.get("ClassicLinkVPCSecurityGroups"):
        warnings.append(
            "launch configuration %s uses ClassicLink (%s); EC2-Classic is retired and launch templates have no such setting: dropped"
            % (lc.get("LaunchConfigurationName"), lc.get("ClassicLinkVPCId"))
        )

    data["MetadataOptions"] = convert_metadata_options(
        lc.get("MetadataOptions"),
        http_tokens=http_tokens,
        http_put_response_hop_limit=http_put_response_hop_limit,
        http_endpoint=http_endpoint,
        instance_metadata_tags=instance_metadata_tags,
    )
    return data, warnings


def paravirtual_plan(lc, image, region, image_map=None, instance_type_map=None):
    """What to do about a launch configuration whose image (DescribeImages shape) is paravirtual: every instance its groups
    launch fails EC2.24. ``{image_id, instance_type, target_image_id, target_instance_type, message}``; the targets are
    None when ``image_map`` (the ``pv_to_hvm_image_map`` shape: launch configuration name, source AMI or region -> HVM
    AMI) has no entry. None when the image is not paravirtual (or unknown)."""
    if not image or image.get("VirtualizationType") != "paravirtual":
        return None
    name, image_id, instance_type = lc.get("LaunchConfigurationName"), lc.get("ImageId"), lc.get("InstanceType")
    try:
        target = resolve_image(name, image_id, image_map=image_map, region=region)  # the EC2.24 map's precedence, the name for an id
    except MigrationError:
        target = None
    plan = {"image_id": image_id, "instance_type": instance_type, "target_image_id": target, "target_instance_type": None}
    if target is None:
        plan["message"] = (
            "launch configuration %s launches the paravirtual image %s (%s): its groups keep launching instances that fail EC2.24; "
            'give pv_to_hvm_image_map {"%s": "<HVM AMI>"} to convert it to an HVM image' % (name, image_id, instance_type, image_id)
        )
        return plan
    # the EC2.24 precedence (name, then type, then the built-in map); a type the map does not know is kept
    plan["target_instance_type"] = resolve_instance_type(name, instance_type, instance_type_map, suggested=instance_type)
    plan["message"] = "launch configuration %s launches the paravirtual image %s (%s): its template launches the HVM image %s as %s (EC2.24)" % (
        name,
        image_id,
        instance_type,
        target,
        plan["target_instance_type"],
    )
    return plan


def with_hvm_image(data, plan):
    """Template data launching ``plan``'s HVM image and type: a paravirtual image's kernel and RAM disk (pv-grub) go."""
    if not plan or not plan.get("target_image_id"):
        return data
    out = {k: v for k, v in data.items() if k not in ("KernelId", "RamDiskId")}
    out["ImageId"] = plan["target_image_id"]
    out["InstanceType"] = plan["target_instance_type"]
    return out


def normalize(data):
    """Canonical form of launch template data for comparing what we want with what AWS returns."""
    data = copy.deepcopy(data or {})
    if data.get("BlockDeviceMappings"):
        data["BlockDeviceMappings"] = sorted(data["BlockDeviceMappings"], key=lambda m: m.get("DeviceName", ""))
    for key in ("SecurityGroupIds", "SecurityGroups"):
        if data.get(key):
            data[key] = sorted(data[key])
        elif key in data:
            del data[key]
    for interface in data.get("NetworkInterfaces") or []:
        if interface.get("Groups"):
            interface["Groups"] = sorted(interface["Groups"])
    options = data.get("MetadataOptions")
    if options:
        for key, default in _METADATA_DEFAULT_ECHOES.items():
            if options.get(key) == default:
                del options[key]
        if "HttpPutResponseHopLimit" in options:
            options["HttpPutResponseHopLimit"] = int(options["HttpPutResponseHopLimit"])
    return data


def same_data(desired, current):
    """True when the template data ``current`` (from AWS) already holds exactly ``desired``."""
    return normalize(desired) == normalize(current)


def mask_user_data(data):
    """A copy with UserData replaced by a digest: shows whether it changed without printing it."""
    if not data or not data.get("UserData"):
        return data
    masked = copy.deepcopy(data)
    raw = masked["UserData"].encode("utf-8")
    masked["UserData"] = "%s: sha256 %s, %d base64 characters>" % (MASK_PREFIX, hashlib.sha256(raw).hexdigest()[:16], len(raw))
    return masked


def version_description(launch_configuration_name):
    return ("Converted from launch configuration %s by hubfix.aws" % launch_configuration_name)[:255]


# Actions on an existing template: nothing, make an existing version the default, or add a version and make it the default.
ACTION_CREATED = "created"
ACTION_NONE = "none"
ACTION_SET_DEFAULT = "set_default"
ACTION_NEW_VERSION = "new_version"


def plan_version(desired, default_number, default_data, latest_number, latest_data):
    """``(action, version number holding the data)`` for an existing template whose default / latest versions hold
    ``default_data`` / ``latest_data``: a template never gets a new version when one already holds the converted data."""
    if default_data is not None and same_data(desired, default_data):
        return ACTION_NONE, default_number
    if latest_number != default_number and latest_data is not None and same_data(desired, latest_data):
        # an interrupted run created the version but did not make it the default
        return ACTION_SET_DEFAULT, latest_number
    return ACTION_NEW_VERSION, latest_number + 1


def hop_limit_problem(hop_limit):
    if hop_limit is not None and not 1 <= hop_limit <= 64:
        return "http_put_response_hop_limit must be between 1 and 64, got %d" % hop_limit
    return None


def template_diff(name, region, lc_name, existed, action, version_number, before, after_masked):
    """The module's diff: the template's default version before, the converted data after (user data masked)."""
    return {
        "before_header": "launch template %s (%s)%s" % (name, region, " default version" if existed else ": absent"),
        "after_header": "launch template %s (%s) from launch configuration %s%s"
        % (name, region, lc_name, "" if action == ACTION_NONE else " version %s" % version_number),
        "before": mask_user_data(before) if existed else {},
        "after": after_masked,
    }


def source_of(template):
    """The launch configuration hubfix made a template from (its TAG_SOURCE_LC tag), or None."""
    return next((t["Value"] for t in template.get("Tags") or [] if t["Key"] == TAG_SOURCE_LC), None)


def retired_sources(region, templates, names):
    """``{region, name, launch_template_name, launch_template_id}`` of each template hubfix made from one of the named
    launch configurations (tag TAG_SOURCE_LC), i.e. the ones a rerun finds converted and retired."""
    out = []
    for template in templates:
        source = source_of(template)
        if source in names:
            out.append(
                {"region": region, "name": source, "launch_template_name": template["LaunchTemplateName"], "launch_template_id": template["LaunchTemplateId"]}
            )
    return sorted(out, key=lambda r: r["name"])
