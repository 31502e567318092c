"""Field mappings: which Xero field goes to which Zoho field, in which direction, through which transform.

One :class:`PairMapping` per synced pair (contacts, items, invoices, payments, deals). Mappings are plain data,
exported and imported as JSON, versioned in the store, and validated against the live schemas before a sync.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.core.records import FieldInfo
from app.core.transforms import TRANSFORMS

BOTH, X2Z, Z2X = "both", "xero_to_zoho", "zoho_to_xero"
# Fields Zoho's standard layouts make mandatory although /settings/fields does not say so (its system_mandatory is
# false and layout rules are not in that answer): a record without them is refused all the same.
LAYOUT_REQUIRED = {"Leads": ("Company",)}
DIRECTIONS = (BOTH, X2Z, Z2X)
POLICIES = ("xero_wins", "zoho_wins", "newest", "ask")
PAIRS = ("contacts", "items", "invoices", "payments", "deals")


@dataclass
class FieldLink:
    xero: str
    zoho: str
    direction: str = BOTH
    transform: dict[str, Any] = field(default_factory=lambda: {"kind": "copy"})
    winner: str = ""  # this field's own conflict policy (one of POLICIES); "" follows the pair's
    # An optional link is left out while Zoho CRM does not have its field (a custom field the business may add
    # later): the rest of the mapping works, and validation says how to add it.
    optional: bool = False

    def flows(self, pair_direction: str, to_zoho: bool) -> bool:
        """Whether a change may flow this way, given the pair's direction and this link's own."""
        wanted = X2Z if to_zoho else Z2X
        return pair_direction in (BOTH, wanted) and self.direction in (BOTH, wanted)


@dataclass
class PairMapping:
    pair: str
    zoho_module: str
    direction: str = BOTH
    conflict_policy: str = "newest"
    enabled: bool = True
    fields: list[FieldLink] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for link in data["fields"]:
            if not link["optional"]:
                del link["optional"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PairMapping:
        data = dict(data)
        data["fields"] = [FieldLink(**f) for f in data.get("fields", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def xero_fields(self) -> list[str]:
        return [f.xero for f in self.fields if f.xero]

    def zoho_fields(self) -> list[str]:
        return [f.zoho for f in self.fields if f.zoho]


@dataclass
class Problem:
    pair: str
    field: str
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.pair}: {self.field}: {self.message}"


_COMPATIBLE = {
    "text": {"text", "email", "phone", "url", "picklist", "id", "number", "money", "date"},
    "email": {"text", "email"},
    "phone": {"text", "phone"},
    "url": {"text", "url"},
    "number": {"number", "money", "text"},
    "money": {"number", "money", "text"},
    "date": {"date", "datetime", "text"},
    "datetime": {"date", "datetime", "text"},
    "bool": {"bool", "text"},
    "picklist": {"text", "picklist"},
    "lookup": {"lookup", "id"},
    "id": {"id", "text", "lookup"},
    "list": {"list"},
}


def can_fill(source_type: str, target_type: str) -> bool:
    """Whether a value of one field type may be copied into a field of another (text takes almost anything)."""
    return target_type in _COMPATIBLE.get(source_type, {source_type})


def without_absent_optional(mapping: PairMapping, zoho_fields: set[str]) -> PairMapping:
    """The mapping without its optional links to fields Zoho CRM does not have (see ``FieldLink.optional``)."""
    fields = [link for link in mapping.fields if not (link.optional and link.zoho and link.zoho not in zoho_fields)]
    if len(fields) == len(mapping.fields):
        return mapping
    return PairMapping(**{**mapping.__dict__, "fields": fields})


def validate(mapping: PairMapping, xero: list[FieldInfo], zoho: list[FieldInfo]) -> list[Problem]:
    """Everything that would make this mapping fail against the live schemas, in the user's words."""
    problems: list[Problem] = []
    p = mapping.pair
    if mapping.direction not in DIRECTIONS:
        problems.append(Problem(p, "direction", f"unknown direction {mapping.direction!r}"))
    if mapping.conflict_policy not in POLICIES:
        problems.append(Problem(p, "conflict_policy", f"unknown policy {mapping.conflict_policy!r}"))
    xs = {f.name: f for f in xero}
    zs = {f.name: f for f in zoho}
    for link in mapping.fields:
        if link.winner and link.winner not in POLICIES:
            problems.append(Problem(p, link.zoho or link.xero, f"unknown policy {link.winner!r}"))
        kind = link.transform.get("kind", "copy")
        if kind not in TRANSFORMS and kind != "line_items":
            problems.append(Problem(p, link.zoho or link.xero, f"unknown transform {kind!r}"))
        xf = _find(xs, link.xero)
        zf = zs.get(link.zoho)
        if link.xero and xf is None:
            problems.append(Problem(p, link.xero, "Xero has no such field"))
        if link.zoho and zf is None and link.optional:
            problems.append(Problem(p, link.zoho, f"Zoho CRM's {mapping.zoho_module} has no field {link.zoho}, so "
                                                 f"this optional link is left out: add a {link.zoho} field in Zoho "
                                                 "CRM to sync it", blocking=False))
        elif link.zoho and zf is None:
            problems.append(Problem(p, link.zoho, f"Zoho CRM's {mapping.zoho_module} has no field with this API "
                                                 "name (was it renamed or deleted in Zoho?)"))
        if xf is None or zf is None:
            continue
        if link.flows(mapping.direction, to_zoho=True) and zf.read_only:
            problems.append(Problem(p, zf.name, f"'{zf.label}' is read-only in Zoho CRM; map it Zoho → Xero only"))
        if link.flows(mapping.direction, to_zoho=False) and xf.read_only:
            problems.append(Problem(p, xf.name, f"'{xf.label}' is read-only in Xero; map it Xero → Zoho only"))
        if kind in ("copy", "trim", "case", "default", "round", "date"):
            for src, dst, to_zoho in ((xf, zf, True), (zf, xf, False)):  # each way the value may flow
                if link.flows(mapping.direction, to_zoho) and dst.type not in _COMPATIBLE.get(src.type, {src.type}):
                    problems.append(Problem(p, dst.name, f"a {src.type} field ({src.label}) cannot fill a {dst.type} "
                                                         f"field ({dst.label})"))
                    break
        if zf.type == "picklist" and zf.choices and link.flows(mapping.direction, to_zoho=True):
            outputs = _possible_outputs(link, xf)
            missing = sorted(str(v) for v in outputs if str(v) not in zf.choices)
            if missing:
                problems.append(Problem(p, zf.name, f"'{zf.label}' has no picklist value for {', '.join(missing)} — "
                                                    "add it in Zoho or change the value map"))
        if xf.type == "picklist" and xf.choices and link.flows(mapping.direction, to_zoho=False) and \
                kind == "value_map":
            bad = sorted(str(k) for k in (link.transform.get("map") or {}) if str(k) not in xf.choices)
            if bad:
                problems.append(Problem(p, xf.name, f"Xero does not allow {', '.join(bad)} in {xf.label}"))
    problems += _xref_problems(mapping, xs, zs)
    mapped_zoho = {link.zoho for link in mapping.fields if link.flows(mapping.direction, to_zoho=True)}
    mapped_xero = {link.xero for link in mapping.fields if link.flows(mapping.direction, to_zoho=False)}
    implied = set(mapping.options.get("zoho_implied", []))
    if mapping.direction in (BOTH, X2Z):
        layout_required = LAYOUT_REQUIRED.get(mapping.zoho_module, ())
        for zf in zoho:
            required = zf.required or zf.name in layout_required
            if required and not zf.read_only and zf.name not in mapped_zoho and zf.name not in implied:
                problems.append(Problem(p, zf.name, f"Zoho CRM requires '{zf.label}' but nothing is mapped to it"))
    if mapping.direction in (BOTH, Z2X):
        for xf in xero:
            if xf.required and not xf.read_only and xf.name not in mapped_xero:
                problems.append(Problem(p, xf.name, f"Xero requires '{xf.label}' but nothing is mapped to it"))
    return problems


