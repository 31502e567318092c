"""Opening the SQLite database: WAL, foreign keys, a busy timeout, private file permissions, migrations."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import peewee as pw

from app.errors import DatabaseError

DB = pw.DatabaseProxy()

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "cache_size": -16_000,  # KiB: the link indexes of a 100,000-record sync stay in memory (default 2 MB)
}


def open_db(path: Path | str) -> pw.SqliteDatabase:
    """Open (creating if needed) the database at ``path``, bind the models to it and migrate it."""
    from app.store.migrations import migrate

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    old_umask = os.umask(0o077)
    try:
        database = pw.SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
        DB.initialize(database)
        try:
            database.connect(reuse_if_open=True)
            migrate(database, path)
        except pw.DatabaseError as exc:
            raise DatabaseError(
                f"Ledgerbridge could not open its database at {path}: {exc}. If the file is damaged, move it "
                "aside and start again (the next sync relinks records by their cross-reference ids).",
                technical=repr(exc),
            ) from exc
    finally:
        os.umask(old_umask)
    return database


def close_db() -> None:
    database = DB.obj
    if database is not None and not database.is_closed():
        database.close()


BUSY_MESSAGE = ("Another program kept Ledgerbridge's database busy for too long (a database viewer or a backup tool "
                "holding the file, or another copy of Ledgerbridge), so this stopped. Nothing was lost: close that "
                "program and try again.")


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, pw.OperationalError) and any(w in str(exc).lower() for w in ("locked", "busy"))


@contextlib.contextmanager
def busy_in_words() -> Iterator[None]:
    """A database another writer holds past the busy timeout becomes a sentence, not a traceback."""
    try:
        yield
    except pw.OperationalError as exc:
        if is_busy(exc):
            raise DatabaseError(BUSY_MESSAGE, technical=repr(exc)) from exc
        raise
