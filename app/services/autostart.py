"""Start Ledgerbridge when the user signs in to the computer (the "Start with the OS" setting).

Per user, never system-wide: a ``.desktop`` file in the XDG autostart folder on Linux, a LaunchAgent on macOS and a
value under ``HKCU\\...\\Run`` on Windows. The entry starts the same data folder and profile as the app that wrote it.
"""

from __future__ import annotations

import os
import plistlib
import re
import subprocess
import sys
from pathlib import Path

APP_NAME = "Ledgerbridge"
DESKTOP_FILE = "ledgerbridge.desktop"
LAUNCH_AGENT = "com.ledgerbridge.app.plist"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def launch_command(data_dir: Path, profile: str = "default") -> list[str]:
    """How to start this app again: the frozen executable, or this Python with main.py."""
    if getattr(sys, "frozen", False):
        command = [sys.executable]
    else:
        command = [sys.executable, str(Path(__file__).resolve().parents[2] / "main.py")]
    command += ["--data-dir", str(data_dir)]
    if profile != "default":
        command += ["--profile", profile]
    return command


def entry_path(platform: str = sys.platform) -> Path | None:
    """Where the entry lives on this platform (None on Windows, where it is a registry value)."""
    if platform.startswith("linux"):
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return Path(config) / "autostart" / DESKTOP_FILE
    if platform == "darwin":
        return Path.home() / "Library" / "LaunchAgents" / LAUNCH_AGENT
    return None


def is_enabled(platform: str = sys.platform) -> bool:
    path = entry_path(platform)
    if path is not None:
        return path.exists()
    import winreg  # type: ignore[import-not-found]  # Windows only

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.QueryValueEx(key, APP_NAME)
        return True
    except OSError:
        return False


def set_enabled(enabled: bool, command: list[str], platform: str = sys.platform) -> None:
    """Add or remove the entry. Touches the user's profile (and on Windows the registry): not on the GUI thread."""
    path = entry_path(platform)
    if path is None:
        _set_windows(enabled, subprocess.list2cmdline(command))
        return
    if not enabled:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if platform == "darwin":
        body = plistlib.dumps({"Label": LAUNCH_AGENT.removesuffix(".plist"), "ProgramArguments": command,
                               "RunAtLoad": True, "ProcessType": "Interactive"})
    else:
        body = ("[Desktop Entry]\nType=Application\n"
                f"Name={APP_NAME}\nComment=Keeps Xero and Zoho CRM in sync\n"
                f"Exec={' '.join(_desktop_quote(a) for a in command)}\nTerminal=false\n"
                "X-GNOME-Autostart-enabled=true\n").encode()
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)


def _desktop_quote(arg: str) -> str:
    """An Exec argument as the Desktop Entry spec wants it: plain, or in double quotes with \\ escapes."""
    arg = arg.replace("%", "%%")
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", arg):
        return arg
    return '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'


def _set_windows(enabled: bool, command_line: str) -> None:
    import winreg  # type: ignore[import-not-found]  # Windows only

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if enabled:
            winreg.SetValueEx(key, APP_NAME, 0, winreg.REG_SZ, command_line)
        else:
            try:
                winreg.DeleteValue(key, APP_NAME)
            except FileNotFoundError:
                pass
