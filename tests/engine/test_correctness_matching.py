"""Companies matched by more evidence: a shared website or email domain (a mail provider's aside) and the ABN are
evidence, but a domain alone never links: the pair waits for a person."""

from app.core.matching import business_domain, keys_for, match
from app.store.models import Link, MatchCandidate


def test_the_business_domain_comes_from_the_website_or_a_business_email():
    assert business_domain("https://www.acmecatering.com.au/contact", None) == "acmecatering.com.au"
    assert business_domain("", "Accounts@AcmeCatering.com.au") == "acmecatering.com.au"
    assert business_domain(None, "acme.catering@gmail.com") == ""  # a mail provider says nothing


def test_a_shared_domain_alone_goes_to_review_and_never_links():
    xero = [keys_for("x1", "Magpie Print House", "jobs@magpieprint.com.au", "", None)]
    zoho = [keys_for("z1", "Magpie Printing", "hello@magpieprint.com.au", "", None, "https://magpieprint.com.au")]
    result = match(xero, zoho)
    assert result.links == []
    assert result.review == [("x1", "z1", 0.25, ["same website or email domain"])]


def test_a_domain_with_another_abn_is_not_even_a_lead():
    xero = [keys_for("x1", "Magpie Print House", "jobs@magpieprint.com.au", "90 851 612 138", None)]
    zoho = [keys_for("z1", "Magpie Printing", "hi@magpieprint.com.au", "53 837 068 238", None)]
    assert match(xero, zoho).review == [] and match(xero, zoho).links == []


def test_the_same_abn_links_and_a_shared_domain_adds_to_the_evidence():
    xero = [keys_for("x1", "Magpie Print House", "jobs@magpieprint.com.au", "90 851 612 138", None)]
    zoho = [keys_for("z1", "Magpie Printing", "", "90851612138", None, "magpieprint.com.au")]
    assert match(xero, zoho).links == [("x1", "z1", ["same ABN", "same website or email domain"])]


def test_on_the_sandbox_a_zoho_account_sharing_only_a_domain_waits_for_a_person(world):
    w = world
    made = w.zoho.ui_create("Accounts", {"Account_Name": "Magpie Printing", "Website": "https://magpieprint.com.au",
                                         "Email": "hello@magpieprint.com.au"})
    w.clock.advance(60)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    magpie = w.xero_contact("Magpie Print House")
    candidate = MatchCandidate.get(MatchCandidate.xero_id == magpie.ContactID)
    assert (candidate.zoho_id, candidate.status) == (made["id"], "pending")
    assert "same website or email domain" in candidate.evidence
    assert not Link.select().where(Link.xero_id == magpie.ContactID, Link.zoho_id.is_null(False)).exists()
    assert not w.zoho_records("Accounts", Xero_Contact_ID=magpie.ContactID)  # not created while it waits
