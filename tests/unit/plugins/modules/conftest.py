"""Harness for the module tests: run a module's ``main()`` in-process against stubbed AWS clients.

``run(module, args, check_mode=False, diff=False, fails=False, connection=True)`` (fixture ``run``)
    Runs ``module.main()`` with ``args`` (plus ``region: us-east-1`` and dummy credentials unless ``connection=False``) through
    ``ansible.module_utils.testing.patch_module_args``. ``AnsibleModule.exit_json`` / ``fail_json`` are patched to raise
    with the result dict (the amazon.aws unit-test pattern), so the result is returned as a dict with ``failed`` set;
    ``deprecations`` lists what ``module.deprecate`` was called with. ``fails`` says which outcome the test expects.
    After the run it checks that every queued AWS answer was consumed, that no call went unexpected (an unexpected call
    or wrong parameters fail the test even when the module swallowed the botocore error), that every client was asked
    for with a retry decorator, and in check mode that no mutating operation was queued at all (so check mode provably
    calls nothing that changes AWS: an unqueued call raises from the Stubber).

``aws`` (fixture): the stubbed clients.
    ``aws.stub("ec2")`` / ``aws.stub("autoscaling", "eu-west-1")`` is the ``ServiceStub`` of one (service, region): a REAL
    boto3 client (dummy keys, no endpoint) wrapped in a ``botocore.stub.Stubber``. ``AnsibleAWSModule.client`` is patched
    to hand the module that client, wrapped in amazon.aws's ``RetryingBotoClientWrapper`` exactly as the real ``client()``
    does when the module passes a ``retry_decorator``. Answers are queued in call order with ``add`` / ``error`` /
    ``dry_run``; each has ``params`` (the exact expected parameters; ``aws_responses.ANY`` for a value not checked,
    ``aws_responses.Capture()`` to keep the value sent and assert on it afterwards).

    Throttle first: ``aws.throttle_first = True`` (or ``throttle=True`` on one ``add``) queues, before each answer, one
    throttling error of the service (``Throttling`` for autoscaling and sts, ``RequestLimitExceeded`` for ec2,
    ``ThrottlingException`` for securityhub and cloudwatch). The call then only succeeds when it is retried: a direct
    client call made without ``aws_retry=True`` raises and fails the test. Calls made through amazon.aws's ``ec2``
    helpers, hubfix's ``paginate`` and ``RETRY`` retry on their own and pass either way. Waiter polls must be queued with
    ``throttle=False``: botocore waiters treat any unexpected error as a failure (a real client retries throttling
    inside botocore, which the Stubber bypasses).

Nothing sleeps: amazon.aws's backoff (``cloud.time``), botocore's waiters (``botocore.waiter.time``), hubfix's
``waiting.time`` and every other hubfix module or module_utils that imports ``time`` get a fake clock whose ``sleep`` only
advances its ``monotonic()`` / ``time()`` (``aws.clock.slept`` records the sleeps), so a timeout is reached at once.
"""

from __future__ import annotations

import sys
import threading
import time

import boto3
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from botocore import waiter as botocore_waiter
from botocore.stub import StubAssertionError, Stubber, StubResponseError, UnStubbedResponseError

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.hubfix.aws.plugins.module_utils import waiting
from ansible_collections.hubfix.aws.plugins.module_utils.clients import SharedClients

REGION = "us-east-1"
ACCOUNT = "123456789012"
CONNECTION_ARGS = {"region": REGION, "access_key": "AKIAIOSFODNN7EXAMPLE", "secret_key": "testing-secret-key"}

THROTTLING_CODE = {
    "autoscaling": "Throttling",
    "elb": "Throttling",
    "elbv2": "Throttling",
    "sts": "Throttling",
    "ec2": "RequestLimitExceeded",
    "securityhub": "ThrottlingException",
    "cloudwatch": "ThrottlingException",
    "cloudformation": "Throttling",
    "elasticbeanstalk": "Throttling",
    "s3": "SlowDown",
    "organizations": "TooManyRequestsException",
}
READ_ONLY_PREFIXES = ("describe_", "get_", "list_")

_session = []
_clients = {}


def _real_client(service, region):
    """A real boto3 client of (service, region), made once per test session (creating one costs tens of milliseconds);
    each test activates its own Stubber on it and deactivates it at teardown, so nothing carries over."""
    if not _session:
        _session.append(boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION))
    if (service, region) not in _clients:
        _clients[(service, region)] = _session[0].client(service, region_name=region)
    return _clients[(service, region)]


