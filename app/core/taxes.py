"""Taxes and currencies as the two live systems have them: the invoice lines' tax map filled in for the connected
organisation, and the tax type a deal's invoice takes.

The mapping's own tax map (a value map: Xero tax type → Zoho tax, or nothing for no tax) always wins; any sales
tax rate of the Xero organisation it does not name gets a default: no Zoho tax for a 0% rate (GST free, exports,
zero rated, BAS excluded), the Zoho tax of the same percentage otherwise. So an NZ organisation (15% GST on
Income) and an AU one (GST on Income, 10%) both work without editing the mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Per organisation country: the tax type of a sale at home, of an export, and of a line without tax.
DOMESTIC_TAX = {"AU": "OUTPUT", "NZ": "OUTPUT2"}
EXPORT_TAX = {"AU": "EXEMPTEXPORT", "NZ": "ZERORATED"}
NO_TAX = {"AU": "EXEMPTOUTPUT", "NZ": "NONE"}
COUNTRY_NAMES = {"AU": ("au", "australia"), "NZ": ("nz", "new zealand")}


@dataclass
class TaxFacts:
    """What the Xero organisation and Zoho CRM hold (read from both, cached with the layouts)."""

    country: str = "AU"
    base_currency: str = "AUD"
    xero_rates: list[dict[str, Any]] = field(default_factory=list)  # {tax_type, name, rate, revenue}
    xero_currencies: list[str] = field(default_factory=list)
    zoho_taxes: list[dict[str, Any]] = field(default_factory=list)  # {name, percentage}
    zoho_currencies: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaxFacts:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def currency_enabled(self, code: str | None) -> bool:
        """Whether Xero takes invoices in ``code`` (unknown currencies list: yes, Xero will say)."""
        return not code or not self.xero_currencies or code.upper() in self.xero_currencies

    def zoho_currency_enabled(self, code: str | None) -> bool:
        return not code or not self.zoho_currencies or code.upper() in self.zoho_currencies


def default_tax_map(facts: TaxFacts) -> dict[str, Any]:
    """A Zoho tax (or None: no tax) for every sales tax rate of the organisation."""
    out: dict[str, Any] = {}
    for rate in facts.xero_rates:
        if not rate.get("revenue", True):
            continue
        pct = Decimal(str(rate.get("rate") or 0))
        if not pct:
            out[rate["tax_type"]] = None
            continue
        zoho = _zoho_tax_for(pct, str(rate.get("name") or ""), facts.zoho_taxes)
        if zoho is not None:
            out[rate["tax_type"]] = zoho
    return out


def _zoho_tax_for(pct: Decimal, xero_name: str, zoho_taxes: list[dict[str, Any]]) -> dict[str, Any] | None:
    same = [t for t in zoho_taxes if Decimal(str(t.get("percentage") or 0)) == pct]
    if not same:
        return None
    named = [t for t in same if str(t["name"]).lower() in xero_name.lower()]
    chosen = (named or same)[0]
    return {"name": chosen["name"], "percentage": float(pct)}


def effective_lines_spec(spec: dict[str, Any], facts: TaxFacts | None) -> dict[str, Any]:
    """The line_items transform with the organisation's defaults under the mapping's own tax map."""
    if facts is None:
        return spec
    tax_map = {**default_tax_map(facts), **(spec.get("tax_map") or {})}
    return {**spec, "tax_map": tax_map, "no_tax_type": spec.get("no_tax_type") or NO_TAX.get(facts.country,
                                                                                            "EXEMPTOUTPUT")}


def overseas(customer: dict[str, Any], currency: str | None, facts: TaxFacts) -> bool:
    """A customer outside the organisation's country: billed in another currency, or with an address abroad."""
    if currency and currency.upper() != facts.base_currency:
        return True
    if customer.get("DefaultCurrency") and str(customer["DefaultCurrency"]).upper() != facts.base_currency:
        return True
    home = COUNTRY_NAMES.get(facts.country, (facts.country.lower(),))
    countries = [str(customer.get(f"Addresses.{kind}.Country") or "").strip().lower() for kind in ("STREET", "POBOX")]
    return any(c and c not in home for c in countries)


def deal_tax_type(options: dict[str, Any], customer: dict[str, Any], currency: str | None,
                  facts: TaxFacts | None) -> str:
    """The tax type of a won deal's invoice line: the mapping's choice, else the organisation's GST on sales, or
    its export rate for an overseas customer (an NZD deal of an AU organisation is not charged GST)."""
    if facts is None:
        return str(options.get("deal_tax_type") or "OUTPUT")
    if overseas(customer, currency, facts):
        return str(options.get("export_tax_type") or EXPORT_TAX.get(facts.country, "EXEMPTEXPORT"))
    chosen = options.get("deal_tax_type")
    known = {r["tax_type"] for r in facts.xero_rates}
    if chosen and (not known or chosen in known):
        return str(chosen)
    return DOMESTIC_TAX.get(facts.country, "OUTPUT")


def localise_tax_values(spec: dict[str, Any], facts: TaxFacts | None) -> dict[str, Any]:
    """A value map over Xero tax types written for one country (the shipped mapping's OUTPUT ⇄ Taxable) in the
    connected organisation's own tax types: a type the organisation does not have stands for its role (sales at
    home, exports, no tax) and becomes that role's type here (OUTPUT → OUTPUT2 in an NZ organisation)."""
    known = {r["tax_type"] for r in facts.xero_rates} if facts else set()
    if not known or spec.get("kind") != "value_map":
        return spec
    roles = {t: role for role in (DOMESTIC_TAX, EXPORT_TAX, NO_TAX) for t in role.values()}

    def local(tax_type: Any) -> Any:
        if not isinstance(tax_type, str) or tax_type in known or tax_type not in roles:
            return tax_type
        return roles[tax_type].get(facts.country, tax_type)  # type: ignore[union-attr]

    table = {}
    for key, value in (spec.get("map") or {}).items():
        table.setdefault(local(key), value)
    out = {**spec, "map": table}
    if "default_reverse" in spec:
        out["default_reverse"] = local(spec["default_reverse"])
    return out
