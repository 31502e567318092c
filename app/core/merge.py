"""The three-way merge: compare each side with the values we last synced (the base) field by field.

Only a field changed on both sides (to different values) is a conflict; a change on one side flows to the other if
the mapping's direction allows; a change that only echoes our own write equals the base and does nothing. On a
first link there is no base, so every differing field is treated as changed on both sides and the pair's policy
decides (``ask`` parks it in the conflict inbox).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.invoice_lines import comparable
from app.core.mapping import FieldLink, PairMapping
from app.core.transforms import Lookups, TransformError, apply
from app.core.values import blank, canon, numeric_text


@dataclass
class MergeResult:
    to_zoho: dict[str, Any] = field(default_factory=dict)
    to_xero: dict[str, Any] = field(default_factory=dict)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # zoho field -> base/xero/zoho
    base_x: dict[str, Any] = field(default_factory=dict)  # new base if the writes succeed
    base_z: dict[str, Any] = field(default_factory=dict)
    changes_zoho: dict[str, list[Any]] = field(default_factory=dict)  # field -> [before, after]
    changes_xero: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return not (self.to_zoho or self.to_xero or self.conflicts or self.errors)


def read_field(values: dict[str, Any], name: str) -> Any:
    if "+" in name:
        return [values.get(part) for part in name.split("+")]
    return values.get(name)


def write_field(target: dict[str, Any], name: str, value: Any) -> None:
    if "+" in name:
        parts = name.split("+")
        values = value if isinstance(value, list) else [value] + [None] * (len(parts) - 1)
        for part, v in zip(parts, values, strict=False):
            target[part] = v
    else:
        target[name] = value


def merge(
    mapping: PairMapping,
    base_x: dict[str, Any] | None,
    base_z: dict[str, Any] | None,
    x_now: dict[str, Any],
    z_now: dict[str, Any],
    lookups: Lookups,
    *,
    xero_modified: datetime | None = None,
    zoho_modified: datetime | None = None,
    resolutions: dict[str, str] | None = None,
    policy: str | None = None,
) -> MergeResult:
    """Decide, per mapped field, what to write where. ``resolutions`` maps a Zoho field to "xero"/"zoho";
    ``policy`` overrides the pair's and each field's conflict policy (first links use the pair's
    ``first_link_policy``); otherwise a field's own ``winner`` comes before the pair's policy."""
    result = MergeResult(base_x=dict(base_x or {}), base_z=dict(base_z or {}))
    resolutions = resolutions or {}
    for link in mapping.fields:
        _merge_field(mapping, link, base_x, base_z, x_now, z_now, lookups, result, xero_modified, zoho_modified,
                     resolutions.get(link.zoho), policy or link.winner or mapping.conflict_policy)
    return result


def _merge_field(mapping: PairMapping, link: FieldLink, base_x: dict[str, Any] | None,
                 base_z: dict[str, Any] | None, x_now: dict[str, Any], z_now: dict[str, Any], lookups: Lookups,
                 result: MergeResult, xero_modified: datetime | None, zoho_modified: datetime | None,
                 resolution: str | None, policy: str) -> None:
    xv = numeric_text(read_field(x_now, link.xero)) if link.xero else None
    zv = numeric_text(z_now.get(link.zoho)) if link.zoho else None
    to_zoho_ok = link.flows(mapping.direction, to_zoho=True)
    to_xero_ok = link.flows(mapping.direction, to_zoho=False)
    if not (to_zoho_ok or to_xero_ok):  # e.g. a Zoho → Xero field in a Xero → Zoho pair: nothing may flow
        return
    try:
        x_as_z = apply(link.transform, xv, True, lookups) if to_zoho_ok else None
    except TransformError as exc:
        result.errors.append(f"{link.xero} → {link.zoho}: {exc}")
        return
    reverse_error = None
    try:
        z_as_x = apply(_with_current(link.transform, xv), zv, False, lookups) if to_xero_ok else None
    except TransformError as exc:
        reverse_error = f"{link.zoho} → {link.xero}: {exc}"
        if not to_zoho_ok:
            result.errors.append(reverse_error)
            return
        z_as_x = None

    def as_x(value: Any) -> Any:
        return comparable(link.transform, value, "xero")

    def as_z(value: Any) -> Any:
        return comparable(link.transform, value, "zoho")

    if (to_zoho_ok and as_z(x_as_z) == as_z(zv)) or (not to_zoho_ok and to_xero_ok and as_x(z_as_x) == as_x(xv)):
        result.base_x[link.xero] = xv
        result.base_z[link.zoho] = zv
        return
    known = base_x is not None and link.xero in base_x and base_z is not None and link.zoho in base_z
    if not known and (canon(xv) is None or canon(zv) is None):
        # First time these two values meet: an empty side carries no information, so it never erases the other;
        # the filled side flows if it may.
        x_changed, z_changed = canon(xv) is not None, canon(zv) is not None
    else:
        x_changed = not known or as_x(xv) != as_x(base_x.get(link.xero))  # type: ignore[union-attr]
        z_changed = not known or as_z(zv) != as_z(base_z.get(link.zoho))  # type: ignore[union-attr]
    if x_changed and z_changed:
        winner = _winner(policy, to_zoho_ok, to_xero_ok, xero_modified, zoho_modified, resolution)
        if winner is None:
            result.conflicts[link.zoho] = {"xero_field": link.xero, "base": (base_z or {}).get(link.zoho),
                                           "xero": xv, "zoho": zv}
            return
    elif x_changed:
        winner = "xero" if to_zoho_ok else None
    elif z_changed:
        winner = "zoho" if to_xero_ok else None
    else:
        winner = None
    if winner == "xero":
        result.to_zoho[link.zoho] = x_as_z
        result.changes_zoho[link.zoho] = [zv, x_as_z]
        result.base_x[link.xero] = xv
        result.base_z[link.zoho] = x_as_z
    elif winner == "zoho" and reverse_error:  # Zoho's value cannot be converted: never blank Xero's with None
        result.errors.append(reverse_error)
    elif winner == "zoho":
        write_field(result.to_xero, link.xero, z_as_x)
        result.changes_xero[link.xero] = [xv, z_as_x]
        result.base_x[link.xero] = z_as_x
        result.base_z[link.zoho] = zv
    else:  # a one-way pair ignoring the other side's edit: remember it so it is not seen as new next time
        result.base_x[link.xero] = xv
        result.base_z[link.zoho] = zv


def _with_current(spec: dict[str, Any], xero_value: Any) -> dict[str, Any]:
    """Invoice lines carried back start from Xero's lines now (see app.core.invoice_lines)."""
    return {**spec, "current": xero_value} if spec.get("kind") == "line_items" else spec


