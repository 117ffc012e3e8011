"""Security Hub findings (ASFF) and their EventBridge events, as tests build them."""

from __future__ import annotations

ACCOUNT = "123456789012"


def finding(control="AutoScaling.3", name="lc-web", status="FAILED", record="ACTIVE", workflow="NEW", region="us-east-1", account=ACCOUNT):
    if control == "EC2.24":
        resource = {"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:%s:%s:instance/%s" % (region, account, name), "Region": region}
    elif control == "AutoScaling.9":
        resource = {
            "Type": "AwsAutoScalingAutoScalingGroup",
            "Id": "arn:aws:autoscaling:%s:%s:autoScalingGroup:0f0e-1:autoScalingGroupName/%s" % (region, account, name),
            "Region": region,
            "Details": {"AwsAutoScalingAutoScalingGroup": {"LaunchConfigurationName": "lc-of-" + name}},
        }
    else:
        resource = {
            "Type": "AwsAutoScalingLaunchConfiguration",
            "Id": "arn:aws:autoscaling:%s:%s:launchConfiguration:0f0e-1:launchConfigurationName/%s" % (region, account, name),
            "Region": region,
        }
    return {
        "SchemaVersion": "2018-10-08",
        "Id": "arn:aws:securityhub:%s:%s:security-control/%s/finding/%s" % (region, account, control, name),
        "ProductArn": "arn:aws:securityhub:%s::product/aws/securityhub" % region,
        "GeneratorId": "security-control/" + control,
        "AwsAccountId": account,
        "Region": region,
        "Title": "title",
        "UpdatedAt": "2026-12-01T00:00:00.000Z",
        "Compliance": {"Status": status, "SecurityControlId": control},
        "RecordState": record,
        "Workflow": {"Status": workflow},
        "Resources": [resource],
    }


def bridge(*findings):
    return {"detail-type": "Security Hub Findings - Imported", "source": "aws.securityhub", "detail": {"findings": list(findings)}}
