"""What blocks an EC2.24 migration: one set of codes, messages and next actions, for the audit and the pre-flight check."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import blockers as bl
from ansible_collections.hubfix.aws.plugins.module_utils.pv_preflight import live_blockers


def codes(items):
    return [b["code"] for b in items]


def test_every_code_seen_on_a_live_instance_in_next_action_order():
    instance = {
        "InstanceId": "i-1",
        "RootDeviceType": "instance-store",
        "InstanceLifecycle": "spot",
        "Operator": {"Managed": True, "Principal": "eks.amazonaws.com"},
        "Tags": [
            {"Key": "aws:autoscaling:groupName", "Value": "asg"},
            {"Key": "aws:cloudformation:stack-name", "Value": "stack"},
            {"Key": "aws:elasticmapreduce:job-flow-id", "Value": "j-1"},
            {"Key": "opsworks:stack", "Value": "ops"},
        ],
        "PrivateIpAddress": "10.0.0.5",
        "NetworkInterfaces": [
            {"NetworkInterfaceId": "eni-2", "Attachment": {"DeviceIndex": 1}, "PrivateIpAddress": "10.0.0.9"},
            {
                "NetworkInterfaceId": "eni-1",
                "Attachment": {"DeviceIndex": 0},
                "PrivateIpAddress": "10.0.0.5",
                "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.5"}, {"PrivateIpAddress": "10.0.0.6"}],
            },
        ],
    }
    found = live_blockers(instance, "us-east-1", termination_protection=True, instance_store_devices=["/dev/sdb"], stop_protection=True)
    # Terraform and owner-tag owners come from the discovery's blockers (state files, owner_tags), not from live tags alone
    assert codes(found) == [c for c in bl.CODES if c not in ("elastic_beanstalk", "terraform", "owner_tag")]
    assert "/dev/sdb" in next(b["message"] for b in found if b["code"] == "instance_store_data")
    # a second interface and a secondary private IP are carried over by the cutover (ec2_traffic_move): no blocker
    assert not {"secondary_network_interfaces", "secondary_private_ips"} & set(codes(found))
    beanstalk = {"InstanceId": "i-2", "VpcId": "vpc-1", "Tags": [{"Key": "elasticbeanstalk:environment-name", "Value": "env"}]}
    assert codes(live_blockers(beanstalk, "us-east-1", False, [])) == ["elastic_beanstalk"]
    assert live_blockers({"InstanceId": "i-3", "VpcId": "vpc-1", "RootDeviceType": "ebs", "Tags": []}, "us-east-1", False, []) == []


def test_acknowledgement_waives_only_instance_store_data():
    found = bl.merge(
        [{"code": "instance_store_data", "message": "a"}, {"code": "spot", "message": "b"}],
        [{"code": "spot", "message": "duplicate"}, {"code": "instance_store_unverified", "message": "c"}],
    )
    assert codes(found) == ["spot", "instance_store_data", "instance_store_unverified"]
    assert next(b for b in found if b["code"] == "spot")["message"] == "b"
    assert codes(bl.refusing(found, True)) == ["spot"]
    assert codes(bl.refusing(found, False)) == ["spot", "instance_store_data", "instance_store_unverified"]


def test_every_code_with_a_next_action_names_what_to_do():
    record = {
        "autoscaling_group_name": "asg",
        "owner": {"name": "stack"},
        "instance_store_devices": [{"device_name": "/dev/sdb", "virtual_name": "ephemeral0"}],
    }
    assert "asg" in bl.next_action("autoscaling_group", record)
    assert "stack" in bl.next_action("cloudformation", record)
    assert "/dev/sdb" in bl.next_action("instance_store_data", record)
    assert bl.next_action("no_such_code", record) is None
