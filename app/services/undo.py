"""Undo a run, shown first: what it will put back (record, field, now → back to), then doing it.

The plan leaves out what is already back (an earlier undo, or someone put the value back by hand), so undoing the
same run twice says there is nothing left to undo instead of writing the same values again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.engine import RunReport
from app.core.values import canon
from app.errors import NotFound
from app.services.history_words import Names, field_label
from app.services.words import PROVIDER_LABELS, plural
from app.store.models import HistoryEntry, Link, Profile, Run

UNDOABLE = ("update", "link")


@dataclass(frozen=True)
class UndoChange:
    record: str
    pair: str
    side: str  # where the value is put back: "xero" | "zoho"
    field: str  # in words ("Account Name")
    now: str
    back_to: str

    @property
    def where(self) -> str:
        return PROVIDER_LABELS[self.side]

    @property
    def words(self) -> str:
        """"Magpie Print House — Phone in Zoho CRM: 02 2222 2222 → 02 1111 1111"."""
        return f"{self.record} — {self.field} in {self.where}: {self.now} → {self.back_to}"


@dataclass(frozen=True)
class UndoPlan:
    run_id: int
    changes: tuple[UndoChange, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def records(self) -> int:
        return len({(c.pair, c.record) for c in self.changes})

    @property
    def summary(self) -> str:
        """"3 changes to put back in 2 records." / "Nothing is left to undo in this run."."""
        if self.empty:
            return "Nothing is left to undo in this run."
        return f"{plural(len(self.changes), 'change')} to put back in {plural(self.records, 'record')}."


@dataclass(frozen=True)
class UndoResult:
    ok: bool
    message: str
    run_id: int | None  # the undo's own run (None when there was nothing to undo)
    reverted: int = 0
    failed: int = 0


def undo_plan(profile: Profile, run_id: int) -> UndoPlan:
    """What undoing run ``run_id`` would put back. Reads only (safe on the GUI thread)."""
    if Run.get_or_none(Run.id == run_id, Run.profile == profile) is None:
        raise NotFound(f"No sync run {run_id}.")
    entries = (HistoryEntry.select().where(HistoryEntry.run == run_id, HistoryEntry.action.in_(UNDOABLE))
               .order_by(HistoryEntry.id.desc()))
    names = Names(profile)
    changes: list[UndoChange] = []
    for e in entries:
        for side, id_attr in (("zoho", "zoho_id"), ("xero", "xero_id")):
            target = getattr(e, id_attr)
            before = {k.split(".", 1)[1]: v[0] for k, v in (e.changes or {}).items()
                      if k.startswith(f"{side}.") and isinstance(v, list) and len(v) == 2}
            if not before or not target:
                continue
            link = Link.get_or_none(Link.profile == profile, Link.pair == e.pair, getattr(Link, id_attr) == target)
            if link is None:
                continue
            current = link.zoho_values if side == "zoho" else link.xero_values
            for name, old in before.items():
                now = current.get(name)
                if canon(now) == canon(old):
                    continue  # already back
                changes.append(UndoChange(e.record_name or link.name, e.pair, side, field_label(side, name),
                                          _value(names, e, side, name, now), _value(names, e, side, name, old)))
    return UndoPlan(run_id, tuple(changes))


def _value(names: Names, e: HistoryEntry, side: str, name: str, value: Any) -> str:
    return names.value(e.pair, side, name, value, own={"xero": e.xero_id, "zoho": e.zoho_id}, limit=80)


def undo_run(service: Any, run_id: int) -> UndoResult:
    """Put back what run ``run_id`` changed; says so plainly when nothing is left to undo."""
    from app.services import review

    plan = undo_plan(service.profile, run_id)
    if plan.empty:
        return UndoResult(True, f"Nothing is left to undo in run {run_id}.", None)
    report: RunReport = review.undo(service, run_id)
    reverted, failed = report.counts.get("reverted", 0), report.counts.get("failed", 0)
    if failed:
        message = (f"Put back {plural(reverted, 'record')}; {plural(failed, 'record')} could not be put back "
                   "(see History for why).")
    else:
        message = f"Put back {plural(len(plan.changes), 'change')} in {plural(plan.records, 'record')}."
    return UndoResult(not failed, message, report.run_id, reverted, failed)
