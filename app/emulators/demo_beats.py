"""The demo's story after its first sync: :data:`~app.emulators.demo_story.AFTER_FIRST_SYNC` edits one linked
customer on both sides, as its people would between two syncs.

It is played once, when a list of Xero contacts or Zoho accounts is asked for (not records by id) while the customer
is linked, before that read is answered: a first sync reads its lists before it links anything, so the beat plays
as the next sync starts and that sync sees both edits. Whether it was played is read from the data (both sides still hold the seed's values),
so a saved and reloaded sandbox does not play it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from . import demo_story as story

if TYPE_CHECKING:
    from .xero import XeroEmulator
    from .zoho import ZohoEmulator

Handler = Callable[[httpx.Request], httpx.Response]


def install(xero: XeroEmulator, zoho: ZohoEmulator) -> None:
    """Wrap both emulators' request handlers (in place) so that the beat plays at the right moment."""
    beat = _Beat(xero, zoho)
    xero.handle = beat.before(xero.handle, "/api.xro/2.0/Contacts")  # type: ignore[method-assign]
    zoho.handle = beat.before(zoho.handle, "/crm/v8/Accounts")  # type: ignore[method-assign]


class _Beat:
    def __init__(self, xero: XeroEmulator, zoho: ZohoEmulator) -> None:
        self.xero, self.zoho = xero, zoho
        self.played = False
        self.customer = next(c for c in story.CUSTOMERS if c["key"] == story.AFTER_FIRST_SYNC["customer"])

    def before(self, handle: Handler, list_path: str) -> Handler:
        def handler(request: httpx.Request) -> httpx.Response:
            if (not self.played and request.method == "GET" and request.url.path.endswith(list_path)
                    and not {"IDs", "ids"} & set(request.url.params)):
                self.play()
            return handle(request)

        return handler

    def play(self) -> None:
        """Edit both sides once the customer is linked and neither side has changed the fields since the seed."""
        org = next((o for o in self.xero.orgs.values() if o.Name == story.ORG_NAME), None)
        contact = next((c for c in org.contacts.values() if c.Name == self.customer["name"]), None) if org else None
        if contact is None:
            return
        linked = self.zoho.find_records("Accounts", Xero_Contact_ID=contact.ContactID)
        if not linked:
            return
        self.played = True
        account: dict[str, Any] = linked[0]
        seed_abn = self.customer["abn"]
        if contact.TaxNumber != seed_abn or account.get("ABN") != seed_abn:
            return  # played before this sandbox was saved, or someone changed it meanwhile
        self.xero.ui_edit_contact(contact.ContactID, dict(story.AFTER_FIRST_SYNC["xero"]), tenant=org.TenantID)
        self.zoho.ui_edit("Accounts", account["id"], dict(story.AFTER_FIRST_SYNC["zoho"]))
