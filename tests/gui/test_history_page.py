"""The History page: newest first in words, filters in SQL, runs with their summary, the detail pane with names
instead of ids and the API's answer behind "Show technical details", exports through the controller."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from app.emulators.clock import VirtualClock
from app.gui.models.history_model import COL_ACTION, COL_CHANGES, COL_DIRECTION, COL_RECORD, HistoryModel
from app.gui.pages.history import HistoryPage
from app.paths import AppPaths
from app.services.views import HistoryFilter, Views
from app.store.db import open_db
from app.store.models import HistoryEntry, Link, Run
from app.store.settings import get_profile
from tests.gui.page_fakes import FakeController

pytestmark = pytest.mark.gui

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
ERROR = {"message": "A validation exception occurred", "code": "ValidationException",
         "hint": "Xero needs a unique contact name: 'Bondi Surf Club' already exists. Rename one of them in Xero "
                 "or Zoho, then click Retry.",
         "raw": {"Elements": [{"ValidationErrors": [{"Message": "The contact name Bondi Surf Club is already "
                                                                "assigned to another contact."}]}]}}


@pytest.fixture
def views(data_dir):
    paths = AppPaths(data_dir, data_dir / "logs").ensure()
    open_db(paths.database)
    profile = get_profile("default")
    Link.create(profile=profile, pair="contacts", xero_id="x-kiwi", zoho_id="z-kiwi", name="Kiwi Roasters")
    old = Run.create(profile=profile, trigger="schedule", started_at=NOW - timedelta(days=1, minutes=5),
                     ended_at=NOW - timedelta(days=1), outcome="ok", counts={"created": 40}, xero_calls=3,
                     zoho_calls=2)
    for i in range(40):
        HistoryEntry.create(run=old, profile=profile, pair="contacts", action="create", direction="xero->zoho",
                            record_name=f"Customer {i:02d}", xero_id=f"x{i}", zoho_id=f"z{i}",
                            changes={"zoho.Phone": [None, f"02 9000 00{i:02d}"]},
                            created_at=NOW - timedelta(days=1, minutes=4))
    run = Run.create(profile=profile, trigger="manual", started_at=NOW - timedelta(seconds=12), ended_at=NOW,
                     outcome="partial", counts={"created": 1, "failed": 1, "conflicts": 1}, xero_calls=4,
                     zoho_calls=3, message="1 record could not be synced.")
    HistoryEntry.create(run=run, profile=profile, pair="invoices", action="create", direction="xero->zoho",
                        record_name="INV-0001 — Kiwi Roasters", xero_id="x-inv", zoho_id="z-inv",
                        changes={"zoho.Account_Name": [None, "z-kiwi"], "zoho.Grand_Total": [None, "83.00"]},
                        created_at=NOW - timedelta(seconds=6))
    HistoryEntry.create(run=run, profile=profile, pair="contacts", action="fail", direction="zoho->xero",
                        record_name="Bondi Surf Club", zoho_id="z-bondi", error=ERROR, created_at=NOW - timedelta(seconds=3))
    HistoryEntry.create(run=run, profile=profile, pair="contacts", action="conflict", direction="",
                        record_name="Kiwi Roasters", xero_id="x-kiwi", zoho_id="z-kiwi", created_at=NOW,
                        error={"hint": "Phone changed in both Xero and Zoho CRM; choose which to keep."})
    return Views(profile, VirtualClock(NOW))


@pytest.fixture
def page(qtbot, views):
    page = HistoryPage(views, FakeController())
    qtbot.addWidget(page)
    page.resize(1200, 700)
    return page


def cell(page, row, column):
    return page.model.index(row, column).data()


def test_the_model_passes_the_model_tester(qapp, qtmodeltester, views):  # a Qt model needs its application
    model = HistoryModel(views)
    model.set_filter(HistoryFilter())
    qtmodeltester.check(model)
    model.set_filter(HistoryFilter(actions=("fail",)))
    qtmodeltester.check(model)


def test_before_any_sync_the_page_says_what_will_appear(qtbot, world):
    page = HistoryPage(Views.of(world.ctx), FakeController())
    qtbot.addWidget(page)
    assert page.model.rowCount() == 0 and page.detail.title.text().startswith("Nothing synced yet.")


def test_newest_first_in_their_words(page):
    assert page.model.rowCount() == 43 and page.count.text() == "43 records"
    assert [cell(page, r, COL_RECORD) for r in range(3)] == ["Kiwi Roasters", "Bondi Surf Club",
                                                             "INV-0001 — Kiwi Roasters"]
    assert [cell(page, r, COL_ACTION) for r in range(3)] == ["Conflict", "Failed", "Created"]
    assert cell(page, 1, COL_DIRECTION) == "←" and cell(page, 2, COL_DIRECTION) == "→"
    assert page.model.index(2, COL_DIRECTION).data(Qt.ItemDataRole.ToolTipRole) == "Xero → Zoho CRM"
    assert cell(page, 2, COL_CHANGES) == "Account Name, Grand Total"
    assert cell(page, 1, COL_CHANGES).startswith("Xero needs a unique contact name")  # the reason, not blank
    assert cell(page, 0, 0).startswith("Today ") and cell(page, 10, 0).startswith("Yesterday ")
    assert cell(page, 2, 1) == "Invoices ⇄ Invoices"


def test_the_table_paints_what_the_model_says(page):
    """Painting asks for a cell's roles in one call (``multiData``): the same words, the failure in bold."""
    painted = QStyleOptionViewItem()
    page.table.itemDelegate().initStyleOption(painted, page.model.index(1, COL_ACTION))
    assert painted.text == "Failed" and painted.font.bold()
    page.table.itemDelegate().initStyleOption(painted := QStyleOptionViewItem(), page.model.index(2, COL_CHANGES))
    assert painted.text == "Account Name, Grand Total" and not painted.font.bold()
    page.table.itemDelegate().initStyleOption(painted := QStyleOptionViewItem(), page.model.index(2, COL_DIRECTION))
    assert painted.text == "→" and painted.displayAlignment & Qt.AlignmentFlag.AlignHCenter


