"""Phones, emails and names keep what a person typed; a value that differs only in formatting is no change."""

from app.services import review


def sync(w):
    report = w.sync_service().sync()
    assert report.outcome in ("ok", "partial"), report.message
    return report


def writes(w) -> dict[str, dict[str, int]]:
    """Every request that was not a read, per system, since the counts were last reset."""
    return {system: {k: n for k, n in calls.items() if not k.startswith("GET ")}
            for system, calls in w.requests().items()}


def account_for(w, name):
    return w.zoho_one("Accounts", Xero_Contact_ID=w.xero_contact(name).ContactID)


def test_kiwi_roasters_keeps_its_country_code_in_zoho(synced):
    w = synced
    assert account_for(w, "Kiwi Roasters Ltd")["Phone"] == "+64 9 555 0100"
    # created in Zoho by the sync (it was only in Xero)
    assert account_for(w, "Tasman Design Studio Ltd")["Phone"] == "+64 4 555 0199"


def test_a_first_sync_leaves_phones_and_emails_that_differ_only_in_formatting_as_typed(synced):
    w = synced
    assert account_for(w, "Citrus Law Pty Ltd")["Phone"] == "(02) 9555 0702"  # Xero has 02 9555 0702
    assert account_for(w, "Eucalypt Medical Centre")["Email"] == "Reception@EucalyptMedical.com.au"
    assert w.xero_contact("Eucalypt Medical Centre").EmailAddress == "reception@eucalyptmedical.com.au"
    assert review.conflicts(w.sync_service()) == []


def test_reformatting_a_phone_or_an_emails_case_in_zoho_writes_nothing(synced):
    w = synced
    account = account_for(w, "Redgum Dental Group")
    w.zoho.ui_edit("Accounts", account["id"], {"Phone": "+61 2 9555 0333", "Email": "Practice@RedgumDental.com.au"})
    account = account_for(w, "Bondi Surf Club")
    w.zoho.ui_edit("Accounts", account["id"], {"Phone": "(02) 9555-0611"})
    w.reset_counts()
    report = sync(w)
    assert writes(w) == {"xero": {}, "zoho": {}}
    assert report.counts.get("conflicts") is None
    redgum = w.xero_contact("Redgum Dental Group")
    assert redgum.EmailAddress == "practice@redgumdental.com.au"
    assert (redgum.Phones["DEFAULT"]["PhoneCountryCode"], redgum.Phones["DEFAULT"]["PhoneAreaCode"],
            redgum.Phones["DEFAULT"]["PhoneNumber"]) == ("61", "02", "9555 0333")


def test_reformatting_a_phone_or_an_emails_case_in_xero_writes_nothing(synced):
    w = synced
    c = w.xero_contact("Bondi Surf Club")
    w.xero.ui_edit_contact(c.ContactID, {
        "EmailAddress": "Office@BondiSurfClub.org.au",
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "(02) 9555 0611"}]})
    w.clock.advance(60)
    w.reset_counts()
    report = sync(w)
    assert writes(w) == {"xero": {}, "zoho": {}}
    assert report.counts.get("conflicts") is None
    account = account_for(w, "Bondi Surf Club")
    assert account["Email"] == "office@bondisurfclub.org.au"


def test_a_real_change_still_flows_and_keeps_the_country_code_and_extension(synced):
    w = synced
    account = account_for(w, "Redgum Dental Group")
    w.zoho.ui_edit("Accounts", account["id"], {"Phone": "+64 9 555 0400 ext 21"})
    sync(w)
    phone = w.xero_contact("Redgum Dental Group").Phones["DEFAULT"]
    assert (phone["PhoneCountryCode"], phone["PhoneAreaCode"], phone["PhoneNumber"]) == ("64", "9", "555 0400 ext 21")
    w.clock.advance(60)
    w.reset_counts()
    sync(w)  # what Xero now holds reads back as the same number: nothing more to write either way
    assert writes(w) == {"xero": {}, "zoho": {}}
    assert account_for(w, "Redgum Dental Group")["Phone"] == "+64 9 555 0400 ext 21"


def test_an_extension_added_in_xero_reaches_zoho(synced):
    w = synced
    c = w.xero_contact("Magpie Print House")
    w.xero.ui_edit_contact(c.ContactID, {"Phones": [{"PhoneType": "DEFAULT", "PhoneCountryCode": "61",
                                                     "PhoneAreaCode": "02", "PhoneNumber": "9555 1414 ext 3"}]})
    sync(w)
    assert account_for(w, "Magpie Print House")["Phone"] == "+61 2 9555 1414 ext 3"


def test_an_email_changed_beyond_its_case_flows(synced):
    w = synced
    account = account_for(w, "Bondi Surf Club")
    w.zoho.ui_edit("Accounts", account["id"], {"Email": "Hello@BondiSurfClub.org.au"})
    sync(w)
    assert w.xero_contact("Bondi Surf Club").EmailAddress == "Hello@BondiSurfClub.org.au"  # as typed
