"""POST /Invoices/{InvoiceID}/Email, branding themes on invoices and a contact's branding theme and payment terms."""

from __future__ import annotations

from .test_invoices import _contact_id, _create, _status

STANDARD, HOSPITALITY = "5d4a5b5c-0000-4000-8000-000000000001", "5d4a5b5c-0000-4000-8000-000000000002"


def _email(session, invoice_id):
    return session.post(f"/Invoices/{invoice_id}/Email", {})


def _org(emu, session):
    return emu.orgs[session.tenant_id]


def test_an_authorised_invoice_is_emailed_with_204_and_marked_sent(session, emu):
    inv = _create(session, status="AUTHORISED")
    assert inv["SentToContact"] is False
    r = _email(session, inv["InvoiceID"])
    assert r.status_code == 204 and r.content == b""
    assert _org(emu, session).invoices[inv["InvoiceID"]].EmailsSent == 1
    assert session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]["SentToContact"] is True


def test_a_draft_or_submitted_invoice_cannot_be_emailed(session, emu):
    draft = _create(session)
    r = _email(session, draft["InvoiceID"])
    assert r.status_code == 400
    body = r.json()
    assert body["Type"] == "ValidationException"
    assert "AUTHORISED or PAID" in body["Elements"][0]["ValidationErrors"][0]["Message"]
    assert _status(session, draft["InvoiceID"], "SUBMITTED").status_code == 200
    assert _email(session, draft["InvoiceID"]).status_code == 400
    assert _org(emu, session).invoices[draft["InvoiceID"]].EmailsSent == 0


def test_a_voided_invoice_cannot_be_emailed_and_an_unknown_one_is_not_found(session):
    inv = _create(session, status="AUTHORISED")
    assert _status(session, inv["InvoiceID"], "VOIDED").status_code == 200
    assert _email(session, inv["InvoiceID"]).status_code == 400
    assert _email(session, "00000000-0000-0000-0000-000000000000").status_code == 404


def test_branding_themes_are_listed_and_an_invoice_keeps_its_theme(session):
    themes = session.get("/BrandingThemes").json()["BrandingThemes"]
    assert [(t["Name"], t["SortOrder"]) for t in themes] == [("Standard", 0), ("Hospitality", 1)]
    inv = _create(session, BrandingThemeID=HOSPITALITY)
    assert session.get(f"/Invoices/{inv['InvoiceID']}").json()["Invoices"][0]["BrandingThemeID"] == HOSPITALITY
    r = session.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": _contact_id(session)},
                                                "BrandingThemeID": "11111111-2222-3333-4444-555555555555"}]})
    assert r.status_code == 400 and "Invalid BrandingThemeID" in r.text


def test_a_contact_keeps_its_branding_theme_and_sales_payment_terms(session):
    cid = _contact_id(session)
    terms = {"Sales": {"Day": 20, "Type": "DAYSAFTERBILLDATE"}}
    r = session.post(f"/Contacts/{cid}", {"Contacts": [{"ContactID": cid, "PaymentTerms": terms,
                                                         "BrandingTheme": {"BrandingThemeID": HOSPITALITY}}]})
    assert r.status_code == 200, r.text
    got = session.get(f"/Contacts/{cid}").json()["Contacts"][0]
    assert got["PaymentTerms"] == terms and got["BrandingTheme"]["BrandingThemeID"] == HOSPITALITY
