"""XeroClient: reads with the fewest calls (pageSize 1000, stop on the pagination object), incremental reads with
``If-Modified-Since`` (archived included), and batch writes of ≤ 50 with per-record results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from app.integrations.common import (
    BatchResult,
    Page,
    RecordFailure,
    RecordOutcome,
    chunks,
    http_date_utc,
    version_text,
)
from app.integrations.common import idempotency_key as make_key
from app.integrations.endpoints import XeroEndpoints
from app.integrations.http import ApiSession
from app.integrations.xero.hints import hint_for
from app.integrations.xero.models import (
    Contact,
    Currency,
    Invoice,
    Item,
    Organisation,
    Payment,
    TaxRate,
    TrackingCategory,
)
from app.integrations.xero.wire import exact_numbers, loads, parse_day

PAGE_SIZE = 1000
BATCH_SIZE = 50
T = TypeVar("T")


class XeroClient:
    def __init__(self, session: ApiSession, endpoints: XeroEndpoints, tenant_id: str) -> None:
        self.session = session
        self.base = endpoints.api_base.rstrip("/")
        self.tenant_id = tenant_id

    # ----- plumbing ------------------------------------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any] | None = None, modified_since: datetime | None = None) -> Any:
        headers = {"xero-tenant-id": self.tenant_id}
        if modified_since is not None:
            headers["If-Modified-Since"] = http_date_utc(modified_since)
        response = self.session.send("GET", f"{self.base}/{path}", params=params, headers=headers)
        if response.status_code in (204, 304):
            return {}
        return self._body(response)

    def _body(self, response: Any) -> Any:
        """The JSON body, money as Decimal: parsed once, by the session's readability check, when it can be."""
        if getattr(self.session, "parse", None) is loads:
            return self.session.body(response)
        return loads(response.content)

    def _paged(self, path: str, key: str, parse: Callable[[dict], T], params: dict[str, Any],
               modified_since: datetime | None, start_page: int) -> Iterator[Page[T]]:
        page = max(1, start_page)
        while True:
            body = self._get(path, {**params, "page": page, "pageSize": PAGE_SIZE}, modified_since)
            rows = body.get(key) or []
            pagination = body.get("pagination") or {}
            page_count = pagination.get("pageCount")
            total = int(pagination.get("itemCount") or 0)
            if page_count is not None:
                last = page >= int(page_count)
            else:
                last = len(rows) < PAGE_SIZE
            items = [parse(r) for r in rows]
            del body, rows, pagination  # not held while the caller works through the page (a page is megabytes)
            yield Page(items, page, last, as_of=getattr(self.session, "server_time", None), total=total)
            if last:
                return
            page += 1

    def _write(self, method: str, path: str, key: str, records: list[dict[str, Any]],
               parse: Callable[[dict], Any], id_key: str, params: dict[str, Any] | None = None) -> BatchResult:
        result = BatchResult()
        offset = 0
        for batch in chunks(records, BATCH_SIZE):
            body = {key: batch}
            response = self.session.send(
                method, f"{self.base}/{path}", params={"summarizeErrors": "false", **(params or {})},
                json_body=exact_numbers(body), headers={"xero-tenant-id": self.tenant_id, "Idempotency-Key": make_key("lb", body)},
            )
            result.extend(_outcomes(self._body(response).get(key) or [], parse, id_key), offset)
            offset += len(batch)
        return result

    # ----- contacts ------------------------------------------------------------------------------------------
    def contacts(self, modified_since: datetime | None = None, include_archived: bool = True,
                 start_page: int = 1, where: str | None = None) -> Iterator[Page[Contact]]:
        params: dict[str, Any] = {"includeArchived": "true" if include_archived else "false",
                                  "order": "UpdatedDateUTC ASC"}
        if where:
            params["where"] = where
        return self._paged("Contacts", "Contacts", Contact.from_wire, params, modified_since, start_page)

    def contact(self, contact_id: str) -> Contact:
        return Contact.from_wire(self._get(f"Contacts/{contact_id}")["Contacts"][0])

    def create_contacts(self, contacts: list[Contact]) -> BatchResult:
        """Create only (PUT): a name already used by an active contact fails instead of editing that contact."""
        return self._write("PUT", "Contacts", "Contacts", [c.to_wire() for c in contacts], Contact.from_wire,
                           "ContactID")

    def update_contacts(self, contacts: list[Contact]) -> BatchResult:
        """Update by ContactID (POST is create-or-update; every element here carries its id)."""
        return self._write("POST", "Contacts", "Contacts", [c.to_wire() for c in contacts], Contact.from_wire,
                           "ContactID")

    # ----- items ---------------------------------------------------------------------------------------------
    def items(self, modified_since: datetime | None = None) -> Iterator[Page[Item]]:
        """Items have no paging in Xero: one call returns them all."""
        body = self._get("Items", {"order": "UpdatedDateUTC ASC"}, modified_since)
        yield Page([Item.from_wire(r) for r in body.get("Items") or []], 1, True)

    def create_items(self, items: list[Item]) -> BatchResult:
        return self._write("PUT", "Items", "Items", [i.to_wire() for i in items], Item.from_wire, "ItemID")

    def update_items(self, items: list[Item]) -> BatchResult:
        return self._write("POST", "Items", "Items", [i.to_wire() for i in items], Item.from_wire, "ItemID")

    # ----- invoices ------------------------------------------------------------------------------------------
    def invoices(self, modified_since: datetime | None = None, start_page: int = 1,
                 statuses: list[str] | None = None, where: str | None = None) -> Iterator[Page[Invoice]]:
        """Paged reads carry line items (unpaged ones do not)."""
        params: dict[str, Any] = {"order": "UpdatedDateUTC ASC"}
        if statuses:
            params["Statuses"] = ",".join(statuses)
        if where:
            params["where"] = where
        return self._paged("Invoices", "Invoices", Invoice.from_wire, params, modified_since, start_page)

    def invoice(self, invoice_id: str) -> Invoice:
        return Invoice.from_wire(self._get(f"Invoices/{invoice_id}")["Invoices"][0])

    def create_invoices(self, invoices: list[Invoice]) -> BatchResult:
        return self._write("PUT", "Invoices", "Invoices", [i.to_wire() for i in invoices], Invoice.from_wire,
                           "InvoiceID")

    def update_invoices(self, invoices: list[Invoice]) -> BatchResult:
        return self._write("POST", "Invoices", "Invoices", [i.to_wire() for i in invoices], Invoice.from_wire,
                           "InvoiceID")

    def email_invoice(self, invoice_id: str) -> None:
        """Xero emails the invoice to its contact (an approved invoice only; Xero answers 204, no body)."""
        self.session.send("POST", f"{self.base}/Invoices/{invoice_id}/Email", json_body={}, expect_json=False,
                          headers={"xero-tenant-id": self.tenant_id,
                                   "Idempotency-Key": make_key("lb-email", {"InvoiceID": invoice_id})})

    def invoices_by_id(self, ids: list[str]) -> list[Invoice]:
        out: list[Invoice] = []
        for batch in chunks(ids, BATCH_SIZE):
            body = self._get("Invoices", {"IDs": ",".join(batch), "page": 1, "pageSize": PAGE_SIZE})
            out.extend(Invoice.from_wire(r) for r in body.get("Invoices") or [])
        return out

    def contacts_by_id(self, ids: list[str]) -> list[Contact]:
        out: list[Contact] = []
        for batch in chunks(ids, BATCH_SIZE):
            body = self._get("Contacts", {"IDs": ",".join(batch), "includeArchived": "true", "page": 1,
                                          "pageSize": PAGE_SIZE})
            out.extend(Contact.from_wire(r) for r in body.get("Contacts") or [])
        return out

    def items_by_id(self, ids: list[str]) -> list[Item]:
        wanted = set(ids)
        return [i for page in self.items() for i in page.items if i.item_id in wanted]

    # ----- payments ------------------------------------------------------------------------------------------
    def payments(self, modified_since: datetime | None = None, start_page: int = 1) -> Iterator[Page[Payment]]:
        return self._paged("Payments", "Payments", Payment.from_wire, {"order": "UpdatedDateUTC ASC"},
                           modified_since, start_page)

    def create_payments(self, payments: list[Payment]) -> BatchResult:
        return self._write("PUT", "Payments", "Payments", [p.to_wire() for p in payments], Payment.from_wire,
                           "PaymentID")

    # ----- settings (for mapping validation and the mapping editor) ------------------------------------------
    def tax_rates(self) -> list[TaxRate]:
        return [TaxRate.from_wire(r) for r in self._get("TaxRates").get("TaxRates") or []]

    def currencies(self) -> list[Currency]:
        return [Currency(c.get("Code", ""), c.get("Description", "")) for c in
                self._get("Currencies").get("Currencies") or []]

    def tracking_categories(self) -> list[TrackingCategory]:
        out = []
        for c in self._get("TrackingCategories").get("TrackingCategories") or []:
            out.append(TrackingCategory(c.get("TrackingCategoryID", ""), c.get("Name", ""),
                                        [o.get("Name", "") for o in c.get("Options") or []], c.get("Status", "")))
        return out

    def contact_groups(self) -> dict[str, str]:
        """Active contact groups: id → name."""
        return {g.get("ContactGroupID", ""): g.get("Name", "") for g in
                self._get("ContactGroups").get("ContactGroups") or [] if g.get("Status", "ACTIVE") == "ACTIVE"}

    def contact_group_members(self, group_id: str) -> list[str]:
        """The ids of a group's contacts (Xero lists them only when the group is read by its id)."""
        groups = self._get(f"ContactGroups/{group_id}").get("ContactGroups") or [{}]
        return [c.get("ContactID", "") for c in groups[0].get("Contacts") or [] if c.get("ContactID")]

    def create_contact_group(self, name: str) -> str:
        """The new group's id. A name already in use is refused (RecordRejected)."""
        body = {"ContactGroups": [{"Name": name}]}
        response = self.session.send("PUT", f"{self.base}/ContactGroups", json_body=body, headers={
            "xero-tenant-id": self.tenant_id, "Idempotency-Key": make_key("lb-group", body)})
        return str((self._body(response).get("ContactGroups") or [{}])[0].get("ContactGroupID") or "")

    def add_to_contact_group(self, group_id: str, contact_ids: list[str]) -> None:
        """Put these contacts in the group, up to 50 a call. Sent again it changes nothing (a contact is in a group
        once), so it needs no idempotency key; a key would replay an old answer after a contact moved out and back."""
        for batch in chunks(contact_ids, BATCH_SIZE):
            self.session.send("PUT", f"{self.base}/ContactGroups/{group_id}/Contacts",
                              json_body={"Contacts": [{"ContactID": cid} for cid in batch]},
                              headers={"xero-tenant-id": self.tenant_id})

    def remove_from_contact_group(self, group_id: str, contact_id: str) -> None:
        """Take one contact out of the group (Xero has no call for several; it answers 204)."""
        self.session.send("DELETE", f"{self.base}/ContactGroups/{group_id}/Contacts/{contact_id}",
                          headers={"xero-tenant-id": self.tenant_id}, expect_json=False)

    def organisation(self) -> Organisation:
        org = (self._get("Organisation").get("Organisations") or [{}])[0]
        return Organisation(org.get("OrganisationID", ""), org.get("Name", ""), org.get("BaseCurrency", ""),
                            org.get("CountryCode", ""), org.get("ShortCode", ""),
                            parse_day(org.get("PeriodLockDate")))


def _outcomes(elements: list[dict[str, Any]], parse: Callable[[dict], Any], id_key: str) -> BatchResult:
    result = BatchResult()
    for index, element in enumerate(elements):
        errors = element.get("ValidationErrors") or []
        status = element.get("StatusAttributeString")
        if errors or status == "ERROR":
            message = "; ".join(str(e.get("Message", "")) for e in errors) or "Xero rejected this record."
            failure = RecordFailure(message=message, code="ValidationError", hint=hint_for(message, element),
                                    raw={"ValidationErrors": errors})
            result.outcomes.append(RecordOutcome(index, element.get(id_key), failure))
        else:
            record = parse(element)
            result.outcomes.append(RecordOutcome(index, element.get(id_key), None, "", version_text(
                getattr(record, "updated", None)), record))
    return result
