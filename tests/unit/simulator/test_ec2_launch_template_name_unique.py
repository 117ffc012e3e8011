"""Simulator patch ``ec2_launch_template_name_unique``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html): a launch template
name is unique per account and Region; CreateLaunchTemplate with a name in use fails with HTTP 400
``InvalidLaunchTemplateName.AlreadyExistsException`` "Launch template name already in use.", and of concurrent requests
with one name exactly one succeeds. moto 5.2.5 refuses the duplicate one after the other, but concurrent requests can
all pass its name check (about 1 round in 5 with 8 threads and nothing slowed down).

The concurrency tests release 8 threads (one boto3 client each) together against moto in-process and slow down moto's
template construction (``slow_template``), between its name check and its registration, so that every request is
inside that window: on plain moto all 8 then succeed.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.simulator import patches

PATCH = "ec2_launch_template_name_unique"
AMI = "ami-760aaa0f"
THREADS = 8
ALREADY_EXISTS = {"Code": "InvalidLaunchTemplateName.AlreadyExistsException", "Message": "Launch template name already in use."}


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


@pytest.fixture
def slow_template(monkeypatch):
    from moto.ec2.models.launch_templates import LaunchTemplate

    original = LaunchTemplate.__init__

    def __init__(self, *args, **kwargs):
        time.sleep(0.05)
        original(self, *args, **kwargs)

    monkeypatch.setattr(LaunchTemplate, "__init__", __init__)


def create(client, name="hubfix-web"):
    return client.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"})


def create_concurrently(names):
    """CreateLaunchTemplate from len(names) threads released together: each LaunchTemplateId or the ClientError."""
    session = boto3.session.Session()  # one client per thread; one session's loader cache makes them quick to build
    clients = [session.client("ec2", region_name="us-east-1") for _name in names]
    barrier = threading.Barrier(len(names))

    def run(args):
        client, name = args
        barrier.wait()
        try:
            return create(client, name)["LaunchTemplate"]["LaunchTemplateId"]
        except ClientError as err:
            return err

    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(run, zip(clients, names, strict=True)))


def templates_named(client, name):
    return [t for t in client.describe_launch_templates(MaxResults=200)["LaunchTemplates"] if t["LaunchTemplateName"] == name]


def test_plain_moto_refuses_a_duplicate_name_one_after_the_other(ec2):
    create(ec2)
    with pytest.raises(ClientError) as err:
        create(ec2)
    assert err.value.response["Error"] == ALREADY_EXISTS
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_plain_moto_concurrent_creates_with_one_name_all_succeed(ec2, slow_template):
    answers = create_concurrently(["hubfix-web"] * THREADS)
    assert not [a for a in answers if isinstance(a, ClientError)]  # AWS: one template, 7 AlreadyExists
    assert len(templates_named(ec2, "hubfix-web")) == THREADS


def test_concurrent_creates_with_one_name_create_one(ec2, patched, slow_template):
    patched(PATCH)
    answers = create_concurrently(["hubfix-web"] * THREADS)
    created = [a for a in answers if not isinstance(a, ClientError)]
    refused = [a for a in answers if isinstance(a, ClientError)]
    assert len(created) == 1
    assert [e.response["Error"] for e in refused] == [ALREADY_EXISTS] * (THREADS - 1)
    assert {e.response["ResponseMetadata"]["HTTPStatusCode"] for e in refused} == {400}
    assert [t["LaunchTemplateId"] for t in templates_named(ec2, "hubfix-web")] == created
    described = ec2.describe_launch_templates(LaunchTemplateNames=["hubfix-web"])["LaunchTemplates"]
    assert [t["LaunchTemplateId"] for t in described] == created


def test_concurrent_creates_with_distinct_names_all_succeed(ec2, patched, slow_template):
    patched(PATCH)
    answers = create_concurrently([f"hubfix-{n}" for n in range(THREADS)])
    assert not [a for a in answers if isinstance(a, ClientError)]
    assert len(set(answers)) == THREADS


def test_duplicate_name_one_after_the_other_is_still_refused(ec2, patched):
    patched(PATCH)
    template_id = create(ec2)["LaunchTemplate"]["LaunchTemplateId"]
    with pytest.raises(ClientError) as err:
        create(ec2)
    assert err.value.response["Error"] == ALREADY_EXISTS
    ec2.delete_launch_template(LaunchTemplateId=template_id)
    assert create(ec2)["LaunchTemplate"]["LaunchTemplateId"] != template_id  # the name is free again


def test_undo_restores_moto(ec2, slow_template):
    patches.apply(PATCH)()
    assert len([a for a in create_concurrently(["hubfix-web"] * 2) if not isinstance(a, ClientError)]) == 2
