"""Unit-test set-up: import the collection as ansible_collections.hubfix.aws, and moto in-process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_COLLECTIONS = Path(__file__).resolve().parents[2] / ".venv" / "collections"
if str(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(_COLLECTIONS))


@pytest.fixture
def aws_credentials(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def moto_aws(aws_credentials):
    """moto in-process (no server), unpatched: a test applies the patch it is about with ``patched``."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def patched():
    """``patched("ec2_volume_attachments")`` applies one simulator patch for the rest of the test."""
    from tests.simulator import patches

    undo = []

    def apply(name):
        undo.append(patches.apply(name))

    yield apply
    for u in reversed(undo):
        u()


os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