class FakeClock:
    """``time`` stand-in: ``sleep`` advances ``monotonic()`` / ``time()`` instead of waiting; anything else is the real
    ``time`` module's."""

    def __init__(self):
        self.now = 1_000_000.0
        self.slept = []
        self._lock = threading.Lock()

    def sleep(self, seconds):
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds

    def monotonic(self):
        return self.now

    def time(self):
        return self.now

    def __getattr__(self, name):
        return getattr(time, name)


def modules_using_time():
    """amazon.aws's backoff, botocore's waiters, and every hubfix plugin or module_utils that imported ``time``."""
    found = [cloud, waiting, botocore_waiter]
    for name, mod in list(sys.modules.items()):
        if name.startswith("ansible_collections.hubfix.aws.plugins.") and getattr(mod, "time", None) is time and mod not in found:
            found.append(mod)
    return found


class RecordingStubber(Stubber):
    """A Stubber that also records every unexpected call or parameter mismatch: the module may swallow the botocore
    error (``StubResponseError`` is a ``BotoCoreError``), the harness still fails the test."""

    def __init__(self, client, problems):
        super().__init__(client)
        self.problems = problems

    def _assert_expected_call_order(self, model, params):
        try:
            super()._assert_expected_call_order(model, params)
        except (StubResponseError, UnStubbedResponseError) as e:
            self.problems.append("%s: %s" % (model.name, e))
            raise

    def _assert_expected_params(self, model, params, context, **kwargs):
        try:
            super()._assert_expected_params(model, params, context, **kwargs)
        except StubAssertionError as e:
            self.problems.append(str(e))
            raise


class ServiceStub:
    """The stubbed client of one service in one region, and its queue of expected calls."""

    def __init__(self, owner, service, region):
        self.owner, self.service, self.region = owner, service, region
        self.client = _real_client(service, region)
        self.stubber = RecordingStubber(self.client, owner.problems)
        self.stubber.activate()
        self.queued = []  # (method, params) in order, for the check-mode proof

    def _throttle(self, method, params, throttle):
        if throttle if throttle is not None else self.owner.throttle_first:
            code = THROTTLING_CODE[self.service]
            self.stubber.add_client_error(method, code, "Rate exceeded (queued by the test)", 400, expected_params=params)

    def add(self, method, response=None, params=None, *, throttle=None):
        """Expect ``method`` (with exactly ``params`` when given) and answer ``response``."""
        self._throttle(method, params, throttle)
        self.stubber.add_response(method, response or {}, params)
        self.queued.append((method, params))
        return self

    def error(self, method, code, message="refused by the test", params=None, status=400, *, throttle=None):
        """Expect ``method`` and answer an AWS error ``code``."""
        self._throttle(method, params, throttle)
        self.stubber.add_client_error(method, code, message, status, expected_params=params)
        self.queued.append((method, params))
        return self

    def dry_run(self, method, params, allowed=True, *, throttle=None):
        """Expect a ``DryRun=True`` probe of ``method``: ``DryRunOperation`` when allowed, else ``UnauthorizedOperation``."""
        params = dict(params, DryRun=True)
        code, message = ("DryRunOperation", "Request would have succeeded") if allowed else ("UnauthorizedOperation", "not authorized")
        self._throttle(method, params, throttle)
        self.stubber.add_client_error(method, code, message, 412 if allowed else 403, expected_params=params)
        self.queued.append((method, params))
        return self

    def mutating(self):
        """Queued operations that would change AWS (not a read, not a DryRun probe)."""
        return [m for m, params in self.queued if not m.startswith(READ_ONLY_PREFIXES) and not (params or {}).get("DryRun")]


