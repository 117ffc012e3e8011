"""Simulator patch ``ec2_tags_concurrent_access``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html): CreateTags, DeleteTags and reads of the
same resources' tags may run at the same time; every call succeeds and the last writer wins. moto 5.2.5's writes behave,
but a read that walks a resource's tags while a write adds or removes one of them fails with ``RuntimeError: dictionary
changed size during iteration`` (HTTP 500 from moto server).

The tests release 8 threads (one boto3 client each) together against moto in-process. ``slow_tag_reads`` makes moto's
``describe_tags`` take 1 ms per tag it returns (it is inside the loop over a resource's tags), so reads overlap the writes
every time: plain moto then fails reads deterministically.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.simulator import patches

PATCH = "ec2_tags_concurrent_access"
AMI = "ami-760aaa0f"
THREADS = 8
ROUNDS = 5


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


@pytest.fixture
def instances(ec2):
    reservation = ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3)
    ids = [i["InstanceId"] for i in reservation["Instances"]]
    ec2.create_tags(Resources=ids, Tags=[{"Key": f"base-{n}", "Value": "x"} for n in range(20)])
    return ids


@pytest.fixture
def slow_tag_reads(monkeypatch):
    from moto.ec2.models import tags

    original = tags.get_prefix

    def get_prefix(resource_id):
        time.sleep(0.001)
        return original(resource_id)

    monkeypatch.setattr(tags, "get_prefix", get_prefix)


def clients():
    """One client per thread (one session: its loader cache makes them quick to build)."""
    session = boto3.session.Session()
    return [session.client("ec2", region_name="us-east-1") for _thread in range(THREADS)]


def mixed_load(ids):
    """4 writers (CreateTags then DeleteTags of their own keys and of ``owner``) and 4 readers (DescribeInstances,
    DescribeTags), ROUNDS each, released together; the errors raised, as (operation, exception type, message)."""
    errors = []
    barrier = threading.Barrier(THREADS)

    def work(args):
        n, client = args
        barrier.wait()
        for r in range(ROUNDS):
            try:
                if n % 2 == 0:
                    client.create_tags(Resources=ids, Tags=[{"Key": "owner", "Value": f"w{n}"}, {"Key": f"w{n}-{r}", "Value": "x"}])
                    client.delete_tags(Resources=ids, Tags=[{"Key": f"w{n}-{r}"}])
                elif n % 4 == 1:
                    client.describe_instances(InstanceIds=ids)
                else:
                    client.describe_tags(Filters=[{"Name": "resource-id", "Values": ids}])
            except Exception as err:  # in-process, moto's own failures reach the caller unchanged
                message = err.response["Error"]["Message"] if isinstance(err, ClientError) else str(err)
                errors.append(("write" if n % 2 == 0 else "read", type(err).__name__, message))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, enumerate(clients())))
    return errors


def owners(client, ids):
    tags = client.describe_tags(Filters=[{"Name": "resource-id", "Values": ids}, {"Name": "key", "Values": ["owner"]}])["Tags"]
    return {t["ResourceId"]: t["Value"] for t in tags}


def test_plain_moto_reads_fail_while_tags_are_written(ec2, instances, slow_tag_reads):
    errors = mixed_load(instances)
    assert errors  # AWS: none
    assert {(operation, kind) for operation, kind, _message in errors} == {("read", "RuntimeError")}
    assert all("changed size during iteration" in message or "keys changed during iteration" in message for _operation, _kind, message in errors)


def test_reads_and_writes_at_once_all_succeed(ec2, instances, patched, slow_tag_reads):
    patched(PATCH)
    assert mixed_load(instances) == []
    final = owners(ec2, instances)
    assert set(final) == set(instances)
    assert set(final.values()) <= {f"w{n}" for n in range(0, THREADS, 2)}
    remaining = {t["Key"] for t in ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": instances}])["Tags"]}
    assert remaining == {"owner"} | {f"base-{n}" for n in range(20)}  # every writer's own keys were deleted again


def test_concurrent_create_tags_last_writer_wins(ec2, instances, patched):
    patched(PATCH)
    barrier = threading.Barrier(THREADS)

    def tag(args):
        n, client = args
        barrier.wait()
        client.create_tags(Resources=instances, Tags=[{"Key": "owner", "Value": f"w{n}"}])

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(tag, enumerate(clients())))
    final = owners(ec2, instances)
    assert set(final) == set(instances)
    assert len(set(final.values())) == 1  # one CreateTags applied last, to every resource it named
    assert final[instances[0]] in {f"w{n}" for n in range(THREADS)}


def test_concurrent_delete_tags_of_one_key(ec2, instances, patched):
    patched(PATCH)
    barrier = threading.Barrier(THREADS)

    def untag(client):
        barrier.wait()
        client.delete_tags(Resources=instances, Tags=[{"Key": f"base-{n}"} for n in range(20)])

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(untag, clients()))
    assert ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": instances}])["Tags"] == []


def test_undo_restores_moto(ec2, instances, slow_tag_reads):
    patches.apply(PATCH)()
    assert mixed_load(instances)
