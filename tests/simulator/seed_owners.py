"""The ``owners`` estate: AutoScaling.3 failures that someone else owns, beside plain ones (issue 10).

us-east-1:

- CloudFormation stack ``web-stack`` (YAML template): launch configuration ``WebLaunchConfig`` (no MetadataOptions, image
  from a parameter, security group of the stack, user data) and group ``WebGroup`` (desired 0) on it.
- Elastic Beanstalk environment ``shop-prod`` (application ``shop``): its ``awseb-...`` stack's group on a launch configuration.
- Terraform: launch configuration ``tf-web-lc`` and group ``tf-web-asg``, in the state ``s3://hubfix-tfstate/prod/terraform.tfstate``
  (format version 4, module ``module.web``).
- Tagged tool: group ``pulumi-asg`` (tag ``ManagedBy=pulumi``) on launch configuration ``pulumi-lc``.
- Plain: ``plain-asg`` (desired 1) on ``plain-lc``, with a launch template ``plain-lc`` hubfix did not make (a same-name
  template it must leave alone); ``empty-asg`` (desired 0) on ``empty-lc``; ``spaced-asg`` (desired 0) on the launch
  configuration ``legacy web (2019)``, whose name is not a valid template name.
"""

from __future__ import annotations

import json
import time

from tests.simulator import ACCOUNT_ID
from tests.simulator import client as _client

US = "us-east-1"
HVM_AMI = "ami-760aaa0f"
TF_BUCKET, TF_KEY = "hubfix-tfstate", "prod/terraform.tfstate"
TF_STATE_URL = "s3://%s/%s" % (TF_BUCKET, TF_KEY)
OWNER_TAGS = {"ManagedBy": "pulumi"}

WEB_STACK_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: web tier (owned by CloudFormation)
Parameters:
  ImageId:
    Type: String
    Default: ami-760aaa0f
Resources:
  WebSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
  WebLaunchConfig:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: !Ref ImageId
      InstanceType: t3.micro
      SecurityGroups: [!Ref WebSecurityGroup]
      UserData: !Base64 |
        #!/bin/bash
        echo web > /tmp/role
  WebGroup:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      AvailabilityZones: [us-east-1a]
      LaunchConfigurationName: !Ref WebLaunchConfig
      MinSize: '0'
      MaxSize: '2'
      DesiredCapacity: '0'
Outputs:
  LaunchConfig:
    Value: !Ref WebLaunchConfig
"""

OWNED_PLAIN = {
    # launch configuration -> (group, desired, extra group tags)
    "tf-web-lc": ("tf-web-asg", 0, {}),
    "pulumi-lc": ("pulumi-asg", 0, {"ManagedBy": "pulumi"}),
    "plain-lc": ("plain-asg", 1, {}),
    "empty-lc": ("empty-asg", 0, {}),
    "legacy web (2019)": ("spaced-asg", 0, {}),
}


def terraform_state(lc_arn: str, group_arn: str) -> dict:
    """A Terraform (format version 4) state holding tf-web-lc and tf-web-asg in module.web, and a data source."""
    return {
        "version": 4,
        "terraform_version": "1.5.7",
        "serial": 12,
        "lineage": "5f2c6a0e-hubfix-owners-estate",
        "outputs": {},
        "resources": [
            {
                "module": "module.web",
                "mode": "data",
                "type": "aws_ami",
                "name": "base",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"schema_version": 0, "attributes": {"id": HVM_AMI}}],
            },
            {
                "module": "module.web",
                "mode": "managed",
                "type": "aws_launch_configuration",
                "name": "this",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"schema_version": 0, "attributes": {"id": "tf-web-lc", "name": "tf-web-lc", "arn": lc_arn, "image_id": HVM_AMI}}],
            },
            {
                "module": "module.web",
                "mode": "managed",
                "type": "aws_autoscaling_group",
                "name": "this",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {"schema_version": 0, "attributes": {"id": "tf-web-asg", "name": "tf-web-asg", "arn": group_arn, "launch_configuration": "tf-web-lc"}}
                ],
            },
        ],
    }


def _wait_ready(eb, name: str) -> None:
    for _attempt in range(30):
        (env,) = eb.describe_environments(EnvironmentNames=[name])["Environments"]
        if env["Status"] == "Ready":
            return
        time.sleep(0.2)
    raise RuntimeError("Elastic Beanstalk environment %s never became Ready" % name)


def build(endpoint: str) -> dict:
    """Create the estate; returns its names (launch configurations and groups by owner, the state file URL)."""
    autoscaling, ec2 = _client(endpoint, "autoscaling", US), _client(endpoint, "ec2", US)
    cfn, eb, s3 = _client(endpoint, "cloudformation", US), _client(endpoint, "elasticbeanstalk", US), _client(endpoint, "s3", US)

    cfn.create_stack(StackName="web-stack", TemplateBody=WEB_STACK_TEMPLATE)
    eb.create_application(ApplicationName="shop")
    eb.create_environment(ApplicationName="shop", EnvironmentName="shop-prod", SolutionStackName="64bit Amazon Linux 2023 v4.6.0 running Python 3.12")
    _wait_ready(eb, "shop-prod")

    for lc, (group, desired, tags) in OWNED_PLAIN.items():
        autoscaling.create_launch_configuration(LaunchConfigurationName=lc, ImageId=HVM_AMI, InstanceType="t3.micro")
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=group,
            LaunchConfigurationName=lc,
            MinSize=0,
            MaxSize=2,
            DesiredCapacity=desired,
            AvailabilityZones=["us-east-1a"],
            Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True, "ResourceId": group, "ResourceType": "auto-scaling-group"} for k, v in tags.items()],
        )
    ec2.create_launch_template(LaunchTemplateName="plain-lc", LaunchTemplateData={"ImageId": HVM_AMI, "InstanceType": "t3.nano"})

    lc_arn = autoscaling.describe_launch_configurations(LaunchConfigurationNames=["tf-web-lc"])["LaunchConfigurations"][0]["LaunchConfigurationARN"]
    group_arn = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["tf-web-asg"])["AutoScalingGroups"][0]["AutoScalingGroupARN"]
    s3.create_bucket(Bucket=TF_BUCKET)
    s3.put_object(Bucket=TF_BUCKET, Key=TF_KEY, Body=json.dumps(terraform_state(lc_arn, group_arn)).encode())

    groups = {g["AutoScalingGroupName"]: g for g in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]}
    tags = {name: {t["Key"]: t["Value"] for t in g["Tags"]} for name, g in groups.items()}
    web = next(n for n, t in tags.items() if t.get("aws:cloudformation:stack-name") == "web-stack")
    shop = next(n for n, t in tags.items() if "elasticbeanstalk:environment-name" in t)
    return {
        "account_id": ACCOUNT_ID,
        "regions": [US],
        "terraform_state_file": TF_STATE_URL,
        "owner_tags": dict(OWNER_TAGS),
        "groups": {
            "cloudformation": web,
            "elastic_beanstalk": shop,
            "terraform": "tf-web-asg",
            "tag": "pulumi-asg",
            "plain": ["plain-asg", "empty-asg", "spaced-asg"],
        },
        "launch_configurations": {
            "cloudformation": groups[web]["LaunchConfigurationName"],
            "elastic_beanstalk": groups[shop]["LaunchConfigurationName"],
            "terraform": "tf-web-lc",
            "tag": "pulumi-lc",
            "plain": ["plain-lc", "empty-lc", "legacy web (2019)"],
        },
    }
