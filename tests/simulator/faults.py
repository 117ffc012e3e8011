"""Fault injection in front of moto: throttling and server errors in each service's real wire format.

A WSGI middleware wraps the moto app. Rules are managed over HTTP at ``/hubfix-api/faults`` (POST a rule, GET the rules
with their hit counters, DELETE to clear) or through ``Simulator.inject_fault`` / ``Simulator.throttle``. A rule::

    {"service": "ec2", "operation": "AttachVolume", "match": {"InstanceId": "i-123"},
     "error_code": "IncorrectState", "message": "...", "status": 400, "probability": 1.0, "times": 1}

Every key but one of ``error_code``/``throttle`` is optional: no ``service``/``operation`` matches every request;
``match`` compares query-protocol parameters (``VolumeId`` or ``InstanceId.1`` ...); ``times`` counts down and the rule
stops at 0; ``throttle: true`` answers with the service's own throttling error: EC2 HTTP 503 ``RequestLimitExceeded``,
query services HTTP 400 ``Throttling``, JSON / REST-JSON / CBOR services HTTP 400 ``ThrottlingException`` (what botocore
and amazon.aws retry on). Faulted requests never reach moto, so they change nothing and are not in the request log.

Outcome rules answer with no error: the request goes through and a fidelity patch plays the operation out differently.
``{"service": "autoscaling", "operation": "StartInstanceRefresh", "match": {"AutoScalingGroupName": "web"},
"refresh_outcome": "Failed", "times": 1}`` makes that group's next instance refresh fail after it replaced one instance
(patches/autoscaling_instance_refresh.py). They are listed and cleared with the other rules; ``times`` and ``probability``
work the same, counted when the patch takes the rule (``take_outcome``), in-process too.
"""

from __future__ import annotations

import io
import json
import random
import threading
import uuid

from tests.simulator.calls import parse_entry

# boto3 client name -> the signing name found in the request's credential scope
SIGNING_NAMES = {"cloudwatch": "monitoring", "elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing"}

_QUERY_SERVICES = {"autoscaling", "sts", "iam", "cloudformation", "elasticbeanstalk", "elasticloadbalancing", "sns", "sqs"}


def _cbor_text(s: str) -> bytes:
    data = s.encode()
    n = len(data)
    head = bytes([0x60 | n]) if n < 24 else (bytes([0x78, n]) if n < 256 else bytes([0x79]) + n.to_bytes(2, "big"))
    return head + data


def _cbor_map(d: dict[str, str]) -> bytes:
    return bytes([0xA0 | len(d)]) + b"".join(_cbor_text(k) + _cbor_text(v) for k, v in d.items())


def error_response(service: str, protocol: str, code: str, message: str, status: int | None = None):
    """(status, headers, body) of an AWS error in the protocol the request used."""
    request_id = str(uuid.uuid4())
    if protocol == "query" and service == "ec2":
        body = (
            f"<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return status or 503, [("Content-Type", "text/xml")], body.encode()
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return status or 400, [("Content-Type", "text/xml")], body.encode()
    if protocol == "cbor":
        return (
            status or 400,
            [("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor"), ("x-amzn-RequestId", request_id)],
            _cbor_map({"__type": code, "message": message}),
        )
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("x-amzn-RequestId", request_id)]
    return status or 400, headers, json.dumps({"__type": code, "message": message}).encode()


def throttling_error(service: str, protocol: str) -> tuple[str, str, int]:
    if protocol == "query" and service == "ec2":
        return "RequestLimitExceeded", "Request limit exceeded.", 503
    if protocol == "query":
        return "Throttling", "Rate exceeded", 400
    return "ThrottlingException", "Rate exceeded", 400


OUTCOME_KEYS = {"refresh_outcome": ("Failed",)}  # outcome rule key -> allowed values


def _matches(rule: dict, service: str, operation: str, params: dict) -> bool:
    if rule.get("times") is not None and rule["times"] <= 0:
        return False
    if rule.get("service") and SIGNING_NAMES.get(rule["service"], rule["service"]) != service:
        return False
    if rule.get("operation") and rule["operation"] != operation:
        return False
    return all(str(params.get(k)) == str(v) for k, v in (rule.get("match") or {}).items())


