# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Launch configuration -> launch template conversion of a CloudFormation template (pure functions, no AWS calls).

A launch configuration that a CloudFormation stack owns is not changed by hubfix: changing it behind the stack's back would
be undone (or break) on the stack's next update. Instead hubfix writes a patched copy of the stack's template for the
owner, which they review, fold into their own source and deploy (or hubfix offers it as a change set, named by
``change_set_name``).

The patch converts the same fields as ``launch_template.convert`` (see the table there), at the template level:

* each ``AWS::AutoScaling::LaunchConfiguration`` asked for becomes an ``AWS::EC2::LaunchTemplate`` named
  ``<LogicalId>Template`` (``<LogicalId>Template2``, ... when taken) whose ``LaunchTemplateData`` is built from the launch
  configuration's properties. Property values stay template expressions (``Ref``, ``Fn::*``): nothing is resolved;
  ``Fn::If`` branches are converted one by one (``AWS::NoValue`` stays absent, or becomes the launch configuration's
  default where a launch template's default differs);
* ``MetadataOptions.HttpTokens`` is set (default ``required``): the point of the patch (Security Hub AutoScaling.3);
* every ``AWS::AutoScaling::AutoScalingGroup`` on the launch configuration (``Ref``, or its literal physical name) moves
  to ``LaunchTemplate {LaunchTemplateId: Ref, Version: GetAtt LatestVersionNumber}``, so each later change of the template
  rolls out to the group;
* ``DependsOn`` entries follow the rename; a ``Ref`` in ``Outputs`` is retargeted (with a warning: the output then holds
  the launch template id); any other reference to the removed resource is reported, not guessed at.

Templates are read as JSON or YAML (CloudFormation short-form tags such as ``!Ref`` / ``!GetAtt`` / ``!Sub`` become the
long form, dates stay strings) and written back in the same format, YAML in the long form. Comments and short-form tags of
a YAML template are not kept: the patched copy is for reading and deploying, the owner's source stays theirs.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import OrderedDict

try:
    import yaml
except ImportError:  # PyYAML comes with ansible-core; a module run by another interpreter says so (missing_required_lib)
    yaml = None
HAS_YAML = yaml is not None

LAUNCH_CONFIGURATION = "AWS::AutoScaling::LaunchConfiguration"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
AUTO_SCALING_GROUP = "AWS::AutoScaling::AutoScalingGroup"
CHANGE_SET_PREFIX = "hubfix-autoscaling-3-"

# Resource attributes the launch template keeps; CreationPolicy / UpdatePolicy mean nothing on a launch template.
KEPT_ATTRIBUTES = ("Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy")

# The launch configuration's block device Ebs keys; the launch template's Ebs has the same ones.
EBS_KEYS = ("DeleteOnTermination", "Encrypted", "Iops", "SnapshotId", "Throughput", "VolumeSize", "VolumeType")

# Launch configuration properties the patch converts (anything else is reported, not carried).
CONVERTED_PROPERTIES = frozenset(
    (
        "AssociatePublicIpAddress",
        "BlockDeviceMappings",
        "ClassicLinkVPCId",
        "ClassicLinkVPCSecurityGroups",
        "EbsOptimized",
        "IamInstanceProfile",
        "ImageId",
        "InstanceMonitoring",
        "InstanceType",
        "KernelId",
        "KeyName",
        "LaunchConfigurationName",
        "MetadataOptions",
        "PlacementTenancy",
        "RamDiskId",
        "SecurityGroups",
        "SpotPrice",
        "UserData",
    )
)

HTTP_TOKENS = ("required", "optional")

NO_VALUE = {"Ref": "AWS::NoValue"}
_KEEP = object()


# --------------------------------------------------------------------------------------------------------------------
# Reading and writing templates


def _construct_tagged(loader, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _construct_short_form(loader, tag_suffix, node):
    """``!Name value`` -> the long form: ``Ref`` and ``Condition`` keep their names, everything else is ``Fn::Name``."""
    value = _construct_tagged(loader, node)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str) and "." in value:
        # !GetAtt Resource.Attribute (the attribute itself may contain dots: Endpoint.Address)
        return {"Fn::GetAtt": value.split(".", 1)}
    return {"Fn::%s" % tag_suffix: value}


def _construct_timestamp_as_str(loader, node):
    # CloudFormation has no timestamp type: AWSTemplateFormatVersion: 2010-09-09 is the string "2010-09-09".
    return loader.construct_scalar(node)


if HAS_YAML:

    class CloudFormationLoader(yaml.SafeLoader):
        """SafeLoader that reads CloudFormation's short-form tags (``!Ref``, ``!GetAtt``, ``!Sub``, ...) and keeps dates as strings."""

    CloudFormationLoader.add_multi_constructor("!", _construct_short_form)
    CloudFormationLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_str)

    # Plain scalars a YAML 1.2 reader takes for numbers although PyYAML (YAML 1.1) reads them as strings: quoted when written.
    _YAML12_NUMBER = re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    )

    class CloudFormationDumper(yaml.SafeDumper):
        """SafeDumper for templates: long form, block style, sequences indented, no anchors (CloudFormation has no aliases)."""

        def ignore_aliases(self, data):
            return True

        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    def _represent_str(dumper, data):
        if "\n" in data:
            return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
        if _YAML12_NUMBER.match(data):
            return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="'")
        return dumper.represent_str(data)

    CloudFormationDumper.add_representer(str, _represent_str)
    CloudFormationDumper.add_representer(OrderedDict, yaml.SafeDumper.represent_dict)


