"""The web page of a record in Xero or Zoho CRM, for "Open in Xero" / "Open in Zoho CRM".

Xero's pages live at go.xero.com, which shows whichever organisation was last opened in the browser; its documented
deep links (``organisationlogin/default.aspx?shortcode=…&redirecturl=…``) open the right organisation first, so once
the connected organisation's ShortCode is known (read with the organisation when connecting or testing the
connection) every Xero link is one of those. Items have no page of their own in Xero (they are not among the deep
links), so an item's link opens the organisation's Products and services list, where the user searches for its code.
Zoho CRM's pages live at the data centre's own domain, under the organisation id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from app.store.models import Connection, Link, Profile
from app.store.settings import get_setting, set_setting

XERO_WEB = "https://go.xero.com"
XERO_PATHS = {
    "contacts": "/Contacts/View/{id}",
    "invoices": "/AccountsReceivable/View.aspx?InvoiceID={id}",
    "deals": "/AccountsReceivable/View.aspx?InvoiceID={id}",
    "payments": "/AccountsReceivable/View.aspx?InvoiceID={id}",
}
XERO_PRODUCTS = "/Accounts/Inventory/"  # Products and services: an item is found there by its code
SHORT_CODE_SETTING = "xero.org_short_code"  # {"org_id": tenant id, "short_code": "!bLu3G"}
ZOHO_MODULES = {"contacts": "Accounts", "items": "Products", "invoices": "Invoices", "payments": "Invoices",
                "deals": "Deals"}
# Zoho CRM's web domain per data centre (the API domains are in integrations.endpoints).
ZOHO_WEB = {"us": "crm.zoho.com", "eu": "crm.zoho.eu", "in": "crm.zoho.in", "au": "crm.zoho.com.au",
            "jp": "crm.zoho.jp", "ca": "crm.zohocloud.ca", "sa": "crm.zoho.sa", "uk": "crm.zoho.uk",
            "cn": "crm.zoho.com.cn"}


def xero_url(pair: str, xero_id: str | None, short_code: str = "") -> str | None:
    """The record's page in Xero (an item: the Products and services list), through the organisation's deep link
    when its ShortCode is known."""
    if not xero_id:
        return None
    path = XERO_PRODUCTS if pair == "items" else XERO_PATHS.get(pair, "").format(id=xero_id)
    if not path:
        return None
    if short_code:
        return f"{XERO_WEB}/organisationlogin/default.aspx?shortcode={quote(short_code, safe='!')}&redirecturl={path}"
    return XERO_WEB + path


def zoho_url(pair: str, zoho_id: str | None, dc: str = "us", org_id: str = "", module: str | None = None) -> str | None:
    if not zoho_id:
        return None
    module = module or ZOHO_MODULES.get(pair)
    if not module:
        return None
    org = f"/org{org_id}" if org_id else ""
    return f"https://{ZOHO_WEB.get(dc or 'us', ZOHO_WEB['us'])}/crm{org}/tab/{module}/{zoho_id}"


def remember_short_code(profile: Profile, org_id: str, short_code: str) -> None:
    """Keep the connected Xero organisation's ShortCode for its deep links (a database write: not on the GUI
    thread). Kept with the organisation's id, so another organisation connected later never gets these links."""
    if org_id and short_code:
        set_setting(profile, SHORT_CODE_SETTING, {"org_id": org_id, "short_code": short_code})


class RecordLinks:
    """URLs for one profile's connections (read once: the organisation and data centre rarely change)."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        zoho = Connection.get_or_none(Connection.profile == profile, Connection.provider == "zoho")
        self.dc = (zoho.dc if zoho else "") or "us"
        self.org_id = zoho.org_id if zoho else ""
        xero = Connection.get_or_none(Connection.profile == profile, Connection.provider == "xero")
        self.xero_org = xero.org_name if xero else ""
        known: Any = get_setting(profile, SHORT_CODE_SETTING) or {}
        same_org = xero is not None and isinstance(known, dict) and known.get("org_id") == xero.org_id
        self.short_code = str(known.get("short_code") or "") if same_org else ""

    def urls(self, pair: str, xero_id: str | None, zoho_id: str | None) -> dict[str, str]:
        """``{"xero": url, "zoho": url}`` for whichever side has a page."""
        found = {"xero": xero_url(pair, xero_id, self.short_code),
                 "zoho": zoho_url(pair, zoho_id, self.dc, self.org_id)}
        return {side: url for side, url in found.items() if url}

    def for_source(self, pair: str, direction: str, source_id: str) -> dict[str, str]:
        """URLs of a failed record, known by the id on the side it comes from (and its link, if it has one)."""
        xero_id, zoho_id = self._ids(pair, direction, source_id)
        return self.urls(pair, xero_id, zoho_id)

    def xero_tip(self, pair: str, xero_id: str | None, name: str = "") -> str:
        """What "Open in Xero" opens, for its tooltip: an item's button opens the product list, not the item."""
        where = f" ({self.xero_org})" if self.xero_org else ""
        if pair != "items":
            return f"Open this record in Xero{where}"
        code = self._item_code(xero_id) or name
        search = f": search there for {code}" if code else ": search there for the item's code"
        return f"Open the Products and services list in Xero{where}{search} (Xero has no page for one item)"

    def xero_tip_for_source(self, pair: str, direction: str, source_id: str, name: str = "") -> str:
        return self.xero_tip(pair, self._ids(pair, direction, source_id)[0], name)

    def _ids(self, pair: str, direction: str, source_id: str) -> tuple[str | None, str | None]:
        from_xero = direction == "xero->zoho"
        column = Link.xero_id if from_xero else Link.zoho_id
        link = Link.get_or_none(Link.profile == self.profile, Link.pair == pair, column == source_id)
        xero_id = source_id if from_xero else (link.xero_id if link else None)
        zoho_id = (link.zoho_id if link else None) if from_xero else source_id
        return xero_id, zoho_id

    def _item_code(self, xero_id: str | None) -> str:
        if not xero_id:
            return ""
        link = Link.get_or_none(Link.profile == self.profile, Link.pair == "items", Link.xero_id == xero_id)
        values = (link.xero_values if link else None) or {}
        return str(values.get("Code") or "") if isinstance(values, dict) else ""
