"""EC2.24 detection logic: records, blockers, suggested types, filters, and the API calls scan_region makes."""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.hubfix.aws.plugins.module_utils import blockers, ec2_api
from ansible_collections.hubfix.aws.plugins.module_utils import paravirtual as pv
from ansible_collections.hubfix.aws.plugins.module_utils.clients import RETRY

REGION = "us-east-1"
ACCOUNT = "123456789012"
IID = "i-0123456789abcdef0"


PRIMARY_INTERFACE = {
    "NetworkInterfaceId": "eni-1",
    "Attachment": {"DeviceIndex": 0, "AttachmentId": "eni-attach-1", "DeleteOnTermination": True},
    "Groups": [{"GroupId": "sg-primary"}],
    "SubnetId": "subnet-1",
    "VpcId": "vpc-1",
    "PrivateIpAddress": "10.0.0.5",
    "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.5", "Primary": True}],
    "Association": {"PublicIp": "203.0.113.10"},
}
# a second interface, and a secondary private IP on the primary one: what the migration cannot carry over yet
SECOND_INTERFACE = {
    "NetworkInterfaceId": "eni-2",
    "Attachment": {"DeviceIndex": 1, "AttachmentId": "eni-attach-2", "DeleteOnTermination": False},
    "Groups": [{"GroupId": "sg-second"}],
    "SubnetId": "subnet-1",
    "PrivateIpAddress": "10.0.0.9",
    "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.9", "Primary": True}],
}
PRIMARY_WITH_SECONDARY_IP = dict(
    PRIMARY_INTERFACE,
    PrivateIpAddresses=[{"PrivateIpAddress": "10.0.0.5", "Primary": True}, {"PrivateIpAddress": "10.0.0.6", "Primary": False}],
)


def instance(**over):
    base = {
        "InstanceId": IID,
        "ImageId": "ami-8104a4f8",
        "InstanceType": "m1.small",
        "State": {"Code": 16, "Name": "running"},
        "VirtualizationType": "paravirtual",
        "Architecture": "x86_64",
        "KernelId": "aki-919dcaf8",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/sda1",
        "Placement": {"AvailabilityZone": "us-east-1a", "Tenancy": "default", "GroupName": ""},
        "SubnetId": "subnet-1",
        "VpcId": "vpc-1",
        "PrivateIpAddress": "10.0.0.5",
        "KeyName": "demo-key",
        "IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/web", "Id": "AIPA"},
        "EbsOptimized": False,
        "LaunchTime": datetime.datetime(2014, 5, 1, 12, 0, tzinfo=datetime.UTC),
        "SecurityGroups": [{"GroupId": "sg-instance", "GroupName": "web"}],
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sdf", "Ebs": {"VolumeId": "vol-data", "DeleteOnTermination": False, "Status": "attached"}},
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeId": "vol-root", "DeleteOnTermination": True, "Status": "attached"}},
        ],
        "NetworkInterfaces": [PRIMARY_INTERFACE],
        "Tags": [{"Key": "Name", "Value": "pv-web"}, {"Key": "App", "Value": "billing"}],
    }
    base.update(over)
    return base


VOLUMES = {
    "vol-root": {"VolumeId": "vol-root", "Size": 8, "VolumeType": "standard", "Encrypted": False, "AvailabilityZone": "us-east-1a", "SnapshotId": "snap-1"},
    "vol-data": {
        "VolumeId": "vol-data",
        "Size": 20,
        "VolumeType": "gp3",
        "Iops": 3000,
        "Throughput": 125,
        "Encrypted": True,
        "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
        "AvailabilityZone": "us-east-1a",
        "SnapshotId": "",
    },
}

