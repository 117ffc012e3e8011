"""Fault middleware: outcome rules (refresh_outcome) are listed with the error rules but never answer with an error."""

from __future__ import annotations

import io
import json

import pytest

from tests.simulator import faults

RULE = {"service": "autoscaling", "operation": "StartInstanceRefresh", "match": {"AutoScalingGroupName": "web"}, "refresh_outcome": "Failed", "times": 1}
START_REFRESH = "Action=StartInstanceRefresh&Version=2011-01-01&AutoScalingGroupName=web"
SIGNED = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/autoscaling/aws4_request, SignedHeaders=host, Signature=x"


@pytest.fixture
def injector():
    seen = []

    def app(environ, start_response):
        seen.append(environ["wsgi.input"].read().decode())
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [b"<StartInstanceRefreshResponse/>"]

    middleware = faults.FaultInjector(app)
    middleware.seen = seen
    yield middleware
    middleware.clear()


def call(app, method, path, body=b"", headers=None):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()})
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    status = []
    payload = b"".join(app(environ, lambda s, h: status.append(s)))
    return status[0], payload


def test_outcome_rule_is_listed_and_the_request_goes_through(injector):
    status, payload = call(injector, "POST", "/hubfix-api/faults", json.dumps(RULE).encode())
    assert status == "200 OK" and json.loads(payload)["refresh_outcome"] == "Failed"
    injector.add({"operation": "CreateKeyPair", "error_code": "InternalError"})  # an error rule too: requests get parsed
    status, payload = call(injector, "POST", "/", START_REFRESH.encode(), {"Authorization": SIGNED})
    assert status == "200 OK" and injector.seen == [START_REFRESH]  # no error: moto (the patch) plays it out
    injector.rules.clear()
    (listed,) = json.loads(call(injector, "GET", "/hubfix-api/faults")[1])["rules"]
    assert listed["hits"] == 0 and listed["times"] == 1  # counted when the refresh patch takes it
    taken = faults.take_outcome("autoscaling", "StartInstanceRefresh", {"AutoScalingGroupName": "web"}, "refresh_outcome")
    assert taken["refresh_outcome"] == "Failed"
    assert faults.take_outcome("autoscaling", "StartInstanceRefresh", {"AutoScalingGroupName": "web"}, "refresh_outcome") is None  # times=1
    (listed,) = json.loads(call(injector, "GET", "/hubfix-api/faults")[1])["rules"]
    assert (listed["hits"], listed["times"]) == (1, 0)
    call(injector, "DELETE", "/hubfix-api/faults")
    assert json.loads(call(injector, "GET", "/hubfix-api/faults")[1])["rules"] == []


def test_outcome_rule_matches_service_operation_and_parameters(injector):
    injector.add(dict(RULE, times=None))
    take = faults.take_outcome
    assert take("autoscaling", "StartInstanceRefresh", {"AutoScalingGroupName": "other"}, "refresh_outcome") is None
    assert take("ec2", "StartInstanceRefresh", {"AutoScalingGroupName": "web"}, "refresh_outcome") is None
    assert take("autoscaling", "StartInstanceRefresh", {"AutoScalingGroupName": "web"}, "other_outcome") is None
    assert all(take("autoscaling", "StartInstanceRefresh", {"AutoScalingGroupName": "web"}, "refresh_outcome") for _unused in range(3))  # no times: every time


def test_bad_outcome_value_is_refused(injector):
    status, payload = call(injector, "POST", "/hubfix-api/faults", json.dumps(dict(RULE, refresh_outcome="Maybe")).encode())
    assert status == "400 Bad Request" and "refresh_outcome" in json.loads(payload)["error"]
