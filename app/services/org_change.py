"""Connecting another organisation is a decision, not a silent switch.

Links pair a record of one Xero organisation with one of one Zoho CRM organisation. When a side is connected to a
different organisation than the links were made with, syncing stops until the user chooses:

* **keep the links** — the same business under a new connection (a re-created Xero organisation, a new Zoho
  account); the links are now taken to be this organisation's;
* **start fresh** — another business: the database is backed up, then the old links and everything that hangs on
  them (history, runs, failures, conflicts, matches, read positions) move to an archive profile named after the
  old organisation, where they can still be read but never sync again. The profile starts empty, so a dry run plans
  the new organisation's records and nothing of the old.

The Connections page calls :func:`pending_changes`, :func:`keep_links` and :func:`start_fresh` (on the worker);
the ``reset`` command does the same headless. :func:`reset_connection` ("Reset connection…", ``reset
--disconnect``) starts fresh and then disconnects one side.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.errors import ConfigError
from app.services.connections import ConnectionService
from app.services.context import AppContext
from app.services.profiles import backup_database
from app.services.runlock import run_lock
from app.store.db import DB
from app.store.models import (
    Conflict,
    Connection,
    Cursor,
    FailedRecord,
    HistoricalJob,
    HistoryEntry,
    Link,
    MatchCandidate,
    Profile,
    Run,
    Setting,
    WriteIntent,
)
from app.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

PROVIDER_NAMES = {"xero": "Xero", "zoho": "Zoho CRM"}
ARCHIVED_FROM = "archive.of_profile"  # on an archive profile: the profile its links were set aside from
LINKED_ORGS = "links.organisations"  # {"xero": {"id", "name"}, "zoho": {...}}: whose records the links pair
# What moves to the archive with the links: every row that names a linked record or a run over them.
ARCHIVED_TABLES = (Link, HistoryEntry, FailedRecord, Conflict, MatchCandidate, WriteIntent, HistoricalJob, Cursor,
                   Run)
# Settings that describe the old organisation's data (caches, read times, the fallback product's id).
ORG_SETTINGS = ("zoho.schema.", "zoho.fallback_product.", "zoho.deletions_polled.", "sync.last_read.", "live.",
                "xero.last_budget", "zoho.last_budget")


# What starting fresh sets aside, in words (the reset command and the Connections page say it before doing it).
TABLE_WORDS = {"Link": ("link between records", "links between records"), "HistoryEntry": ("history entry",
               "history entries"), "Run": ("sync run", "sync runs"), "FailedRecord": ("failed record",
               "failed records"), "Conflict": ("conflict", "conflicts"), "MatchCandidate": ("possible match",
               "possible matches"), "WriteIntent": ("record being created", "records being created"),
               "HistoricalJob": ("historical sync job", "historical sync jobs"), "Cursor": ("read position",
               "read positions")}


def in_words(counts: dict[str, int]) -> list[str]:
    return [f"{n:,} {TABLE_WORDS[table][n != 1]}" for table, n in counts.items() if n]


class OrganisationChanged(ConfigError):
    title = "Another organisation is connected"


@dataclass(frozen=True)
class OrgChange:
    provider: str  # "xero" | "zoho"
    linked_name: str  # the organisation the links were made with
    linked_id: str
    connected_name: str  # the organisation connected now
    connected_id: str
    links: int

    @property
    def message(self) -> str:
        side = PROVIDER_NAMES[self.provider]
        n = f"{self.links:,} linked record{'s' if self.links != 1 else ''}"
        return (f"{side} is now connected to {self.connected_name}, but the {n} were made with "
                f"{self.linked_name}. Keep the links if it is the same business under a new connection; start "
                f"fresh if it is another business (the old links and history are kept apart under "
                f"{self.linked_name}).")


@dataclass
class FreshStart:
    backup: Path
    archive_profile: str  # where the old links and history can still be read
    moved: dict[str, int] = field(default_factory=dict)  # table → rows moved
    settings_cleared: int = 0

    @property
    def summary(self) -> str:
        links = self.moved.get("Link", 0)
        history = self.moved.get("HistoryEntry", 0)
        return (f"Started fresh: {links:,} link{'s' if links != 1 else ''} and {history:,} history "
                f"entr{'ies' if history != 1 else 'y'} moved to the profile '{self.archive_profile}'. A copy of the "
                f"database from before is at {self.backup}.")


def _connected(profile: Profile) -> dict[str, dict[str, str]]:
    return {c.provider: {"id": c.org_id, "name": c.org_name} for c in
            Connection.select().where(Connection.profile == profile) if c.org_id}


def _adopt(profile: Profile) -> None:
    """Record whose records the links pair: the organisations connected now, while there are no links yet, or
    for a side links were made with before this was recorded."""
    linked = dict(get_setting(profile, LINKED_ORGS) or {})
    connected = _connected(profile)
    if not Link.select().where(Link.profile == profile).exists():
        adopted = connected
    else:
        adopted = {**connected, **linked}
    if adopted != linked:
        set_setting(profile, LINKED_ORGS, adopted)


def pending_changes(profile: Profile) -> list[OrgChange]:
    """The sides connected to another organisation than the links were made with (empty: nothing to decide).
    Only reads the database (the Connections page may ask from the GUI thread)."""
    linked = dict(get_setting(profile, LINKED_ORGS) or {})
    if not Link.select().where(Link.profile == profile).exists():
        return []
    changes = []
    for provider, now in _connected(profile).items():
        was = linked.get(provider)
        if was is not None and was.get("id") != now["id"]:
            count = Link.select().where(Link.profile == profile, Link.state != "orphan").count()
            changes.append(OrgChange(provider, was.get("name") or was.get("id", ""), was.get("id", ""), now["name"],
                                     now["id"], count))
    return changes


def check_organisations(profile: Profile) -> None:
    """Raise :class:`OrganisationChanged` while a side is connected to another organisation than the links'."""
    _adopt(profile)
    changes = pending_changes(profile)
    if changes:
        raise OrganisationChanged(" ".join(c.message for c in changes) + " Choose on the Connections page, or run "
                                  "`reset --keep-links` or `reset`.")