ADDRESSES = [
    {
        "PublicIp": "203.0.113.10",
        "AllocationId": "eipalloc-1",
        "AssociationId": "eipassoc-1",
        "NetworkInterfaceId": "eni-1",
        "PrivateIpAddress": "10.0.0.5",
        "Domain": "vpc",
    },
    {
        "PublicIp": "203.0.113.11",
        "AllocationId": "eipalloc-2",
        "AssociationId": "eipassoc-2",
        "NetworkInterfaceId": "eni-2",
        "PrivateIpAddress": "10.0.0.9",
        "Domain": "vpc",
    },
    {"PublicIp": "198.51.100.1", "InstanceId": IID, "Domain": "standard"},
    {"PublicIp": "203.0.113.99", "AllocationId": "eipalloc-other", "InstanceId": "i-0fedcba9876543210", "NetworkInterfaceId": "eni-other", "Domain": "vpc"},
    {"PublicIp": "203.0.113.100", "AllocationId": "eipalloc-free", "Domain": "vpc"},
]


def record(inst=None, **kwargs):
    kwargs.setdefault("volumes_by_id", VOLUMES)
    kwargs.setdefault("addresses", ADDRESSES)
    kwargs.setdefault("termination_protection", False)
    return pv.normalize_instance(inst or instance(), REGION, ACCOUNT, **kwargs)


def codes(items):
    return [i["code"] for i in items]


# -- input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("good", ["i-0123abcd", "i-0123456789abcdef0"])
def test_validate_instance_ids_accepts_short_and_long_ids(good):
    assert pv.validate_instance_ids([good, good]) == [good]


@pytest.mark.parametrize("bad", ["i-123", "i-0123456789ABCDEF0", "0123456789abcdef0", "i-0123456789abcdef", "vol-0123abcd", "i-0123abcdz"])
def test_validate_instance_ids_names_malformed_ids(bad):
    with pytest.raises(pv.InputError, match=bad):
        pv.validate_instance_ids(["i-0123abcd", bad])