def test_filters_narrow_the_rows(qtbot, page):
    page.pair.setCurrentIndex(page.pair.findData("invoices"))
    assert page.model.rowCount() == 1
    page.pair.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("Needs attention"))
    assert [cell(page, r, COL_ACTION) for r in range(page.model.rowCount())] == ["Conflict", "Failed"]
    page.action.setCurrentIndex(page.action.findData("fail"))
    assert page.model.rowCount() == 1
    page.action.setCurrentIndex(page.action.findData("create"))  # Created is never "needs attention"
    assert page.model.rowCount() == 0 and page.count.text() == "0 records"
    assert page.detail.title.text() == "No records match these filters."
    page.status.setCurrentIndex(0)
    page.direction.setCurrentIndex(page.direction.findData("zoho->xero"))
    assert page.model.rowCount() == 0
    page.direction.setCurrentIndex(0)
    assert page.model.rowCount() == 41
    page.action.setCurrentIndex(0)
    qtbot.keyClicks(page.search, "customer 1")  # applied once the typing pauses
    qtbot.waitUntil(lambda: page.model.rowCount() == 10, timeout=10_000)
    page.search.clear()
    page.period.setCurrentText("Today")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)
    page.period.setCurrentText("Custom dates")
    assert page.date_from.isVisibleTo(page)
    yesterday = (NOW - timedelta(days=1)).astimezone().date()
    page.date_to.setDate(yesterday)
    page.date_from.setDate(yesterday)
    assert page.model.rowCount() == 40


def test_a_run_shows_its_records_and_summary(page, views):
    run_id = views.runs(1)[0].id
    page.show_run(run_id)
    assert page.model.rowCount() == 3
    summary = page.run_summary.text()
    assert summary.startswith(f"Run {run_id}: Sync now · Today")
    assert "took 12 seconds" in summary and "1 created, 1 conflict, 1 failed" in summary
    assert "API calls: Xero 4, Zoho CRM 3" in summary and "Finished with problems" in summary
    assert page.run.currentData() == run_id
    page.run.setCurrentIndex(0)  # All runs
    assert page.model.rowCount() == 43 and page.run_summary.isHidden()


def test_detail_pane_names_instead_of_ids(page):
    page.select_row(2)
    detail = page.detail
    assert detail.title.text() == "Created: INV-0001 — Kiwi Roasters"
    assert "written with the default mapping" in detail.meta.text() and "Xero → Zoho CRM" in detail.meta.text()
    rows = {detail.changes.item(r, 0).text(): detail.changes.item(r, 1).text()
            for r in range(detail.changes.rowCount())}
    change, rule = rows["Account Name\nin Zoho CRM"].split("\n")
    assert change == "(empty) → Kiwi Roasters" and rule == "Set by: Xero Contact → Zoho CRM Account Name (customer)"
    assert detail.reason.isHidden()
    assert detail.url("xero") == "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=x-inv"
    assert detail.open_xero.toolTip() == "Open this record in Xero"


def test_an_item_opens_the_product_list_in_xero(qtbot, views):
    run = Run.get()
    Link.create(profile=views.profile, pair="items", xero_id="x-beans", zoho_id="z-beans", name="House blend",
                xero_values={"Code": "BEAN-1KG"})
    HistoryEntry.create(run=run, profile=views.profile, pair="items", action="update", direction="zoho->xero",
                        record_name="House blend", xero_id="x-beans", zoho_id="z-beans", created_at=NOW,
                        changes={"xero.SalesDetails.UnitPrice": ["18.00", "19.50"]})
    page = HistoryPage(views, FakeController())
    qtbot.addWidget(page)
    page.select_row(0)
    assert page.detail.url("xero") == "https://go.xero.com/Accounts/Inventory/"  # Xero has no page for one item
    assert page.detail.open_xero.toolTip() == ("Open the Products and services list in Xero: search there for "
                                               "BEAN-1KG (Xero has no page for one item)")


