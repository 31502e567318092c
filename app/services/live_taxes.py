"""The organisation's taxes and currencies read from Xero (Organisation, TaxRates, Currencies) and Zoho CRM (its
taxes), kept with the layouts for a day: they change rarely, and a record refused for a tax or currency drops
them so the next run reads them again."""

from __future__ import annotations

import logging
from typing import Any

from app.core.taxes import TaxFacts
from app.errors import AppError
from app.integrations.xero.client import XeroClient
from app.integrations.zoho.client import ZohoClient
from app.services.schema_cache import SchemaCache

log = logging.getLogger(__name__)

FACTS_KEY = "tax_facts"
FACTS_TTL_SECONDS = 24 * 3600


def read_facts(xero: XeroClient, zoho: ZohoClient) -> dict[str, Any]:
    org = xero.organisation()
    rates = [{"tax_type": r.tax_type, "name": r.name, "rate": str(r.rate), "revenue": r.revenue}
             for r in xero.tax_rates() if r.status in ("", "ACTIVE")]
    currencies = sorted({c.code.upper() for c in xero.currencies() if c.code} | {org.base_currency.upper()})
    try:
        zoho_taxes = [{"name": name, "percentage": float(pct)} for name, pct in zoho.taxes()]
    except AppError as exc:  # a connection made without the scope, or an edition without taxes: defaults only
        log.warning("Zoho CRM taxes not read: %s", exc.technical or exc.message)
        zoho_taxes = []
    zoho_currencies = sorted({c.iso_code.upper() for c in zoho.currencies() if c.iso_code and c.is_active})
    return TaxFacts(org.country_code or "AU", org.base_currency or "AUD", rates, currencies, zoho_taxes,
                    zoho_currencies).to_json()


def tax_facts(cache: SchemaCache, xero: XeroClient, zoho: ZohoClient) -> TaxFacts:
    return TaxFacts.from_json(cache.data(facts_key(xero), lambda: read_facts(xero, zoho), FACTS_TTL_SECONDS))


def facts_key(xero: XeroClient) -> str:
    return f"{FACTS_KEY}.{xero.tenant_id}"  # another organisation has its own taxes and currencies