def _winner(policy: str, to_zoho_ok: bool, to_xero_ok: bool, xero_modified: datetime | None,
            zoho_modified: datetime | None, resolution: str | None) -> str | None:
    if (resolution == "xero" and to_zoho_ok) or (resolution == "zoho" and to_xero_ok):
        return resolution
    if to_zoho_ok and not to_xero_ok:
        return "xero"
    if to_xero_ok and not to_zoho_ok:
        return "zoho"
    if policy == "xero_wins":
        return "xero"
    if policy == "zoho_wins":
        return "zoho"
    if policy in ("newest", "newest_zoho_on_tie"):
        if xero_modified and zoho_modified:
            # Zoho keeps whole seconds, Xero milliseconds: compare whole seconds, ties go to Xero unless asked.
            x, z = xero_modified.replace(microsecond=0), zoho_modified.replace(microsecond=0)
            if x == z:
                return "zoho" if policy == "newest_zoho_on_tie" else "xero"
            return "xero" if x > z else "zoho"
        return "xero" if xero_modified else "zoho"
    return None  # ask


def project(mapping: PairMapping, values: dict[str, Any], to_zoho: bool, lookups: Lookups) -> tuple[
        dict[str, Any], dict[str, Any], dict[str, Any], list[str]]:
    """A new record for the other side: every mapped field that flows that way.

    Returns (fields to write, base for the source side, base for the target side, errors)."""
    out: dict[str, Any] = {}
    base_src: dict[str, Any] = {}
    base_dst: dict[str, Any] = {}
    errors: list[str] = []
    for link in mapping.fields:
        if not link.flows(mapping.direction, to_zoho=to_zoho):
            continue
        src, dst = (link.xero, link.zoho) if to_zoho else (link.zoho, link.xero)
        if not src or not dst:
            continue
        value = numeric_text(read_field(values, src))
        try:
            converted = apply(link.transform, value, to_zoho, lookups)
        except TransformError as exc:
            errors.append(f"{src} → {dst}: {exc}")
            continue
        base_src[src] = value
        base_dst[dst] = converted
        if not blank(converted):
            write_field(out, dst, converted)
    return out, base_src, base_dst, errors
