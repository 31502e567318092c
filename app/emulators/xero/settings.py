"""Read-only organisation settings: /Organisation, /TaxRates, /Currencies, /TrackingCategories, /Accounts,
/BrandingThemes (contact groups, which are written too, are in :mod:`.contact_groups`).

TaxRates, Currencies and Organisation ignore If-Modified-Since (as the real API does); TaxRates, Currencies and
Accounts take ``where``/``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from .calls import Call, filter_and_sort
from .reference import BRANDING_THEMES, CURRENCY_NAMES, TAX_RATES, accounts, tracking_categories
from .wire import NOT_FOUND_TEXT, net_date, text_response


def _dict_resolver(row: dict, path: tuple[str, ...]) -> Any:
    value: Any = row
    for part in path:
        if not isinstance(value, dict):
            raise KeyError(part)
        match = next((k for k in value if k.lower() == part.lower()), None)
        if match is None:
            raise KeyError(part)
        value = value[match]
    return value


class _Row:
    """Lets the generic list pipeline (which reads ``UpdatedDateUTC``) run over plain dict rows."""

    __slots__ = ("row", "UpdatedDateUTC")

    def __init__(self, row: dict) -> None:
        self.row = row
        self.UpdatedDateUTC = 0


def _rows(call: Call, rows: list[dict], type_name: str) -> list[dict]:
    wrapped = [_Row(r) for r in rows]
    result = filter_and_sort(call, wrapped, lambda w, path: _dict_resolver(w.row, path), type_name, ims=False)
    return [w.row for w in result]


def organisation(call: Call) -> httpx.Response:
    org = call.org
    body = {
        "APIKey": "", "Name": org.Name, "LegalName": org.LegalName, "PaysTax": True, "Version": org.CountryCode,
        "OrganisationType": "COMPANY", "BaseCurrency": org.BaseCurrency, "CountryCode": org.CountryCode,
        "IsDemoCompany": False, "OrganisationStatus": "ACTIVE", "TaxNumber": org.TaxNumber,
        "FinancialYearEndDay": 30 if org.CountryCode == "AU" else 31,
        "FinancialYearEndMonth": 6 if org.CountryCode == "AU" else 3,
        "SalesTaxBasis": "ACCRUALS" if org.CountryCode == "AU" else "PAYMENTS",
        "SalesTaxPeriod": "QUARTERLY" if org.CountryCode == "AU" else "TWOMONTHS",
        "DefaultSalesTax": "Tax Exclusive", "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": f"/Date({org.CreatedDateUTC})/", "OrganisationEntityType": "COMPANY",
        "Timezone": org.Timezone, "ShortCode": org.ShortCode, "OrganisationID": org.TenantID, "Edition": "BUSINESS",
        "Class": "STANDARD", "LineOfBusiness": "Wholesale supplies", "Addresses": [], "Phones": [],
        "ExternalLinks": [], "PaymentTerms": {"Sales": {"Day": 30, "Type": "DAYSAFTERBILLDATE"}},
    }
    if org.PeriodLockDate:
        body["PeriodLockDate"] = f"/Date({org.PeriodLockDate}+0000)/"
    return call.ok("Organisations", [body])


def tax_rates(call: Call) -> httpx.Response:
    rows = TAX_RATES[call.org.CountryCode]
    if call.path_rest:
        rows = [r for r in rows if r["TaxType"].lower() == call.path_rest[0].lower()]
        if not rows:
            return text_response(404, NOT_FOUND_TEXT)
    return call.ok("TaxRates", _rows(call, rows, "TaxRate"))


def currencies(call: Call) -> httpx.Response:
    rows = [{"Code": c, "Description": CURRENCY_NAMES.get(c, c)} for c in call.org.currencies]
    return call.ok("Currencies", _rows(call, rows, "Currency"))


def tracking(call: Call) -> httpx.Response:
    rows = tracking_categories(call.org.TenantID)
    if call.path_rest:
        rows = [r for r in rows if r["TrackingCategoryID"] == call.path_rest[0].lower()]
        if not rows:
            return text_response(404, NOT_FOUND_TEXT)
    return call.ok("TrackingCategories", _rows(call, rows, "TrackingCategory"))


def chart(call: Call) -> httpx.Response:
    rows = accounts(call.org.CountryCode, call.org.TenantID)
    for r in rows:
        r["UpdatedDateUTC"] = net_date(call.org.CreatedDateUTC)
    if call.path_rest:
        rows = [r for r in rows if r["AccountID"] == call.path_rest[0].lower()]
        if not rows:
            return text_response(404, NOT_FOUND_TEXT)
    return call.ok("Accounts", _rows(call, rows, "Account"))


def branding_themes(call: Call) -> httpx.Response:
    themes = [dict(t) for t in BRANDING_THEMES]
    if call.path_rest:
        themes = [t for t in themes if t["BrandingThemeID"] == call.path_rest[0].lower()]
        if not themes:
            return text_response(404, NOT_FOUND_TEXT)
    return call.ok("BrandingThemes", themes)


HANDLERS: dict[str, Callable[[Call], httpx.Response]] = {
    "organisation": organisation, "brandingthemes": branding_themes, "taxrates": tax_rates, "currencies": currencies,
    "trackingcategories": tracking, "accounts": chart,
}
