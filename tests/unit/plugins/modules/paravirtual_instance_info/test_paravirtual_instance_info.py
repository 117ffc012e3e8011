"""hubfix.aws.paravirtual_instance_info: EC2.24 - the paravirtual instances of each region with what blocks migrating them."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.modules import paravirtual_instance_info as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

PV = "i-0123456789abcdef0"
OTHER = "i-0aaaaaaaaaaaaaaaa"
STATES = {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}
PARAVIRTUAL = {"Name": "virtualization-type", "Values": ["paravirtual"]}
AMI = "ami-0a0a0a0a0a0a0a0a0"


def pv_instance(instance_id=PV, **extra):
    return r.instance(instance_id, volumes=[("/dev/sda1", "vol-0000000000000000a", True)], public_ip="203.0.113.10", **extra)


def expect_pv(stub, *instances, extra_filters=(), states=None):
    stub.add(
        "describe_instances",
        r.reservations(*instances),
        {"Filters": [PARAVIRTUAL, STATES if states is None else states] + list(extra_filters), "MaxResults": 1000},
    )


def expect_details(stub, instances, protected=False, image_mappings=()):
    """The reads made only when paravirtual instances exist: their volumes, every Elastic IP, their AMIs, termination protection."""
    volume_ids = sorted(m["Ebs"]["VolumeId"] for i in instances for m in i["BlockDeviceMappings"])
    stub.add("describe_volumes", r.volumes(*[r.volume(v, state="in-use") for v in volume_ids]), {"Filters": [{"Name": "volume-id", "Values": volume_ids}]})
    stub.add("describe_addresses", r.addresses(r.address("eipalloc-0123456789abcdef0", "203.0.113.10", PV, "10.0.0.12")), {})
    image = {"ImageId": AMI, "VirtualizationType": "paravirtual", "BlockDeviceMappings": list(image_mappings)}
    stub.add("describe_images", {"Images": [image]}, {"Filters": [{"Name": "image-id", "Values": [AMI]}], "IncludeDeprecated": True})
    for i in instances:
        answer = {"InstanceId": i["InstanceId"], "DisableApiTermination": {"Value": protected}}
        stub.add("describe_instance_attribute", answer, {"InstanceId": i["InstanceId"], "Attribute": "disableApiTermination"})


def test_reports_a_paravirtual_instance_with_its_volumes_addresses_and_blockers(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    instance = pv_instance(Tags=r.tag_list({"Name": "web", "aws:autoscaling:groupName": "asg-pv"}))
    expect_pv(ec2, instance)
    expect_details(ec2, [instance], protected=True, image_mappings=[{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}])

    result = run(module, {})

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert (result["account_id"], result["passing_instance_ids"]) == (r.ACCOUNT, [])
    (record,) = result["instances"]
    assert (record["instance_id"], record["name"], record["region"], record["account_id"]) == (PV, "web", "us-east-1", r.ACCOUNT)
    assert record["arn"] == "arn:aws:ec2:us-east-1:%s:instance/%s" % (r.ACCOUNT, PV)
    assert (record["virtualization_type"], record["suggested_instance_type"], record["control_id"]) == ("paravirtual", "t3.small", "EC2.24")
    assert [(v["volume_id"], v["size"], v["is_root"], v["delete_on_termination"]) for v in record["ebs_volumes"]] == [("vol-0000000000000000a", 8, True, True)]
    assert record["instance_store_devices"] == [{"device_name": "/dev/sdb", "virtual_name": "ephemeral0", "source": "image"}]
    assert [a["public_ip"] for a in record["elastic_ips"]] == ["203.0.113.10"]
    assert (record["termination_protection"], record["autoscaling_group_name"]) == (True, "asg-pv")
    assert [b["code"] for b in record["blockers"]] == ["autoscaling_group", "instance_store_data", "termination_protection"]
    assert record["security_hub_evaluated"] is True
    assert result["regions"] == [{"region": "us-east-1", "scanned": True, "failed": 1, "evaluated": 1, "error": None}]


def test_every_call_is_retried_when_throttled(aws, run):
    aws.throttle_first = True
    (ec2,) = aws.expect_region_scan("ec2", regions=["us-east-1"])
    expect_pv(ec2, pv_instance())
    expect_details(ec2, [pv_instance()])

    assert [i["instance_id"] for i in run(module, {"regions": ["us-east-1"]})["instances"]] == [PV]


def test_a_region_without_paravirtual_instances_takes_one_call(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    expect_pv(ec2)

    result = run(module, {}, check_mode=True)

    assert result["instances"] == []
    assert result["regions"][0]["failed"] == 0


def test_a_missing_ami_is_a_warning(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    expect_pv(ec2, pv_instance(instance_type="t1.micro"))
    ec2.add(
        "describe_volumes",
        r.volumes(r.volume("vol-0000000000000000a", state="in-use")),
        {"Filters": [{"Name": "volume-id", "Values": ["vol-0000000000000000a"]}]},
    )
    ec2.add("describe_addresses", r.addresses(), {})
    ec2.add("describe_images", {"Images": []}, {"Filters": [{"Name": "image-id", "Values": [AMI]}], "IncludeDeprecated": True})
    ec2.add("describe_instance_attribute", {"DisableApiTermination": {"Value": False}}, {"InstanceId": PV, "Attribute": "disableApiTermination"})

    (record,) = run(module, {})["instances"]

    assert [w["code"] for w in record["warnings"]] == ["image_not_found"]
    assert record["blockers"] == []


def test_instance_ids_and_filters_narrow_the_search(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    running = {"Name": "instance-state-name", "Values": ["running"]}
    expect_pv(ec2, pv_instance(), states=running, extra_filters=[{"Name": "tag:team", "Values": ["web"]}, {"Name": "instance-id", "Values": [PV]}])
    expect_details(ec2, [pv_instance()])

    result = run(module, {"instance_ids": [PV, PV], "filters": {"instance-state-name": ["running", "terminated"], "tag:team": "web"}})

    assert [i["instance_id"] for i in result["instances"]] == [PV]


def test_an_instance_id_that_exists_but_passes_is_returned_as_passing(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    expect_pv(ec2, extra_filters=[{"Name": "instance-id", "Values": [OTHER]}])
    ec2.add(
        "describe_instances",
        r.reservations(r.instance(OTHER, virtualization="hvm")),
        {"Filters": [{"Name": "instance-id", "Values": [OTHER]}], "MaxResults": 1000},
    )

    result = run(module, {"instance_ids": [OTHER]})

    assert (result["instances"], result["passing_instance_ids"]) == ([], [OTHER])


def test_an_instance_id_found_nowhere_fails_naming_it(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    expect_pv(ec2, extra_filters=[{"Name": "instance-id", "Values": [OTHER]}])
    ec2.add("describe_instances", r.reservations(), {"Filters": [{"Name": "instance-id", "Values": [OTHER]}], "MaxResults": 1000})

    result = run(module, {"instance_ids": [OTHER]}, fails=True)

    assert result["msg"] == "instance id(s) not found in region(s) us-east-1: %s" % OTHER
    assert result["regions"][0]["scanned"] is True


def test_each_region_is_scanned_with_its_own_client_and_a_failing_one_is_reported(aws, run):
    east, west = aws.expect_region_scan("ec2", regions=["us-east-1", "eu-west-1"])
    expect_pv(east, pv_instance())
    expect_details(east, [pv_instance()])
    west.error("describe_instances", "AuthFailure", "AWS was not able to validate the provided access credentials")

    result = run(module, {"regions": ["us-east-1", "eu-west-1"]})

    assert [i["region"] for i in result["instances"]] == ["us-east-1"]
    assert result["regions"][1]["error"] == (
        "AWS rejected the credentials in region eu-west-1: AuthFailure: AWS was not able to validate the provided access credentials"
    )


def test_fails_when_every_region_fails(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    ec2.error("describe_instances", "UnauthorizedOperation", "You are not authorized to perform this operation.")

    result = run(module, {}, fails=True)

    assert result["msg"].startswith("every region failed: access denied in region us-east-1 (check the IAM policy): ")
    assert result["instances"] == []


def test_a_virtualization_type_filter_is_refused(aws, run):
    result = run(module, {"filters": {"virtualization-type": "hvm"}}, fails=True)

    assert result["msg"] == "filters: virtualization-type cannot be set, the module only looks for paravirtual instances"


def test_a_state_filter_selecting_no_evaluated_state_is_refused(aws, run):
    result = run(module, {"filters": {"instance-state-name": "terminated"}}, fails=True)

    assert result["msg"] == "filters: instance-state-name terminated selects no state EC2.24 evaluates (pending, running, stopping, stopped)"


def test_a_malformed_instance_id_fails_before_any_call(aws, run):
    result = run(module, {"instance_ids": ["i-123"]}, fails=True)

    assert result["msg"] == "malformed instance id(s): i-123 (expected i- followed by 8 or 17 lowercase hex digits)"


def test_instance_ids_that_cannot_be_checked_fail_naming_the_region(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    expect_pv(ec2, extra_filters=[{"Name": "instance-id", "Values": [OTHER]}])
    ec2.error("describe_instances", "UnauthorizedOperation", "not authorized", {"Filters": [{"Name": "instance-id", "Values": [OTHER]}], "MaxResults": 1000})

    result = run(module, {"instance_ids": [OTHER]}, fails=True)

    assert result["msg"] == "cannot check instance_ids: access denied in region us-east-1 (check the IAM policy): UnauthorizedOperation: not authorized"


def test_accounts_are_scanned_in_one_run_and_one_that_fails_is_named(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    expect_pv(ec2, pv_instance())
    expect_details(ec2, [pv_instance()])
    # the second account: its credentials are refused (the stubs stand for each account's clients)
    aws.expect_region_scan("ec2")
    ec2.error("describe_instances", "AuthFailure", "AWS was not able to validate the provided access credentials")
    accounts = [
        {"account_id": r.ACCOUNT, "credentials": {"access_key": "AKIA1", "secret_key": "s", "session_token": "t"}},
        {"account_id": "210987654321", "credentials": {"access_key": "AKIA2", "secret_key": "s"}},
    ]

    # one account at a time: the stubbed answers are queued in order
    result = run(module, {"accounts": accounts, "account_concurrency": 1}, check_mode=True)

    assert_documented_result(module, result)
    first, second = result["accounts"]
    assert (first["account_id"], first["error"], first["passing_instance_ids"]) == (r.ACCOUNT, None, [])
    assert [i["instance_id"] for i in first["instances"]] == [PV]
    assert [row["region"] for row in first["regions"]] == ["us-east-1"]
    assert second["account_id"] == "210987654321" and (second["instances"], second["regions"]) == ([], [])
    assert second["error"].startswith("every region failed: AWS rejected the credentials in region us-east-1: AuthFailure")
    assert [(row["account_id"], row["failed"]) for row in result["regions"]] == [(r.ACCOUNT, 1)]
    assert "instances" not in result and "account_id" not in result
    assert "AKIA" not in str(result)


def test_account_concurrency_below_one_is_refused(run):
    assert "account_concurrency must be 1 or more" in run(module, {"accounts": [], "account_concurrency": 0}, fails=True)["msg"]