def test_build_filters_default_is_paravirtual_in_evaluated_states():
    assert pv.build_filters(None) == [
        {"Name": "virtualization-type", "Values": ["paravirtual"]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
    ]


def test_build_filters_adds_user_filters_and_narrows_states():
    filters = pv.build_filters({"tag:App": "billing", "instance-state-name": ["running", "terminated"], "subnet-id": ["subnet-1", "subnet-2"]})
    assert filters == [
        {"Name": "virtualization-type", "Values": ["paravirtual"]},
        {"Name": "instance-state-name", "Values": ["running"]},
        {"Name": "tag:App", "Values": ["billing"]},
        {"Name": "subnet-id", "Values": ["subnet-1", "subnet-2"]},
    ]


def test_build_filters_refuses_virtualization_type_and_unevaluated_states():
    with pytest.raises(pv.InputError, match="virtualization-type"):
        pv.build_filters({"virtualization-type": "hvm"})
    with pytest.raises(pv.InputError, match="terminated"):
        pv.build_filters({"instance-state-name": "terminated"})


def test_chunks():
    assert ec2_api.chunks(range(5), 2) == [[0, 1], [2, 3], [4]]
    assert ec2_api.chunks([], 200) == []


# -- the record ---------------------------------------------------------------------------------------


def test_normalize_instance_full_record():
    r = record(instance(NetworkInterfaces=[SECOND_INTERFACE, PRIMARY_WITH_SECONDARY_IP]))
    assert r["instance_id"] == IID
    assert r["arn"] == "arn:aws:ec2:us-east-1:123456789012:instance/" + IID
    assert (r["region"], r["account_id"], r["name"], r["state"]) == (REGION, ACCOUNT, "pv-web", "running")
    assert (r["instance_type"], r["image_id"], r["virtualization_type"], r["kernel_id"]) == ("m1.small", "ami-8104a4f8", "paravirtual", "aki-919dcaf8")
    assert (r["root_device_type"], r["root_device_name"], r["availability_zone"]) == ("ebs", "/dev/sda1", "us-east-1a")
    assert (r["subnet_id"], r["vpc_id"], r["key_name"]) == ("subnet-1", "vpc-1", "demo-key")
    assert r["iam_instance_profile_arn"] == "arn:aws:iam::123456789012:instance-profile/web"
    assert r["security_group_ids"] == ["sg-primary"]  # the primary interface's groups
    assert r["ebs_optimized"] is False
    assert r["launch_time"] == "2014-05-01T12:00:00+00:00"
    assert r["tags"] == {"Name": "pv-web", "App": "billing"}
    assert r["ebs_volumes"] == [
        {
            "volume_id": "vol-root",
            "device_name": "/dev/sda1",
            "size": 8,
            "volume_type": "standard",
            "iops": None,
            "throughput": None,
            "encrypted": False,
            "kms_key_id": None,
            "snapshot_id": "snap-1",
            "availability_zone": "us-east-1a",
            "multi_attach_enabled": False,
            "delete_on_termination": True,
            "attachment_status": "attached",
            "is_root": True,
        },
        {
            "volume_id": "vol-data",
            "device_name": "/dev/sdf",
            "size": 20,
            "volume_type": "gp3",
            "iops": 3000,
            "throughput": 125,
            "encrypted": True,
            "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/k",
            "snapshot_id": None,
            "availability_zone": "us-east-1a",
            "multi_attach_enabled": False,
            "delete_on_termination": False,
            "attachment_status": "attached",
            "is_root": False,
        },
    ]
    assert r["elastic_ips"] == [
        {
            "allocation_id": None,
            "public_ip": "198.51.100.1",
            "association_id": None,
            "network_interface_id": None,
            "private_ip_address": None,
            "domain": "standard",
        },
        {
            "allocation_id": "eipalloc-1",
            "public_ip": "203.0.113.10",
            "association_id": "eipassoc-1",
            "network_interface_id": "eni-1",
            "private_ip_address": "10.0.0.5",
            "domain": "vpc",
        },
        {
            "allocation_id": "eipalloc-2",
            "public_ip": "203.0.113.11",
            "association_id": "eipassoc-2",
            "network_interface_id": "eni-2",
            "private_ip_address": "10.0.0.9",
            "domain": "vpc",
        },
    ]
    assert [e["network_interface_id"] for e in r["network_interfaces"]] == ["eni-1", "eni-2"]
    assert r["network_interfaces"][0]["private_ip_addresses"] == ["10.0.0.5", "10.0.0.6"]
    assert r["network_interfaces"][0]["public_ip"] == "203.0.113.10"
    assert r["network_interfaces"][0]["security_group_ids"] == ["sg-primary"]
    assert r["instance_store_devices"] == []
    assert r["autoscaling_group_name"] is None
    assert r["termination_protection"] is False
    assert r["owner"] is None
    assert r["replaced_by"] is None
    assert r["suggested_instance_type"] == "t3.small"
    assert r["security_hub_evaluated"] is True
    # the second interface and the secondary private IP move with the cutover: nothing blocks
    assert codes(r["blockers"]) == []
    assert codes(r["warnings"]) == ["instance_store_unverified"]
    assert codes(record()["blockers"]) == []  # one interface, one private IP


def test_volume_details_missing_from_describe_volumes_are_null():
    r = record(volumes_by_id={})
    assert [(v["volume_id"], v["size"], v["encrypted"], v["delete_on_termination"]) for v in r["ebs_volumes"]] == [
        ("vol-root", None, None, True),
        ("vol-data", None, None, False),
    ]


def test_ec2_classic_security_groups_come_from_the_instance():
    r = record(instance(NetworkInterfaces=[], VpcId=None, SubnetId=None))
    assert r["security_group_ids"] == ["sg-instance"]
    assert "ec2_classic" in codes(r["blockers"])


def test_partitions_in_arn():
    assert pv.normalize_instance(instance(), "cn-north-1", ACCOUNT)["arn"].startswith("arn:aws-cn:ec2:cn-north-1:")
    assert pv.normalize_instance(instance(), "us-gov-west-1", ACCOUNT)["arn"].startswith("arn:aws-us-gov:")


def test_instance_store_devices_from_the_image_and_the_instance():
    image = {
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}},
            {"DeviceName": "/dev/sdc", "VirtualName": "ephemeral1"},
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
            {"DeviceName": "/dev/sdd", "VirtualName": "ephemeral2", "NoDevice": ""},
        ]
    }
    inst = instance()
    inst["BlockDeviceMappings"] = inst["BlockDeviceMappings"] + [{"DeviceName": "/dev/sde", "VirtualName": "ephemeral3"}]
    assert pv.instance_store_devices(inst, image) == [
        {"device_name": "/dev/sdb", "virtual_name": "ephemeral0", "source": "image"},
        {"device_name": "/dev/sdc", "virtual_name": "ephemeral1", "source": "image"},
        {"device_name": "/dev/sde", "virtual_name": "ephemeral3", "source": "instance"},
    ]


