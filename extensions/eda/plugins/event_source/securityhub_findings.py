# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hubfix.aws.securityhub_findings: an ansible-rulebook event source of Security Hub findings that call for a hubfix
remediation - one event per failing EC2.24 / AutoScaling.3 resource (see module_utils/eda_events.py for the event).

Where the findings come from:
- ``queue_url``: an SQS queue fed by an EventBridge rule on "Security Hub Findings - Imported" (docs/eda.md gives the
  rule, the queue and its policy). Long polling; a message is deleted once its events are queued (a message that holds
  no finding is logged and deleted too: a redrive policy cannot help it).
- no ``queue_url``: GetFindings polled every ``poll_interval`` seconds for the findings updated since the last poll
  (the first poll looks back ``lookback`` seconds), in ``region``.

Arguments:
    queue_url:      the SQS queue URL (rulebook var hubfix_eda_queue_url)
    region:         AWS region (default: the queue URL's region, else the usual AWS_REGION / profile)
    endpoint_url, aws_access_key_id, aws_secret_access_key, aws_session_token, profile: the usual AWS ways
                    (AWS_ENDPOINT_URL, AWS_PROFILE, ... are honoured)
    controls:       controls to make events for (default [EC2.24, AutoScaling.3]; AutoScaling.9 too on request)
    wait_time:      SQS long-poll seconds (default 20)
    poll_interval:  seconds between two GetFindings polls (default 300)
    lookback:       seconds the first GetFindings poll looks back (default 3600)
    stop_when_empty: stop once the queue is empty / after one poll (default false: run forever) - for batch runs

Example:
    - hubfix.aws.securityhub_findings:
        queue_url: "{{ hubfix_eda_queue_url }}"
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import sys
from pathlib import Path


def _add_collections_root():
    """ansible-rulebook runs this file by path: make ``ansible_collections.hubfix.aws`` (and amazon.aws, a dependency
    installed beside it) importable from where it lies."""
    here = Path(os.path.abspath(__file__))
    for parent in here.parents:
        if parent.name == "ansible_collections":
            if str(parent.parent) not in sys.path:
                sys.path.insert(0, str(parent.parent))
            return


_add_collections_root()

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402
from ansible.module_utils.parsing.convert_bool import boolean  # noqa: E402 - rulebook variables from AWX surveys are strings

from ansible_collections.hubfix.aws.plugins.module_utils.clients import THROTTLING_CODES  # noqa: E402
from ansible_collections.hubfix.aws.plugins.module_utils.eda_events import DEFAULT_CONTROLS, MessageError, events_of_findings, findings_of_message  # noqa: E402
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import build_filters  # noqa: E402

UTC = datetime.timezone.utc  # noqa: UP017 - decision environments may run a Python older than 3.11 (no datetime.UTC)
LOGGER = logging.getLogger("hubfix.aws.securityhub_findings")
SQS_BATCH = 10
# botocore retries throttling and 5xx itself (standard mode); what is still failing after that is waited out here, up to
# RETRY_MAX_DELAY seconds between tries: an event source runs for months and must outlive an outage of SQS or the network.
RETRY_CONFIG = botocore.config.Config(retries={"mode": "standard", "max_attempts": 10})
RETRY_MAX_DELAY = 60
TRANSIENT_CODES = tuple(THROTTLING_CODES) + ("RequestThrottled", "ServiceUnavailable", "InternalError")
TRANSIENT_ERRORS = (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)


def _session(args, region):
    return boto3.session.Session(
        aws_access_key_id=args.get("aws_access_key_id"),
        aws_secret_access_key=args.get("aws_secret_access_key"),
        aws_session_token=args.get("aws_session_token"),
        profile_name=args.get("profile"),
        region_name=region,
    )


def _queue_region(queue_url):
    # https://sqs.<region>.amazonaws.com/<account>/<name>
    host = (queue_url.split("//", 1)[-1].split("/", 1)[0]).split(".")
    return host[1] if len(host) > 2 and host[0] == "sqs" else None


def _client(args, service, region):
    kwargs = {"endpoint_url": args["endpoint_url"]} if args.get("endpoint_url") else {}
    return _session(args, region).client(service, config=RETRY_CONFIG, **kwargs)


def _transient(error):
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    if isinstance(error, botocore.exceptions.ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return error.response.get("Error", {}).get("Code") in TRANSIENT_CODES or status >= 500
    return False


async def _call(call, *args, **kwargs):
    """An AWS call in a thread; a transient failure (throttling, 5xx, the network) is logged and tried again with a
    growing delay, any other (AccessDenied, no such queue) ends the source with its message."""
    delay = 1
    while True:
        try:
            return await asyncio.to_thread(call, *args, **kwargs)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            if not _transient(e):
                raise
            LOGGER.warning("%s failed (%s); trying again in %d s", getattr(call, "__name__", "AWS call"), e, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_DELAY)


async def _put(queue, events, skipped, where):
    for item in skipped:
        LOGGER.info("%s: finding %s skipped: %s", where, item["finding_id"], item["reason"])
    for event in events:
        await queue.put(event)


async def _from_queue(queue, args, controls):
    url = args["queue_url"]
    sqs = _client(args, "sqs", args.get("region") or _queue_region(url))
    wait = int(args.get("wait_time", 20))
    while True:
        response = await _call(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=SQS_BATCH, WaitTimeSeconds=wait)
        messages = response.get("Messages") or []
        if not messages and boolean(args.get("stop_when_empty"), strict=False):
            return
        for message in messages:
            try:
                events, skipped = events_of_findings(findings_of_message(message.get("Body")), controls)
            except MessageError as e:
                LOGGER.warning("SQS message %s deleted unread: %s", message.get("MessageId"), e)
                events, skipped = [], []
            await _put(queue, events, skipped, "SQS message %s" % message.get("MessageId"))
            await _call(sqs.delete_message, QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _all_findings(sh, filters):
    pages = sh.get_paginator("get_findings").paginate(Filters=filters, PaginationConfig={"PageSize": 100})
    return [finding for page in pages for finding in page.get("Findings") or []]


async def _from_getfindings(queue, args, controls):
    sh = _client(args, "securityhub", args.get("region"))
    interval = int(args.get("poll_interval", 300))
    since = datetime.datetime.now(UTC) - datetime.timedelta(seconds=int(args.get("lookback", 3600)))
    seen = {}
    while True:
        now = datetime.datetime.now(UTC)
        filters = build_filters(controls=controls)
        filters["UpdatedAt"] = [{"Start": since.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "End": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}]
        findings = await _call(_all_findings, sh, filters)
        # the window's edges overlap one poll to the next: a finding is new when its UpdatedAt is
        fresh = [f for f in findings if seen.get(f.get("Id")) != f.get("UpdatedAt")]
        seen = {f.get("Id"): f.get("UpdatedAt") for f in findings}
        events, skipped = events_of_findings(fresh, controls)
        await _put(queue, events, skipped, "GetFindings")
        if boolean(args.get("stop_when_empty"), strict=False):
            return
        since = now - datetime.timedelta(seconds=1)
        await asyncio.sleep(interval)


async def main(queue: asyncio.Queue, args: dict):
    controls = args.get("controls") or list(DEFAULT_CONTROLS)
    if args.get("queue_url"):
        await _from_queue(queue, args, controls)
    else:
        await _from_getfindings(queue, args, controls)


if __name__ == "__main__":
    # python securityhub_findings.py QUEUE_URL: print the events the queue's messages make (they are consumed)

    class _Printer:
        async def put(self, event):
            print(event)

    asyncio.run(main(_Printer(), {"queue_url": sys.argv[1] if len(sys.argv) > 1 else None, "stop_when_empty": True}))
