import os
import stat

import pytest

from app.errors import DatabaseError
from app.store.db import close_db, open_db
from app.store.migrations import SCHEMA_VERSION, schema_version
from app.store.models import Link
from app.store.settings import get_profile, get_setting, set_setting


def test_new_database_is_private_migrated_and_in_wal(data_dir):
    path = data_dir / "ledgerbridge.db"
    db = open_db(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        close_db()


def test_settings_default_then_override(data_dir):
    open_db(data_dir / "x.db")
    try:
        profile = get_profile()
        assert get_setting(profile, "sync.interval_minutes") == 15
        set_setting(profile, "sync.interval_minutes", 5)
        set_setting(profile, "sync.interval_minutes", 30)
        assert get_setting(profile, "sync.interval_minutes") == 30
        link = Link.create(profile=profile, pair="contacts", xero_id="x1", zoho_id="z1", xero_values={"Name": "A"})
        assert Link.get_by_id(link.id).xero_values == {"Name": "A"}
    finally:
        close_db()


def test_database_from_a_newer_app_is_refused_untouched(data_dir):
    path = data_dir / "newer.db"
    db = open_db(path)
    db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    close_db()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer Ledgerbridge"):
        open_db(path)
    close_db()
    assert path.read_bytes() == before


def test_a_schema_5_queue_gains_the_end_date_and_keeps_its_jobs(data_dir):
    from datetime import UTC, datetime

    from app.store.models import HistoricalJob

    path = data_dir / "v5.db"
    db = open_db(path)
    HistoricalJob.create(profile=get_profile(), since=datetime(2026, 3, 1, tzinfo=UTC), range_label="Since 1 Mar 2026")
    db.execute_sql("ALTER TABLE historical_job DROP COLUMN until")  # as Ledgerbridge with schema 5 left it
    db.execute_sql("PRAGMA user_version = 5")
    close_db()
    db = open_db(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        job = HistoricalJob.get()
        assert job.range_label == "Since 1 Mar 2026" and job.until is None
        assert list(data_dir.glob("v5.v5-*.bak"))  # the old file kept beside it
    finally:
        close_db()
