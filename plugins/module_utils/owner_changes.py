# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The change an owner makes instead of hubfix (AutoScaling.3 on owned resources): which owners the plan names, and the
content of each file under ``<report dir>/owners/`` (CloudFormation templates are patched by ``cloudformation_patch``).

Plain functions, no AWS calls.
"""

from __future__ import annotations

import json
import shlex

from ansible_collections.hubfix.aws.plugins.module_utils.owners import describe, owner_file_name

EB_OPTION = {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "DisableIMDSv1", "Value": "true"}


def owner_key(region, owner):
    return (region, owner.get("type"), owner.get("name"))


def owners_of_plan(items):
    """``[{region, owner, launch_configurations: [{name, logical_id, groups}], groups: [{name, launch_configuration_name, logical_id}]}]``
    for the blocked_owned launch configurations and owned groups of the plan records ``items``, one entry per owner."""
    found = {}

    def entry(region, owner):
        key = owner_key(region, owner)
        if key not in found:
            found[key] = {"region": region, "owner": {k: v for k, v in owner.items() if k != "via_groups"}, "launch_configurations": [], "groups": []}
        return found[key]

    for item in items or []:
        region = item["region"]
        owned = item.get("owned_groups") or []
        if item.get("owner"):
            lc_entry = entry(region, item["owner"])
            lc_entry["launch_configurations"].append(
                {
                    "name": item["name"],
                    "logical_id": item["owner"].get("logical_id") if item["owner"].get("type") == "cloudformation" else None,
                    "groups": sorted(g["name"] for g in owned),
                    "image_id": item.get("image_id"),
                    "instance_type": item.get("instance_type"),
                    "metadata_options": item.get("metadata_options"),
                }
            )
        for group in owned:
            owner = group.get("owner") or item.get("owner")
            record = {"name": group["name"], "launch_configuration_name": item["name"], "logical_id": owner.get("logical_id")}
            target = entry(region, owner)
            if record not in target["groups"]:
                target["groups"].append(record)
    return [found[k] for k in sorted(found, key=lambda k: tuple(str(x) for x in k))]


def elastic_beanstalk_change(entry):
    """The JSON document (as a dict) of ``elastic-beanstalk-<environment>.json``."""
    owner, region = entry["owner"], entry["region"]
    setting = "Namespace=%s,OptionName=%s,Value=%s" % (EB_OPTION["Namespace"], EB_OPTION["OptionName"], EB_OPTION["Value"])
    command = "aws elasticbeanstalk update-environment --region %s --environment-name %s --option-settings %s" % (
        shlex.quote(region),
        shlex.quote(owner["name"]),
        setting,
    )
    return {
        "environment_name": owner["name"],
        "environment_id": owner.get("id"),
        "region": region,
        "why": "AutoScaling.3: the environment's Auto Scaling group launches from a launch configuration that does not require IMDSv2. "
        "Elastic Beanstalk moves the environment to a launch template requiring IMDSv2 when DisableIMDSv1 is true "
        "(changing the group directly would be undone by the environment's next update).",
        "option_settings": [dict(EB_OPTION)],
        "command": command,
        "launch_configurations": [lc["name"] for lc in entry["launch_configurations"]],
        "groups": sorted(g["name"] for g in entry["groups"]),
    }


def _hcl_block(lc):
    tokens = "required"
    hop = ((lc.get("metadata_options") or {}).get("http_put_response_hop_limit")) or 1
    endpoint = ((lc.get("metadata_options") or {}).get("http_endpoint")) or "enabled"
    return "\n".join(
        [
            'resource "aws_launch_template" "%s" {' % _hcl_name(lc["name"]),
            '  name_prefix   = "%s-"' % lc["name"],
            '  image_id      = "%s"  # as in the launch configuration' % (lc.get("image_id") or "..."),
            '  instance_type = "%s"' % (lc.get("instance_type") or "..."),
            "  # ... every other argument of the aws_launch_configuration (user_data must be base64encode()d here)",
            "  metadata_options {",
            '    http_tokens                 = "%s"' % tokens,
            '    http_endpoint               = "%s"' % endpoint,
            "    http_put_response_hop_limit = %s" % hop,
            "  }",
            "}",
        ]
    )


def _hcl_name(name):
    out = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    return out if out[:1].isalpha() or out[:1] == "_" else "lt_" + out


def markdown_change(entry):
    """The Markdown of ``terraform-<address>.md`` / ``tag-<label>.md``: what the owner changes and how."""
    owner = entry["owner"]
    lines = ["# AutoScaling.3: change for %s" % describe(owner), "", "Region: %s" % entry["region"], ""]
    lines.append(
        "hubfix.aws did not change these resources: %s manages them, and a change made outside it would be reverted or break its next run." % describe(owner)
    )
    lines += ["", "## Resources", ""]
    for lc in entry["launch_configurations"]:
        lines.append("- launch configuration `%s` (fails AutoScaling.3)%s" % (lc["name"], ", used by " + ", ".join(lc["groups"]) if lc["groups"] else ""))
    for group in entry["groups"]:
        lines.append("- Auto Scaling group `%s` on launch configuration `%s`" % (group["name"], group["launch_configuration_name"]))
    lines += ["", "## The change", ""]
    if owner.get("type") == "terraform":
        lines.append("Replace the `aws_launch_configuration` with an `aws_launch_template` requiring IMDSv2, point the group at it, then `terraform apply`:")
    else:
        lines.append(
            "Through the tool that owns them: a launch template requiring IMDSv2 (`HttpTokens: required`) with the launch configuration's settings, "
            "and the group on it."
        )
    lines += ["", "```hcl" if owner.get("type") == "terraform" else "```"]
    for lc in entry["launch_configurations"] or [{"name": g["launch_configuration_name"]} for g in entry["groups"]]:
        lines += [_hcl_block(lc), ""]
    lines += [
        'resource "aws_autoscaling_group" "..." {',
        "  # remove launch_configuration = ...",
        "  launch_template {",
        "    id      = aws_launch_template.<name>.id",
        "    version = aws_launch_template.<name>.latest_version",
        "  }",
        "}",
        "```",
        "",
        "Then the launch configuration can be deleted and the AutoScaling.3 finding closes.",
        "",
    ]
    return "\n".join(lines)


def file_name(entry, yaml_template=False):
    return owner_file_name(entry["owner"], yaml_template)


def json_text(data):
    return json.dumps(data, indent=2, sort_keys=False) + "\n"
