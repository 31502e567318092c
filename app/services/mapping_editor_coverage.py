"""Value-map coverage from live data, worked out without network from counts of the values each field holds: every
status, tax rate, currency or pick-list value in the records that the mapping has no answer for ("12 Xero invoices
are AUTHORISED but nothing maps AUTHORISED"), before it costs a failed record. The same counts fill the value-map
editor's drop-downs with the values really in use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.mapping import PairMapping
from app.core.records import DELETED, SourceRecord
from app.services.mapping_editor_model import PairSchema

RECORD_WORDS = {"contacts": ("contact", "contacts"), "items": ("item", "items"), "invoices": ("invoice", "invoices"),
                "deals": ("invoice", "invoices")}
ZOHO_WORDS = {"Accounts": ("account", "accounts"), "Contacts": ("contact", "contacts"), "Leads": ("lead", "leads"),
              "Products": ("product", "products"), "Invoices": ("invoice", "invoices"), "Deals": ("deal", "deals")}
MAX_DISTINCT = 60  # a field with more different values than this is free text, not a list of values to map
# Values are counted in (and a preview's record picked from) this many records a side at most: opening a pair costs
# a few calls (2 Xero pages, 10 Zoho pages), not a read of a large organisation's every record.
SAMPLE_RECORDS = 2000
TAX_KEY = "TaxType"  # the lines' tax rate, counted under "lines"


@dataclass
class CoverageGap:
    pair: str
    side: str  # where the value comes from: "xero" | "zoho"
    xero_field: str
    zoho_field: str
    value: str
    count: int
    message: str
    fix: str


def value_counts(xs: list[SourceRecord], zs: list[SourceRecord]) -> dict[str, dict[str, dict[str, int]]]:
    """{"xero": {field: {value: n}}, "zoho": {...}, "lines": {"TaxType": {...}}}, as the value map looks values up
    (their text); blanks, lists and free-text fields left out; deleted records do not sync, so they do not count."""
    out: dict[str, dict[str, dict[str, int]]] = {"xero": {}, "zoho": {}, "lines": {}}
    for side, records in (("xero", xs), ("zoho", zs)):
        for record in records:
            if record.status == DELETED:
                continue
            for name, value in record.fields.items():
                _add(out[side], name, value)
                if isinstance(value, list) and side == "xero":
                    for line in value:
                        if isinstance(line, dict) and line.get("LineAmountTypes") != "NoTax":
                            _add(out["lines"], TAX_KEY, line.get(TAX_KEY))
    for table in out.values():
        for name in [n for n, seen in table.items() if len(seen) > MAX_DISTINCT]:
            del table[name]
    return out


def _add(table: dict[str, dict[str, int]], name: str, value: Any) -> None:
    if value is None or value == "" or isinstance(value, list | dict):
        return
    seen = table.setdefault(name, {})
    if len(seen) <= MAX_DISTINCT:
        seen[str(value)] = seen.get(str(value), 0) + 1


def coverage_gaps(mapping: PairMapping, schema: PairSchema, counts: dict[str, Any]) -> list[CoverageGap]:
    """Each value seen in the records that a value map, a tax map or a pick-list has no answer for, most first."""
    gaps: list[CoverageGap] = []
    sampled = counts.get("sampled") or {}
    one, many = RECORD_WORDS.get(mapping.pair, ("record", "records"))
    z_one, z_many = ZOHO_WORDS.get(mapping.zoho_module, ("record", "records"))
    for link in mapping.fields:
        t = link.transform
        kind = t.get("kind", "copy")
        xf, zf = schema.xero_field(link.xero), schema.zoho_field(link.zoho)
        xl, zl = (xf.label if xf else link.xero), (zf.label if zf else link.zoho)
        fix = f"Add {{value}} to the value map of {xl} → {zl}, or give it a default."
        forward, backward = link.flows(mapping.direction, True), link.flows(mapping.direction, False)
        if forward and kind == "value_map" and "default_forward" not in t:
            mapped = {str(k) for k in (t.get("map") or {})}
            for value, n in _seen(counts, "xero", link.xero).items():
                if value not in mapped:
                    gaps.append(CoverageGap(mapping.pair, "xero", link.xero, link.zoho, value, n,
                                            f"{n} Xero {one if n == 1 else many} {'is' if n == 1 else 'are'} {value} "
                                            f"({xl}) but nothing maps {value}", fix.format(value=value)))
        if backward and kind == "value_map" and "default_reverse" not in t:
            mapped = {str(v) for v in (t.get("map") or {}).values()}
            for value, n in _seen(counts, "zoho", link.zoho).items():
                if value not in mapped:
                    gaps.append(CoverageGap(mapping.pair, "zoho", link.xero, link.zoho, value, n,
                                            f"{n} Zoho CRM {z_one if n == 1 else z_many} {'has' if n == 1 else 'have'}"
                                            f" {value} in {zl} but nothing maps {value} back to Xero",
                                            fix.format(value=value)))
        if forward and kind in ("copy", "trim") and zf is not None and zf.type == "picklist" and zf.choices:
            for value, n in _seen(counts, "xero", link.xero).items():
                if value not in zf.choices:
                    gaps.append(CoverageGap(mapping.pair, "xero", link.xero, link.zoho, value, n,
                                            f"{n} Xero {one if n == 1 else many} {'has' if n == 1 else 'have'} "
                                            f"{value} in {xl} but Zoho CRM's {zl} has no such value",
                                            f"Add {value} to {zl} in Zoho CRM, or use a value map."))
        if forward and kind == "line_items":
            for value, n in (counts.get("lines") or {}).get(TAX_KEY, {}).items():
                if value not in (t.get("tax_map") or {}):
                    gaps.append(CoverageGap(mapping.pair, "xero", link.xero, link.zoho, value, n,
                                            f"{n} Xero invoice line{'s' if n != 1 else ''} use{'s' if n == 1 else ''} "
                                            f"tax rate {value} but the tax map has no Zoho tax for it",
                                            f"Add {value} to the tax map of {xl} → {zl}."))
    for gap in gaps:
        if sampled.get(gap.side):  # counted in the first records only: there may be more
            gap.message = f"At least {gap.message}; counted in the first {SAMPLE_RECORDS:,} records"
    return sorted(gaps, key=lambda g: -g.count)


def _seen(counts: dict[str, Any], side: str, name: str) -> dict[str, int]:
    if "+" in name:
        return {}
    return dict((counts.get(side) or {}).get(name) or {})


def live_values(counts: dict[str, Any], side: str, name: str) -> list[str]:
    """The values a field really holds, most used first (for the value-map drop-downs)."""
    return [v for v, _ in sorted(_seen(counts, side, name).items(), key=lambda kv: -kv[1])]

