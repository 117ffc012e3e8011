# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS side of ownership (rules in ``owners``): Terraform state files read from disk or S3, and the CloudFormation
stacks that hold launch configurations (which carry no tags).

Stack lookups are made only for failing launch configurations, with the fewest calls: one ListStackResources per stack
already known from a group's tags, then for the rest one ListStacks and either one DescribeStackResources per launch
configuration or one ListStackResources per stack, whichever is fewer.
"""

from __future__ import annotations

import threading

from ansible_collections.hubfix.aws.plugins.module_utils.clients import attempt, client, paginate
from ansible_collections.hubfix.aws.plugins.module_utils.owners import owner_from_tags, region_owners
from ansible_collections.hubfix.aws.plugins.module_utils.terraform_state import OwnerIndex, ownership_from_texts, parse_s3_url

LAUNCH_CONFIGURATION = "AWS::AutoScaling::LaunchConfiguration"
# Every status of a stack that still exists (ListStacks also lists deleted ones unless filtered).
LIVE_STACK_STATUSES = [
    "CREATE_IN_PROGRESS",
    "CREATE_FAILED",
    "CREATE_COMPLETE",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_FAILED",
    "ROLLBACK_COMPLETE",
    "DELETE_IN_PROGRESS",
    "DELETE_FAILED",
    "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_COMPLETE",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
]


def read_state_files(module, paths):
    """``(OwnerIndex, errors)`` of the Terraform state files ``paths`` (local paths or ``s3://bucket/key`` read with the
    module's credentials). A file that cannot be read is an error naming it; the others still count."""
    pairs, errors = [], []
    for path in paths or []:
        try:
            s3 = parse_s3_url(path)
        except ValueError as e:
            errors.append(str(e))
            continue
        if s3:
            answer, error = attempt(client(module, "s3").get_object, Bucket=s3[0], Key=s3[1], aws_retry=True)
            if error is not None:
                errors.append("cannot read Terraform state %s: %s" % (path, error))
                continue
            pairs.append((path, answer["Body"].read().decode("utf-8", errors="replace")))
            continue
        try:
            with open(path, encoding="utf-8") as f:
                pairs.append((path, f.read()))
        except OSError as e:
            errors.append("cannot read Terraform state %s: %s" % (path, e.strerror or e))
    if not pairs:
        return OwnerIndex(), errors
    index, bad = ownership_from_texts(pairs)
    return index, errors + list(bad)


def _owner(stack_name, stack_id, logical_id):
    return {"type": "cloudformation", "name": stack_name, "id": stack_id, "logical_id": logical_id}


def _from_stack(cfn, stack_name, wanted, found):
    """Record the launch configurations of ``wanted`` that stack ``stack_name`` holds (one paginated ListStackResources)."""
    summaries = paginate(cfn, "list_stack_resources", StackName=stack_name).get("StackResourceSummaries", [])
    for resource in summaries:
        physical = resource.get("PhysicalResourceId")
        if resource.get("ResourceType") == LAUNCH_CONFIGURATION and physical in wanted and physical not in found:
            found[physical] = _owner(stack_name, None, resource.get("LogicalResourceId"))


def _by_physical_id(cfn, name, found):
    answer, error = attempt(cfn.describe_stack_resources, PhysicalResourceId=name, aws_retry=True)
    if error is not None:
        if "does not exist" in str(error):
            return
        raise error
    for resource in answer.get("StackResources", []):
        if resource.get("PhysicalResourceId") == name and resource.get("ResourceType") == LAUNCH_CONFIGURATION:
            found[name] = _owner(resource.get("StackName"), resource.get("StackId"), resource.get("LogicalResourceId"))


def cloudformation_launch_configuration_owners(cfn, names, known_stacks=()):
    """``{launch configuration name: owner}`` for the ``names`` that a CloudFormation stack holds.

    ``known_stacks``: stacks already known to own groups using them (their resources are listed first)."""
    wanted, found = set(names or []), {}
    if not wanted:
        return found
    for stack in sorted(set(known_stacks)):
        _from_stack(cfn, stack, wanted, found)
    rest = sorted(wanted - set(found))
    if not rest:
        return found
    stacks = paginate(cfn, "list_stacks", StackStatusFilter=LIVE_STACK_STATUSES).get("StackSummaries", [])
    others = sorted({s["StackName"] for s in stacks} - set(known_stacks))
    if not others:
        return found
    if len(rest) <= len(others):
        for name in rest:
            _by_physical_id(cfn, name, found)
    else:
        for stack in others:
            _from_stack(cfn, stack, set(rest), found)
    return found


def terraform_index(module):
    """The OwnerIndex of the module's ``terraform_state_files``; a file that cannot be read fails the module (what it
    owns must not look unowned)."""
    index, errors = read_state_files(module, module.params.get("terraform_state_files") or [])
    if errors:
        module.fail_json(msg="terraform_state_files: " + "; ".join(errors))
    return index


def region_cloudformation_client(module, region):
    return client(module, "cloudformation", region)


class RegionOwners:
    """Ownership for a region-scanning module: the Terraform state read once (a file that cannot be read fails the
    module), ``for_region(region)`` gives the ``owners(groups, lc_names)`` callable of ``imdsv2.scan_region``."""

    def __init__(self, module):
        self.module = module
        self.owner_tags = module.params.get("owner_tags") or {}
        self.terraform = terraform_index(module)
        self._clients = {}
        self._lock = threading.Lock()

    def _cfn(self, region):
        with self._lock:  # scans run in threads; one client per region
            if region not in self._clients:
                self._clients[region] = client(self.module, "cloudformation", region)
            return self._clients[region]

    def for_region(self, region):
        def lookup(names, known_stacks):
            return cloudformation_launch_configuration_owners(self._cfn(region), names, known_stacks)

        return lambda groups, lc_names: region_owners(groups, lc_names, lookup, self.terraform, self.owner_tags)

    def instance_owner(self, instance_id, tags):
        """The owner of an EC2 instance (EC2.24): tags, Terraform state, owner_tags."""
        return owner_from_tags(tags, self.owner_tags, terraform=self.terraform.owner("instance", instance_id))
