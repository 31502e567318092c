"""A one-minute schedule the organisation can afford: scheduled syncs read contacts and invoices every cycle and
items and the payments list on a slower beat, so the average idle cycle costs well under 2.4 Xero calls, while every
edit and payment still arrives within two cycles (a payment moves its invoice, which is read every cycle)."""

from __future__ import annotations

from decimal import Decimal

from app.core.beats import idle_calls


def _xero_list_calls(world) -> int:
    return sum(n for k, n in world.requests()["xero"].items() if k.startswith("GET /api.xro/2.0/"))


def _cycle(world) -> int:
    world.clock.advance(60)
    world.reset_counts()
    report = world.sync_service().sync(trigger="schedule")
    assert report.outcome in ("ok", "partial"), report.message
    return _xero_list_calls(world)


def test_half_an_hour_of_one_minute_syncs_costs_little_and_misses_nothing(synced):
    w = synced
    invoice = next(i for i in w.xero_org().invoices.values() if i.Status == "AUTHORISED" and i.AmountDue
                   and w.zoho_records("Invoices", Xero_Invoice_ID=i.InvoiceID))
    contact = next(c for c in w.xero_org().contacts.values() if c.ContactStatus == "ACTIVE"
                   and w.zoho_records("Accounts", Xero_Contact_ID=c.ContactID))
    account = w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)
    edits = {  # cycle at which a person makes the change → check that it arrived
        5: (lambda: w.xero.ui_edit_contact(contact.ContactID, {"Website": "https://example.com/new"}),
            lambda: w.zoho_one("Accounts", id=account["id"]).get("Website") == "https://example.com/new"),
        11: (lambda: w.xero.ui_add_payment(invoice.InvoiceID, Decimal("10.00")),
             lambda: Decimal(str(w.zoho_one("Invoices", Xero_Invoice_ID=invoice.InvoiceID).get("Amount_Paid") or 0))
             >= Decimal("10.00")),
        17: (lambda: w.zoho.ui_edit("Accounts", account["id"], {"Phone": "+61 2 9555 4321"}),
             lambda: "4321" in repr(w.xero_contact(contact.Name).Phones)),
    }
    calls, pending = [], {}
    for n in range(1, 31):
        if n in edits:
            edit, arrived = edits[n]
            edit()
            pending[n] = arrived
        calls.append(_cycle(w))
        for made, arrived in list(pending.items()):
            if arrived():
                assert n - made < 2, f"the change made at cycle {made} arrived only at cycle {n}"
                del pending[made]
    assert not pending, f"changes made at cycles {sorted(pending)} never arrived"
    assert sum(calls) / len(calls) <= 2.4, calls
    assert max(calls) >= 4  # the slower beat still reads items and payments now and then


def test_sync_now_still_reads_everything(synced):
    synced.clock.advance(60)
    synced.reset_counts()
    synced.sync_service().sync(trigger="manual")
    assert _xero_list_calls(synced) == 4


def test_what_the_settings_page_quotes_matches_the_beats():
    assert idle_calls(1)["xero"] <= 2.4
    assert idle_calls(15)["xero"] == 4
