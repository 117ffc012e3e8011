"""The request-log parser names each recorded AWS operation and says whether it mutates."""

from __future__ import annotations

import base64
import json

from tests.simulator.calls import is_mutating, parse_entry, parse_recording, summarize

AUTH = "AWS4-HMAC-SHA256 Credential=testing/20261123/{region}/{service}/aws4_request, SignedHeaders=host, Signature=x"


def entry(service, body="", method="POST", url="/", region="us-east-1", headers=None, encoded=False):
    h = {"Authorization": AUTH.format(region=region, service=service)}
    h.update(headers or {})
    if encoded:
        body = base64.b64encode(body.encode()).decode()
    return {"method": method, "url": f"http://127.0.0.1:5000{url}", "headers": h, "body": body, "body_encoded": encoded}


def test_query_protocol_action_and_region():
    call = parse_entry(entry("ec2", "Action=DescribeInstances&Version=2016-11-15&MaxResults=1000", region="eu-west-1"))
    assert (call.service, call.region, call.operation, call.mutating) == ("ec2", "eu-west-1", "DescribeInstances", False)
    assert call.param("MaxResults") == "1000"


def test_base64_body_is_decoded():
    call = parse_entry(entry("autoscaling", "Action=DeleteLaunchConfiguration&LaunchConfigurationName=x", encoded=True))
    assert call.operation == "DeleteLaunchConfiguration" and call.mutating


def test_dry_run_probe_is_not_mutating():
    call = parse_entry(entry("ec2", "Action=StopInstances&InstanceId.1=i-1&DryRun=true"))
    assert call.operation == "StopInstances" and call.dry_run and not call.mutating


def test_json_target_header():
    call = parse_entry(entry("monitoring", "{}", headers={"X-Amz-Target": "GraniteServiceVersion20100801.GetMetricData"}))
    assert call.operation == "GetMetricData" and not call.mutating


def test_cbor_operation_path():
    call = parse_entry(entry("monitoring", "", url="/service/GraniteServiceVersion20100801/operation/PutMetricData"))
    assert call.operation == "PutMetricData" and call.mutating


def test_rest_json_security_hub():
    assert parse_entry(entry("securityhub", "{}", url="/findings")).operation == "GetFindings"
    update = parse_entry(entry("securityhub", "{}", method="PATCH", url="/findings/batchupdate"))
    assert update.operation == "BatchUpdateFindings" and update.mutating


def test_simulator_own_api_is_ignored():
    assert parse_entry(entry("", "", url="/moto-api/reset")) is None


def test_mutating_rule():
    assert not is_mutating("DescribeVolumes") and not is_mutating("GetFindings") and not is_mutating("ListTagsForResource")
    assert not is_mutating("AssumeRole")  # issues credentials, changes no resource
    assert is_mutating("CreateSnapshot") and is_mutating("BatchImportFindings") and is_mutating("UpdateAutoScalingGroup")


def test_parse_recording_and_summary():
    text = "\n".join(
        json.dumps(e)
        for e in [
            entry("ec2", "Action=DescribeInstances"),
            entry("ec2", "Action=DescribeInstances"),
            entry("ec2", "Action=CreateTags"),
            entry("", "", url="/moto-api/data.json", method="GET"),
        ]
    )
    calls = parse_recording(text + "\n\n")
    assert summarize(calls) == {"ec2:CreateTags": 1, "ec2:DescribeInstances": 2}
    assert [c.operation for c in calls if c.mutating] == ["CreateTags"]


def test_s3_rest_calls_are_named_by_method_and_path():
    get = parse_entry(entry("s3", method="GET", url="/hubfix-tfstate/prod/terraform.tfstate"))
    put = parse_entry(entry("s3", "{}", method="PUT", url="/hubfix-tfstate/prod/terraform.tfstate"))
    bucket = parse_entry(entry("s3", method="PUT", url="/hubfix-tfstate"))
    assert (get.operation, get.mutating) == ("GetObject", False)
    assert (put.operation, put.mutating) == ("PutObject", True)
    assert (bucket.operation, bucket.mutating) == ("CreateBucket", True)
