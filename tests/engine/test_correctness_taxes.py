"""Taxes and currencies from the live systems: the tax map is completed from Xero's tax rates and Zoho CRM's taxes
(so an NZ organisation, a GST-free export and a zero-rated line all work), deal invoices take their tax from the
mapping and the customer, foreign-currency invoices keep their currency and Xero's rate, and a currency Xero has not
added fails that record with the reason."""

from decimal import Decimal

from app.core.taxes import TaxFacts, deal_tax_type, default_tax_map
from app.emulators.xero.seed import NZ_ORG_NAME
from app.store.models import FailedRecord
from tests.services.test_profiles import PickOrganisation
from tests.world import make_world

AU_RATES = [{"tax_type": "OUTPUT", "name": "GST on Income", "rate": "10", "revenue": True},
            {"tax_type": "EXEMPTEXPORT", "name": "GST Free Exports", "rate": "0", "revenue": True},
            {"tax_type": "INPUT", "name": "GST on Expenses", "rate": "10", "revenue": False}]


def deal_invoice(w, deal_name, org=None):
    return next(i for i in (org or w.xero_org()).invoices.values() if i.Reference.startswith(deal_name))


def zoho_invoice(w, invoice):
    return w.zoho_one("Invoices", Xero_Invoice_ID=invoice.InvoiceID)


def rows_taxes(z):
    return [[t["name"] for t in row["Line_Tax"]] for row in z["Invoiced_Items"]]


def test_an_nz_organisation_syncs_with_its_own_gst(data_dir):
    w = make_world(data_dir)
    try:
        w.connections.connect_xero(PickOrganisation(w.emulator_client(), NZ_ORG_NAME), timeout=30)
        w.connect_zoho()
        report = w.sync_service().sync()
        assert report.outcome == "ok", report.message
        org = next(o for o in w.xero.orgs.values() if o.Name == NZ_ORG_NAME)
        seeded = [i for i in org.invoices.values() if i.Type == "ACCREC" and not i.CreatedByApp]
        assert seeded
        for inv in seeded:
            z = zoho_invoice(w, inv)
            assert Decimal(str(z["Grand_Total"])) == inv.Total
            assert rows_taxes(z) == [["NZ GST"]] * len(inv.LineItems)  # 15% GST on Income
        assert report.by_pair["items"]["created"] == 12  # Zoho products made Xero items with NZ tax types
        assert {i.SalesDetails["TaxType"] for i in org.items.values()} <= {"OUTPUT2", "NONE"}
        kiwi_deal = deal_invoice(w, "Kiwi Roasters — NZ cups", org)  # an NZD deal: a sale at home
        assert (kiwi_deal.CurrencyCode, [li.TaxType for li in kiwi_deal.LineItems]) == ("NZD", ["OUTPUT2"])
        assert kiwi_deal.TotalTax == (kiwi_deal.SubTotal * Decimal("0.15")).quantize(Decimal("0.01"))
    finally:
        w.close()


def test_an_nzd_export_deal_of_an_au_organisation_is_gst_free_at_xeros_rate(synced):
    w = synced
    kiwi = deal_invoice(w, "Kiwi Roasters — NZ cups")
    assert (kiwi.CurrencyCode, kiwi.CurrencyRate, kiwi.TotalTax) == ("NZD", Decimal("1.090000"), Decimal("0.00"))
    assert [li.TaxType for li in kiwi.LineItems] == ["EXEMPTEXPORT"]
    acme = deal_invoice(w, "Acme — Q1 coffee supply")  # a customer at home pays GST
    assert [li.TaxType for li in acme.LineItems] == ["OUTPUT"] and acme.TotalTax == Decimal("288.00")


