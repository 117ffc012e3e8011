"""Small builders of AWS API answers (boto3 shapes) for the module tests. Each returns the smallest answer the service
model accepts (the Stubber validates every queued answer) plus what the test passes in. Also: ``ANY`` and ``Capture``
for expected parameters, and the ``expect_*`` queues that several modules' tests share."""

from __future__ import annotations

import datetime

from botocore import stub

ACCOUNT = "123456789012"
REGION = "us-east-1"
# An expected parameter not checked (re-exported for the tests).
ANY = stub.ANY
CREATED = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)  # noqa: UP017 - keep the file 3.10-friendly


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


# -- Auto Scaling -------------------------------------------------------------------------------------------------------


def lc_arn(name, region=REGION):
    return "arn:aws:autoscaling:%s:%s:launchConfiguration:11111111-2222-3333-4444-555555555555:launchConfigurationName/%s" % (region, ACCOUNT, name)


def group_arn(name, region=REGION):
    return "arn:aws:autoscaling:%s:%s:autoScalingGroup:66666666-7777-8888-9999-000000000000:autoScalingGroupName/%s" % (region, ACCOUNT, name)


def launch_configuration(name="lc-web", metadata=None, region=REGION, **extra):
    """A DescribeLaunchConfigurations item; ``metadata`` is its MetadataOptions (absent when None)."""
    lc = {
        "LaunchConfigurationName": name,
        "LaunchConfigurationARN": lc_arn(name, region),
        "ImageId": "ami-0123456789abcdef0",
        "InstanceType": "t3.micro",
        "CreatedTime": CREATED,
        "SecurityGroups": [],
        "BlockDeviceMappings": [],
        "InstanceMonitoring": {"Enabled": True},
    }
    if metadata is not None:
        lc["MetadataOptions"] = metadata
    lc.update(extra)
    return lc


def group_instance(instance_id, lc=None, template=None, state="InService"):
    """One ``Instances[]`` item of a group; ``template`` is ``(id, version)``."""
    item = {"InstanceId": instance_id, "AvailabilityZone": "us-east-1a", "LifecycleState": state, "HealthStatus": "Healthy", "ProtectedFromScaleIn": False}
    if lc:
        item["LaunchConfigurationName"] = lc
    if template:
        item["LaunchTemplate"] = {"LaunchTemplateId": template[0], "LaunchTemplateName": "lc-web", "Version": str(template[1])}
    return item


def group(name="asg-web", lc="lc-web", template=None, instances=(), mixed=None, region=REGION):
    """A DescribeAutoScalingGroups item launching from ``lc``, or from ``template`` ``(id, name, version)``."""
    g = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": group_arn(name, region),
        "MinSize": 1,
        "MaxSize": 4,
        "DesiredCapacity": len(instances) or 2,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["us-east-1a"],
        "HealthCheckType": "EC2",
        "CreatedTime": CREATED,
        "Instances": list(instances),
    }
    if lc:
        g["LaunchConfigurationName"] = lc
    if template:
        g["LaunchTemplate"] = {"LaunchTemplateId": template[0], "LaunchTemplateName": template[1], "Version": str(template[2])}
    if mixed:
        g["MixedInstancesPolicy"] = {"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": mixed[0], "LaunchTemplateName": mixed[1]}}}
    return g


def groups(*items):
    return {"AutoScalingGroups": list(items)}


def launch_configurations(*items):
    return {"LaunchConfigurations": list(items)}


def refresh(refresh_id, status="Pending", group_name="asg-web", percentage=0, to_update=2, reason=None):
    item = {
        "InstanceRefreshId": refresh_id,
        "AutoScalingGroupName": group_name,
        "Status": status,
        "PercentageComplete": percentage,
        "InstancesToUpdate": to_update,
        "StartTime": CREATED,
    }
    if reason:
        item["StatusReason"] = reason
    return item


# -- EC2 ----------------------------------------------------------------------------------------------------------------


def launch_template(template_id="lt-0123456789abcdef0", name="lc-web", default=1, latest=1):
    return {"LaunchTemplateId": template_id, "LaunchTemplateName": name, "DefaultVersionNumber": default, "LatestVersionNumber": latest, "CreateTime": CREATED}


def launch_templates(*items):
    return {"LaunchTemplates": list(items)}


