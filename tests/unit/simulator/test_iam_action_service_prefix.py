"""With IAM enforcement on, CloudWatch calls are authorised as cloudwatch:<Operation> (the IAM prefix), not monitoring:<Operation>.

AWS: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
"""

from __future__ import annotations

import datetime
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import set_initial_no_auth_action_count

PATCH = "iam_action_service_prefix"


def user_client(service, action):
    """A client acting as a new IAM user allowed exactly ``action`` (3 unauthenticated IAM calls create it)."""
    iam = boto3.client("iam")
    iam.create_user(UserName="u")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [action], "Resource": "*"}]}
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="u")["AccessKey"]
    return boto3.client(service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def get_metric_data(cloudwatch):
    now = datetime.datetime.now(datetime.UTC)
    query = {"Id": "q", "MetricStat": {"Metric": {"Namespace": "AWS/EC2", "MetricName": "MetadataNoToken"}, "Period": 60, "Stat": "Sum"}}
    return cloudwatch.get_metric_data(MetricDataQueries=[query], StartTime=now - datetime.timedelta(hours=1), EndTime=now)


@set_initial_no_auth_action_count(3)
def test_cloudwatch_action_is_authorised_by_its_iam_prefix(moto_aws, patched):
    patched(PATCH)
    results = get_metric_data(user_client("cloudwatch", "cloudwatch:GetMetricData"))["MetricDataResults"]
    assert [(r["Id"], r["StatusCode"], r["Values"]) for r in results] == [("q", "Complete", [])]


@set_initial_no_auth_action_count(3)
def test_the_signing_name_no_longer_grants_it(moto_aws, patched):
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        get_metric_data(user_client("cloudwatch", "monitoring:GetMetricData"))
    assert "cloudwatch:GetMetricData" in str(err.value)


@set_initial_no_auth_action_count(3)
def test_other_services_keep_their_prefix(moto_aws, patched):
    patched(PATCH)
    ec2 = user_client("ec2", "ec2:DescribeRegions")
    assert ec2.describe_regions()["Regions"]
    with pytest.raises(ClientError) as err:
        ec2.describe_instances()
    assert "ec2:DescribeInstances" in str(err.value)


@set_initial_no_auth_action_count(3)
def test_without_the_patch_moto_checks_the_signing_name(moto_aws):
    with pytest.raises(ClientError) as err:
        get_metric_data(user_client("cloudwatch", "cloudwatch:GetMetricData"))
    assert "monitoring:GetMetricData" in str(err.value)
