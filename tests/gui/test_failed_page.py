"""The Failed records page: reasons in words, waiting records apart, Retry / Ignore / Un-ignore through the
controller (never on the GUI thread), Open in Xero / Zoho CRM, export, and an empty state only when it is true."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QUrl

from app.gui.pages.failed import FailedPage
from app.services.views import Views
from app.store.models import FailedRecord, Link, MatchCandidate
from tests.gui.conftest import WAIT_MS
from tests.gui.page_fakes import FakeController

pytestmark = pytest.mark.gui

HINT = ("Xero needs a unique contact name: 'Bondi Surf Club' already exists. Rename one of them in Xero or Zoho, "
        "then click Retry.")


def cell(model, row, column):
    return model.index(row, column).data()


@pytest.fixture
def failing(world):
    """A world with one failed contact and one invoice waiting for its customer (no sync has run)."""
    profile = world.ctx.profile
    now = datetime.fromtimestamp(world.clock.time(), UTC)
    Link.create(profile=profile, pair="contacts", xero_id="x-bondi", zoho_id="z-bondi", name="Bondi Surf Club")
    FailedRecord.create(profile=profile, pair="contacts", direction="zoho->xero", source_id="z-bondi",
                        record_name="Bondi Surf Club", hint=HINT, attempts=3,
                        error={"message": "A validation exception occurred", "hint": HINT,
                               "raw": {"Elements": [{"ValidationErrors": [{"Message": "Name already used"}]}]}},
                        first_failed_at=now - timedelta(days=1), last_failed_at=now,
                        next_attempt_at=now + timedelta(minutes=60))
    FailedRecord.create(profile=profile, pair="invoices", direction="xero->zoho", source_id="x-inv-28",
                        record_name="INV-0028 — Emu Plains Hardware", status="waiting",
                        error={"message": "Waiting: its customer is waiting for you to confirm its match (see "
                                          "Matches).", "transient": True},
                        first_failed_at=now, last_failed_at=now, next_attempt_at=now + timedelta(hours=24))
    return world


def make_page(qtbot, world, controller=None):
    controller = controller or FakeController(world.sync_service())
    page = FailedPage(Views(world.ctx.profile, world.clock), controller)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    return page


def test_failed_and_waiting_records_in_words(qtbot, failing):
    page = make_page(qtbot, failing)
    assert page.stack.currentIndex() == 0
    assert page.summary.text() == "1 record could not be synced. 1 record is waiting for another record."
    model = page.model
    assert model.rowCount() == 1
    assert [cell(model, 0, c) for c in range(2)] == ["Bondi Surf Club", "Contacts ⇄ Accounts\nZoho CRM → Xero"]
    assert cell(model, 0, 2) == HINT
    assert cell(model, 0, 3).startswith("Yesterday ") and cell(model, 0, 4).startswith("Today ")
    assert cell(model, 0, 5) == "3 tries" and cell(model, 0, 6).startswith("Today ")
    waiting = page.waiting_model
    assert cell(waiting, 0, 0) == "INV-0028 — Emu Plains Hardware"
    assert cell(waiting, 0, 2) == "Its customer is waiting for you to confirm its match (see Matches)"
    assert page.waiting_title.text() == "Waiting for another record (1)"


def test_the_selected_record_explains_itself_and_opens_in_either_system(qtbot, failing, monkeypatch):
    opened = []
    monkeypatch.setattr("app.gui.pages.failed.QDesktopServices.openUrl", lambda url: opened.append(url))
    page = make_page(qtbot, failing)
    assert page.selected()[0].record_name == "Bondi Surf Club"  # the first record is chosen for you
    page.table.clearSelection()
    assert not page.retry.isEnabled() and not page.open_xero.isEnabled() and page.detail.isHidden()
    page.table.selectRow(0)
    assert page.retry.isEnabled() and page.ignore.isEnabled()
    assert page.detail.title.text() == "Bondi Surf Club" and page.detail.message.text() == HINT
    technical = page.detail.details.toPlainText()
    assert "Name already used" in technical and "A validation exception occurred" in technical
    assert not page.detail.details.isVisibleTo(page)
    assert page.open_xero.toolTip() == "Open this record in Xero (Bluegum Supply Co Pty Ltd)"
    page.open_xero.click()
    page.open_zoho.click()
    assert opened == [QUrl("https://go.xero.com/organisationlogin/default.aspx?shortcode=!bLu3G"
                           "&redirecturl=/Contacts/View/x-bondi"),  # this organisation, whatever the browser had
                      QUrl("https://crm.zoho.com/crm/" + (f"org{page.links.org_id}/" if page.links.org_id else "")
                           + "tab/Accounts/z-bondi")]


def test_ignore_and_unignore_go_through_the_controller(qtbot, failing):
    controller = FakeController(failing.sync_service())
    page = make_page(qtbot, failing, controller)
    page.table.selectRow(0)
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.ignore.click()
    assert controller.submitted == ["failed.ignore"]
    assert page.model.rowCount() == 0 and page.note.text().startswith("Ignored 1 record.")
    assert page.stack.currentIndex() == 0  # the waiting invoice still needs its customer
    page.show_ignored.setChecked(True)
    assert page.model.rowCount() == 1 and cell(page.model, 0, 6) == "Ignored"
    assert page.summary.text().endswith("1 ignored record shown.")
    page.table.selectRow(0)
    assert page.unignore.isEnabled() and not page.retry.isEnabled()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.unignore.click()
    assert controller.submitted == ["failed.ignore", "failed.unignore"]
    assert page.note.text() == "1 record back in the list; retried at the next sync."
    assert FailedRecord.get(FailedRecord.record_name == "Bondi Surf Club").status == "open"


def test_export_json_of_the_failed_records(qtbot, failing, tmp_path):
    page = make_page(qtbot, failing)
    path = tmp_path / "failed.json"
    page.export_to(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [(d["record"], d["status"]) for d in data] == [("Bondi Surf Club", "open"),
                                                          ("INV-0028 — Emu Plains Hardware", "waiting")]
    assert "\\u" not in path.read_text(encoding="utf-8")


def test_nothing_needs_attention_only_when_true(qtbot, world):
    page = make_page(qtbot, world)
    assert page.stack.currentIndex() == 1 and page.empty_title.text() == "Nothing needs your attention"
    assert page.empty_text.text().startswith("No sync has run yet.")  # not "every record synced" before any sync
    MatchCandidate.create(profile=world.ctx.profile, pair="contacts", xero_id="x1", zoho_id="z1",
                          xero_name="Emu Plains Hardware", zoho_name="Emu Plains Hardware & Garden")
    page.refresh()
    assert page.stack.currentIndex() == 0 and page.summary.text() == "No failed records."
    assert page.elsewhere.text() == "Also waiting for you: 1 possible match to confirm."
    with qtbot.waitSignal(page.open_page, timeout=WAIT_MS) as opened:
        page.open_conflicts.click()
    assert opened.args == ["conflicts"]


def test_after_a_clean_sync_the_page_says_every_record_synced(qtbot, world):
    assert world.sync_service().sync(pairs=["items"]).outcome == "ok"
    page = make_page(qtbot, world)
    assert page.stack.currentIndex() == 1 and page.empty_text.text().startswith("Every record synced.")


def test_retry_through_the_real_controller_syncs_the_record(qtbot, synced, make_controller):
    """Real services: a contact whose edit could not reach Zoho CRM is tried again on the worker thread and syncs."""
    profile = synced.ctx.profile
    link = Link.get(Link.profile == profile, Link.pair == "contacts", Link.name == "Acme Catering Pty Ltd")
    synced.xero.ui_edit_contact(link.xero_id, {"Website": "https://acme-catering.example"})
    synced.clock.advance(60)
    now = datetime.fromtimestamp(synced.clock.time(), UTC)
    FailedRecord.create(profile=profile, pair="contacts", direction="xero->zoho", source_id=link.xero_id,
                        record_name=link.name, hint="Zoho CRM was busy; it is tried again by itself.",
                        first_failed_at=now, last_failed_at=now, next_attempt_at=now + timedelta(minutes=5))
    controller = make_controller(synced)
    page = make_page(qtbot, synced, controller)
    assert page.model.rowCount() == 1
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS) as done:
        page.retry_all.click()
        assert not page.retry_all.isEnabled()  # busy until the worker answers
    assert done.args[0] == "failed.retry", done.args
    assert page.model.rowCount() == 0
    assert page.note.text() == "Tried 1 record again: 1 synced."
    assert synced.zoho_one("Accounts", Account_Name="Acme Catering Pty Ltd")["Website"] == \
        "https://acme-catering.example"


def test_the_failed_model_passes_the_model_tester(qtmodeltester, failing):
    from app.gui.models.failed_model import FailedModel

    views = Views(failing.ctx.profile, failing.clock)
    for waiting in (False, True):
        model = FailedModel(waiting=waiting)
        model.set_items([i for i in views.failed() if i.waiting == waiting], views.now())
        qtmodeltester.check(model)
