# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS clients with the retry policy every hubfix module uses, the caller's account, and how AWS errors fail a module."""

from __future__ import annotations

import contextlib

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.hubfix.aws.plugins.module_utils.error_messages import region_error_message

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

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


def fail_aws(module, error, msg):
    """Fail the module with ``msg`` and the AWS error (an amazon.aws wrapper or a botocore exception)."""
    if isinstance(error, AnsibleAWSError):
        module.fail_json_aws(error.exception or error, msg="%s (%s)" % (msg, error.message) if error.message else msg)
    module.fail_json_aws(error, msg=msg)


def account_id(module, region=None):
    """The account the credentials act in, from ONE sts:GetCallerIdentity; a rejected credential fails the module,
    naming the region."""
    region = region or module.region
    answer, error = attempt(client(module, "sts", region).get_caller_identity, aws_retry=True)
    if error is not None:
        module.fail_json(msg="cannot identify the account (sts:GetCallerIdentity): " + region_error_message(region, error))
    return answer["Account"]


@contextlib.contextmanager
def aws_errors_fail(module, msg):
    """Fail the module with ``msg`` and the AWS error raised inside the block (amazon.aws's wrappers or botocore's)."""
    try:
        yield
    except (AnsibleAWSError, botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        fail_aws(module, e, msg)


def attempt(call, *args, **kwargs):
    """``(result, None)`` or ``(None, error)`` of an AWS call whose failure is recorded by the caller rather than raised."""
    try:
        return call(*args, **kwargs), None
    except (AnsibleAWSError, botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        return None, e
