"""hubfix.aws.imdsv1_usage_info: IMDSv1 calls per instance from CloudWatch MetadataNoToken (read-only)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils.imdsv1_usage import metric_queries
from ansible_collections.hubfix.aws.plugins.modules import imdsv1_usage_info as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

A, B = "i-0000000000000000a", "i-0000000000000000b"


def metric(query_id, *values):
    return {"Id": query_id, "Label": query_id, "Timestamps": [r.CREATED] * len(values), "Values": list(values), "StatusCode": "Complete"}


@pytest.fixture
def cloudwatch(aws):
    return aws.stub("cloudwatch")


def expect_metrics(cloudwatch, ids, *results):
    params = {"MetricDataQueries": metric_queries(ids, 86400), "StartTime": r.ANY, "EndTime": r.ANY}
    cloudwatch.add("get_metric_data", {"MetricDataResults": list(results)}, params)


def test_sums_token_less_calls_per_instance(cloudwatch, run):
    expect_metrics(cloudwatch, [A, B], metric("q0", 3.0, 4.0), metric("q1"))

    result = run(module, {"instance_ids": [A, B, A], "days": 7})

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["instances"] == [
        {"instance_id": A, "metadata_no_token": 7, "datapoints": 2},
        {"instance_id": B, "metadata_no_token": 0, "datapoints": 0},
    ]
    assert (result["metadata_no_token_total"], result["imdsv1_used"], result["instances_using_imdsv1"]) == (7, True, [A])
    start, end = (datetime.datetime.fromisoformat(result[k]) for k in ("start_time", "end_time"))
    assert end - start == datetime.timedelta(days=7)


def test_every_call_is_retried_when_throttled(aws, cloudwatch, run):
    aws.throttle_first = True
    expect_metrics(cloudwatch, [A], metric("q0", 1.0))

    assert run(module, {"instance_ids": [A]})["imdsv1_used"] is True


def test_no_datapoints_means_no_imdsv1_call(cloudwatch, run):
    expect_metrics(cloudwatch, [A])

    result = run(module, {"instance_ids": [A]}, check_mode=True)

    assert (result["imdsv1_used"], result["metadata_no_token_total"], result["instances_using_imdsv1"]) == (False, 0, [])


def test_more_than_500_instances_take_one_call_per_500_with_ids_numbered_across_calls(cloudwatch, run):
    ids = ["i-%017x" % n for n in range(501)]
    expect_metrics(cloudwatch, ids[:500], metric("q499", 1.0))
    expect_metrics(cloudwatch, ids[500:], metric("q0", 2.0))

    result = run(module, {"instance_ids": ids})

    assert result["instances_using_imdsv1"] == [ids[499], ids[500]]
    assert result["metadata_no_token_total"] == 3


def test_no_instances_makes_no_call(cloudwatch, run):
    result = run(module, {"instance_ids": []})

    assert (result["instances"], result["imdsv1_used"]) == ([], False)


@pytest.mark.parametrize("days", [0, 456])
def test_days_outside_what_cloudwatch_keeps_is_refused(cloudwatch, run, days):
    result = run(module, {"instance_ids": [A], "days": days}, fails=True)

    assert result["msg"] == "days must be between 1 and 455 (CloudWatch keeps daily data 455 days), got %d" % days


def test_refused_read_fails_naming_the_region(cloudwatch, run):
    cloudwatch.error("get_metric_data", "AccessDenied", "not allowed to GetMetricData")

    result = run(module, {"instance_ids": [A]}, fails=True)

    assert result["msg"].startswith("failed to read the MetadataNoToken metric in us-east-1")
    assert "not allowed to GetMetricData" in result["msg"]
