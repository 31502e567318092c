"""Signing in to both emulators through the real loopback listener, with a scripted browser."""

import pytest

from app.errors import AuthRequired
from tests.world import make_world


@pytest.fixture
def world(data_dir):
    w = make_world(data_dir)
    yield w
    w.close()


def test_connect_xero_then_zoho_and_status(world):
    xero = world.connect_xero()
    assert xero.connected and xero.organisation == "Bluegum Supply Co Pty Ltd"
    zoho = world.connect_zoho()
    assert zoho.connected and zoho.dc == "us" and zoho.organisation
    assert all(not b.errors for b in world.browsers), [b.errors for b in world.browsers]
    status = world.connections.status_of("xero")
    assert status.connected and status.budget["day_remaining"] is not None
    assert world.connections.status_of("zoho").connected
    refresh = world.ctx.secrets.get("xero:default:refresh_token")
    assert refresh and refresh not in (world.ctx.paths.database.read_bytes().decode("latin-1"))


def test_disconnect_revokes_and_forgets(world):
    world.connect_xero()
    world.connections.disconnect("xero")
    assert world.ctx.secrets.get("xero:default:refresh_token") is None
    assert not world.connections.status_of("xero").connected
    with pytest.raises(AuthRequired):
        world.connections.xero_client()
