# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether instances still make IMDSv1 (token-less) metadata calls: the CloudWatch metric ``AWS/EC2 MetadataNoToken``,
one Sum per instance and day, read with GetMetricData (500 queries a call)."""

from __future__ import annotations

import datetime

METRIC_NAMESPACE = "AWS/EC2"
METRIC_NAME = "MetadataNoToken"
METRIC_QUERIES_PER_CALL = 500
# CloudWatch keeps one-day data points 455 days.
MAX_DAYS = 455


def metric_queries(instance_ids, period):
    """GetMetricData queries: the Sum of MetadataNoToken per instance (ids q0, q1, ... in the order given)."""
    return [
        {
            "Id": "q%d" % i,
            "Label": instance_id,
            "MetricStat": {
                "Metric": {"Namespace": METRIC_NAMESPACE, "MetricName": METRIC_NAME, "Dimensions": [{"Name": "InstanceId", "Value": instance_id}]},
                "Period": period,
                "Stat": "Sum",
            },
            "ReturnData": True,
        }
        for i, instance_id in enumerate(instance_ids)
    ]


def usage_window(days, now=None):
    """``(start, end, period)`` for ``days`` days up to now; one data point per day (period 86400 s)."""
    end = now or datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - also Python < 3.11
    end = end.replace(second=0, microsecond=0)
    return end - datetime.timedelta(days=days), end, 86400


def summarize_usage(instance_ids, results):
    """Per-instance IMDSv1 call counts from GetMetricDataResults (matched by query id)."""
    totals = {instance_id: 0.0 for instance_id in instance_ids}
    points = {instance_id: 0 for instance_id in instance_ids}
    ids = {"q%d" % i: instance_id for i, instance_id in enumerate(instance_ids)}
    for r in results:
        instance_id = ids.get(r.get("Id"))
        if instance_id is None:
            continue
        values = r.get("Values") or []
        totals[instance_id] += float(sum(values))
        points[instance_id] += len(values)
    instances = [
        {"instance_id": i, "metadata_no_token": int(totals[i]) if totals[i].is_integer() else totals[i], "datapoints": points[i]} for i in instance_ids
    ]
    total = sum(totals.values())
    return {
        "instances": instances,
        "metadata_no_token_total": int(total) if float(total).is_integer() else total,
        "imdsv1_used": total > 0,
        "instances_using_imdsv1": [i["instance_id"] for i in instances if i["metadata_no_token"] > 0],
    }
