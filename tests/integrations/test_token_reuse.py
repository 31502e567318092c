"""Access tokens outlive the process: each command (a fresh ConnectionService on the same secret store) reuses the
saved token and refreshes only near its expiry, so quick commands never run into Zoho's token-minting limit."""

from __future__ import annotations

from app.services.connections import ConnectionService


def _command(world) -> None:
    """What one CLI command does with the connections: build them anew and talk to both sides."""
    service = ConnectionService(world.ctx)
    service.zoho_client().org()
    service.xero_client().organisation()


def test_twelve_commands_in_a_row_make_one_zoho_token_call(connected):
    world, traffic = connected
    world.clock.advance(3600)  # the login's access tokens have just expired
    mark = traffic.mark()
    for _ in range(12):
        _command(world)
        world.clock.advance(20)
    zoho_tokens = [e for e in traffic.since(mark, "/oauth/v2/token")]
    xero_tokens = [e for e in traffic.since(mark, "/connect/token")]
    assert len(zoho_tokens) == 1 and len(xero_tokens) == 1


def test_a_rejected_saved_token_is_replaced_once(connected):
    world, traffic = connected
    world.control("zoho", "POST", "expire-tokens")  # Zoho revoked the access token early
    mark = traffic.mark()
    _command(world)
    _command(world)
    assert len(traffic.since(mark, "/oauth/v2/token")) == 1


def test_the_xero_connection_says_who_signed_in(connected):
    world, _ = connected
    assert "@" in world.connections.connection("xero").user_name
