"""Simulator patch ``ec2_run_instances_client_token``.

AWS behaviour (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html): RunInstances repeated with the
same ClientToken and the same parameters launches nothing and returns the original reservation (only the instance state
may differ, also after the instance was stopped or terminated); the same token with other parameters (but the Region or
Availability Zone) fails with HTTP 400 ``IdempotentParameterMismatch``. Tokens are per account and Region.
moto 5.2.5 ignores the token: every request launches, concurrent ones too.

The concurrency tests run 8 threads (one boto3 client each, like separate hubfix runs) released together by a barrier
against moto in-process, which like moto server answers each request in the caller's thread on shared backends. moto's
launch is slowed down (``slow_launch``) so that every request is inside the check-and-launch window at once: without the
patch's lock all 8 would launch.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.simulator import patches
from tests.simulator.patches import ec2_run_instances_client_token as patch

PATCH = "ec2_run_instances_client_token"
AMI = "ami-760aaa0f"  # HVM
THREADS = 8


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


def launch(client, token="hubfix-pv2hvm-token", **kwargs):
    params = {"ImageId": AMI, "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "ClientToken": token}
    return client.run_instances(**{**params, **kwargs})


def ids(reservation):
    return reservation["ReservationId"], tuple(i["InstanceId"] for i in reservation["Instances"])


def instance_count(client):
    return sum(len(r["Instances"]) for r in client.describe_instances()["Reservations"])


@pytest.fixture
def slow_launch(monkeypatch):
    """moto's launch takes 50 ms: concurrent requests all arrive while the first is still launching."""
    from moto.ec2.models.instances import InstanceBackend

    original = InstanceBackend.run_instances

    def run_instances(self, *args, **kwargs):
        time.sleep(0.05)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(InstanceBackend, "run_instances", run_instances)