def load_template(body):
    """``(template, fmt)`` from a template body: a dict (boto3's GetTemplate for a JSON template) or a JSON / YAML string.

    ``fmt`` is ``"json"`` or ``"yaml"``. Raises ValueError when the body is no template."""
    if isinstance(body, dict):
        return body, "json"
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if not isinstance(body, str):
        raise ValueError("a template body is a dict or a string, not %s" % type(body).__name__)
    body = body.lstrip("\ufeff")
    try:
        template, fmt = json.loads(body), "json"
    except ValueError:
        if not HAS_YAML:
            raise ValueError("the template is not JSON, and reading YAML needs PyYAML") from None
        try:
            template, fmt = yaml.load(body, Loader=CloudFormationLoader), "yaml"
        except yaml.YAMLError as e:
            raise ValueError("the template is neither JSON nor YAML: %s" % e) from e
    if not isinstance(template, dict):
        raise ValueError("the template is not a JSON object / YAML mapping")
    return template, fmt


def dump_template(template, fmt):
    """The template as text: ``json`` (indent 2, keys in their order) or ``yaml`` (block style, long form)."""
    if fmt == "json":
        return json.dumps(template, indent=2, sort_keys=False) + "\n"
    if fmt == "yaml" and not HAS_YAML:
        raise ValueError("writing a YAML template needs PyYAML")
    if fmt == "yaml":
        return yaml.dump(template, Dumper=CloudFormationDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=float("inf"))
    raise ValueError("fmt must be 'json' or 'yaml', not %r" % (fmt,))


def change_set_name(patched_body):
    """The change set name for a patched template: the same body always gets the same name."""
    return CHANGE_SET_PREFIX + hashlib.sha256(patched_body.encode("utf-8")).hexdigest()[:12]


def launch_configuration_logical_ids(template):
    """The logical ids of the template's launch configurations, in template order."""
    resources = (template or {}).get("Resources") or {}
    return [logical_id for logical_id, resource in resources.items() if isinstance(resource, dict) and resource.get("Type") == LAUNCH_CONFIGURATION]


# --------------------------------------------------------------------------------------------------------------------
# Template expressions


def _show(value):
    return json.dumps(value, sort_keys=False, default=str)


def _ref(value):
    """The name a ``{"Ref": name}`` names, else None."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return None


def _get_att(value):
    """``(logical id, attribute)`` of a ``Fn::GetAtt`` (list or ``"Id.Attr"`` form), else None."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::GetAtt" not in value:
        return None
    target = value["Fn::GetAtt"]
    if isinstance(target, list) and len(target) == 2 and isinstance(target[0], str):
        return target[0], target[1]
    if isinstance(target, str) and "." in target:
        logical_id, attribute = target.split(".", 1)
        return logical_id, attribute
    return None


