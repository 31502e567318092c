"""The demo tells every page's story on its first sync, with Xero as shipped (no switch turned off): Failed
records holds Müller's Bakehaus (an umlaut in its email, which Xero refuses) with words saying what to do,
Conflicts & matches the two Emu Plains look-alikes; correcting the email in Zoho and retrying clears the failure."""

import pytest

from app.emulators.demo_story import ZOHO_ONLY_ACCOUNTS
from app.services import review
from tests.world import make_world

MULLER = next(a for a in ZOHO_ONLY_ACCOUNTS if a["key"] == "muller")


@pytest.fixture
def demo(data_dir):
    w = make_world(data_dir, xero_switches={})  # the Xero emulator's defaults, as in `main.py --demo`
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
