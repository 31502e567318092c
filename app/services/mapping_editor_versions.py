"""Saved mapping versions as the editor shows them: every save with who and when, the difference between two,
restoring one (saved again as the newest), resetting to the shipped defaults, and importing a file only once it
checks out. Version 0 of a pair is the shipped default."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from typing import Any

from app.core.mapping import DIRECTIONS, PAIRS, POLICIES, PairMapping
from app.core.transforms import TRANSFORMS
from app.errors import ConfigError
from app.services.mapping_editor_model import diff
from app.services.mappings import default_mappings, save_mapping
from app.store.db import DB
from app.store.models import MappingVersion, Profile


@dataclass(frozen=True)
class VersionInfo:
    pair: str
    version: int
    saved_at: str  # ISO UTC ("" for the shipped default)
    saved_by: str
    note: str
    links: int


def who(actor: str) -> str:
    """The person saving, in words: "anna (desktop app)"."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name (a service account, some containers)
        user = "someone"
    return f"{user} ({'desktop app' if actor == 'app' else 'command line'})"


def save_version(profile: Profile, mapping: PairMapping, actor: str, note: str = "") -> VersionInfo:
    with DB.obj.atomic():
        version = save_mapping(profile, mapping)
        MappingVersion.update(saved_by=who(actor), note=note[:250]).where(
            MappingVersion.profile == profile, MappingVersion.pair == mapping.pair,
            MappingVersion.version == version).execute()
    return _info(_row(profile, mapping.pair, version))


def versions(profile: Profile, pair: str | None = None) -> list[VersionInfo]:
    """Saved versions, newest first (the shipped default, version 0, is always there to go back to)."""
    query = MappingVersion.select().where(MappingVersion.profile == profile)
    if pair:
        query = query.where(MappingVersion.pair == pair)
    return [_info(r) for r in query.order_by(MappingVersion.created_at.desc(), MappingVersion.version.desc())]


def mapping_at(profile: Profile, pair: str, version: int) -> PairMapping:
    if pair not in PAIRS:
        raise ConfigError(f"Unknown pair {pair}. Pairs: {', '.join(PAIRS)}.")
    if version == 0:
        return default_mappings()[pair]
    row = _row(profile, pair, version)
    mapping = PairMapping.from_json(row.body)
    mapping.version = row.version
    return mapping


def version_diff(profile: Profile, pair: str, a: int, b: int) -> list[str]:
    return diff(mapping_at(profile, pair, a), mapping_at(profile, pair, b))


def restore(profile: Profile, pair: str, version: int, actor: str) -> VersionInfo:
    return save_version(profile, mapping_at(profile, pair, version), actor,
                        "Reset to the shipped defaults" if version == 0 else f"Restored version {version}")


def reset(profile: Profile, pair: str, actor: str) -> VersionInfo:
    return restore(profile, pair, 0, actor)


def parse_export(text: str) -> list[PairMapping]:
    """A mapping file read and checked for shape (the live fields are checked by the caller): each problem in
    words, and nothing saved when there is one."""
    try:
        data: Any = json.loads(text)
        if data.get("format") != "ledgerbridge-mapping":
            raise ValueError("it does not say it is a Ledgerbridge mapping")
        mappings = [PairMapping.from_json(m) for m in data["pairs"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"That file is not a Ledgerbridge mapping export ({exc}). Nothing was imported.",
                          title="Cannot import this file") from exc
    problems = []
    for m in mappings:
        if m.pair not in PAIRS:
            problems.append(f"unknown pair '{m.pair}'")
        if m.direction not in DIRECTIONS:
            problems.append(f"{m.pair}: unknown direction '{m.direction}'")
        if m.conflict_policy not in POLICIES:
            problems.append(f"{m.pair}: unknown policy '{m.conflict_policy}'")
        for link in m.fields:
            kind = link.transform.get("kind", "copy") if isinstance(link.transform, dict) else None
            if kind not in TRANSFORMS:
                problems.append(f"{m.pair}: {link.xero} → {link.zoho} has an unknown transform '{kind}'")
            if link.direction not in DIRECTIONS:
                problems.append(f"{m.pair}: {link.xero} → {link.zoho} has an unknown direction '{link.direction}'")
    if problems:
        raise ConfigError("Nothing was imported: " + "; ".join(problems) + ".", title="Cannot import this file")
    return mappings


def _row(profile: Profile, pair: str, version: int) -> MappingVersion:
    row = MappingVersion.get_or_none(MappingVersion.profile == profile, MappingVersion.pair == pair,
                                     MappingVersion.version == version)
    if row is None:
        raise ConfigError(f"There is no version {version} of the {pair} mapping. See: mapping versions.")
    return row


def _info(row: MappingVersion) -> VersionInfo:
    return VersionInfo(row.pair, row.version, row.created_at.isoformat() if row.created_at else "",
                       row.saved_by or "", row.note or "", len((row.body or {}).get("fields") or []))
