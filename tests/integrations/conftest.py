"""Fixtures for the connector tests: a world built on demand (closed afterwards) with its traffic recorded."""

from __future__ import annotations

import pytest

from tests.integrations.support import Traffic
from tests.world import make_world


@pytest.fixture
def build(data_dir):
    """``build(seed=..., limits=..., zoho_dc=..., secrets=...)`` → (world, traffic); each world is closed at the end."""
    worlds = []

    def make(**kwargs):
        world = make_world(data_dir / f"w{len(worlds)}" if worlds else data_dir, **kwargs)
        worlds.append(world)
        return world, Traffic(world)

    yield make
    for world in worlds:
        world.close()


@pytest.fixture
def connected(build):
    """The demo world with both sides signed in through the browser flow."""
    world, traffic = build()
    world.connect_both()
    assert all(not b.errors for b in world.browsers), [b.errors for b in world.browsers]
    return world, traffic
