"""The demo tells every page's story, with Xero as shipped (no switch turned off) and the story's edits after the
first sync (as ``--demo`` plays them): Failed records holds Müller's Bakehaus (an umlaut in its email, which Xero
refuses) with words saying what to do, Conflicts & matches the two Emu Plains look-alikes; correcting the email in
Zoho and retrying clears the failure; the second sync finds Southern Cross Logistics' new ABN typed differently on
each side, a conflict settled from the services."""

import pytest

from app.emulators import demo_beats
from app.emulators.demo_story import AFTER_FIRST_SYNC, CUSTOMERS, ZOHO_ONLY_ACCOUNTS
from app.services import review
from tests.world import make_world

MULLER = next(a for a in ZOHO_ONLY_ACCOUNTS if a["key"] == "muller")


@pytest.fixture
def demo(data_dir):
    w = make_world(data_dir, xero_switches={})  # the Xero emulator's defaults, as in `main.py --demo`
    demo_beats.install(w.xero, w.zoho)  # as the demo's sandbox does
    w.connect_both()
    yield w
    w.close()


def test_first_sync_leaves_one_failure_to_retry_and_the_lookalikes(demo):
    w = demo
    report = w.sync_service().sync()
    assert report.outcome == "partial" and report.failed == 1, report.message
    failed = review.failed_records(w.sync_service())
    assert [(f.record_name, f.pair) for f in failed] == [("Müller's Bakehaus", "contacts")]
    assert failed[0].hint == "Xero rejected the email address. Correct it in Zoho, then click Retry."
    assert w.xero_contacts("Müller's Bakehaus") == []
    pending = review.matches(w.sync_service())
    assert {m.zoho_name for m in pending} == {"Emu Plains Hardware", "Emu Plains Hardware & Garden"}
    assert review.conflicts(w.sync_service()) == []  # the conflict comes with the next sync


def test_correcting_the_email_in_zoho_and_retrying_creates_the_customer_in_xero(demo):
    w = demo
    w.sync_service().sync()
    failed = review.failed_records(w.sync_service())
    account = w.zoho_one("Accounts", Account_Name="Müller's Bakehaus")
    assert account["Email"] == MULLER["email"]
    w.clock.advance(60)
    w.zoho.ui_edit("Accounts", account["id"], {"Email": MULLER["fixed_email"]})  # the bookkeeper's fix in Zoho
    reports = review.retry(w.sync_service(), [failed[0].id])
    assert reports[0].outcome == "ok", reports[0].message
    assert review.failed_records(w.sync_service()) == []
    contact = w.xero_contact("Müller's Bakehaus")
    assert contact.EmailAddress == "orders@muellersbakehaus.com.au"
    assert w.zoho_one("Accounts", Account_Name="Müller's Bakehaus")["Xero_Contact_ID"] == contact.ContactID


def test_xero_accepts_the_umlaut_email_when_the_switch_is_off(data_dir):
    w = make_world(data_dir, xero_switches={"reject_umlaut_email": False})
    try:
        w.connect_both()
        assert w.sync_service().sync().outcome == "ok"
        assert w.xero_contact("Müller's Bakehaus").EmailAddress == MULLER["email"]
    finally:
        w.close()


def test_the_second_sync_asks_which_abn_is_right_and_the_choice_settles_it(demo):
    w = demo
    w.sync_service().sync()
    w.clock.advance(60)
    southern = next(c for c in CUSTOMERS if c["key"] == AFTER_FIRST_SYNC["customer"])
    contact = w.xero_contact(southern["name"])
    right, typo = AFTER_FIRST_SYNC["xero"]["TaxNumber"], AFTER_FIRST_SYNC["zoho"]["ABN"]

    second = w.sync_service().sync()
    assert second.counts.get("conflicts") == 1, second.message
    (conflict,) = review.conflicts(w.sync_service())
    assert conflict.record_name == southern["name"] and list(conflict.fields) == ["ABN"]
    assert conflict.fields["ABN"]["xero"] == right and conflict.fields["ABN"]["zoho"] == typo
    assert conflict.fields["ABN"]["base"] == southern["abn"]
    # nothing was written either way while it waits
    assert w.xero_contact(southern["name"]).TaxNumber == right
    assert w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)["ABN"] == typo

    report = review.resolve_conflict(w.sync_service(), conflict.id, ["xero"])
    assert report.outcome == "ok", report.message
    assert review.conflicts(w.sync_service()) == []
    assert w.zoho_one("Accounts", Xero_Contact_ID=contact.ContactID)["ABN"] == right
    w.clock.advance(60)
    third = w.sync_service().sync()  # the story plays once
    assert not third.counts.get("conflicts") and review.conflicts(w.sync_service()) == []
    assert w.xero_contact(southern["name"]).TaxNumber == right
