"""The harness itself (conftest.py) is honest: a direct call without aws_retry fails under "throttle first", an unexpected
call fails the test even when the module swallows the botocore error, and check mode may not queue a mutating call."""

from __future__ import annotations

import types

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import attempt, client

GROUP = {"AutoScalingGroupName": "asg-web"}


def fake_module(calls):
    """A module whose main() makes ``calls(autoscaling)`` and exits with what they return (AWS errors fail it)."""

    def main():
        module = AnsibleAWSModule(argument_spec={}, supports_check_mode=True)
        answer, error = attempt(calls, client(module, "autoscaling"))
        if error is not None:
            module.fail_json(msg="AWS said: %s" % error)
        module.exit_json(changed=False, answer=answer)

    return types.SimpleNamespace(__name__="fake_module", main=main)


def suspend(autoscaling, retry):
    kwargs = {"aws_retry": True} if retry else {}
    autoscaling.suspend_processes(AutoScalingGroupName="asg-web", **kwargs)
    return "suspended"


def test_a_throttled_call_made_with_aws_retry_succeeds_without_sleeping(aws, run):
    aws.stub("autoscaling").add("suspend_processes", {}, GROUP, throttle=True)

    assert run(fake_module(lambda a: suspend(a, retry=True)), {})["answer"] == "suspended"
    assert aws.clock.slept, "the backoff slept on the fake clock"


def test_a_throttled_call_made_without_aws_retry_fails(aws, run):
    aws.stub("autoscaling").add("suspend_processes", {}, GROUP, throttle=True)
    aws.stub("autoscaling").stubber._queue.pop()  # only the throttling error is left: the unretried call gets it

    result = run(fake_module(lambda a: suspend(a, retry=False)), {}, fails=True)

    assert "Throttling" in result["msg"]


def test_an_unexpected_call_fails_the_test_even_when_the_module_swallows_it(aws, run):
    aws.stub("autoscaling")

    with pytest.raises(pytest.fail.Exception, match="Unexpected API Call"):
        run(fake_module(lambda a: suspend(a, retry=True)), {}, fails=True)


def test_wrong_parameters_fail_the_test(aws, run):
    aws.stub("autoscaling").add("suspend_processes", {}, {"AutoScalingGroupName": "asg-other"})

    with pytest.raises(pytest.fail.Exception, match="Expected parameters"):
        run(fake_module(lambda a: suspend(a, retry=True)), {}, fails=True)


def test_an_expected_call_not_made_fails_the_test(aws, run):
    aws.stub("autoscaling").add("suspend_processes", {}, GROUP)

    with pytest.raises(pytest.fail.Exception, match="expected call.* not made"):
        run(fake_module(lambda a: None), {})


def test_check_mode_may_not_queue_a_mutating_call(aws, run):
    aws.stub("autoscaling").add("suspend_processes", {}, GROUP)

    with pytest.raises(pytest.fail.Exception, match="check-mode test queued mutating call"):
        run(fake_module(lambda a: suspend(a, retry=True)), {}, check_mode=True)


def test_a_client_the_test_did_not_stub_fails(aws, run):
    with pytest.raises(AssertionError, match="autoscaling client in us-east-1, which the test did not stub"):
        run(fake_module(lambda a: None), {})


def test_a_client_made_without_retries_fails_the_test(aws, run):
    def main():
        module = AnsibleAWSModule(argument_spec={}, supports_check_mode=True)
        module.client("autoscaling")
        module.exit_json(changed=False)

    aws.stub("autoscaling")

    with pytest.raises(pytest.fail.Exception, match="autoscaling client in us-east-1 made without a retry decorator"):
        run(types.SimpleNamespace(__name__="fake_module", main=main), {})


def test_nothing_really_sleeps(aws):
    from ansible_collections.hubfix.aws.plugins.module_utils import waiting

    with pytest.raises(waiting.WaitTimeout, match="timed out after 3600s waiting for godot"):
        waiting.poll(lambda: None, 3600, "godot", delay=60, max_delay=600)
    assert sum(aws.clock.slept) >= 3600
