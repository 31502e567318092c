"""Conflicts and likely matches in a bookkeeper's words, for the Conflicts & matches page (reads only).

A conflict's fields become rows "Phone | Xero 02 1111 1111 | last synced 02 9999 0000 | Zoho 02 2222 2222" with
names for ids; a likely match gets its evidence as sentences ("Same phone", "Similar name") and what each side
holds, and the other candidates that share one of its records, so confirming one never drops another unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.core.values import canon
from app.services.history_words import Names, field_label
from app.services.views import ConflictItem, MatchItem
from app.store.models import Link, Profile

EVIDENCE_WORDS = {"cross-reference id": "Already point at each other", "same email": "Same email",
                  "same name": "Same name", "similar name": "Similar name", "same ABN": "Same ABN",
                  "same phone": "Same phone", "same website or email domain": "Same website or email domain"}

# What the match card shows of each side: (label, Xero field, Zoho field)
FACTS = {
    "contacts": (("Email", "EmailAddress", "Email"), ("Phone", "Phones.DEFAULT", "Phone"),
                 ("ABN", "TaxNumber", "ABN"), ("Town / city", "Addresses.STREET.City", "Billing_City")),
    "items": (("Code", "Code", "Product_Code"), ("Price", "SalesDetails.UnitPrice", "Unit_Price")),
}


@dataclass(frozen=True)
class ConflictField:
    field: str  # the Zoho field the decision is keyed by ("Phone")
    label: str  # "Phone"
    xero: str
    base: str
    zoho: str
    xero_changed: bool
    zoho_changed: bool


def conflict_fields(profile: Profile, item: ConflictItem, names: Names | None = None) -> list[ConflictField]:
    names = names or Names(profile)
    rows = []
    for zoho_field, values in item.fields.items():
        xero_field = values.get("xero_field") or ""
        xero = names.value(item.pair, "xero", xero_field, values.get("xero"))
        base = names.value(item.pair, "zoho", zoho_field, values.get("base"))
        zoho = names.value(item.pair, "zoho", zoho_field, values.get("zoho"))
        label = field_label("zoho", zoho_field)
        rows.append(ConflictField(zoho_field, label, xero, base, zoho, xero != base, zoho != base))
    return rows


@dataclass(frozen=True)
class MatchCard:
    item: MatchItem
    evidence: tuple[str, ...]  # in words: "Same phone", "Similar name"
    facts: tuple[tuple[str, str, str], ...]  # (label, Xero's value, Zoho's value), filled ones only
    others: tuple[MatchItem, ...]  # other pending candidates sharing the Xero or the Zoho record

    @property
    def question(self) -> str:
        """"We think these are the same customer"."""
        kind = "customer" if self.item.pair == "contacts" else "product" if self.item.pair == "items" else "record"
        return f"We think these are the same {kind}"

    @property
    def moot_words(self) -> str:
        """What linking this one sets aside ("" when nothing)."""
        if not self.others:
            return ""
        named = "; ".join(_other_side(self.item, o) for o in self.others)
        return f"Linking these sets aside: {named}. Nothing is deleted: it stays as it is, unlinked."


def _other_side(item: MatchItem, other: MatchItem) -> str:
    if other.xero_id == item.xero_id:
        return f"'{other.zoho_name}' in Zoho CRM"
    return f"'{other.xero_name}' in Xero"


def match_cards(profile: Profile, items: list[MatchItem]) -> list[MatchCard]:
    cards = []
    for item in items:
        x_values, z_values = _values(profile, item)
        facts = []
        for label, xf, zf in FACTS.get(item.pair, ()):
            xv, zv = _text(x_values.get(xf)), _text(z_values.get(zf))
            if xv or zv:
                facts.append((label, xv or "(empty)", zv or "(empty)"))
        evidence = list(item.evidence)
        if item.pair == "contacts" and "same phone" not in evidence and \
                same_phone(x_values.get("Phones.DEFAULT"), z_values.get("Phone")):
            evidence.append("same phone")
        others = tuple(o for o in items if o.id != item.id and o.pair == item.pair and
                       (o.xero_id == item.xero_id or o.zoho_id == item.zoho_id))
        cards.append(MatchCard(item, tuple(EVIDENCE_WORDS.get(e, e.capitalize()) for e in evidence),
                               tuple(facts), others))
    return cards


def _values(profile: Profile, item: MatchItem) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the engine remembered of each record while it waits for review (its unlinked entry)."""
    x = Link.get_or_none(Link.profile == profile, Link.pair == item.pair, Link.xero_id == item.xero_id)
    z = Link.get_or_none(Link.profile == profile, Link.pair == item.pair, Link.zoho_id == item.zoho_id)
    return (dict(x.xero_values or {}) if x else {}), (dict(z.zoho_values or {}) if z else {})


def _text(value: Any) -> str:
    return "" if canon(value) is None else str(value).strip()


def same_phone(a: Any, b: Any) -> bool:
    """The same number however it is written: "+61 2 4755 2929" and "(02) 4755 2929"."""
    da, db = _digits(a), _digits(b)
    return len(da) >= 8 and len(db) >= 8 and da[-9:] == db[-9:]


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))
