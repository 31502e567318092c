"""The Connections page against the sandbox: the test plays the browser through the real loopback listener."""

from __future__ import annotations

import re
import socket
from urllib.parse import urljoin

import httpx
import pytest
from PySide6.QtCore import Qt

from app.auth.secrets import MemoryStore
from app.emulators.demo_story import ORG_NAME
from app.gui.pages.connections import ConnectionsPage
from app.services.connections import ConnectionService
from app.services.views import Views
from app.store.models import Connection
from tests.browser import Browser
from tests.gui.conftest import WAIT_MS
from tests.world import make_world

# The test shows the page itself as a top-level window, and offscreen warns that it cannot pass size hints on
# (the card's own widgets no longer do: they are built with their parent).
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


class TickEveryOrganisation(Browser):
    """A person who ticks every organisation on Xero's consent page (bulk connections) and allows access."""

    def _run(self, url: str) -> None:
        try:
            page = self.emulator_client.get(url)
            consent_id = re.search(r'name="consent_id" value="([^"]+)"', page.text).group(1)
            tenants = re.findall(r'name="tenant" value="([^"]+)"', page.text)
            answer = self.emulator_client.post(urljoin(str(page.url), "/identity/connect/consent"),
                                               data={"consent_id": consent_id, "tenant": tenants, "action": "allow"})
            with httpx.Client(timeout=10) as real:
                self.landing = real.get(answer.headers["location"])
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            self.done.set()


