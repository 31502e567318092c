"""History changes read out: names instead of ids, labels instead of API names, line items summarised."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from app.emulators.clock import VirtualClock
from app.paths import AppPaths
from app.services.exports import export_history, failed_json, history_csv_text, write_history_json
from app.services.history_words import Names, field_label
from app.services.record_links import RecordLinks, xero_url, zoho_url
from app.services.views import HistoryFilter, Views
from app.store.db import open_db
from app.store.models import Connection, FailedRecord, HistoryEntry, Link, Run
from app.store.settings import get_profile

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
INVOICE_CHANGES = {
    "zoho.Account_Name": [None, "3652397000010000003"],
    "zoho.Invoiced_Items": [None, [
        {"Product_Name": {"id": "z-beans"}, "Quantity": "3.0000", "List_Price": "18.50",
         "Description": "Beans — dark", "Line_Tax": [{"name": "GST", "percentage": 10.0}]},
        {"Product_Name": {"id": "z-unknown"}, "Quantity": "1.0000", "List_Price": "25.00", "Description": "Delivery"},
    ]],
    "zoho.Xero_Invoice_ID": [None, "x-inv-1"],
    "zoho.Grand_Total": ["100.00", "83.00"],
}


@pytest.fixture
def views(data_dir):
    paths = AppPaths(data_dir, data_dir / "logs").ensure()
    open_db(paths.database)
    profile = get_profile("default")
    Link.create(profile=profile, pair="contacts", xero_id="x-kiwi", zoho_id="3652397000010000003",
                name="Kiwi Roasters")
    Link.create(profile=profile, pair="items", xero_id="x-beans", zoho_id="z-beans", name="Flat White Beans",
                xero_values={"Code": "BEANS"})
    return Views(profile, VirtualClock(NOW))


def _entry(views, **kw):
    run = Run.get_or_none(Run.profile == views.profile) or Run.create(profile=views.profile, started_at=NOW)
    defaults = dict(run=run, profile=views.profile, pair="invoices", action="create", direction="xero->zoho",
                    record_name="INV-0001 — Kiwi Roasters", xero_id="x-inv-1", zoho_id="z-inv-1",
                    changes=INVOICE_CHANGES, created_at=NOW)
    return HistoryEntry.create(**{**defaults, **kw})


def test_ids_become_names_and_lines_are_summarised(views):
    names = Names(views.profile)
    lines = {c.field: c for c in names.changes("invoices", INVOICE_CHANGES, xero_id="x-inv-1")}
    assert lines["Account_Name"].text() == "Account Name: (empty) → Kiwi Roasters"
    assert lines["Account_Name"].where == "Zoho CRM"
    assert "customer" in lines["Account_Name"].rule
    assert lines["Invoiced_Items"].after == "2 lines: 3 × Flat White Beans at 18.50; 1 × Delivery at 25.00"
    assert lines["Xero_Invoice_ID"].after == "linked to this record in Xero"
    assert lines["Grand_Total"].text() == "Grand Total: 100.00 → 83.00"
    unlinked = names.changes("invoices", {"zoho.Account_Name": [None, "z-new"]})[0]
    assert unlinked.after == "its customer (not linked yet)"
    # Xero's line items name the item by its code
    xero_lines = [{"ItemCode": "BEANS", "Quantity": "2", "UnitAmount": "18.5"}, {"Description": "Freight"}]
    assert names.value("invoices", "xero", "LineItems", xero_lines) == \
        "2 lines: 2 × Flat White Beans at 18.50; Freight"


def test_field_labels_use_their_words():
    assert field_label("zoho", "Account_Name") == "Account Name"
    assert field_label("xero", "Addresses.STREET.City") == "Town / city"
    assert field_label("xero", "EmailAddress") == "Email"
    assert field_label("xero", "IsCustomer") == "Is customer"


def test_values_in_words(views):
    names = Names(views.profile)
    assert names.value("items", "zoho", "Taxable", True) == "Yes"
    assert names.value("contacts", "zoho", "Phone", "") == "(empty)"
    assert names.value("contacts", "zoho", "Owner", {"name": "Pat Lee", "id": "99"}) == "Pat Lee"
    # a plan entry's note is not a change
    assert names.changes("invoices", {"reason": "its customer waits"}) == []


def test_csv_export_is_plain_cells_one_row_per_field(views, tmp_path):
    _entry(views)
    _entry(views, action="skip", changes={}, record_name="INV-0002 — Emu Plains",
           error={"reason": "Not synced: its customer is waiting for you to confirm its match (see Matches)."})
    path = tmp_path / "history.csv"
    assert export_history(views, HistoryFilter(), path, "csv") == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Time", "Run", "Pair", "Record"]
    body = rows[1:]
    assert len(body) == 1 + len(INVOICE_CHANGES)  # the skip's one row, then one per changed field
    skip = body[0]
    assert skip[4] == "Skipped" and "waiting for you to confirm" in skip[-1]
    account = next(r for r in body if r[7] == "Account Name")
    assert account[8:10] == ["(empty)", "Kiwi Roasters"] and account[2] == "Invoices ⇄ Invoices"
    assert account[5] == "Xero → Zoho CRM"
    text = raw.decode("utf-8-sig")
    assert "{" not in text and "\\u" not in text and "3652397000010000003" not in text


def test_json_export_keeps_words_and_ids_without_escapes(views, tmp_path):
    _entry(views)
    out = io.StringIO()
    write_history_json(out, views.history_rows(views.history_ids(HistoryFilter())), Names(views.profile))
    assert "\\u" not in out.getvalue() and "—" in out.getvalue()
    entry = json.loads(out.getvalue())[0]
    assert entry["action_label"] == "Created" and entry["xero_id"] == "x-inv-1"
    assert {"label": "Account Name", "before": "(empty)", "after": "Kiwi Roasters"}.items() <= \
        next(c for c in entry["changes"] if c["field"] == "Account_Name").items()
    assert history_csv_text([], Names(views.profile)).startswith("Time,Run,Pair")


def test_failed_json_and_record_links(views):
    Connection.create(profile=views.profile, provider="zoho", dc="au", org_id="7001")
    row = FailedRecord.create(profile=views.profile, pair="contacts", direction="zoho->xero",
                              source_id="3652397000010000003", record_name="Kiwi Roasters", hint="Rename it.",
                              first_failed_at=NOW, last_failed_at=NOW)
    item = views.failed()[0]
    data = json.loads(failed_json([item]))
    assert data[0]["record"] == "Kiwi Roasters" and data[0]["tries"] == 1 and data[0]["id"] == row.id
    links = RecordLinks(views.profile).for_source("contacts", "zoho->xero", "3652397000010000003")
    assert links == {"xero": "https://go.xero.com/Contacts/View/x-kiwi",
                     "zoho": "https://crm.zoho.com.au/crm/org7001/tab/Accounts/3652397000010000003"}
    assert xero_url("items", "x") == "https://go.xero.com/Accounts/Inventory/"  # the product list (tests/services/test_record_links)
    assert xero_url("invoices", "abc") == "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=abc"
    assert zoho_url("deals", "5", "eu") == "https://crm.zoho.eu/crm/tab/Deals/5"
