#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: imdsv1_usage_info
short_description: Whether EC2 instances made IMDSv1 (token-less) metadata calls, from the CloudWatch MetadataNoToken metric
version_added: 0.1.0
description:
  - Sums the C(AWS/EC2) metric C(MetadataNoToken) (calls to the instance metadata service without a token) per instance over
    the last O(days) days with GetMetricData (up to 500 instances per call).
  - Use it before requiring IMDSv2, because software on an instance with IMDSv1 calls breaks once tokens are required.
  - No data points means no IMDSv1 call was recorded (or the instance is too new, or the metric is not published there).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  instance_ids:
    description: Instances to check.
    type: list
    elements: str
    required: true
  days:
    description: How many days back to look.
    type: int
    default: 14
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM actions: cloudwatch:GetMetricData."
"""

EXAMPLES = r"""
- name: Did the instances of asg-web make IMDSv1 calls in the last 14 days?
  hubfix.aws.imdsv1_usage_info:
    instance_ids: "{{ group_instances }}"
    days: 14
  register: usage

- name: Stop if they did
  ansible.builtin.assert:
    that: not usage.imdsv1_used
    fail_msg: "IMDSv1 calls seen on {{ usage.instances_using_imdsv1 | join(', ') }}"
"""

RETURN = r"""
instances:
  description: Per instance, C(instance_id), C(metadata_no_token) (sum over the window) and C(datapoints).
  returned: always
  type: list
  elements: dict
metadata_no_token_total:
  description: Sum over all instances.
  returned: always
  type: float
imdsv1_used:
  description: Whether any IMDSv1 call was recorded.
  returned: always
  type: bool
instances_using_imdsv1:
  description: Instances with at least one IMDSv1 call.
  returned: always
  type: list
  elements: str
start_time:
  description: Start of the window (ISO 8601, UTC).
  returned: always
  type: str
end_time:
  description: End of the window (ISO 8601, UTC).
  returned: always
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import imdsv1_usage as usage
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client, paginate


def metric_results(cloudwatch, instance_ids, start, end, period):
    """GetMetricDataResults for every instance, 500 queries a call, query ids numbered over all calls (q0, q1, ...)."""
    results = []
    for i in range(0, len(instance_ids), usage.METRIC_QUERIES_PER_CALL):
        batch = instance_ids[i : i + usage.METRIC_QUERIES_PER_CALL]
        page = paginate(cloudwatch, "get_metric_data", MetricDataQueries=usage.metric_queries(batch, period), StartTime=start, EndTime=end)
        offset = {"q%d" % n: "q%d" % (n + i) for n in range(len(batch))}
        results += [dict(r, Id=offset.get(r.get("Id"), r.get("Id"))) for r in page.get("MetricDataResults", [])]
    return results


def main():
    argument_spec = dict(instance_ids=dict(type="list", elements="str", required=True), days=dict(type="int", default=14))
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    instance_ids = list(dict.fromkeys(module.params["instance_ids"]))
    days = module.params["days"]
    if not 1 <= days <= usage.MAX_DAYS:
        module.fail_json(msg="days must be between 1 and %d (CloudWatch keeps daily data %d days), got %d" % (usage.MAX_DAYS, usage.MAX_DAYS, days))
    start, end, period = usage.usage_window(days)
    results = []
    if instance_ids:
        with aws_errors_fail(module, "failed to read the MetadataNoToken metric in %s" % module.region):
            results = metric_results(client(module, "cloudwatch"), instance_ids, start, end, period)
    module.exit_json(changed=False, start_time=start.isoformat(), end_time=end.isoformat(), **usage.summarize_usage(instance_ids, results))


if __name__ == "__main__":
    main()