class Opened:
    """A browser that opens nothing: the person never finishes signing in."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return True


@pytest.fixture
def fresh(data_dir):
    w = make_world(data_dir)
    yield w
    w.close()


def make_page(qtbot, world, controller, open_browser) -> ConnectionsPage:
    page = ConnectionsPage(lambda: ConnectionService(world.ctx), Views.of(world.ctx), controller,
                           open_browser=open_browser, clock=world.clock, sign_in_timeout=WAIT_MS / 1000)
    qtbot.addWidget(page)
    page.resize(900, 1000)
    page.show()
    return page


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.waitUntil(lambda: not button.visibleRegion().isEmpty(), timeout=WAIT_MS)  # laid out, on screen
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_connect_both_sides_from_the_page_then_sync(qtbot, fresh, make_controller):
    controller = make_controller(fresh)
    browser = fresh.browser()
    page = make_page(qtbot, fresh, controller, browser)
    xero, zoho = page.cards["xero"], page.cards["zoho"]
    assert xero.state == "setup" and zoho.state == "setup"
    assert "contacts, items and invoices" in xero.purpose.text()
    assert zoho.dc.count() == 9 and zoho.dc.currentData() == "us"

    with qtbot.waitSignal(page.connections_changed, timeout=WAIT_MS):
        click(qtbot, xero.connect_button)
        assert xero.state == "waiting" and xero.waiting_text.text() == "Finish signing in in your browser…"
    qtbot.waitUntil(lambda: xero.state == "connected", timeout=WAIT_MS)
    assert xero.organisation.text() == ORG_NAME
    assert xero.renewal.text() == "Connection renews automatically"

    with qtbot.waitSignal(page.connections_changed, timeout=WAIT_MS):
        click(qtbot, zoho.connect_button)
    qtbot.waitUntil(lambda: zoho.state == "connected", timeout=WAIT_MS)
    assert zoho.organisation.text() and zoho.data_centre.text() == "United States (zoho.com)"
    assert "@" in zoho.signed_in_as.text()
    assert not [b.errors for b in fresh.browsers if b.errors]

    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS) as finished:
        controller.sync_now()
    assert finished.args[0]["outcome"] == "ok", finished.args[0]["message"]
    page.refresh()
    assert "API calls left today" in xero.budget.text()


def test_cancel_a_sign_in_closes_the_listener(qtbot, fresh, make_controller):
    controller = make_controller(fresh)
    browser = Opened()
    page = make_page(qtbot, fresh, controller, browser)
    xero = page.cards["xero"]
    click(qtbot, xero.connect_button)
    qtbot.waitUntil(lambda: len(browser.urls) == 1, timeout=WAIT_MS)
    assert xero.state == "waiting"

    click(qtbot, xero.cancel_button)
    qtbot.waitUntil(lambda: "xero" not in page._logins, timeout=WAIT_MS)
    assert xero.state == "setup" and not xero.error.isVisible()
    with socket.socket() as s:  # the port is free again: nothing listens for the sign-in any more
        s.bind(("127.0.0.1", fresh.xero_port))
    assert Connection.select().count() == 0


def test_pick_one_of_two_xero_organisations(qtbot, fresh, make_controller):
    fresh.control("xero", "POST", "xero/switches", json={"multi_org_consent": True})
    controller = make_controller(fresh)
    browser = TickEveryOrganisation(fresh.emulator_client())
    page = make_page(qtbot, fresh, controller, browser)
    xero = page.cards["xero"]
    click(qtbot, xero.connect_button)
    qtbot.waitUntil(lambda: xero.state == "choosing", timeout=WAIT_MS)
    names = [b.text() for b in xero.org_buttons.buttons()]
    assert len(names) == 2 and ORG_NAME in names
    other = next(b for b in xero.org_buttons.buttons() if b.text() != ORG_NAME)
    other.setChecked(True)

    with qtbot.waitSignal(page.connections_changed, timeout=WAIT_MS):
        click(qtbot, xero.use_org_button)
    qtbot.waitUntil(lambda: xero.state == "connected", timeout=WAIT_MS)
    assert xero.organisation.text() == other.text()
    chosen = Connection.get(Connection.provider == "xero")
    assert chosen.org_name == other.text() and chosen.org_id == other.property("org_id")


def test_a_refused_sign_in_says_so_in_words(qtbot, fresh, make_controller):
    controller = make_controller(fresh)
    page = make_page(qtbot, fresh, controller, fresh.browser(deny=True))
    zoho = page.cards["zoho"]
    click(qtbot, zoho.connect_button)
    qtbot.waitUntil(lambda: zoho.state == "setup" and zoho.error.isVisible(), timeout=WAIT_MS)
    words = zoho.error.title.text() + " " + zoho.error.message.text()
    assert words.strip() and "error=" not in words and "access_denied" not in words


def test_disconnect_from_the_page(qtbot, world, make_controller):
    controller = make_controller(world)
    page = make_page(qtbot, world, controller, Opened())
    xero = page.cards["xero"]
    assert xero.state == "connected"
    click(qtbot, xero.disconnect_button)
    assert xero.confirm.isVisible()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS,
                          check_params_cb=lambda name, result: name == "disconnect-xero") as done:
        click(qtbot, xero.confirm_button)
        assert xero.busy_text.text() == "Disconnecting…"
    assert done.args[1] is None
    assert xero.state == "setup"
    assert world.ctx.secrets.get("xero:default:refresh_token") is None
    assert page.cards["zoho"].state == "connected"


def test_how_do_i_get_one_shows_the_redirect_uri_to_copy(qtbot, fresh, make_controller):
    page = make_page(qtbot, fresh, make_controller(fresh), Opened())
    zoho = page.cards["zoho"]
    assert not zoho.how_to.isVisible()
    click(qtbot, zoho.how_to_toggle)
    assert zoho.how_to.isVisible()
    uri = f"http://127.0.0.1:{fresh.zoho_port}/callback"
    assert zoho.redirect_uri.text() == uri
    click(qtbot, zoho.copy_button)  # (the offscreen platform has no clipboard to read back)
    assert zoho.copy_button.text() == "Copied"

    zoho.client_id.clear()
    assert not zoho.connect_button.isEnabled() and zoho.setup_reason.text() == "Enter the client id first"


def test_a_yellow_notice_when_secrets_cannot_go_to_the_keyring(qtbot, data_dir, make_controller):
    world = make_world(data_dir, secrets=MemoryStore(is_secure=False, description="In a file"))
    try:
        page = make_page(qtbot, world, make_controller(world), Opened())
        assert page.notice.isVisible() and "no system keyring" in page.notice.text()
        assert "not encrypted" in page.notice.text()
    finally:
        world.close()


def test_renewal_and_api_use_in_words():
    from datetime import UTC, datetime, timedelta

    from app.gui.pages._connection_card import budget_words, renewal_words
    from app.services.views import ConnectionHealth

    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    xero = ConnectionHealth("xero", "Xero", True, "Bluegum", reconnect_by=now + timedelta(days=50),
                            budget={"day_remaining": 4612})
    assert renewal_words(xero, now) == "Connection renews automatically"
    soon = ConnectionHealth("xero", "Xero", True, "Bluegum", reconnect_by=datetime(2027, 1, 10, 12, tzinfo=UTC))
    assert renewal_words(soon, datetime(2027, 1, 1, 9, tzinfo=UTC)) == "Reconnect needed by 10 Jan"
    refused = ConnectionHealth("xero", "Xero", False, "Bluegum", needs_sign_in=True)
    assert renewal_words(refused, now).startswith("Xero no longer accepts the saved sign-in")
    assert budget_words(xero, "standard") == "4,612 of 5,000 API calls left today"
    zoho = ConnectionHealth("zoho", "Zoho CRM", True, "Bluegum", budget={"credits_remaining": 1940})
    assert budget_words(zoho, "standard") == "1,940 API credits left today"
    assert budget_words(ConnectionHealth("zoho", "Zoho CRM", True, "Bluegum"), "standard") == \
        "Shown after the next sync"


def test_a_side_that_needs_signing_in_again_offers_reconnect(qtbot, world, make_controller):
    from app.store.settings import set_setting

    set_setting(world.ctx.profile, "xero.needs_sign_in", True)
    page = make_page(qtbot, world, make_controller(world), Opened())
    xero = page.cards["xero"]
    assert xero.state == "connected" and "no longer accepts" in xero.renewal.text()
    click(qtbot, xero.reconnect_button)
    assert xero.state == "setup" and xero.connect_button.isEnabled()


def connect_another_xero_organisation(world) -> None:
    from app.emulators.xero.seed import NZ_ORG_NAME
    from tests.services.test_profiles import PickOrganisation

    world.connections.connect_xero(PickOrganisation(world.emulator_client(), NZ_ORG_NAME), timeout=30)


def test_another_organisation_connected_keep_the_links(qtbot, synced, make_controller):
    from app.emulators.xero.seed import NZ_ORG_NAME
    from app.gui.pages.dashboard import DashboardPage
    from app.store.models import Link

    links = Link.select().count()
    connect_another_xero_organisation(synced)
    controller = make_controller(synced)
    dashboard = DashboardPage(Views.of(synced.ctx), controller, clock=synced.clock)
    qtbot.addWidget(dashboard)
    assert dashboard.banner.text.text() == ("Xero is connected to another organisation: choose whether to keep "
                                            "the links.")
    assert dashboard.banner_page == "connections"
    with qtbot.waitSignal(controller.run_failed, timeout=WAIT_MS) as blocked:
        controller.sync_now()
    assert blocked.args[0]["title"] == "Another organisation is connected"

    page = make_page(qtbot, synced, controller, Opened())
    xero, zoho = page.cards["xero"], page.cards["zoho"]
    assert xero.org_box.isVisible() and not zoho.org_box.isVisible()
    assert f"now connected to {NZ_ORG_NAME}" in xero.org_text.text() and ORG_NAME in xero.org_text.text()
    assert xero.keep_button.text() == "Keep the links (same business, new connection)"

    with qtbot.waitSignal(page.connections_changed, timeout=WAIT_MS):
        click(qtbot, xero.keep_button)
        assert xero.org_busy.text() == "Keeping the links…" and not xero.keep_button.isEnabled()
    assert not xero.org_box.isVisible()
    assert xero.org_done.isVisible() and xero.org_done.text() == f"The links now belong to {NZ_ORG_NAME} in Xero."
    assert Link.select().count() == links  # nothing set aside
    # the Dashboard heard the task end and read again: what is left is the demo's look-alikes to confirm
    assert dashboard.banner.text.text() == "2 possible matches to confirm."
    with qtbot.waitSignal(controller.run_finished, timeout=WAIT_MS):
        controller.sync_now()  # syncing carries on


def test_another_organisation_connected_start_fresh_says_what_it_sets_aside_first(qtbot, synced, make_controller):
    from app.store.models import HistoryEntry, Link, Profile

    links = Link.select().count()
    connect_another_xero_organisation(synced)
    controller = make_controller(synced)
    page = make_page(qtbot, synced, controller, Opened())
    xero = page.cards["xero"]
    click(qtbot, xero.fresh_button)
    text = xero.fresh_text.text()
    assert xero.fresh_confirm.isVisible() and f"{links:,} links between records" in text
    assert "history entries" in text and f"under “{ORG_NAME}”" in text and "copy of the database" in text
    assert Link.select().where(Link.profile == synced.ctx.profile).count() == links  # nothing done yet

    click(qtbot, xero.fresh_cancel)
    assert not xero.fresh_confirm.isVisible() and xero.org_box.isVisible()
    click(qtbot, xero.fresh_button)
    with qtbot.waitSignal(page.connections_changed, timeout=WAIT_MS):
        click(qtbot, xero.fresh_confirm_button)
    assert not xero.org_box.isVisible()
    archive = Profile.get(Profile.name.startswith(f"{ORG_NAME} (archived"))
    assert xero.org_done.text().startswith("Started fresh") and archive.name in xero.org_done.text()
    assert not Link.select().where(Link.profile == synced.ctx.profile).exists()
    assert HistoryEntry.select().where(HistoryEntry.profile == archive).exists()
    assert Views.of(synced.ctx).attention().organisation_changed == ()


def test_a_decision_refused_while_a_sync_runs_says_so_on_the_card(qtbot, synced, make_controller):
    from app.services.runlock import run_lock

    connect_another_xero_organisation(synced)
    controller = make_controller(synced)
    page = make_page(qtbot, synced, controller, Opened())
    xero = page.cards["xero"]
    with run_lock(synced.ctx.paths.data_dir, "sync", by="cli"):  # another program is syncing this folder
        with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS,
                              check_params_cb=lambda name, result: name == "organisation-keep"):
            click(qtbot, xero.keep_button)
    assert xero.error.isVisible() and xero.org_box.isVisible() and xero.keep_button.isEnabled()
    assert not xero.org_done.isVisible()


def test_reset_connection_says_what_it_clears_then_shows_the_side_disconnected(qtbot, synced, make_controller):
    from app.gui.pages.dashboard import DashboardPage
    from app.store.models import HistoryEntry, Link, Profile

    links = Link.select().count()
    controller = make_controller(synced)
    dashboard = DashboardPage(Views.of(synced.ctx), controller, clock=synced.clock)
    qtbot.addWidget(dashboard)
    assert dashboard.banner.text.text() == "2 possible matches to confirm."
    page = make_page(qtbot, synced, controller, Opened())
    xero = page.cards["xero"]
    assert xero.state == "connected" and xero.reset_button.text() == "Reset connection…"
    assert xero.reset_button.autoRaise() and not xero.reset_confirm.isVisible()  # quieter than Disconnect

    click(qtbot, xero.reset_button)
    text = xero.reset_text.text()
    assert xero.reset_confirm.isVisible() and f"{links:,} links between records" in text
    assert "history entries" in text and "copy of the database" in text and "disconnects Xero" in text
    assert "field mapping and settings stay" in text
    with qtbot.waitSignal(page.connections_changed, timeout=WAIT_MS):
        click(qtbot, xero.reset_confirm_button)
        assert xero.busy_text.text().startswith("Copying the database")
    assert xero.state == "setup" and not xero.error.isVisible()
    archive = Profile.get(Profile.name.startswith(f"{ORG_NAME} (archived"))
    said = xero.org_done.text()
    assert xero.org_done.isVisible() and said.startswith("Xero is disconnected.") and archive.name in said
    assert "A copy of the database from before is at" in said
    assert Link.select().where(Link.profile == archive).count() == links
    assert HistoryEntry.select().where(HistoryEntry.profile == archive).exists()
    assert not Link.select().where(Link.profile == synced.ctx.profile).exists()
    assert synced.ctx.secrets.get("xero:default:refresh_token") is None
    assert page.cards["zoho"].state == "connected"
    # the Dashboard read again: the possible matches were set aside with the links, and Xero asks to be connected
    assert dashboard.banner.text.text() != "2 possible matches to confirm."
    assert dashboard.cards["xero"].organisation.text() == "No organisation connected"
    assert dashboard.cards["xero"].connect_button.text() == "Connect…"
    with qtbot.waitSignal(controller.run_failed, timeout=WAIT_MS) as stopped:  # syncing waits for Xero
        controller.sync_now()
    assert "Xero" in stopped.args[0]["title"] + stopped.args[0]["message"]


def test_reset_connection_cancelled_changes_nothing(qtbot, synced, make_controller):
    from app.store.models import Link, Profile

    links, profiles = Link.select().count(), Profile.select().count()
    page = make_page(qtbot, synced, make_controller(synced), Opened())
    zoho = page.cards["zoho"]
    click(qtbot, zoho.reset_button)
    assert zoho.reset_confirm.isVisible() and not zoho.reset_button.isEnabled()
    click(qtbot, zoho.reset_cancel)
    assert not zoho.reset_confirm.isVisible() and zoho.reset_button.isEnabled()
    assert zoho.state == "connected" and not zoho.org_done.isVisible()
    assert (Link.select().count(), Profile.select().count()) == (links, profiles)
    assert synced.ctx.secrets.get("zoho:default:refresh_token")
    assert not (synced.ctx.paths.data_dir / "backups").exists() or not any(
        (synced.ctx.paths.data_dir / "backups").iterdir())
