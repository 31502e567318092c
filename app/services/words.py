"""The words a bookkeeper reads, shared by the window and the command line: counts with the right plural, pair and
action names in Xero's and Zoho's own terms, directions as arrows, times in the user's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from app.errors import PROVIDER_LABELS as PROVIDER_LABELS  # one list of the two names, shared with the errors

_IRREGULAR = {"match": "matches", "entry": "entries", "difference": "differences", "this": "these",
              "needs": "need", "was": "were", "is": "are", "has": "have", "it": "they"}

XERO_NOUNS = {"contacts": "Contacts", "items": "Items", "invoices": "Invoices", "payments": "Payments",
              "deals": "Invoices"}
ZOHO_MODULE_NOUNS = {"Accounts": "Accounts", "Contacts": "Contacts", "Leads": "Leads", "Products": "Products",
                     "Invoices": "Invoices", "Deals": "Deals"}
DEFAULT_MODULES = {"contacts": "Accounts", "items": "Products", "invoices": "Invoices", "payments": "Invoices",
                   "deals": "Deals"}

ACTION_LABELS = {"create": "Created", "update": "Updated", "link": "Linked", "skip": "Skipped",
                 "conflict": "Conflict", "archive": "Archived", "delete": "Deleted", "fail": "Failed",
                 "undo": "Undone"}
DIRECTION_LABELS = {"xero->zoho": "Xero → Zoho CRM", "zoho->xero": "Zoho CRM → Xero"}
DIRECTION_ARROWS = {"xero->zoho": "→", "zoho->xero": "←"}
TRIGGER_LABELS = {"manual": "Sync now", "schedule": "Scheduled", "cli": "Command line", "demo": "Demo",
                  "retry": "Retry", "undo": "Undo", "match": "Match confirmed", "conflict": "Conflict resolved",
                  "reconcile": "Comparison", "wake": "After sleep", "resume": "Resumed", "push": "Sent now",
                  "historical": "Historical sync"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "record")`` → "1 record"; ``plural(1204, "invoice")`` → "1,204 invoices"."""
    if n == 1:
        return f"1 {singular}"
    if plural_form is None:
        head, _, last = singular.rpartition(" ")
        word = _IRREGULAR.get(last) or (last[:-1] + "ies" if last.endswith("y") and last[-2:-1] not in "aeiou"
                                        else last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s"))
        plural_form = f"{head} {word}" if head else word
    return f"{n:,} {plural_form}"


def pair_label(pair: str, zoho_module: str | None = None) -> str:
    """"Contacts ⇄ Accounts", "Items ⇄ Products"; deals go one way: "Closed Won deals → Invoices"."""
    if pair == "deals":
        return "Closed Won deals → Invoices"
    if pair == "payments":
        return "Payments → Invoices"
    module = zoho_module or DEFAULT_MODULES.get(pair, pair.title())
    return f"{XERO_NOUNS.get(pair, pair.title())} ⇄ {ZOHO_MODULE_NOUNS.get(module, module.replace('_', ' '))}"


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


def direction_label(direction: str) -> str:
    return DIRECTION_LABELS.get(direction, "")


def trigger_label(trigger: str) -> str:
    return TRIGGER_LABELS.get(trigger, trigger.replace("_", " ").capitalize())


def local(dt: datetime) -> datetime:
    """An aware datetime in the user's time zone (naive ones are taken as UTC, as the store writes them)."""
    from datetime import UTC

    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone()


def local_time(dt: datetime | None, now: datetime | None = None) -> str:
    """"Today 10:42", "Yesterday 16:05", "3 Dec 10:42", "3 Dec 2025 10:42" (another year)."""
    if dt is None:
        return "never"
    when = local(dt)
    today = local(now).date() if now else datetime.now().astimezone().date()
    clock = when.strftime("%H:%M")
    if when.date() == today:
        return f"Today {clock}"
    if when.date() == today - timedelta(days=1):
        return f"Yesterday {clock}"
    day = f"{when.day} {when.strftime('%b')}"
    if when.year != today.year:
        day += f" {when.year}"
    return f"{day} {clock}"


def duration(seconds: float | None) -> str:
    """"under a second", "12 seconds", "3 min 5 s", "1 h 20 min"."""
    if seconds is None:
        return ""
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return plural(round(seconds), "second")
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


_OUTCOME_LABELS = {"running": "Running", "ok": "Finished", "partial": "Finished with problems", "failed": "Failed",
                   "paused": "Paused", "cancelled": "Cancelled", "braked": "Stopped for your confirmation",
                   "interrupted": "Interrupted"}


def outcome_label(outcome: str) -> str:
    return _OUTCOME_LABELS.get(outcome, outcome.capitalize())


_COUNT_WORDS = [("created", "created"), ("updated", "updated"), ("linked", "linked"), ("archived", "archived"),
                ("deleted", "deleted"), ("conflicts", "conflict"), ("queued_for_review", "waiting for review"),
                ("failed", "failed")]


def counts_sentence(counts: dict[str, int]) -> str:
    """"12 created, 3 updated, 1 conflict" — the counts of a run in words ("" when nothing happened)."""
    parts = []
    for key, word in _COUNT_WORDS:
        n = counts.get(key, 0)
        if n:
            parts.append(plural(n, word) if key == "conflicts" else f"{n:,} {word}")
    return ", ".join(parts)


_PAIR_COUNT_WORDS = {  # key: (after a run, in a dry run); "{n}" is the count, a tuple is (singular, plural)
    "created": ("{n} created", "{n} to create"), "create": ("{n} created", "{n} to create"),
    "updated": ("{n} updated", "{n} to update"), "update": ("{n} updated", "{n} to update"),
    "linked": ("{n} linked", "{n} to link"), "link": ("{n} linked", "{n} to link"),
    "archived": ("{n} archived", "{n} to archive"), "archive": ("{n} archived", "{n} to archive"),
    "deleted": ("{n} deleted", "{n} to delete"), "delete": ("{n} deleted", "{n} to delete"),
    "conflicts": (("conflict", "conflicts"), ("conflict", "conflicts")),
    "conflict": (("conflict", "conflicts"), ("conflict", "conflicts")),
    "queued_for_review": (("possible match to confirm", "possible matches to confirm"),) * 2,
    "review": (("possible match to confirm", "possible matches to confirm"),) * 2,
    "failed": ("{n} failed", "{n} would fail"), "skipped": ("{n} skipped", "{n} to skip"),
    "skip": ("{n} skipped", "{n} to skip"), "unchanged": ("{n} unchanged", "{n} unchanged"),
    "people_synced": (("person synced", "people synced"), ("person to sync", "people to sync")),
    "payments_seen": (("payment read", "payments read"), ("payment read", "payments read")),
    "reverted": ("{n} put back", "{n} to put back"),
}


def counts_words(counts: dict[str, int], *, dry_run: bool = False) -> str:
    """Every count of a run or of one pair in words, singular and plural right: "16 created, 1 conflict,
    2 possible matches to confirm, 15 people synced" ("" when all are zero), always in the same order. Dry runs say
    what would happen."""
    parts = []
    order = list(_PAIR_COUNT_WORDS)
    for key, n in sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        if not n:
            continue
        words = _PAIR_COUNT_WORDS.get(key)
        if words is None:
            parts.append(f"{n:,} {key.replace('_', ' ')}")
            continue
        form = words[1 if dry_run else 0]
        parts.append(plural(n, *form) if isinstance(form, tuple) else form.format(n=f"{n:,}"))
    return ", ".join(parts)


class RunFigures(Protocol):
    trigger: str
    started_at: datetime
    counts: dict[str, int]
    xero_calls: int
    zoho_calls: int
    outcome: str

    @property
    def duration_s(self) -> float | None: ...


def run_line(run: RunFigures, now: datetime | None = None) -> str:
    """A run on one line: "Sync now · Today 10:42 · took 12 seconds · 12 created, 1 conflict · API calls: Xero 4,
    Zoho CRM 3 · Finished" (``run`` is a views.RunSummary)."""
    parts = [trigger_label(run.trigger), local_time(run.started_at, now)]
    if run.duration_s is not None:
        parts.append(f"took {duration(run.duration_s)}")
    parts.append(counts_words(run.counts) or "nothing changed")
    parts.append(f"API calls: Xero {run.xero_calls:,}, Zoho CRM {run.zoho_calls:,}")
    parts.append(outcome_label(run.outcome))
    return " · ".join(parts)
