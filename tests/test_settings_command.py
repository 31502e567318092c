"""`settings` and `settings set`: the Settings page from the command line, with the same checks and words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_show_and_change_settings_from_the_command_line(tmp_path):
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("LEDGERBRIDGE_DATA_DIR", None)

    def cli(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "main.py", "--data-dir", str(tmp_path / "data"), *args],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == expect, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    shown = cli("settings").stdout
    assert "sync.interval_minutes = 15 minutes  (Sync automatically)" in shown
    assert "Every 15 minutes uses about 380 of Xero's 5,000 calls a day" in shown
    assert "brake.fraction = 10%" in shown and "pairs.items.enabled = on" in shown

    saved = cli("settings", "set", "brake.fraction", "25%", "pairs.items.enabled", "off",
                "sync.interval_minutes", "Off", "reconcile.interval_hours", "Every week").stdout
    assert "Stop before archiving more than = 25%" in saved and "Sync Items ⇄ Products = off" in saved
    shown = cli("settings").stdout
    assert "sync.interval_minutes = Off" in shown and "reconcile.interval_hours = Every week" in shown

    refused = cli("settings", "set", "xero.plan", "starter", "sync.interval_minutes", "1", expect=2)
    assert "Every minute would use about 3,100 of Xero's 1,000 calls a day" in refused.stderr
    assert "Unknown setting 'sync.speed'" in cli("settings", "set", "sync.speed", "9", expect=2).stderr
