# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who owns a resource besides the account: the service or tool that manages it (one rule for both controls).

A resource someone else manages is never changed out of band: the owner would drift, fail its next update or put the
resource back. Precedence: Elastic Beanstalk (its environments run on CloudFormation stacks of their own, whose tags its
groups carry too), then CloudFormation, Terraform (state files), then ``owner_tags`` (tag key -> owner label, matched when
the key is present whatever its value). A launch configuration used only by owned groups is owned by their owner.
"""

from __future__ import annotations

import re

TAG_CFN_STACK = "aws:cloudformation:stack-name"
TAG_CFN_STACK_ID = "aws:cloudformation:stack-id"
TAG_CFN_LOGICAL_ID = "aws:cloudformation:logical-id"
TAG_EB_ENV = "elasticbeanstalk:environment-name"
TAG_EB_ENV_ID = "elasticbeanstalk:environment-id"
TAG_ASG = "aws:autoscaling:groupName"

OWNER_TYPES = ("elastic_beanstalk", "cloudformation", "terraform", "tag")


def tags_dict(tags):
    """``{key: value}`` from a dict or a boto3 ``[{Key, Value}]`` list."""
    if isinstance(tags, dict):
        return tags
    return {t["Key"]: t.get("Value") for t in tags or []}


def tag_owner(tags, owner_tags):
    """The ``owner_tags`` entry (tag key -> label) whose key is on the resource, first in the order given, or None."""
    tags = tags_dict(tags)
    for key, label in (owner_tags or {}).items():
        if key in tags:
            return {"type": "tag", "name": str(label), "tag_key": key, "tag_value": tags[key]}
    return None


def owner_from_tags(tags, owner_tags=None, terraform=None, cloudformation=None):
    """``{type, name, ...}`` of whoever manages a resource, or None.

    ``tags``: the resource's tags; ``terraform``: its owner record from the state files (terraform_state.OwnerIndex);
    ``cloudformation``: its owner found through the stacks' resources (launch configurations carry no tags).
    """
    tags = tags_dict(tags or {})
    if tags.get(TAG_EB_ENV):
        return {"type": "elastic_beanstalk", "name": tags[TAG_EB_ENV], "id": tags.get(TAG_EB_ENV_ID)}
    if tags.get(TAG_CFN_STACK):
        return {"type": "cloudformation", "name": tags[TAG_CFN_STACK], "id": tags.get(TAG_CFN_STACK_ID), "logical_id": tags.get(TAG_CFN_LOGICAL_ID)}
    if cloudformation:
        return dict(cloudformation)
    if terraform:
        return dict(terraform)
    return tag_owner(tags, owner_tags)


def launch_configuration_owner(direct, group_owners):
    """The owner of a launch configuration: its own (stack resource, Terraform state), else the owner of its groups when
    every group using it is owned (the first group's, by name, with ``via_groups``); None when a plain group uses it."""
    owners = [owner for _name, owner in sorted(group_owners or [], key=lambda pair: pair[0])]
    beanstalk = [o for o in owners if o and o.get("type") == "elastic_beanstalk"]
    if beanstalk and (not direct or direct.get("type") == "cloudformation"):
        # Beanstalk's launch configuration sits in its awseb-... stack: the environment is the owner to talk to
        return dict(beanstalk[0], via_groups=sorted(name for name, o in group_owners if o and o.get("type") == "elastic_beanstalk"))
    if direct:
        return direct
    if not owners or any(o is None for o in owners):
        return None
    return dict(owners[0], via_groups=sorted(name for name, _owner in group_owners))


def describe(owner):
    """The owner in words: ``CloudFormation stack web (logical id WebLC)``."""
    if not owner:
        return "nobody"
    kind = owner.get("type")
    if kind == "cloudformation":
        logical = " (logical id %s)" % owner["logical_id"] if owner.get("logical_id") else ""
        return "CloudFormation stack %s%s" % (owner.get("name"), logical)
    if kind == "elastic_beanstalk":
        return "Elastic Beanstalk environment %s%s" % (owner.get("name"), " (%s)" % owner["id"] if owner.get("id") else "")
    if kind == "terraform":
        return "Terraform resource %s (state %s)" % (owner.get("name"), owner.get("state_file") or "?")
    return "%s (tag %s)" % (owner.get("name"), owner.get("tag_key") or "?")


def file_part(text):
    """A string made safe as part of a file name (deterministic: letters, digits, . _ - kept, anything else -> -)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-.") or "unnamed"


def owner_file_name(owner, yaml_template=False):
    """The file under ``<report dir>/owners/`` that holds the change for this owner."""
    kind, name = owner.get("type"), file_part(owner.get("name"))
    if kind == "cloudformation":
        return "cloudformation-%s.template.%s" % (name, "yaml" if yaml_template else "json")
    if kind == "elastic_beanstalk":
        return "elastic-beanstalk-%s.json" % name
    if kind == "terraform":
        return "terraform-%s.md" % name
    return "tag-%s.md" % name


def next_action(owner, path=None):
    """What to do about an AutoScaling.3 resource that ``owner`` manages (the reports' next action); ``path``: the file
    written for the owner."""
    path = path or "<report dir>/owners/%s" % owner_file_name(owner)
    kind = owner.get("type")
    if kind == "cloudformation":
        return "managed by %s: update the stack with the patched template %s (launch template requiring IMDSv2); hubfix leaves the stack's resources alone" % (
            describe(owner),
            path,
        )
    if kind == "elastic_beanstalk":
        return (
            "managed by %s: set aws:autoscaling:launchconfiguration DisableIMDSv1=true on the environment (%s), or rerun with "
            "autoscaling_imdsv2_elastic_beanstalk_apply: true" % (describe(owner), path)
        )
    if kind == "terraform":
        return "managed by %s: replace the launch configuration with an aws_launch_template requiring IMDSv2 as %s shows, then terraform apply" % (
            describe(owner),
            path,
        )
    return "managed by %s: make the change %s describes through that tool" % (describe(owner), path)


def group_owner(group, terraform_index=None, owner_tags=None):
    """The owner of a DescribeAutoScalingGroups item (its tags, the Terraform state, ``owner_tags``), or None."""
    terraform = terraform_index.owner("autoscaling_group", group["AutoScalingGroupName"]) if terraform_index else None
    return owner_from_tags(group.get("Tags"), owner_tags, terraform=terraform)


def region_owners(groups, lc_names, cloudformation_lookup=None, terraform_index=None, owner_tags=None):
    """``({group name: owner}, {launch configuration name: owner})`` for one region.

    ``lc_names``: the launch configurations to judge (the failing ones: only they cost stack lookups).
    ``cloudformation_lookup(names, known_stacks) -> {name: owner}`` finds the stacks holding launch configurations; the
    stacks of the groups that use them are passed as ``known_stacks`` (they are where the launch configurations usually are).
    """
    group_owners = {g["AutoScalingGroupName"]: group_owner(g, terraform_index, owner_tags) for g in groups}
    users = {}
    for g in groups:
        if g.get("LaunchConfigurationName"):
            users.setdefault(g["LaunchConfigurationName"], []).append(g["AutoScalingGroupName"])
    lc_names = list(lc_names or [])
    known_stacks = set()
    for g in groups:
        if g.get("LaunchConfigurationName") in lc_names:
            stack = tags_dict(g.get("Tags")).get(TAG_CFN_STACK)
            if stack:
                known_stacks.add(stack)
    direct = cloudformation_lookup(lc_names, sorted(known_stacks)) if cloudformation_lookup and lc_names else {}
    lc_owners = {}
    for name in lc_names:
        own = direct.get(name) or (terraform_index.owner("launch_configuration", name) if terraform_index else None)
        lc_owners[name] = launch_configuration_owner(own, [(g, group_owners[g]) for g in users.get(name, [])])
    return group_owners, lc_owners
