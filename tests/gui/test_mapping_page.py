"""The Field mapping page against the sandbox, with a controller that runs each task at once with a real
SyncService: links made and removed by dragging and from the lists, a type refused with its reason, a value map
edited with real values, coverage from the demo's records, Save blocked by a missing mandatory field, a preview of
a demo record, and a version restored."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from app.gui.pages.mapping import TAB_COVERAGE, TAB_LINK, TAB_PREVIEW, TAB_VERSIONS, MappingPage
from app.services.mappings import current_mappings
from app.services.views import Views
from tests.gui.conftest import WAIT_MS
from tests.gui.page_fakes import FakeController
from tests.world import make_world

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.fixture
def page(qtbot, world):
    controller = FakeController(world.sync_service())
    page = MappingPage(Views.of(world.ctx), controller)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    assert page.draft is not None and page.pair == "contacts"
    return page


def drag(qtbot, canvas, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)


def test_fields_of_both_sides_with_their_marks(page):
    draft = page.draft
    names = [f.name for f in draft.schema.zoho]
    assert "ABN" in names and "Xero_Status" in names  # Zoho custom fields, live
    rows = page.canvas._rows
    assert rows["xero"][0].field.name == "Name" and rows["zoho"][0].field.name == "Account_Name"
    assert page.canvas.row_rect("zoho", "Created_Time") is not None
    assert page.checks.isHidden() and not page.save.isEnabled()
    assert page.status.text() == "The shipped mapping is in use."


def test_a_link_made_and_removed_by_dragging(qtbot, page):
    canvas = page.canvas
    before = len(page.draft.links)
    drag(qtbot, canvas, canvas.row_center("xero", "AccountNumber"), canvas.row_center("zoho", "Account_Number"))
    assert page.draft.index_of("AccountNumber", "Account_Number") == before
    assert page.notice.text() == "Linked." and page.tabs.currentIndex() == TAB_LINK
    assert page.save.isEnabled() and "Unsaved changes" in page.status.text()
    # from Zoho to Xero works too
    drag(qtbot, canvas, canvas.row_center("zoho", "Fax"), canvas.row_center("xero", "Phones.FAX"))
    assert page.draft.index_of("Phones.FAX", "Fax") is not None
    index = page.draft.index_of("AccountNumber", "Account_Number")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.link_point(index))
    assert page.selected == index and "Account number" in page.link_editor.title.text()
    qtbot.mouseClick(page.link_editor.remove, Qt.MouseButton.LeftButton)
    assert page.draft.index_of("AccountNumber", "Account_Number") is None


def test_a_link_made_and_removed_from_the_lists(qtbot, page):
    panel = page.add_panel
    panel.xero.search.setText("account number")
    panel.xero.select("AccountNumber")
    panel.zoho.search.setText("account num")
    panel.zoho.select("Account_Number")
    assert panel.link.isEnabled()
    qtbot.mouseClick(panel.link, Qt.MouseButton.LeftButton)
    index = page.draft.index_of("AccountNumber", "Account_Number")
    assert index is not None and page.selected == index
    page.link_editor.remove.click()
    assert page.draft.index_of("AccountNumber", "Account_Number") is None
    assert page.notice.text() == "Removed the link Account number ⇄ Account Number."


def test_an_incompatible_type_is_refused_at_once_with_the_reason(qtbot, page):
    canvas = page.canvas
    before = [(link.xero, link.zoho) for link in page.draft.links]
    drag(qtbot, canvas, canvas.row_center("xero", "EmailAddress"), canvas.row_center("zoho", "Annual_Revenue"))
    assert [(link.xero, link.zoho) for link in page.draft.links] == before
    assert page.notice.text() == ("Not linked: an email field (Email) cannot fill a money field (Annual Revenue); "
                                  "link it one way only, or pick another field.")
    assert not page.save.isEnabled()


def test_a_value_map_edited_with_real_values(qtbot, page):
    page.show_pair("invoices")
    draft = page.draft
    index = next(i for i, link in enumerate(draft.links) if link.zoho == "Xero_Status")
    page.select_link(index)
    editor = page.link_editor
    assert editor.map_table.rowCount() == 7  # Xero's six statuses and OVERDUE (the connector's Sales status)
    xero_choices = [editor.map_cell(0, 0).itemText(i) for i in range(editor.map_cell(0, 0).count())]
    zoho_choices = [editor.map_cell(0, 1).itemText(i) for i in range(editor.map_cell(0, 1).count())]
    assert "AUTHORISED" in xero_choices and "Authorised" in zoho_choices  # the real values of each side
    row = next(r for r in range(7) if editor.map_cell(r, 0).currentText() == "VOIDED")
    editor.map_cell(row, 1).setCurrentText("Cancelled")
    assert draft.links[index].transform["map"]["VOIDED"] == "Cancelled"
    problems = [page.checks.item(i).text() for i in range(page.checks.count())]
    assert any("no picklist value for Cancelled" in p for p in problems) and not page.save.isEnabled()
    editor.map_cell(row, 1).setCurrentText("Deleted")
    assert draft.links[index].transform["map"]["VOIDED"] == "Deleted"
    assert page.checks.isHidden() and page.save.isEnabled()


def test_coverage_lists_an_unmapped_value_and_it_goes_once_mapped(qtbot, page):
    page.show_pair("invoices")
    index = next(i for i, link in enumerate(page.draft.links) if link.zoho == "Xero_Status")
    page.select_link(index)
    editor = page.link_editor
    row = next(r for r in range(editor.map_table.rowCount()) if editor.map_cell(r, 0).currentText() == "AUTHORISED")
    editor.map_table.setCurrentCell(row, 0)
    editor.remove_row.click()
    assert "AUTHORISED" not in page.draft.links[index].transform["map"]
    messages = page.coverage_panel.messages()
    assert len(messages) == 1 and "Xero invoices are AUTHORISED (Sales status) but nothing maps AUTHORISED" in messages[0]
    assert page.tabs.tabText(TAB_COVERAGE) == "Coverage (1)"
    page.tabs.setCurrentIndex(TAB_COVERAGE)
    page.coverage_panel._open(page.coverage_panel.list.item(0))
    assert page.selected == index and page.tabs.currentIndex() == TAB_LINK
    editor.add_row.click()
    last = editor.map_table.rowCount() - 1
    assert editor.map_cell(last, 0).currentText() == "AUTHORISED"  # the first real value not mapped yet
    editor.map_cell(last, 1).setCurrentText("Authorised")
    assert page.coverage_panel.messages() == [] and page.tabs.tabText(TAB_COVERAGE) == "Coverage"


def test_validation_blocks_save_for_a_missing_mandatory_field(qtbot, page):
    index = page.draft.index_of("Name", "Account_Name")
    page.remove_link(index)
    problems = [page.checks.item(i).text() for i in range(page.checks.count())]
    fix = "Drag a field from the other side onto it, or link it with a default value."
    assert problems == [f"Zoho CRM requires 'Account Name' but nothing is mapped to it. {fix}",
                        f"Xero requires 'Contact name' but nothing is mapped to it. {fix}"]
    assert not page.save.isEnabled() and page.status.text() == "Save is off until 2 problems below are fixed."
    page.save_mapping()  # refused even when asked directly
    assert page.controller.submitted.count("mapping.save") == 0
    page.make_link("Name", "Account_Name")
    assert page.save.isEnabled()
    qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    assert page.notice.text() == "Saved as version 1. The next sync uses it."
    assert current_mappings(page.controller.service.profile)["contacts"].version == 1


def test_preview_shows_before_and_after_for_a_demo_record(qtbot, page):
    page.tabs.setCurrentIndex(TAB_PREVIEW)
    panel = page.preview_panel
    assert panel.records.count() > 50
    panel.search.setText("Acme Catering")
    qtbot.mouseClick(panel.show_it, Qt.MouseButton.LeftButton)
    assert panel.summary.text().startswith("Acme Catering Pty Ltd: Would create it in Zoho CRM with Account Name")
    cells = {panel.table.item(r, 0).text(): [panel.table.item(r, c).text() for c in (1, 2)]
             for r in range(panel.table.rowCount())}
    assert cells["Contact name ⇄ Account Name"] == ["Acme Catering Pty Ltd", "(empty) → Acme Catering Pty Ltd"]
    assert panel.table.item(0, 2).font().bold() and not panel.table.item(0, 1).font().bold()
    qtbot.mouseClick(panel.dry, Qt.MouseButton.LeftButton)
    assert "to create" in panel.dry_result.text()


def test_a_version_restored(qtbot, page):
    page.bar.policy_box.setCurrentIndex(page.bar.policy_box.findData("zoho_wins"))
    page.bar.policy_box.activated.emit(page.bar.policy_box.currentIndex())
    page.save_mapping()
    page.make_link("AccountNumber", "Account_Number")
    page.save_mapping()
    page.tabs.setCurrentIndex(TAB_VERSIONS)
    panel = page.versions_panel
    newest = panel.list.item(0).text()
    assert panel.list.count() == 2 and newest.startswith("Version 2 · ") and newest.endswith(" · 16 links")
    qtbot.mouseClick(panel.compare, Qt.MouseButton.LeftButton)
    assert "Added AccountNumber ⇄ Account_Number" in panel.diff.toPlainText()
    panel.list.setCurrentRow(1)
    qtbot.mouseClick(panel.restore, Qt.MouseButton.LeftButton)
    assert page.notice.text() == "Restored version 1: now version 3."
    assert page.draft.index_of("AccountNumber", "Account_Number") is None
    assert page.draft.mapping.conflict_policy == "zoho_wins" and not page.draft.dirty
    assert panel.list.count() == 3


def test_a_field_removed_in_zoho_is_flagged_not_left_blank(qtbot, world):
    world.control("zoho", "POST", "zoho/fields/Accounts", {"api_name": "ABN", "remove": True})
    controller = FakeController(world.sync_service())
    page = MappingPage(Views.of(world.ctx), controller)
    qtbot.addWidget(page)
    page.refresh()
    rect = page.canvas.row_rect("zoho", "ABN")
    assert rect is not None  # still shown where its link ends, marked as gone
    row = next(r for r in page.canvas._rows["zoho"] if r.field.name == "ABN")
    assert row.missing and row.field.label == "ABN: not in Zoho CRM any more"
    problems = [page.checks.item(i).text() for i in range(page.checks.count())]
    assert any("renamed or deleted" in p for p in problems) and not page.save.isEnabled()


def test_a_link_made_with_the_keyboard(qtbot, page):
    canvas = page.canvas
    canvas.setFocus()

    def walk_to(name: str) -> None:
        for _ in range(80):
            if canvas._current().field.name == name:
                return
            qtbot.keyClick(canvas, Qt.Key.Key_Down)
        raise AssertionError(f"{name} not reached")

    walk_to("AccountNumber")
    qtbot.keyClick(canvas, Qt.Key.Key_Space)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    for _ in range(80):
        qtbot.keyClick(canvas, Qt.Key.Key_Up)
    walk_to("Account_Number")
    qtbot.keyClick(canvas, Qt.Key.Key_Space)
    assert page.draft.index_of("AccountNumber", "Account_Number") is not None
    qtbot.keyClick(canvas, Qt.Key.Key_Return)  # Enter on a linked field opens its link
    assert page.tabs.currentIndex() == TAB_LINK and "Account number" in page.link_editor.title.text()


def test_with_the_real_controller_reads_and_saves_on_the_worker(qtbot, world, make_controller):
    controller = make_controller(world)
    page = MappingPage(Views.of(world.ctx), controller)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.draft is not None and page.tabs.isEnabled(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.versions_panel.list.count() == 1, timeout=WAIT_MS)  # "Not saved yet"
    page.make_link("AccountNumber", "Account_Number")
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS,
                          check_params_cb=lambda name, _result: name == "mapping.save"):
        page.save.click()
    assert page.notice.text() == "Saved as version 1. The next sync uses it."
    assert current_mappings(world.ctx.profile)["contacts"].version == 1


def test_the_tax_map_of_invoice_lines_is_edited_with_the_rates_in_use(qtbot, page):
    page.show_pair("invoices")
    index = next(i for i, link in enumerate(page.draft.links) if link.transform["kind"] == "line_items")
    page.select_link(index)
    editor = page.link_editor
    rates_in_use = page.counts["invoices"]["lines"]["TaxType"]
    rate = max(rates_in_use, key=rates_in_use.get)
    row = next(r for r in range(editor.tax_table.rowCount()) if editor.tax_table.cellWidget(r, 0).currentText() == rate)
    editor.tax_table.setCurrentCell(row, 0)
    editor.remove_tax.click()
    assert rate not in page.draft.links[index].transform["tax_map"]
    assert any(f"use tax rate {rate} but the tax map has no Zoho tax" in m or
               f"uses tax rate {rate} but the tax map has no Zoho tax" in m for m in page.coverage_panel.messages())
    editor.add_tax.click()
    last = editor.tax_table.rowCount() - 1
    assert editor.tax_table.cellWidget(last, 0).currentText() == rate  # the rate in use that has no row
    editor.tax_table.cellWidget(last, 1).setCurrentText("GST")
    editor.tax_table.cellWidget(last, 2).setText("10")
    editor.tax_table.cellWidget(last, 2).editingFinished.emit()
    assert page.draft.links[index].transform["tax_map"][rate] == {"name": "GST", "percentage": 10.0}
    assert not any(rate in m for m in page.coverage_panel.messages())


def test_contacts_moved_to_zoho_leads(qtbot, page):
    page.bar.module_box.setCurrentIndex(page.bar.module_box.findData("Leads"))
    page.bar.module_box.activated.emit(page.bar.module_box.currentIndex())
    draft = page.draft
    assert draft.mapping.zoho_module == "Leads" and draft.dirty
    assert all(draft.schema.zoho_field(link.zoho) for link in draft.links)
    assert "links to fields it does not have were taken out" in page.notice.text()
    suggested = {(s.xero, s.zoho) for s in draft.suggestions() if s.unambiguous}
    assert ("LastName", "Last_Name") in suggested
    problems = [page.checks.item(i).text() for i in range(page.checks.count())]
    assert any("requires 'Company'" in p for p in problems) and not page.save.isEnabled()


def test_fields_that_cannot_be_read_say_why_and_can_be_tried_again(qtbot, data_dir):
    world = make_world(data_dir)
    try:
        world.connect_xero()  # Zoho CRM not connected yet
        page = MappingPage(Views.of(world.ctx), FakeController(world.sync_service()))
        qtbot.addWidget(page)
        assert page.draft is None and not page.error.isHidden()
        assert page.error.action.text() == "Try again" and page.status.text() == "The fields could not be read."
        world.connect_zoho()
        page.controller.service = world.sync_service()
        page.error.action.click()
        assert page.draft is not None and page.error.isHidden()
    finally:
        world.close()


def test_invoices_both_ways_lets_the_editable_fields_flow_back_and_says_what_xero_keeps(qtbot, page, world):
    from app.core.mapping import BOTH, X2Z
    from app.gui.mapping.pair_bar import INVOICES_BOTH_WAYS_NOTE
    from app.services.mappings import INVOICE_FIELDS_BOTH_WAYS

    page.show_pair("invoices")
    assert page.draft.mapping.direction == X2Z and page.bar.direction_note.isHidden()
    qtbot.mouseClick(page.bar.direction_buttons[BOTH], Qt.MouseButton.LeftButton)
    mapping = page.draft.mapping
    assert mapping.direction == BOTH and mapping.options["created_status"] == "DRAFT"
    both = {link.xero for link in mapping.fields if link.direction == BOTH}
    assert both == set(INVOICE_FIELDS_BOTH_WAYS)  # the number, status and amounts stay Xero's
    assert page.bar.direction_note.isVisible() and page.bar.direction_note.text() == INVOICES_BOTH_WAYS_NOTE
    assert "drafts" in INVOICES_BOTH_WAYS_NOTE and "paid or voided invoices are never changed" in \
        INVOICES_BOTH_WAYS_NOTE
    assert page.save.isEnabled(), [page.checks.item(i).text() for i in range(page.checks.count())]
    page.save_mapping()
    saved = current_mappings(world.ctx.profile)["invoices"]
    assert saved.direction == BOTH and saved.options["created_status"] == "DRAFT"
    assert {link.xero for link in saved.fields if link.direction == BOTH} == set(INVOICE_FIELDS_BOTH_WAYS)

    qtbot.mouseClick(page.bar.direction_buttons[X2Z], Qt.MouseButton.LeftButton)
    assert page.draft.mapping.direction == X2Z and page.bar.direction_note.isHidden()
    page.show_pair("contacts")
    qtbot.mouseClick(page.bar.direction_buttons[BOTH], Qt.MouseButton.LeftButton)
    assert page.bar.direction_note.isHidden()  # only invoices have something to say


def test_a_saved_field_is_applied_to_the_linked_records_after_the_count(qtbot, synced):
    from app.services import mapping_apply

    names = {"Acme Catering Pty Ltd": "ACME-01", "Harbour View Cafe": "HVC-7"}
    for name, number in names.items():  # there in Xero before the field was mapped
        synced.xero_contact(name).AccountNumber = number

    def zoho_numbers():
        return {name: synced.zoho_one("Accounts", Xero_Contact_ID=synced.xero_contact(name).ContactID
                                      ).get("Account_Number") for name in names}

    controller = FakeController(synced.sync_service())
    page = MappingPage(Views.of(synced.ctx), controller)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    offer = page.apply_offer
    assert page.draft is not None and offer.isHidden()  # nothing saved yet: nothing to apply
    page.make_link("AccountNumber", "Account_Number")
    qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    assert offer.isVisible() and "(Account number → Account Number)" in offer.text.text()
    linked = int(offer.offer_button.text().split()[3].replace(",", ""))
    assert offer.offer_button.text() == f"Apply to the {linked:,} linked records" and linked > len(names)

    qtbot.mouseClick(offer.offer_button, Qt.MouseButton.LeftButton)
    assert offer.text.text().startswith(f"Applying the new mapping would update 2 of the {linked:,} linked records")
    assert offer.apply_button.isVisible() and offer.apply_button.text() == "Update 2 records"
    assert zoho_numbers() == dict.fromkeys(names)  # the count wrote nothing

    qtbot.mouseClick(offer.apply_button, Qt.MouseButton.LeftButton)
    assert zoho_numbers() == names
    assert offer.text.text() == "Applied the new mapping: 2 updated."
    assert not offer.apply_button.isVisible() and offer.close_button.text() == "Close"
    asked = [name for name in controller.submitted if name.startswith("mapping-apply.")]
    assert asked[-3:] == ["mapping-apply.pending", "mapping-apply.preview", "mapping-apply.apply"]  # on the worker
    assert mapping_apply.pending(synced.ctx.profile, "contacts") is None  # applied: nothing left to offer
    page.show_pair("items")
    assert offer.isHidden()  # it spoke of the contacts' save


def test_an_optional_link_says_so_when_selected(qtbot, page):
    index = page.draft.index_of("SalesTerms", "Payment_Terms")
    qtbot.mouseClick(page.canvas, Qt.MouseButton.LeftButton, pos=page.canvas.link_point(index))
    assert page.link_editor.title.text().endswith(
        "Optional: left out of syncs while Zoho CRM has no field named Payment_Terms.")
