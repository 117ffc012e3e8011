"""Read moto's request recorder log: which AWS operations a run made, and which of them mutate.

A recorded entry is one HTTP request (method, url, headers, body). The operation is found the way the
protocols put it: ``Action=`` in a query-protocol body (EC2, Auto Scaling, STS, IAM), the ``X-Amz-Target``
header (JSON protocol), the ``/operation/<Name>`` path (smithy RPC v2 CBOR), or the method and path of a
REST-JSON API (Security Hub).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

# Operations that start with none of the read-only prefixes but change no resource.
READ_ONLY_EXTRA = frozenset({"AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity"})
READ_ONLY_PREFIXES = ("Describe", "Get", "List")

# Security Hub is REST-JSON: (method, path pattern) -> operation (AWS Security Hub API reference).
_REST_OPERATIONS = {
    "securityhub": [
        ("POST", r"^/findings$", "GetFindings"),
        ("POST", r"^/findings/import$", "BatchImportFindings"),
        ("PATCH", r"^/findings/batchupdate$", "BatchUpdateFindings"),
        ("PATCH", r"^/findings$", "UpdateFindings"),
        ("POST", r"^/accounts$", "EnableSecurityHub"),
        ("DELETE", r"^/accounts$", "DisableSecurityHub"),
        ("GET", r"^/accounts$", "DescribeHub"),
        ("POST", r"^/securityControls/batchGet$", "BatchGetSecurityControls"),
        ("GET", r"^/findingAggregator/list$", "ListFindingAggregators"),
    ],
    # path-style addressing (the simulator's endpoint): /bucket and /bucket/key (Terraform state files are read from S3)
    "s3": [
        ("GET", r"^/[^/]+/.+$", "GetObject"),
        ("HEAD", r"^/[^/]+/.+$", "HeadObject"),
        ("PUT", r"^/[^/]+/.+$", "PutObject"),
        ("DELETE", r"^/[^/]+/.+$", "DeleteObject"),
        ("GET", r"^/[^/]+/?$", "ListObjects"),
        ("HEAD", r"^/[^/]+/?$", "HeadBucket"),
        ("PUT", r"^/[^/]+/?$", "CreateBucket"),
        ("DELETE", r"^/[^/]+/?$", "DeleteBucket"),
        ("GET", r"^/$", "ListBuckets"),
    ],
}

_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Call:
    service: str
    region: str
    operation: str
    dry_run: bool = False
    params: tuple = ()

    @property
    def mutating(self) -> bool:
        """True when the call could change AWS state (a DryRun probe never does)."""
        return not self.dry_run and is_mutating(self.operation)

    def param(self, name, default=None):
        return dict(self.params).get(name, default)


def is_mutating(operation: str) -> bool:
    """Anything not Describe*/Get*/List* mutates, except the few read-only calls in READ_ONLY_EXTRA."""
    return not operation.startswith(READ_ONLY_PREFIXES) and operation not in READ_ONLY_EXTRA


def _body_text(entry: dict) -> str:
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        try:
            body = base64.b64decode(body).decode("utf-8", "replace")
        except (ValueError, TypeError):
            return ""
    return body


def parse_entry(entry: dict) -> Call | None:
    """Turn one recorder entry into a Call, or None for the simulator's own /moto-api/ requests."""
    url = urlparse(entry.get("url", ""))
    if url.path.startswith("/moto-api"):
        return None
    headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
    match = _CREDENTIAL.search(headers.get("authorization", ""))
    region, service = (match.group(1), match.group(2)) if match else ("", "")
    body = _body_text(entry)
    method = entry.get("method", "GET").upper()

    operation = ""
    params: dict = {}
    if "x-amz-target" in headers:
        operation = headers["x-amz-target"].rsplit(".", 1)[-1]
    elif "/operation/" in url.path:
        operation = url.path.rstrip("/").rsplit("/", 1)[-1]
    else:
        form = parse_qs(body) if body and "=" in body and not body.lstrip().startswith("{") else {}
        if not form and url.query:
            form = parse_qs(url.query)
        if "Action" in form:
            operation = form["Action"][0]
            params = {k: v[0] for k, v in form.items() if k not in ("Action", "Version")}
        else:
            for verb, pattern, name in _REST_OPERATIONS.get(service, []):
                if verb == method and re.match(pattern, url.path):
                    operation = name
                    break
            else:
                operation = f"{method} {url.path}"
    dry_run = str(params.get("DryRun", "")).lower() == "true"
    return Call(service, region, operation, dry_run, tuple(sorted(params.items())))


def parse_recording(text: str) -> list[Call]:
    calls = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        call = parse_entry(json.loads(line))
        if call is not None:
            calls.append(call)
    return calls


def mutating(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.mutating]


def summarize(calls: list[Call]) -> dict[str, int]:
    """Count calls by 'service:Operation'."""
    counts: dict[str, int] = {}
    for c in calls:
        key = f"{c.service}:{c.operation}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
