# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS clients with the retry policy every hubfix module uses."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# EC2 throttles with RequestLimitExceeded, Auto Scaling with Throttling, JSON-protocol services
# (Security Hub, CloudWatch) with ThrottlingException; 5xx are retried by the base policy.
THROTTLING_CODES = ["RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException"]

RETRY = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30, catch_extra_error_codes=THROTTLING_CODES)


def client(module, service, region=None):
    """A client whose calls retry with jittered backoff when made with ``aws_retry=True``."""
    extra = {"region": region} if region else {}
    return module.client(service, retry_decorator=RETRY, **extra)


def paginate(client_, operation, **params):
    """All pages of a paginated operation, each page request retried."""
    paginator = client_.get_paginator(operation)
    return RETRY(paginator.paginate(**params).build_full_result)()


def caller_account_id(module, region=None):
    """The account the credentials act in (one sts:GetCallerIdentity call)."""
    return client(module, "sts", region).get_caller_identity(aws_retry=True)["Account"]