def keep_links(profile: Profile) -> list[OrgChange]:
    """Same business, new connection: the links now belong to the organisations connected now."""
    changes = pending_changes(profile)
    set_setting(profile, LINKED_ORGS, {**dict(get_setting(profile, LINKED_ORGS) or {}), **_connected(profile)})
    for change in changes:
        log.info("%s: links kept for %s (were made with %s)", change.provider, change.connected_name,
                 change.linked_name)
    return changes


def start_fresh(profile: Profile, backups: Path, now: datetime | None = None) -> FreshStart:
    """Back the database up, then move the old links and everything about them to an archive profile named after
    the old organisation(s), and clear what described their data. The mapping and settings stay."""
    linked = dict(get_setting(profile, LINKED_ORGS) or {})
    old_name = (linked.get("xero") or {}).get("name") or (linked.get("zoho") or {}).get("name") or profile.name
    when = now or datetime.now(UTC)
    backup = backup_database(backups, f"before-starting-fresh-{profile.name}")
    result = FreshStart(backup, _archive_name(old_name, when))
    with DB.obj.atomic():
        archive = Profile.create(name=result.archive_profile)
        for table in ARCHIVED_TABLES:
            result.moved[table.__name__] = table.update(profile=archive).where(table.profile == profile).execute()
        for prefix in ORG_SETTINGS:
            result.settings_cleared += Setting.delete().where(Setting.profile == profile,
                                                              Setting.key.startswith(prefix)).execute()
        set_setting(archive, LINKED_ORGS, linked)
        set_setting(archive, ARCHIVED_FROM, profile.id)
        set_setting(profile, LINKED_ORGS, _connected(profile))
    log.info("profile %s started fresh; the links of %s are in %s (backup %s)", profile.name, old_name,
             result.archive_profile, backup)
    return result


