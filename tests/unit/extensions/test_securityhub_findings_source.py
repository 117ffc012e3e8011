"""The ansible-rulebook event source hubfix.aws.securityhub_findings (extensions/eda/plugins/event_source), run the way
ansible-rulebook runs it (by path, main(queue, args)) against moto in-process: SQS messages and a GetFindings poll."""

from __future__ import annotations

import asyncio
import json
import runpy
from pathlib import Path

from tests.asff import bridge, finding

SOURCE = Path(__file__).resolve().parents[3] / ".venv/collections/ansible_collections/hubfix/aws/extensions/eda/plugins/event_source/securityhub_findings.py"


def run_source(args):
    main = runpy.run_path(str(SOURCE))["main"]
    queue = asyncio.Queue()
    asyncio.run(asyncio.wait_for(main(queue, args), 60))
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def test_sqs_messages_become_one_event_per_failing_resource_and_are_deleted(moto_aws):
    import boto3

    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="hubfix-findings")["QueueUrl"]
    for body in (bridge(finding(name="lc-a"), finding(name="lc-ok", status="PASSED")), bridge(finding(control="EC2.24", name="i-0123456789abcdef0"))):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    sqs.send_message(QueueUrl=url, MessageBody="junk")
    events = run_source({"queue_url": url, "stop_when_empty": True, "wait_time": 0})
    assert sorted(e["hubfix"]["id"] for e in events) == ["AutoScaling.3/123456789012/us-east-1/lc-a", "EC2.24/123456789012/us-east-1/i-0123456789abcdef0"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)


def test_without_a_queue_getfindings_is_polled(moto_aws):
    import boto3

    sh = boto3.client("securityhub")
    sh.enable_security_hub()
    now = __import__("datetime").datetime.now(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    imported = [finding(name="lc-polled"), finding(name="lc-fine", status="PASSED")]
    for f in imported:
        f.update(CreatedAt=now, UpdatedAt=now, FirstObservedAt=now, Severity={"Label": "HIGH"}, Types=["Software and Configuration Checks"], Description="d")
    assert sh.batch_import_findings(Findings=imported)["FailedCount"] == 0
    events = run_source({"region": "us-east-1", "stop_when_empty": "true"})
    assert [e["hubfix"]["id"] for e in events] == ["AutoScaling.3/123456789012/us-east-1/lc-polled"]


class FlakySqs:
    """receive_message throttled once, then one message, then nothing; delete_message recorded."""

    def __init__(self, body):
        self.answers = ["throttle", {"Messages": [{"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body}]}, {}]
        self.deleted = []

    def receive_message(self, **_params):
        import botocore.exceptions

        answer = self.answers.pop(0)
        if answer == "throttle":
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "RequestThrottled", "Message": "slow down"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "ReceiveMessage"
            )
        return answer

    def delete_message(self, **params):
        self.deleted.append(params["ReceiptHandle"])


class DeniedSqs(FlakySqs):
    def receive_message(self, **_params):
        import botocore.exceptions

        raise botocore.exceptions.ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "ReceiveMessage"
        )


def run_with(fake, args):
    main = runpy.run_path(str(SOURCE))["main"]
    main.__globals__["_client"] = lambda *_a: fake  # run_path returns a copy of the plugin's globals; main() reads its own
    queue = asyncio.Queue()
    asyncio.run(asyncio.wait_for(main(queue, args), 60))
    return [queue.get_nowait() for _n in range(queue.qsize())]


def test_a_throttled_receive_is_tried_again_and_the_message_still_handled():
    fake = FlakySqs(json.dumps(bridge(finding(name="lc-a"))))
    events = run_with(fake, {"queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "stop_when_empty": True, "wait_time": 0})
    assert [e["hubfix"]["resource_id"] for e in events] == ["lc-a"] and fake.deleted == ["r-1"]


def test_access_denied_ends_the_source_with_the_error():
    import botocore.exceptions
    import pytest

    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        run_with(DeniedSqs("{}"), {"queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "stop_when_empty": True, "wait_time": 0})