# -- blockers: every code ------------------------------------------------------------------------------


def test_blocker_instance_store_root():
    r = record(instance(RootDeviceType="instance-store", BlockDeviceMappings=[]))
    assert codes(r["blockers"]) == ["instance_store_root"]
    assert "/dev/sda1" in r["blockers"][0]["message"]
    assert "instance_store_unverified" not in codes(r["warnings"])


def test_blocker_instance_store_data_from_the_ami_mapping():
    image = {"BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]}
    r = record(image=image)
    assert codes(r["blockers"]) == ["instance_store_data"]
    assert "/dev/sdb (ephemeral0)" in r["blockers"][0]["message"]
    assert "instance_store_unverified" not in codes(r["warnings"])


def test_blocker_autoscaling_group_from_its_tag():
    r = record(instance(Tags=[{"Key": "aws:autoscaling:groupName", "Value": "asg-pv"}]))
    assert r["autoscaling_group_name"] == "asg-pv"
    assert codes(r["blockers"]) == ["autoscaling_group"]
    assert "asg-pv" in r["blockers"][0]["message"]


def test_blocker_cloudformation():
    r = record(instance(Tags=[{"Key": "aws:cloudformation:stack-name", "Value": "legacy"}]))
    assert r["owner"] == {"type": "cloudformation", "name": "legacy", "id": None, "logical_id": None}
    assert codes(r["blockers"]) == ["cloudformation"]


def test_blocker_elastic_beanstalk_not_doubled_with_its_stack():
    tags = [
        {"Key": "elasticbeanstalk:environment-name", "Value": "prod-env"},
        {"Key": "aws:cloudformation:stack-name", "Value": "awseb-e-abc-stack"},
    ]
    r = record(instance(Tags=tags))
    assert r["owner"]["type"] == "elastic_beanstalk"
    assert codes(r["blockers"]) == ["elastic_beanstalk"]
    assert "prod-env" in r["blockers"][0]["message"]


def test_blocker_termination_protection():
    r = record(termination_protection=True)
    assert r["termination_protection"] is True
    assert codes(r["blockers"]) == ["termination_protection"]


def test_blocker_spot():
    r = record(instance(InstanceLifecycle="spot", SpotInstanceRequestId="sir-1"))
    assert codes(r["blockers"]) == ["spot"]
    assert r["spot_instance_request_id"] == "sir-1"


def test_blocker_managed_instance():
    r = record(instance(Operator={"Managed": True, "Principal": "eks.amazonaws.com"}))
    assert codes(r["blockers"]) == ["managed_instance"]
    assert "eks.amazonaws.com" in r["blockers"][0]["message"]


def test_blocker_emr_and_opsworks():
    r = record(instance(Tags=[{"Key": "aws:elasticmapreduce:job-flow-id", "Value": "j-1"}, {"Key": "opsworks:stack", "Value": "web"}]))
    assert codes(r["blockers"]) == ["emr_cluster", "opsworks"]


def test_every_blocker_code_is_documented_and_reachable():
    image = {"BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]}
    tags = [
        {"Key": "aws:autoscaling:groupName", "Value": "asg"},
        {"Key": "aws:cloudformation:stack-name", "Value": "stack"},
        {"Key": "aws:elasticmapreduce:job-flow-id", "Value": "j-1"},
        {"Key": "opsworks:stack", "Value": "ops"},
    ]
    inst = instance(RootDeviceType="instance-store", InstanceLifecycle="spot", VpcId=None, Operator={"Managed": True}, Tags=tags)
    found = set(codes(record(inst, image=image, termination_protection=True)["blockers"]))
    found |= set(codes(record(instance(Tags=[{"Key": "elasticbeanstalk:environment-name", "Value": "env"}]))["blockers"]))
    terraform = {"type": "terraform", "name": "aws_instance.web", "state_file": "prod.tfstate"}
    found |= set(codes(record(owner_of=lambda _id, _tags: terraform)["blockers"]))
    found |= set(codes(record(owner_of=lambda _id, _tags: {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy"})["blockers"]))
    found |= set(codes(record(instance(NetworkInterfaces=[SECOND_INTERFACE, PRIMARY_WITH_SECONDARY_IP]))["blockers"]))
    # stop protection is read by the migration's pre-flight only (tests/unit/plugins/module_utils/test_blockers.py)
    assert found == set(blockers.CODES) - {"stop_protection"}


def test_owner_of_names_the_owner_and_blocks_the_instance():
    seen = []

    def owner_of(instance_id, tags):
        seen.append((instance_id, tags.get("Name")))
        return {"type": "terraform", "name": "module.app.aws_instance.db[0]", "state_file": "s3://b/k"}

    r = record(instance(Tags=[{"Key": "Name", "Value": "db"}]), owner_of=owner_of)
    assert seen == [(r["instance_id"], "db")]
    assert r["owner"]["name"] == "module.app.aws_instance.db[0]"
    (blocker,) = [b for b in r["blockers"] if b["code"] == "terraform"]
    assert "module.app.aws_instance.db[0]" in blocker["message"] and "s3://b/k" in blocker["message"]


# -- warnings -------------------------------------------------------------------------------------------


def test_warning_image_not_found():
    r = record(image_found=False)
    assert "image_not_found" in codes(r["warnings"])


def test_no_instance_store_warning_for_types_without_instance_store():
    assert record(instance(InstanceType="t1.micro"))["warnings"] == []


def test_warning_transitional_state_and_marketplace_product():
    r = record(instance(InstanceType="t1.micro", State={"Name": "stopping"}, ProductCodes=[{"ProductCodeId": "abc", "ProductCodeType": "marketplace"}]))
    assert codes(r["warnings"]) == ["transitional_state", "marketplace_product"]
    assert r["product_codes"] == [{"product_code_id": "abc", "product_code_type": "marketplace"}]


def test_replaced_by_tag_is_reported():
    assert record(instance(Tags=[{"Key": "hubfix:replaced-by", "Value": "i-0aaaaaaaaaaaaaaaa"}]))["replaced_by"] == "i-0aaaaaaaaaaaaaaaa"


# -- API calls: exactly the batched calls the performance contract asks for -----------------------------


def stubbed_ec2():
    raw = boto3.client("ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return RetryingBotoClientWrapper(raw, RETRY), Stubber(raw)


def test_scan_region_calls():
    ec2, stub = stubbed_ec2()
    filters = pv.build_filters(None)
    inst = instance(NetworkInterfaces=[SECOND_INTERFACE, PRIMARY_INTERFACE])
    stub.add_response(
        "describe_instances",
        {"Reservations": [{"ReservationId": "r-1", "Instances": [inst]}]},
        {"Filters": filters, "MaxResults": 1000},
    )
    stub.add_response(
        "describe_volumes",
        {"Volumes": list(VOLUMES.values())},
        {"Filters": [{"Name": "volume-id", "Values": ["vol-data", "vol-root"]}]},
    )
    stub.add_response("describe_addresses", {"Addresses": ADDRESSES}, {})
    stub.add_response(
        "describe_images",
        {"Images": [{"ImageId": "ami-8104a4f8", "BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]}]},
        {"Filters": [{"Name": "image-id", "Values": ["ami-8104a4f8"]}], "IncludeDeprecated": True},
    )
    stub.add_response(
        "describe_instance_attribute",
        {"InstanceId": IID, "DisableApiTermination": {"Value": True}},
        {"InstanceId": IID, "Attribute": "disableApiTermination"},
    )
    with stub:
        records = pv.scan_region(ec2, REGION, ACCOUNT, filters)
        stub.assert_no_pending_responses()
    assert len(records) == 1
    assert records[0]["termination_protection"] is True
    assert codes(records[0]["blockers"]) == ["instance_store_data", "termination_protection"]
    assert [v["size"] for v in records[0]["ebs_volumes"]] == [8, 20]
    assert len(records[0]["elastic_ips"]) == 3


def test_scan_region_without_pv_instances_makes_one_call():
    ec2, stub = stubbed_ec2()
    filters = pv.build_filters(None)
    stub.add_response("describe_instances", {"Reservations": []}, {"Filters": filters, "MaxResults": 1000})
    with stub:
        assert pv.scan_region(ec2, REGION, ACCOUNT, filters) == []
        stub.assert_no_pending_responses()


def test_instance_ids_are_a_filter_in_batches_of_200():
    ec2, stub = stubbed_ec2()
    filters = pv.build_filters(None)
    ids = ["i-%08x" % n for n in range(250)]
    for batch in (ids[:200], ids[200:]):
        stub.add_response("describe_instances", {"Reservations": []}, {"Filters": filters + [{"Name": "instance-id", "Values": batch}], "MaxResults": 1000})
    with stub:
        assert pv.describe_pv_instances(ec2, filters, ids) == []
        stub.assert_no_pending_responses()


def test_volumes_are_described_200_ids_a_call():
    ec2, stub = stubbed_ec2()
    ids = ["vol-%08x" % n for n in range(401)]
    for batch in (ids[:200], ids[200:400], ids[400:]):
        stub.add_response("describe_volumes", {"Volumes": []}, {"Filters": [{"Name": "volume-id", "Values": batch}]})
    with stub:
        assert ec2_api.volumes_by_id(ec2, ids) == {}
        stub.assert_no_pending_responses()


# -- against moto in-process with the simulator's DescribeInstances filter patch ------------------------


def test_scan_region_on_moto(moto_aws, patched):
    patched("ec2_describe_instances_filters")
    raw = boto3.client("ec2", region_name=REGION)
    ec2 = RetryingBotoClientWrapper(raw, RETRY)
    pv_id = raw.run_instances(ImageId="ami-8104a4f8", InstanceType="m1.small", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    raw.modify_instance_attribute(InstanceId=pv_id, DisableApiTermination={"Value": True})
    stopped = raw.run_instances(ImageId="ami-8104a4f8", InstanceType="t1.micro", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    raw.stop_instances(InstanceIds=[stopped])
    gone = raw.run_instances(ImageId="ami-8104a4f8", InstanceType="t1.micro", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    raw.terminate_instances(InstanceIds=[gone])
    raw.run_instances(ImageId="ami-760aaa0f", InstanceType="t3.micro", MinCount=1, MaxCount=1)
    records = pv.scan_region(ec2, REGION, ACCOUNT, pv.build_filters(None))
    assert sorted(r["instance_id"] for r in records) == sorted([pv_id, stopped])
    by_id = {r["instance_id"]: r for r in records}
    assert by_id[pv_id]["termination_protection"] is True
    assert by_id[stopped]["state"] == "stopped"
    assert pv.existing_instance_ids(ec2, [gone, "i-0123456789abcdef0"]) == {gone}