def _xref_problems(mapping: PairMapping, xs: dict[str, FieldInfo], zs: dict[str, FieldInfo]) -> list[Problem]:
    """The fields that keep each record's link to the other system must exist and take writes: without them every
    record of the pair fails (or, on Xero's side, an interrupted run cannot find what it already created)."""
    problems: list[Problem] = []
    zoho_xref = mapping.options.get("zoho_xref_field")
    if zoho_xref:
        zf = zs.get(zoho_xref)
        if zf is None:
            problems.append(Problem(mapping.pair, zoho_xref, f"Zoho CRM's {mapping.zoho_module} has no field with "
                                    "this API name to keep the link to Xero in: add a single-line text field named "
                                    f"'{zoho_xref}' in Zoho CRM (Setup → Modules and Fields), or choose another "
                                    "field for the link"))
        elif zf.read_only:
            problems.append(Problem(mapping.pair, zoho_xref, f"'{zf.label}' is read-only in Zoho CRM, so the link to "
                                    "Xero cannot be kept in it"))
    xero_xref = mapping.options.get("xero_xref_field")
    if xero_xref and xero_xref not in xs:
        problems.append(Problem(mapping.pair, xero_xref, "Xero has no such field to keep the link to Zoho CRM in"))
    return problems


def _find(fields: dict[str, FieldInfo], name: str) -> FieldInfo | None:
    if "+" in name:  # joined fields: each part must exist
        parts = [fields.get(part) for part in name.split("+")]
        return None if any(p is None for p in parts) else FieldInfo(name, name, "text")
    return fields.get(name)


def _possible_outputs(link: FieldLink, xf: FieldInfo) -> list[Any]:
    kind = link.transform.get("kind", "copy")
    if kind == "value_map":
        values = list((link.transform.get("map") or {}).values())
        if "default_forward" in link.transform:
            values.append(link.transform["default_forward"])
        return [v for v in values if v not in (None, "")]
    if kind == "copy" and xf.choices:
        return list(xf.choices)
    return []


def load_mappings(path: Path) -> dict[str, PairMapping]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {m["pair"]: PairMapping.from_json(m) for m in data["pairs"]}


def dump_mappings(mappings: dict[str, PairMapping]) -> str:
    return json.dumps({"format": "ledgerbridge-mapping", "version": 1,
                       "pairs": [m.to_json() for m in mappings.values()]}, indent=2)
