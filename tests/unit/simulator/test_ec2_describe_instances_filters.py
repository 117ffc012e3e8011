"""Simulator patch ``ec2_describe_instances_filters``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html and
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html#api-pagination): DescribeInstances accepts
the filters ``virtualization-type`` (paravirtual | hvm) and ``root-device-type`` (ebs | instance-store) among others;
several filters are ANDed, the values of one filter ORed. ``MaxResults`` (5..1000) bounds the number of *instances*
on a page; results stay grouped by reservation; without ``MaxResults`` the call returns everything.
Each behaviour is checked with the patch and, where moto 5.2.5 differs, on plain moto to show the gap.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.simulator.patches import ec2_describe_instances_filters as patch

PATCH = "ec2_describe_instances_filters"
PV_AMI = "ami-8104a4f8"  # amzn-ami-pv, x86_64, ebs root (moto built-in)
HVM_AMI = "ami-760aaa0f"


def ec2():
    return boto3.client("ec2", region_name="us-east-1")


def launch(client, image, count=1, instance_type="m1.small"):
    reservation = client.run_instances(ImageId=image, MinCount=count, MaxCount=count, InstanceType=instance_type)
    return [i["InstanceId"] for i in reservation["Instances"]]


def ids(response) -> set[str]:
    return {i["InstanceId"] for r in response["Reservations"] for i in r["Instances"]}


@pytest.fixture
def estate(moto_aws):
    """Two PV instances (one stopped), one HVM instance."""
    client = ec2()
    pv_running = launch(client, PV_AMI)[0]
    pv_stopped = launch(client, PV_AMI)[0]
    hvm = launch(client, HVM_AMI, instance_type="t3.micro")[0]
    client.stop_instances(InstanceIds=[pv_stopped])
    return client, {"pv_running": pv_running, "pv_stopped": pv_stopped, "hvm": hvm}


def test_plain_moto_does_not_implement_virtualization_type_filter(estate):
    client, _unused = estate
    with pytest.raises(NotImplementedError):  # the server turns this into an HTTP 500 page
        client.describe_instances(Filters=[{"Name": "virtualization-type", "Values": ["paravirtual"]}])


def test_plain_moto_does_not_implement_root_device_type_filter(estate):
    client, _unused = estate
    with pytest.raises(NotImplementedError):
        client.describe_instances(Filters=[{"Name": "root-device-type", "Values": ["ebs"]}])


def test_virtualization_type_filter(estate, patched):
    client, i = estate
    patched(PATCH)
    assert ids(client.describe_instances(Filters=[{"Name": "virtualization-type", "Values": ["paravirtual"]}])) == {i["pv_running"], i["pv_stopped"]}
    assert ids(client.describe_instances(Filters=[{"Name": "virtualization-type", "Values": ["hvm"]}])) == {i["hvm"]}


def test_filters_are_anded_and_values_ored(estate, patched):
    client, i = estate
    patched(PATCH)
    pv_and_running = [
        {"Name": "virtualization-type", "Values": ["paravirtual"]},
        {"Name": "root-device-type", "Values": ["ebs"]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ]
    assert ids(client.describe_instances(Filters=pv_and_running)) == {i["pv_running"]}
    pv_running_or_stopped = [
        {"Name": "virtualization-type", "Values": ["paravirtual"]},
        {"Name": "instance-state-name", "Values": ["running", "stopped"]},
    ]
    assert ids(client.describe_instances(Filters=pv_running_or_stopped)) == {i["pv_running"], i["pv_stopped"]}
    assert ids(client.describe_instances(Filters=[{"Name": "root-device-type", "Values": ["instance-store"]}])) == set()
    assert ids(client.describe_instances(Filters=[{"Name": "virtualization-type", "Values": ["para*"]}])) == {i["pv_running"], i["pv_stopped"]}


def test_block_device_mapping_filters(estate, patched):
    client, i = estate
    patched(PATCH)
    instance = client.describe_instances(InstanceIds=[i["hvm"]])["Reservations"][0]["Instances"][0]
    volume_id = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    assert ids(client.describe_instances(Filters=[{"Name": "block-device-mapping.volume-id", "Values": [volume_id]}])) == {i["hvm"]}
    assert ids(client.describe_instances(Filters=[{"Name": "hypervisor", "Values": ["xen"]}])) == set(i.values())


def test_unknown_filters_still_reach_moto(estate, patched):
    client, _unused = estate
    patched(PATCH)
    with pytest.raises(NotImplementedError):
        client.describe_instances(Filters=[{"Name": "tenancy", "Values": ["default"]}])


def test_max_results_below_five_is_refused(estate, patched):
    client, _unused = estate
    assert client.describe_instances(MaxResults=3)["Reservations"]  # plain moto accepts it
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        client.describe_instances(MaxResults=3)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "maxResults" in err.value.response["Error"]["Message"]


def test_max_results_with_instance_ids_is_refused(estate, patched):
    client, i = estate
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        client.describe_instances(InstanceIds=[i["hvm"]], MaxResults=5)
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_reservation_split_across_pages_keeps_its_id(moto_aws, patched):
    client = ec2()
    seven = launch(client, HVM_AMI, count=7)
    plain = client.describe_instances(MaxResults=5)
    assert len(ids(plain)) == 7  # plain moto pages by reservation: all 7 despite MaxResults=5
    patched(PATCH)
    first = client.describe_instances(MaxResults=5)
    second = client.describe_instances(MaxResults=5, NextToken=first["NextToken"])
    assert [len(r["Instances"]) for r in first["Reservations"]] == [5]
    assert [len(r["Instances"]) for r in second["Reservations"]] == [2]
    assert first["Reservations"][0]["ReservationId"] == second["Reservations"][0]["ReservationId"]
    assert ids(first) | ids(second) == set(seven)
    assert "NextToken" not in second


def test_unpaginated_call_returns_every_instance(moto_aws, patched):
    client = ec2()
    for _unused in range(101):
        launch(client, HVM_AMI)
    plain = client.describe_instances()
    assert len(plain["Reservations"]) == 100 and plain.get("NextToken")  # moto's silent default page of 100
    patched(PATCH)
    patched_response = client.describe_instances()
    assert len(patched_response["Reservations"]) == 101
    assert "NextToken" not in patched_response


def test_paging_counts_instances_not_reservations(moto_aws, patched):
    """12 instances in 4 reservations of 3, MaxResults=5 (the smallest AWS allows): pages of 5, 5 and 2 instances."""
    client = ec2()
    for _unused in range(4):
        launch(client, HVM_AMI, count=3)

    plain = client.describe_instances(MaxResults=5)
    assert len(ids(plain)) == 12  # moto: 5 *reservations* per page, here all 4 of them

    patched(PATCH)
    first = client.describe_instances(MaxResults=5)
    second = client.describe_instances(MaxResults=5, NextToken=first["NextToken"])
    third = client.describe_instances(MaxResults=5, NextToken=second["NextToken"])
    assert [len(ids(first)), len(ids(second)), len(ids(third))] == [5, 5, 2]
    assert "NextToken" not in third
    assert len(ids(first) | ids(second) | ids(third)) == 12
    # 1 whole reservation + 2 instances of the 2nd, which continues on page two under the same id
    assert [len(r["Instances"]) for r in first["Reservations"]] == [3, 2]
    assert [len(r["Instances"]) for r in second["Reservations"]] == [1, 3, 1]
    assert first["Reservations"][-1]["ReservationId"] == second["Reservations"][0]["ReservationId"]


def test_boto3_paginator_pages_by_instances(moto_aws, patched):
    client = ec2()
    for _unused in range(3):
        launch(client, HVM_AMI, count=4)
    patched(PATCH)
    pages = list(client.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
    assert [sum(len(r["Instances"]) for r in p["Reservations"]) for p in pages] == [5, 5, 2]
    assert len({i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]}) == 12


def test_paginator_with_filters(estate, patched):
    client, i = estate
    patched(PATCH)
    paginator = client.get_paginator("describe_instances")
    pages = paginator.paginate(Filters=[{"Name": "virtualization-type", "Values": ["paravirtual"]}], PaginationConfig={"PageSize": 5})
    assert {inst["InstanceId"] for p in pages for r in p["Reservations"] for inst in r["Instances"]} == {i["pv_running"], i["pv_stopped"]}


def test_invalid_next_token_is_a_client_error(estate, patched):
    client, _unused = estate
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        client.describe_instances(MaxResults=5, NextToken="not-a-token")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_undo_restores_moto(estate, patched):
    from tests.simulator import patches

    client, _unused = estate
    undo = patches.apply(PATCH)
    undo()
    with pytest.raises(NotImplementedError):
        client.describe_instances(Filters=[{"Name": "virtualization-type", "Values": ["hvm"]}])


def test_value_matches_wildcards_and_lists():
    assert patch.value_matches("paravirtual", ["hvm", "para*"])
    assert patch.value_matches(["vol-1", "vol-2"], ["vol-2"])
    assert not patch.value_matches(None, ["*"])
    assert not patch.value_matches("hvm", ["paravirtual"])
