"""Auto Scaling groups that CloudFormation creates carry CloudFormation's own tags and the stack's tags.

Real CloudFormation tags every group it creates with ``aws:cloudformation:stack-name``, ``aws:cloudformation:stack-id``
and ``aws:cloudformation:logical-id`` (and with the stack's tags), all with PropagateAtLaunch true, so the group's
instances carry them too. These tags are how an owner lookup (AutoScaling.3 "owners") finds that a group belongs to a
stack and must be changed through it. moto 5.2.5 gives the group only the Tags property of the template.
"""

from __future__ import annotations

import copy

NAME = "cloudformation-autoscaling-tags"
AWS_BEHAVIOUR = (
    "CloudFormation adds the tags aws:cloudformation:stack-name, aws:cloudformation:stack-id and aws:cloudformation:logical-id, "
    "and the stack's tags, to the Auto Scaling groups it creates, propagated at launch to their instances; a tag of the "
    "template with the same key as a stack tag wins. "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-autoscaling-autoscalinggroup.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-tagging.html"
)

GROUP_TYPE = "AWS::AutoScaling::AutoScalingGroup"
CFN_TAG_PREFIX = "aws:cloudformation:"


def stack_name_from_id(stack_id: str) -> str:
    """arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID -> NAME"""
    return stack_id.split(":stack/", 1)[-1].split("/", 1)[0]


def cloudformation_tags(stack_id: str, logical_id: str, stack_tags: dict | None = None) -> list[dict]:
    """The group tags CloudFormation adds: the stack's tags, then its own three (PropagateAtLaunch true)."""
    tags = {k: v for k, v in (stack_tags or {}).items() if not k.startswith(CFN_TAG_PREFIX)}
    tags.update(
        {
            CFN_TAG_PREFIX + "stack-name": stack_name_from_id(stack_id),
            CFN_TAG_PREFIX + "stack-id": stack_id,
            CFN_TAG_PREFIX + "logical-id": logical_id,
        }
    )
    return [{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in tags.items()]


def with_cloudformation_tags(resource_json: dict, resources_map, logical_id: str) -> dict:
    """A copy of a group's template resource whose Tags also hold the tags CloudFormation adds."""
    if not isinstance(resource_json, dict) or resource_json.get("Type") != GROUP_TYPE:
        return resource_json
    resource_json = copy.deepcopy(resource_json)
    props = resource_json.setdefault("Properties", {})
    own = [t for t in props.get("Tags") or [] if not str(t.get("Key", "")).startswith(CFN_TAG_PREFIX)]
    own_keys = {t.get("Key") for t in own}
    added = cloudformation_tags(resources_map.stack_id, logical_id, getattr(resources_map, "tags", None))
    props["Tags"] = own + [t for t in added if t["Key"] not in own_keys or t["Key"].startswith(CFN_TAG_PREFIX)]
    return resource_json


def apply():
    from moto.cloudformation import parsing

    original_create = parsing.parse_and_create_resource
    original_update = parsing.parse_and_update_resource

    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        resource_json = with_cloudformation_tags(resource_json, resources_map, logical_id)
        return original_create(logical_id, resource_json, resources_map, account_id=account_id, region_name=region_name)

    def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
        resource_json = with_cloudformation_tags(resource_json, resources_map, logical_id)
        return original_update(logical_id, resource_json, resources_map, account_id=account_id, region_name=region_name)

    parsing.parse_and_create_resource = parse_and_create_resource
    parsing.parse_and_update_resource = parse_and_update_resource

    def undo():
        parsing.parse_and_create_resource = original_create
        parsing.parse_and_update_resource = original_update

    return undo
