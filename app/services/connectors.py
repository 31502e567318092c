"""The engine's view of the two live systems: a PairSpec per pair, built from the connected clients."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from app.core.mapping import FieldLink, PairMapping, without_absent_optional
from app.core.matching import MatchKeys, keys_for, normalise_name
from app.core.pairsync import PairSpec
from app.core.records import ARCHIVED, SourceRecord
from app.core.taxes import TaxFacts, deal_tax_type, effective_lines_spec, localise_tax_values
from app.core.transforms import to_decimal
from app.integrations.xero.client import XeroClient
from app.integrations.zoho.client import ZohoClient
from app.services.live_taxes import facts_key, tax_facts
from app.services.org_change import set_aside_ids
from app.services.owner_groups import OwnerGroups, owner_groups_on
from app.services.owners import owner_lookup, rules_of
from app.services.schema_cache import SchemaCache
from app.services.xero_ports import (
    XeroContactsPort,
    XeroDealInvoicesPort,
    XeroInvoicesPort,
    XeroItemsPort,
    XeroPaymentsPort,
)
from app.services.zoho_ports import ZohoModulePort
from app.store.models import Profile
from app.store.settings import get_setting, set_setting

DELETION_POLL_SECONDS = 3600


def contact_keys(rid: str, values: dict[str, Any], xref: str | None) -> MatchKeys:
    return keys_for(rid, values.get("Name") or values.get("Account_Name"),
                    values.get("EmailAddress") or values.get("Email"),
                    values.get("TaxNumber") or values.get("ABN"), xref, values.get("Website"))


def persons_of(record: SourceRecord, account_id: str) -> list[dict[str, Any]]:
    """Zoho Contacts for a Xero contact: its primary person, then its contact persons; only those with an email."""
    f = record.fields
    people = [{"FirstName": f.get("FirstName"), "LastName": f.get("LastName"), "EmailAddress": f.get("EmailAddress")}]
    people += list(f.get("ContactPersons") or [])
    out, seen = [], set()
    for person in people:
        email = (person.get("EmailAddress") or "").strip()
        last = (person.get("LastName") or "").strip()
        if not email or not (last or person.get("FirstName")) or email.lower() in seen:
            continue
        seen.add(email.lower())
        out.append({"First_Name": (person.get("FirstName") or "").strip() or None,
                    "Last_Name": last or (person.get("FirstName") or "").strip(), "Email": email,
                    "Account_Name": account_id})
    return out


def item_keys(rid: str, values: dict[str, Any], xref: str | None) -> MatchKeys:
    code = values.get("Code") or values.get("Product_Code")
    return MatchKeys(rid, name=normalise_name(str(code)) if code else "", xref=xref or "")


class LiveConnectors:
    """Implements ``app.core.engine.Connectors`` over a XeroClient and a ZohoClient."""

    def __init__(self, xero: XeroClient, zoho: ZohoClient, profile: Profile, clock: Any) -> None:
        self.xero = xero
        self.zoho = zoho
        self.profile = profile
        self.clock = clock
        self.schema_cache = SchemaCache(profile, clock)
        self._facts: TaxFacts | None = None
        self._contacts_read: set[str] = set()  # this run's, see customers_to_refresh
        self._invoice_customers: set[str] = set()
        self.owner_groups = OwnerGroups(profile, xero, zoho, self.schema_cache, clock)

    def tax_facts(self) -> TaxFacts:
        """The Xero organisation's taxes and currencies and Zoho CRM's taxes (read once a day, see live_taxes)."""
        if self._facts is None:
            self._facts = tax_facts(self.schema_cache, self.xero, self.zoho)
        return self._facts

    def forget_tax_facts(self) -> None:
        """A record was refused for a tax or a currency: read them again next time."""
        self._facts = None
        self.schema_cache.forget(facts_key(self.xero))

    def with_taxes(self, mapping: PairMapping) -> PairMapping:
        """The mapping in this organisation's taxes: the invoice lines' tax map completed, value maps over Xero
        tax types in its own types (see app.core.taxes)."""
        def taxed(link: FieldLink) -> bool:
            return link.transform.get("kind") == "line_items" or link.xero.endswith("TaxType")

        if not any(taxed(link) for link in mapping.fields):
            return mapping
        facts = self.tax_facts()
        fields = [replace(link, transform=effective_lines_spec(link.transform, facts)
                          if link.transform.get("kind") == "line_items" else
                          localise_tax_values(link.transform, facts)) if taxed(link) else link
                  for link in mapping.fields]
        return PairMapping(**{**mapping.__dict__, "fields": fields})

    def customers_to_refresh(self) -> list[str]:
        """Customers of invoices whose changes went to Zoho this run and who were not read themselves."""
        ids = sorted(self._invoice_customers - self._contacts_read)
        self._invoice_customers.clear()
        return ids

    def pairs_done(self, ran: list[PairMapping], dry_run: bool) -> None:
        """After a run's pairs (links made by later pairs too): the contacts' owner groups in Xero, when the
        mapping keeps them (a dry run writes nothing, so it forgets the owners it read)."""
        for mapping in ran:
            if owner_groups_on(mapping):
                if dry_run:
                    self.owner_groups.seen.clear()
                else:
                    self.owner_groups.apply(mapping.zoho_module)
            elif mapping.pair == "contacts" and not dry_run:
                self.owner_groups.turned_off()

    def _invoice_touched(self, record: SourceRecord) -> None:
        """An invoice that moves its customer's balance (drafts do not) went to Zoho."""
        if record.fields.get("Contact.ContactID") and record.fields.get("Status") in ("AUTHORISED", "PAID", "VOIDED"):
            self._invoice_customers.add(str(record.fields["Contact.ContactID"]))

    def today(self) -> date:
        """The office's date (the computer's local day): invoices fall due by it."""
        return datetime.fromtimestamp(self.clock.time()).date()

    def due_for_refresh(self, pair: str, dry_run: bool) -> list[str]:
        """Linked records whose values change as days pass with no change in Xero, read again once a day: invoices
        awaiting payment that are past due now (they become Overdue), and customers who owe money (their overdue
        balance grows). The first run of a profile only notes the day."""
        key, today = f"sync.refreshed.{pair}", self.today()
        last = get_setting(self.profile, key)
        if last == today.isoformat():
            return []
        if not dry_run:
            set_setting(self.profile, key, today.isoformat())
        if last is None:
            return []
        from app.store.models import Link

        ids = []
        for link in Link.select(Link.xero_id, Link.xero_values).where(
                Link.profile == self.profile, Link.pair == pair, Link.state == "active", Link.xero_id.is_null(False),
                Link.zoho_id.is_null(False)):
            values = link.xero_values
            if pair == "invoices":
                due = str(values.get("DueDate") or "")[:10]
                if values.get("Status") == "AUTHORISED" and values.get("SalesStatus", "AUTHORISED") == "AUTHORISED" \
                        and due and due < today.isoformat():
                    ids.append(link.xero_id)
            elif (to_decimal(values.get("Balances.AccountsReceivable.Outstanding")) or 0) > 0:
                ids.append(link.xero_id)
        return ids

    def customer_values(self, contact_id: str) -> dict[str, Any]:
        """A Xero customer's values as last synced (its currency, addresses), without asking Xero."""
        from app.store.models import Link

        link = Link.get_or_none(Link.profile == self.profile, Link.pair == "contacts", Link.xero_id == contact_id)
        return dict(link.xero_values) if link is not None else {}

    def calls(self) -> tuple[int, int]:
        return self.xero.session.calls, self.zoho.session.calls

    def _deletions_due(self, module: str) -> bool:
        last = get_setting(self.profile, f"zoho.deletions_polled.{module}") or 0
        return self.clock.time() - float(last) >= DELETION_POLL_SECONDS

    def _mark_polled(self, module: str) -> None:
        set_setting(self.profile, f"zoho.deletions_polled.{module}", self.clock.time())

    def zoho_port(self, mapping: PairMapping, *, deletions: bool = True, subforms: bool = False) -> ZohoModulePort:
        module = mapping.zoho_module
        poll = deletions and self._deletions_due(module)
        port = self._zoho_port(mapping, module, poll, subforms)
        if any(link.zoho == "Currency" for link in mapping.fields):
            port.currency_enabled = lambda code: self.tax_facts().zoho_currency_enabled(code)
        return port

    def _zoho_port(self, mapping: PairMapping, module: str, poll: bool, subforms: bool) -> ZohoModulePort:
        return ZohoModulePort(self.zoho, module, mapping.zoho_fields(),
                              xref_field=mapping.options.get("zoho_xref_field"), poll_deletions=poll,
                              on_deletions_polled=lambda: self._mark_polled(module),
                              allow_workflows=bool(get_setting(self.profile, "zoho.allow_workflows")),
                              fetch_subforms=subforms, schema_cache=self.schema_cache)

    def persons_port(self) -> ZohoModulePort:
        return ZohoModulePort(self.zoho, "Contacts", ["First_Name", "Last_Name", "Email", "Account_Name"],
                              schema_cache=self.schema_cache, duplicate_check=["Email"],
                              allow_workflows=bool(get_setting(self.profile, "zoho.allow_workflows")))

    def spec(self, mapping: PairMapping) -> PairSpec:
        if any(link.optional for link in mapping.fields):
            present = self.schema_cache.get(mapping.zoho_module, lambda: self.zoho.fields(mapping.zoho_module))
            mapping = without_absent_optional(mapping, set(present))
        spec = self._spec(mapping)
        spec.set_aside = lambda: set_aside_ids(self.profile, mapping.pair)
        return spec

    def _spec(self, mapping: PairMapping) -> PairSpec:
        pair = mapping.pair
        options = mapping.options
        if pair == "contacts":
            self._contacts_read = set()
            accounts = self.zoho_port(mapping)
            if rules_of(mapping):
                owners: dict[str, dict[str, str]] = {}
                accounts.owner_for = lambda xero_id: owners.setdefault("by_contact", owner_lookup(
                    self.schema_cache, self.xero, self.zoho, mapping)).get(xero_id)
            if owner_groups_on(mapping):  # the owners come with the accounts read anyway
                accounts.fields = list(dict.fromkeys([*accounts.fields, "Owner"]))
                accounts.on_read = self.owner_groups.note
            return PairSpec(mapping, XeroContactsPort(self.xero, self._contacts_read.add), accounts,
                            "xero:contacts",
                            f"zoho:{mapping.zoho_module}", keys=contact_keys,
                            zoho_xref_field=options.get("zoho_xref_field"),
                            xero_xref_field=options.get("xero_xref_field"), archive_statuses=(ARCHIVED,),
                            xero_context=("Phones.", "Addresses.", "BrandingTheme.", "PaymentTerms."),
                            persons_port=self.persons_port() if options.get("sync_persons", True) else None,
                            persons_of=persons_of, intent_lookup=bool(options.get("xero_xref_field")),
                            refresh_xero=lambda dry_run: self.due_for_refresh("contacts", dry_run))
        if pair == "items":
            fallback = self.fallback_name()
            return PairSpec(self.with_taxes(mapping), XeroItemsPort(self.xero), self.zoho_port(mapping), "xero:items",
                            "zoho:Products", keys=item_keys, zoho_xref_field=options.get("zoho_xref_field"),
                            zoho_filter=lambda r: r.name != fallback)
        if pair == "invoices":
            # Invoices made in Zoho CRM arrive in Xero as drafts unless the mapping allows AUTHORISED.
            defaults = {"sales_account": options.get("sales_account", "200"),
                        "invoice_status": "AUTHORISED" if options.get("created_status") == "AUTHORISED" else "DRAFT"}
            xero_port = XeroInvoicesPort(self.xero, defaults, facts=self.tax_facts, today=self.today)
            return PairSpec(self.with_taxes(mapping), xero_port,
                            self.zoho_port(mapping, subforms=mapping.direction != "xero_to_zoho"),
                            "xero:invoices", "zoho:Invoices", keys=None,
                            zoho_xref_field=options.get("zoho_xref_field"), archive_statuses=(),
                            xero_context=("AmountCredited",),  # kept with the link: see locked_reason
                            xero_locked=xero_port.locked_reason,
                            touched=self._invoice_touched,
                            refresh_xero=lambda dry_run: self.due_for_refresh("invoices", dry_run))
        if pair == "deals":
            stage = str(options.get("trigger_stage") or get_setting(self.profile, "deals.trigger_stage"))
            defaults = {"invoice_status": options.get("invoice_status") or
                        get_setting(self.profile, "deals.invoice_status"),
                        "payment_terms_days": options.get("payment_terms_days", 14),
                        "email_invoice": bool(options.get("email_invoice",
                                                          get_setting(self.profile, "deals.email_invoice"))),
                        "sales_account": options.get("sales_account", "200"),
                        "customer_values": self.customer_values,
                        "tax_type_for": lambda contact_id, currency: deal_tax_type(
                            options, self.customer_values(contact_id) if contact_id else {}, currency,
                            self.tax_facts())}

            def won(record: SourceRecord) -> bool:
                return record.fields.get("Stage") == stage and not record.fields.get(options.get(
                    "zoho_xref_field") or "Xero_Invoice_ID")

            mapping_fields = PairMapping(**{**mapping.__dict__, "fields": list(mapping.fields)})
            port = self.zoho_port(mapping_fields, deletions=False)
            port.fields = list(dict.fromkeys([*port.fields, "Stage"]))
            return PairSpec(mapping, XeroDealInvoicesPort(self.xero, defaults, facts=self.tax_facts), port,
                            "xero:deal-invoices",
                            "zoho:Deals", keys=None, zoho_xref_field=options.get("zoho_xref_field"),
                            create_in_zoho=False, update_existing=False, zoho_filter=won, intent_lookup=True,
                            archive_statuses=())
        raise ValueError(f"unknown pair {pair}")

    def fallback_name(self) -> str:
        from app.services.mappings import current_mappings

        for link in current_mappings(self.profile)["invoices"].fields:
            if link.transform.get("kind") == "line_items":
                return str(link.transform.get("fallback_product_name") or "")
        return ""

    def fallback_product(self, name: str) -> str | None:
        """Find or create the Zoho product for invoice lines that have no Xero item (upsert by name, once)."""
        key = f"zoho.fallback_product.{name}"
        known = get_setting(self.profile, key)
        if known:
            return str(known)
        result = self.zoho.upsert("Products", [{"Product_Name": name, "Product_Active": True,
                                                "Description": "Used for Xero invoice lines without an item."}],
                                  ["Product_Name"])
        ok = result.succeeded
        if ok and ok[0].id:
            set_setting(self.profile, key, ok[0].id)
            return ok[0].id
        return None

    def payment_source(self) -> XeroPaymentsPort:
        return XeroPaymentsPort(self.xero)
