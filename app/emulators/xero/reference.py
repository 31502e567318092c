"""Fixed organisation settings: tax rates, currencies, chart of accounts and tracking categories.

AU system tax rates per the notes (help.xero.com/au): OUTPUT/INPUT 10 %, EXEMPTOUTPUT, EXEMPTEXPENSES (reported as
EXEMPTINPUT), BASEXCLUDED, GSTONIMPORTS and the "advanced" ones. NZ rates for the second demo organisation.
``CanApplyTo*`` for AU are modelled on the spec's NZ example (**unverified** for AU).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

NS = uuid.UUID("6a0d4c1e-3f5b-4c2a-9a51-7e0b5d2f1c00")


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(NS, ":".join(str(p) for p in parts)))


def _rate(name: str, tax_type: str, report: str, pct: str, revenue: bool, expenses: bool) -> dict:
    rate = Decimal(pct).quantize(Decimal("0.0001"))
    return {
        "Name": name, "TaxType": tax_type, "ReportTaxType": report,
        "CanApplyToAssets": True, "CanApplyToEquity": True, "CanApplyToExpenses": expenses,
        "CanApplyToLiabilities": True, "CanApplyToRevenue": revenue,
        "DisplayTaxRate": rate, "EffectiveRate": rate, "Status": "ACTIVE",
        "TaxComponents": [{"Name": "GST", "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}],
    }


TAX_RATES = {
    "AU": [
        _rate("GST on Income", "OUTPUT", "OUTPUT", "10", True, False),
        _rate("GST on Expenses", "INPUT", "INPUT", "10", False, True),
        _rate("GST Free Income", "EXEMPTOUTPUT", "EXEMPTOUTPUT", "0", True, False),
        _rate("GST Free Expenses", "EXEMPTEXPENSES", "EXEMPTINPUT", "0", False, True),
        _rate("BAS Excluded", "BASEXCLUDED", "BASEXCLUDED", "0", True, True),
        _rate("GST on Imports", "GSTONIMPORTS", "GSTONIMPORTS", "0", False, True),
        _rate("GST on Capital", "CAPEXINPUT", "CAPITALEXINPUT", "10", False, True),
        _rate("GST Free Capital", "EXEMPTCAPITAL", "EXEMPTCAPITAL", "0", False, True),
        _rate("GST Free Exports", "EXEMPTEXPORT", "EXEMPTEXPORT", "0", True, False),
        _rate("GST on Capital Imports", "GSTONCAPIMPORTS", "GSTONCAPIMPORTS", "0", False, True),
        _rate("Input Taxed", "INPUTTAXED", "INPUTTAXED", "0", True, True),
    ],
    "NZ": [
        _rate("15% GST on Income", "OUTPUT2", "OUTPUT", "15", True, False),
        _rate("15% GST on Expenses", "INPUT2", "INPUT", "15", False, True),
        _rate("No GST", "NONE", "NONE", "0", True, True),
        _rate("Zero Rated", "ZERORATED", "ZERORATEDOUTPUT", "0", True, False),
        _rate("GST on Imports", "GSTONIMPORTS", "GSTONIMPORTS", "0", False, True),
    ],
}
for _rates in TAX_RATES.values():
    for _r in _rates:
        if _r["DisplayTaxRate"] == 0:
            _r["TaxComponents"][0]["Name"] = "GST" if "GST" in _r["Name"] else "Tax"

DEFAULT_SALES_TAX = {"AU": "OUTPUT", "NZ": "OUTPUT2"}
DEFAULT_PURCHASE_TAX = {"AU": "INPUT", "NZ": "INPUT2"}


def tax_percent(country: str, tax_type: str) -> Decimal | None:
    for r in TAX_RATES[country]:
        if r["TaxType"] == tax_type:
            return r["EffectiveRate"]
    return None


# Invoice branding themes (every organisation has "Standard", SortOrder 0, the default theme).
BRANDING_THEMES = (
    {"BrandingThemeID": "5d4a5b5c-0000-4000-8000-000000000001", "Name": "Standard", "Type": "INVOICE", "SortOrder": 0,
     "CreatedDateUTC": "/Date(1573755038314+0000)/"},
    {"BrandingThemeID": "5d4a5b5c-0000-4000-8000-000000000002", "Name": "Hospitality", "Type": "INVOICE",
     "SortOrder": 1, "CreatedDateUTC": "/Date(1573755038314+0000)/"},
)
BRANDING_THEME_IDS = frozenset(t["BrandingThemeID"] for t in BRANDING_THEMES)


CURRENCY_NAMES = {"AUD": "Australian Dollar", "NZD": "New Zealand Dollar", "USD": "United States Dollar",
                  "GBP": "Great Britain Pound", "EUR": "Euro"}
# The "XE.com day rate" used when an invoice in a foreign currency gives no CurrencyRate (units per 1 base unit).
DAY_RATES = {("AUD", "NZD"): Decimal("1.090000"), ("NZD", "AUD"): Decimal("0.917431"),
             ("AUD", "USD"): Decimal("0.650000"), ("NZD", "USD"): Decimal("0.596330")}


# Chart of accounts (a trimmed AU/NZ default chart). Payments need a BANK account or one with payments enabled.
def accounts(country: str, tenant_id: str) -> list[dict]:
    rows = [
        ("090", "Business Bank Account", "BANK", "ASSET", "BASEXCLUDED", True),
        ("091", "Business Savings Account", "BANK", "ASSET", "BASEXCLUDED", True),
        ("200", "Sales", "REVENUE", "REVENUE", "OUTPUT", False),
        ("260", "Other Revenue", "REVENUE", "REVENUE", "OUTPUT", False),
        ("270", "Interest Income", "REVENUE", "REVENUE", "EXEMPTOUTPUT", False),
        ("300", "Purchases", "DIRECTCOSTS", "EXPENSE", "INPUT", False),
        ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "INPUT", False),
        ("400", "Advertising", "EXPENSE", "EXPENSE", "INPUT", False),
        ("429", "General Expenses", "EXPENSE", "EXPENSE", "INPUT", False),
        ("445", "Light, Power, Heating", "EXPENSE", "EXPENSE", "INPUT", False),
        ("449", "Motor Vehicle Expenses", "EXPENSE", "EXPENSE", "INPUT", False),
        ("820", "GST", "CURRLIAB", "LIABILITY", "BASEXCLUDED", False),
        ("830", "Income Tax Payable", "CURRLIAB", "LIABILITY", "BASEXCLUDED", False),
    ]
    result = []
    for code, name, typ, klass, tax, bank in rows:
        if country == "NZ":
            tax = {"OUTPUT": "OUTPUT2", "INPUT": "INPUT2", "EXEMPTOUTPUT": "NONE", "BASEXCLUDED": "NONE"}.get(tax, tax)
        row = {"AccountID": stable_id(tenant_id, "account", code), "Code": code, "Name": name, "Status": "ACTIVE",
               "Type": typ, "TaxType": tax, "Class": klass, "EnablePaymentsToAccount": bank,
               "ShowInExpenseClaims": False, "BankAccountNumber": "", "ReportingCode": "", "HasAttachments": False,
               "AddToWatchlist": False}
        if typ == "BANK":
            row["BankAccountType"] = "BANK"
            row["BankAccountNumber"] = "062000" + code.rjust(8, "1")
            row["CurrencyCode"] = "NZD" if country == "NZ" else "AUD"
        result.append(row)
    return result


def tracking_categories(tenant_id: str) -> list[dict]:
    cats = [("Region", ["NSW", "VIC", "QLD", "WA"]), ("Department", ["Café Supplies", "Office Supplies", "Services"])]
    result = []
    for name, options in cats:
        cat_id = stable_id(tenant_id, "tracking", name)
        result.append({
            "TrackingCategoryID": cat_id, "Name": name, "Status": "ACTIVE",
            "Options": [{"TrackingOptionID": stable_id(tenant_id, "tracking", name, o), "Name": o, "Status": "ACTIVE"}
                        for o in options],
        })
    return result