class AwsStubs:
    """Every stubbed client of one test, by (service, region)."""

    def __init__(self):
        self.problems = []
        self.stubs = {}
        self.throttle_first = False
        self.clock = FakeClock()
        self.requested = []  # (service, region, retry decorator given) of each client() call

    def stub(self, service, region=REGION):
        key = (service, region)
        if key not in self.stubs:
            self.stubs[key] = ServiceStub(self, service, region)
        return self.stubs[key]

    def expect_region_scan(self, service, regions=None, with_account=True, account=ACCOUNT):
        """The calls ``module_utils.regions.RegionScan`` makes before scanning: one ec2:DescribeRegions (AllRegions) when
        ``regions`` are named, one sts:GetCallerIdentity (unless ``with_account`` is false), and a stub of ``service`` per
        region scanned (returned in order, to queue each region's answers on)."""
        if regions:
            described = [{"RegionName": n, "Endpoint": "ec2.%s.amazonaws.com" % n, "OptInStatus": "opt-in-not-required"} for n in regions]
            self.stub("ec2").add("describe_regions", {"Regions": described}, {"AllRegions": True})
        if with_account:
            identity = {"UserId": "AIDAEXAMPLE", "Account": account, "Arn": "arn:aws:iam::%s:user/ops" % account}
            self.stub("sts").add("get_caller_identity", identity, {})
        return [self.stub(service, region) for region in regions or [REGION]]

    def client(self, module, service, retry_decorator=None, **extra):
        """Stand-in for ``AnsibleAWSModule.client``: the stubbed client of (service, region), wrapped like the real one."""
        region = extra.pop("region", None) or module.region
        self.requested.append((service, region, retry_decorator is not None))
        if (service, region) not in self.stubs:
            raise AssertionError("the module asked for a %s client in %s, which the test did not stub" % (service, region))
        conn = self.stubs[(service, region)].client
        return conn if retry_decorator is None else RetryingBotoClientWrapper(conn, retry_decorator)

    def verify(self, check_mode):
        """Fail the test on an unexpected call, an expected call not made, a client without retries, or (check mode) a
        queued mutating call."""
        problems = list(self.problems)
        problems += ["%s client in %s made without a retry decorator" % (service, region) for service, region, retry in self.requested if not retry]
        for (service, region), stub in self.stubs.items():
            try:
                stub.stubber.assert_no_pending_responses()
            except AssertionError as e:
                problems.append("%s %s: expected call(s) not made: %s (next: %s)" % (service, region, e, stub.stubber._queue[0]["operation_name"]))
            if check_mode and stub.mutating():
                problems.append("%s %s: check-mode test queued mutating call(s) %s" % (service, region, stub.mutating()))
        if problems:
            pytest.fail("AWS stubs: " + "\n".join(problems), pytrace=False)


class ModuleExit(Exception):
    """Raised by the patched ``exit_json`` / ``fail_json`` with the module's result."""

    def __init__(self, result):
        super().__init__(result)
        self.result = result


@pytest.fixture
def aws(monkeypatch):
    stubs = AwsStubs()
    monkeypatch.setattr(
        AnsibleAWSModule, "client", lambda module, service, retry_decorator=None, **extra: stubs.client(module, service, retry_decorator, **extra)
    )
    # the clients of many accounts (SharedClients) are the same stubs: the credentials they carry are not what is tested
    monkeypatch.setattr(
        SharedClients,
        "__call__",
        lambda shared, service, retry_decorator=None, region=None, **_credentials: stubs.client(
            shared.module, service, retry_decorator, **({"region": region} if region else {})
        ),
    )
    for mod in modules_using_time():
        monkeypatch.setattr(mod, "time", stubs.clock)
    yield stubs
    for stub in stubs.stubs.values():
        stub.stubber.deactivate()


@pytest.fixture
def run(aws, monkeypatch):
    """``run(module, args, check_mode=False, diff=False, fails=False, connection=True)`` -> the module's result dict (see the
    module doc); ``connection=False`` leaves out region and credentials, for a module that is not an AWS module."""

    def run_module(module, args, check_mode=False, diff=False, fails=False, connection=True):
        deprecations = []
        original_deprecate = basic.AnsibleModule.deprecate

        def exit_json(self, **kwargs):
            raise ModuleExit(dict(kwargs, failed=False))

        def fail_json(self, msg, **kwargs):
            raise ModuleExit(dict(kwargs, msg=msg, failed=True))

        def deprecate(self, msg, *a, **kw):
            deprecations.append({"msg": msg, "date": kw.get("date"), "collection_name": kw.get("collection_name")})
            return original_deprecate(self, msg, *a, **kw)

        full_args = dict(CONNECTION_ARGS if connection else {}, **args)
        full_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
        with monkeypatch.context() as m, patch_module_args(full_args):
            m.setattr(basic.AnsibleModule, "exit_json", exit_json)
            m.setattr(basic.AnsibleModule, "fail_json", fail_json)
            m.setattr(basic.AnsibleModule, "deprecate", deprecate)
            result = None
            try:
                module.main()
            except ModuleExit as e:
                result = e.result
        if result is None:
            pytest.fail("%s.main() returned without exit_json or fail_json" % module.__name__)
        result["deprecations"] = deprecations
        aws.verify(check_mode)
        if result["failed"] != fails:
            pytest.fail("expected the module to %s, got: %r" % ("fail" if fails else "succeed", result), pytrace=False)
        return result

    return run_module
