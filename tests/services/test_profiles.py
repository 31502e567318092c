"""Profiles side by side in one data folder: the sandbox's two Xero organisations sync independently, with no shared
link, history or secret; add, rename and remove from the command line and the service."""

from __future__ import annotations

import dataclasses
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from app.errors import ConfigError
from app.services import profiles
from app.services.connections import ConnectionService
from app.services.sync import SyncService
from app.store.models import HistoryEntry, Link, Profile
from tests.browser import Browser
from tests.world import make_world

ROOT = Path(__file__).resolve().parent.parent.parent


class PickOrganisation(Browser):
    """A person who picks the named organisation on Xero's consent page."""

    def __init__(self, client: httpx.Client, organisation: str) -> None:
        super().__init__(client)
        self.organisation = organisation

    def _run(self, url: str) -> None:
        try:
            page = self.emulator_client.get(url)
            consent_id = re.search(r'name="consent_id" value="([^"]+)"', page.text).group(1)
            tenant = re.search(r'value="([^"]+)"[^>]*> ' + re.escape(self.organisation), page.text).group(1)
            answer = self.emulator_client.post(urljoin(str(page.url), "/identity/connect/consent"),
                                               data={"consent_id": consent_id, "tenant": tenant, "action": "allow"})
            with httpx.Client(timeout=10) as real:
                self.landing = real.get(answer.headers["location"])
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            self.done.set()


@pytest.fixture
def world(data_dir):
    w = make_world(data_dir)
    yield w
    w.close()


def test_two_profiles_sync_two_xero_organisations_with_nothing_shared(world):
    world.connect_both()
    profiles.add("Kiwi branch")
    kiwi_ctx = dataclasses.replace(world.ctx, profile_name="Kiwi branch", _profile=None, _http=None)
    kiwi = ConnectionService(kiwi_ctx)
    other_org = next(o for o in world.xero.orgs.values() if o.Name != world.xero_org().Name)
    kiwi.connect_xero(PickOrganisation(world.emulator_client(), other_org.Name), timeout=30)
    kiwi.connect_zoho(world.browser(), timeout=30)
    assert kiwi.connection("xero").org_name == other_org.Name
    assert world.connections.connection("xero").org_name == world.xero_org().Name

    main_report = world.sync_service().sync()
    kiwi_report = SyncService(kiwi_ctx, kiwi).sync()
    assert main_report.run_id != kiwi_report.run_id
    main_ids = {link.xero_id for link in Link.select().where(Link.profile == world.ctx.profile)}
    kiwi_ids = {link.xero_id for link in Link.select().where(Link.profile == kiwi_ctx.profile)}
    assert kiwi_ids and main_ids and not main_ids & kiwi_ids
    assert {c.ContactID for c in other_org.contacts.values()} >= {
        link.xero_id for link in Link.select().where(Link.profile == kiwi_ctx.profile, Link.pair == "contacts")}
    assert HistoryEntry.select().where(HistoryEntry.profile == kiwi_ctx.profile).count() > 0
    assert all(h.run.profile_id == h.profile_id for h in HistoryEntry.select())
    main_token = world.ctx.secrets.get("xero:default:refresh_token")
    kiwi_token = world.ctx.secrets.get("xero:Kiwi branch:refresh_token")
    assert main_token and kiwi_token and main_token != kiwi_token
    assert [p.name for p in profiles.list_profiles()] == ["default", "Kiwi branch"]
    listed = {p.name: p for p in profiles.list_profiles()}
    assert listed["Kiwi branch"].xero == other_org.Name and listed["Kiwi branch"].last_sync is not None
    kiwi_ctx.close()


def test_rename_moves_the_sign_ins_and_remove_backs_up_then_clears(world):
    world.connect_xero()
    profiles.add("Second")
    store = world.ctx.secrets
    store.set("xero:Second:refresh_token", "second-token")
    store.set("zoho:Second:client_secret", "second-secret")
    Link.create(profile=Profile.get(Profile.name == "Second"), pair="contacts", xero_id="x-1", zoho_id="z-1")

    profiles.rename("Second", "Auckland", store)
    assert store.get("xero:Second:refresh_token") is None and store.get("xero:Auckland:refresh_token") == "second-token"
    assert store.get("zoho:Auckland:client_secret") == "second-secret"
    auckland = Profile.get(Profile.name == "Auckland")
    assert Link.select().where(Link.profile == auckland).count() == 1

    backup = profiles.remove("Auckland", store, world.ctx.paths.data_dir / "backups")
    assert Profile.get_or_none(Profile.name == "Auckland") is None
    assert Link.select().where(Link.xero_id == "x-1").count() == 0
    assert store.get("xero:Auckland:refresh_token") is None and store.get("zoho:Auckland:client_secret") is None
    assert store.get("xero:default:refresh_token")  # the other profile keeps its sign-in
    with sqlite3.connect(backup) as copy:  # the backup still holds what was removed
        assert copy.execute("SELECT count(*) FROM profile WHERE name = 'Auckland'").fetchone() == (1,)


@pytest.mark.parametrize(("call", "reason"), [
    (lambda: profiles.add("bad:name"), "cannot be a profile name"),
    (lambda: profiles.add("DEFAULT"), "already a profile named"),
    (lambda: profiles.resolve("nowhere"), "There is no profile named 'nowhere'"),
    (lambda: profiles.remove("default", None, Path(".")), "The default profile cannot be removed"),
    (lambda: profiles.rename("default", "Main", None), "The default profile keeps its name"),
])
def test_profile_mistakes_are_refused_in_words(world, call, reason):
    profiles.list_profiles()
    with pytest.raises(ConfigError, match=reason):
        call()


def test_profiles_from_the_command_line(tmp_path):
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("LEDGERBRIDGE_DATA_DIR", None)

    def cli(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "main.py", "--data-dir", str(tmp_path / "data"), *args],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == expect, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    assert "Added profile 'Kiwi'" in cli("profiles", "add", "Kiwi").stdout
    listed = cli("profiles", "list").stdout.splitlines()
    assert listed[0].startswith("default: Xero not connected") and listed[1].startswith("Kiwi: ")
    cli("--profile", "Kiwi", "status", "--offline", expect=1)  # not connected yet, but a known profile
    refused = cli("--profile", "Nowhere", "status", "--offline", expect=2)
    assert "There is no profile named 'Nowhere'" in refused.stderr
    assert "Renamed profile 'Kiwi' to 'Wellington'" in cli("profiles", "rename", "Kiwi", "Wellington").stdout
    removed = cli("profiles", "remove", "Wellington").stdout
    assert "Removed profile 'Wellington'" in removed and "backups" in removed
    assert cli("profiles", "list").stdout.count("\n") == 1
