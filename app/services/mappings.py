"""Mappings as the user edits them: defaults from resources/, saved versions in the store, JSON import/export."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from app.core.mapping import PAIRS, PairMapping, Problem, dump_mappings, load_mappings, validate
from app.errors import ConfigError
from app.paths import resource_path
from app.store.models import MappingVersion, Profile


def default_mappings() -> dict[str, PairMapping]:
    return load_mappings(resource_path("mappings", "default.json"))


def current_mappings(profile: Profile) -> dict[str, PairMapping]:
    """The latest saved version of each pair, or the shipped default."""
    mappings = default_mappings()
    for pair in PAIRS:
        row = (MappingVersion.select().where(MappingVersion.profile == profile, MappingVersion.pair == pair)
               .order_by(MappingVersion.version.desc()).first())
        if row is not None:
            mapping = PairMapping.from_json(row.body)
            mapping.version = row.version
            mappings[pair] = mapping
    return mappings


def save_mapping(profile: Profile, mapping: PairMapping) -> int:
    last = (MappingVersion.select().where(MappingVersion.profile == profile, MappingVersion.pair == mapping.pair)
            .order_by(MappingVersion.version.desc()).first())
    version = (last.version if last else 0) + 1
    mapping.version = version
    MappingVersion.create(profile=profile, pair=mapping.pair, version=version, body=mapping.to_json())
    return version


def export_json(profile: Profile) -> str:
    return dump_mappings(current_mappings(profile))


def import_json(profile: Profile, text: str, *,
                check: Callable[[dict[str, PairMapping]], list[Problem]]) -> list[str]:
    """Save the pairs of a mapping export as new versions, all or none: ``check`` validates them against the live
    schemas first, and a mapping with a blocking problem is refused with the problems listed, nothing saved."""
    try:
        data: Any = json.loads(text)
        pairs = [PairMapping.from_json(m) for m in data["pairs"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"That file is not a Ledgerbridge mapping export: {exc}") from exc
    unknown = [m.pair for m in pairs if m.pair not in PAIRS]
    if unknown:
        raise ConfigError(f"Unknown pair(s) in the mapping file: {', '.join(unknown)}")
    blocking = [p for p in check({m.pair: m for m in pairs}) if p.blocking]
    if blocking:
        raise ConfigError("The mapping was not imported: it cannot work with the live systems:\n" +
                          "\n".join(f"  • {p}" for p in blocking) +
                          "\nFix the file and import it again. The mapping in use is unchanged.")
    with MappingVersion._meta.database.atomic():
        for mapping in pairs:
            save_mapping(profile, mapping)
    return [m.pair for m in pairs]


def validate_all(mappings: dict[str, PairMapping], schemas: dict[str, tuple[list, list]]) -> list[Problem]:
    problems: list[Problem] = []
    for pair, mapping in mappings.items():
        if mapping.enabled and pair in schemas:
            xero, zoho = schemas[pair]
            problems += validate(mapping, xero, zoho)
    return problems
