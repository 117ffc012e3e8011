"""Placement groups: CreatePlacementGroup, DescribePlacementGroups, DeletePlacementGroup and RunInstances ``Placement.GroupName``.

moto 5.2.5 implements none of the placement group calls (boto3 gets an HTTP 500 "The create_placement_group action has not
been implemented"), ignores ``Placement.GroupName`` on RunInstances (the instance reports ``GroupName: ""`` and an
unknown group is accepted) and answers HTTP 500 for the DescribeInstances filter ``placement-group-name``.

The EC2.24 cut-over launches the replacement into the source's placement group, so the simulator must keep the group,
report it on the instance and refuse a group that does not exist. Groups are kept per account and region (on the EC2
backend). Not reproduced: the capacity, instance-type and single-Availability-Zone rules of cluster groups, partition
numbers, ModifyInstancePlacement (still not implemented).
"""

from __future__ import annotations

import fnmatch
import uuid

NAME = "ec2-placement-groups"
AWS_BEHAVIOUR = (
    "CreatePlacementGroup (GroupName, Strategy cluster | spread | partition, PartitionCount, SpreadLevel, TagSpecifications) "
    "returns the PlacementGroup (GroupName, GroupId pg-..., GroupArn, Strategy, State available, PartitionCount for "
    "partition, SpreadLevel for spread, Tags); a name used twice is InvalidPlacementGroup.Duplicate. DescribePlacementGroups "
    "lists them (GroupNames, GroupIds, filters group-name, group-arn, state, strategy, spread-level, tag:<key>, tag-key); an "
    "unknown name or id is InvalidPlacementGroup.Unknown \"The Placement Group '<name>' is unknown.\". DeletePlacementGroup "
    "refuses a group with instances that are not terminated (InvalidPlacementGroup.InUse). RunInstances "
    "Placement.GroupName puts the instance in the group (DescribeInstances Placement.GroupName, filter placement-group-name); "
    "an unknown group is InvalidPlacementGroup.Unknown. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreatePlacementGroup.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribePlacementGroups.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeletePlacementGroup.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Placement.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"
)

STRATEGIES = ("cluster", "spread", "partition")
_STORE = "_hubfix_placement_groups"


def groups_of(backend) -> dict[str, dict]:
    """The backend's placement groups by name (kept on the backend object, so a moto reset forgets them)."""
    groups = backend.__dict__.get(_STORE)
    if groups is None:
        groups = backend.__dict__[_STORE] = {}
    return groups


def new_group(backend, name: str, strategy: str, partition_count=None, spread_level=None, tags=None) -> dict:
    group_id = "pg-" + uuid.uuid4().hex[:17]
    group = {
        "GroupName": name,
        "GroupId": group_id,
        "GroupArn": f"arn:aws:ec2:{backend.region_name}:{backend.account_id}:placement-group/{name}",
        "State": "available",
        "Strategy": strategy,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }
    if strategy == "partition":
        group["PartitionCount"] = int(partition_count or 2)
    if strategy == "spread":
        group["SpreadLevel"] = spread_level or "rack"
    return group


def group_matches(group: dict, filters: dict) -> bool:
    """EC2 filter semantics: filters ANDed, values ORed, * and ? wildcards."""
    tags = {t["Key"]: t["Value"] for t in group["Tags"]}
    fields = {
        "group-name": group["GroupName"],
        "group-arn": group["GroupArn"],
        "state": group["State"],
        "strategy": group["Strategy"],
        "spread-level": group.get("SpreadLevel"),
    }
    for name, values in filters.items():
        if name.startswith("tag:"):
            candidates = [tags.get(name[4:])]
        elif name == "tag-key":
            candidates = list(tags)
        elif name in fields:
            candidates = [fields[name]]
        else:
            from moto.ec2.exceptions import FilterNotImplementedError

            raise FilterNotImplementedError(name, "DescribePlacementGroups")
        if not any(c is not None and fnmatch.fnmatchcase(str(c), str(v)) for c in candidates for v in values):
            return False
    return True


