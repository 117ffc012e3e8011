"""Simulator patch ``ec2_instance_credit_specification``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html): RunInstances
``CreditSpecification.CpuCredits`` sets the CPU credit option of a burstable instance; the default is "standard" for T2
and "unlimited" for T3, T3a and T4g; DescribeInstanceCreditSpecifications reports it. moto 5.2.5 ignores the request
and answers "standard" for every instance.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "ec2_instance_credit_specification"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


def launch(ec2, instance_type, **kwargs) -> str:
    return ec2.run_instances(ImageId=HVM_AMI, InstanceType=instance_type, MinCount=1, MaxCount=1, **kwargs)["Instances"][0]["InstanceId"]


def credits(ec2, instance_id) -> str:
    return ec2.describe_instance_credit_specifications(InstanceIds=[instance_id])["InstanceCreditSpecifications"][0]["CpuCredits"]


def test_plain_moto_ignores_the_credit_option(ec2):
    assert credits(ec2, launch(ec2, "t3.micro", CreditSpecification={"CpuCredits": "unlimited"})) == "standard"  # AWS: unlimited
    assert credits(ec2, launch(ec2, "t3.micro")) == "standard"  # AWS: unlimited (the T3 default)


def test_the_requested_option_is_kept(ec2, patched):
    patched(PATCH)
    assert credits(ec2, launch(ec2, "t3.micro", CreditSpecification={"CpuCredits": "standard"})) == "standard"
    assert credits(ec2, launch(ec2, "t2.micro", CreditSpecification={"CpuCredits": "unlimited"})) == "unlimited"


@pytest.mark.parametrize(("instance_type", "default"), [("t2.micro", "standard"), ("t3.small", "unlimited"), ("t3a.small", "unlimited")])
def test_the_default_depends_on_the_family(ec2, patched, instance_type, default):
    patched(PATCH)
    assert credits(ec2, launch(ec2, instance_type)) == default
