"""Scenario control for the Xero sandbox: "edits as a user in the Xero web UI", plus a few switches.

HTTP (under ``/_sandbox/`` only; every call takes an optional ``"tenant"`` — tenant id or organisation name — in the
JSON body or the query string, default the first/main organisation). Record bodies use the API's PascalCase fields.
A refused edit answers 400 ``{"errors": ["…"]}`` with the same messages the API would give.

- ``POST  /_sandbox/xero/contacts``                       create a contact → the contact as the API shows it
- ``PATCH /_sandbox/xero/contacts/{id}``                  edit fields (``Website`` is editable here, not via API)
- ``POST  /_sandbox/xero/contacts/{id}/archive``          archive (``/restore`` makes it ACTIVE again)
- ``POST  /_sandbox/xero/contacts/{id}/merge``            ``{"into": other_id}``: invoices move to the other contact,
  this one is archived with ``MergedToContactID``
- ``POST  /_sandbox/xero/invoices``                       create (``{"Type","Contact":{"ContactID"},"LineItems",…}``)
- ``PATCH /_sandbox/xero/invoices/{id}``                  edit (incl. ``Status`` to approve)
- ``POST  /_sandbox/xero/invoices/{id}/void`` · ``/delete``
- ``POST  /_sandbox/xero/invoices/{id}/payments``         ``{"Amount": "12.50", "Date"?, "Reference"?}`` (bank 090)
- ``POST  /_sandbox/xero/payments/{id}/delete``           remove a payment
- ``POST  /_sandbox/xero/invoices/{id}/credit``           ``{"Amount": "50.00", "Date"?, "Reference"?}``: credit the
  invoice as the web UI's "Add credit note" does (an AUTHORISED, tax-inclusive credit note for its contact with one
  line, allocated to the invoice) → the credit note
- ``POST  /_sandbox/xero/credit-notes`` · ``PATCH /_sandbox/xero/credit-notes/{id}``   create / edit a credit note
- ``POST  /_sandbox/xero/credit-notes/{id}/allocations``  ``{"Invoice": {"InvoiceID"}, "Amount", "Date"?}``
- ``POST  /_sandbox/xero/credit-notes/{id}/allocations/{allocation id}/delete``   take an allocation back
- ``POST  /_sandbox/xero/items`` · ``PATCH /_sandbox/xero/items/{id}``
- ``GET   /_sandbox/xero/summary``                        record counts by type and status, per organisation
- ``POST  /_sandbox/xero/disconnect-tenant``              the user disconnects the app from that organisation in Xero
- ``POST  /_sandbox/xero/maintenance``                    ``{"on": true}``: API answers 503 until switched off
- ``GET/POST /_sandbox/xero/switches``                    list / change :data:`~.switches.SWITCHES`

Each is also a Python method on the emulator (``ui_create_contact`` …) for in-process tests; those raise
:class:`SandboxEditError` instead of answering 400. Edits move ``UpdatedDateUTC`` exactly as an API write would.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx

from . import contacts, credit_notes, invoices, items, payments
from .calls import Call, CallError, Outcome
from .seed import lines_of
from .state import Org
from .switches import SWITCHES
from .wire import date_string, parse_body, to_decimal


class SandboxEditError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _json(status: int, body: Any) -> httpx.Response:
    from ..base import json_response

    return json_response(status, body)


class ControlMixin:
    """Mixed into XeroEmulator; expects ``orgs``, ``lock``, ``clock``, ``switches``, ``identity``, ``app_name``."""

    orgs: dict[str, Org]

    # ----- helpers -----------------------------------------------------------------------------------------------
    def _org(self, tenant: str | None) -> Org:
        if not tenant:
            return next(iter(self.orgs.values()))
        org = self.orgs.get(tenant.lower()) or next((o for o in self.orgs.values() if o.Name == tenant), None)
        if org is None:
            raise SandboxEditError([f"no organisation {tenant!r}"])
        return org

    def _ui_call(self, org: Org, method: str) -> Call:
        return Call(org=org, method=method, path_rest=[], query={"unitdp": "4"}, headers=httpx.Headers(),
                    body=b"", now_ms=int(self.clock.time() * 1000), switches=self.switches,  # type: ignore[attr-defined]
                    provider=self.app_name, source="ui")  # type: ignore[attr-defined]

    def _edit(self, tenant: str | None, method: str, fn) -> dict:
        with self.lock:  # type: ignore[attr-defined]
            org = self._org(tenant)
            call = self._ui_call(org, method)
            try:
                outcome: Outcome = fn(call)
            except CallError:
                raise SandboxEditError(["record not found"]) from None
            if outcome.errors:
                raise SandboxEditError(outcome.errors)
            return outcome.view

    # ----- contacts ----------------------------------------------------------------------------------------------
    def ui_create_contact(self, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "PUT", lambda c: contacts.upsert_one(c, dict(fields)))

    def ui_edit_contact(self, contact_id: str, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "POST", lambda c: contacts.upsert_one(c, dict(fields), contact_id))

    def ui_archive_contact(self, contact_id: str, tenant: str | None = None) -> dict:
        return self.ui_edit_contact(contact_id, {"ContactStatus": "ARCHIVED"}, tenant)

    def ui_restore_contact(self, contact_id: str, tenant: str | None = None) -> dict:
        return self.ui_edit_contact(contact_id, {"ContactStatus": "ACTIVE"}, tenant)

    def ui_merge_contact(self, contact_id: str, into: str, tenant: str | None = None) -> dict:
        with self.lock:  # type: ignore[attr-defined]
            org = self._org(tenant)
            loser, winner = contacts.find(org, contact_id), contacts.find(org, into)
            if loser is None or winner is None or loser is winner:
                raise SandboxEditError(["both contacts must exist and differ"])
            now = int(self.clock.time() * 1000)  # type: ignore[attr-defined]
            for iid in list(org.invoices_by_contact.get(loser.ContactID, [])):
                inv = org.invoices[iid]
                org.unindex_invoice(inv)
                inv.ContactID = winner.ContactID
                inv.UpdatedDateUTC = now
                org.index_invoice(inv)
            for cid in list(org.credit_notes_by_contact.get(loser.ContactID, [])):
                cn = org.credit_notes[cid]
                org.unindex_credit_note(cn)
                cn.ContactID, cn.UpdatedDateUTC = winner.ContactID, now
                org.index_credit_note(cn)
            winner.IsCustomer |= loser.IsCustomer
            winner.IsSupplier |= loser.IsSupplier
            winner.UpdatedDateUTC = now
            org.unindex_contact(loser)
            loser.ContactStatus, loser.MergedToContactID, loser.UpdatedDateUTC = "ARCHIVED", winner.ContactID, now
            org.index_contact(loser)
            return contacts.contact_view(org, loser, now)

    # ----- invoices ----------------------------------------------------------------------------------------------
    def ui_create_invoice(self, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "PUT", lambda c: invoices.upsert_one(c, dict(fields)))

    def ui_edit_invoice(self, invoice_id: str, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "POST", lambda c: invoices.upsert_one(c, dict(fields), invoice_id))

    def ui_void_invoice(self, invoice_id: str, tenant: str | None = None) -> dict:
        return self.ui_edit_invoice(invoice_id, {"Status": "VOIDED"}, tenant)

    def ui_delete_invoice(self, invoice_id: str, tenant: str | None = None) -> dict:
        return self.ui_edit_invoice(invoice_id, {"Status": "DELETED"}, tenant)

    def ui_add_payment(self, invoice_id: str, amount: Any, tenant: str | None = None, **extra: Any) -> dict:
        el = {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": extra.pop("AccountCode", "090")},
              "Amount": str(amount), **extra}
        return self._edit(tenant, "PUT", lambda c: payments.create_one(c, el))

    def ui_delete_payment(self, payment_id: str, tenant: str | None = None) -> dict:
        with self.lock:  # type: ignore[attr-defined]
            org = self._org(tenant)
            p = org.payments.get(payment_id.lower())
            if p is None or p.Status == "DELETED":
                raise SandboxEditError(["no such payment, or already deleted"])
            payments.reverse_payment(org, p, int(self.clock.time() * 1000),  # type: ignore[attr-defined]
                                     bool(self.switches.get("payment_bumps_invoice", True)))  # type: ignore[attr-defined]
            return payments.payment_view(org, p)

    # ----- credit notes ------------------------------------------------------------------------------------------
    def ui_create_credit_note(self, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "PUT", lambda c: credit_notes.upsert_one(c, dict(fields)))

    def ui_edit_credit_note(self, credit_note_id: str, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "POST", lambda c: credit_notes.upsert_one(c, dict(fields), credit_note_id))

    def ui_allocate_credit_note(self, credit_note_id: str, invoice_id: str, amount: Any, tenant: str | None = None,
                                date: str | None = None) -> dict:
        """Apply part of an AUTHORISED credit note to an invoice of the same contact (dated today by default)."""
        def allocate(call: Call) -> Outcome:
            cn = credit_notes.find(call.org, credit_note_id)
            if cn is None:
                raise CallError(httpx.Response(404))
            el = {"Invoice": {"InvoiceID": invoice_id}, "Amount": amount,
                  "Date": date or date_string(invoices.org_today(call.org, call.now_ms))[:10]}
            return credit_notes.allocate_one(call, cn, el)
        return self._edit(tenant, "PUT", allocate)

    def ui_remove_allocation(self, credit_note_id: str, allocation_id: str, tenant: str | None = None) -> dict:
        with self.lock:  # type: ignore[attr-defined]
            org = self._org(tenant)
            cn = credit_notes.find(org, credit_note_id)
            now = int(self.clock.time() * 1000)  # type: ignore[attr-defined]
            if cn is None or credit_notes.remove_allocation(org, cn, allocation_id, now) is None:
                raise SandboxEditError(["no such allocation, or already taken back"])
            return credit_notes.credit_note_view(org, cn)

    def ui_credit_invoice(self, invoice_id: str, amount: Any, tenant: str | None = None, **extra: Any) -> dict:
        """What "Add credit note" on an invoice does in the web UI: an AUTHORISED credit note for the invoice's
        contact, in its currency, for ``amount`` including tax, allocated to the invoice at once."""
        with self.lock:  # type: ignore[attr-defined]
            org = self._org(tenant)
            inv = invoices.find(org, invoice_id)
            if inv is None or inv.Type != "ACCREC":
                raise SandboxEditError(["no such sales invoice"])
            try:
                wanted = to_decimal(amount)
            except ValueError:
                wanted = None
            if inv.Status != "AUTHORISED" or wanted is None or not 0 < wanted <= inv.AmountDue:
                raise SandboxEditError(["only an approved invoice can be credited, by at most its amount due"])
            fields = {"Type": "ACCRECCREDIT", "Contact": {"ContactID": inv.ContactID}, "Status": "AUTHORISED",
                      "CurrencyCode": inv.CurrencyCode, "LineAmountTypes": "Inclusive",
                      "Reference": extra.get("Reference") or f"Credit for {inv.InvoiceNumber}",
                      "LineItems": [{"Description": f"Credit for {inv.InvoiceNumber}", "Quantity": 1,
                                     "UnitAmount": amount, "AccountCode": "200"}]}
            taxed = next((li.TaxType for li in lines_of(org, inv) if li.TaxType), "")
            if taxed:  # the invoice's own tax (an export credited without GST)
                fields["LineItems"][0]["TaxType"] = taxed
            if extra.get("Date"):
                fields["Date"] = extra["Date"]
            note = self.ui_create_credit_note(fields, tenant)
            self.ui_allocate_credit_note(note["CreditNoteID"], inv.InvoiceID, amount, tenant, extra.get("Date"))
            return credit_notes.credit_note_view(org, org.credit_notes[note["CreditNoteID"]])

    # ----- items -------------------------------------------------------------------------------------------------
    def ui_create_item(self, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "PUT", lambda c: items.upsert_one(c, dict(fields)))

    def ui_edit_item(self, item_id: str, fields: dict, tenant: str | None = None) -> dict:
        return self._edit(tenant, "POST", lambda c: items.upsert_one(c, dict(fields), item_id))

    # ----- other scenario controls -------------------------------------------------------------------------------
    def summary(self) -> dict:
        with self.lock:  # type: ignore[attr-defined]
            result = []
            for org in self.orgs.values():
                contact_counts = Counter(c.ContactStatus for c in org.contacts.values())
                inv_status = Counter(i.Status for i in org.invoices.values())
                inv_type = Counter(i.Type for i in org.invoices.values())
                pay_status = Counter(p.Status for p in org.payments.values())
                note_status = Counter(cn.Status for cn in org.credit_notes.values())
                result.append({
                    "tenantId": org.TenantID, "name": org.Name,
                    "contacts": {"total": len(org.contacts), **contact_counts},
                    "invoices": {"total": len(org.invoices), **inv_type, **inv_status},
                    "items": {"total": len(org.items)},
                    "payments": {"total": len(org.payments), **pay_status},
                    "creditNotes": {"total": len(org.credit_notes), **note_status},
                })
            active = sum(1 for c in self.identity.state.connections.values() if c.active)  # type: ignore[attr-defined]
            return {"tenants": result, "connections": active}

    def disconnect_tenant(self, tenant: str | None = None) -> int:
        """The user removes the app's connection to this organisation in Xero (Settings → Connected apps)."""
        with self.lock:  # type: ignore[attr-defined]
            return self.identity.disconnect_tenant(self._org(tenant).TenantID)  # type: ignore[attr-defined]

    def set_maintenance(self, on: bool) -> None:
        with self.lock:  # type: ignore[attr-defined]
            self.maintenance = on

    def set_switches(self, changes: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(changes) - set(SWITCHES))
        if unknown:
            raise SandboxEditError([f"unknown switch {name!r}" for name in unknown])
        with self.lock:  # type: ignore[attr-defined]
            self.switches.update(changes)  # type: ignore[attr-defined]
            return dict(self.switches)  # type: ignore[attr-defined]

    # ----- HTTP --------------------------------------------------------------------------------------------------
    def control_extra(self, request: httpx.Request, op: str) -> httpx.Response | None:
        if not op.startswith("xero/"):
            return None
        try:
            body = parse_body(request.content) if request.content.strip() else {}
        except ValueError:
            return _json(400, {"errors": ["body is not JSON"]})
        body = body if isinstance(body, dict) else {}
        tenant = body.pop("tenant", None) or request.url.params.get("tenant")
        method, path = request.method, op[len("xero/"):]
        try:
            return self._dispatch(method, path, body, tenant)
        except SandboxEditError as exc:
            return _json(400, {"errors": exc.messages})

    def _dispatch(self, method: str, path: str, body: dict, tenant: str | None) -> httpx.Response | None:
        def ok(value: Any) -> httpx.Response:
            from .wire import xero_response

            return xero_response(200, value)

        if path == "summary" and method == "GET":
            return ok(self.summary())
        if path == "disconnect-tenant" and method == "POST":
            return ok({"disconnected": self.disconnect_tenant(tenant)})
        if path == "maintenance" and method == "POST":
            self.set_maintenance(bool(body.get("on", True)))
            return ok({"maintenance": self.maintenance})  # type: ignore[attr-defined]
        if path == "switches":
            if method == "POST":
                return ok(self.set_switches(body))
            return ok(dict(self.switches))  # type: ignore[attr-defined]
        m = re.fullmatch(r"(contacts|invoices|items|payments|credit-notes)(?:/([^/]+))?(?:/([a-z-]+))?(?:/([^/]+)/delete)?",
                         path)
        if not m:
            return None
        kind, rid, action, sub = m.groups()
        if sub is not None:
            if kind == "credit-notes" and action == "allocations" and method == "POST":
                return ok(self.ui_remove_allocation(rid, sub, tenant))
            return None
        table = {
            ("contacts", False, None, "POST"): lambda: self.ui_create_contact(body, tenant),
            ("contacts", True, None, "PATCH"): lambda: self.ui_edit_contact(rid, body, tenant),
            ("contacts", True, "archive", "POST"): lambda: self.ui_archive_contact(rid, tenant),
            ("contacts", True, "restore", "POST"): lambda: self.ui_restore_contact(rid, tenant),
            ("contacts", True, "merge", "POST"): lambda: self.ui_merge_contact(rid, str(body.get("into", "")), tenant),
            ("invoices", False, None, "POST"): lambda: self.ui_create_invoice(body, tenant),
            ("invoices", True, None, "PATCH"): lambda: self.ui_edit_invoice(rid, body, tenant),
            ("invoices", True, "void", "POST"): lambda: self.ui_void_invoice(rid, tenant),
            ("invoices", True, "delete", "POST"): lambda: self.ui_delete_invoice(rid, tenant),
            ("invoices", True, "payments", "POST"): lambda: self.ui_add_payment(
                rid, body.pop("Amount", "0"), tenant, **body),
            ("invoices", True, "credit", "POST"): lambda: self.ui_credit_invoice(
                rid, body.pop("Amount", "0"), tenant, **body),
            ("payments", True, "delete", "POST"): lambda: self.ui_delete_payment(rid, tenant),
            ("credit-notes", False, None, "POST"): lambda: self.ui_create_credit_note(body, tenant),
            ("credit-notes", True, None, "PATCH"): lambda: self.ui_edit_credit_note(rid, body, tenant),
            ("credit-notes", True, "allocations", "POST"): lambda: self.ui_allocate_credit_note(
                rid, str((body.get("Invoice") or {}).get("InvoiceID") or ""), body.get("Amount", "0"), tenant,
                body.get("Date")),
            ("items", False, None, "POST"): lambda: self.ui_create_item(body, tenant),
            ("items", True, None, "PATCH"): lambda: self.ui_edit_item(rid, body, tenant),
        }
        fn = table.get((kind, rid is not None, action, method))
        return ok(fn()) if fn else None
