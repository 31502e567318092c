"""Every setting declared once: defaults that validate, reasons in words, what a schedule costs, and saving to the
Setting table or to the pair's mapping (no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.state import record_failure
from app.errors import ConfigError
from app.paths import AppPaths
from app.services import settings_schema as ss
from app.services.mappings import current_mappings
from app.store.db import open_db
from app.store.models import Run
from app.store.settings import DEFAULTS, get_profile, get_setting


@pytest.fixture
def profile(data_dir):
    open_db(AppPaths(data_dir, data_dir / "logs").ensure().database)
    return get_profile("default")


def test_every_setting_has_words_a_default_that_validates_and_a_known_section():
    spec = ss.schema()
    assert len(set(spec.keys())) == len(spec.settings)
    for s in spec.settings:
        assert s.label and s.help and s.section in ss.SECTIONS, s
        assert s.problem(s.default) == "", (s.key, s.default)
        if not s.pair:
            assert DEFAULTS[s.key] == s.default, s.key
    assert ss.problems(spec.defaults()) == {}
    for key in ("pairs.contacts.enabled", "pairs.contacts.direction", "pairs.contacts.conflict_policy",
                "pairs.contacts.first_link_policy", "deletes.archive_xero_on_zoho_delete", "brake.fraction",
                "brake.min_records", "retry.first_delay_minutes", "history.retention_days", "app.start_with_os",
                "app.start_minimised", "app.notifications", "reconcile.interval_hours", "sync.interval_minutes"):
        assert key in spec, key


def test_one_way_pairs_offer_only_the_direction_the_engine_runs():
    spec = ss.schema()
    assert "pairs.deals.direction" not in spec and "pairs.payments.direction" not in spec
    assert [v for v, _ in spec["pairs.contacts.direction"].choices] == ["both", "xero_to_zoho", "zoho_to_xero"]
    assert spec["pairs.contacts.direction"].choice_words("xero_to_zoho") == "Xero → Zoho CRM only"


@pytest.mark.parametrize(("key", "value", "reason"), [
    ("sync.interval_minutes", 61, "Sync automatically must be Off (0) or 1 to 60 minutes."),
    ("sync.interval_minutes", -1, "Sync automatically must be Off (0) or 1 to 60 minutes."),
    ("history.retention_days", 3, "Keep history for must be 7 to 3,650 days."),
    ("brake.fraction", 0.0, "Stop before archiving more than must be between 1% and 100%."),
    ("brake.min_records", "five", "…but always allow up to must be a whole number."),
    ("reconcile.interval_hours", 1,
     "Compare both systems in full: choose one of Every day, Every week, Only when I ask."),
    ("pairs.deals.trigger_stage", "  ", "Stage that creates the invoice cannot be empty."),
])
def test_a_bad_value_gets_a_reason_in_words(key, value, reason):
    assert ss.problems({key: value}) == {key: reason}


def test_what_a_schedule_costs_follows_the_idle_cycle():
    # contacts and invoices every minute, items and the payments list every quarter of an hour
    cost = ss.schedule_cost(1)
    assert cost.words.startswith("Every minute uses about 3,100 of Xero's 5,000 calls a day")
    assert cost.refused == ""
    assert ss.schedule_cost(15).words.startswith("Every 15 minutes uses about 380 of Xero's 5,000 calls a day")
    assert ss.schedule_cost(0).words.startswith("Off")


def test_an_interval_that_would_run_out_xeros_day_is_refused_with_the_reason():
    assert ss.problems({"sync.interval_minutes": 1, "xero.plan": "standard"}) == {}
    # Starter organisations get 1,000 calls a day: every minute (about 3,100 calls) is far too often there,
    # every 4 minutes (about 910) still more than the share a schedule may take.
    refused = ss.problems({"sync.interval_minutes": 1, "xero.plan": "starter"})["sync.interval_minutes"]
    assert refused == ("Every minute would use about 3,100 of Xero's 1,000 calls a day before any change is "
                       "synced, so syncing would stop for the rest of the day. Choose every 5 minutes or more.")
    starter = ss.problems({"sync.interval_minutes": 4, "xero.plan": "starter"})["sync.interval_minutes"]
    assert "of Xero's 1,000 calls a day" in starter and "Choose every 5 minutes or more." in starter
    assert ss.problems({"sync.interval_minutes": 5, "xero.plan": "starter"}) == {}
    assert ss.problems({"sync.interval_minutes": 0, "xero.plan": "starter"}) == {}


def test_two_sign_in_ports_must_differ():
    assert ss.problems({"xero.redirect_port": 8765, "zoho.redirect_port": 8765}) == {
        "zoho.redirect_port": "Xero and Zoho CRM need different sign-in ports."}


def test_saving_writes_settings_and_the_pairs_mapping(profile):
    before = current_mappings(profile)["contacts"].version
    changed = ss.save_values(profile, {"brake.min_records": 12, "history.retention_days": 30,
                                       "pairs.items.enabled": False, "pairs.contacts.direction": "xero_to_zoho",
                                       "pairs.contacts.first_link_policy": "zoho_wins",
                                       "pairs.deals.trigger_stage": "Won", "app.notifications": True})
    assert set(changed) == {"brake.min_records", "history.retention_days", "pairs.items.enabled",
                            "pairs.contacts.direction", "pairs.contacts.first_link_policy",
                            "pairs.deals.trigger_stage"}  # notifications were already on
    assert get_setting(profile, "brake.min_records") == 12
    mappings = current_mappings(profile)
    assert mappings["items"].enabled is False
    assert mappings["contacts"].direction == "xero_to_zoho" and mappings["contacts"].version == before + 1
    assert mappings["contacts"].options["first_link_policy"] == "zoho_wins"
    assert mappings["contacts"].options["zoho_xref_field"] == "Xero_Contact_ID"  # the rest of the mapping kept
    assert mappings["deals"].options["trigger_stage"] == "Won"
    values = ss.load_values(profile)
    assert values["pairs.items.enabled"] is False and values["brake.min_records"] == 12


def test_a_refused_value_saves_nothing(profile):
    with pytest.raises(ConfigError) as refused:
        ss.save_values(profile, {"brake.min_records": 50, "sync.interval_minutes": 1, "xero.plan": "starter"})
    assert "Every minute would use about 3,100 of Xero's 1,000" in refused.value.message
    assert get_setting(profile, "brake.min_records") == DEFAULTS["brake.min_records"]
    with pytest.raises(ConfigError, match="Unknown setting"):
        ss.save_values(profile, {"sync.speed": 3})


def test_the_retry_delay_setting_spaces_out_the_retries_of_a_failed_record(profile):
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    run = Run.create(profile=profile, started_at=now)
    ss.save_values(profile, {"retry.first_delay_minutes": 10})
    delays = []
    for _ in range(6):
        row = record_failure(profile, run, "contacts", "xero->zoho", "c-1", "Acme", {}, {"message": "no"}, now)
        delays.append(row.next_attempt_at - now)
    assert delays == [timedelta(minutes=m) for m in (10, 30, 120, 480, 1440, 1440)]


def test_start_with_the_computer_adds_and_removes_the_autostart_entry(data_dir):
    from app.auth.secrets import MemoryStore
    from app.integrations.endpoints import Endpoints
    from app.services.autostart import entry_path
    from app.services.context import AppContext

    ctx = AppContext.open(AppPaths(data_dir, data_dir / "logs"), Endpoints(), secrets=MemoryStore())
    ctx.profile_name = "Kiwi branch"
    entry = entry_path("linux")
    assert not entry.exists()
    assert ss.apply_changes(ctx, {"app.start_with_os": True}) == ["app.start_with_os"]
    text = entry.read_text()
    assert "Name=Ledgerbridge" in text and f"--data-dir {data_dir}" in text and '--profile "Kiwi branch"' in text
    assert get_setting(ctx.profile, "app.start_with_os") is True
    ss.apply_changes(ctx, {"app.start_with_os": False})
    assert not entry.exists()
    ctx.close()


def test_a_refused_change_leaves_the_autostart_entry_alone(data_dir, profile):
    from app.auth.secrets import MemoryStore
    from app.integrations.endpoints import Endpoints
    from app.services.autostart import entry_path
    from app.services.context import AppContext

    ctx = AppContext.open(AppPaths(data_dir, data_dir / "logs"), Endpoints(), secrets=MemoryStore())
    with pytest.raises(ConfigError):
        ss.apply_changes(ctx, {"app.start_with_os": True, "sync.interval_minutes": 1, "xero.plan": "starter"})
    assert not entry_path("linux").exists()
    ctx.close()
