"""Undo shown first: the dialog lists what will be put back; accepting it undoes the run on the worker; a second
undo of the same run says nothing is left. Send now through the worker from a history row."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from app.gui.widgets.undo_dialog import UndoDialog, submit_send, submit_undo
from app.services import undo
from tests.gui.conftest import WAIT_MS

pytestmark = pytest.mark.gui


def test_undo_dialog_shows_the_plan_then_the_run_is_undone(qtbot, synced, make_controller):
    w = synced
    c = w.xero_contact("Ironbark Builders Pty Ltd")
    w.xero.ui_edit_contact(c.ContactID, {"EmailAddress": "office@ironbark.com.au"})
    run_id = w.sync_service().sync().run_id
    account = w.zoho_one("Accounts", Xero_Contact_ID=c.ContactID)
    assert account["Email"] == "office@ironbark.com.au"
    controller = make_controller(w)

    dialog = UndoDialog(undo.undo_plan(w.sync_service().profile, run_id))
    qtbot.addWidget(dialog)
    assert dialog.summary.text().startswith("1 change to put back in 1 record.")
    row = [dialog.table.item(0, col).text() for col in range(5)]
    assert row[:4] == ["Ironbark Builders Pty Ltd", "Email", "Zoho CRM", "office@ironbark.com.au"]
    dialog.accepted.connect(lambda: submit_undo(controller, run_id))
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS) as done:
        dialog.put_back.click()
    name, result = done.args
    assert name == "undo.run" and result["ok"] and result["message"] == "Put back 1 change in 1 record."
    assert w.zoho_one("Accounts", id=account["id"])["Email"] != "office@ironbark.com.au"

    again = UndoDialog(undo.undo_plan(w.sync_service().profile, run_id))
    qtbot.addWidget(again)
    assert again.summary.text() == "Nothing is left to undo in this run."
    assert again.buttons.button(QDialogButtonBox.StandardButton.Close) is not None and not again.table.isVisible()


def test_send_now_from_a_history_row(qtbot, synced, make_controller):
    w = synced
    c = w.xero_contact("Magpie Print House")
    w.xero.ui_edit_contact(c.ContactID, {"EmailAddress": "hello@magpieprint.com.au"})
    controller = make_controller(w)
    with qtbot.waitSignal(controller.task_finished, timeout=WAIT_MS) as done:
        submit_send(controller, "contacts", "zoho", c.ContactID)
    assert done.args[0] == "push.send"
    assert done.args[1]["message"] == "Sent 'Magpie Print House' to Zoho CRM."
    assert w.zoho_one("Accounts", Xero_Contact_ID=c.ContactID)["Email"] == "hello@magpieprint.com.au"
