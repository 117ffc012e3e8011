# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS clients with the retry policy every hubfix module uses, the caller's account, and how AWS errors fail a module."""

from __future__ import annotations

import atexit
import contextlib
import gc
import threading
import weakref

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.hubfix.aws.plugins.module_utils.error_messages import region_error_message

try:
    import boto3
    import botocore
    import botocore.config
except ImportError:
    pass  # handled by AnsibleAWSModule

# EC2 throttles with RequestLimitExceeded, Auto Scaling with Throttling, JSON-protocol services
# (Security Hub, CloudWatch) with ThrottlingException; 5xx are retried by the base policy.
THROTTLING_CODES = ["RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException"]

RETRY = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30, catch_extra_error_codes=THROTTLING_CODES)


# A module run ends with sys.exit, and Python's last garbage collections then walk every object still alive - among them
# the service models of the run's boto3 clients: 0.3 to 0.4 s of a 12-region scan (measured). Frozen objects are left
# out of those collections (the process frees its memory all the same), so the objects are frozen at exit.
atexit.register(gc.freeze)

_SHARED = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def client(module, service, region=None):
    """A client whose calls retry with jittered backoff when made with ``aws_retry=True``. An AnsibleAWSModule's clients
    come from its one ``SharedClients`` (one boto3 session for all, each client made once): a module scanning 12 regions
    asks for dozens, and ``module.client`` would load the service model again for each. Anything else that looks like a
    module (``AccountScope``) is asked with its own ``client``."""
    extra = {"region": region} if region else {}
    if isinstance(module, AnsibleAWSModule):
        return shared_clients(module)(service, retry_decorator=RETRY, **extra)
    return module.client(service, retry_decorator=RETRY, **extra)


def shared_clients(module):
    """The one ``SharedClients`` of an AnsibleAWSModule's run (every client of the run, of any account, from one session)."""
    with _SHARED_LOCK:
        shared = _SHARED.get(module)
        if shared is None:
            shared = _SHARED[module] = SharedClients(module)
        return shared


class SharedClients:
    """``module.client`` for a module that works in many accounts and regions at once: every client comes from ONE boto3
    session (amazon.aws opens a new session per client, and each new session loads the service model again - 60 to 120
    ms of CPU per client, most of a 30-account scan's time), is made once per service, region and credentials, under a
    lock (a boto3 session is not thread-safe; its clients are), with the module's connection settings (endpoint,
    profile, CA bundle, aws_config) and the retry decorator asked for. Call it like ``module.client``, with the
    account's ``aws_access_key_id`` / ``aws_secret_access_key`` / ``aws_session_token`` as keywords."""

    def __init__(self, module):
        self.module = module
        region, endpoint, connect = get_aws_connection_info(module)
        self._defaults = dict(connect, region_name=region, endpoint_url=endpoint)
        self._profile = self._defaults.pop("profile_name", None)
        config = botocore.config.Config(user_agent_extra="hubfix.aws")
        for key in ("config", "aws_config"):
            extra = self._defaults.pop(key, None)
            if extra:
                config = config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
        self._config = config
        self._session = None
        self._lock = threading.Lock()
        self._clients = {}

    def __call__(self, service, retry_decorator=None, region=None, **credentials):
        params = dict(self._defaults, **credentials)
        if region:
            params["region_name"] = region
        key = (service, retry_decorator, tuple(sorted((k, str(v)) for k, v in params.items())))
        with self._lock:
            if key not in self._clients:
                if self._session is None:
                    self._session = boto3.session.Session(profile_name=self._profile)
                # an error here (no region, bad endpoint) is raised to the caller: in a worker thread it fails that account
                conn = self._session.client(service, config=self._config, **params)
                self._clients[key] = conn if retry_decorator is None else RetryingBotoClientWrapper(conn, retry_decorator)
            return self._clients[key]


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
