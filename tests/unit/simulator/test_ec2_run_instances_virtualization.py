"""Simulator patch ``ec2_run_instances_virtualization``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html,
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/virtualization_types.html): launching a paravirtual AMI on an
instance type that supports only HVM fails with HTTP 400 ``InvalidParameterCombination`` "Virtualization type 'hvm' is
required for instances of type 't3.micro'. ..."; the instance types that support paravirtual are those whose
DescribeInstanceTypes ``SupportedVirtualizationTypes`` lists it (t1.micro, m1.*, m2.*, m3.*, c1.*, c3.*).
moto 5.2.5 launches any AMI on any type.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.simulator.patches import ec2_run_instances_virtualization as patch

PATCH = "ec2_run_instances_virtualization"
PV_AMI = "ami-8104a4f8"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


def run(client, **kwargs):
    return client.run_instances(MinCount=1, MaxCount=1, **kwargs)["Instances"][0]


def test_moto_data_agrees_with_describe_instance_types(ec2):
    types = ec2.describe_instance_types(InstanceTypes=["t3.micro", "m1.small", "t1.micro"])["InstanceTypes"]
    reported = {t["InstanceType"]: sorted(t["SupportedVirtualizationTypes"]) for t in types}
    assert reported == {name: sorted(patch.supported_virtualization_types(name)) for name in reported}
    assert reported["t3.micro"] == ["hvm"]


def test_plain_moto_launches_pv_ami_on_hvm_only_type(ec2):
    instance = run(ec2, ImageId=PV_AMI, InstanceType="t3.micro")  # AWS: InvalidParameterCombination
    assert (instance["VirtualizationType"], instance["InstanceType"]) == ("paravirtual", "t3.micro")


def test_pv_ami_on_hvm_only_type_is_refused(ec2, patched):
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        run(ec2, ImageId=PV_AMI, InstanceType="t3.micro")
    error = err.value.response["Error"]
    assert error["Code"] == "InvalidParameterCombination"
    assert error["Message"].startswith("Virtualization type 'hvm' is required for instances of type 't3.micro'.")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ec2.describe_instances()["Reservations"] == []


@pytest.mark.parametrize(("image", "instance_type"), [(PV_AMI, "m1.small"), (PV_AMI, "t1.micro"), (HVM_AMI, "t3.micro"), (HVM_AMI, "m1.small")])
def test_supported_combinations_launch(ec2, patched, image, instance_type):
    patched(PATCH)
    assert run(ec2, ImageId=image, InstanceType=instance_type)["InstanceType"] == instance_type


def test_default_instance_type_takes_pv(ec2, patched):
    patched(PATCH)
    assert run(ec2, ImageId=PV_AMI)["VirtualizationType"] == "paravirtual"


def test_launch_template_values_are_checked(ec2, patched):
    patched(PATCH)
    ec2.create_launch_template(LaunchTemplateName="pv", LaunchTemplateData={"ImageId": PV_AMI, "InstanceType": "t3.micro"})
    with pytest.raises(ClientError) as err:
        run(ec2, LaunchTemplate={"LaunchTemplateName": "pv"})
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    # overriding the type in the request makes it valid
    assert run(ec2, LaunchTemplate={"LaunchTemplateName": "pv"}, InstanceType="m3.medium")["InstanceType"] == "m3.medium"


def test_dry_run_still_answers_dry_run_operation(ec2, patched):
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        run(ec2, ImageId=HVM_AMI, InstanceType="t3.micro", DryRun=True)
    assert err.value.response["Error"]["Code"] == "DryRunOperation"


def test_unknown_ami_is_left_to_moto(ec2, patched):
    patched(PATCH)
    assert run(ec2, ImageId="ami-12345678", InstanceType="t3.micro")["InstanceType"] == "t3.micro"


def test_hvm_ami_on_pv_only_type_message():
    """moto's data has no paravirtual-only type; the rule itself covers that direction."""
    message = patch.virtualization_error("hvm", "t1.micro", ["paravirtual"])
    assert message == "Non-Windows instances with a virtualization type of 'hvm' are currently not supported for this instance type."
    assert patch.virtualization_error("hvm", "t1.micro", ["hvm", "paravirtual"]) is None
    assert patch.virtualization_error("paravirtual", "x9.unknown", None) is None


def test_undo_restores_moto(ec2):
    from tests.simulator import patches

    patches.apply(PATCH)()
    assert run(ec2, ImageId=PV_AMI, InstanceType="t3.micro")["VirtualizationType"] == "paravirtual"
