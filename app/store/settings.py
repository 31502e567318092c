"""User preferences, declared once with their defaults, stored as rows of the Setting table."""

from __future__ import annotations

from typing import Any

from app.store.models import Profile, Setting

DEFAULTS: dict[str, Any] = {
    "sync.interval_minutes": 15,
    "sync.paused": False,
    "sync.slow_beat_minutes": 15,  # items and the payments list, in scheduled syncs (app.core.beats)
    "history.retention_days": 180,
    "reconcile.interval_hours": 24,  # the full comparison on its own schedule (0 = off, 168 = weekly)
    "xero.redirect_port": 8765,
    "xero.redirect_host": "localhost",
    "xero.client_id": "",
    "zoho.redirect_port": 8766,
    "zoho.redirect_host": "127.0.0.1",
    "zoho.client_id": "",
    "zoho.dc": "us",
    "zoho.allow_workflows": False,
    "deals.trigger_stage": "Closed Won",
    "deals.invoice_status": "DRAFT",
    "deals.email_invoice": False,
    "deletes.archive_xero_on_zoho_delete": False,
    "brake.min_records": 5,
    "brake.fraction": 0.10,
    "xero.plan": "standard",
    "retry.first_delay_minutes": 5,
    "app.start_with_os": False,
    "app.start_minimised": False,
    "app.notifications": True,
}


def get_profile(name: str = "default") -> Profile:
    profile, _ = Profile.get_or_create(name=name)
    return profile


def get_setting(profile: Profile, key: str) -> Any:
    row = Setting.get_or_none(Setting.profile == profile, Setting.key == key)
    if row is not None:
        return row.value
    return DEFAULTS.get(key)


def set_setting(profile: Profile, key: str, value: Any) -> None:
    Setting.insert(profile=profile, key=key, value=value).on_conflict(
        conflict_target=[Setting.profile, Setting.key], preserve=[Setting.value]
    ).execute()


def all_settings(profile: Profile) -> dict[str, Any]:
    values = dict(DEFAULTS)
    for row in Setting.select().where(Setting.profile == profile):
        values[row.key] = row.value
    return values
