"""Where the app keeps its files.

Default: platformdirs' per-user data and log folders. ``--data-dir DIR`` (or ``LEDGERBRIDGE_DATA_DIR``) moves every
file the app writes under one folder, with logs in ``DIR/logs``; tests and the demo use that.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app import APP_AUTHOR, APP_NAME

ENV_DATA_DIR = "LEDGERBRIDGE_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "ledgerbridge.db"

    @property
    def sandbox_state(self) -> Path:
        return self.data_dir / "sandbox-state.json"

    @property
    def secrets_fallback(self) -> Path:
        return self.data_dir / "secrets-fallback.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "ledgerbridge.log"

    def ensure(self) -> AppPaths:
        for folder in (self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """The folders to use: an explicit ``data_dir``, else ``$LEDGERBRIDGE_DATA_DIR``, else platformdirs."""
    chosen = data_dir or os.environ.get(ENV_DATA_DIR)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return AppPaths(data_dir=root, log_dir=root / "logs")
    dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)
    return AppPaths(data_dir=Path(dirs.user_data_path), log_dir=Path(dirs.user_log_path))


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``, also inside a PyInstaller bundle (``sys._MEIPASS``)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base.joinpath("resources", *parts)