def instance(
    instance_id,
    state="running",
    tags=None,
    volumes=(),
    virtualization="paravirtual",
    instance_type="m1.small",
    private_ip="10.0.0.12",
    public_ip=None,
    root="/dev/sda1",
    **extra,
):
    """A DescribeInstances instance; ``volumes`` are ``(device, volume id, delete on termination)``."""
    item = {
        "InstanceId": instance_id,
        "ImageId": "ami-0a0a0a0a0a0a0a0a0",
        "InstanceType": instance_type,
        "State": {"Code": 16 if state == "running" else 80, "Name": state},
        "VirtualizationType": virtualization,
        "Architecture": "x86_64",
        "RootDeviceType": "ebs",
        "RootDeviceName": root,
        "Placement": {"AvailabilityZone": "us-east-1a", "Tenancy": "default"},
        "SubnetId": "subnet-0123456789abcdef0",
        "VpcId": "vpc-0123456789abcdef0",
        "PrivateIpAddress": private_ip,
        "SecurityGroups": [{"GroupId": "sg-0123456789abcdef0", "GroupName": "web"}],
        "KeyName": "ops",
        "EbsOptimized": False,
        "Monitoring": {"State": "disabled"},
        "LaunchTime": CREATED,
        "BlockDeviceMappings": [
            {"DeviceName": device, "Ebs": {"VolumeId": vid, "DeleteOnTermination": dot, "Status": "attached", "AttachTime": CREATED}}
            for device, vid, dot in volumes
        ],
        "Tags": tag_list(tags),
    }
    if public_ip:
        item["PublicIpAddress"] = public_ip
    item.update(extra)
    return item


def reservations(*instances):
    return {"Reservations": [{"ReservationId": "r-0123456789abcdef0", "OwnerId": ACCOUNT, "Instances": list(instances)}] if instances else []}


def volume(volume_id, state="available", az="us-east-1a", attached_to=None, device=None, attachment_state="attached"):
    item = {"VolumeId": volume_id, "Size": 8, "AvailabilityZone": az, "State": state, "VolumeType": "gp2", "Encrypted": False, "CreateTime": CREATED}
    item["Attachments"] = (
        [{"VolumeId": volume_id, "InstanceId": attached_to, "Device": device, "State": attachment_state, "DeleteOnTermination": False, "AttachTime": CREATED}]
        if attached_to
        else []
    )
    return item


def volumes(*items):
    return {"Volumes": list(items)}


def address(allocation_id, public_ip, instance_id=None, private_ip=None, association_id=None):
    item = {"AllocationId": allocation_id, "PublicIp": public_ip, "Domain": "vpc"}
    if instance_id:
        item.update(InstanceId=instance_id, PrivateIpAddress=private_ip, AssociationId=association_id or "eipassoc-0123456789abcdef0")
        item["NetworkInterfaceId"] = "eni-0123456789abcdef0"
    return item


def addresses(*items):
    return {"Addresses": list(items)}


def snapshot(snapshot_id, volume_id, state="completed", tags=None, start_time=CREATED, progress="100%"):
    return {
        "SnapshotId": snapshot_id,
        "VolumeId": volume_id,
        "State": state,
        "Progress": progress,
        "StartTime": start_time,
        "VolumeSize": 8,
        "OwnerId": ACCOUNT,
        "Tags": tag_list(tags),
    }


def snapshots(*items):
    return {"Snapshots": list(items)}


def regions(*names):
    return {"Regions": [{"RegionName": n, "Endpoint": "ec2.%s.amazonaws.com" % n, "OptInStatus": "opt-in-not-required"} for n in names]}


def caller_identity(account=ACCOUNT):
    return {"UserId": "AIDAEXAMPLE", "Account": account, "Arn": "arn:aws:iam::%s:user/ops" % account}


# -- a paravirtual migration's source, as the ec2_migration_* modules read it ---------------------------------------------

MIGRATION_SOURCE = "i-0123456789abcdef0"
MIGRATION_REPLACEMENT = "i-0fedcba9876543210"


