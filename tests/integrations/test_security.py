"""After a full sign-in to both services and some calls, no credential is written anywhere in the data dir:
not the database (or its WAL), not the logs, not any other file."""

from __future__ import annotations

import logging

import pytest

from app.integrations.xero.models import Contact
from app.logging_setup import REDACTED, setup_logging

KINDS = {"code", "code_verifier", "access_token", "refresh_token", "client_secret"}


@pytest.fixture
def app_logging(data_dir):
    """The app's file logging (with redaction) into the data dir, at DEBUG; undone afterwards."""
    root = logging.getLogger()
    saved = (root.level, {name: logging.getLogger(name).level for name in ("httpcore", "peewee")})
    log_file = setup_logging(data_dir / "logs", level=logging.DEBUG)
    yield log_file
    for handler in list(root.handlers):
        if getattr(handler, "_ledgerbridge", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def scan(data_dir, secrets: dict[str, set[str]]) -> list[str]:
    leaks = []
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        content = path.read_bytes()
        for kind, values in secrets.items():
            for value in values:
                if value.encode() in content:
                    leaks.append(f"{kind} in {path.relative_to(data_dir)}")
    return leaks


def test_no_credential_lands_in_the_data_dir(build, data_dir, app_logging):
    world, traffic = build()
    world.connect_xero()
    world.connect_zoho(client_secret=world.zoho.client_secret)
    assert all(not b.errors for b in world.browsers)

    xero, zoho = world.connections.xero_client(), world.connections.zoho_client()
    list(xero.contacts())
    xero.create_contacts([Contact(name="Secret Scan Pty Ltd")])
    zoho.upsert("Accounts", [{"Account_Name": "Secret Scan", "Xero_Contact_ID": "scan-1"}], ["Xero_Contact_ID"])
    world.control("xero", "POST", "expire-tokens")
    world.control("zoho", "POST", "expire-tokens")
    xero.organisation()  # refresh with rotation
    zoho.org()  # refresh
    world.connections.status_of("xero")
    world.connections.disconnect("zoho")  # the revoke call carries the refresh token in its URL

    secrets = traffic.secrets()
    assert KINDS <= set(secrets), sorted(secrets)
    assert len(secrets["code"]) == 2 and len(secrets["code_verifier"]) == 2
    assert len(secrets["refresh_token"]) >= 3  # Xero's first and rotated tokens, Zoho's

    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = app_logging.read_text(encoding="utf-8")
    assert "connected to Xero organisation" in log_text and "HTTP Request" in log_text
    assert f"revoke?token={REDACTED}" in log_text  # a line that carried a secret was written, redacted
    assert (data_dir / "ledgerbridge.db").exists() and (data_dir / "ledgerbridge.db-wal").exists()
    assert scan(data_dir, secrets) == []  # while the database is open (WAL present)
    world.close()
    assert scan(data_dir, secrets) == []  # and after it is checkpointed and closed