def concurrently(calls):
    """Run the calls in THREADS threads released at the same moment; each result or the ClientError it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except ClientError as err:
            return err

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def clients(n=THREADS, region="us-east-1"):
    """One client per thread, as separate runs would have (one session: its loader cache makes them quick to build)."""
    session = boto3.session.Session()
    return [session.client("ec2", region_name=region) for _client in range(n)]


# --- the gap on plain moto ---------------------------------------------------------------------------


def test_plain_moto_launches_again_with_the_same_token(ec2):
    first, again = launch(ec2), launch(ec2)  # AWS: the second answers the first reservation
    assert ids(first) != ids(again)
    assert instance_count(ec2) == 2


def test_plain_moto_accepts_the_same_token_with_other_parameters(ec2):
    launch(ec2)
    assert launch(ec2, InstanceType="m5.large")["Instances"][0]["InstanceType"] == "m5.large"  # AWS: IdempotentParameterMismatch


def test_plain_moto_concurrent_requests_with_one_token_launch_each(ec2):
    answers = concurrently([lambda c=c: launch(c) for c in clients()])
    assert len({ids(a)[0] for a in answers}) == THREADS  # AWS: one reservation
    assert instance_count(ec2) == THREADS


# --- with the patch ----------------------------------------------------------------------------------


def test_repeat_answers_the_original_reservation(ec2, patched):
    patched(PATCH)
    first = launch(ec2)
    again = launch(ec2)
    assert ids(again) == ids(first)
    assert (first["Instances"][0]["State"]["Name"], again["Instances"][0]["State"]["Name"]) == ("pending", "running")
    assert instance_count(ec2) == 1
    described = ec2.describe_instances()["Reservations"][0]["Instances"][0]
    assert described["ClientToken"] == "hubfix-pv2hvm-token"


def test_other_token_launches(ec2, patched):
    patched(PATCH)
    assert ids(launch(ec2, token="a")) == ids(launch(ec2, token="a"))
    other = launch(ec2, token="b")
    assert ids(other) != ids(launch(ec2, token="a"))
    assert other["Instances"][0]["State"]["Name"] == "pending"  # a new launch still answers pending after a repeat
    assert instance_count(ec2) == 2


@pytest.mark.parametrize("then", ["stop_instances", "terminate_instances"])
def test_repeat_after_stop_or_terminate_answers_the_original_with_its_current_state(ec2, patched, then):
    patched(PATCH)
    first = launch(ec2)
    instance_id = first["Instances"][0]["InstanceId"]
    getattr(ec2, then)(InstanceIds=[instance_id])
    again = launch(ec2)
    assert ids(again) == ids(first)
    assert again["Instances"][0]["State"]["Name"] == {"stop_instances": "stopped", "terminate_instances": "terminated"}[then]
    assert instance_count(ec2) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"InstanceType": "m5.large"},
        {"ImageId": "ami-12c6146b"},
        {"MaxCount": 2},
        {"KeyName": "other"},
        {"TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "hubfix:migration-run", "Value": "run-2"}]}]},
        {"MetadataOptions": {"HttpTokens": "required"}},
    ],
)
def test_same_token_other_parameters_is_refused(ec2, patched, changed):
    patched(PATCH)
    ec2.create_key_pair(KeyName="other")
    launch(ec2)
    with pytest.raises(ClientError) as err:
        launch(ec2, **changed)
    assert err.value.response["Error"] == {"Code": "IdempotentParameterMismatch", "Message": patch.MISMATCH_MESSAGE}
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert instance_count(ec2) == 1


def test_subnet_and_security_groups_are_compared(ec2, patched):
    patched(PATCH)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    other_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    other_group = ec2.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    first = launch(ec2, SubnetId=subnet, SecurityGroupIds=[group])
    assert ids(launch(ec2, SubnetId=subnet, SecurityGroupIds=[group])) == ids(first)
    for changed in ({"SubnetId": other_subnet, "SecurityGroupIds": [group]}, {"SubnetId": subnet, "SecurityGroupIds": [other_group]}):
        with pytest.raises(ClientError) as err:
            launch(ec2, **changed)
        assert err.value.response["Error"]["Code"] == "IdempotentParameterMismatch"
    assert instance_count(ec2) == 1


def test_availability_zone_is_not_compared(ec2, patched):
    patched(PATCH)
    first = launch(ec2, Placement={"AvailabilityZone": "us-east-1a"})
    assert ids(launch(ec2, Placement={"AvailabilityZone": "us-east-1b"})) == ids(first)
    assert ids(launch(ec2)) == ids(first)


def test_tokens_are_per_region(ec2, patched):
    patched(PATCH)
    west = boto3.client("ec2", region_name="us-west-2")
    assert ids(launch(ec2)) != ids(launch(west))
    assert (instance_count(ec2), instance_count(west)) == (1, 1)


def test_dry_run_registers_no_token(ec2, patched):
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        launch(ec2, InstanceType="m5.large", DryRun=True)
    assert err.value.response["Error"]["Code"] == "DryRunOperation"
    assert launch(ec2)["Instances"][0]["InstanceType"] == "t3.micro"  # not a mismatch with the dry run
    with pytest.raises(ClientError) as err:
        launch(ec2, DryRun=True)  # a dry run never answers the registered reservation
    assert err.value.response["Error"]["Code"] == "DryRunOperation"
    assert instance_count(ec2) == 1


def test_failed_request_registers_no_token(ec2, patched):
    patched(PATCH)
    profile = {"Name": "hubfix-role"}
    with pytest.raises(ClientError):
        launch(ec2, IamInstanceProfile=profile)  # the instance profile does not exist yet
    assert instance_count(ec2) == 0
    boto3.client("iam", region_name="us-east-1").create_instance_profile(InstanceProfileName="hubfix-role")
    first = launch(ec2, IamInstanceProfile=profile)
    assert ids(launch(ec2, IamInstanceProfile=profile)) == ids(first)
    assert instance_count(ec2) == 1


def test_concurrent_requests_with_one_token_launch_once(ec2, patched, slow_launch):
    patched(PATCH)
    answers = concurrently([lambda c=c: launch(c) for c in clients()])
    assert not [a for a in answers if isinstance(a, ClientError)]
    assert len({ids(a) for a in answers}) == 1
    assert instance_count(ec2) == 1


def test_concurrent_requests_with_one_token_and_two_parameter_sets(ec2, patched, slow_launch):
    """Whichever request launches first wins; the same parameters get its reservation, the others a mismatch."""
    patched(PATCH)
    types = ["t3.micro", "t3.small"] * (THREADS // 2)
    answers = concurrently([lambda c=c, t=t: launch(c, InstanceType=t) for c, t in zip(clients(), types, strict=True)])
    launched = [a for a in answers if not isinstance(a, ClientError)]
    refused = [a for a in answers if isinstance(a, ClientError)]
    assert len({ids(a)[0] for a in launched}) == 1
    winner = launched[0]["Instances"][0]["InstanceType"]
    assert [a["Instances"][0]["InstanceType"] for a in launched] == [winner] * (THREADS // 2)
    assert [e.response["Error"]["Code"] for e in refused] == ["IdempotentParameterMismatch"] * (THREADS // 2)
    assert instance_count(ec2) == 1


def test_concurrent_requests_with_distinct_tokens_all_launch(ec2, patched, slow_launch):
    patched(PATCH)
    answers = concurrently([lambda c=c, n=n: launch(c, token=f"token-{n}") for n, c in enumerate(clients())])
    assert len({ids(a)[0] for a in answers}) == THREADS
    assert instance_count(ec2) == THREADS


def test_with_every_simulator_patch(ec2, patched):
    """Applied with the others in ``apply_all`` order (it wraps the placement group and API protection patches and is
    wrapped by the instance store and virtualization ones), a repeat still answers the original reservation."""
    for name in patches.PATCH_MODULES:
        patched(name)
    ec2.create_placement_group(GroupName="pg", Strategy="spread")
    first = launch(ec2, Placement={"GroupName": "pg"}, DisableApiTermination=True)
    again = launch(ec2, Placement={"GroupName": "pg"}, DisableApiTermination=True)
    assert ids(again) == ids(first)
    assert again["Instances"][0]["Placement"]["GroupName"] == "pg"
    with pytest.raises(ClientError) as err:
        launch(ec2, ImageId="ami-8104a4f8")  # paravirtual on t3.micro: refused before the token is looked at
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert instance_count(ec2) == 1


def test_launch_parameters_leave_out_token_dry_run_and_zone():
    params = {"ImageId": AMI, "ClientToken": "t", "DryRun": False, "Placement": {"AvailabilityZone": "us-east-1a", "Tenancy": "dedicated"}}
    assert patch.launch_parameters(params) == {"ImageId": AMI, "Placement": {"Tenancy": "dedicated"}}
    assert patch.launch_parameters({"ImageId": AMI, "Placement": {"AvailabilityZone": "us-east-1a"}}) == {"ImageId": AMI}


def test_undo_restores_moto(ec2):
    patches.apply(PATCH)()
    assert ids(launch(ec2)) != ids(launch(ec2))
