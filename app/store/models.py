"""The tables. Plain nouns; every row belongs to a profile (one pair of connected organisations).

JSON columns hold small documents (field values, counts, error bodies). No secret is ever stored here: refresh
tokens live in the OS keyring (see ``app.auth.secrets``), access tokens only in memory.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import peewee as pw

from app.store.db import DB


def utcnow() -> datetime:
    return datetime.now(UTC)


class JSONField(pw.TextField):
    """JSON text (orjson: links and history are written by the ten thousand in a first sync)."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()

    def python_value(self, value: str | None) -> Any:
        return None if value is None else orjson.loads(value)


class UTCDateTimeField(pw.DateTimeField):
    """Stored as ISO text with offset; always read back as an aware UTC datetime."""

    def db_value(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def python_value(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        parsed = datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class BaseModel(pw.Model):
    class Meta:
        database = DB
        legacy_table_names = False


class Profile(BaseModel):
    name = pw.CharField(unique=True)
    created_at = UTCDateTimeField(default=utcnow)


class Connection(BaseModel):
    """One signed-in account per provider and profile. Ids and names only — never tokens."""

    profile = pw.ForeignKeyField(Profile, backref="connections", on_delete="CASCADE")
    provider = pw.CharField()  # "xero" | "zoho"
    org_id = pw.CharField(default="")  # Xero tenant id / Zoho org id
    org_name = pw.CharField(default="")
    connection_id = pw.CharField(default="")  # Xero connection id (for DELETE /connections/{id})
    dc = pw.CharField(default="")  # Zoho data centre
    api_domain = pw.CharField(default="")  # Zoho api_domain from the token response
    accounts_server = pw.CharField(default="")  # Zoho accounts-server from the callback
    user_name = pw.CharField(default="")
    scopes = pw.TextField(default="")
    connected_at = UTCDateTimeField(default=utcnow)
    refresh_token_issued_at = UTCDateTimeField(null=True)  # Xero refresh tokens idle-expire after 60 days

    class Meta:
        indexes = ((("profile", "provider"), True),)


class Setting(BaseModel):
    profile = pw.ForeignKeyField(Profile, backref="settings", on_delete="CASCADE")
    key = pw.CharField()
    value = JSONField(null=True)

    class Meta:
        indexes = ((("profile", "key"), True),)


class MappingVersion(BaseModel):
    """Every saved mapping of a pair is kept; history rows name the version that wrote them."""

    profile = pw.ForeignKeyField(Profile, backref="mappings", on_delete="CASCADE")
    pair = pw.CharField()
    version = pw.IntegerField()
    body = JSONField()
    created_at = UTCDateTimeField(default=utcnow)
    saved_by = pw.CharField(default="")  # who saved it, in words: "anna (desktop app)"
    note = pw.CharField(default="")  # why: "Restored version 3", "Reset to defaults", "Imported from a file"

    class Meta:
        indexes = ((("profile", "pair", "version"), True),)


class Link(BaseModel):
    """A Xero record and a Zoho record known to be the same thing, with the values we last synced on each side.

    ``xero_values``/``zoho_values`` are the mapped fields as they stood after our last sync (the merge base);
    ``*_version`` the modified time we last saw or wrote, so our own writes are recognised as echoes.
    """

    profile = pw.ForeignKeyField(Profile, backref="links", on_delete="CASCADE")
    pair = pw.CharField()
    xero_id = pw.CharField(null=True)
    zoho_id = pw.CharField(null=True)
    name = pw.CharField(default="")
    xero_values = JSONField(default=dict)
    zoho_values = JSONField(default=dict)
    xero_version = pw.CharField(default="")
    zoho_version = pw.CharField(default="")
    state = pw.CharField(default="active")  # active | archived | deleted
    mapping_version = pw.IntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)
    synced_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("profile", "pair", "xero_id"), True),
            (("profile", "pair", "zoho_id"), True),
        )


class Cursor(BaseModel):
    """How far a stream has been read: the modified-time watermark and the page within an unfinished read."""

    profile = pw.ForeignKeyField(Profile, backref="cursors", on_delete="CASCADE")
    stream = pw.CharField()  # e.g. "xero:contacts", "zoho:Accounts", "zoho:Accounts:deleted"
    watermark = pw.CharField(default="")  # ISO UTC, second precision
    pending_watermark = pw.CharField(default="")  # max seen in the read in progress
    page = pw.IntegerField(default=0)  # last page fully applied in the read in progress (0 = none)
    page_token = pw.TextField(default="")
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("profile", "stream"), True),)


class Run(BaseModel):
    profile = pw.ForeignKeyField(Profile, backref="runs", on_delete="CASCADE")
    trigger = pw.CharField(default="manual")  # manual | schedule | cli | retry | undo | reconcile
    dry_run = pw.BooleanField(default=False)
    started_at = UTCDateTimeField(default=utcnow)
    ended_at = UTCDateTimeField(null=True)
    outcome = pw.CharField(default="running")  # running | ok | partial | failed | paused | cancelled | braked
    message = pw.TextField(default="")
    counts = JSONField(default=dict)
    xero_calls = pw.IntegerField(default=0)
    zoho_calls = pw.IntegerField(default=0)