def _count(rule: dict) -> dict:
    if rule.get("times") is not None:
        rule["times"] -= 1
    rule["hits"] += 1
    return rule


class OutcomeRules:
    """The process's outcome rules (one simulator per process): kept here so patches can take them without the middleware."""

    def __init__(self):
        self.rules: list[dict] = []
        self.lock = threading.Lock()
        self.random = random.Random()

    def add(self, rule: dict) -> dict:
        for key, allowed in OUTCOME_KEYS.items():
            if key in rule and rule[key] not in allowed:
                raise ValueError(f"{key} must be one of {', '.join(allowed)}")
        rule = dict(rule, hits=0)
        with self.lock:
            self.rules.append(rule)
        return rule

    def take(self, service: str, operation: str, params: dict, key: str) -> dict | None:
        """The first live rule with ``key`` matching this call, counted (``times``, ``hits``); None if there is none."""
        with self.lock:
            for rule in self.rules:
                if key in rule and _matches(rule, service, operation, params) and self.random.random() < float(rule.get("probability", 1.0)):
                    return dict(_count(rule))
        return None

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()


OUTCOMES = OutcomeRules()


def take_outcome(service: str, operation: str, params: dict, key: str) -> dict | None:
    """For patches: the outcome rule (e.g. ``refresh_outcome``) that applies to this call, if any."""
    return OUTCOMES.take(service, operation, params, key)


class FaultInjector:
    """WSGI middleware holding the fault rules."""

    def __init__(self, app, seed: int | None = None):
        self.app = app
        self.rules: list[dict] = []
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        if seed is not None:
            OUTCOMES.random.seed(seed)

    # rule management -------------------------------------------------------------------------------
    def add(self, rule: dict) -> dict:
        if any(key in rule for key in OUTCOME_KEYS):
            return OUTCOMES.add(rule)
        if not rule.get("error_code") and not rule.get("throttle"):
            raise ValueError(f"a fault rule needs error_code, throttle or one of {', '.join(OUTCOME_KEYS)}")
        rule = dict(rule, hits=0)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()
        OUTCOMES.clear()

    def listed(self) -> list[dict]:
        with self.lock, OUTCOMES.lock:
            return [dict(r) for r in self.rules + OUTCOMES.rules]

    def _pick(self, call, params: dict) -> dict | None:
        with self.lock:
            for rule in self.rules:
                if _matches(rule, call.service, call.operation, params) and self.random.random() < float(rule.get("probability", 1.0)):
                    return _count(rule)
        return None

    # WSGI ------------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/hubfix-api/faults"):
            return self._api(environ, start_response)
        if not self.rules or path.startswith("/moto-api"):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        query = environ.get("QUERY_STRING", "")
        entry = {
            "method": environ.get("REQUEST_METHOD", "GET"),
            "url": path + ("?" + query if query else ""),
            "headers": headers,
            "body": body.decode("utf-8", "replace"),
        }
        call = parse_entry(entry)
        rule = self._pick(call, dict(call.params)) if call else None
        if rule is None:
            return self.app(environ, start_response)
        protocol = _protocol(call.service, headers, path)
        if rule.get("throttle"):
            code, message, status = throttling_error(call.service, protocol)
            status = rule.get("status") or status
        else:
            code, message, status = rule["error_code"], rule.get("message", rule["error_code"]), rule.get("status")
        status, resp_headers, payload = error_response(call.service, protocol, code, message, status)
        start_response(f"{status} {'Service Unavailable' if status == 503 else 'Error'}", resp_headers + [("Content-Length", str(len(payload)))])
        return [payload]

    def _api(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                result = self.add(json.loads(environ["wsgi.input"].read(length) or b"{}"))
            elif method == "DELETE":
                self.clear()
                result = {"cleared": True}
            else:
                result = {"rules": self.listed()}
            status, payload = "200 OK", json.dumps(result).encode()
        except (ValueError, KeyError) as e:
            status, payload = "400 Bad Request", json.dumps({"error": str(e)}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


def _protocol(service: str, headers: dict, path: str) -> str:
    if "/operation/" in path or headers.get("smithy-protocol") == "rpc-v2-cbor":
        return "cbor"
    if "x-amz-target" in headers:
        return "json"
    if service == "ec2" or service in _QUERY_SERVICES:
        return "query"
    return "json"
