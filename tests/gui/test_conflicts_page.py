"""The Conflicts & matches page on the sandbox, with the real controller and worker: a conflict settled field by
field, one side kept for all, a match linked (and the suggestion it set aside shown and sent on its own), a match
kept separate."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.gui.pages.conflicts import ConflictsPage
from app.services import review
from app.services.mappings import save_mapping
from app.services.views import Views
from tests.gui.conftest import WAIT_MS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def account_for(w, contact):
    return w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)


@pytest.fixture
def conflicted(synced):
    """Magpie Print House edited on both sides (phone and email) under the "ask me" policy."""
    w = synced
    service = w.sync_service()
    mapping = service.mappings()["contacts"]
    mapping.conflict_policy = "ask"
    save_mapping(service.profile, mapping)
    c = w.xero_contact("Magpie Print House")
    w.xero.ui_edit_contact(c.ContactID, {"Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "02 1111 1111"}],
                                         "EmailAddress": "xero@magpieprint.com.au"})
    w.zoho.ui_edit("Accounts", account_for(w, c)["id"], {"Phone": "02 2222 2222",
                                                          "Email": "zoho@magpieprint.com.au"})
    assert service.sync().counts.get("conflicts") == 1
    return w


def open_page(qtbot, w, controller):
    page = ConflictsPage(Views.of(w.ctx), controller)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    return page


def cell(page, row, column):
    return page.table.item(row, column).text()


def test_a_conflict_is_settled_field_by_field(qtbot, conflicted, make_controller):
    w = conflicted
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    assert page.conflict_list.count() == 1 and "Magpie Print House" in page.conflict_list.item(0).text()
    rows = {cell(page, r, 0): r for r in range(page.table.rowCount())}
    assert set(rows) == {"Phone", "Email"}  # field names in words
    email = rows["Email"]
    assert cell(page, email, 1) == "xero@magpieprint.com.au" and cell(page, email, 3) == "zoho@magpieprint.com.au"
    # both sides changed since the last sync: their cells are highlighted, the last synced value is not
    base = page.table.item(email, 2)
    assert page.table.item(email, 1).background() != base.background()
    assert page.table.item(email, 3).background() == page.table.item(email, 1).background()
    assert base.background().style() == Qt.BrushStyle.NoBrush

    assert not page.apply.isEnabled()  # a side for every field first
    page.choose("Phone", "zoho")
    assert not page.apply.isEnabled()
    page.choose("Email", "xero")
    assert page.apply.isEnabled()
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.apply.click()
    c = w.xero_contact("Magpie Print House")
    phone = c.Phones["DEFAULT"]
    assert (phone["PhoneAreaCode"], phone["PhoneNumber"]) == ("02", "2222 2222")
    assert account_for(w, c)["Email"] == "xero@magpieprint.com.au"
    assert page.conflict_list.count() == 0 and not page.conflicts_box.isVisible()
    assert page.note.text() == "Done: the values you kept are now on both sides."
    assert page.empty.isVisible() is False  # two matches still wait
    assert review.conflicts(w.sync_service()) == []


def test_keep_zoho_for_all(qtbot, conflicted, make_controller):
    w = conflicted
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        page.keep_zoho.click()
    c = w.xero_contact("Magpie Print House")
    assert c.EmailAddress == "zoho@magpieprint.com.au"
    assert account_for(w, c)["Email"] == "zoho@magpieprint.com.au"
    assert page.conflict_list.count() == 0


def test_linking_a_match_says_what_it_sets_aside_and_sends_it_on_its_own(qtbot, synced, make_controller):
    w = synced
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    assert len(page.cards) == 2
    exact = next(c for c in page.cards if c.card.item.zoho_name == "Emu Plains Hardware")
    assert exact.card.question == "We think these are the same customer"
    assert exact.evidence.text() == "Why we think so: same name, same phone."
    assert "Linking these sets aside: 'Emu Plains Hardware & Garden' in Zoho CRM" in exact.moot.text()
    assert exact.moot.isVisible()
    assert ("Phone", "+61 2 4755 2929", "02 4755 2929") in exact.card.facts

    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        exact.link.click()
    emu = w.xero_contact("Emu Plains Hardware")
    assert account_for(w, emu)["Account_Name"] == "Emu Plains Hardware"
    assert page.cards == [] and not page.matches_box.isVisible()
    assert "1 other suggestion for these records was set aside" in page.note.text()
    # the set-aside record is shown with a way to send it on its own
    assert page.aside_box.isVisible()
    labels = [page.aside_layout.itemAt(i).widget() for i in range(page.aside_layout.count())]
    texts = [x.text() for x in labels if x is not None]
    assert "'Emu Plains Hardware & Garden' in Zoho CRM is not linked to anything." in texts
    send = next(x for x in labels if x is not None and x.text() == "Send to Xero now")
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        send.click()
    assert len(w.xero_contacts("Emu Plains Hardware & Garden")) == 1
    assert page.note.text() == "Sent 'Emu Plains Hardware & Garden' to Xero."
    assert not page.aside_box.isVisible() and page.empty.isVisible()


def test_keep_separate_leaves_the_other_suggestion_waiting(qtbot, synced, make_controller):
    w = synced
    controller = make_controller(w)
    page = open_page(qtbot, w, controller)
    garden = next(c for c in page.cards if c.card.item.zoho_name == "Emu Plains Hardware & Garden")
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS):
        garden.separate.click()
    assert page.note.text() == "Kept separate: each record syncs on its own."
    [left] = page.cards
    assert left.card.item.zoho_name == "Emu Plains Hardware" and not left.moot.isVisible()
    assert [m.zoho_name for m in review.matches(w.sync_service(), "rejected")] == ["Emu Plains Hardware & Garden"]