def test_a_usd_invoice_in_an_aud_organisation_keeps_its_currency_and_rate(synced):
    w = synced
    pacific = w.xero_contact("Pacific Bean Traders Inc")
    inv = next(i for i in w.xero_org().invoices.values() if i.ContactID == pacific.ContactID)
    assert (inv.CurrencyCode, inv.CurrencyRate) == ("USD", Decimal("0.650000"))
    z = zoho_invoice(w, inv)
    assert (z["Currency"], Decimal(str(z["Exchange_Rate"])), Decimal(str(z["Grand_Total"]))) == (
        "USD", Decimal("0.65"), inv.Total)
    assert rows_taxes(z) == [[], []]  # a GST-free export
    assert w.zoho_one("Accounts", Xero_Contact_ID=pacific.ContactID)["Currency"] == "USD"


def test_a_tax_rate_the_mapping_does_not_name_still_syncs(synced):
    w = synced
    inv = next(i for i in w.xero_org().invoices.values() if i.InvoiceNumber == "INV-0044")  # a draft
    line = inv.LineItems[0]
    line.TaxType, line.TaxAmount = "INPUTTAXED", Decimal("0.00")  # input taxed sales: 0%, not in the shipped map
    inv.UpdatedDateUTC = int(w.clock.time() * 1000)
    report = w.sync_service().sync()
    assert report.outcome == "ok", report.message
    assert rows_taxes(zoho_invoice(w, inv))[0] == []


def test_a_currency_xero_has_not_added_fails_the_record_with_the_reason(world):
    w = world
    w.xero_org().currencies.remove("NZD")
    report = w.sync_service().sync()
    assert report.outcome == "partial"
    failed = FailedRecord.get(FailedRecord.pair == "deals", FailedRecord.record_name.contains("Kiwi"))
    assert "Xero is not set up for NZD" in failed.error["message"] and "Add NZD in Xero" in failed.hint


def test_taxes_and_currencies_are_read_once_a_day_not_every_sync(synced):
    w = synced
    w.reset_counts()
    assert w.sync_service().sync().outcome == "ok"
    assert not {k for k in w.requests()["xero"] if "TaxRates" in k or "Currencies" in k}
    w.clock.advance(25 * 3600)
    w.reset_counts()
    w.sync_service().sync()
    assert w.requests()["xero"].get("GET /api.xro/2.0/TaxRates") == 1


def test_the_default_tax_map_and_deal_tax_follow_the_organisation():
    facts = TaxFacts("AU", "AUD", AU_RATES, ["AUD", "NZD"], [{"name": "GST", "percentage": 10.0}])
    assert default_tax_map(facts) == {"OUTPUT": {"name": "GST", "percentage": 10.0}, "EXEMPTEXPORT": None}
    home = {"Addresses.STREET.Country": "Australia"}
    abroad = {"Addresses.STREET.Country": "New Zealand"}
    assert deal_tax_type({"deal_tax_type": "OUTPUT"}, home, "AUD", facts) == "OUTPUT"
    assert deal_tax_type({"deal_tax_type": "OUTPUT"}, abroad, "AUD", facts) == "EXEMPTEXPORT"
    assert deal_tax_type({}, {"DefaultCurrency": "USD"}, None, facts) == "EXEMPTEXPORT"
    nz = TaxFacts("NZ", "NZD", [{"tax_type": "OUTPUT2", "name": "15% GST on Income", "rate": "15"}], ["NZD"], [])
    assert deal_tax_type({"deal_tax_type": "OUTPUT"}, {}, "NZD", nz) == "OUTPUT2"
    assert deal_tax_type({"deal_tax_type": "OUTPUT"}, {}, "AUD", nz) == "ZERORATED"


def test_a_currency_zoho_has_not_added_fails_the_record_with_the_reason(data_dir, monkeypatch):
    from app.emulators.zoho import metadata

    monkeypatch.delitem(metadata.CURRENCIES, "USD")  # Zoho CRM without US dollars
    w = make_world(data_dir)
    try:
        w.connect_both()
        report = w.sync_service().sync()
        assert report.outcome == "partial"
        failed = FailedRecord.get(FailedRecord.pair == "contacts", FailedRecord.record_name == "Pacific Bean Traders Inc")
        assert "Zoho CRM is not set up for USD" in failed.error["message"] and "Add USD in Zoho CRM" in failed.hint
        assert not w.zoho_records("Accounts", Account_Name="Pacific Bean Traders Inc")
    finally:
        w.close()