def _is_if(value):
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::If"), list) and len(value["Fn::If"]) == 3


def _is_no_value(value):
    return _ref(value) == "AWS::NoValue"


def _map_if(value, convert, no_value=_KEEP):
    """``convert(value)``, applied to each branch of an ``Fn::If`` (nested ones too). An ``AWS::NoValue`` branch stays
    as it is, or becomes ``no_value`` where the launch template's default differs from the launch configuration's."""
    if _is_if(value):
        condition, then, otherwise = value["Fn::If"]
        return {"Fn::If": [condition, _map_if(then, convert, no_value), _map_if(otherwise, convert, no_value)]}
    if _is_no_value(value):
        return value if no_value is _KEEP else copy.deepcopy(no_value)
    return convert(value)


def _leaves(value):
    """The values an expression may take through its ``Fn::If`` branches (``AWS::NoValue`` left out)."""
    if _is_if(value):
        return _leaves(value["Fn::If"][1]) + _leaves(value["Fn::If"][2])
    if _is_no_value(value):
        return []
    return [value]


def _literal_bool(value):
    """True / False for a literal boolean (CloudFormation also takes the strings "true" / "false"), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


# --------------------------------------------------------------------------------------------------------------------
# Launch configuration properties -> launch template data


class _Context:
    """What the conversion of one launch configuration needs to know about the template, and the warnings it collects."""

    def __init__(self, template, logical_id):
        self.parameters = template.get("Parameters") or {}
        self.resources = template.get("Resources") or {}
        self.logical_id = logical_id
        self.warnings = []

    def warn(self, message, *args):
        self.warnings.append("%s: %s" % (self.logical_id, message % args))

    def resource_type(self, logical_id):
        resource = self.resources.get(logical_id)
        return resource.get("Type") if isinstance(resource, dict) else None

    def parameter_type(self, name):
        parameter = self.parameters.get(name)
        return str(parameter.get("Type", "")) if isinstance(parameter, dict) else None


def _is_arn_expression(value):
    """Whether an IamInstanceProfile value surely yields an ARN."""
    if isinstance(value, str):
        return value.startswith("arn:")
    get_att = _get_att(value)
    if get_att:
        return get_att[1] == "Arn"
    if isinstance(value, dict) and len(value) == 1:
        if "Fn::Sub" in value:
            text = value["Fn::Sub"][0] if isinstance(value["Fn::Sub"], list) and value["Fn::Sub"] else value["Fn::Sub"]
            return isinstance(text, str) and text.startswith("arn:")
        if "Fn::Join" in value:
            args = value["Fn::Join"]
            if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list) and args[1]:
                first = args[1][0]
                return isinstance(first, str) and (first if len(args[1]) == 1 else first + args[0]).startswith("arn:")
    return False


def _instance_profile(value, ctx):
    """IamInstanceProfile (a name or an ARN in a launch configuration) -> ``{Arn}`` or ``{Name}``."""
    if _is_arn_expression(value):
        return {"Arn": value}
    if not isinstance(value, str) and ctx.resource_type(_ref(value)) != "AWS::IAM::InstanceProfile":
        # a parameter, an import, ...: a launch configuration takes a name or an ARN, a launch template must be told which
        ctx.warn("IamInstanceProfile %s may be a name or an ARN; written as IamInstanceProfile.Name: use Arn if it is an ARN", _show(value))
    return {"Name": value}


def _group_kind(item, ctx):
    """``"id"``, ``"name"`` or ``"unknown"``: what a SecurityGroups entry (or a whole list expression) holds."""
    if isinstance(item, str):
        return "id" if item.startswith("sg-") else "name"
    ref = _ref(item)
    if ref is not None:
        parameter_type = ctx.parameter_type(ref)
        if parameter_type is not None:
            if "SecurityGroup::GroupName" in parameter_type:
                return "name"
            return "id" if "SecurityGroup::Id" in parameter_type else "unknown"
        if ctx.resource_type(ref) == "AWS::EC2::SecurityGroup":
            # Ref of a security group is its id for a VPC group (VpcId set), its name otherwise (default VPC / EC2-Classic)
            return "id" if "VpcId" in (ctx.resources[ref].get("Properties") or {}) else "name"
        return "unknown"
    get_att = _get_att(item)
    if get_att and get_att[1] == "GroupId":
        return "id"
    return "unknown"


def _group_entries(groups):
    """The entries of a SecurityGroups value through its Fn::If branches; a list expression (a Ref to a list parameter,
    ...) counts as one entry."""
    entries = []
    for leaf in _leaves(groups):
        if isinstance(leaf, list):
            for item in leaf:
                entries.extend(_leaves(item))
        else:
            entries.append(leaf)
    return entries


def _security_groups(props, ctx):
    """The launch template keys for the security groups and the public-IP choice (launch_template.convert_security_groups)."""
    groups = props.get("SecurityGroups")
    entries = _group_entries(groups) if groups is not None else []
    kinds = [_group_kind(entry, ctx) for entry in entries]
    names = [_show(entry) for entry, kind in zip(entries, kinds, strict=True) if kind == "name"]

    if "AssociatePublicIpAddress" in props:
        if names:
            ctx.warn("security groups %s look like names; a network interface needs group ids: replace them", ", ".join(names))

        def interface(choice=_KEEP):
            out = {"DeviceIndex": 0}
            if choice is not _KEEP:
                out["AssociatePublicIpAddress"] = choice
            out["DeleteOnTermination"] = True
            if groups is not None:
                out["Groups"] = copy.deepcopy(groups)
            return [out]

        # no public-IP choice in one branch: an interface without one (the subnet's setting), as the launch configuration had
        return {"NetworkInterfaces": _map_if(props["AssociatePublicIpAddress"], interface, no_value=interface())}

    if groups is None:
        return {}
    if kinds and all(kind == "name" for kind in kinds):
        return {"SecurityGroups": groups}
    if names:
        ctx.warn(
            "security groups mix names (%s) with other entries; written as SecurityGroupIds, which takes ids only: replace the names with ids",
            ", ".join(names),
        )
    return {"SecurityGroupIds": groups}


def _no_device(value, ctx):
    """NoDevice in one Fn::If branch: true -> "" (a launch template's way), false -> absent."""
    flag = _literal_bool(value)
    if flag is not None:
        return "" if flag else copy.deepcopy(NO_VALUE)
    ctx.warn('BlockDeviceMappings NoDevice %s is not a literal boolean; a launch template wants NoDevice: "" to suppress a device: check it', _show(value))
    return value


def _block_device_mapping(mapping, ctx):
    """One BlockDeviceMapping (launch_template.convert_block_device_mapping): Ebs keys kept, NoDevice true -> ""."""
    if not isinstance(mapping, dict):
        ctx.warn("BlockDeviceMappings entry %s is kept as it is: check it", _show(mapping))
        return mapping
    out = {}
    if "DeviceName" in mapping:
        out["DeviceName"] = mapping["DeviceName"]
    if "NoDevice" in mapping:
        flag = _literal_bool(mapping["NoDevice"])
        if flag is True:
            out["NoDevice"] = ""
            return out
        if flag is None:
            out["NoDevice"] = _map_if(mapping["NoDevice"], lambda value: _no_device(value, ctx))
    if "VirtualName" in mapping:
        out["VirtualName"] = mapping["VirtualName"]
    if "Ebs" in mapping:
        out["Ebs"] = _map_if(mapping["Ebs"], lambda ebs: _ebs(ebs, ctx))
    unknown = sorted(set(mapping) - {"DeviceName", "NoDevice", "VirtualName", "Ebs"})
    if unknown:
        ctx.warn("BlockDeviceMappings keys %s are not converted", ", ".join(unknown))
    return out


def _ebs(ebs, ctx):
    if not isinstance(ebs, dict):
        return ebs
    unknown = sorted(set(ebs) - set(EBS_KEYS))
    if unknown:
        ctx.warn("BlockDeviceMappings Ebs keys %s are not converted", ", ".join(unknown))
    return {key: ebs[key] for key in EBS_KEYS if key in ebs}


def _block_device_mappings(mappings, ctx):
    def convert_list(items):
        if not isinstance(items, list):
            ctx.warn("BlockDeviceMappings %s is kept as it is: check that it suits a launch template", _show(items))
            return items
        return [_map_if(item, lambda mapping: _block_device_mapping(mapping, ctx)) for item in items]

    return _map_if(mappings, convert_list)


def _metadata_options(options, http_tokens, ctx):
    """MetadataOptions (launch_template.convert_metadata_options): tokens as asked, hop limit and endpoint kept, AWS's
    defaults (1, enabled) written out when the launch configuration has none."""

    def convert(lc_options):
        if not isinstance(lc_options, dict):
            ctx.warn("MetadataOptions %s is not a mapping; replaced by the defaults", _show(lc_options))
            lc_options = {}
        hop_limit = lc_options.get("HttpPutResponseHopLimit")
        endpoint = lc_options.get("HttpEndpoint")
        return {
            "HttpTokens": http_tokens,
            "HttpPutResponseHopLimit": hop_limit if hop_limit not in (None, "") else 1,
            "HttpEndpoint": endpoint if endpoint not in (None, "") else "enabled",
        }

    if options is None:
        return convert({})
    return _map_if(options, convert, no_value=convert({}))


def _spot_options(price):
    if isinstance(price, int | float) and not isinstance(price, bool):
        price = str(price)  # MaxPrice is a string
    return {"MarketType": "spot", "SpotOptions": {"MaxPrice": price}}


def launch_template_data(props, ctx, http_tokens="required"):
    """LaunchTemplateData for the launch configuration properties ``props``; warnings go to ``ctx``."""
    data = {}
    for key in ("ImageId", "InstanceType", "KeyName", "KernelId", "UserData", "RamDiskId"):
        if key in props:
            data[key] = props[key]

    if "IamInstanceProfile" in props:
        data["IamInstanceProfile"] = _map_if(props["IamInstanceProfile"], lambda value: _instance_profile(value, ctx))

    data.update(_security_groups(props, ctx))

    if "BlockDeviceMappings" in props:
        data["BlockDeviceMappings"] = _block_device_mappings(props["BlockDeviceMappings"], ctx)

    # Absent in a launch configuration means detailed monitoring (its default); a launch template's default is basic.
    if "InstanceMonitoring" in props:
        data["Monitoring"] = _map_if(props["InstanceMonitoring"], lambda enabled: {"Enabled": enabled}, no_value={"Enabled": True})
    else:
        data["Monitoring"] = {"Enabled": True}

    if "SpotPrice" in props:
        data["InstanceMarketOptions"] = _map_if(props["SpotPrice"], _spot_options)

    if "PlacementTenancy" in props:
        data["Placement"] = _map_if(props["PlacementTenancy"], lambda tenancy: {"Tenancy": tenancy})

    if "EbsOptimized" in props:
        data["EbsOptimized"] = props["EbsOptimized"]

    data["MetadataOptions"] = _metadata_options(props.get("MetadataOptions"), http_tokens, ctx)

    classic = [key for key in ("ClassicLinkVPCId", "ClassicLinkVPCSecurityGroups") if key in props]
    if classic:
        ctx.warn("%s dropped: EC2-Classic is retired and launch templates have no ClassicLink setting", " and ".join(classic))
    if "LaunchConfigurationName" in props:
        ctx.warn(
            "the fixed name LaunchConfigurationName %s is not carried: CloudFormation names the launch template "
            "(set LaunchTemplateName by hand if the name matters)",
            _show(props["LaunchConfigurationName"]),
        )
    unknown = sorted(set(props) - CONVERTED_PROPERTIES)
    if unknown:
        hint = " (InstanceId: the launch configuration took its settings from that instance; state them explicitly)" if "InstanceId" in unknown else ""
        ctx.warn("properties %s are not converted%s", ", ".join(unknown), hint)
    return data


# --------------------------------------------------------------------------------------------------------------------
# The patch


def _new_logical_id(logical_id, taken):
    candidate = logical_id + "Template"
    n = 2
    while candidate in taken:
        candidate = "%sTemplate%d" % (logical_id, n)
        n += 1
    return candidate


def _launch_template_resource(resource, data, ctx):
    """The launch template resource in place of the launch configuration ``resource``: its key order, its kept attributes."""
    out = {}
    for key, value in resource.items():
        if key == "Type":
            out["Type"] = LAUNCH_TEMPLATE
        elif key == "Properties":
            out["Properties"] = {"LaunchTemplateData": data}
        elif key in KEPT_ATTRIBUTES:
            out[key] = value
        else:
            ctx.warn("resource attribute %s dropped (it does not apply to a launch template)", key)
    out.setdefault("Properties", {"LaunchTemplateData": data})
    if resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
        ctx.warn(
            "DeletionPolicy %s: CloudFormation leaves the launch configuration in place when the patch removes it; "
            "delete it once no group uses it (Security Hub AutoScaling.3 still counts it)",
            resource["DeletionPolicy"],
        )
    return out


def _word(logical_id):
    return re.compile(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(logical_id))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _path(parent, key):
    if isinstance(key, int):
        return "%s[%d]" % (parent, key)
    return "%s.%s" % (parent, key) if parent else str(key)


def _sub_references(value, old_ids):
    """The old logical ids a ``Fn::Sub`` names as ``${Id}`` / ``${Id.Attr}`` (not ``${!Id}``, not a variable of its own)."""
    if isinstance(value, list) and value:
        text, variables = value[0], value[1] if len(value) > 1 and isinstance(value[1], dict) else {}
    else:
        text, variables = value, {}
    if not isinstance(text, str):
        return []
    found = []
    for match in re.finditer(r"\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}", text):
        name = match.group(1)
        if name in old_ids and name not in variables and name not in found:
            found.append(name)
    return found


def _references(node, old_ids, path=""):
    """``(path, kind, old id, holder)`` for each Ref / Fn::GetAtt / Fn::Sub under ``node`` naming one of ``old_ids``;
    ``holder`` is the ``{"Ref": id}`` mapping itself (to retarget it)."""
    found = []
    if isinstance(node, dict):
        ref = _ref(node)
        if ref in old_ids:
            return [(path, "Ref", ref, node)]
        get_att = _get_att(node)
        if get_att and get_att[0] in old_ids:
            found.append((path, "Fn::GetAtt", get_att[0], node))
        if len(node) == 1 and "Fn::Sub" in node:
            found.extend((path, "Fn::Sub", name, node) for name in _sub_references(node["Fn::Sub"], old_ids))
        for key, value in node.items():
            found.extend(_references(value, old_ids, _path(path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_references(value, old_ids, _path(path, index)))
    return found


def _rename_depends_on(resources, renamed):
    for resource in resources.values():
        if not isinstance(resource, dict) or "DependsOn" not in resource:
            continue
        depends_on = resource["DependsOn"]
        if isinstance(depends_on, str):
            resource["DependsOn"] = renamed.get(depends_on, depends_on)
        elif isinstance(depends_on, list):
            out = []
            for name in depends_on:
                name = renamed.get(name, name) if isinstance(name, str) else name
                if name not in out:
                    out.append(name)
            resource["DependsOn"] = out


def _repoint_groups(resources, old_id, new_id, physical_names):
    """Move the groups on launch configuration ``old_id`` (Ref, or one of its literal ``physical_names``) to ``new_id``."""
    moved = []
    for group_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != AUTO_SCALING_GROUP:
            continue
        props = resource.get("Properties")
        if not isinstance(props, dict) or "LaunchConfigurationName" not in props:
            continue
        value = props["LaunchConfigurationName"]
        if _ref(value) == old_id or (isinstance(value, str) and value in physical_names):
            rebuilt = {}
            for key, prop in props.items():
                if key == "LaunchConfigurationName":
                    rebuilt["LaunchTemplate"] = {"LaunchTemplateId": {"Ref": new_id}, "Version": {"Fn::GetAtt": [new_id, "LatestVersionNumber"]}}
                else:
                    rebuilt[key] = prop
            resource["Properties"] = rebuilt
            moved.append(group_id)
    return moved


def _check_ids(resources, logical_ids):
    problems = []
    for logical_id in logical_ids:
        resource = resources.get(logical_id)
        if not isinstance(resource, dict):
            problems.append("%s (no such resource)" % logical_id)
        elif resource.get("Type") != LAUNCH_CONFIGURATION:
            problems.append("%s (%s)" % (logical_id, resource.get("Type")))
    if problems:
        raise ValueError("not %s resources of the template: %s" % (LAUNCH_CONFIGURATION, ", ".join(problems)))


def patch_template(template, logical_ids, http_tokens="required", physical_names=None):
    """``(patched template, changes)``: a copy of ``template`` with the launch configurations ``logical_ids`` converted
    into launch templates requiring IMDSv2 (``http_tokens``) and their groups moved onto them; ``template`` is untouched.

    ``physical_names``: ``{logical id: launch configuration name}``, for groups that name a launch configuration of the
    template literally instead of through ``Ref`` (a literal ``LaunchConfigurationName`` property counts as well).
    ``changes``: ``{"launch_templates": [{"from", "to"}], "groups": [group logical ids moved], "warnings": [...]}``.
    Raises ValueError for logical ids that are no launch configurations of the template."""
    if http_tokens not in HTTP_TOKENS:
        raise ValueError("http_tokens must be one of %s, not %r" % (", ".join(HTTP_TOKENS), http_tokens))
    if isinstance(logical_ids, str):
        logical_ids = [logical_ids]
    logical_ids = list(dict.fromkeys(logical_ids))
    if not isinstance(template, dict):
        raise ValueError("a template is a dict, not %s" % type(template).__name__)
    patched = copy.deepcopy(template)
    resources = patched["Resources"] if isinstance(patched.get("Resources"), dict) else {}
    _check_ids(resources, logical_ids)

    changes = {"launch_templates": [], "groups": [], "warnings": []}
    taken = set(resources) | set(patched.get("Parameters") or {})
    renamed = {}
    for logical_id in logical_ids:
        resource = resources[logical_id]
        ctx = _Context(patched, logical_id)
        props = resource.get("Properties") or {}
        data = launch_template_data(props, ctx, http_tokens=http_tokens)
        new_id = _new_logical_id(logical_id, taken)
        taken.add(new_id)
        renamed[logical_id] = new_id
        lt_resource = _launch_template_resource(resource, data, ctx)
        # the new resource takes the old one's place in Resources
        rebuilt = {(new_id if key == logical_id else key): (lt_resource if key == logical_id else value) for key, value in resources.items()}
        resources.clear()
        resources.update(rebuilt)

        names = set()
        if isinstance(props.get("LaunchConfigurationName"), str):
            names.add(props["LaunchConfigurationName"])
        if (physical_names or {}).get(logical_id):
            names.add(physical_names[logical_id])
        moved = _repoint_groups(resources, logical_id, new_id, names)
        changes["groups"].extend(group for group in moved if group not in changes["groups"])
        if not moved:
            ctx.warn("no AutoScalingGroup of the template uses it; a group elsewhere that does keeps the launch configuration in use")

        mentions = _word(logical_id)
        if any(mentions.search(text) for text in _strings(lt_resource)):
            ctx.warn(
                "its UserData or Metadata mention %s as text (e.g. cfn-init --resource %s, cfn-hup path=Resources.%s.Metadata): "
                "the resource is %s now, update them",
                logical_id,
                logical_id,
                logical_id,
                new_id,
            )
        changes["launch_templates"].append({"from": logical_id, "to": new_id})
        changes["warnings"].extend(ctx.warnings)

    _rename_depends_on(resources, renamed)
    outputs = patched.get("Outputs") if isinstance(patched.get("Outputs"), dict) else {}
    for path, kind, old_id, holder in _references(patched, set(renamed)):
        new_id = renamed[old_id]
        if kind == "Ref" and path.startswith("Outputs."):
            holder["Ref"] = new_id
            output = outputs.get(path.split(".")[1]) or {}
            export = output.get("Export") if isinstance(output, dict) else None
            changes["warnings"].append(
                "%s: %s now refers to %s: the output holds the launch template id, not the launch configuration name%s"
                % (old_id, path, new_id, "; stacks importing %s get the id" % _show(export.get("Name")) if isinstance(export, dict) else "")
            )
        else:
            changes["warnings"].append(
                "%s: %s refers to it (%s), but the patch removes it in favour of the launch template %s: fix this by hand" % (old_id, path, kind, new_id)
            )
    return patched, changes
