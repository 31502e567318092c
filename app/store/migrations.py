"""Numbered schema migrations on ``PRAGMA user_version``, with a backup copy of the file before any step runs.

Add a step by appending ``(N, function)`` to ``MIGRATIONS``; each runs inside one transaction. A database written
by a newer Ledgerbridge is refused rather than damaged.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import peewee as pw

from app.errors import DatabaseError

log = logging.getLogger(__name__)


def _v1_initial(db: pw.SqliteDatabase) -> None:
    from app.store.models import ALL_MODELS

    db.create_tables(ALL_MODELS)


def _v2_history_indexes(db: pw.SqliteDatabase) -> None:
    from app.store.models import HistoryEntry

    HistoryEntry._schema.create_indexes(safe=True)


def _v3_historical_queue(db: pw.SqliteDatabase) -> None:
    from app.store.models import HistoricalJob

    db.create_tables([HistoricalJob])


def _v4_mapping_version_authors(db: pw.SqliteDatabase) -> None:
    from playhouse.migrate import SqliteMigrator
    from playhouse.migrate import migrate as run_steps

    from app.store.models import MappingVersion

    table = MappingVersion._meta.table_name
    have = {c.name for c in db.get_columns(table)}  # a new database got them from step 1's current models
    migrator = SqliteMigrator(db)
    run_steps(*[migrator.add_column(table, name, field) for name, field in
                (("saved_by", MappingVersion.saved_by), ("note", MappingVersion.note)) if name not in have])


def _v5_dashboard_indexes(db: pw.SqliteDatabase) -> None:
    """What the Dashboard reads after every run without scanning the big tables: linked records per pair (a
    partial index of the linked, active links) and synced/failed per day (history by time with its action)."""
    db.execute_sql("CREATE INDEX IF NOT EXISTS link_linked_by_pair ON link (profile_id, pair) "
                   "WHERE xero_id IS NOT NULL AND zoho_id IS NOT NULL AND state = 'active'")
    db.execute_sql("CREATE INDEX IF NOT EXISTS history_by_time ON history_entry (profile_id, created_at, action)")


def _v6_historical_until(db: pw.SqliteDatabase) -> None:
    """A historical sync's custom period can end on a date (records changed after it are left to the normal sync)."""
    from playhouse.migrate import SqliteMigrator
    from playhouse.migrate import migrate as run_steps

    from app.store.models import HistoricalJob

    table = HistoricalJob._meta.table_name
    if "until" not in {c.name for c in db.get_columns(table)}:  # a new database got it from step 3's model
        run_steps(SqliteMigrator(db).add_column(table, "until", HistoricalJob.until))


MIGRATIONS: list[tuple[int, Callable[[pw.SqliteDatabase], None]]] = [
    (1, _v1_initial),
    (2, _v2_history_indexes),
    (3, _v3_historical_queue),
    (4, _v4_mapping_version_authors),
    (5, _v5_dashboard_indexes),
    (6, _v6_historical_until),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(db: pw.SqliteDatabase) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def migrate(db: pw.SqliteDatabase, path: Path) -> None:
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"This database was written by a newer Ledgerbridge (schema {current}; this version knows "
            f"{SCHEMA_VERSION}). Update Ledgerbridge to open it."
        )
    if current == SCHEMA_VERSION:
        return
    if current > 0 and path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        backup = path.with_name(f"{path.stem}.v{current}-{stamp}.bak")
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(path, backup)
        log.info("database backed up to %s before migrating from schema %s", backup.name, current)
    for number, step in MIGRATIONS:
        if number <= current:
            continue
        with db.atomic():
            step(db)
            db.execute_sql(f"PRAGMA user_version = {number}")
        log.info("database migrated to schema %s", number)
