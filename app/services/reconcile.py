"""Reconciliation: read both systems in full and report where linked records disagree (mapped fields; invoice
totals to the cent), records with no counterpart, and unlinked records that look like each other.

Noise it leaves out: a value one side leaves empty while the other holds the default it stands for (a Xero contact
with no default currency trades in the organisation's base currency, so Zoho's 'AUD' is no mismatch in an AUD
organisation), and the records the sync leaves alone (its own product for invoice lines without an item) are never
orphans."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from app.core.matching import match
from app.core.merge import read_field
from app.core.records import SourceRecord
from app.core.transforms import SkipRecord, TransformError, apply
from app.core.values import canon, numeric_text
from app.services.sync import SyncService
from app.store.models import Link

PAIRS = ("contacts", "items", "invoices")
XERO_CURRENCY_FIELDS = ("DefaultCurrency", "CurrencyCode")
ZOHO_CURRENCY_FIELDS = ("Currency",)


@dataclass
class Finding:
    pair: str
    kind: str  # mismatch | total_mismatch | only_in_xero | only_in_zoho | possible_match | missing
    record: str
    xero_id: str = ""
    zoho_id: str = ""
    field: str = ""
    xero_value: Any = None
    zoho_value: Any = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _read_all(port: Any) -> dict[str, SourceRecord]:
    return {r.id: r for page in port.read(None, 1, "") for r in page.records}


def reconcile(service: SyncService, pairs: tuple[str, ...] = PAIRS) -> list[Finding]:
    connectors = service.connectors()
    mappings = service.mappings()
    engine_lookups = _Lookups(service)
    defaults = _Defaults(connectors)
    findings: list[Finding] = []
    for pair in pairs:
        mapping = mappings.get(pair)
        if mapping is None or not mapping.enabled:
            continue
        spec = connectors.spec(mapping)
        spec.zoho.poll_deletions = False  # type: ignore[attr-defined]
        xs, zs = _read_all(spec.xero), _read_all(spec.zoho)
        if spec.zoho_filter is not None:  # records the sync leaves alone (e.g. its own fallback product)
            zs = {rid: z for rid, z in zs.items() if spec.zoho_filter(z)}
        links = list(Link.select().where(Link.profile == service.profile, Link.pair == pair))
        linked_x = {link.xero_id for link in links if link.xero_id and link.zoho_id}
        linked_z = {link.zoho_id for link in links if link.xero_id and link.zoho_id}
        for link in links:
            if not (link.xero_id and link.zoho_id) or link.state == "deleted":
                continue
            x, z = xs.get(link.xero_id), zs.get(link.zoho_id)
            if x is None or z is None:
                side = "Xero" if x is None else "Zoho CRM"
                findings.append(Finding(pair, "missing", link.name, link.xero_id, link.zoho_id,
                                        detail=f"linked record no longer found in {side}"))
                continue
            findings += _compare(pair, mapping, x, z, engine_lookups, defaults)
        for x in xs.values():
            if x.id not in linked_x and x.status == "active":
                findings.append(Finding(pair, "only_in_xero", x.name, xero_id=x.id))
        for z in zs.values():
            if z.id not in linked_z:
                findings.append(Finding(pair, "only_in_zoho", z.name, zoho_id=z.id))
        if spec.keys is not None:
            xk = [spec.keys(x.id, x.fields, x.xref) for x in xs.values() if x.id not in linked_x]
            zk = [spec.keys(z.id, z.fields, z.xref) for z in zs.values() if z.id not in linked_z]
            result = match(xk, zk)
            for xid, zid, evidence in result.links:
                findings.append(Finding(pair, "possible_match", xs[xid].name, xid, zid,
                                        detail=", ".join(evidence)))
            for xid, zid, _score, evidence in result.review:
                findings.append(Finding(pair, "possible_match", xs[xid].name, xid, zid,
                                        detail=", ".join(evidence) + " (needs a person)"))
    return findings


class _Defaults:
    """What an empty value means on each side: the currency a record without one is in (Xero's base currency,
    Zoho's home currency), read once per reconciliation and only if a currency field is compared."""

    def __init__(self, connectors: Any) -> None:
        self.connectors = connectors
        self._xero: str | None = None
        self._zoho: str | None = None

    def xero(self, name: str) -> str | None:
        if name not in XERO_CURRENCY_FIELDS:
            return None
        if self._xero is None:
            self._xero = self.connectors.xero.organisation().base_currency or ""
        return self._xero or None

    def zoho(self, name: str) -> str | None:
        if name not in ZOHO_CURRENCY_FIELDS:
            return None
        if self._zoho is None:
            self._zoho = self.connectors.zoho.org().currency or ""
        return self._zoho or None


def _compare(pair: str, mapping: Any, x: SourceRecord, z: SourceRecord, lookups: Any,
             defaults: _Defaults) -> list[Finding]:
    out: list[Finding] = []
    for link in mapping.fields:
        if not (link.xero and link.zoho) or link.transform.get("kind") == "line_items":
            continue
        xv = numeric_text(read_field(x.fields, link.xero))
        zv = numeric_text(z.fields.get(link.zoho))
        if link.zoho not in z.fields and link.zoho not in ("Grand_Total",):
            continue  # not read in list calls (subforms)
        shown = (xv, zv)
        if canon(xv) is None and canon(zv) is not None:
            xv = defaults.xero(link.xero) or xv
        elif canon(zv) is None and canon(xv) is not None:
            zv = defaults.zoho(link.zoho) or zv
        to_zoho = link.flows(mapping.direction, to_zoho=True)
        try:
            expected = apply(link.transform, xv, True, lookups) if to_zoho else xv
            actual = zv if to_zoho else apply(link.transform, zv, False, lookups)
        except (TransformError, SkipRecord):
            continue
        if link.zoho == "Grand_Total":
            if xv is not None and zv is not None and Decimal(str(xv)) != Decimal(str(zv)):
                out.append(Finding(pair, "total_mismatch", x.name, x.id, z.id, "Total", xv, zv,
                                   f"Xero total {xv} vs Zoho CRM total {zv}"))
            continue
        if canon(expected) != canon(actual):
            out.append(Finding(pair, "mismatch", x.name, x.id, z.id, f"{link.xero} ⇄ {link.zoho}", *shown))
    return out


class _Lookups:
    """Links as they stand in the store, for link transforms during comparison."""

    def __init__(self, service: SyncService) -> None:
        self.profile = service.profile

    def zoho_id_for(self, pair: str, xero_id: str) -> str | None:
        link = Link.get_or_none(Link.profile == self.profile, Link.pair == pair, Link.xero_id == xero_id)
        return link.zoho_id if link else None

    def xero_id_for(self, pair: str, zoho_id: str) -> str | None:
        link = Link.get_or_none(Link.profile == self.profile, Link.pair == pair, Link.zoho_id == zoho_id)
        return link.xero_id if link else None