class HistoryEntry(BaseModel):
    """One action on one record: what changed (before → after per field), who won, and the error if it failed."""

    run = pw.ForeignKeyField(Run, backref="history", on_delete="CASCADE")
    profile = pw.ForeignKeyField(Profile, on_delete="CASCADE")
    pair = pw.CharField()
    action = pw.CharField()  # create | update | link | skip | conflict | archive | delete | fail | undo
    direction = pw.CharField(default="")  # "xero->zoho" | "zoho->xero" | ""
    xero_id = pw.CharField(null=True)
    zoho_id = pw.CharField(null=True)
    record_name = pw.CharField(default="")
    changes = JSONField(default=dict)  # field -> [before, after]
    mapping_version = pw.IntegerField(default=0)
    error = JSONField(null=True)
    created_at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        # The History page filters by pair or action and pages newest first: each index ends in the row id.
        indexes = ((("profile", "pair"), False), (("profile", "action"), False))


class FailedRecord(BaseModel):
    profile = pw.ForeignKeyField(Profile, backref="failed", on_delete="CASCADE")
    pair = pw.CharField()
    direction = pw.CharField()
    source_id = pw.CharField()
    record_name = pw.CharField(default="")
    payload = JSONField(null=True)
    error = JSONField(null=True)
    hint = pw.TextField(default="")
    transient = pw.BooleanField(default=False)
    attempts = pw.IntegerField(default=1)
    first_failed_at = UTCDateTimeField(default=utcnow)
    last_failed_at = UTCDateTimeField(default=utcnow)
    next_attempt_at = UTCDateTimeField(null=True)
    status = pw.CharField(default="open")  # open | resolved | ignored
    run = pw.ForeignKeyField(Run, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("profile", "pair", "direction", "source_id"), True),)


class Conflict(BaseModel):
    profile = pw.ForeignKeyField(Profile, backref="conflicts", on_delete="CASCADE")
    pair = pw.CharField()
    link = pw.ForeignKeyField(Link, backref="conflicts", on_delete="CASCADE")
    record_name = pw.CharField(default="")
    fields = JSONField(default=dict)  # field -> {"base":…, "xero":…, "zoho":…}
    status = pw.CharField(default="open")  # open | resolved
    resolution = JSONField(null=True)  # field -> "xero" | "zoho"
    created_at = UTCDateTimeField(default=utcnow)
    resolved_at = UTCDateTimeField(null=True)


class MatchCandidate(BaseModel):
    """A likely pair waiting for a person: nothing is written for either record until confirmed or rejected."""

    profile = pw.ForeignKeyField(Profile, backref="matches", on_delete="CASCADE")
    pair = pw.CharField()
    xero_id = pw.CharField()
    zoho_id = pw.CharField()
    xero_name = pw.CharField(default="")
    zoho_name = pw.CharField(default="")
    score = pw.FloatField(default=0)
    evidence = JSONField(default=list)
    status = pw.CharField(default="pending")  # pending | confirmed | rejected
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("profile", "pair", "xero_id", "zoho_id"), True),)


class WriteIntent(BaseModel):
    """Written before a create is sent, removed when its link is committed: after a crash, the next run looks the
    record up by its cross-reference (and reuses the idempotency key) instead of creating it twice."""

    profile = pw.ForeignKeyField(Profile, on_delete="CASCADE")
    pair = pw.CharField()
    target = pw.CharField()  # "xero" | "zoho"
    source_id = pw.CharField()
    idempotency_key = pw.CharField()
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("profile", "pair", "target", "source_id"), True),)


class HistoricalJob(BaseModel):
    """A historical sync waiting in (or done with) the queue: which pairs, which way, from which date.

    Kept in the database so the queue outlives the app: a job interrupted by quitting resumes where its last run
    stopped (the engine keeps its own page position for a read from that date)."""

    profile = pw.ForeignKeyField(Profile, backref="historical_jobs", on_delete="CASCADE")
    direction = pw.CharField(default="both")  # both | xero_to_zoho | zoho_to_xero
    pairs = JSONField(default=list)
    since = UTCDateTimeField()
    until = UTCDateTimeField(null=True)  # the end of a custom period (exclusive); None: up to now
    range_label = pw.CharField(default="")  # "Last 30 days", "Since 3 Nov 2026", "1 Mar – 31 Mar 2026"
    status = pw.CharField(default="queued")  # queued | running | done | failed | paused | cancelled
    record_count = pw.IntegerField(null=True)  # counted before starting (None: not counted yet)
    estimate_s = pw.FloatField(null=True)
    run = pw.ForeignKeyField(Run, null=True, on_delete="SET NULL")
    message = pw.TextField(default="")
    counts = JSONField(default=dict)
    created_at = UTCDateTimeField(default=utcnow)
    started_at = UTCDateTimeField(null=True)
    finished_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("profile", "status"), False),)


ALL_MODELS = [
    Profile, Connection, Setting, MappingVersion, Link, Cursor, Run, HistoryEntry, FailedRecord, Conflict,
    MatchCandidate, WriteIntent, HistoricalJob,
]
