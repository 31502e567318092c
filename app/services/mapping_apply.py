"""A saved mapping reaches the records that are already linked.

A sync only looks at records that changed, and a field's last synced value says "nothing to do" for a field whose
link or transform just changed. So after saving a mapping that adds or changes a field, :func:`preview` says how
many linked records it would change (a dry run over them) and :func:`apply` carries it out: each linked record is
read on both sides and the changed fields are compared afresh; where both sides hold different values, the side
the link flows from wins (Xero for a two-way field, or Zoho if the pair's first-link policy says so).

The mapping page calls :func:`pending`, :func:`preview` and :func:`apply` on its worker; the command line has
``mapping import --apply``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.engine import RunReport
from app.core.mapping import FieldLink, PairMapping
from app.services.mappings import current_mappings, default_mappings
from app.services.sync import SyncService
from app.store.models import Link, MappingVersion, Profile
from app.store.settings import get_setting, set_setting


@dataclass
class MappingChange:
    pair: str
    version: int  # the saved mapping version to apply
    fields: list[str]  # "Xero field → Zoho field" of each added or changed link
    remap: dict[str, tuple[str, str]] = field(default_factory=dict)  # Zoho field → (Xero field, winning side)
    linked: int = 0  # linked records it applies to


@dataclass
class ApplyPreview:
    change: MappingChange
    would_change: int  # linked records the mapping change would write to
    report: RunReport

    @property
    def message(self) -> str:
        n = self.would_change
        if not n:
            return (f"The new mapping changes nothing on the {self.change.linked:,} linked "
                    f"record{'s' if self.change.linked != 1 else ''}.")
        return (f"Applying the new mapping would update {n:,} linked record{'s' if n != 1 else ''} "
                f"({', '.join(self.change.fields)}).")


def changed_links(old: PairMapping, new: PairMapping) -> list[FieldLink]:
    """Links of ``new`` that ``old`` lacks, or whose transform or direction differs."""
    before = {(link.xero, link.zoho): link for link in old.fields}
    out = []
    for link in new.fields:
        was = before.get((link.xero, link.zoho))
        if was is None or was.transform != link.transform or was.direction != link.direction:
            out.append(link)
    return out


def _winner(link: FieldLink, mapping: PairMapping) -> str:
    if not link.flows(mapping.direction, to_zoho=True):
        return "zoho"
    if not link.flows(mapping.direction, to_zoho=False):
        return "xero"
    return "zoho" if mapping.options.get("first_link_policy") == "zoho_wins" else "xero"


def _linked(profile: Profile, pair: str) -> list[Link]:
    return list(Link.select().where(Link.profile == profile, Link.pair == pair, Link.state == "active",
                                    Link.xero_id.is_null(False), Link.zoho_id.is_null(False)))


def _applied_key(pair: str) -> str:
    return f"mapping.applied.{pair}"  # the mapping version last carried to every linked record (0: the default)


def _mapping_at(profile: Profile, pair: str, version: int) -> PairMapping:
    row = MappingVersion.get_or_none(MappingVersion.profile == profile, MappingVersion.pair == pair,
                                     MappingVersion.version == version)
    return PairMapping.from_json(row.body) if row is not None else default_mappings()[pair]


def pending(profile: Profile, pair: str) -> MappingChange | None:
    """What the saved mapping of ``pair`` changes since the version last applied to the linked records (None:
    nothing to apply)."""
    mapping = current_mappings(profile)[pair]
    applied = int(get_setting(profile, _applied_key(pair)) or 0)
    if applied >= mapping.version:
        return None
    changed = [link for link in changed_links(_mapping_at(profile, pair, applied), mapping) if link.xero and link.zoho]
    links = _linked(profile, pair) if changed else []
    if not links:
        return None
    return MappingChange(pair, mapping.version, [f"{link.xero} → {link.zoho}" for link in changed],
                         {link.zoho: (link.xero, _winner(link, mapping)) for link in changed}, len(links))


def _run(service: SyncService, change: MappingChange, dry_run: bool) -> RunReport:
    links = _linked(service.profile, change.pair)
    report = service.engine().sync_records(change.pair, [link.xero_id for link in links], [], trigger="mapping",
                                           dry_run=dry_run, remap=change.remap)
    if not dry_run and report.outcome in ("ok", "partial"):  # failures wait in Failed records like any other
        set_setting(service.profile, _applied_key(change.pair), change.version)
    return report


def preview(service: SyncService, pair: str) -> ApplyPreview | None:
    """The dry-run count before applying (reads both sides of every linked record; writes nothing)."""
    change = pending(service.profile, pair)
    if change is None:
        return None
    with service.locked("mapping preview"):
        report = _run(service, change, dry_run=True)
    writes = sum(1 for entry in report.plan if entry.get("xero_write") or entry.get("zoho_write"))
    return ApplyPreview(change, writes, report)


def apply(service: SyncService, pair: str) -> RunReport | None:
    """Carry the saved mapping to the linked records of ``pair``; None when there is nothing to apply."""
    change = pending(service.profile, pair)
    if change is None:
        return None
    with service.locked("apply the mapping"):
        return _run(service, change, dry_run=False)


def summary(report: RunReport | None) -> dict[str, Any]:
    if report is None:
        return {"applied": False, "message": "Nothing to apply: the linked records already use this mapping."}
    return {"applied": True, "run": report.run_id, "outcome": report.outcome, "message": report.message}
