"""Shared fixtures: one simulator per test session, reset before each test that asks for it."""

from __future__ import annotations

import pytest

from tests.simulator import Simulator


@pytest.fixture(scope="session")
def simulator_server():
    with Simulator() as sim:
        yield sim


@pytest.fixture
def simulator(simulator_server):
    """A running simulator with no resources and an empty request log."""
    simulator_server.reset()
    yield simulator_server
