"""Starting the app: a missing X11 library is named in a sentence (not a Qt abort), and the self-test passes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.gui import bootstrap, linux_libs

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_xcb_library_is_named_with_the_apt_command(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(bootstrap, "missing_xcb_packages", lambda: ["libxcb-cursor0", "libxkbcommon-x11-0"])
    args = argparse.Namespace(demo=False, data_dir=str(tmp_path), self_test=False, verbose=False)
    assert bootstrap.run_gui(args) == 2
    err = capsys.readouterr().err
    assert "sudo apt install libxcb-cursor0 libxkbcommon-x11-0" in err and err.count("\n") == 1


def test_the_library_check_names_a_package_for_each_library_it_cannot_load(monkeypatch):
    monkeypatch.setattr(linux_libs, "_loads", lambda soname: soname != "libxcb-cursor.so.0")
    assert linux_libs.missing_xcb_packages() == ["libxcb-cursor0"]


@pytest.mark.gui
def test_the_self_test_passes_on_the_demo(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LEDGERBRIDGE_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "main.py", "--demo", "--self-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("self-test passed:")