def test_a_failure_in_words_with_technical_details_behind_a_button(qtbot, page):
    page.select_row(1)
    panel = page.detail.reason
    assert panel.isVisibleTo(page) and panel.title.text() == "Why it failed"
    assert panel.message.text() == ERROR["hint"]
    assert "ValidationErrors" not in panel.message.text() and "exception" not in panel.message.text()
    assert not panel.details.isVisibleTo(page)
    panel.toggle.click()
    assert panel.details.isVisibleTo(page) and "already assigned to another contact" in panel.details.toPlainText()
    page.select_row(0)
    assert page.detail.reason.title.text() == "Changed on both sides"


def test_export_what_is_filtered_through_the_controller(qtbot, page, tmp_path):
    page.pair.setCurrentIndex(page.pair.findData("invoices"))
    path = tmp_path / "history.csv"
    with qtbot.waitSignal(page.controller.task_finished, timeout=60_000):
        page.export_to(path, "csv")
    assert page.controller.submitted == ["history.export"]
    assert page.export_note.text() == f"Exported 1 record to {path}."
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[7:10] for r in rows[1:]] == [["Account Name", "(empty)", "Kiwi Roasters"],
                                           ["Grand Total", "(empty)", "83.00"]]
    json_path = tmp_path / "history.json"
    page.pair.setCurrentIndex(0)
    page.export_to(json_path, "json")
    assert len(json.loads(json_path.read_text(encoding="utf-8"))) == 43


def test_refresh_keeps_the_selection_and_adds_new_rows(page, views):
    page.select_row(1)
    run = Run.create(profile=views.profile, started_at=NOW, ended_at=NOW, outcome="ok", counts={"updated": 1})
    HistoryEntry.create(run=run, profile=views.profile, pair="items", action="update", direction="zoho->xero",
                        record_name="Flat White Beans", changes={"xero.Name": ["Beans", "Flat White Beans"]},
                        created_at=NOW)
    page.refresh()
    assert page.model.rowCount() == 44 and cell(page, 0, COL_RECORD) == "Flat White Beans"
    assert page.detail.title.text() == "Failed: Bondi Surf Club"
    assert page.run.count() == 4  # All runs + three


def test_after_a_real_sync_the_detail_names_the_customer_and_products(qtbot, synced):
    """Real services: the demo's first sync, read back through Views as the window does."""
    page = HistoryPage(Views.of(synced.ctx), FakeController())
    qtbot.addWidget(page)
    page.pair.setCurrentIndex(page.pair.findData("invoices"))
    page.action.setCurrentIndex(page.action.findData("create"))
    assert page.model.rowCount() > 40
    row = next(r for r in range(page.model.rowCount()) if "Koala Kids" in cell(page, r, COL_RECORD))
    page.select_row(row)
    changes = {page.detail.changes.item(r, 0).text(): page.detail.changes.item(r, 1).text()
               for r in range(page.detail.changes.rowCount())}
    assert changes["Account Name\nin Zoho CRM"].startswith("(empty) → Koala Kids Childcare Pty Ltd\n")
    lines = changes["Invoiced Items\nin Zoho CRM"]
    assert " × " in lines and "Product_Name" not in lines and "3652397" not in lines


def test_the_next_page_is_read_while_the_view_is_idle(qtbot, views, monkeypatch):
    """Scrolling down, the page below is read when the events are idle, not in the frame that shows it (also when
    the page scrolled into was itself read ahead); scrolling up, the page above."""
    monkeypatch.setattr("app.gui.models.history_model.PAGE_SIZE", 10)
    reads: list[int] = []
    cells = views.history_cells
    monkeypatch.setattr(views, "history_cells", lambda ids: reads.append(ids[0]) or cells(ids))
    model = HistoryModel(views)
    model.set_filter(HistoryFilter())
    ids = model.ids
    assert model.index(25, COL_RECORD).data() == "Customer 17"  # rows 20–29 read now ...
    qtbot.waitUntil(lambda: reads == [ids[20], ids[30]], timeout=5000)  # ... and 30–39 when idle
    assert model.index(35, COL_RECORD).data() == "Customer 07" and len(reads) == 2  # already there ...
    qtbot.waitUntil(lambda: reads[2:] == [ids[40]], timeout=5000)  # ... and entering it reads 40–49 when idle
    model.index(15, COL_RECORD).data()  # scrolling back up: rows 10–19, then 0–9 when idle
    qtbot.waitUntil(lambda: reads[3:] == [ids[10], ids[0]], timeout=5000)
