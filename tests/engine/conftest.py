import pytest

from tests.world import make_world


@pytest.fixture
def world(data_dir):
    w = make_world(data_dir)
    w.connect_both()
    yield w
    w.close()


@pytest.fixture
def synced(world):
    """The demo seed after one full sync."""
    report = world.sync_service().sync()
    assert report.outcome == "ok", report.message
    world.clock.advance(60)  # people edit records a while after a sync, not in the same second
    return world
