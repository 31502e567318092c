"""The mapping editor's model, without windows or network: a pair's fields on each side, a draft mapping whose links
are made and removed with type checks that give a reason, auto-map suggestions that explain themselves, checks with
the fix in words, and the difference between two versions. The page and the ``mapping`` commands are views on it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass
from typing import Any

from app.core.mapping import BOTH, DIRECTIONS, POLICIES, X2Z, Z2X, FieldLink, PairMapping, can_fill, validate
from app.core.records import FieldInfo

PAIR_LABELS = {"contacts": "Contacts", "items": "Items", "invoices": "Invoices", "payments": "Payments",
               "deals": "Deals"}
ZOHO_MODULES = {"contacts": ("Accounts", "Contacts", "Leads"), "items": ("Products",), "invoices": ("Invoices",),
                "deals": ("Deals",), "payments": ("Invoices",)}
DIRECTION_LABELS = {BOTH: "Both ways", X2Z: "Xero → Zoho CRM", Z2X: "Zoho CRM → Xero"}
POLICY_LABELS = {"newest": "Newest change wins", "xero_wins": "Xero wins", "zoho_wins": "Zoho CRM wins",
                 "ask": "Ask me"}
# kind -> what the user sees in the transform picker
TRANSFORM_LABELS = {
    "copy": "Copy as is", "trim": "Tidy spaces", "value_map": "Value map", "date": "Format as a date",
    "case": "Change capitals", "phone": "Format a phone number", "round": "Round an amount", "default": "Default when empty",
    "join": "Join first + last name (split on the way back)", "link": "Look up the linked record",
    "line_items": "Invoice lines and tax",
}
# Pairs a Xero id field points at, for the lookup transform.
_ID_PAIRS = {"Contact.": ("contacts", "customer"), "Item.": ("items", "product"), "Invoice.": ("invoices", "invoice")}


class LinkRefused(ValueError):
    """A link the editor will not make; ``str()`` is the reason in words."""


@dataclass
class PairSchema:
    """Both sides' fields for one pair, as the live systems describe them today."""

    pair: str
    zoho_module: str
    xero: list[FieldInfo]
    zoho: list[FieldInfo]

    def xero_field(self, name: str) -> FieldInfo | None:
        if "+" in name:
            parts = [self.xero_field(p) for p in name.split("+")]
            if any(p is None for p in parts):
                return None
            return FieldInfo(name, " + ".join(p.label for p in parts if p), "text")
        return next((f for f in self.xero if f.name == name), None)

    def zoho_field(self, name: str) -> FieldInfo | None:
        return next((f for f in self.zoho if f.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PairSchema:
        return cls(data["pair"], data["zoho_module"], [FieldInfo(**f) for f in data["xero"]],
                   [FieldInfo(**f) for f in data["zoho"]])


@dataclass(frozen=True)
class Check:
    """One problem with a draft: what is wrong, how to fix it, and whether Save must refuse it."""

    pair: str
    field: str
    message: str
    fix: str
    blocking: bool = True


@dataclass(frozen=True)
class Suggestion:
    xero: str
    zoho: str
    xero_label: str
    zoho_label: str
    confidence: float  # 0–1
    reason: str
    unambiguous: bool  # the only good candidate on both sides: ticked for the user to accept


def type_words(kind: str) -> str:
    return {"picklist": "pick-list", "bool": "yes/no", "id": "record id", "lookup": "lookup", "list": "list",
            "datetime": "date and time", "url": "web address"}.get(kind, kind)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def default_transform(xf: FieldInfo, zf: FieldInfo) -> dict[str, Any]:
    """The transform a new link starts with, from the two field types."""
    if xf.type == "list" and zf.type == "list":
        return {"kind": "line_items", "tax_map": {}}
    if xf.type == "id" and zf.type == "lookup":
        pair, label = next((v for k, v in _ID_PAIRS.items() if xf.name.startswith(k)), ("contacts", "record"))
        return {"kind": "link", "pair": pair, "label": label}
    if zf.type == "picklist" and zf.choices and (xf.type == "picklist" or xf.choices):
        return {"kind": "value_map", "map": {c: c for c in xf.choices if c in zf.choices}}
    if xf.type in ("date", "datetime") and zf.type in ("date", "datetime"):
        return {"kind": "date"}
    if xf.type == "money" or zf.type == "money":
        return {"kind": "round", "places": 2}
    return {"kind": "copy"}


def refusal(xf: FieldInfo, zf: FieldInfo, direction: str, transform: dict[str, Any]) -> str | None:
    """Why these two fields cannot be linked this way (None: they can)."""
    kind = transform.get("kind", "copy")
    if kind in ("value_map", "link", "join"):
        if kind == "link" and not (xf.type == "id" and zf.type in ("lookup", "id")):
            return f"only a record id in Xero can look up a record in Zoho CRM; {xf.label} is not one"
        return None
    if kind == "line_items":
        return None if xf.type == zf.type == "list" else "only invoice lines can carry invoice lines"
    if "list" in (xf.type, zf.type) and xf.type != zf.type:
        return (f"{xf.label} and {zf.label} are not the same kind of thing: one is a list of rows, the other "
                "a single value")
    for src, dst, to_zoho in ((xf, zf, True), (zf, xf, False)):
        wanted = X2Z if to_zoho else Z2X
        if direction in (BOTH, wanted) and not can_fill(src.type, dst.type):
            s, d = type_words(src.type), type_words(dst.type)
            return (f"{_article(s)} {s} field ({src.label}) cannot fill {_article(d)} {d} field ({dst.label})"
                    + ("; link it one way only, or pick another field" if direction == BOTH else ""))
    return None


class PairDraft:
    """One pair's mapping being edited: a private copy, changed only through methods that keep it sound."""

    def __init__(self, mapping: PairMapping, schema: PairSchema) -> None:
        self.mapping = PairMapping.from_json(copy.deepcopy(mapping.to_json()))
        self.schema = schema
        self.saved = mapping.to_json()

    @property
    def pair(self) -> str:
        return self.mapping.pair

    @property
    def links(self) -> list[FieldLink]:
        return self.mapping.fields

    @property
    def dirty(self) -> bool:
        return self.mapping.to_json() != self.saved

    # ----- links ---------------------------------------------------------------------------------------------
    def why_not(self, xero: str, zoho: str) -> str | None:
        """The reason a new link between these fields would be refused, or None."""
        xf, zf = self.schema.xero_field(xero), self.schema.zoho_field(zoho)
        if xf is None:
            return f"Xero has no field {xero}"
        if zf is None:
            return f"Zoho CRM's {self.schema.zoho_module} has no field {zoho}"
        if any(link.xero == xero and link.zoho == zoho for link in self.links):
            return f"{xf.label} and {zf.label} are already linked"
        direction = self._fitting_direction(xf, zf)
        if direction is None:
            return f"{xf.label} and {zf.label} are both read-only: neither can be written"
        return refusal(xf, zf, direction, default_transform(xf, zf))

    def _fitting_direction(self, xf: FieldInfo, zf: FieldInfo) -> str | None:
        """The pair's direction, narrowed where one side cannot be written."""
        ways = {X2Z, Z2X} if self.mapping.direction == BOTH else {self.mapping.direction}
        if zf.read_only:
            ways.discard(X2Z)
        if xf.read_only:
            ways.discard(Z2X)
        if not ways:
            return None
        return BOTH if len(ways) == 2 else ways.pop()

    def add_link(self, xero: str, zoho: str) -> FieldLink:
        reason = self.why_not(xero, zoho)
        if reason:
            raise LinkRefused(reason)
        xf, zf = self.schema.xero_field(xero), self.schema.zoho_field(zoho)
        assert xf is not None and zf is not None
        link = FieldLink(xero, zoho, self._fitting_direction(xf, zf) or BOTH, default_transform(xf, zf))
        self.links.append(link)
        return link

    def remove_link(self, index: int) -> FieldLink:
        return self.links.pop(index)

    def index_of(self, xero: str, zoho: str) -> int | None:
        return next((i for i, link in enumerate(self.links) if link.xero == xero and link.zoho == zoho), None)

    def set_link_direction(self, index: int, direction: str) -> None:
        if direction not in DIRECTIONS:
            raise LinkRefused(f"unknown direction {direction}")
        link = self.links[index]
        xf, zf = self.schema.xero_field(link.xero), self.schema.zoho_field(link.zoho)
        if zf is not None and zf.read_only and direction in (BOTH, X2Z):
            raise LinkRefused(f"{zf.label} is read-only in Zoho CRM, so nothing can flow into it")
        if xf is not None and xf.read_only and direction in (BOTH, Z2X):
            raise LinkRefused(f"{xf.label} is read-only in Xero, so nothing can flow into it")
        if xf is not None and zf is not None:
            reason = refusal(xf, zf, direction, link.transform)
            if reason:
                raise LinkRefused(reason)
        link.direction = direction

    def set_link_winner(self, index: int, winner: str) -> None:
        if winner and winner not in POLICIES:
            raise LinkRefused(f"unknown policy {winner}")
        self.links[index].winner = winner

    def set_transform(self, index: int, transform: dict[str, Any]) -> None:
        link = self.links[index]
        xf, zf = self.schema.xero_field(link.xero), self.schema.zoho_field(link.zoho)
        if xf is not None and zf is not None:
            reason = refusal(xf, zf, link.direction, transform)
            if reason:
                raise LinkRefused(reason)
        link.transform = dict(transform)

    def join_with(self, index: int, second_xero: str) -> None:
        """Make a join/split link: two Xero fields (first and last name) ⇄ one Zoho field."""
        link = self.links[index]
        first = link.xero.split("+")[0]
        if self.schema.xero_field(second_xero) is None:
            raise LinkRefused(f"Xero has no field {second_xero}")
        link.xero = f"{first}+{second_xero}"
        link.transform = {"kind": "join"}

    def set_direction(self, direction: str) -> None:
        if direction not in DIRECTIONS:
            raise LinkRefused(f"unknown direction {direction}")
        self.mapping.direction = direction

    def set_policy(self, policy: str) -> None:
        if policy not in POLICIES:
            raise LinkRefused(f"unknown policy {policy}")
        self.mapping.conflict_policy = policy

    def set_value_map(self, index: int, rows: list[tuple[str, Any]]) -> None:
        """The value map's rows as the two-column table holds them (Xero value, Zoho value); blanks dropped."""
        link = self.links[index]
        table = {str(x): z for x, z in rows if str(x).strip() and z not in (None, "")}
        transform = {k: v for k, v in link.transform.items() if k != "map"}
        link.transform = {**transform, "kind": "value_map", "map": table}

    # ----- checks --------------------------------------------------------------------------------------------
    def checks(self) -> list[Check]:
        """Everything wrong with the draft against the live fields, each with its fix in words."""
        out: list[Check] = []
        seen: set[tuple[str, str]] = set()
        for problem in validate(self.mapping, self.schema.xero, self.schema.zoho):
            key = (problem.field, problem.message)
            if key not in seen:
                seen.add(key)
                message, fix = _split_fix(problem.message)
                out.append(Check(self.pair, problem.field, _sentence(message),
                                 _sentence(fix) if fix else self._fix_for(message), problem.blocking))
        return out

    def blocking(self) -> list[Check]:
        return [c for c in self.checks() if c.blocking]

    def _fix_for(self, message: str) -> str:
        if "requires" in message and "nothing is mapped" in message:
            return "Drag a field from the other side onto it, or link it with a default value."
        if "read-only" in message:
            return "Make this link one-way, into the side that can be written."
        if "renamed or deleted" in message:
            return "Link the field's new name instead, or remove this link."
        if "no picklist value" in message or "does not allow" in message:
            return "Change the value map to use values the field offers, or add the value in Zoho CRM."
        if "cannot fill" in message:
            return "Pick a field of a matching type, or choose a transform that converts the value."
        if "Xero has no such field" in message:
            return "Remove this link or pick another Xero field."
        return "Change or remove this link."

    # ----- auto-map ------------------------------------------------------------------------------------------
    def suggestions(self) -> list[Suggestion]:
        """Links the fields' names, labels and types suggest, best first, each with why and how sure."""
        linked_x = {p for link in self.links for p in link.xero.split("+")}
        linked_z = {link.zoho for link in self.links}
        xs = [f for f in self.schema.xero if f.name not in linked_x and f.type != "list"]
        zs = [f for f in self.schema.zoho if f.name not in linked_z and f.type != "list"]
        scored: list[tuple[float, str, FieldInfo, FieldInfo]] = []
        for xf in xs:
            for zf in zs:
                score, why = _similarity(xf, zf)
                if score < 0.5:
                    continue
                direction = self._fitting_direction(xf, zf)
                if direction is None or refusal(xf, zf, direction, default_transform(xf, zf)):
                    continue
                types = f"both are {type_words(xf.type)} fields" if xf.type == zf.type else \
                    f"{type_words(xf.type)} fits {type_words(zf.type)}"
                scored.append((score, f"{why}; {types}", xf, zf))
        scored.sort(key=lambda s: -s[0])
        best_x: dict[str, int] = {}
        best_z: dict[str, int] = {}
        for score, _, xf, zf in scored:
            if score >= 0.8:
                best_x[xf.name] = best_x.get(xf.name, 0) + 1
                best_z[zf.name] = best_z.get(zf.name, 0) + 1
        out, used_x, used_z = [], set(), set()
        for score, why, xf, zf in scored:
            if xf.name in used_x or zf.name in used_z:
                continue
            used_x.add(xf.name)
            used_z.add(zf.name)
            clear = score >= 0.8 and best_x.get(xf.name) == 1 and best_z.get(zf.name) == 1
            out.append(Suggestion(xf.name, zf.name, xf.label, zf.label, round(score, 2), why, clear))
        return out

    def accept(self, suggestions: list[Suggestion]) -> list[str]:
        """Make the accepted suggestions into links; returns why any could not be made."""
        refused = []
        for s in suggestions:
            try:
                self.add_link(s.xero, s.zoho)
            except LinkRefused as exc:
                refused.append(f"{s.xero_label} → {s.zoho_label}: {exc}")
        return refused


_SYNONYMS = [{"email", "emailaddress", "mail"}, {"phone", "phonesdefault", "telephone"},
             {"mobile", "phonesmobile"}, {"fax", "phonesfax"}, {"taxnumber", "abn", "gst", "vat", "taxid"},
             {"website", "web", "url"}, {"name", "accountname", "productname", "dealname"},
             {"code", "productcode", "itemcode"}, {"description", "notes"},
             {"defaultcurrency", "currency", "currencycode"}, {"duedate", "due"}, {"reference", "purchaseorder"},
             {"firstname", "first"}, {"lastname", "last"}]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text).lower()) if len(w) > 1}


