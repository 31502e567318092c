"""The web page of a record in Xero or Zoho CRM, for "Open in Xero" / "Open in Zoho CRM".

Xero's pages live at go.xero.com (the organisation last opened in the browser); Zoho CRM's at the data centre's own
domain, under the organisation id. Items have no page of their own in Xero, so they get no Xero link.
"""

from __future__ import annotations

from app.store.models import Connection, Link, Profile

XERO_PAGES = {
    "contacts": "https://go.xero.com/Contacts/View/{id}",
    "invoices": "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={id}",
    "deals": "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={id}",
    "payments": "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={id}",
}
ZOHO_MODULES = {"contacts": "Accounts", "items": "Products", "invoices": "Invoices", "payments": "Invoices",
                "deals": "Deals"}
# Zoho CRM's web domain per data centre (the API domains are in integrations.endpoints).
ZOHO_WEB = {"us": "crm.zoho.com", "eu": "crm.zoho.eu", "in": "crm.zoho.in", "au": "crm.zoho.com.au",
            "jp": "crm.zoho.jp", "ca": "crm.zohocloud.ca", "sa": "crm.zoho.sa", "uk": "crm.zoho.uk",
            "cn": "crm.zoho.com.cn"}


def xero_url(pair: str, xero_id: str | None) -> str | None:
    page = XERO_PAGES.get(pair)
    return page.format(id=xero_id) if page and xero_id else None


def zoho_url(pair: str, zoho_id: str | None, dc: str = "us", org_id: str = "", module: str | None = None) -> str | None:
    if not zoho_id:
        return None
    module = module or ZOHO_MODULES.get(pair)
    if not module:
        return None
    org = f"/org{org_id}" if org_id else ""
    return f"https://{ZOHO_WEB.get(dc or 'us', ZOHO_WEB['us'])}/crm{org}/tab/{module}/{zoho_id}"


class RecordLinks:
    """URLs for one profile's connections (read once: the organisation and data centre rarely change)."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        zoho = Connection.get_or_none(Connection.profile == profile, Connection.provider == "zoho")
        self.dc = (zoho.dc if zoho else "") or "us"
        self.org_id = zoho.org_id if zoho else ""

    def urls(self, pair: str, xero_id: str | None, zoho_id: str | None) -> dict[str, str]:
        """``{"xero": url, "zoho": url}`` for whichever side has a page."""
        found = {"xero": xero_url(pair, xero_id), "zoho": zoho_url(pair, zoho_id, self.dc, self.org_id)}
        return {side: url for side, url in found.items() if url}

    def for_source(self, pair: str, direction: str, source_id: str) -> dict[str, str]:
        """URLs of a failed record, known by the id on the side it comes from (and its link, if it has one)."""
        from_xero = direction == "xero->zoho"
        column = Link.xero_id if from_xero else Link.zoho_id
        link = Link.get_or_none(Link.profile == self.profile, Link.pair == pair, column == source_id)
        xero_id = source_id if from_xero else (link.xero_id if link else None)
        zoho_id = (link.zoho_id if link else None) if from_xero else source_id
        return self.urls(pair, xero_id, zoho_id)
