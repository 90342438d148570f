"""Fixtures for the simulator's own tests: `api`, a client bound to the reset `sim`."""

from __future__ import annotations

import pytest
from sim_helpers import Api

from hostup_sim.server import SimServer
from hostup_sim.world import DEMO_API_KEY


@pytest.fixture
def api(sim: SimServer) -> Api:
    return Api(sim.url, DEMO_API_KEY)
