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


class FaultInjector:
    """WSGI middleware holding the fault rules."""

    def __init__(self, app, seed: int | None = None):
        self.app = app
        self.rules: list[dict] = []
        self.lock = threading.Lock()
        self.random = random.Random(seed)

    # rule management -------------------------------------------------------------------------------
    def add(self, rule: dict) -> dict:
        if not rule.get("error_code") and not rule.get("throttle"):
            raise ValueError("a fault rule needs error_code or throttle")
        rule = dict(rule, hits=0)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def _pick(self, call, params: dict) -> dict | None:
        with self.lock:
            for rule in self.rules:
                if rule.get("times") is not None and rule["times"] <= 0:
                    continue
                if rule.get("service") and SIGNING_NAMES.get(rule["service"], rule["service"]) != call.service:
                    continue
                if rule.get("operation") and rule["operation"] != call.operation:
                    continue
                if any(str(params.get(k)) != str(v) for k, v in (rule.get("match") or {}).items()):
                    continue
                if self.random.random() >= float(rule.get("probability", 1.0)):
                    continue
                if rule.get("times") is not None:
                    rule["times"] -= 1
                rule["hits"] += 1
                return rule
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
                with self.lock:
                    result = {"rules": [dict(r) for r in self.rules]}
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