def set_aside_ids(profile: Profile, pair: str) -> set[str]:
    """Ids of the records this profile set aside by starting fresh, Xero's and Zoho's (linked, remembered or
    waiting for review then): the Zoho ones, and Zoho records made from the Xero ones, are not synced again."""
    archives = [s.profile_id for s in Setting.select(Setting.profile).where(Setting.key == ARCHIVED_FROM,
                                                                           Setting.value == profile.id)]
    if not archives:
        return set()
    rows = Link.select(Link.xero_id, Link.zoho_id).where(Link.profile.in_(archives), Link.pair == pair).tuples()
    return {i for row in rows for i in row if i}


def what_start_fresh_clears(profile: Profile) -> dict[str, int]:
    """Rows a fresh start would move away, by table (for saying exactly what it does before doing it)."""
    return {table.__name__: table.select().where(table.profile == profile).count() for table in ARCHIVED_TABLES}


def _archive_name(old_name: str, when: datetime) -> str:
    base = f"{old_name} (archived {when:%Y-%m-%d})"
    name, n = base, 2
    while Profile.get_or_none(Profile.name == name) is not None:
        name, n = f"{base} {n}", n + 1
    return name


def decide(ctx: AppContext, choice: str) -> str:
    """What the Connections page (on its worker) and the ``reset`` command call once the user has chosen:
    ``"keep"`` keeps the links for the organisations connected now, ``"fresh"`` starts fresh (backup first).
    Runs under the run lock, never beside a sync. Returns what was done, in words."""
    if choice not in ("keep", "fresh"):
        raise ConfigError(f"Unknown choice {choice!r}: keep or fresh.")
    with run_lock(ctx.paths.data_dir, "reset", by=ctx.actor):
        if choice == "keep":
            kept = keep_links(ctx.profile)
            if not kept:
                return "Nothing to decide: the links were made with the organisations connected now."
            return " ".join(f"The links now belong to {c.connected_name} in {PROVIDER_NAMES[c.provider]}."
                            for c in kept)
        return start_fresh(ctx.profile, ctx.paths.data_dir / "backups").summary


def reset_connection(ctx: AppContext, provider: str, connections: ConnectionService | None = None) -> str:
    """Start over with one side: back the database up, set the profile's links and history aside as starting fresh
    does, then disconnect ``provider`` (its sign-in is revoked). The mapping and settings stay. Runs under the run
    lock, never beside a sync; ``connections`` is the caller's own service (the worker's, so its clients forget
    the sign-in too). Returns what was done, in words."""
    if provider not in PROVIDER_NAMES:
        raise ConfigError(f"Unknown side {provider!r}: xero or zoho.")
    with run_lock(ctx.paths.data_dir, "reset", by=ctx.actor):
        if any(what_start_fresh_clears(ctx.profile).values()):
            fresh = start_fresh(ctx.profile, ctx.paths.data_dir / "backups")
            backup, archive = fresh.backup, fresh.archive_profile
            moved = {t: n for t, n in fresh.moved.items() if t in ("Link", "HistoryEntry") and n}
        else:  # nothing to set aside: no empty archive profile, but still a copy from before
            backup, archive, moved = backup_database(ctx.paths.data_dir / "backups",
                                                     f"before-reset-{ctx.profile.name}"), "", {}
        (connections or ConnectionService(ctx)).disconnect(provider)
        set_setting(ctx.profile, LINKED_ORGS, _connected(ctx.profile))
    side = PROVIDER_NAMES[provider]
    if archive:
        verb = "was" if list(moved.values()) == [1] else "were"
        what = " and ".join(in_words(moved)) or "The runs and read positions"
        aside = f"{what} {verb} set aside under the profile “{archive}”, where you can still read them."
    else:
        aside = "There were no links or history to set aside."
    return (f"{side} is disconnected. {aside} The field mapping and settings stay. A copy of the database from "
            f"before is at {backup}.")