def unknown(name: str):
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError("InvalidPlacementGroup.Unknown", f"The Placement Group '{name}' is unknown.")


def instances_in(backend, name: str) -> list:
    return [i for i in backend.all_instances() if i.placement.group_name == name and i.state != "terminated"]


def apply():
    from moto.core.responses import ActionResult, EmptyResult
    from moto.ec2 import utils as ec2_utils
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses import EC2Response
    from moto.ec2.responses.instances import InstanceResponse

    original_run = InstanceResponse.run_instances
    added = ("create_placement_group", "describe_placement_groups", "delete_placement_group")

    def create_placement_group(self):
        name = self._get_param("GroupName")
        strategy = self._get_param("Strategy")
        if not name:
            raise EC2ClientError("MissingParameter", "The request must contain the parameter groupName")
        if strategy not in STRATEGIES:
            raise EC2ClientError("InvalidParameterValue", f"Value ({strategy}) for parameter strategy is invalid. Valid values: {', '.join(STRATEGIES)}")
        self.error_on_dryrun()
        groups = groups_of(self.ec2_backend)
        if name in groups:
            raise EC2ClientError("InvalidPlacementGroup.Duplicate", f"The Placement Group '{name}' already exists.")
        tags = self._parse_tag_specification().get("placement-group", {})
        group = new_group(self.ec2_backend, name, strategy, self._get_param("PartitionCount"), self._get_param("SpreadLevel"), tags)
        groups[name] = group
        return ActionResult({"PlacementGroup": group})

    def describe_placement_groups(self):
        self.error_on_dryrun()
        groups = list(groups_of(self.ec2_backend).values())
        names = self._get_param("GroupNames", [])
        ids = self._get_param("GroupIds", [])
        for wanted, key in ((names, "GroupName"), (ids, "GroupId")):
            for value in wanted:
                if not any(g[key] == value for g in groups):
                    raise unknown(value)
        if names or ids:
            groups = [g for g in groups if g["GroupName"] in names or g["GroupId"] in ids]
        filters = self._filters_from_querystring()
        return ActionResult({"PlacementGroups": [g for g in groups if group_matches(g, filters)]})

    def delete_placement_group(self):
        name = self._get_param("GroupName")
        self.error_on_dryrun()
        groups = groups_of(self.ec2_backend)
        if name not in groups:
            raise unknown(name)
        if instances_in(self.ec2_backend, name):
            raise EC2ClientError("InvalidPlacementGroup.InUse", f"The Placement Group '{name}' is in use and may not be deleted.")
        del groups[name]
        return EmptyResult()

    def run_instances(self):
        name = self._get_param("Placement.GroupName")
        group_id = self._get_param("Placement.GroupId")
        template = self._get_param("LaunchTemplate", {})
        if not name and not group_id and template:
            placement = (self.ec2_backend._get_template_from_args(template).data or {}).get("Placement") or {}
            name, group_id = placement.get("GroupName"), placement.get("GroupId")
        group = None
        if name or group_id:
            groups = groups_of(self.ec2_backend).values()
            group = next((g for g in groups if (name and g["GroupName"] == name) or (group_id and g["GroupId"] == group_id)), None)
            if group is None and not self._get_param("DryRun", False):
                raise unknown(name or group_id)
        result = original_run(self)
        if group is not None:
            for instance in getattr(result.result, "instances", []):
                instance.placement.group_name = group["GroupName"]
                instance.placement.group_id = group["GroupId"]
        return result

    for method in (create_placement_group, describe_placement_groups, delete_placement_group):
        setattr(EC2Response, method.__name__, method)
    InstanceResponse.run_instances = run_instances
    ec2_utils.filter_dict_attribute_mapping["placement-group-name"] = "placement.group_name"

    def undo():
        for method in added:
            delattr(EC2Response, method)
        InstanceResponse.run_instances = original_run
        ec2_utils.filter_dict_attribute_mapping.pop("placement-group-name", None)

    return undo