def expect_migration_view(ec2, source, replacement=None, recorded=True, snapshots_found=(), addresses_found=()):
    """The reads of ``pv_migration_aws.migration_view`` after the source was read: the replacement (by its recorded id,
    else the live instances tagged ``hubfix:replaces``), the migration's snapshots, the Elastic IPs of both."""
    source_id = source["InstanceId"]
    if recorded and replacement:
        ec2.add("describe_instances", reservations(replacement), {"InstanceIds": [replacement["InstanceId"]]})
    else:
        live = [
            {"Name": "tag:hubfix:replaces", "Values": [source_id]},
            {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
        ]
        ec2.add("describe_instances", reservations(*([replacement] if replacement else [])), {"Filters": live})
    ec2.add(
        "describe_snapshots", snapshots(*snapshots_found), {"OwnerIds": ["self"], "Filters": [{"Name": "tag:hubfix:source-instance", "Values": [source_id]}]}
    )
    ids = [source_id] + ([replacement["InstanceId"]] if replacement else [])
    ec2.add("describe_addresses", addresses(*addresses_found), {"Filters": [{"Name": "instance-id", "Values": ids}]})


# -- Security Hub -------------------------------------------------------------------------------------------------------

SECURITYHUB_PRODUCT = "arn:aws:securityhub:%s::product/aws/securityhub"


def finding(
    control="EC2.24",
    resource_id="arn:aws:ec2:us-east-1:%s:instance/i-0123456789abcdef0" % ACCOUNT,
    resource_type="AwsEc2Instance",
    region=REGION,
    workflow="NEW",
    compliance="FAILED",
    record_state="ACTIVE",
    note=None,
    finding_id=None,
    generator=None,
    product_arn=None,
    **extra,
):
    """A Security Hub control finding (consolidated: Compliance.SecurityControlId) about one resource."""
    item = {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id or "arn:aws:securityhub:%s:%s:security-control/%s/finding/%s" % (region, ACCOUNT, control, resource_id.rsplit("/", 1)[-1]),
        "ProductArn": product_arn or SECURITYHUB_PRODUCT % region,
        "GeneratorId": generator or "security-control/%s" % control,
        "AwsAccountId": ACCOUNT,
        "Region": region,
        "CreatedAt": "2024-01-02T03:04:05.000Z",
        "UpdatedAt": "2024-01-03T03:04:05.000Z",
        "Title": "%s control" % control,
        "Description": "control finding",
        "Severity": {"Label": "MEDIUM"},
        "Resources": [{"Type": resource_type, "Id": resource_id, "Region": region, "Partition": "aws"}],
        "Compliance": {"Status": compliance, "SecurityControlId": control},
        "Workflow": {"Status": workflow},
        "RecordState": record_state,
    }
    if note:
        item["Note"] = {"Text": note, "UpdatedBy": "someone", "UpdatedAt": "2024-01-03T03:04:05.000Z"}
    item.update(extra)
    return item


def findings(*items):
    return {"Findings": list(items)}


class Capture:
    """An expected parameter that matches anything and keeps what it matched (``.value``), to assert on it afterwards."""

    def __init__(self):
        self.values = []

    def __eq__(self, other):
        self.values.append(other)
        return True

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    @property
    def value(self):
        return self.values[-1]


# An audit report (docs/audit-report.md) with one failing paravirtual instance, as securityhub_finding_import takes it.
AUDIT = {
    "accounts": [ACCOUNT],
    "scans": [{"source": "paravirtual_instance_info", "region": REGION, "scanned": True, "error": None, "controls": ["EC2.24"]}],
    "findings": [
        {
            "control": "EC2.24",
            "resource_type": "AwsEc2Instance",
            "resource_id": "i-0123456789abcdef0",
            "resource_name": "web",
            "resource_arn": "arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0" % (REGION, ACCOUNT),
            "account_id": ACCOUNT,
            "region": REGION,
            "reason": "paravirtual",
            "reason_text": "virtualization type is paravirtual",
            "status": "failed",
            "next_action": {"text": "run remediate_ec2_24 (pv_to_hvm)"},
            "details": {"instance_type": "m1.small", "image_id": "ami-0a0a0a0a0a0a0a0a0"},
        }
    ],
}


def expect_our_findings(sh, *found, region=REGION):
    """GetFindings of the findings hubfix imported itself (the account's default product, GeneratorId hubfix.aws/)."""
    product = "arn:aws:securityhub:%s:%s:product/%s/default" % (region, ACCOUNT, ACCOUNT)
    filters = {"ProductArn": [{"Value": product, "Comparison": "EQUALS"}], "GeneratorId": [{"Value": "hubfix.aws/", "Comparison": "PREFIX"}]}
    sh.add("get_findings", findings(*found), {"Filters": filters, "MaxResults": 100})


# -- ownership and hubfix's templates (autoscaling_imdsv2_plan_info, launch_config_imdsv2_info) ------------------------


def failing(lc):
    return ((lc.get("MetadataOptions") or {}).get("HttpTokens") or "optional") != "required"


def expect_owner_lookups(autoscaling_stub, candidates, stacks=()):
    """The ownership calls of a region with failing (or named) launch configurations ``candidates`` and no group owned by a
    stack: one cloudformation:ListStacks (``stacks``: its StackSummaries)."""
    if not candidates:
        return
    from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import LIVE_STACK_STATUSES

    cfn = autoscaling_stub.owner.stub("cloudformation", autoscaling_stub.region)
    cfn.add("list_stacks", {"StackSummaries": list(stacks)}, {"StackStatusFilter": LIVE_STACK_STATUSES})


def expect_hubfix_templates(autoscaling_stub, templates=()):
    """The one ec2:DescribeLaunchTemplates (tag-key hubfix:source-launch-configuration) of a region with an unused failing
    launch configuration."""
    ec2 = autoscaling_stub.owner.stub("ec2", autoscaling_stub.region)
    params = {"Filters": [{"Name": "tag-key", "Values": ["hubfix:source-launch-configuration"]}]}
    ec2.add("describe_launch_templates", {"LaunchTemplates": list(templates)}, params)