def _similarity(xf: FieldInfo, zf: FieldInfo) -> tuple[float, str]:
    xn, zn = _norm(xf.name), _norm(zf.name)
    if xn == zn:
        return 0.95, "same name"
    if _norm(xf.label) == _norm(zf.label):
        return 0.9, "same label"
    for group in _SYNONYMS:
        if (xn in group or _norm(xf.label) in group) and (zn in group or _norm(zf.label) in group):
            return 0.8, f"'{xf.label}' and '{zf.label}' mean the same"
    xw, zw = _words(xf.name) | _words(xf.label), _words(zf.name) | _words(zf.label)
    if xw and zw:
        overlap = len(xw & zw) / len(xw | zw)
        if overlap >= 0.5:
            return 0.5 + overlap * 0.25, f"similar names ({', '.join(sorted(xw & zw))})"
    return 0.0, ""


def _split_fix(message: str) -> tuple[str, str]:
    """The engine's messages sometimes carry their fix after a colon, semicolon or dash: split it off."""
    for sep in (": add ", "; map ", " — add "):
        if sep in message:
            head, tail = message.split(sep, 1)
            return head, sep.strip(" :;—") + " " + tail
    return message, ""


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


# ----- versions --------------------------------------------------------------------------------------------------
def diff(old: PairMapping, new: PairMapping) -> list[str]:
    """What changed from one version of a pair's mapping to another, one line in words per change."""
    lines = []
    for attr, label, words in (("direction", "Direction", DIRECTION_LABELS), ("conflict_policy",
                               "When both changed", POLICY_LABELS)):
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            lines.append(f"{label}: {words.get(a, a)} → {words.get(b, b)}")
    if old.zoho_module != new.zoho_module:
        lines.append(f"Zoho CRM module: {old.zoho_module} → {new.zoho_module}")
    if old.enabled != new.enabled:
        lines.append("Pair turned on" if new.enabled else "Pair turned off")
    before = {(f.xero, f.zoho): f for f in old.fields}
    after = {(f.xero, f.zoho): f for f in new.fields}
    for key, link in after.items():
        name = f"{key[0]} ⇄ {key[1]}"
        if key not in before:
            lines.append(f"Added {name} ({DIRECTION_LABELS.get(link.direction, link.direction)}, "
                         f"{TRANSFORM_LABELS.get(link.transform.get('kind', 'copy'), 'copy').lower()})")
            continue
        was = before[key]
        if was.direction != link.direction:
            lines.append(f"{name}: {DIRECTION_LABELS.get(was.direction)} → {DIRECTION_LABELS.get(link.direction)}")
        if was.winner != link.winner:
            lines.append(f"{name}: when both changed, {POLICY_LABELS.get(was.winner, 'as the pair')} → "
                         f"{POLICY_LABELS.get(link.winner, 'as the pair')}")
        if was.transform != link.transform:
            lines.append(f"{name}: {_transform_change(was.transform, link.transform)}")
    for key in before:
        if key not in after:
            lines.append(f"Removed {key[0]} ⇄ {key[1]}")
    if old.options != new.options:
        changed = sorted(k for k in set(old.options) | set(new.options) if old.options.get(k) != new.options.get(k))
        lines.append(f"Options changed: {', '.join(changed)}")
    return lines


def _transform_change(a: dict[str, Any], b: dict[str, Any]) -> str:
    ka, kb = a.get("kind", "copy"), b.get("kind", "copy")
    if ka != kb:
        return f"{TRANSFORM_LABELS.get(ka, ka).lower()} → {TRANSFORM_LABELS.get(kb, kb).lower()}"
    if ka == "value_map":
        ma, mb = a.get("map") or {}, b.get("map") or {}
        parts = [f"{k} → {mb[k]} added" for k in mb if k not in ma]
        parts += [f"{k} now → {mb[k]} (was {ma[k]})" for k in mb if k in ma and ma[k] != mb[k]]
        parts += [f"{k} removed" for k in ma if k not in mb]
        for side in ("default_forward", "default_reverse"):
            if a.get(side) != b.get(side):
                parts.append(f"default {'to Zoho CRM' if side == 'default_forward' else 'to Xero'} "
                             f"{a.get(side)!r} → {b.get(side)!r}")
        return "value map: " + "; ".join(parts) if parts else "value map changed"
    return "settings changed"
