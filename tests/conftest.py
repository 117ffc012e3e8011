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


def pytest_collection_modifyitems(config, items):
    """Long scenarios (marked slow, longest first by the marker's optional estimate in seconds) first: with pytest-xdist
    they then run beside the short tests instead of alone at the end."""

    def estimate(item):
        marker = item.get_closest_marker("slow")
        return 0 if marker is None else (marker.args[0] if marker.args else 60)

    items.sort(key=estimate, reverse=True)
