"""Start with the computer, per platform, as the OS will read the entry at the next sign-in: the XDG .desktop file
(under the test's own XDG_CONFIG_HOME), the macOS LaunchAgent (under the test's HOME) and the Windows Run value
(through a stand-in for winreg that keeps values in a dict, since this runs on Linux)."""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

from app.services import autostart

AWKWARD = Path("/home/sam/Ledger data $HOME 100%/it's \"here\"")


def exec_args(value: str) -> list[str]:
    """An Exec value split as the Desktop Entry spec reads it: spaces separate, double quotes group, and inside
    them a backslash escapes the next character; ``%%`` is a literal ``%``."""
    args, current, quoted, escaped, started = [], [], False, False, False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted, started = not quoted, True
        elif ch == " " and not quoted:
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(ch)
            started = True
    if started:
        args.append("".join(current))
    return [a.replace("%%", "%") for a in args]


def test_linux_entry_starts_the_same_folder_and_is_removed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    command = autostart.launch_command(AWKWARD, "Kiwi branch")
    assert not autostart.is_enabled("linux")
    autostart.set_enabled(True, command, "linux")
    entry = tmp_path / "config" / "autostart" / "ledgerbridge.desktop"
    assert autostart.entry_path("linux") == entry and autostart.is_enabled("linux")
    fields = dict(line.split("=", 1) for line in entry.read_text().splitlines()[1:])
    assert fields["Type"] == "Application" and fields["Name"] == "Ledgerbridge" and fields["Terminal"] == "false"
    # the Exec line reads back as the very same arguments, odd characters and all
    assert exec_args(fields["Exec"]) == command
    assert command[-4:] == ["--data-dir", str(AWKWARD), "--profile", "Kiwi branch"]
    autostart.set_enabled(False, command, "linux")
    autostart.set_enabled(False, command, "linux")  # already off: nothing to do, no error
    assert not entry.exists() and not autostart.is_enabled("linux")


def test_macos_launch_agent_runs_at_login(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    command = autostart.launch_command(tmp_path / "data")
    autostart.set_enabled(True, command, "darwin")
    agent = tmp_path / "Library" / "LaunchAgents" / "com.ledgerbridge.app.plist"
    plist = plistlib.loads(agent.read_bytes())
    assert plist == {"Label": "com.ledgerbridge.app", "ProgramArguments": command, "RunAtLoad": True,
                     "ProcessType": "Interactive"}
    assert autostart.is_enabled("darwin")
    autostart.set_enabled(False, command, "darwin")
    assert not agent.exists() and not autostart.is_enabled("darwin")


class FakeWinreg:
    """The part of winreg the Run key needs, over a dict: {(hive, key): {name: value}}."""

    HKEY_CURRENT_USER, KEY_SET_VALUE, REG_SZ = "HKCU", 2, 1

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], dict[str, str]] = {("HKCU", autostart.RUN_KEY): {"OneDrive": "x"}}

    def OpenKey(self, hive, name, reserved=0, access=0):  # noqa: N802 - winreg's names
        values = self.keys[(hive, name)]

        class Key:
            def __enter__(self):
                return values

            def __exit__(self, *exc):
                return False

        return Key()

    def QueryValueEx(self, key, name):  # noqa: N802
        if name not in key:
            raise FileNotFoundError(name)
        return key[name], self.REG_SZ

    def SetValueEx(self, key, name, reserved, kind, value):  # noqa: N802
        key[name] = value

    def DeleteValue(self, key, name):  # noqa: N802
        if name not in key:
            raise FileNotFoundError(name)
        del key[name]


def test_windows_run_value_holds_the_command_line(monkeypatch):
    reg = FakeWinreg()
    monkeypatch.setitem(sys.modules, "winreg", reg)
    command = [r"C:\Program Files\Ledgerbridge\Ledgerbridge.exe", "--data-dir", r"C:\Users\Sam\Ledger data"]
    assert not autostart.is_enabled("win32")
    autostart.set_enabled(True, command, "win32")
    run = reg.keys[("HKCU", autostart.RUN_KEY)]
    assert run["Ledgerbridge"] == ('"C:\\Program Files\\Ledgerbridge\\Ledgerbridge.exe" --data-dir '
                                   '"C:\\Users\\Sam\\Ledger data"')
    assert autostart.is_enabled("win32")
    autostart.set_enabled(False, command, "win32")
    autostart.set_enabled(False, command, "win32")
    assert run == {"OneDrive": "x"} and not autostart.is_enabled("win32")
