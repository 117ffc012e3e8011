"""Simulator patch ``ec2_instance_api_protection``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html,
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-stop-protection.html): RunInstances ``DisableApiTermination`` /
``DisableApiStop`` (or the launch template's) set the attributes; StopInstances on a stop-protected instance fails with
``OperationNotPermitted`` "... may not be stopped ...", TerminateInstances on a termination-protected one with
``OperationNotPermitted`` "... may not be terminated ..."; a failed request changes none of its instances. moto 5.2.5
ignores DisableApiTermination at launch, words the stop error as a termination error and acts on the instances listed
before the protected one.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_instance_api_protection"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


def launch(ec2, **kwargs) -> str:
    return ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, **kwargs)["Instances"][0]["InstanceId"]


def attribute(ec2, instance_id, name) -> bool:
    key = name[0].upper() + name[1:]
    return ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=name)[key]["Value"]


def state(ec2, instance_id) -> str:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return {"code": err.value.response["Error"]["Code"], "message": err.value.response["Error"]["Message"]}


def test_plain_moto_ignores_termination_protection_at_launch(ec2):
    instance = launch(ec2, DisableApiTermination=True)
    assert attribute(ec2, instance, "disableApiTermination") is False  # AWS: True
    ec2.terminate_instances(InstanceIds=[instance])  # AWS: OperationNotPermitted
    assert state(ec2, instance) == "terminated"


def test_plain_moto_stop_error_speaks_of_termination_and_is_not_atomic(ec2):
    free, protected = launch(ec2), launch(ec2, DisableApiStop=True)
    err = error_of(ec2.stop_instances, InstanceIds=[free, protected])
    assert "may not be terminated" in err["message"]  # AWS: "may not be stopped"
    assert state(ec2, free) == "stopped"  # AWS: the failed request stops nothing


def test_run_instances_sets_both_protections(ec2, patched):
    patched(PATCH)
    instance = launch(ec2, DisableApiTermination=True, DisableApiStop=True)
    assert attribute(ec2, instance, "disableApiTermination") is True
    assert attribute(ec2, instance, "disableApiStop") is True
    plain = launch(ec2)
    assert attribute(ec2, plain, "disableApiTermination") is False and attribute(ec2, plain, "disableApiStop") is False


def test_protections_from_launch_template(ec2, patched):
    patched(PATCH)
    ec2.create_launch_template(LaunchTemplateName="protected", LaunchTemplateData={"ImageId": HVM_AMI, "DisableApiTermination": True, "DisableApiStop": True})
    instance = launch(ec2, LaunchTemplate={"LaunchTemplateName": "protected"})
    assert attribute(ec2, instance, "disableApiTermination") is True and attribute(ec2, instance, "disableApiStop") is True
    # the request wins over the template
    instance = launch(ec2, LaunchTemplate={"LaunchTemplateName": "protected"}, DisableApiTermination=False)
    assert attribute(ec2, instance, "disableApiTermination") is False and attribute(ec2, instance, "disableApiStop") is True


def test_protected_instance_refuses_terminate_and_stop(ec2, patched):
    patched(PATCH)
    instance = launch(ec2, DisableApiTermination=True, DisableApiStop=True)
    err = error_of(ec2.terminate_instances, InstanceIds=[instance])
    assert err == {
        "code": "OperationNotPermitted",
        "message": f"The instance '{instance}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.",
    }
    err = error_of(ec2.stop_instances, InstanceIds=[instance], Force=True)
    assert err == {
        "code": "OperationNotPermitted",
        "message": f"The instance '{instance}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.",
    }
    assert state(ec2, instance) == "running"
    assert error_of(ec2.stop_instances, InstanceIds=[instance], DryRun=True)["code"] == "DryRunOperation"


def test_failed_request_changes_no_instance(ec2, patched):
    patched(PATCH)
    free, protected = launch(ec2), launch(ec2, DisableApiTermination=True, DisableApiStop=True)
    error_of(ec2.stop_instances, InstanceIds=[free, protected])
    error_of(ec2.terminate_instances, InstanceIds=[free, protected])
    assert state(ec2, free) == "running" and state(ec2, protected) == "running"


def test_modify_instance_attribute_turns_protection_off_and_on(ec2, patched):
    patched(PATCH)
    instance = launch(ec2, DisableApiTermination=True, DisableApiStop=True)
    ec2.modify_instance_attribute(InstanceId=instance, DisableApiStop={"Value": False})
    ec2.stop_instances(InstanceIds=[instance])
    assert state(ec2, instance) == "stopped"
    # the Attribute/Value form stores the string "true": still a protection
    ec2.modify_instance_attribute(InstanceId=instance, Attribute="disableApiStop", Value="true")
    ec2.start_instances(InstanceIds=[instance])
    assert error_of(ec2.stop_instances, InstanceIds=[instance])["code"] == "OperationNotPermitted"
    ec2.modify_instance_attribute(InstanceId=instance, DisableApiTermination={"Value": False})
    ec2.terminate_instances(InstanceIds=[instance])
    assert state(ec2, instance) == "terminated"


def test_undo_restores_moto(ec2):
    from tests.simulator import patches

    patches.apply(PATCH)()
    instance = launch(ec2, DisableApiTermination=True)
    assert attribute(ec2, instance, "disableApiTermination") is False
