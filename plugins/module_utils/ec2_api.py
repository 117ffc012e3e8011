# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EC2 reads hubfix.aws makes, built on amazon.aws's ``module_utils.ec2`` helpers (error handling and retries)
where it has one, and the shapes the modules return. Writes stay in the modules, next to their check-mode guard.

Errors surface as ``AnsibleEC2Error`` (amazon.aws); "not found" answers become None or empty lists.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import (
    AnsibleEC2Error,
    EC2InstanceErrorHandler,
    describe_addresses,
    describe_images,
    describe_instance_attribute,
    describe_instances,
    describe_launch_template_versions,
    describe_launch_templates,
    describe_snapshots,
    describe_volumes,
)
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

# EC2 accepts at most 200 values in one filter.
FILTER_VALUES_MAX = 200
LIVE_STATES = ["pending", "running", "stopping", "stopped"]
AUTH_ERRORS = ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "AuthFailure", "Blocked")


def chunks(items, size=FILTER_VALUES_MAX):
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


def tags_of(resource):
    return boto3_tag_list_to_ansible_dict((resource or {}).get("Tags") or [])


# -- instances ------------------------------------------------------------------------------------------------


def instances_of(reservations):
    return [i for r in reservations or [] for i in r.get("Instances", [])]


def find_instances(ec2, filters, page_size=None):
    params = {"Filters": filters}
    if page_size:
        params["PaginationConfig"] = {"PageSize": page_size}
    return instances_of(describe_instances(ec2, **params))


def describe_instance(ec2, instance_id):
    """The instance (boto3 shape) or None when it does not exist."""
    try:
        found = instances_of(describe_instances(ec2, InstanceIds=[instance_id]))
    except is_ansible_aws_error_code("InvalidInstanceID.Malformed"):
        return None
    return next((i for i in found if i["InstanceId"] == instance_id), None)


def termination_protection(ec2, instance_id):
    answer = describe_instance_attribute(ec2, instance_id, "disableApiTermination")
    return bool((answer.get("DisableApiTermination") or {}).get("Value"))


def stop_protection(ec2, instance_id):
    answer = describe_instance_attribute(ec2, instance_id, "disableApiStop")
    return bool((answer.get("DisableApiStop") or {}).get("Value"))


@EC2InstanceErrorHandler.list_error_handler("describe instance type", None)
def describe_instance_type(ec2, instance_type):
    """DescribeInstanceTypes of one type, or None when the region does not offer it."""
    try:
        types = ec2.describe_instance_types(InstanceTypes=[instance_type], aws_retry=True)["InstanceTypes"]
    except is_boto3_error_code(["InvalidInstanceType", "InvalidParameterValue"]):
        return None
    return types[0] if types else None


# -- volumes, images, addresses, snapshots ---------------------------------------------------------------------


def describe_volume(ec2, volume_id):
    try:
        found = describe_volumes(ec2, VolumeIds=[volume_id])
    except is_ansible_aws_error_code("InvalidVolumeID.Malformed"):
        return None
    return found[0] if found else None


def volumes_by_id(ec2, volume_ids):
    """``{volume id: volume}`` by ``volume-id`` filter, 200 ids a call (unknown ids are simply absent)."""
    found = {}
    for batch in chunks(sorted(set(volume_ids))):
        for volume in describe_volumes(ec2, Filters=[{"Name": "volume-id", "Values": batch}]):
            found[volume["VolumeId"]] = volume
    return found


def describe_image(ec2, image_id):
    try:
        images = describe_images(ec2, ImageIds=[image_id])
    except is_ansible_aws_error_code(["InvalidAMIID.NotFound", "InvalidAMIID.Malformed"]):
        return None
    return images[0] if images else None


def images_by_id(ec2, image_ids):
    """``{image id: image}`` by ``image-id`` filter, deprecated images included (an old instance's AMI often is)."""
    found = {}
    for batch in chunks(sorted({i for i in image_ids if i})):
        for image in describe_images(ec2, Filters=[{"Name": "image-id", "Values": batch}], IncludeDeprecated=True):
            found[image["ImageId"]] = image
    return found


def all_addresses(ec2):
    """Every Elastic IP of the region (DescribeAddresses is not paginated: one call)."""
    return describe_addresses(ec2)


def addresses_of_instances(ec2, instance_ids):
    if not instance_ids:
        return []
    return describe_addresses(ec2, Filters=[{"Name": "instance-id", "Values": list(instance_ids)}])


def describe_address(ec2, allocation_id):
    try:
        found = describe_addresses(ec2, AllocationIds=[allocation_id])
    except is_ansible_aws_error_code("InvalidAllocationID.NotFound"):
        return None
    return found[0] if found else None


def own_snapshots(ec2, filters):
    """Snapshots of this account matching ``filters``, every page."""
    snapshots, token = [], None
    while True:
        page = describe_snapshots(ec2, OwnerIds=["self"], Filters=filters, **({"NextToken": token} if token else {}))
        snapshots += page.get("Snapshots", [])
        token = page.get("NextToken")
        if not token:
            return snapshots


# -- DryRun probes --------------------------------------------------------------------------------------------


def dry_run(call, **params):
    """Probe one mutating EC2 call with ``DryRun=True``: ``(allowed, error_code, message)``."""
    try:
        call(DryRun=True, **params)
    except is_boto3_error_code("DryRunOperation"):
        return True, None, None
    except AnsibleEC2Error as e:  # amazon.aws wrappers
        return _probe_answer(e.exception)
    except Exception as e:  # noqa: BLE001 - a botocore ClientError: read its code
        return _probe_answer(e)
    # a call that ignored DryRun and succeeded cannot happen on EC2; count it as allowed
    return True, None, None


def _probe_answer(e):
    err = (getattr(e, "response", None) or {}).get("Error", {})
    code = err.get("Code", type(e).__name__)
    if code == "DryRunOperation":
        return True, None, None
    if code in AUTH_ERRORS or code.startswith("Unauthorized"):
        return False, code, err.get("Message")
    return None, code, err.get("Message") or str(e)


# -- launch templates -----------------------------------------------------------------------------------------


def find_launch_template(ec2, template_id=None, name=None):
    """A launch template by id or name, or None when it does not exist."""
    try:
        found = describe_launch_templates(
            ec2, launch_template_ids=[template_id] if template_id else None, launch_template_names=None if template_id else [name]
        )
    except is_ansible_aws_error_code(["InvalidLaunchTemplateId.Malformed", "InvalidLaunchTemplateName.MalformedException"]):
        return None
    return found[0] if found else None


def launch_templates_tagged(ec2, key, value):
    """The launch templates carrying the tag ``key=value`` (one filtered DescribeLaunchTemplates)."""
    return describe_launch_templates(ec2, filters=[{"Name": "tag:" + key, "Values": [value]}])


def launch_template_version(ec2, template_id, version):
    """One version (a number, ``$Default`` or ``$Latest``) of a template, or None."""
    found = describe_launch_template_versions(ec2, LaunchTemplateId=template_id, Versions=[str(version)])
    return found[0] if found else None
